//! The HTTP application: the router around the GraphQL schema, health and readiness, and
//! graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{BatchRequest, http::GraphiQLSource};
use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use sinergi_api::{ApiError, ApiState, AppSchema, Caller, Limits, auth::JwtKeys};
use sinergi_search::{EmbeddedIndex, MeiliIndex, SearchBackend, SearchIndex};
use sinergi_services::Db;
use tokio::net::TcpListener;
use tower_http::{cors::CorsLayer, trace::TraceLayer};

use crate::{config::Config, secrets};

/// The most a request body may hold.
pub const MAX_BODY: usize = 1024 * 1024;

/// Everything a running server holds.
#[derive(Clone)]
pub struct App {
    pub state: Arc<ApiState>,
    pub schema: AppSchema,
    pub search: SearchBackend,
    /// The embedded index, which the relay keeps following across rebuilds.
    pub embedded: Option<EmbeddedIndex>,
    pub limits: Limits,
    pub config: Arc<Config>,
}

/// Opens the configured database: creates the data directory, then connects.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        anyhow::anyhow!(
            "configuration error: SINERGI_DATA_DIR: cannot create {}: {e}",
            config.data_dir.display()
        )
    })?;
    Db::connect(&config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database (SINERGI_DATABASE_URL): {e}"))
}

impl App {
    /// The one way to build the application — `serve` and the tests alike: migrates the
    /// database, opens the search engine (rebuilding an outdated embedded index), rescores
    /// after an FX change, and builds the schema. The database handle carries the clock.
    pub async fn build(config: Config, db: Db) -> anyhow::Result<Self> {
        db.migrate().await?;
        let secret = match &config.jwt_secret {
            Some(s) => s.clone(),
            None => secrets::data_dir_secret(&config.data_dir)?,
        };
        let keys = JwtKeys::new(&secret, &config.jwt_previous_secrets);
        let (search, index, embedded): (
            SearchBackend,
            Arc<dyn SearchIndex>,
            Option<EmbeddedIndex>,
        ) = match &config.meili_url {
            Some(url) => {
                let m = MeiliIndex::connect(url, config.meili_key.as_deref(), &config.meili_index)
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!("cannot reach Meilisearch (SINERGI_MEILI_URL={url}): {e}")
                    })?;
                (
                    SearchBackend::Meilisearch {
                        url: url.clone(),
                        key: config.meili_key.clone(),
                    },
                    Arc::new(m),
                    None,
                )
            }
            None => {
                let engine = SearchBackend::Embedded {
                    dir: config.data_dir.join("search"),
                };
                engine.prepare()?;
                let dir = config.data_dir.join("search");
                let e = match EmbeddedIndex::open(&dir) {
                        Err(sinergi_search::Error::Outdated(which)) => {
                            // Written by an older Sinergi: rebuild it aside from the database,
                            // then open the new generation.
                            tracing::warn!(index = %which, "search index layout changed: rebuilding it from the database");
                            crate::reindex::reindex(&db, &config).await?;
                            EmbeddedIndex::open(&dir)
                        }
                        other => other,
                    }
                    .map_err(|e| {
                        anyhow::anyhow!("cannot open the search index under SINERGI_DATA_DIR: {e}")
                    })?;
                (engine, Arc::new(e.clone()), Some(e))
            }
        };
        let state = Arc::new(ApiState {
            db,
            fx: config.fx.clone(),
            keys,
            limiter: Default::default(),
            cursor_key: sinergi_api::auth::token_hash(&format!("cursor:{}", hex::encode(&secret)))
                .into_bytes(),
            weights: config.weights,
            recommendations: Default::default(),
            search: index,
        });
        let rescored = sinergi_services::match_scores::sync_fx(&state.db, state.scoring()).await?;
        if rescored > 0 {
            tracing::info!(rescored, "FX rates changed: scores recomputed");
        }
        let limits = Limits {
            introspection: config.introspection,
            ..Limits::default()
        };
        let schema = sinergi_api::build_schema(state.clone(), &limits);
        Ok(Self {
            state,
            schema,
            search,
            embedded,
            limits,
            config: Arc::new(config),
        })
    }

    /// Binds the configured address (`SINERGI_BIND`).
    pub async fn listen(&self) -> anyhow::Result<TcpListener> {
        TcpListener::bind(self.config.bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on SINERGI_BIND={}: {e}", self.config.bind))
    }

    /// The routes.
    pub fn router(&self) -> Router {
        let mut r = Router::new()
            .route("/graphql", get(graphiql).post(graphql))
            .route("/schema.graphql", get(schema_sdl))
            .route(
                "/healthz",
                get(|| async { Json200(json!({"status": "ok"})) }),
            )
            .route("/readyz", get(readyz));
        let origins: Vec<HeaderValue> = self
            .config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        if !origins.is_empty() {
            r = r.layer(
                CorsLayer::new()
                    .allow_origin(origins)
                    .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                    .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
            );
        }
        let limit = self.config.request_timeout;
        r.layer(DefaultBodyLimit::max(MAX_BODY))
            .layer(axum::middleware::from_fn(move |req, next| {
                time_limit(limit, req, next)
            }))
            .layer(TraceLayer::new_for_http())
            .with_state(self.clone())
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = self.router();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let relay = tokio::spawn(crate::relay::run(
            self.state.db.clone(),
            self.state.fx.clone(),
            self.state.search.clone(),
            self.embedded.clone(),
            stop_rx,
        ));
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        // The relay stops after the last request: what those requests wrote is sent on the
        // next start (the outbox keeps it).
        let _ = stop_tx.send(true);
        let _ = relay.await;
        served?;
        Ok(())
    }
}

struct Json200(serde_json::Value);

impl IntoResponse for Json200 {
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            self.0.to_string(),
        )
            .into_response()
    }
}

/// Answers a request that takes longer than `limit` — a slow upload as much as slow work —
/// with a GraphQL JSON error instead of an empty body; the work is dropped with it.
async fn time_limit(
    limit: Duration,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooComplex(format!(
                "the request did not finish within {} s",
                limit.as_secs()
            )),
        ),
    }
}

/// A request refused before GraphQL runs it, in the API's one error vocabulary.
fn error_body(status: StatusCode, e: ApiError) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        e.body(),
    )
        .into_response()
}

async fn graphiql(State(app): State<App>) -> Response {
    if !app.config.graphiql {
        return (StatusCode::NOT_FOUND, "GraphiQL is switched off").into_response();
    }
    Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response()
}

async fn schema_sdl() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        sinergi_api::sdl(),
    )
        .into_response()
}

/// Decodes the bearer token once, at the edge.
fn caller(app: &App, headers: &HeaderMap, addr: SocketAddr) -> Caller {
    let mut c = Caller {
        actor: None,
        address: addr.ip().to_string(),
        bad_token: false,
    };
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        // "Bearer" in any case: auth schemes are case-insensitive (RFC 9110, 11.1).
        let token = v
            .to_str()
            .ok()
            .and_then(|s| s.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token);
        match token {
            Some(token) => match app.state.keys.verify(token.trim()) {
                Ok(a) => c.actor = Some(a),
                Err(_) => c.bad_token = true,
            },
            None => c.bad_token = true,
        }
    }
    c
}

/// POST /graphql. Written against axum directly rather than async-graphql-axum's
/// `GraphQLBatchRequest` extractor, for what the extractor cannot do: its rejections are
/// plain-text 400s without a contract code (ours are GraphQL JSON through `ApiError::body`), and
/// the caller must be decoded and a batch over the limit refused before the schema runs.
/// async-graphql-axum stays the plan for the WebSocket endpoint (graphql-transport-ws).
async fn graphql(
    State(app): State<App>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    // Only JSON bodies: a browser on any origin may send text/plain (or no type) without a
    // preflight, which would let any page drive logins and their rate limit cross-site.
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return error_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::validation("Content-Type", "a GraphQL POST must be application/json"),
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::TooComplex("request body over 1 MiB".into()),
            );
        }
        Err(_) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                ApiError::validation("body", "unreadable request body"),
            );
        }
    };
    let req: BatchRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                ApiError::validation("body", "must be a GraphQL request in JSON"),
            );
        }
    };
    let who = caller(&app, &headers, addr);
    let resp = sinergi_api::execute(&app.schema, &app.state, who, req, app.limits.batch).await;
    match serde_json::to_string(&resp) {
        Ok(text) => {
            let mut r = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                text,
            )
                .into_response();
            // Headers the resolvers set (the search engine's time, as Server-Timing).
            for (name, value) in resp.http_headers_iter() {
                r.headers_mut().append(name, value);
            }
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "could not serialise a response");
            error_body(StatusCode::INTERNAL_SERVER_ERROR, ApiError::Internal)
        }
    }
}

async fn readyz(State(app): State<App>) -> Response {
    let db = app.state.db.ping().await;
    let search = app.search.check().await;
    let backlog = sinergi_services::outbox::backlog(&app.state.db).await.ok();
    let ready = db.is_ok() && search.is_ok();
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if db.is_ok() { "ok" } else { "unreachable" },
        "search": {"engine": app.search.name(), "status": match &search { Ok(()) => "ok".to_owned(), Err(e) => e.clone() }},
        "outboxBacklog": backlog,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
