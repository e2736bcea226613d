//! Notifications: the event of each change, the inbox rows it makes, webhook endpoints per
//! scope and the deliveries to them (leased, retried, logged).

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            Table::create()
                .table(n("notification_events"))
                .col(id())
                .col(string("kind", false))
                .col(string("entity_type", false))
                .col(uuid_col("entity_id", false))
                // JSON list of scopes told: "city:<id>", "organization:<id>", "embassy:<id>", "platform".
                .col(text("targets", false))
                .col(text("payload", false))
                .col(at("created_at", false))
                .to_owned(),
            vec![index("notification_events", &["created_at"], false)],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("notifications"))
                .col(id())
                .col(uuid_col("user_id", false))
                .col(uuid_col("event_id", false))
                .col(string("kind", false))
                .col(string("title", false))
                .col(text("body", false))
                .col(string("entity_type", false))
                .col(uuid_col("entity_id", false))
                .col(at("created_at", false))
                .col(at("read_at", true))
                .foreign_key(&mut fk("notifications", "user_id", "users"))
                .foreign_key(&mut fk("notifications", "event_id", "notification_events"))
                .to_owned(),
            vec![
                index("notifications", &["user_id", "event_id"], true),
                index("notifications", &["user_id", "created_at"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("webhook_endpoints"))
                .col(id())
                .col(string("scope", false))
                .col(text("url", false))
                .col(text("description", true))
                .col(text("event_types", false))
                .col(boolean("enabled"))
                .col(string("secret", false))
                .col(string("previous_secret", true))
                .col(at("previous_secret_until", true))
                .col(at("failing_since", true))
                .col(uuid_col("created_by", false))
                .col(at("created_at", false))
                .col(at("updated_at", false))
                .to_owned(),
            vec![index("webhook_endpoints", &["scope"], false)],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("webhook_deliveries"))
                .col(id())
                .col(uuid_col("endpoint_id", false))
                .col(uuid_col("event_id", true))
                .col(string("message_id", false))
                .col(string("kind", false))
                .col(text("payload", false))
                .col(string("status", false))
                .col(int("attempts", false))
                .col(at("last_attempt_at", true))
                .col(int("last_response_status", true))
                .col(text("last_error", true))
                .col(at("next_attempt_at", true))
                .col(at("leased_until", true))
                .col(at("created_at", false))
                .foreign_key(&mut fk(
                    "webhook_deliveries",
                    "endpoint_id",
                    "webhook_endpoints",
                ))
                .to_owned(),
            vec![
                index("webhook_deliveries", &["endpoint_id", "event_id"], true),
                index("webhook_deliveries", &["status", "next_attempt_at"], false),
                index("webhook_deliveries", &["endpoint_id", "created_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(
            m,
            &[
                "webhook_deliveries",
                "webhook_endpoints",
                "notifications",
                "notification_events",
            ],
        )
        .await
    }
}
