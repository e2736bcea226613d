//! Sinergi's GraphQL API: the schema, resolvers, authentication, loaders, limits and the mapping
//! of every error to the contract's codes. It knows no web framework: the server crate hands it
//! requests and the caller decoded from the bearer token.

pub mod auth;
pub mod cursor;
pub mod error;
pub mod limits;
pub mod loaders;
mod ranking;
pub mod recommend;
mod resolvers;
mod search;
pub mod state;
pub mod types;

use std::sync::Arc;

use async_graphql::{BatchRequest, BatchResponse, EmptySubscription, MergedObject, Schema};

pub use error::ApiError;
pub use limits::Limits;
pub use resolvers::query::QueryRoot;
pub use state::{ApiState, Caller};

/// Every mutation of the contract, by area.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    resolvers::account::AccountMutation,
    resolvers::marketplace::MarketplaceMutation,
    resolvers::onboarding::OnboardingMutation,
);

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(QueryRoot, MutationRoot::default(), EmptySubscription)
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
    builder().finish().sdl()
}

/// Runs a (batched) request for a caller: refuses oversized batches and bad tokens, and gives
/// each request its own loaders.
pub async fn execute(
    schema: &AppSchema,
    state: &ApiState,
    caller: Caller,
    req: BatchRequest,
    max_batch: usize,
) -> BatchResponse {
    let too_many = matches!(&req, BatchRequest::Batch(v) if v.len() > max_batch);
    if too_many {
        return refusal(ApiError::TooComplex(format!(
            "at most {max_batch} operations per batch"
        )));
    }
    if caller.bad_token {
        return refusal(ApiError::Unauthenticated);
    }
    let loaders = Arc::new(loaders::Loaders::new(&state.db, caller.actor.as_ref()));
    schema.execute_batch(req.data(caller).data(loaders)).await
}

/// A response refusing the whole request before it runs.
fn refusal(e: ApiError) -> BatchResponse {
    BatchResponse::Single(e.into_response())
}
