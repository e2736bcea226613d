//! Sinergi's project search: the [`SearchIndex`] trait, the embedded engine (tantivy, persisted
//! under the data directory), and the configuration and readiness of the engine in use.
//!
//! Visibility is part of every [`SearchRequest`] and is applied inside the engine's query, so a
//! project a caller may not see never shows in hits, totals or facet counts. No proposal data
//! goes into the index.

pub mod alerts;
mod bitmaps;
mod doc;
mod embedded;
mod engine;
mod meili;
mod tally;
pub mod text;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sinergi_domain::{Dimension, FinancingModel, Sector, permissions::SearchVisibility};
use uuid::Uuid;

pub use doc::ProjectDoc;
pub use embedded::EmbeddedIndex;
/// The Meilisearch version the search suite runs against, named once: the compose file's
/// image uses it (a test holds them together) and the suite warns when it meets another.
pub const TESTED_MEILISEARCH_VERSION: &str = "1.50.0";

pub use engine::SearchBackend;
pub use meili::MeiliIndex;

/// What a search engine can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("search engine: {0}")]
    Engine(String),
    /// The engine cannot be reached (Meilisearch restarting, a network fault) or did not answer
    /// in time: worth retrying, unlike [`Error::Engine`].
    #[error("search engine unreachable: {0}")]
    Unreachable(String),
    #[error("search index I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The embedded index on disk was written with another layout (an older Sinergi); it has
    /// to be rebuilt from the database.
    #[error(
        "the search index {0} was written by another version of Sinergi; run `sinergi reindex`"
    )]
    Outdated(String),
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Engine(e.to_string())
    }
}

/// The search crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    DeadlineSoonest,
    CapexAsc,
    CapexDesc,
}

/// The filters of a search; empty lists filter nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub city_ids: Vec<Uuid>,
    pub provinces: Vec<String>,
    pub dimensions: Vec<Dimension>,
    pub sectors: Vec<Sector>,
    pub financing: Vec<FinancingModel>,
    pub min_capex_usd: Option<f64>,
    pub max_capex_usd: Option<f64>,
    pub deadline_after: Option<DateTime<Utc>>,
}

/// One search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub filter: Filter,
    pub visibility: SearchVisibility,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// One hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: Uuid,
    /// 0..1 where the engine ranks by relevance.
    pub relevance: Option<f64>,
    pub highlighted_title: String,
    pub highlighted_summary: String,
}

/// Counts per value of one facet field.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetCounts {
    pub field: &'static str,
    pub values: Vec<(String, u64)>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total_hits: u64,
    pub facets: Vec<FacetCounts>,
    pub processing_time_ms: u64,
}

/// The facet fields, in the contract's words.
pub const FACETS: [&str; 5] = ["dimension", "sector", "province", "financing", "status"];

/// A project search engine. Writes return once the engine has accepted them.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// Writes (or rewrites) documents.
    async fn upsert(&self, docs: Vec<ProjectDoc>) -> Result<()>;
    /// Removes documents.
    async fn delete(&self, ids: Vec<Uuid>) -> Result<()>;
    /// Runs a search.
    async fn search(&self, req: &SearchRequest) -> Result<SearchResult>;
    /// How many documents the index holds.
    async fn count(&self) -> Result<u64>;
}
