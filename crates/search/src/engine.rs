//! Which engine holds the project index, and whether it is reachable.

use std::path::PathBuf;
use std::time::Duration;

/// The configured search engine.
#[derive(Debug, Clone)]
pub enum SearchBackend {
    /// The in-process engine, its index under the data directory.
    Embedded { dir: PathBuf },
    /// A Meilisearch server.
    Meilisearch { url: String, key: Option<String> },
}

impl SearchBackend {
    /// The engine's name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            SearchBackend::Embedded { .. } => "embedded",
            SearchBackend::Meilisearch { .. } => "meilisearch",
        }
    }

    /// Prepares the engine's storage (the embedded index directory).
    pub fn prepare(&self) -> std::io::Result<()> {
        match self {
            SearchBackend::Embedded { dir } => std::fs::create_dir_all(dir),
            SearchBackend::Meilisearch { .. } => Ok(()),
        }
    }

    /// Whether the engine answers: Meilisearch's `/health`, or the embedded index directory
    /// being writable.
    pub async fn check(&self) -> Result<(), String> {
        match self {
            SearchBackend::Embedded { dir } => {
                let probe = dir.join(".ready-probe");
                std::fs::write(&probe, b"ok")
                    .map_err(|e| format!("index directory not writable: {e}"))?;
                let _ = std::fs::remove_file(probe);
                Ok(())
            }
            SearchBackend::Meilisearch { url, key } => {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(2))
                    .build()
                    .map_err(|e| e.to_string())?;
                let mut req = client.get(format!("{}/health", url.trim_end_matches('/')));
                if let Some(k) = key {
                    req = req.bearer_auth(k);
                }
                let resp = req
                    .send()
                    .await
                    .map_err(|_| "meilisearch unreachable".to_string())?;
                if resp.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("meilisearch answered {}", resp.status()))
                }
            }
        }
    }
}
