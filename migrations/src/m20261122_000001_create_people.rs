//! Cities, embassies, investor organisations, users, sessions and invitations.

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
                .table(n("cities"))
                .col(id())
                .col(string("name", false))
                .col(string("province", false))
                .col(string("country", false))
                .col(string("time_zone", false))
                .col(double("lat", true))
                .col(double("lng", true))
                .col(int("population", true))
                .col(at("created_at", false))
                .to_owned(),
            vec![
                index("cities", &["country", "province", "name"], true),
                index("cities", &["province"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("embassies"))
                .col(id())
                .col(string("country", false))
                .col(string("name", false))
                .col(at("created_at", false))
                .to_owned(),
            vec![index("embassies", &["country"], true)],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("investor_organizations"))
                .col(id())
                .col(string("name", false))
                .col(string("country", false))
                .col(uuid_col("embassy_id", false))
                .col(string("verification", false))
                .col(text("description", false))
                .col(string("website", true))
                .col(text("sectors", false))
                .col(text("dimensions", false))
                .col(text("financing_models", false))
                .col(text("ticket_min_amount", true))
                .col(string("ticket_min_currency", true))
                .col(text("ticket_max_amount", true))
                .col(string("ticket_max_currency", true))
                .col(text("suspension_reason", true))
                .col(at("created_at", false))
                .col(at("updated_at", false))
                .foreign_key(&mut fk("investor_organizations", "embassy_id", "embassies"))
                .to_owned(),
            vec![
                index("investor_organizations", &["embassy_id", "name"], true),
                index("investor_organizations", &["verification"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("users"))
                .col(id())
                .col(string("email", false))
                .col(string("name", false))
                .col(string("role", false))
                .col(text("password_hash", false))
                .col(uuid_col("city_id", true))
                .col(uuid_col("embassy_id", true))
                .col(uuid_col("organization_id", true))
                .col(at("created_at", false))
                .foreign_key(&mut fk("users", "city_id", "cities"))
                .foreign_key(&mut fk("users", "embassy_id", "embassies"))
                .foreign_key(&mut fk(
                    "users",
                    "organization_id",
                    "investor_organizations",
                ))
                .to_owned(),
            vec![
                index("users", &["email"], true),
                index("users", &["city_id"], false),
                index("users", &["embassy_id"], false),
                index("users", &["organization_id"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("refresh_tokens"))
                .col(id())
                .col(uuid_col("user_id", false))
                .col(uuid_col("family_id", false))
                .col(string("token_hash", false))
                .col(at("expires_at", false))
                .col(at("used_at", true))
                .col(at("revoked_at", true))
                .col(at("created_at", false))
                .foreign_key(&mut fk("refresh_tokens", "user_id", "users"))
                .to_owned(),
            vec![
                index("refresh_tokens", &["token_hash"], true),
                index("refresh_tokens", &["family_id"], false),
                index("refresh_tokens", &["user_id"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("invitations"))
                .col(id())
                .col(uuid_col("organization_id", false))
                .col(string("email", false))
                .col(string("code_hash", false))
                .col(at("expires_at", false))
                .col(at("accepted_at", true))
                .col(uuid_col("created_by", false))
                .col(at("created_at", false))
                .foreign_key(&mut fk(
                    "invitations",
                    "organization_id",
                    "investor_organizations",
                ))
                .foreign_key(&mut fk("invitations", "created_by", "users"))
                .to_owned(),
            vec![
                index("invitations", &["code_hash"], true),
                index("invitations", &["organization_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(
            m,
            &[
                "invitations",
                "refresh_tokens",
                "users",
                "investor_organizations",
                "embassies",
                "cities",
            ],
        )
        .await
    }
}
