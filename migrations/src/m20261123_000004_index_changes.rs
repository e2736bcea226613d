//! Indexes on when projects, organisations and masterplans last changed, so that "has anything
//! changed?" (the recommendation snapshot's fingerprint) is an index lookup, not a table scan.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 3] = [
    ("projects", "updated_at"),
    ("investor_organizations", "updated_at"),
    ("masterplans", "created_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in INDEXES {
            m.create_index(index(table, &[column], false)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in INDEXES {
            m.drop_index(drop_index(table, &[column])).await?;
        }
        Ok(())
    }
}
