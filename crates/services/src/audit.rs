//! The audit trail: an append-only chain of events, each hashing the one before it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Db, Dialect, Result, entities::audit_events as ev};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is chained.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    /// Canonical JSON of what changed; never a secret.
    pub payload: serde_json::Value,
    /// When, by the services' clock.
    pub at: DateTime<Utc>,
}

/// The canonical content an event's hash covers, after the previous hash.
fn digest(prev: &str, row: &ev::Model) -> String {
    let content = format!(
        "{prev}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        row.sequence,
        row.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        row.actor_id.as_deref().unwrap_or("-"),
        row.action,
        row.entity_type,
        row.entity_id,
        row.payload
    );
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// Appends an event inside the caller's transaction. On PostgreSQL an advisory lock serialises
/// appenders so the chain has no forks; SQLite serialises writers already.
pub async fn append(txn: &DatabaseTransaction, dialect: Dialect, e: NewEvent<'_>) -> Result<()> {
    if dialect == Dialect::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7243001)")
            .await?;
    }
    let last = ev::Entity::find()
        .order_by_desc(ev::Column::Sequence)
        .limit(1)
        .one(txn)
        .await?;
    let (sequence, prev_hash) = match last {
        Some(l) => (l.sequence + 1, l.hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = ev::Model {
        id: Uuid::new_v4().to_string(),
        sequence,
        at: e.at,
        actor_id: e.actor.map(|a| a.to_string()),
        action: e.action.to_owned(),
        entity_type: e.entity_type.to_owned(),
        entity_id: e.entity_id.to_string(),
        payload: e.payload.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = digest(&row.prev_hash, &row);
    let am = ev::ActiveModel {
        id: Set(row.id),
        sequence: Set(row.sequence),
        at: Set(row.at),
        actor_id: Set(row.actor_id),
        action: Set(row.action),
        entity_type: Set(row.entity_type),
        entity_id: Set(row.entity_id),
        payload: Set(row.payload),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
    };
    ev::Entity::insert(am).exec_without_returning(txn).await?;
    Ok(())
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every event links to the one before and hashes to what it says.
    Intact { events: u64 },
    /// The first broken link: which sequence, and what is wrong.
    Broken { sequence: i64, problem: String },
}

/// Walks the whole chain in order, in pages, and names the first broken link.
pub async fn verify(db: &Db) -> Result<Verification> {
    let mut prev = GENESIS.to_owned();
    let mut expected = 1i64;
    loop {
        let page = ev::Entity::find()
            .filter(ev::Column::Sequence.gte(expected))
            .order_by_asc(ev::Column::Sequence)
            .limit(1000)
            .all(db.conn())
            .await?;
        if page.is_empty() {
            // An event removed from the end leaves nothing to compare with; a gap in the middle is
            // caught below. The total answers the former for whoever keeps the last hash.
            return Ok(Verification::Intact {
                events: (expected - 1) as u64,
            });
        }
        for row in page {
            if row.sequence != expected {
                return Ok(Verification::Broken {
                    sequence: expected,
                    problem: format!("event {expected} is missing (next is {})", row.sequence),
                });
            }
            if row.prev_hash != prev {
                return Ok(Verification::Broken {
                    sequence: row.sequence,
                    problem: "its previous-hash does not match the event before it".into(),
                });
            }
            if digest(&prev, &row) != row.hash {
                return Ok(Verification::Broken {
                    sequence: row.sequence,
                    problem: "its content does not match its hash (the event was altered)".into(),
                });
            }
            prev = row.hash;
            expected += 1;
        }
    }
}

/// A page of events in chain order, optionally about one entity, after a sequence number.
pub async fn list(
    db: &Db,
    entity_id: Option<uuid::Uuid>,
    after_sequence: i64,
    first: u64,
    count: bool,
) -> Result<crate::page::Page<sinergi_domain::model::AuditEvent>> {
    use sea_orm::PaginatorTrait;
    let mut q = ev::Entity::find();
    if let Some(e) = entity_id {
        q = q.filter(ev::Column::EntityId.eq(e.to_string()));
    }
    let total = if count {
        Some(q.clone().count(db.conn()).await?)
    } else {
        None
    };
    let mut rows = q
        .filter(ev::Column::Sequence.gt(after_sequence))
        .order_by_asc(ev::Column::Sequence)
        .limit(first + 1)
        .all(db.conn())
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok(crate::page::Page {
        items: crate::convert::all(rows)?,
        has_next,
        total,
    })
}
