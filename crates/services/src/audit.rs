//! The audit trail: an append-only chain of events, each hashing the one before it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Db, Dialect, Error, Result, entities::audit_events as ev};

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

/// What an event's hash covers after the previous hash and the sequence: `\n` and each field,
/// in order. The appender on PostgreSQL sends this and lets the database put the head's hash and
/// sequence in front of it, so both engines hash the same text.
fn tail(
    at: DateTime<Utc>,
    actor_id: Option<&str>,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    payload: &str,
) -> String {
    format!(
        "\n{}\n{}\n{action}\n{entity_type}\n{entity_id}\n{payload}",
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor_id.unwrap_or("-"),
    )
}

/// The canonical content an event's hash covers, after the previous hash.
fn digest(prev: &str, row: &ev::Model) -> String {
    let tail = tail(
        row.at,
        row.actor_id.as_deref(),
        &row.action,
        &row.entity_type,
        &row.entity_id,
        &row.payload,
    );
    hash(prev, row.sequence, &tail)
}

/// The hash of an event: its predecessor's hash, its sequence and its `tail`.
fn hash(prev: &str, sequence: i64, tail: &str) -> String {
    hex::encode(Sha256::digest(format!("{prev}\n{sequence}{tail}")))
}

/// The chain's head: the last event's sequence and hash (0 and `GENESIS` before the first).
async fn head(conn: &impl ConnectionTrait) -> Result<(i64, String)> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT sequence, hash FROM audit_head WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| Error::corrupt("the audit chain has no head row"))?;
    Ok((row.try_get("", "sequence")?, row.try_get("", "hash")?))
}

/// Appends an event inside the caller's transaction; call it last, just before the commit,
/// because the chain's head stays locked until then.
///
/// On PostgreSQL one statement moves the head forward (`UPDATE audit_head`, whose row lock
/// orders appenders: under READ COMMITTED a waiting appender's update is evaluated again on the
/// row its predecessor committed) and inserts the event with the hash the database finished.
/// SQLite serialises writers already, and there the hash is computed here.
pub async fn append(txn: &DatabaseTransaction, dialect: Dialect, e: NewEvent<'_>) -> Result<()> {
    let id = Uuid::new_v4().to_string();
    let actor_id = e.actor.map(|a| a.to_string());
    let entity_id = e.entity_id.to_string();
    let payload = e.payload.to_string();
    let tail = tail(
        e.at,
        actor_id.as_deref(),
        e.action,
        e.entity_type,
        &entity_id,
        &payload,
    );
    if dialect == Dialect::Postgres {
        let done = txn
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "WITH head AS (\
                   UPDATE audit_head SET sequence = sequence + 1, prev_hash = hash, \
                     hash = encode(sha256(convert_to(\
                       hash || E'\\n' || (sequence + 1)::text || $1, 'UTF8')), 'hex') \
                   WHERE id = 1 RETURNING sequence, prev_hash, hash) \
                 INSERT INTO audit_events \
                   (id, sequence, at, actor_id, action, entity_type, entity_id, payload, \
                    prev_hash, hash) \
                 SELECT $2, sequence, $3, $4, $5, $6, $7, $8, prev_hash, hash FROM head",
                [
                    tail.into(),
                    id.into(),
                    e.at.into(),
                    actor_id.into(),
                    e.action.into(),
                    e.entity_type.into(),
                    entity_id.into(),
                    payload.into(),
                ],
            ))
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::corrupt("the audit chain has no head row"));
        }
        return Ok(());
    }
    let (last, prev_hash) = head(txn).await?;
    let sequence = last + 1;
    let hash = hash(&prev_hash, sequence, &tail);
    let am = ev::ActiveModel {
        id: Set(id),
        sequence: Set(sequence),
        at: Set(e.at),
        actor_id: Set(actor_id),
        action: Set(e.action.to_owned()),
        entity_type: Set(e.entity_type.to_owned()),
        entity_id: Set(entity_id),
        payload: Set(payload),
        prev_hash: Set(prev_hash.clone()),
        hash: Set(hash.clone()),
    };
    ev::Entity::insert(am).exec_without_returning(txn).await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE audit_head SET sequence = ?, prev_hash = ?, hash = ? WHERE id = 1",
        [sequence.into(), prev_hash.into(), hash.into()],
    ))
    .await?;
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
    let conn = db.conn();
    let mut prev = GENESIS.to_owned();
    let mut expected = 1i64;
    loop {
        let page = ev::Entity::find()
            .filter(ev::Column::Sequence.gte(expected))
            .order_by_asc(ev::Column::Sequence)
            .limit(1000)
            .all(conn)
            .await?;
        if page.is_empty() {
            // A gap in the middle is caught below; events removed from the end are caught here,
            // by the head that every append moved forward.
            let last = expected - 1;
            let (head_sequence, head_hash) = head(conn).await?;
            if head_sequence > last {
                return Ok(Verification::Broken {
                    sequence: last + 1,
                    problem: format!(
                        "event {} is missing: the chain ends at {last} but its head is at \
                         {head_sequence}, so events were removed from the end",
                        last + 1
                    ),
                });
            }
            if head_sequence != last || head_hash != prev {
                return Ok(Verification::Broken {
                    sequence: last,
                    problem: format!(
                        "the chain's head (event {head_sequence}) does not match its last event"
                    ),
                });
            }
            return Ok(Verification::Intact {
                events: last as u64,
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
