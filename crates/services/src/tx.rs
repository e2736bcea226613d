//! The shape of every mutation: one transaction, one audit event, committed together.

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::{Db, Result, audit};

/// An open mutation: the transaction and the audit event it will append.
pub struct Mutation<'a> {
    pub txn: DatabaseTransaction,
    db: &'a Db,
    /// What the change tells, written with it.
    notices: Vec<crate::notify::Notice>,
}

impl<'a> Mutation<'a> {
    /// Opens a transaction.
    pub async fn begin(db: &'a Db) -> Result<Self> {
        Ok(Self {
            txn: db.begin_write().await?,
            db,
            notices: Vec::new(),
        })
    }

    /// Now, by the services' clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.db.now()
    }

    /// Tells of the change: its event, inbox rows and webhook deliveries are written with it.
    pub fn notify(&mut self, n: crate::notify::Notice) {
        self.notices.push(n);
    }

    /// Writes the notices and the audit event, and commits them with the change.
    pub async fn commit(
        self,
        actor: Option<Uuid>,
        action: &str,
        entity_type: &str,
        entity_id: Uuid,
        payload: serde_json::Value,
    ) -> Result<()> {
        crate::notify::write(&self.txn, &self.notices, self.db.now()).await?;
        audit::append(
            &self.txn,
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
