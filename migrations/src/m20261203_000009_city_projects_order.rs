//! An index in a city's project list order, `(city_id, created_at, id)`: the first page of
//! each of many cities is read off it and stops after the page, where the
//! `(city_id, status, created_at)` index needs every row of the city read and sorted.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = ["city_id", "created_at", "id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("projects", &COLUMNS, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(drop_index("projects", &COLUMNS)).await
    }
}
