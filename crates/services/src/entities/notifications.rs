//! The `notifications` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub event_id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub entity_type: String,
    pub entity_id: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
