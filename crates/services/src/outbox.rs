//! The search outbox: a row per change the search index must follow, written in the same
//! transaction as the change so no update is lost.

use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::{Db, Result, entities::search_outbox as ob};

/// Records that a project's search document must be rewritten.
pub async fn enqueue_project(
    txn: &DatabaseTransaction,
    project_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let row = ob::ActiveModel {
        id: NotSet,
        entity_type: Set("project".into()),
        entity_id: Set(project_id.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        leased_until: Set(None),
        lease_owner: Set(None),
        last_error: Set(None),
        done_at: Set(None),
        created_at: Set(now),
    };
    ob::Entity::insert(row).exec_without_returning(txn).await?;
    Ok(())
}

/// How many changes wait to reach the index.
pub async fn backlog(db: &Db) -> Result<u64> {
    Ok(ob::Entity::find()
        .filter(ob::Column::DoneAt.is_null())
        .count(db.conn())
        .await?)
}

/// How many changes wait to reach the index and how long the oldest has waited (the relay's
/// lag behind the database), in one statement.
pub async fn pending(db: &Db) -> Result<(u64, Option<chrono::Duration>)> {
    use sea_orm::QuerySelect;
    let (n, oldest): (i64, Option<chrono::DateTime<chrono::Utc>>) = ob::Entity::find()
        .select_only()
        .column_as(ob::Column::Id.count(), "n")
        .column_as(ob::Column::CreatedAt.min(), "oldest")
        .filter(ob::Column::DoneAt.is_null())
        .into_tuple()
        .one(db.conn())
        .await?
        .unwrap_or((0, None));
    Ok((
        u64::try_from(n).unwrap_or(0),
        oldest.map(|at| db.now() - at),
    ))
}

/// A change leased for sending to the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Leased {
    pub row: i64,
    pub project_id: Uuid,
    pub attempts: i32,
}

/// Leases up to `n` due changes for `lease_for`, so that several relays never send the same
/// rows at once (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer anyway).
pub async fn lease(
    db: &Db,
    owner: &str,
    n: u64,
    lease_for: chrono::Duration,
) -> Result<Vec<Leased>> {
    use sea_orm::{ConnectionTrait, Statement};
    let now = db.now();
    let until = now + lease_for;
    let (sql, values): (&str, Vec<sea_orm::Value>) = match db.dialect() {
        crate::Dialect::Postgres => (
            // `= ANY(ARRAY(…))`, not `IN (…)`: the ids are found first, off the pending index,
            // and then the rows by primary key. With `IN` PostgreSQL may hash-join the leased
            // ids against a scan of the whole table, rows already sent included.
            "UPDATE search_outbox SET leased_until = $1, lease_owner = $2 WHERE id = ANY(ARRAY(
               SELECT id FROM search_outbox WHERE done_at IS NULL AND next_attempt_at <= $3
                 AND (leased_until IS NULL OR leased_until < $3)
               ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED))
             RETURNING id, entity_id, attempts",
            vec![until.into(), owner.into(), now.into(), (n as i64).into()],
        ),
        crate::Dialect::Sqlite => (
            "UPDATE search_outbox SET leased_until = ?, lease_owner = ? WHERE id IN (
               SELECT id FROM search_outbox WHERE done_at IS NULL AND next_attempt_at <= ?
                 AND (leased_until IS NULL OR leased_until < ?)
               ORDER BY id LIMIT ?)
             RETURNING id, entity_id, attempts",
            vec![
                until.into(),
                owner.into(),
                now.into(),
                now.into(),
                (n as i64).into(),
            ],
        ),
    };
    let rows = db
        .conn()
        .query_all_raw(Statement::from_sql_and_values(
            db.conn().get_database_backend(),
            sql,
            values,
        ))
        .await?;
    let mut out = rows
        .into_iter()
        .map(|r| {
            Ok(Leased {
                row: r.try_get::<i64>("", "id")?,
                project_id: crate::codec::id(&r.try_get::<String>("", "entity_id")?)?,
                attempts: r.try_get::<i32>("", "attempts")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|l| l.row);
    Ok(out)
}

/// Marks leased changes as sent.
pub async fn complete(db: &Db, rows: &[i64]) -> Result<()> {
    ob::Entity::update_many()
        .col_expr(
            ob::Column::DoneAt,
            sea_orm::sea_query::Expr::value(Some(db.now())),
        )
        .col_expr(
            ob::Column::LeasedUntil,
            sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(ob::Column::Id.is_in(rows.to_vec()))
        .exec(db.conn())
        .await?;
    Ok(())
}

/// The wait before the next attempt: 1 s, doubling, at most 5 minutes.
pub fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds(1i64 << attempts.clamp(0, 8)).min(chrono::Duration::minutes(5))
}

/// Puts leased changes back, to be retried after a backoff.
pub async fn retry(db: &Db, leased: &[Leased], error: &str) -> Result<()> {
    let now = db.now();
    for l in leased {
        ob::Entity::update_many()
            .col_expr(
                ob::Column::Attempts,
                sea_orm::sea_query::Expr::value(l.attempts + 1),
            )
            .col_expr(
                ob::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(now + backoff(l.attempts)),
            )
            .col_expr(
                ob::Column::LeasedUntil,
                sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(
                ob::Column::LastError,
                sea_orm::sea_query::Expr::value(Some(error.chars().take(500).collect::<String>())),
            )
            .filter(ob::Column::Id.eq(l.row))
            .exec(db.conn())
            .await?;
    }
    Ok(())
}

/// A page of project ids in a stable order, for rebuilding the index.
pub async fn project_ids_page(db: &Db, after: Option<&str>, n: u64) -> Result<Vec<Uuid>> {
    use crate::entities::projects as pj;
    use sea_orm::{QueryOrder, QuerySelect};
    let mut q = pj::Entity::find()
        .select_only()
        .column(pj::Column::Id)
        .order_by_asc(pj::Column::Id)
        .limit(n);
    if let Some(a) = after {
        q = q.filter(pj::Column::Id.gt(a));
    }
    let ids: Vec<String> = q.into_tuple().all(db.conn()).await?;
    ids.iter().map(|s| crate::codec::id(s)).collect()
}

/// How many projects exist (for progress reports).
pub async fn project_count(db: &Db) -> Result<u64> {
    Ok(crate::entities::projects::Entity::find()
        .count(db.conn())
        .await?)
}

/// Sends again every change recorded since `since` (a rebuild may have read a project just
/// before it changed).
pub async fn requeue_since(db: &Db, since: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    let r = ob::Entity::update_many()
        .col_expr(
            ob::Column::DoneAt,
            sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(
            ob::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(db.now()),
        )
        .filter(ob::Column::CreatedAt.gte(since))
        .exec(db.conn())
        .await?;
    Ok(r.rows_affected)
}
