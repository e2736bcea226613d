//! Live subscriptions' source: a hub each replica feeds by following the event table.
//!
//! Every replica polls `notification_events` (twice a second, one indexed range read) rather
//! than using PostgreSQL's LISTEN/NOTIFY: the same code serves SQLite and PostgreSQL, an event
//! committed by any replica reaches every replica's subscribers, and a replica that loses its
//! connection for a while catches up from the table instead of missing notifications. Reads
//! look back a few seconds (a transaction may commit after a later one) and skip what was
//! already published.

use std::collections::{HashSet, VecDeque};
use std::time::Duration as StdDuration;

use sinergi_services::{Db, notify::LiveEvent};
use tokio::sync::{broadcast, watch};

/// Subscribers of this replica.
#[derive(Debug)]
pub struct Hub {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Hub {
    /// A new subscriber.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    fn publish(&self, e: LiveEvent) {
        // No subscriber is no error.
        let _ = self.tx.send(e);
    }
}

/// How far back each poll reads, for transactions that commit late.
const LOOKBACK: i64 = 5;
/// Ids remembered as published.
const REMEMBER: usize = 10_000;

/// Follows the event table into the hub until `stop` turns true.
pub async fn follow(db: Db, hub: std::sync::Arc<crate::ApiState>, mut stop: watch::Receiver<bool>) {
    let mut since = db.now();
    let mut seen: HashSet<uuid::Uuid> = HashSet::new();
    let mut order: VecDeque<uuid::Uuid> = VecDeque::new();
    loop {
        match sinergi_services::notify::events_since(
            &db,
            since - chrono::Duration::seconds(LOOKBACK),
        )
        .await
        {
            Ok(events) => {
                for e in events {
                    if e.created_at > since {
                        since = e.created_at;
                    }
                    if seen.insert(e.id) {
                        order.push_back(e.id);
                        if order.len() > REMEMBER
                            && let Some(old) = order.pop_front()
                        {
                            seen.remove(&old);
                        }
                        hub.hub.publish(e);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "following the event table failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(StdDuration::from_millis(500)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Keeps a connection's loaders driven while it is open.
pub struct Driver(tokio::task::JoinHandle<()>);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The schema as a WebSocket connection runs it. A mutation runs in a task of its own, as over
/// HTTP: a socket that closes mid-operation drops the connection's streams, and with them a
/// transaction between its BEGIN and COMMIT, so the change would be lost without the caller
/// knowing. Spawned, it runs to its end and only its answer goes nowhere. Queries and
/// subscriptions end with the socket, which is what their caller wants.
#[derive(Clone)]
pub struct SocketExecutor(pub crate::Executable);

impl async_graphql::Executor for SocketExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        self.0.execute(request).await
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<std::sync::Arc<async_graphql::Data>>,
    ) -> futures::stream::BoxStream<'static, async_graphql::Response> {
        use futures::StreamExt;
        let mutation = async_graphql::parser::parse_query(&request.query).is_ok_and(|doc| {
            crate::document::operation_kind(&doc, request.operation_name.as_deref())
                == Some(async_graphql::parser::types::OperationType::Mutation)
        });
        if !mutation {
            return async_graphql::Executor::execute_stream(&self.0, request, session_data);
        }
        // The session data (the caller, their loaders and the loaders' driver) lives in the
        // task as long as the mutation needs it.
        let stream = async_graphql::Executor::execute_stream(&self.0, request, session_data);
        let run = tokio::spawn(stream.collect::<Vec<_>>());
        futures::stream::once(async move {
            match run.await {
                Ok(responses) => responses,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Cancelled: the runtime is shutting down.
                Err(_) => vec![crate::error::ApiError::Internal.into_response()],
            }
        })
        .flat_map(futures::stream::iter)
        .boxed()
    }
}

/// What a WebSocket connection's operations see, from its connection_init payload
/// `{"Authorization": "Bearer <accessToken>"}`: the caller (anonymous without a token; a token
/// that does not verify refuses the connection) and their loaders.
pub fn connection_data(
    state: &std::sync::Arc<crate::ApiState>,
    payload: &serde_json::Value,
) -> Result<async_graphql::Data, async_graphql::Error> {
    let token = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let actor = match token {
        Some(t) => Some(state.keys.verify(&t).map_err(|_| {
            async_graphql::Error::new("UNAUTHENTICATED: the token does not verify")
        })?),
        None => None,
    };
    let batches = crate::loaders::Batches::default();
    let loaders = std::sync::Arc::new(crate::loaders::Loaders::new(
        &state.db,
        actor.as_ref(),
        &batches,
    ));
    let driver = Driver(tokio::spawn(async move {
        batches.run(futures::future::pending::<()>()).await;
    }));
    let mut data = async_graphql::Data::default();
    data.insert(crate::Caller {
        actor,
        address: String::new(),
        bad_token: false,
    });
    data.insert(loaders);
    data.insert(std::sync::Arc::new(driver));
    Ok(data)
}
