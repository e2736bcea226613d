//! Sign-in attempts per bucket (an account, an address) in a sliding window, counted in the
//! database: one atomic upsert per attempt, so every replica sees the same counts.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};

use crate::{Db, Dialect, Result};

/// Counts an attempt in `bucket`'s window, starting a new window when the last began at least
/// `window` ago. Returns the attempts in the window (this one included) and when it began.
pub async fn count(
    db: &Db,
    bucket: &str,
    window: chrono::Duration,
) -> Result<(u32, DateTime<Utc>)> {
    let now = db.now();
    let cutoff = now - window;
    // Both engines evaluate every SET expression on the row as it was, so the two CASEs agree.
    let (sql, values): (&str, Vec<sea_orm::Value>) = match db.dialect() {
        Dialect::Postgres => (
            "INSERT INTO login_attempts (bucket, window_start, attempts) VALUES ($1, $2, 1)
             ON CONFLICT (bucket) DO UPDATE SET
               attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1
                               ELSE login_attempts.attempts + 1 END,
               window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2
                                   ELSE login_attempts.window_start END
             RETURNING attempts, window_start",
            vec![bucket.into(), now.into(), cutoff.into()],
        ),
        Dialect::Sqlite => (
            "INSERT INTO login_attempts (bucket, window_start, attempts) VALUES (?, ?, 1)
             ON CONFLICT (bucket) DO UPDATE SET
               attempts = CASE WHEN login_attempts.window_start <= ? THEN 1
                               ELSE login_attempts.attempts + 1 END,
               window_start = CASE WHEN login_attempts.window_start <= ? THEN ?
                                   ELSE login_attempts.window_start END
             RETURNING attempts, window_start",
            vec![
                bucket.into(),
                now.into(),
                cutoff.into(),
                cutoff.into(),
                now.into(),
            ],
        ),
    };
    let row = db
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            db.conn().get_database_backend(),
            sql,
            values,
        ))
        .await?
        .ok_or_else(|| crate::Error::Corrupt("login attempt upsert returned no row".into()))?;
    let attempts: i32 = row.try_get("", "attempts")?;
    let start: DateTime<Utc> = row.try_get("", "window_start")?;
    if attempts == 1 {
        // A new window: forget windows that ended, so the table holds recent buckets only.
        prune(db, cutoff).await?;
    }
    Ok((u32::try_from(attempts).unwrap_or(u32::MAX), start))
}

/// Forgets a bucket (an account that signed in).
pub async fn clear(db: &Db, bucket: &str) -> Result<()> {
    delete_where(db, "bucket =", bucket.into()).await
}

async fn prune(db: &Db, cutoff: DateTime<Utc>) -> Result<()> {
    // Windows that began at or before the cutoff have ended.
    delete_where(db, "window_start <=", cutoff.into()).await
}

/// `DELETE FROM login_attempts WHERE <column and operator> <value>`.
async fn delete_where(db: &Db, test: &str, value: sea_orm::Value) -> Result<()> {
    let placeholder = match db.dialect() {
        Dialect::Postgres => "$1",
        Dialect::Sqlite => "?",
    };
    let sql = format!("DELETE FROM login_attempts WHERE {test} {placeholder}");
    db.conn()
        .execute_raw(Statement::from_sql_and_values(
            db.conn().get_database_backend(),
            sql,
            vec![value],
        ))
        .await?;
    Ok(())
}
