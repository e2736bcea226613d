//! The audit chain's head: one row with the last event's sequence and hash. An appender on
//! PostgreSQL moves it forward and inserts the event in one statement, and the row's lock, held
//! to commit, is what orders appenders; before, an advisory lock was held across four round trips
//! (lock, read the last event, insert, commit). `audit verify` also checks that the chain ends
//! where its head says, so an event removed from the end is found.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The hash before the first event: `sinergi_services::audit::GENESIS`, which depends on this
/// crate and so cannot be named here.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(n("audit_head"))
                .col(ColumnDef::new(n("id")).integer().not_null().primary_key())
                .col(bigint("sequence"))
                // The hash before the last event: PostgreSQL 15's RETURNING sees only the new
                // row, and the appended event needs its predecessor's hash as well as its own.
                .col(string("prev_hash", false))
                .col(string("hash", false))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO audit_head (id, sequence, prev_hash, hash) VALUES (1, 0, '{GENESIS}', '{GENESIS}')"
        ))
        .await?;
        db.execute_unprepared(
            "UPDATE audit_head SET \
               sequence = (SELECT e.sequence FROM audit_events e ORDER BY e.sequence DESC LIMIT 1), \
               prev_hash = (SELECT e.prev_hash FROM audit_events e ORDER BY e.sequence DESC LIMIT 1), \
               hash = (SELECT e.hash FROM audit_events e ORDER BY e.sequence DESC LIMIT 1) \
             WHERE EXISTS (SELECT 1 FROM audit_events)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(n("audit_head")).to_owned())
            .await
    }
}
