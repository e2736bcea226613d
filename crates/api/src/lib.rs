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

use std::sync::Arc;

use async_graphql::{BatchRequest, BatchResponse, MergedObject, Schema};

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

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, resolvers::live::SubscriptionRoot>;

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
    let mut b = builder()
        .data(state)
        // Depth and complexity are checked by the guard on what validation measured, so their
        // refusals carry QUERY_TOO_COMPLEX without reading async-graphql's message text.
        .limit_recursive_depth(32)
        .limit_directives(20)
        .extension(limits::Guard {
            limits: limits.clone(),
        });
    if !limits.introspection {
        b = b.disable_introspection();
    }
    b.finish()
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
    for (i, r) in req.iter_mut().enumerate() {
        match document::prepare(r, &state.persisted, &state.parsed, method) {
            Ok(()) => {}
            Err(document::Refusal::Error(e)) => early.push((i, e)),
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
    let resp = batches
        .run(async move {
            match req {
                BatchRequest::Single(_) if !early.is_empty() => {
                    BatchResponse::Single(async_graphql::Response::from_errors(
                        early.into_iter().map(|(_, e)| e).collect(),
                    ))
                }
                BatchRequest::Single(r) => {
                    BatchResponse::Single(schema.execute(r.data(caller).data(loaders)).await)
                }
                BatchRequest::Batch(list) => {
                    let mut out = Vec::with_capacity(list.len());
                    for (i, r) in list.into_iter().enumerate() {
                        if let Some(pos) = early.iter().position(|(at, _)| *at == i) {
                            let (_, e) = early.swap_remove(pos);
                            out.push(async_graphql::Response::from_errors(vec![e]));
                        } else {
                            out.push(
                                schema
                                    .execute(r.data(caller.clone()).data(loaders.clone()))
                                    .await,
                            );
                        }
                    }
                    BatchResponse::Batch(out)
                }
            }
        })
        .await;
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
