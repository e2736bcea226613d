//! The search backends the suite runs against: the embedded engine always, and Meilisearch
//! whenever SINERGI_TEST_MEILI_URL is set or a `meilisearch` binary is on PATH (then started
//! on a free loopback port with a temporary data directory, and stopped after the test).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::TestApp;

/// A Meilisearch server for one test.
pub struct Meili {
    pub url: String,
    pub key: Option<String>,
    /// What this suite started (none when SINERGI_TEST_MEILI_URL names a server).
    own: Option<Own>,
}

/// A Meilisearch process this suite started, with its data directory and port, so it can be
/// stopped and started again where it was.
struct Own {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Meili {
    fn drop(&mut self) {
        self.stop();
    }
}

fn on_path() -> bool {
    Command::new("meilisearch")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Meilisearch server to test against, if there is one.
pub async fn meili() -> Option<Meili> {
    if let Ok(url) = std::env::var("SINERGI_TEST_MEILI_URL") {
        return Some(Meili {
            url,
            key: std::env::var("SINERGI_TEST_MEILI_KEY").ok(),
            own: None,
        });
    }
    if !on_path() {
        eprintln!(
            "search suite: SKIPPING Meilisearch (set SINERGI_TEST_MEILI_URL or put a meilisearch binary on PATH)"
        );
        return None;
    }
    let version = Command::new("meilisearch")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !version.contains(sinergi_search::TESTED_MEILISEARCH_VERSION) {
        eprintln!(
            "search suite: the meilisearch on PATH says {:?}; the version deployments pin is {}",
            version.trim(),
            sinergi_search::TESTED_MEILISEARCH_VERSION
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut m = Meili {
        url: format!("http://127.0.0.1:{port}"),
        key: Some("sinergi-test-master-key-0123456789".to_owned()),
        own: Some(Own {
            child: None,
            port,
            dir: tempfile::tempdir().expect("dir"),
        }),
    };
    m.start().await;
    Some(m)
}

impl Meili {
    /// Whether this suite runs the server (and so can stop and start it).
    pub fn is_own(&self) -> bool {
        self.own.is_some()
    }

    /// Kills the server, as a crash or a restart would.
    pub fn stop(&mut self) {
        if let Some(c) = self.own.as_mut().and_then(|o| o.child.as_mut()) {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(o) = self.own.as_mut() {
            o.child = None;
        }
    }

    /// Starts the server (again) on its port with its data, and waits until it is healthy.
    pub async fn start(&mut self) {
        let key = self.key.clone().unwrap_or_default();
        let Some(own) = self.own.as_mut() else {
            return;
        };
        let dir = own.dir.path();
        let child = Command::new("meilisearch")
            .args([
                "--http-addr",
                &format!("127.0.0.1:{}", own.port),
                "--no-analytics",
                "--master-key",
                &key,
                "--env",
                "development",
            ])
            .arg("--db-path")
            .arg(dir.join("db"))
            .arg("--dump-dir")
            .arg(dir.join("dumps"))
            .arg("--snapshot-dir")
            .arg(dir.join("snapshots"))
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start meilisearch");
        own.child = Some(child);
        for _ in 0..400 {
            if reqwest::get(format!("{}/health", self.url))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("meilisearch did not become healthy at {}", self.url);
    }
}

/// One backend of the suite.
pub enum Backend {
    Embedded,
    Meili(Meili),
}

impl Backend {
    /// Every backend available here.
    pub async fn all() -> Vec<Backend> {
        let mut v = vec![Backend::Embedded];
        if let Some(m) = meili().await {
            v.push(Backend::Meili(m));
        }
        v
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Embedded => "embedded",
            Backend::Meili(_) => "meilisearch",
        }
    }

    /// The application on this backend, with an index of its own.
    pub async fn spawn(&self) -> TestApp {
        match self {
            Backend::Embedded => TestApp::spawn().await,
            Backend::Meili(m) => {
                let (url, key) = (m.url.clone(), m.key.clone());
                TestApp::spawn_with(move |c| {
                    c.meili_url = Some(url);
                    c.meili_key = key;
                    c.meili_index = format!("projects_{}", uuid::Uuid::new_v4().simple());
                })
                .await
            }
        }
    }
}
