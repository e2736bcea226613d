//! Connecting, migrating and checking the database.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use sinergi_domain::{SharedClock, SystemClock};
use sinergi_migrations::{Migrator, MigratorTrait};

use crate::Result;

/// Which engine the connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A pool of connections to Sinergi's database, and the clock its services read.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
    dialect: Dialect,
    clock: SharedClock,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). SQLite files are created when
    /// missing and run in WAL mode with foreign keys on.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Self> {
        let engine = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        };
        let url = if engine == Dialect::Sqlite && !url.contains('?') {
            format!("{url}?mode=rwc")
        } else {
            url.to_owned()
        };
        let mut opts = ConnectOptions::new(url);
        opts.connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        // sqlx pings a connection each time it leaves the pool, by default: one more round trip
        // (PostgreSQL) or thread hand-off (SQLite) per statement, which the read path's load runs
        // showed. A SQLite file cannot hang up; a PostgreSQL connection is pinged only once it
        // has been idle long enough for the server or a proxy to have dropped it.
        if engine == Dialect::Sqlite {
            // One writer at a time is SQLite's rule; a small pool keeps readers concurrent.
            opts.max_connections(8)
                .min_connections(1)
                .test_before_acquire(false);
        } else {
            opts.max_connections(32)
                .min_connections(1)
                .test_before_acquire_if_idle_for(Duration::from_secs(30))
                // Every statement Sinergi runs is a short, keyed one, prepared once per
                // connection; PostgreSQL would still plan most of them again on each run (a
                // city's page: 0.12 ms planning, 0.045 ms running). One plan per statement.
                .map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_generic_plan")]));
        }
        let conn = Database::connect(opts).await?;
        if engine == Dialect::Sqlite {
            for pragma in [
                "PRAGMA journal_mode = WAL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
                "PRAGMA synchronous = NORMAL",
                // Refreshes the planner's statistics when they are stale, so lookups by id keep
                // using the primary key once a table has grown (SQLite's advice for each open).
                "PRAGMA optimize=0x10002",
            ] {
                conn.execute_unprepared(pragma).await?;
            }
        }
        Ok(Self {
            conn,
            dialect: engine,
            clock: Arc::new(SystemClock),
        })
    }

    /// The pool's connections: (open, idle, the most it opens).
    pub fn pool_use(&self) -> (u32, usize, u32) {
        match self.dialect {
            Dialect::Sqlite => {
                let p = self.conn.get_sqlite_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            Dialect::Postgres => {
                let p = self.conn.get_postgres_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
        }
    }

    /// The same pool with another clock (tests move time forward with a `ShiftedClock`).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock the services read.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Now, by the services' clock, to the microsecond.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Calls `f` with the SQL of every statement run on the pool (tests count statements).
    pub fn on_statement(&mut self, f: impl Fn(&str) + Send + Sync + 'static) {
        self.conn
            .set_metric_callback(move |info| f(&info.statement.sql));
    }

    /// The connection, for this crate's services.
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// The engine behind the connection.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Brings the schema up to date; safe to run on every start.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// How many migrations are applied.
    pub async fn applied_migrations(&self) -> Result<usize> {
        Ok(Migrator::get_applied_migrations(&self.conn).await?.len())
    }

    /// Answers when the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        self.conn
            .query_one_raw(Statement::from_string(
                self.conn.get_database_backend(),
                "SELECT 1",
            ))
            .await?;
        Ok(())
    }

    /// Opens a transaction that will write. On SQLite it takes the write lock at BEGIN
    /// (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot upgrade once another
    /// writer (the outbox relay, another request) committed, and would fail instead of waiting.
    pub async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let opts = TransactionOptions {
            sqlite_transaction_mode: (self.dialect == Dialect::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.conn.begin_with_options(opts).await?)
    }

    /// Refreshes the query planner's statistics (after bulk loads).
    pub async fn analyze(&self) -> Result<()> {
        self.conn.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }

    /// Runs raw SQL: for the black-box tests' fault injection (breaking a table, tampering
    /// with the audit chain) and nothing else; only with the `testing` feature.
    #[cfg(feature = "testing")]
    pub async fn execute_sql(&self, sql: &str) -> Result<()> {
        self.conn.execute_unprepared(sql).await?;
        Ok(())
    }
}
