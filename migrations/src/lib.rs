//! Sinergi's database schema as sea-orm migrations, identical on SQLite and PostgreSQL.
//!
//! Identifiers are UUIDs stored as 36-character text and money amounts as exact decimal text
//! beside an ISO 4217 code, so both engines hold the same bytes and nothing is a float.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261122_000001_create_people;
mod m20261122_000002_create_marketplace;
mod m20261122_000003_create_ledgers;
mod m20261123_000004_index_changes;
mod m20261202_000005_login_attempts;
mod m20261202_000006_matchmaking;
mod m20261202_000007_notifications;
mod m20261202_000008_saved_searches;
mod m20261203_000009_city_projects_order;
mod m20261203_000010_city_list_order;
mod m20261204_000011_audit_head;
mod m20261204_000012_audit_pending;
mod m20261208_000013_outbox_pending;

/// Runs Sinergi's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_people::Migration),
            Box::new(m20261122_000002_create_marketplace::Migration),
            Box::new(m20261122_000003_create_ledgers::Migration),
            Box::new(m20261123_000004_index_changes::Migration),
            Box::new(m20261202_000005_login_attempts::Migration),
            Box::new(m20261202_000006_matchmaking::Migration),
            Box::new(m20261202_000007_notifications::Migration),
            Box::new(m20261202_000008_saved_searches::Migration),
            Box::new(m20261203_000009_city_projects_order::Migration),
            Box::new(m20261203_000010_city_list_order::Migration),
            Box::new(m20261204_000011_audit_head::Migration),
            Box::new(m20261204_000012_audit_pending::Migration),
            Box::new(m20261208_000013_outbox_pending::Migration),
        ]
    }
}
