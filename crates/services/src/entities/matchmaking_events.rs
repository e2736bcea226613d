//! The `matchmaking_events` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "matchmaking_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organizer_id: Option<String>,
    pub title: String,
    pub description: String,
    pub mode: String,
    pub venue: Option<String>,
    pub time_zone: String,
    /// JSON: `[["<start>", "<end>"], …]`, RFC 3339 instants.
    pub sessions: String,
    pub slot_minutes: i32,
    pub tables_count: i32,
    pub registration_deadline: DateTimeUtc,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
