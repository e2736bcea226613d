//! Sign-in attempts counted in the database, so the login rate limit holds across every
//! replica of the server, not per process.

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
                .table(n("login_attempts"))
                // What is counted: "a:<e-mail>" or "ip:<address>".
                .col(
                    ColumnDef::new(n("bucket"))
                        .string_len(320)
                        .not_null()
                        .primary_key(),
                )
                .col(at("window_start", false))
                .col(int("attempts", false))
                .to_owned(),
            vec![index("login_attempts", &["window_start"], false)],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(n("login_attempts")).to_owned())
            .await
    }
}
