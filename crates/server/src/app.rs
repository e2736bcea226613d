//! The HTTP application: the router around the GraphQL schema, health and readiness, and
//! graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use sinergi_api::{ApiError, ApiState, AppSchema, Limits, auth::JwtKeys};
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
    /// GraphiQL's bundles, when installed and GraphiQL is on.
    pub graphiql: sinergi_web::graphiql::Graphiql,
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
        let secret = server_secret(&config)?;
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
            cursor_key: cursor_key(&secret).into(),
            weights: config.weights,
            recommendations: Default::default(),
            search: index,
            persisted: Default::default(),
            parsed: sinergi_api::document::ParsedDocuments::with_capacity(config.document_cache),
            search_health: Default::default(),
            metrics: Default::default(),
            public_url: Default::default(),
            webhook_allowed_hosts: config.webhook_allowed_hosts.clone(),
            hub: Default::default(),
        });
        if let Some(u) = &config.public_url {
            let _ = state.public_url.set(u.clone());
        }
        let rescored = sinergi_services::match_scores::sync_fx(&state.db, state.scoring()).await?;
        if rescored > 0 {
            tracing::info!(rescored, "FX rates changed: scores recomputed");
        }
        let limits = Limits {
            introspection: config.introspection,
            ..Limits::default()
        };
        let schema = sinergi_api::build_schema(state.clone(), &limits);
        let graphiql = if config.graphiql {
            let g = sinergi_web::graphiql::Graphiql::load(&config.graphiql_assets);
            if !g.installed() {
                tracing::info!(
                    folder = %config.graphiql_assets.display(),
                    "GraphiQL's bundles are not installed (npm ci --prefix crates/web/graphiql): /graphql in a browser says how"
                );
            }
            g
        } else {
            Default::default()
        };
        Ok(Self {
            state,
            schema,
            search,
            embedded,
            limits,
            config: Arc::new(config),
            graphiql,
        })
    }

    /// Binds the configured address (`SINERGI_BIND`).
    pub async fn listen(&self) -> anyhow::Result<TcpListener> {
        let l = TcpListener::bind(self.config.bind).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on SINERGI_BIND={}: {e}", self.config.bind)
        })?;
        if let Ok(addr) = l.local_addr() {
            let _ = self.state.public_url.set(format!("http://{addr}"));
        }
        Ok(l)
    }

    /// The routes.
    pub fn router(&self) -> Router {
        let mut r = Router::new()
            .route("/graphql", get(crate::http::get).post(crate::http::post))
            .route("/schema.graphql", get(schema_sdl))
            .route(
                "/healthz",
                get(|| async { Json200(json!({"status": "ok"})) }),
            )
            .route("/readyz", get(readyz))
            .route("/calendar/{file}", get(calendar))
            .route("/graphql/ws", get(subscriptions))
            .route("/metrics", get(crate::telemetry::metrics))
            // The web client: pages and their assets, compressed for slow connections.
            .merge(
                sinergi_web::router(sinergi_web::Web::new(
                    self.schema.clone(),
                    self.state.clone(),
                ))
                .layer(tower_http::compression::CompressionLayer::new()),
            )
            .merge(
                sinergi_web::graphiql::router(self.graphiql.clone())
                    .layer(tower_http::compression::CompressionLayer::new()),
            );
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
                    .allow_headers([
                        header::AUTHORIZATION,
                        header::CONTENT_TYPE,
                        header::ACCEPT,
                        header::HeaderName::from_static(crate::telemetry::REQUEST_ID),
                    ])
                    .expose_headers([
                        header::HeaderName::from_static(crate::telemetry::REQUEST_ID),
                        header::RETRY_AFTER,
                    ]),
            );
        }
        let limit = self.config.request_timeout;
        r.layer(DefaultBodyLimit::max(MAX_BODY))
            .layer(axum::middleware::from_fn(move |req, next| {
                time_limit(limit, req, next)
            }))
            .layer(TraceLayer::new_for_http())
            .layer(axum::middleware::from_fn(crate::telemetry::request_id))
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
            stop_rx.clone(),
        ));
        let deliveries = self.config.webhook_delivery.then(|| {
            tokio::spawn(crate::webhooks::run(
                self.state.db.clone(),
                self.state.webhook_allowed_hosts.clone(),
                stop_rx.clone(),
            ))
        });
        let chainer = tokio::spawn(crate::chainer::run(self.state.db.clone(), stop_rx.clone()));
        let follower = tokio::spawn(sinergi_api::live::follow(
            self.state.db.clone(),
            self.state.clone(),
            stop_rx.clone(),
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
        if let Some(d) = deliveries {
            let _ = d.await;
        }
        let _ = follower.await;
        let _ = chainer.await;
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
        Err(_) => crate::http::error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooComplex(format!(
                "the request did not finish within {} s",
                limit.as_secs()
            )),
        ),
    }
}

async fn schema_sdl() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        sinergi_api::sdl(),
    )
        .into_response()
}

async fn readyz(State(app): State<App>) -> Response {
    let db = app.state.db.ping().await;
    let search = app.search.check().await;
    let backlog = sinergi_services::outbox::backlog(&app.state.db).await.ok();
    let webhooks = sinergi_services::notify::backlog(&app.state.db).await.ok();
    let ready = db.is_ok() && search.is_ok();
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if db.is_ok() { "ok" } else { "unreachable" },
        "search": {"engine": app.search.name(), "status": match &search { Ok(()) => "ok".to_owned(), Err(e) => e.clone() }},
        "outboxBacklog": backlog,
        "webhookBacklog": webhooks,
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

/// GraphQL subscriptions over WebSocket (graphql-transport-ws, and the older graphql-ws),
/// authenticated by the connection_init payload `{"Authorization": "Bearer <token>"}`.
async fn subscriptions(
    State(app): State<App>,
    protocol: async_graphql_axum::GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    let schema = app.schema.executable().clone();
    let state = app.state.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            async_graphql_axum::GraphQLWebSocket::new(
                socket,
                sinergi_api::live::SocketExecutor(schema),
                protocol,
            )
            .on_connection_init(move |payload| {
                let state = state.clone();
                async move { sinergi_api::live::connection_data(&state, &payload) }
            })
            .serve()
        })
}

/// A participant's private iCalendar feed, `GET /calendar/<token>.ics`: 404 for a token that
/// is not (or no longer) valid, exactly as for one that never was.
async fn calendar(
    State(app): State<App>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such calendar\n").into_response();
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    match sinergi_api::resolvers::matchmaking::calendar_feed(&app.state, token).await {
        Ok(Some(body)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                // Calendar apps poll; a cache must not keep a stale agenda or share it.
                (header::CACHE_CONTROL, "private, no-cache"),
            ],
            body,
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = ?e, "calendar feed failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

/// The key that signs cursors and derives calendar tokens, from the server's secret.
pub fn cursor_key(secret: &[u8]) -> Vec<u8> {
    sinergi_api::auth::token_hash(&format!("cursor:{}", hex::encode(secret))).into_bytes()
}

/// The server's secret: configured, or kept in the data directory.
pub fn server_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    Ok(match &config.jwt_secret {
        Some(s) => s.clone(),
        None => secrets::data_dir_secret(&config.data_dir)?,
    })
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
