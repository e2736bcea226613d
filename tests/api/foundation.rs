//! The foundation: migrations, configuration, health, graceful shutdown, the demo seed, the
//! schema file and the audit chain, through the real binary where a user would use it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, fresh_database};

/// The `sinergi` binary with a clean environment, its data under `dir/data`.
pub fn sinergi(dir: &std::path::Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sinergi"));
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SINERGI_DATA_DIR", dir.join("data"))
        .env("SINERGI_DATABASE_URL", url)
        .env("SINERGI_LOG", "warn");
    c
}

#[tokio::test]
async fn migrations_build_the_schema_once_and_rerun_as_a_no_op() {
    let app = TestApp::spawn().await;
    assert_eq!(app.db.applied_migrations().await.expect("count"), 13);
    app.db.migrate().await.expect("second run");
    assert_eq!(app.db.applied_migrations().await.expect("count"), 13);
    for table in [
        "users",
        "refresh_tokens",
        "cities",
        "masterplans",
        "priorities",
        "projects",
        "embassies",
        "investor_organizations",
        "invitations",
        "proposals",
        "proposal_revisions",
        "match_scores",
        "audit_events",
        "audit_head",
        "audit_pending",
        "search_outbox",
        "matchmaking_events",
        "event_participants",
        "meeting_requests",
        "meetings",
        "notification_events",
        "notifications",
        "webhook_endpoints",
        "webhook_deliveries",
        "saved_searches",
        "saved_search_hits",
        "fx_rates",
    ] {
        app.db
            .execute_sql(&format!("SELECT count(*) FROM {table}"))
            .await
            .expect(table);
    }
    // One proposal per organisation per project is a constraint of the database itself.
    let dup = app.db.execute_sql(
        "INSERT INTO proposals (id, project_id, organization_id, status, amount, currency, financing_model, timeline_months, approach, contributions, local_content_percent, revision, created_at, updated_at)
         VALUES ('a', 'p', 'o', 'DRAFT', '1', 'USD', 'PPP', 1, 'x', '[]', '0', 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ).await;
    assert!(
        dup.is_err(),
        "a proposal for a missing project must break a foreign key"
    );
    app.stop().await;
}

#[tokio::test]
async fn health_and_readiness_report_the_database_and_search() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), 200);
    let r = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["search"]["engine"], "embedded");
    assert_eq!(body["outboxBacklog"], 0);
    let sdl = app
        .http
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .expect("sdl")
        .text()
        .await
        .expect("text");
    assert!(sdl.contains("type Query"));
    let page = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("graphiql")
        .text()
        .await
        .expect("text");
    assert!(page.to_lowercase().contains("graphiql"));
    app.stop().await;
}

#[tokio::test]
async fn graphiql_and_introspection_can_be_switched_off() {
    let app = TestApp::spawn_with(|c| {
        c.graphiql = false;
        c.introspection = false;
    })
    .await;
    assert_eq!(
        app.http
            .get(app.url("/graphql"))
            .header("accept", "text/html")
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
    let r = app.gql(None, "{__schema{types{name}}}", json!({})).await;
    assert!(
        r["data"]["__schema"].is_null() || r["errors"].is_array(),
        "{r}"
    );
    app.stop().await;
}

#[test]
fn bad_configuration_names_the_setting_and_stops_without_a_panic() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("x.db").display());
    let cases = [
        ("SINERGI_BIND", "not-an-address"),
        ("SINERGI_DATABASE_URL", "mysql://x"),
        ("SINERGI_JWT_SECRET", "short"),
        ("SINERGI_LOG", "info,[[[bad"),
        ("SINERGI_MEILI_URL", "ftp://search"),
        ("SINERGI_FX_RATES", "/nonexistent/rates.toml"),
        ("SINERGI_GRAPHIQL", "maybe"),
        ("SINERGI_CORS_ORIGINS", "not an origin"),
        ("SINERGI_REQUEST_TIMEOUT_SECS", "0"),
        ("SINERGI_REQUEST_TIMEOUT_SECS", "soon"),
    ];
    for (key, value) in cases {
        let out = sinergi(dir.path(), &url)
            .env(key, value)
            .arg("migrate")
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{key}: {err}");
        assert!(err.contains(key), "{key} not named in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    std::fs::write(dir.path().join("rates.toml"), "IDR = \"abc\"\n").expect("write");
    let out = sinergi(dir.path(), &url)
        .env("SINERGI_FX_RATES", dir.path().join("rates.toml"))
        .arg("migrate")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("IDR"));
    std::fs::write(
        dir.path().join("rates.toml"),
        "[rates]\nIDR = \"0.00006\"\nEUR = 1.1\n",
    )
    .expect("write");
    let out = sinergi(dir.path(), &url)
        .env("SINERGI_FX_RATES", dir.path().join("rates.toml"))
        .arg("migrate")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_and_exits_zero() {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(dir.path()).await;
    let mut child = sinergi(dir.path(), &url)
        .env("SINERGI_BIND", "127.0.0.1:0")
        .env("SINERGI_LOG", "info")
        .arg("serve")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server printed its address")
            .expect("line");
        if let Some(rest) = line.strip_prefix("sinergi listening on http://") {
            break rest.trim_end_matches("/graphql").to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    // Half a request: the server has accepted it and waits for the rest of the body.
    let body = r#"{"query":"{embassies{name}}"}"#;
    let mut s = TcpStream::connect(&addr).expect("connect");
    write!(s, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).expect("head");
    s.write_all(&body.as_bytes()[..10]).expect("half");
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&body.as_bytes()[10..]).expect("rest");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("response");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"embassies\":[]"), "{resp}");
    let status = child.wait().expect("exit");
    assert_eq!(status.code(), Some(0));
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the port is closed after shutdown"
    );
}

#[tokio::test]
async fn the_demo_seed_runs_once_and_makes_the_product_obvious() {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(dir.path()).await;
    let out = sinergi(dir.path(), &url)
        .args(["seed", "--demo"])
        .output()
        .expect("seed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo data seeded"));
    let again = sinergi(dir.path(), &url)
        .args(["seed", "--demo"])
        .output()
        .expect("seed again");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already present"));
    let db = sinergi_services::Db::connect(&url).await.expect("db");
    let cities = sinergi_services::places::list_cities(&db, None, None, 100, true)
        .await
        .expect("cities");
    assert_eq!(cities.total, Some(8), "seeded once");
    let names: Vec<&str> = cities.items.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"Ambon") && names.contains(&"Semarang"));
    let scope = sinergi_domain::permissions::ProjectScope::All;
    let ids: Vec<_> = cities.items.iter().map(|c| c.id).collect();
    let projects: u64 = sinergi_services::projects::count_per_city(&db, scope, &ids, None)
        .await
        .expect("count")
        .values()
        .sum();
    assert!(projects >= 30, "{projects} projects");
    let (admin, _) = sinergi_services::users::find_for_login(&db, "admin@sinergi.demo")
        .await
        .expect("q")
        .expect("demo admin");
    assert_eq!(admin.role, sinergi_domain::Role::Admin);
    let out = sinergi(dir.path(), &url)
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn audit_verify_names_the_first_altered_or_removed_event() {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(dir.path()).await;
    let out = sinergi(dir.path(), &url)
        .args([
            "create-admin",
            "--email",
            "ops@test.example",
            "--password",
            "a-long-password",
        ])
        .output()
        .expect("admin");
    assert!(out.status.success());
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("a-long-password"),
        "the password is never printed"
    );
    let again = sinergi(dir.path(), &url)
        .args([
            "create-admin",
            "--email",
            "ops@test.example",
            "--password",
            "a-long-password",
        ])
        .output()
        .expect("again");
    assert!(String::from_utf8_lossy(&again.stdout).contains("exists already"));
    let out = sinergi(dir.path(), &url)
        .args(["seed", "--demo"])
        .output()
        .expect("seed");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("already present"),
        "a database with users is not empty"
    );
    let db = sinergi_services::Db::connect(&url).await.expect("db");
    for i in 0..3 {
        let hash = format!("$argon2id$v=19$m=19456,t=2,p=1$x{i}");
        sinergi_services::users::ensure_admin(&db, &format!("a{i}@test.example"), "A", hash)
            .await
            .expect("admin");
    }
    let ok = sinergi(dir.path(), &url)
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("4 events"));
    db.execute_sql("UPDATE audit_events SET payload = '{\"email\":\"evil@x\"}' WHERE sequence = 3")
        .await
        .expect("tamper");
    let bad = sinergi(dir.path(), &url)
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("event 3"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    db.execute_sql("DELETE FROM audit_events WHERE sequence = 2")
        .await
        .expect("remove");
    let bad = sinergi(dir.path(), &url)
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("event 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// Appenders that commit at the same moment, and two chainers that run at once, still make one
/// chain: each event is chained exactly once, after the one before it (27 events: a chainer
/// writes them in runs of 16, 4 and 1 rows). Then an event removed from
/// the end — which leaves no gap to notice — is found, because the head remembers where the
/// chain ended.
#[tokio::test]
async fn concurrent_appends_make_one_chain_and_its_end_cannot_be_cut_off() {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(dir.path()).await;
    let db = sinergi_services::Db::connect(&url).await.expect("db");
    db.migrate().await.expect("migrate");
    let writers = (0..27).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            let hash = format!("$argon2id$v=19$m=19456,t=2,p=1$c{i}");
            sinergi_services::users::ensure_admin(&db, &format!("c{i}@test.example"), "C", hash)
                .await
        })
    });
    for w in futures::future::join_all(writers).await {
        w.expect("task").expect("every concurrent append commits");
    }
    let (a, b) = tokio::join!(
        sinergi_services::audit::chain(&db),
        sinergi_services::audit::chain(&db)
    );
    assert_eq!(
        a.expect("chain") + b.expect("chain"),
        27,
        "every pending event is chained once"
    );
    assert_eq!(
        sinergi_services::audit::verify(&db).await.expect("verify"),
        sinergi_services::audit::Verification::Intact { events: 27 }
    );
    db.execute_sql("DELETE FROM audit_events WHERE sequence = 27")
        .await
        .expect("cut off the last event");
    match sinergi_services::audit::verify(&db).await.expect("verify") {
        sinergi_services::audit::Verification::Broken { sequence, problem } => {
            assert_eq!(sequence, 27, "{problem}");
            assert!(problem.contains("removed from the end"), "{problem}");
        }
        intact => panic!("a chain cut short passed as {intact:?}"),
    }
}

#[test]
fn the_schema_file_is_the_schema_the_code_serves() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema.graphql");
    let file = std::fs::read_to_string(&path).expect("schema.graphql");
    assert!(
        file == sinergi_api::sdl(),
        "schema.graphql is stale: run `cargo run -q -p sinergi-server -- schema > schema.graphql`"
    );
}

/// The Meilisearch version is named once: what the compose file deploys is what the search
/// suite runs against.
#[test]
fn deployments_pin_the_tested_meilisearch_version() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let compose = std::fs::read_to_string(root.join("deploy/compose.yaml")).expect("compose");
    let pinned = format!(
        "getmeili/meilisearch:v{}",
        sinergi_search::TESTED_MEILISEARCH_VERSION
    );
    assert!(
        compose.contains(&pinned),
        "deploy/compose.yaml must use {pinned}"
    );
    assert_eq!(
        compose.matches("getmeili/meilisearch:").count(),
        1,
        "one Meilisearch image in the compose file"
    );
    let ignore = std::fs::read_to_string(root.join(".dockerignore")).expect(".dockerignore");
    for kept_out in ["target/", "data/"] {
        assert!(ignore.lines().any(|l| l.trim() == kept_out), "{kept_out}");
    }
}
