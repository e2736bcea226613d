//! The `event_participants` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub event_id: String,
    pub kind: String,
    pub city_id: Option<String>,
    pub organization_id: Option<String>,
    /// JSON list of session indexes.
    pub available_sessions: String,
    pub max_meetings: i32,
    pub time_zone: String,
    /// SHA-256 (hex) of the calendar feed's token.
    pub calendar_token_hash: String,
    pub registered_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
