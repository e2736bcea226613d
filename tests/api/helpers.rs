//! Starting the application and talking to it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use sinergi_domain::ShiftedClock;
use sinergi_server::{App, Config};
use sinergi_services::Db;
use tokio::sync::oneshot;

/// A running server with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub db: Db,
    pub statements: Arc<AtomicU64>,
    /// The texts of the latest statements counted in `statements`, oldest first.
    pub recent_sql: Arc<std::sync::Mutex<std::collections::VecDeque<String>>>,
    pub config: Config,
    /// The server's clock: tests move it past a deadline instead of sleeping.
    pub clock: Arc<ShiftedClock>,
    _dir: tempfile::TempDir,
    /// Dropped last: the database goes once the server and its pool are gone.
    _database: TestDb,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// Whether the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("SINERGI_TEST_DATABASE_URL").is_ok()
}

/// A fresh, empty database for one test, by its URL (it derefs to it): a file in the test's
/// directory, or a new PostgreSQL database that is dropped when this value is, so a test
/// leaves nothing behind on PostgreSQL — even when it fails.
pub struct TestDb {
    url: String,
    /// The server's URL and the database's name, on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl std::ops::Deref for TestDb {
    type Target = String;
    fn deref(&self) -> &String {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any runtime the test may still hold: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let admin = Db::connect(&base).await.expect("connect");
                admin
                    .execute_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .expect("drop database");
                admin.close().await.ok();
            });
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("the test database could not be dropped");
        }
    }
}

/// A fresh, empty database: a file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database(dir: &std::path::Path) -> TestDb {
    match std::env::var("SINERGI_TEST_DATABASE_URL") {
        Ok(base) => {
            let name = format!("sinergi_t_{}", uuid::Uuid::new_v4().simple());
            let admin = Db::connect(&base)
                .await
                .expect("connect to SINERGI_TEST_DATABASE_URL");
            admin
                .execute_sql(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            admin.close().await.ok();
            let (prefix, _) = base
                .rsplit_once('/')
                .expect("database URL with a database name");
            TestDb {
                url: format!("{prefix}/{name}"),
                postgres: Some((base, name)),
            }
        }
        Err(_) => TestDb {
            url: format!("sqlite://{}", dir.join("test.db").display()),
            postgres: None,
        },
    }
}

/// A configuration for tests: a temporary data directory and a fixed secret.
pub fn test_config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        database_url,
        bind: "127.0.0.1:0".parse().expect("addr"),
        public_url: None,
        webhook_allowed_hosts: vec!["127.0.0.1".into(), "localhost".into()],
        meili_url: None,
        meili_key: None,
        meili_index: "projects".into(),
        jwt_secret: Some(b"test-secret-test-secret-test-secret-0123".to_vec()),
        jwt_previous_secrets: vec![],
        log: "warn".into(),
        log_format: sinergi_server::telemetry::LogFormat::Text,
        fx: Default::default(),
        cors_origins: vec![],
        graphiql: true,
        request_timeout: std::time::Duration::from_secs(30),
        introspection: true,
        webhook_delivery: true,
        document_cache: 1000,
        graphiql_assets: sinergi_web::graphiql::DEFAULT_DIR.into(),
        weights: Default::default(),
    }
}

impl TestApp {
    /// Starts the application on port 0 with a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts it with an adjusted configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = fresh_database(dir.path()).await;
        let mut config = test_config(dir.path(), url.clone());
        adjust(&mut config);
        let clock = Arc::new(ShiftedClock::default());
        let mut db = Db::connect(&url)
            .await
            .expect("connect")
            .with_clock(clock.clone());
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        let recent_sql: Arc<std::sync::Mutex<std::collections::VecDeque<String>>> = Arc::default();
        let recent = recent_sql.clone();
        // The outbox relay, the webhook worker, the live-event follower and the audit chainer
        // run on the same pool; requests are what the count is about.
        db.on_statement(move |sql| {
            let background = [
                "search_outbox",
                "webhook_deliveries",
                "FROM \"notification_events\"",
                "audit_pending",
                "audit_head",
                "INSERT INTO \"audit_events\"",
            ];
            if !background.iter().any(|t| sql.contains(t)) {
                counter.fetch_add(1, Ordering::Relaxed);
                let mut r = recent.lock().unwrap_or_else(|p| p.into_inner());
                if r.len() >= 64 {
                    r.pop_front();
                }
                r.push_back(sql.to_owned());
            }
        });
        // As `sinergi serve` does: build, listen on the configured address (port 0), serve.
        let app = App::build(config.clone(), db.clone()).await.expect("app");
        let listener = app.listen().await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.serve(listener, async {
            let _ = rx.await;
        }));
        Self {
            addr,
            http: reqwest::Client::new(),
            db,
            statements,
            recent_sql,
            config,
            clock,
            _dir: dir,
            _database: url,
            stop: Some(tx),
            server: Some(server),
        }
    }

    /// Starts the application with the demo data set loaded, the search index caught up.
    pub async fn spawn_demo() -> Self {
        let app = Self::spawn().await;
        let fx = sinergi_domain::FxTable::default();
        let scoring = sinergi_services::match_scores::Scoring {
            fx: &fx,
            weights: &Default::default(),
        };
        let secret = app.config.jwt_secret.clone().expect("test secret");
        sinergi_server::demo::seed(&app.db, scoring, &sinergi_server::app::cursor_key(&secret))
            .await
            .expect("seed");
        app.settle().await;
        app
    }

    /// Waits until the outbox relay has sent every change to the search index: it works on the
    /// same pool, so tests that count statements settle first.
    pub async fn settle(&self) {
        for _ in 0..200 {
            if sinergi_services::outbox::backlog(&self.db)
                .await
                .expect("backlog")
                == 0
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the outbox did not drain");
    }

    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Posts a GraphQL request; returns the whole JSON response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("send").json().await.expect("json")
    }

    /// Posts a GraphQL request that must succeed; returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let r = self.gql(token, query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }

    /// Creates an admin directly (as `sinergi create-admin` does) and signs in.
    pub async fn admin_token(&self) -> String {
        let hash = sinergi_api::auth::hash_password("admin-password-1".into())
            .await
            .expect("hash");
        sinergi_services::users::ensure_admin(&self.db, "admin@test.example", "Admin", hash)
            .await
            .expect("admin");
        self.login("admin@test.example", "admin-password-1").await
    }

    /// Signs in; returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let d = self
            .ok(
                None,
                "mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}",
                json!({"e": email, "p": password}),
            )
            .await;
        d["login"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            h.await.expect("join").expect("serve");
        }
    }
}

/// The error code of the first error of a response.
pub fn code(r: &Value) -> String {
    r["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
        .to_owned()
}

/// The whole first error's extensions.
pub fn ext(r: &Value) -> Value {
    r["errors"][0]["extensions"].clone()
}

/// A second `sinergi serve` process on the app's database, listening on a port of its own:
/// the process (killed on drop of the returned guard) and its GraphQL URL.
pub fn second_server(app: &TestApp, env: &[(&str, &str)]) -> (SecondServer, String) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("dir");
    let mut cmd = crate::foundation::sinergi(dir.path(), &app.config.database_url);
    cmd.env("SINERGI_BIND", "127.0.0.1:0")
        .env("SINERGI_LOG", "info");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .arg("serve")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    // What it printed before its address: shown if it exits without one.
    let mut seen = Vec::new();
    let url = loop {
        let Some(line) = lines.next().and_then(Result::ok) else {
            let status = child.wait().expect("wait");
            panic!(
                "the second server exited ({status}) before printing its address:\n{}",
                seen.join("\n")
            );
        };
        if let Some(rest) = line.strip_prefix("sinergi listening on ") {
            break rest.to_owned();
        }
        seen.push(line);
    };
    std::thread::spawn(move || for _ in lines {});
    (SecondServer { child, _dir: dir }, url)
}

/// A second server process, stopped when dropped (its data directory with it).
pub struct SecondServer {
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Node package of `tests/<name>` (its lock file committed), installed by `npm ci` the
/// first time a test needs it: its directory.
pub fn node_package(name: &str, marker: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests")
        .join(name);
    // One install at a time: `npm ci` first removes node_modules, so a second test installing
    // the same package at once would pull it from under the first one's running Node.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    if !dir.join("node_modules").join(marker).exists() {
        let ok = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm (Node.js 20) installs the test's package");
        assert!(ok.success(), "npm ci in tests/{name}");
    }
    dir
}

/// The lines graphql-ws's own client prints (`tests/ws-client/subscribe.mjs`).
pub type WsLines = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>;

/// graphql-ws's client running one operation (`query` with `variables`, until `count`
/// results) over `url` as `token`'s caller, and its stdout lines, the first
/// `{"connected":true}` already read. Killing the child closes its socket.
pub async fn ws_client(
    url: &str,
    token: Option<&str>,
    query: &str,
    count: u32,
    variables: &Value,
) -> (tokio::process::Child, WsLines) {
    use tokio::io::AsyncBufReadExt;
    let dir = node_package("ws-client", "graphql-ws");
    let mut child = tokio::process::Command::new("node")
        .arg("subscribe.mjs")
        .arg(url)
        .arg(token.unwrap_or(""))
        .arg(query)
        .arg(count.to_string())
        .arg(variables.to_string())
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("connected within 20 s")
        .expect("read")
        .expect("a line");
    let v: Value = serde_json::from_str(&first).expect("json");
    if v["connected"] != true {
        panic!("not connected: {first}");
    }
    (child, lines)
}
