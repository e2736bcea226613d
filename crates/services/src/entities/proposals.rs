//! The `proposals` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub project_id: String,
    pub organization_id: String,
    pub status: String,
    pub amount: String,
    pub currency: String,
    pub financing_model: String,
    pub timeline_months: i32,
    #[sea_orm(column_type = "Text")]
    pub approach: String,
    #[sea_orm(column_type = "Text")]
    pub contributions: String,
    pub local_content_percent: String,
    pub commitment: Option<String>,
    pub commitment_salt: Option<String>,
    pub revision: i32,
    pub decision_reason: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
