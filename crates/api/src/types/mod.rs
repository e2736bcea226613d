//! The GraphQL object types: wrappers around domain records, resolving related objects through
//! the request's loaders.

pub mod audit;
pub mod common;
pub mod enums;
pub mod event;
pub mod notify;
pub mod org;
pub mod place;
pub mod project;
pub mod proposal;
pub mod saved;
pub mod search;
pub mod user;

use async_graphql::{Context, ID};
use uuid::Uuid;

use crate::{cursor, error::ApiError, state::state};

/// Reads an ID argument; a malformed one names the argument.
pub fn parse_id(field: &str, id: &ID) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str()).map_err(|_| ApiError::validation(field, "not a valid ID"))
}

/// Reads `first`/`after` for a keyset list.
pub fn page_args(
    ctx: &Context<'_>,
    kind: &str,
    first: Option<i32>,
    after: Option<&str>,
) -> Result<(Option<sinergi_services::page::Key>, u64), ApiError> {
    let n = cursor::first(first, 20)?;
    Ok((cursor::decode(&state(ctx).cursor_key, kind, after)?, n))
}

/// Whether a connection field's `totalCount` is selected: only then is it counted.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// The cursor of a row in a keyset list (signed only if it is read).
pub fn cursor_of(
    ctx: &Context<'_>,
    kind: &str,
    at: chrono::DateTime<chrono::Utc>,
    id: Uuid,
) -> common::Cursor {
    common::Cursor::keyed(state(ctx).cursor_key.clone(), kind, at, id)
}
