//! The audit chain, the search outbox and the FX table.

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
                .table(n("audit_events"))
                .col(id())
                .col(bigint("sequence"))
                .col(at("at", false))
                .col(uuid_col("actor_id", true))
                .col(string("action", false))
                .col(string("entity_type", false))
                .col(uuid_col("entity_id", false))
                .col(text("payload", false))
                .col(string("prev_hash", false))
                .col(string("hash", false))
                .to_owned(),
            vec![
                index("audit_events", &["sequence"], true),
                index("audit_events", &["entity_id", "sequence"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("search_outbox"))
                .col(
                    ColumnDef::new(n("id"))
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(string("entity_type", false))
                .col(uuid_col("entity_id", false))
                .col(int("attempts", false))
                .col(at("next_attempt_at", false))
                .col(at("leased_until", true))
                .col(string("lease_owner", true))
                .col(text("last_error", true))
                .col(at("done_at", true))
                .col(at("created_at", false))
                .to_owned(),
            vec![index(
                "search_outbox",
                &["done_at", "next_attempt_at"],
                false,
            )],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("fx_rates"))
                .col(
                    ColumnDef::new(n("currency"))
                        .string_len(3)
                        .not_null()
                        .primary_key(),
                )
                .col(text("usd_per_unit", false))
                .col(at("updated_at", false))
                .to_owned(),
            vec![],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, &["fx_rates", "search_outbox", "audit_events"]).await
    }
}
