//! Subscriptions over WebSocket (graphql-transport-ws): the caller's notifications, and a
//! project's changes as the caller may see them.

use std::sync::Arc;

use async_graphql::{Context, ID, Subscription};
use futures::Stream;
use sinergi_domain::permissions::project_scope;
use sinergi_services::{notify, projects};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    ApiState,
    error::Result,
    state::{actor, require},
    types::{notify::Notification, parse_id, project::Project},
};

/// What can be followed live.
#[derive(Default)]
pub struct SubscriptionRoot;

/// What can be followed live, over WebSocket at /graphql/ws with the graphql-transport-ws protocol.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// The signed-in caller's new notifications, as they happen (UNAUTHENTICATED without a token).
    async fn notifications(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Notification>> {
        let a = require(ctx)?.clone();
        let state = ctx.data_unchecked::<Arc<ApiState>>().clone();
        let rx = state.hub.subscribe();
        // The hub may still be publishing events older than the subscription: not for it.
        let since = state.now();
        Ok(futures::stream::unfold(
            (rx, state, a),
            move |(mut rx, state, a)| async move {
                loop {
                    match rx.recv().await {
                        Ok(e) if e.created_at >= since => {
                            if let Ok(Some(n)) = notify::inbox_entry(&state.db, &a, e.id).await {
                                return Some((Notification(n), (rx, state, a)));
                            }
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }

    /// A project's changes as the caller may see them: PUBLISHED and later projects for anyone, drafts for their city and admins.
    async fn project_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID.")] id: ID,
    ) -> Result<impl Stream<Item = Project>> {
        let id = parse_id("id", &id)?;
        let scope = project_scope(actor(ctx));
        let state = ctx.data_unchecked::<Arc<ApiState>>().clone();
        let rx = state.hub.subscribe();
        let since = state.now();
        Ok(futures::stream::unfold(
            (rx, state),
            move |(mut rx, state)| async move {
                loop {
                    match rx.recv().await {
                        Ok(e)
                            if e.created_at >= since
                                && e.entity_type == "project"
                                && e.entity_id == id =>
                        {
                            if let Ok(Some(p)) = projects::get(&state.db, scope, id).await {
                                return Some((Project::from(p), (rx, state)));
                            }
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}
