//! Sinergi's GraphQL API: the schema, resolvers, authentication, loaders, limits and the mapping
//! of every error to the contract's codes. It knows no web framework: the server crate hands it
//! requests and the caller decoded from the bearer token.

pub mod auth;
pub mod cursor;
pub mod document;
pub mod error;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod matchmaking;
pub mod metrics;
mod ranking;
pub mod recommend;
pub mod resolvers;
pub mod search;
pub mod state;
pub mod types;
pub mod webhooks;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use async_graphql::{BatchRequest, BatchResponse, MergedObject, Schema, SchemaEnv};

pub use error::ApiError;
pub use limits::Limits;
pub use state::{ApiState, Caller};

/// What can be read. Lists are connections with `first` (1..100) and `after`; an object the caller may not read is null (or missing from a list), never an error.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    resolvers::query::CoreQuery,
    resolvers::matchmaking::MatchmakingQuery,
    resolvers::notify::NotifyQuery,
);

/// Every mutation of the contract, by area.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    resolvers::account::AccountMutation,
    resolvers::marketplace::MarketplaceMutation,
    resolvers::onboarding::OnboardingMutation,
    resolvers::matchmaking::MatchmakingMutation,
    resolvers::notify::NotifyMutation,
);

/// The executable schema, as async-graphql builds it.
pub type Executable = Schema<QueryRoot, MutationRoot, resolvers::live::SubscriptionRoot>;

/// The schema, built twice over the same state. A request runs on the guarded one (the limits
/// as an async-graphql extension, and every validation rule) until it has passed them once;
/// the same request again (document, operation and variables: what validation depends on)
/// runs on the plain one, which has no extension and so resolves each field on
/// async-graphql's direct path, and skips the rules that passed. Its errors are finished as
/// the guard finishes them ([`limits::finish`]).
#[derive(Clone)]
pub struct AppSchema {
    guarded: Executable,
    plain: Executable,
    /// The guarded schema's environment (its registry), as its first request saw it.
    env: Arc<OnceLock<SchemaEnv>>,
    /// Which schema a validation verdict is for (its limits).
    id: u64,
}

impl AppSchema {
    /// The schema with every check, for subscriptions.
    pub fn executable(&self) -> &Executable {
        &self.guarded
    }

    /// Runs one prepared request.
    async fn run(
        &self,
        req: async_graphql::Request,
        ticket: Option<document::Ticket>,
    ) -> async_graphql::Response {
        match ticket {
            Some(t) if t.valid => {
                let operation = req.operation_name.clone();
                let mut resp = self.plain.execute(req).await;
                if let Some(env) = self.env.get() {
                    let ran = limits::Ran {
                        doc: t.known().document(),
                        operation: operation.as_deref(),
                    };
                    limits::finish(&env.registry, &mut resp, Some(ran));
                }
                resp
            }
            ticket => {
                let passed = limits::Passed::default();
                let resp = self.guarded.execute(req.data(passed.clone())).await;
                if let Some(t) = ticket
                    && passed.get()
                {
                    t.passed();
                }
                resp
            }
        }
    }
}

fn builder()
-> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, resolvers::live::SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        resolvers::live::SubscriptionRoot,
    )
    .override_output_type_description::<chrono::DateTime<chrono::Utc>>(
        "An instant, as an RFC 3339 date-time string in UTC with a `Z` offset and up to \
             microseconds: `2026-12-01T09:30:00Z`. Inputs with another offset are converted to \
             UTC.",
    )
    .override_output_type_description::<rust_decimal::Decimal>(
        "An exact decimal number as a string, never a float: digits with an optional \
             leading `-` and one `.`, up to 28 significant digits (`\"1250000000.50\"`). \
             Money amounts are in their currency's major unit.",
    )
}

/// The schema with its state and limits.
pub fn build_schema(state: Arc<ApiState>, limits: &Limits) -> AppSchema {
    static IDS: AtomicU64 = AtomicU64::new(1);
    let env = Arc::new(OnceLock::new());
    let base = |state: Arc<ApiState>| {
        let b = builder()
            .data(state)
            // Depth and complexity are checked by the guard on what validation measured, so
            // their refusals carry QUERY_TOO_COMPLEX without reading async-graphql's message.
            .limit_recursive_depth(32)
            .limit_directives(20);
        if limits.introspection {
            b
        } else {
            b.disable_introspection()
        }
    };
    AppSchema {
        guarded: base(state.clone())
            .extension(limits::Guard {
                limits: limits.clone(),
                env: env.clone(),
            })
            .finish(),
        plain: base(state)
            .validation_mode(async_graphql::ValidationMode::Fast)
            .finish(),
        env,
        id: IDS.fetch_add(1, Ordering::Relaxed),
    }
}

/// The SDL clients are written against.
pub fn sdl() -> String {
    builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

/// Runs a (batched) request for a caller: refuses oversized batches and bad tokens, resolves
/// persisted queries and parses each document (refusing a GET that would change anything),
/// and gives each request its own loaders.
pub async fn execute(
    schema: &AppSchema,
    state: &ApiState,
    caller: Caller,
    mut req: BatchRequest,
    max_batch: usize,
    method: document::Method,
) -> Result<BatchResponse, document::NotOverGet> {
    let too_many = matches!(&req, BatchRequest::Batch(v) if v.len() > max_batch);
    if too_many {
        return Ok(refusal(ApiError::TooComplex(format!(
            "at most {max_batch} operations per batch"
        ))));
    }
    if caller.bad_token {
        return Ok(refusal(ApiError::Unauthenticated));
    }
    let mut early = Vec::new();
    let mut tickets = Vec::new();
    let mut writes = false;
    for (i, r) in req.iter_mut().enumerate() {
        match document::prepare(r, &state.persisted, &state.parsed, method, schema.id) {
            Ok(p) => {
                writes |= p.writes;
                tickets.push(p.ticket);
            }
            Err(document::Refusal::Error(e)) => {
                tickets.push(None);
                early.push((i, e));
            }
            Err(document::Refusal::NotOverGet) => return Err(document::NotOverGet),
        }
    }
    let started = std::time::Instant::now();
    let names: Vec<Option<String>> = req.iter().map(|r| r.operation_name.clone()).collect();
    let batches = loaders::Batches::default();
    let loaders = Arc::new(loaders::Loaders::new(
        &state.db,
        caller.actor.as_ref(),
        &batches,
    ));
    let schema = schema.clone();
    let run = async move {
        batches
            .run(async move {
                match req {
                    BatchRequest::Single(_) if !early.is_empty() => {
                        BatchResponse::Single(async_graphql::Response::from_errors(
                            early.into_iter().map(|(_, e)| e).collect(),
                        ))
                    }
                    BatchRequest::Single(r) => BatchResponse::Single(
                        schema
                            .run(r.data(caller).data(loaders), tickets.pop().flatten())
                            .await,
                    ),
                    BatchRequest::Batch(list) => {
                        let mut out = Vec::with_capacity(list.len());
                        for ((i, r), ticket) in list.into_iter().enumerate().zip(tickets) {
                            if let Some(pos) = early.iter().position(|(at, _)| *at == i) {
                                let (_, e) = early.swap_remove(pos);
                                out.push(async_graphql::Response::from_errors(vec![e]));
                            } else {
                                out.push(
                                    schema
                                        .run(r.data(caller.clone()).data(loaders.clone()), ticket)
                                        .await,
                                );
                            }
                        }
                        BatchResponse::Batch(out)
                    }
                }
            })
            .await
    };
    // A mutation runs in a task of its own. A client that hangs up mid-request would drop this
    // future, and with it a transaction between its BEGIN and COMMIT: its change would be lost
    // and the caller could not know, or the pooled connection would go back inside a
    // transaction nobody owns. Spawned, it runs to its end and only the answer is dropped.
    let resp = if writes {
        match tokio::spawn(run).await {
            Ok(r) => r,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Cancelled: the runtime is shutting down.
            Err(_) => refusal(ApiError::Internal),
        }
    } else {
        run.await
    };
    let took = started.elapsed();
    let responses: Vec<&async_graphql::Response> = match &resp {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(v) => v.iter().collect(),
    };
    for (name, r) in names.iter().zip(responses) {
        state.metrics.request(name.as_deref(), outcome(r), took);
    }
    Ok(resp)
}

/// A response's outcome for the metrics: `ok`, or its first error's contract code.
fn outcome(r: &async_graphql::Response) -> &'static str {
    let Some(e) = r.errors.first() else {
        return "ok";
    };
    let code = e.extensions.as_ref().and_then(|x| x.get("code"));
    error::Code::ALL
        .iter()
        .find(|c| code == Some(&async_graphql::Value::from(c.as_str())))
        .map_or("INTERNAL", |c| c.as_str())
}

/// A response refusing the whole request before it runs.
fn refusal(e: ApiError) -> BatchResponse {
    BatchResponse::Single(e.into_response())
}
