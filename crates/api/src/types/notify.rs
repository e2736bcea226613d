//! Webhook endpoints, their deliveries, and the inbox.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sinergi_services::notify::{self, Delivery, Endpoint, InboxItem};

use super::enums::{NotificationType, WebhookDeliveryStatus};
use crate::{error::Result, state::state, types::event::paginate};

/// An endpoint, as written.
#[derive(InputObject, Clone)]
pub struct WebhookEndpointInput {
    /// https:// (http:// only for hosts allowed by configuration); never a private, loopback or link-local address unless configuration allows it.
    pub url: String,
    /// What the endpoint is for.
    pub description: Option<String>,
    /// Empty means every type the scope receives.
    #[graphql(default)]
    pub event_types: Vec<NotificationType>,
    /// Whether deliveries are made.
    #[graphql(default = true)]
    pub enabled: bool,
}

/// A receiver of the caller's scope's events.
#[derive(Clone)]
pub struct WebhookEndpoint(pub Endpoint);

super::common::connection!(
    WebhookEndpointConnection,
    WebhookEndpointEdge,
    WebhookEndpoint
);
super::common::connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery
);

/// A receiver of the caller's scope's events (Standard Webhooks 1.0).
#[Object]
impl WebhookEndpoint {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the endpoint is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The types it receives; empty for every type the scope receives.
    async fn event_types(&self) -> Vec<NotificationType> {
        self.0.event_types.iter().map(|t| (*t).into()).collect()
    }
    /// Whether deliveries are made.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Since when every delivery has failed; the endpoint is disabled after 5 days of failures.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The delivery log, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(desc = "Only deliveries in this status.")] status: Option<WebhookDeliveryStatus>,
    ) -> Result<WebhookDeliveryConnection> {
        let list = notify::deliveries(&state(ctx).db, self.0.id, status.map(Into::into)).await?;
        let items: Vec<WebhookDelivery> = list.into_iter().map(WebhookDelivery).collect();
        let (page, next, total) = paginate(
            ctx,
            "delivery",
            items,
            |d| (d.0.created_at, d.0.id),
            first,
            after,
        )?;
        Ok(WebhookDeliveryConnection::new(page, next, Some(total)))
    }
}

/// An endpoint with its signing secret.
#[derive(SimpleObject, Clone)]
pub struct WebhookSecret {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// whsec_<base64>; returned only here, never again.
    pub secret: String,
}

/// One message to one endpoint, over its attempts.
#[derive(Clone)]
pub struct WebhookDelivery(pub Delivery);

/// One message to one endpoint, over its attempts.
#[Object]
impl WebhookDelivery {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The webhook-id header, the same on every attempt (receivers deduplicate by it).
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// What it is about.
    #[graphql(name = "type")]
    async fn kind(&self) -> NotificationType {
        self.0.kind.into()
    }
    /// Where it is.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }
    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When the last attempt was made.
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }
    /// HTTP status of the last attempt, if the endpoint answered.
    async fn last_response_status(&self) -> Option<i32> {
        self.0.last_response_status
    }
    /// Why the last attempt failed (timeout, connection refused, status), without secrets.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the next attempt is due.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    /// When it was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The exact JSON body that is signed and sent.
    async fn payload(&self) -> &str {
        &self.0.payload
    }
}

/// One entry of a user's inbox.
#[derive(Clone)]
pub struct Notification(pub InboxItem);

super::common::connection!(NotificationConnectionInner, NotificationEdge, Notification);

/// One entry of a user's inbox.
#[Object]
impl Notification {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it is about.
    #[graphql(name = "type")]
    async fn kind(&self) -> NotificationType {
        self.0.kind.into()
    }
    /// A short line for a list, in plain text.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The whole message, in plain text.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// What it is about, e.g. 'project', 'proposal', 'meeting', 'organization'.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The ID of what it is about.
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// When it happened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the user marked it read.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}

/// A page of the inbox, with the unread count.
#[derive(SimpleObject, Clone)]
pub struct NotificationConnection {
    /// This page's items with their cursors.
    pub edges: Vec<NotificationEdge>,
    /// Where this page ends and whether another follows.
    pub page_info: super::common::PageInfo,
    /// How many the inbox holds (unread only, when asked so).
    pub total_count: i32,
    /// How many are unread, over the whole inbox.
    pub unread_count: i32,
}

impl NotificationConnection {
    /// From a page and the unread count.
    pub fn new(inner: NotificationConnectionInner, unread: u64) -> Self {
        Self {
            edges: inner.edges,
            page_info: inner.page_info,
            total_count: inner.total_count,
            unread_count: i32::try_from(unread).unwrap_or(i32::MAX),
        }
    }
}
