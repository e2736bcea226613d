//! Webhook endpoints of the caller's scope, and the caller's inbox.

use async_graphql::{Context, ID, Object};
use sinergi_services::notify;

use crate::{
    error::Result,
    state::{require, state},
    types::{
        event::paginate,
        notify::{
            Notification, NotificationConnection, NotificationConnectionInner, WebhookDelivery,
            WebhookEndpoint, WebhookEndpointConnection, WebhookEndpointInput, WebhookSecret,
        },
        parse_id,
        saved::{SavedSearch, saved_filter},
        search::ProjectFilter,
    },
};

async fn input(ctx: &Context<'_>, i: WebhookEndpointInput) -> Result<notify::EndpointInput> {
    let url =
        crate::webhooks::check_url(&i.url, &state(ctx).webhook_allowed_hosts, "input.url").await?;
    let description = i
        .description
        .map(|d| sinergi_domain::text::required("input.description", &d, 500))
        .transpose()?;
    Ok(notify::EndpointInput {
        url,
        description,
        event_types: i.event_types.into_iter().map(Into::into).collect(),
        enabled: i.enabled,
    })
}

/// Reads of notifications.
#[derive(Default)]
pub struct NotifyQuery;

#[Object]
impl NotifyQuery {
    /// The endpoints of the caller's scope.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
    ) -> Result<WebhookEndpointConnection> {
        let a = require(ctx)?;
        let list = notify::endpoints(&state(ctx).db, a).await?;
        let items: Vec<WebhookEndpoint> = list.into_iter().map(WebhookEndpoint).collect();
        let (page, next, total) = paginate(
            ctx,
            "endpoint",
            items,
            |e| (e.0.created_at, e.0.id),
            first,
            after,
        )?;
        Ok(WebhookEndpointConnection::new(page, next, Some(total)))
    }

    /// The caller's saved searches (investors, liaisons, city officials, admins), oldest first.
    async fn my_saved_searches(&self, ctx: &Context<'_>) -> Result<Vec<SavedSearch>> {
        let a = require(ctx)?;
        Ok(sinergi_services::saved_searches::mine(&state(ctx).db, a)
            .await?
            .into_iter()
            .map(SavedSearch)
            .collect())
    }

    /// The caller's inbox, newest first.
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(default_with = "Some(false)", desc = "Only unread ones.")] unread_only: Option<
            bool,
        >,
    ) -> Result<NotificationConnection> {
        let a = require(ctx)?;
        let (list, unread) = notify::inbox(&state(ctx).db, a, unread_only.unwrap_or(false)).await?;
        let items: Vec<Notification> = list.into_iter().map(Notification).collect();
        let (page, next, total) = paginate(
            ctx,
            "notification",
            items,
            |n| (n.0.created_at, n.0.id),
            first,
            after,
        )?;
        Ok(NotificationConnection::new(
            NotificationConnectionInner::new(page, next, Some(total)),
            unread,
        ))
    }
}

/// Changes to endpoints and the inbox.
#[derive(Default)]
pub struct NotifyMutation;

#[Object]
impl NotifyMutation {
    /// A new endpoint for the caller's scope (city, embassy, organisation or platform), with its secret.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint.")] input: WebhookEndpointInput,
    ) -> Result<WebhookSecret> {
        let a = require(ctx)?;
        let i = self::input(ctx, input).await?;
        let (e, secret) = notify::create_endpoint(&state(ctx).db, a, i).await?;
        Ok(WebhookSecret {
            endpoint: WebhookEndpoint(e),
            secret,
        })
    }

    /// Changes an endpoint of the caller's scope.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's ID.")] id: ID,
        #[graphql(desc = "Its new settings.")] input: WebhookEndpointInput,
    ) -> Result<WebhookEndpoint> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let i = self::input(ctx, input).await?;
        Ok(WebhookEndpoint(
            notify::update_endpoint(&state(ctx).db, a, id, i).await?,
        ))
    }

    /// Deletes an endpoint of the caller's scope, with its delivery log.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's ID.")] id: ID,
    ) -> Result<bool> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(notify::delete_endpoint(&state(ctx).db, a, id).await?)
    }

    /// A new secret; deliveries carry signatures of both the old and the new one for 24 hours.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's ID.")] id: ID,
    ) -> Result<WebhookSecret> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let (e, secret) = notify::rotate_secret(&state(ctx).db, a, id).await?;
        Ok(WebhookSecret {
            endpoint: WebhookEndpoint(e),
            secret,
        })
    }

    /// Sends a WEBHOOK_TEST event to the endpoint now.
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's ID.")] id: ID,
    ) -> Result<WebhookDelivery> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(WebhookDelivery(
            notify::send_test(&state(ctx).db, a, id).await?,
        ))
    }

    /// Queues a delivery again (same messageId), e.g. after the receiver was fixed.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery's ID.")] delivery_id: ID,
    ) -> Result<WebhookDelivery> {
        let a = require(ctx)?;
        let id = parse_id("deliveryId", &delivery_id)?;
        Ok(WebhookDelivery(
            notify::redeliver(&state(ctx).db, a, id).await?,
        ))
    }

    /// Saves a search for the caller; with alerts, each project published from now on that it finds notifies the caller once (inbox, webhooks of the caller's scope, subscription).
    async fn save_search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's name for it, 1..100 characters.")] name: String,
        #[graphql(desc = "Words to look for, as `projects(search)` takes them.")] search: Option<
            String,
        >,
        #[graphql(
            desc = "The filter, as `projects(filter)` takes it; statuses and deadlineAfter are not kept (VALIDATION)."
        )]
        filter: Option<ProjectFilter>,
        #[graphql(
            default_with = "Some(true)",
            desc = "Whether newly published matches notify the caller."
        )]
        alerts: Option<bool>,
    ) -> Result<SavedSearch> {
        let a = require(ctx)?;
        if let Some(t) = &search {
            crate::search::check_search_text(t)?;
        }
        let f = saved_filter(filter)?;
        Ok(SavedSearch(
            sinergi_services::saved_searches::create(
                &state(ctx).db,
                a,
                &name,
                search,
                f,
                alerts.unwrap_or(true),
            )
            .await?,
        ))
    }

    /// Deletes one of the caller's saved searches (NOT_FOUND for anybody else's).
    async fn delete_saved_search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The saved search's ID.")] id: ID,
    ) -> Result<bool> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(sinergi_services::saved_searches::delete(&state(ctx).db, a, id).await?)
    }

    /// Marks the given notifications read, or all of the caller's when ids is null; returns how many changed.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The notifications; null for all.")] ids: Option<Vec<ID>>,
    ) -> Result<i32> {
        let a = require(ctx)?;
        let ids = ids
            .map(|v| {
                v.iter()
                    .enumerate()
                    .map(|(i, id)| parse_id(&format!("ids.{i}"), id))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let n = notify::mark_read(&state(ctx).db, a, ids.as_deref()).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}
