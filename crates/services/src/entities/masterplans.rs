//! The `masterplans` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "masterplans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_id: String,
    pub version: i32,
    pub active: bool,
    pub period_start_year: i32,
    pub period_end_year: i32,
    #[sea_orm(column_type = "Text")]
    pub vision: String,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No relations are declared: the repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
