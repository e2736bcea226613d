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
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Meili {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
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
            child: None,
            _dir: None,
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
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let key = "sinergi-test-master-key-0123456789".to_owned();
    let child = Command::new("meilisearch")
        .args([
            "--http-addr",
            &format!("127.0.0.1:{port}"),
            "--no-analytics",
            "--master-key",
            &key,
            "--env",
            "development",
        ])
        .arg("--db-path")
        .arg(dir.path().join("db"))
        .arg("--dump-dir")
        .arg(dir.path().join("dumps"))
        .arg("--snapshot-dir")
        .arg(dir.path().join("snapshots"))
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start meilisearch");
    let url = format!("http://127.0.0.1:{port}");
    let m = Meili {
        url: url.clone(),
        key: Some(key),
        child: Some(child),
        _dir: Some(dir),
    };
    for _ in 0..200 {
        if reqwest::get(format!("{url}/health"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Some(m);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("meilisearch did not become healthy at {url}");
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
