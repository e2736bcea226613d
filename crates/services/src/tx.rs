//! The shape of every mutation: one transaction, one audit event, committed together.

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::{Db, Result, audit};

/// An open mutation: the transaction and the audit event it will append.
pub struct Mutation<'a> {
    pub txn: DatabaseTransaction,
    db: &'a Db,
}

impl<'a> Mutation<'a> {
    /// Opens a transaction.
    pub async fn begin(db: &'a Db) -> Result<Self> {
        Ok(Self {
            txn: db.begin_write().await?,
            db,
        })
    }

    /// Now, by the services' clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.db.now()
    }

    /// Appends the audit event and commits.
    pub async fn commit(
        self,
        actor: Option<Uuid>,
        action: &str,
        entity_type: &str,
        entity_id: Uuid,
        payload: serde_json::Value,
    ) -> Result<()> {
        audit::append(
            &self.txn,
            self.db.dialect(),
            audit::NewEvent {
                actor,
                action,
                entity_type,
                entity_id,
                payload,
                at: self.db.now(),
            },
        )
        .await?;
        self.txn.commit().await?;
        Ok(())
    }
}
