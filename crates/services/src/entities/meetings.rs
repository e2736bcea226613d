//! The `meetings` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub event_id: String,
    pub request_id: String,
    pub city_participant_id: String,
    pub investor_participant_id: String,
    pub city_id: String,
    pub organization_id: String,
    pub project_id: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub table_number: i32,
    pub status: String,
    pub pinned: bool,
    pub match_score: f64,
    pub sequence: i32,
    pub cancel_reason: Option<String>,
    pub city_outcome: Option<String>,
    pub city_note: Option<String>,
    pub investor_outcome: Option<String>,
    pub investor_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
