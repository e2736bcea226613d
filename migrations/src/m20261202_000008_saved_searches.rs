//! Saved searches, and which projects each has already alerted for (once per project).

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
                .table(n("saved_searches"))
                .col(id())
                .col(uuid_col("owner_id", false))
                .col(string("name", false))
                .col(text("search", true))
                // JSON of the saved filter (the contract's SavedProjectFilter).
                .col(text("filter", false))
                .col(boolean("alerts"))
                .col(at("created_at", false))
                .col(at("last_matched_at", true))
                .foreign_key(&mut fk("saved_searches", "owner_id", "users"))
                .to_owned(),
            vec![
                index("saved_searches", &["owner_id", "created_at"], false),
                index("saved_searches", &["created_at"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("saved_search_hits"))
                .col(id())
                .col(uuid_col("saved_search_id", false))
                .col(uuid_col("project_id", false))
                .col(at("created_at", false))
                .foreign_key(&mut fk(
                    "saved_search_hits",
                    "saved_search_id",
                    "saved_searches",
                ))
                .to_owned(),
            vec![index(
                "saved_search_hits",
                &["saved_search_id", "project_id"],
                true,
            )],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, &["saved_search_hits", "saved_searches"]).await
    }
}
