//! The one place that knows there are two database backends.
//!
//! Everything above this module talks to [`Db`] (a pool) or [`Tx`] (a transaction) and hands
//! them a [`Statement`]: either fixed SQL written once with `$1, $2 …` placeholders (both SQLite,
//! through sqlx, and PostgreSQL accept them) or a sea-query statement rendered by the backend's
//! own query builder. Rows are plain structs deriving `sqlx::FromRow`, which works for both.
//! No SQL is ever assembled from request text: values always travel as bound arguments.

use std::{borrow::Cow, str::FromStr, time::Duration};

use sea_query::{
    DeleteStatement, InsertStatement, PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder, UpdateStatement,
    Value, Values,
};
use sea_query_binder::SqlxValues;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};
use sqlx::{
    postgres::{PgConnection, PgPoolOptions, PgRow},
    sqlite::{
        SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
    },
    FromRow, PgPool, SqlitePool,
};

use crate::{
    model::resource::{Field, FieldType, Resource},
    server::clock,
};

/// Which database the server runs on, chosen once from `DATABASE_URL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two backends. `Debug` names the backend only: a pool's own
/// `Debug` prints its connect options, password included.
#[derive(Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.backend())
    }
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// A row type both backends can decode.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// Anything that renders to SQL text plus bound values for a backend.
pub trait Statement: Sync {
    fn render(&self, backend: Backend) -> (String, Values);
}

/// Fixed SQL with `$n` placeholders and its arguments, in order.
#[derive(Debug, Clone)]
pub struct Sql {
    text: Cow<'static, str>,
    args: Vec<Value>,
}

impl Sql {
    pub fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Self { text: text.into(), args: Vec::new() }
    }

    /// Binds the next `$n` argument.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.args.push(value.into());
        self
    }
}

impl Statement for Sql {
    fn render(&self, _: Backend) -> (String, Values) {
        (self.text.to_string(), Values(self.args.clone()))
    }
}

macro_rules! sea_statement {
    ($($ty:ty),*) => {$(
        impl Statement for $ty {
            fn render(&self, backend: Backend) -> (String, Values) {
                match backend {
                    Backend::Sqlite => self.build(SqliteQueryBuilder),
                    Backend::Postgres => self.build(PostgresQueryBuilder),
                }
            }
        }
    )*};
}
sea_statement!(SelectStatement, InsertStatement, UpdateStatement, DeleteStatement);

/// A borrowed executor: a pool or a connection inside a transaction, on either backend.
enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    SqliteConn(&'a mut SqliteConnection),
    PgPool(&'a PgPool),
    PgConn(&'a mut PgConnection),
}

/// Runs `$body` with `$e` bound to the concrete executor and `$sql`/`$args` rendered for its
/// backend, timed for `db_query_duration_seconds`. The body is written once and compiled once
/// per backend.
macro_rules! dispatch {
    ($exec:expr, $stmt:expr, |$e:ident, $sql:ident, $args:ident| $body:expr) => {{
        let started = std::time::Instant::now();
        let out = match $exec {
            Exec::SqlitePool($e) => {
                let ($sql, values) = $stmt.render(Backend::Sqlite);
                let $args = SqlxValues(values);
                $body
            }
            Exec::SqliteConn($e) => {
                let ($sql, values) = $stmt.render(Backend::Sqlite);
                let $args = SqlxValues(values);
                $body
            }
            Exec::PgPool($e) => {
                let ($sql, values) = $stmt.render(Backend::Postgres);
                let $args = SqlxValues(values);
                $body
            }
            Exec::PgConn($e) => {
                let ($sql, values) = $stmt.render(Backend::Postgres);
                let $args = SqlxValues(values);
                $body
            }
        };
        crate::server::metrics::query_took(started);
        out
    }};
}

impl Exec<'_> {
    async fn fetch_all<T: Row>(self, stmt: &impl Statement) -> sqlx::Result<Vec<T>> {
        dispatch!(self, stmt, |e, sql, args| sqlx::query_as_with(&sql, args).fetch_all(e).await)
    }

    async fn fetch_optional<T: Row>(self, stmt: &impl Statement) -> sqlx::Result<Option<T>> {
        dispatch!(self, stmt, |e, sql, args| sqlx::query_as_with(&sql, args).fetch_optional(e).await)
    }

    async fn fetch_maps(self, stmt: &impl Statement, fields: &[&Field]) -> sqlx::Result<Vec<Map<String, Json>>> {
        dispatch!(self, stmt, |e, sql, args| {
            let rows = sqlx::query_with(&sql, args).fetch_all(e).await?;
            rows.iter().map(|row| decode(row, fields)).collect()
        })
    }

    async fn execute(self, stmt: &impl Statement) -> sqlx::Result<u64> {
        dispatch!(self, stmt, |e, sql, args| sqlx::query_with(&sql, args)
            .execute(e)
            .await
            .map(|done| done.rows_affected()))
    }
}

/// Reads a row whose columns are `fields`, in order, as the JSON object of their wire values
/// (see [`FieldType`]): the one decoding of every resource, on either backend.
fn decode<R>(row: &R, fields: &[&Field]) -> sqlx::Result<Map<String, Json>>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut map = Map::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        let value = match field.ty {
            FieldType::Int => row.try_get::<Option<i64>, _>(i)?.map(Json::from),
            FieldType::Time => row.try_get::<Option<i64>, _>(i)?.map(|ms| Json::from(clock::iso(ms))),
            FieldType::Bool => row.try_get::<Option<bool>, _>(i)?.map(Json::from),
            FieldType::Str => row.try_get::<Option<String>, _>(i)?.map(Json::from),
            FieldType::Tags => {
                let joined = row.try_get::<Option<String>, _>(i)?.unwrap_or_default();
                Some(Json::from(joined.split(',').filter(|t| !t.is_empty()).collect::<Vec<_>>()))
            }
            FieldType::Json => row.try_get::<Option<String>, _>(i)?.and_then(|text| serde_json::from_str(&text).ok()),
        };
        map.insert(field.name.to_owned(), value.unwrap_or(Json::Null));
    }
    Ok(map)
}

/// A row read by `fetch_records` or `fetch_maps` as its wire type.
pub fn record<T: DeserializeOwned>(map: Map<String, Json>) -> sqlx::Result<T> {
    serde_json::from_value(Json::Object(map)).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The same four calls on a pool and on a transaction.
macro_rules! executor_methods {
    ($s:ident : $recv:ty) => {
        pub async fn fetch_all<T: Row>($s: $recv, stmt: &impl Statement) -> sqlx::Result<Vec<T>> {
            $s.exec().fetch_all(stmt).await
        }

        pub async fn fetch_optional<T: Row>($s: $recv, stmt: &impl Statement) -> sqlx::Result<Option<T>> {
            $s.exec().fetch_optional(stmt).await
        }

        /// Exactly one row, or `sqlx::Error::RowNotFound`.
        pub async fn fetch_one<T: Row>($s: $recv, stmt: &impl Statement) -> sqlx::Result<T> {
            $s.exec().fetch_optional(stmt).await?.ok_or(sqlx::Error::RowNotFound)
        }

        /// Runs a statement and answers how many rows it changed.
        pub async fn execute($s: $recv, stmt: &impl Statement) -> sqlx::Result<u64> {
            $s.exec().execute(stmt).await
        }

        /// The rows of a statement that selects `resource`'s visible columns, as its wire type.
        pub async fn fetch_records<T: DeserializeOwned>(
            $s: $recv,
            stmt: &impl Statement,
            resource: &Resource,
        ) -> sqlx::Result<Vec<T>> {
            let fields: Vec<&Field> = resource.visible().collect();
            $s.exec().fetch_maps(stmt, &fields).await?.into_iter().map(record).collect()
        }

        /// The first row of `fetch_records`, if any.
        pub async fn fetch_record<T: DeserializeOwned>(
            $s: $recv,
            stmt: &impl Statement,
            resource: &Resource,
        ) -> sqlx::Result<Option<T>> {
            Ok($s.fetch_records(stmt, resource).await?.into_iter().next())
        }

        /// The rows of a list page (the resource's visible columns) as JSON objects.
        pub async fn fetch_maps(
            $s: $recv,
            stmt: &impl Statement,
            fields: &[&Field],
        ) -> sqlx::Result<Vec<Map<String, Json>>> {
            $s.exec().fetch_maps(stmt, fields).await
        }
    };
}

/// A pool or a transaction: what a query runs on. Code that reads the same way inside and
/// outside a transaction takes `impl Into<Executor<'_>>` (`&ctx.db` or `&mut *tx`) and is
/// written once. (A concrete type rather than a trait: async trait methods with borrowed
/// receivers trip the compiler's `Send` inference, rust-lang/rust#100013.)
pub struct Executor<'a>(Exec<'a>);

impl<'a> From<&'a Db> for Executor<'a> {
    fn from(db: &'a Db) -> Self {
        Executor(db.exec())
    }
}

impl<'a> From<&'a mut Tx> for Executor<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Executor(tx.exec())
    }
}

impl Executor<'_> {
    fn exec(&mut self) -> Exec<'_> {
        match &mut self.0 {
            Exec::SqlitePool(pool) => Exec::SqlitePool(pool),
            Exec::SqliteConn(conn) => Exec::SqliteConn(conn),
            Exec::PgPool(pool) => Exec::PgPool(pool),
            Exec::PgConn(conn) => Exec::PgConn(conn),
        }
    }

    executor_methods!(self: &mut Self);
}

impl Db {
    /// Opens the database named by `url` (`sqlite:…` or `postgres:…`), creating an SQLite file
    /// and its folder when missing, and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let db = Self::open(url).await?;
        db.migrate().await?;
        db.refresh_statistics().await?;
        Ok(db)
    }

    /// Opens the database without touching its schema (`backoffice migrate --status`).
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let db = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool =
                PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
            Db::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reads of a million-device table stay in memory: a page cache per connection
                // (anonymous memory: 8 connections × SQLITE_CACHE_KIB), and the file mapped
                // rather than read page by page (SQLITE_MMAP_BYTES of the file, which the
                // kernel may drop under pressure: not the process's own memory).
                .pragma("cache_size", format!("-{}", sqlite_tuning().0))
                .pragma("mmap_size", sqlite_tuning().1.to_string());
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
                }
            }
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
            Db::Sqlite(pool)
        };
        Ok(db)
    }

    /// SQLite plans with the statistics `ANALYZE` leaves. Without them it may walk a
    /// 400,000-device product in id order to find 50 MACs (BENCHMARKS.md). Sampled (a bounded
    /// `analysis_limit`) it takes milliseconds, so it runs at start and then every hour
    /// ([`crate::server::http::build`]). PostgreSQL's autovacuum keeps its own statistics.
    pub async fn refresh_statistics(&self) -> sqlx::Result<()> {
        if let Db::Sqlite(pool) = self {
            sqlx::raw_sql("PRAGMA analysis_limit = 1000; ANALYZE;").execute(pool).await?;
        }
        Ok(())
    }

    /// Applies the migrations not yet applied, in order (each in its own transaction).
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Every migration this build knows, and whether the database has it applied.
    pub async fn migration_status(&self) -> sqlx::Result<Vec<MigrationStatus>> {
        let known = match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        // A database never migrated has no table yet: nothing is applied.
        let applied: Vec<(i64,)> =
            match self.fetch_all(&Sql::new("SELECT version FROM _sqlx_migrations WHERE success = TRUE")).await {
                Ok(rows) => rows,
                Err(sqlx::Error::Database(e)) if e.message().contains("_sqlx_migrations") => Vec::new(),
                Err(e) => return Err(e),
            };
        Ok(known
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| MigrationStatus {
                version: m.version,
                description: m.description.to_string(),
                applied: applied.iter().any(|(v,)| *v == m.version),
            })
            .collect())
    }

    /// The pool's connections: (open, idle).
    pub fn pool_use(&self) -> (u32, usize) {
        match self {
            Db::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Db::Postgres(pool) => (pool.size(), pool.num_idle()),
        }
    }

    /// SQLite's memory settings (page cache KiB per connection, mmap bytes); `None` on PostgreSQL.
    pub fn sqlite_memory(&self) -> Option<(i64, i64)> {
        matches!(self, Db::Sqlite(_)).then(sqlite_tuning)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A write transaction. SQLite's starts `IMMEDIATE`: it takes the write lock at once (waiting
    /// up to the busy timeout), where a deferred one would read a snapshot and then fail with
    /// "database is locked" when it tries to write after another writer; PostgreSQL's rows are
    /// locked by the conditional writes themselves.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that only reads (one consistent snapshot of several queries): SQLite's
    /// is deferred, so it never waits for the write lock.
    pub async fn begin_read(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    fn exec(&self) -> Exec<'_> {
        match self {
            Db::Sqlite(pool) => Exec::SqlitePool(pool),
            Db::Postgres(pool) => Exec::PgPool(pool),
        }
    }

    executor_methods!(self: &Self);

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// `SQLITE_CACHE_KIB` (16384: 16 MiB a connection) and `SQLITE_MMAP_BYTES` (256 MiB), read from
/// the environment once (every connection and every metrics scrape asks).
fn sqlite_tuning() -> (i64, i64) {
    static TUNING: std::sync::LazyLock<(i64, i64)> = std::sync::LazyLock::new(|| {
        let read = |name: &str, default: i64| {
            std::env::var(name).ok().and_then(|v| v.trim().parse::<i64>().ok()).filter(|v| *v >= 0).unwrap_or(default)
        };
        (read("SQLITE_CACHE_KIB", 16_384), read("SQLITE_MMAP_BYTES", 268_435_456))
    });
    *TUNING
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// One migration of this build and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

impl Tx {
    fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(tx) => Exec::SqliteConn(&mut **tx),
            Tx::Postgres(tx) => Exec::PgConn(&mut **tx),
        }
    }

    executor_methods!(self: &mut Self);

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Whether an error is a unique-constraint violation, and on which constraint or column: lets
/// a service turn a race on an insert into the right client error without matching on text.
pub fn unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}
