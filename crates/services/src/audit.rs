//! The audit trail: an append-only chain of events, each hashing the one before it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Db, Error, Result,
    entities::{audit_events as ev, audit_pending as pending},
};

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
/// in order.
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
/// `lock` holds the head's row until the transaction ends (PostgreSQL; SQLite's write
/// transaction holds the whole file already).
async fn head(conn: &impl ConnectionTrait, lock: bool) -> Result<(i64, String)> {
    let backend = conn.get_database_backend();
    let lock = if lock && backend == DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = conn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT sequence, hash FROM audit_head WHERE id = 1{lock}"),
        ))
        .await?
        .ok_or_else(|| Error::corrupt("the audit chain has no head row"))?;
    Ok((row.try_get("", "sequence")?, row.try_get("", "hash")?))
}

/// Appends an event inside the caller's transaction: it commits with the change it describes,
/// or not at all. The event waits in `audit_pending` until [`chain`] gives it its sequence and
/// hash, so concurrent writers share no lock here (the head row's lock, held until each writer's
/// commit, queued every writer behind the slowest commit).
pub async fn append(txn: &DatabaseTransaction, e: NewEvent<'_>) -> Result<()> {
    let row = pending::ActiveModel {
        pending_id: NotSet,
        id: Set(Uuid::new_v4().to_string()),
        at: Set(e.at),
        actor_id: Set(e.actor.map(|a| a.to_string())),
        action: Set(e.action.to_owned()),
        entity_type: Set(e.entity_type.to_owned()),
        entity_id: Set(e.entity_id.to_string()),
        payload: Set(e.payload.to_string()),
    };
    pending::Entity::insert(row)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// How many pending events one chaining transaction takes.
const CHAIN_BATCH: usize = 500;

/// Moves every committed pending event onto the chain, oldest first, and returns how many. Safe
/// to run from several processes at once: each batch holds the head's row lock (on SQLite, the
/// write lock) from reading the head to its commit, and removes exactly the rows it chained.
/// An event left pending by a crash is chained by the next run.
pub async fn chain(db: &Db) -> Result<u64> {
    let mut total = 0;
    loop {
        // Cheap when there is nothing to do: no write transaction, no lock.
        let any = db
            .conn()
            .query_one_raw(Statement::from_string(
                db.conn().get_database_backend(),
                "SELECT pending_id FROM audit_pending LIMIT 1",
            ))
            .await?;
        if any.is_none() {
            return Ok(total);
        }
        let n = chain_batch(db).await?;
        total += n as u64;
        if n < CHAIN_BATCH {
            return Ok(total);
        }
    }
}

async fn chain_batch(db: &Db) -> Result<usize> {
    let txn = db.begin_write().await?;
    let backend = txn.get_database_backend();
    let (mut sequence, mut prev) = head(&txn, true).await?;
    let rows = pending::Entity::find()
        .order_by_asc(pending::Column::PendingId)
        .limit(CHAIN_BATCH as u64)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    // The head keeps its last event's predecessor too.
    let mut last_prev = prev.clone();
    let mut done = Vec::with_capacity(rows.len());
    let mut events = Vec::with_capacity(rows.len());
    for r in rows.iter().cloned() {
        done.push(r.pending_id);
        sequence += 1;
        let mut m = ev::Model {
            id: r.id,
            sequence,
            at: r.at,
            actor_id: r.actor_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            payload: r.payload,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        m.hash = digest(&prev, &m);
        last_prev = std::mem::replace(&mut prev, m.hash.clone());
        events.push(ev::ActiveModel::from(m));
    }
    // In runs of a few fixed sizes: each distinct row count is its own SQL text, which every
    // connection keeps prepared (sqlx caches up to 100 per connection, PostgreSQL a plan per
    // statement in each backend), and a batch of any size 1..=500 would spell up to 500 of them.
    let mut events = events.into_iter();
    let mut done = done.into_iter();
    for run in fixed_runs(rows.len()) {
        ev::Entity::insert_many(events.by_ref().take(run))
            .exec_without_returning(&txn)
            .await?;
        // Exactly the rows read: an event committed since, with a smaller pending_id, stays for
        // the next batch.
        pending::Entity::delete_many()
            .filter(pending::Column::PendingId.is_in(done.by_ref().take(run)))
            .exec(&txn)
            .await?;
    }
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        if backend == DbBackend::Postgres {
            "UPDATE audit_head SET sequence = $1, prev_hash = $2, hash = $3 WHERE id = 1"
        } else {
            "UPDATE audit_head SET sequence = ?, prev_hash = ?, hash = ? WHERE id = 1"
        },
        [sequence.into(), last_prev.into(), prev.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(rows.len())
}

/// The sizes a statement over many rows is cut into.
const RUNS: [usize; 5] = [256, 64, 16, 4, 1];

/// `n` as runs of the sizes in `RUNS`, largest first: so that at most `RUNS.len()` texts of a
/// multi-row statement exist, at the cost of at most 3 runs of each size below the largest.
fn fixed_runs(n: usize) -> impl Iterator<Item = usize> {
    let mut left = n;
    RUNS.iter().flat_map(move |&size| {
        let times = left / size;
        left %= size;
        std::iter::repeat_n(size, times)
    })
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every event links to the one before and hashes to what it says.
    Intact { events: u64 },
    /// The first broken link: which sequence, and what is wrong.
    Broken { sequence: i64, problem: String },
}

/// Chains what is pending, then walks the whole chain in order, in pages, and names the first
/// broken link.
pub async fn verify(db: &Db) -> Result<Verification> {
    chain(db).await?;
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
            let (head_sequence, head_hash) = head(conn, false).await?;
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
    // What has committed is listed: events still pending are chained first.
    chain(db).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_runs_cover_every_batch_with_few_sizes_and_few_statements() {
        for n in 0..=CHAIN_BATCH {
            let runs: Vec<usize> = fixed_runs(n).collect();
            assert_eq!(runs.iter().sum::<usize>(), n, "runs of {n}: {runs:?}");
            assert!(runs.iter().all(|r| RUNS.contains(r)), "{n}: {runs:?}");
            assert!(runs.windows(2).all(|w| w[0] >= w[1]), "{n}: {runs:?}");
            assert!(
                runs.len() <= 1 + 3 * 4,
                "{n} takes {} statements",
                runs.len()
            );
        }
        assert_eq!(
            fixed_runs(500).collect::<Vec<_>>(),
            [256, 64, 64, 64, 16, 16, 16, 4]
        );
        assert_eq!(fixed_runs(7).collect::<Vec<_>>(), [4, 1, 1, 1]);
    }
}
