//! Masterplans and their priorities, projects, proposals with revisions, and match scores.

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
                .table(n("masterplans"))
                .col(id())
                .col(uuid_col("city_id", false))
                .col(int("version", false))
                .col(boolean("active"))
                .col(int("period_start_year", false))
                .col(int("period_end_year", false))
                .col(text("vision", false))
                .col(uuid_col("created_by", true))
                .col(at("created_at", false))
                .foreign_key(&mut fk("masterplans", "city_id", "cities"))
                .to_owned(),
            vec![
                index("masterplans", &["city_id", "version"], true),
                index("masterplans", &["city_id", "active"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("priorities"))
                .col(id())
                .col(uuid_col("masterplan_id", false))
                .col(string("dimension", false))
                .col(double("weight", false))
                .col(text("focus_areas", false))
                .foreign_key(&mut fk("priorities", "masterplan_id", "masterplans"))
                .to_owned(),
            vec![index("priorities", &["masterplan_id", "dimension"], true)],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("projects"))
                .col(id())
                .col(uuid_col("city_id", false))
                .col(string("title", false))
                .col(text("summary", false))
                .col(text("description", false))
                .col(string("owner_agency", true))
                .col(text("dimensions", false))
                .col(string("sector", false))
                .col(text("capex_amount", false))
                .col(string("capex_currency", false))
                .col(text("capex_usd", false))
                .col(text("accepted_financing", false))
                .col(int("timeline_months", false))
                .col(at("proposal_deadline", false))
                .col(boolean("sealed_bids"))
                .col(string("status", false))
                .col(double("lat", true))
                .col(double("lng", true))
                .col(text("tags", false))
                .col(text("cancel_reason", true))
                .col(uuid_col("awarded_proposal_id", true))
                .col(at("published_at", true))
                .col(at("created_at", false))
                .col(at("updated_at", false))
                .foreign_key(&mut fk("projects", "city_id", "cities"))
                .to_owned(),
            vec![
                index("projects", &["city_id", "status", "created_at"], false),
                index("projects", &["status", "proposal_deadline"], false),
                index("projects", &["created_at"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("proposals"))
                .col(id())
                .col(uuid_col("project_id", false))
                .col(uuid_col("organization_id", false))
                .col(string("status", false))
                .col(text("amount", false))
                .col(string("currency", false))
                .col(string("financing_model", false))
                .col(int("timeline_months", false))
                .col(text("approach", false))
                .col(text("contributions", false))
                .col(text("local_content_percent", false))
                .col(string("commitment", true))
                .col(string("commitment_salt", true))
                .col(int("revision", false))
                .col(text("decision_reason", true))
                .col(at("submitted_at", true))
                .col(at("created_at", false))
                .col(at("updated_at", false))
                .foreign_key(&mut fk("proposals", "project_id", "projects"))
                .foreign_key(&mut fk(
                    "proposals",
                    "organization_id",
                    "investor_organizations",
                ))
                .to_owned(),
            vec![
                index("proposals", &["project_id", "organization_id"], true),
                index("proposals", &["organization_id", "created_at"], false),
                index("proposals", &["project_id", "status"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("proposal_revisions"))
                .col(id())
                .col(uuid_col("proposal_id", false))
                .col(int("revision", false))
                .col(text("content", false))
                .col(string("commitment", false))
                .col(string("commitment_salt", false))
                .col(at("created_at", false))
                .foreign_key(&mut fk("proposal_revisions", "proposal_id", "proposals"))
                .to_owned(),
            vec![index(
                "proposal_revisions",
                &["proposal_id", "revision"],
                true,
            )],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("match_scores"))
                .col(id())
                .col(uuid_col("proposal_id", false))
                .col(double("total", false))
                .col(text("components", false))
                .col(int("masterplan_version", false))
                .col(at("computed_at", false))
                .foreign_key(&mut fk("match_scores", "proposal_id", "proposals"))
                .to_owned(),
            vec![
                index("match_scores", &["proposal_id"], true),
                index("match_scores", &["total"], false),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(
            m,
            &[
                "match_scores",
                "proposal_revisions",
                "proposals",
                "projects",
                "priorities",
                "masterplans",
            ],
        )
        .await
    }
}
