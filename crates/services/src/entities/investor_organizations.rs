//! The `investor_organizations` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "investor_organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub country: String,
    pub embassy_id: String,
    pub verification: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub website: Option<String>,
    pub sectors: String,
    pub dimensions: String,
    pub financing_models: String,
    pub ticket_min_amount: Option<String>,
    pub ticket_min_currency: Option<String>,
    pub ticket_max_amount: Option<String>,
    pub ticket_max_currency: Option<String>,
    pub suspension_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
