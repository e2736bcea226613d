//! What every resolver can reach: the shared state, the caller, and per-request loaders.

use async_graphql::Context;
use sinergi_domain::{Actor, FxTable};
use sinergi_matching::Weights;
use sinergi_services::Db;

use crate::{
    auth::{JwtKeys, LoginLimiter},
    error::ApiError,
};

/// State shared by all requests.
pub struct ApiState {
    pub db: Db,
    pub fx: FxTable,
    pub keys: JwtKeys,
    pub limiter: LoginLimiter,
    /// Signs pagination cursors so a tampered one is refused.
    pub cursor_key: std::sync::Arc<[u8]>,
    pub weights: Weights,
    /// Open projects and verified organisations, ready to score.
    pub recommendations: crate::recommend::Cache,
    /// The project search engine.
    pub search: std::sync::Arc<dyn sinergi_search::SearchIndex>,
    /// Whether the search engine is answering, so an outage is logged once.
    pub search_health: crate::search::SearchHealth,
    /// What `/metrics` reports of requests and searches.
    pub metrics: crate::metrics::Metrics,
    /// Queries clients registered by hash (automatic persisted queries).
    pub persisted: crate::document::PersistedQueries,
    /// Documents parsed before, by their text.
    pub parsed: crate::document::ParsedDocuments,
    /// The address clients reach the server at (`SINERGI_PUBLIC_URL`, else the bound address):
    /// calendar feeds and meeting rooms are linked under it.
    pub public_url: std::sync::OnceLock<String>,
    /// Hosts webhook endpoints may use although they are private (`SINERGI_WEBHOOK_ALLOWED_HOSTS`).
    pub webhook_allowed_hosts: Vec<String>,
    /// Live subscriptions of this replica.
    pub hub: crate::live::Hub,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl ApiState {
    /// Now, by the services' clock (the database handle's): every rule about time — deadlines,
    /// sealed bids, invitations and sessions expiring — asks this, never the system. Access
    /// tokens alone follow the system clock, which jsonwebtoken checks them against.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.db.now()
    }

    /// The server's public address, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.public_url
            .get()
            .map_or("http://127.0.0.1:8080", |s| s.trim_end_matches('/'))
    }

    /// What scoring needs: the FX table and the weights.
    pub fn scoring(&self) -> sinergi_services::match_scores::Scoring<'_> {
        sinergi_services::match_scores::Scoring {
            fx: &self.fx,
            weights: &self.weights,
        }
    }
}

/// Who is asking, decoded once at the HTTP edge.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub actor: Option<Actor>,
    /// The client's address, for rate limits.
    pub address: String,
    /// Set when a bearer token was sent but did not verify.
    pub bad_token: bool,
}

/// The shared state.
pub fn state<'a>(ctx: &Context<'a>) -> &'a ApiState {
    ctx.data_unchecked::<std::sync::Arc<ApiState>>()
}

/// The caller, if signed in.
pub fn actor<'a>(ctx: &Context<'a>) -> Option<&'a Actor> {
    ctx.data_opt::<Caller>().and_then(|c| c.actor.as_ref())
}

/// The caller, or UNAUTHENTICATED.
pub fn require<'a>(ctx: &Context<'a>) -> Result<&'a Actor, ApiError> {
    actor(ctx).ok_or(ApiError::Unauthenticated)
}

/// The client's address.
pub fn address<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<Caller>()
        .map_or("unknown", |c| c.address.as_str())
}
