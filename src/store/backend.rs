//! The two backends behind one store API: [`Pool`] (a pool of SQLite or of PostgreSQL
//! connections), [`Conn`] (one connection taken from it, or a transaction, [`Tx`]), and the
//! [`on!`] macro with which a store function writes its body once and has it compiled for both
//! drivers.
//!
//! A store function takes `conn: &mut Conn` and wraps its queries in
//! `on!(conn, |c| { … })`: inside, `c` is a `&mut SqliteConnection` in one copy of the block
//! and a `&mut PgConnection` in the other, so the same `sqlx::query…(SQL).bind(…)` text serves
//! both. The SQL uses `$1`, `$2`, … placeholders, which both drivers accept (sqlx-sqlite maps
//! `$N` to argument N), and the types of [`super::types`] that encode for both (times as
//! [`super::At`]). Where the dialects differ, the function matches on [`Conn::backend`] and
//! gives both texts side by side.

use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Which database a pool or connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (`sqlite://…`, the default): one file, one process.
    Sqlite,
    /// PostgreSQL (`postgres://…`): one database shared by any number of processes.
    Postgres,
}

/// A pool of connections to the database ([`super::open`], [`super::read_pool`]). Cloning is
/// cheap (a reference count).
#[derive(Debug, Clone)]
pub enum Pool {
    /// SQLite connections.
    Sqlite(SqlitePool),
    /// PostgreSQL connections.
    Postgres(PgPool),
}

/// SQLite's transaction start for writes: takes the write lock at once (waiting up to the busy
/// timeout for another process), so a transaction that reads before it writes can never fail
/// halfway with a stale snapshot (`SQLITE_BUSY_SNAPSHOT`, sqlite.org/rescode.html#busy_snapshot).
/// PostgreSQL locks rows as it writes them and needs no such start.
const SQLITE_BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

impl Pool {
    /// Which database this pool talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A connection from the pool (returned to it when dropped).
    ///
    /// Errors: no connection could be had within the pool's timeout.
    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(Conn(match self {
            Pool::Sqlite(p) => Link::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Link::Postgres(p.acquire().await?),
        }))
    }

    /// A transaction for reads and writes (rolled back when dropped without [`Tx::commit`]).
    /// On SQLite it starts with `BEGIN IMMEDIATE` (see `SQLITE_BEGIN_WRITE`).
    ///
    /// Errors: no connection could be had, or the database refused to begin.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx(Conn(match self {
            Pool::Sqlite(p) => Link::SqliteTx(p.begin_with(SQLITE_BEGIN_WRITE).await?),
            Pool::Postgres(p) => Link::PostgresTx(p.begin().await?),
        })))
    }

    /// A plain transaction (`BEGIN`): reads that must see one snapshot, and maintenance.
    ///
    /// Errors: as [`Pool::begin_write`].
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx(Conn(match self {
            Pool::Sqlite(p) => Link::SqliteTx(p.begin().await?),
            Pool::Postgres(p) => Link::PostgresTx(p.begin().await?),
        })))
    }

    /// Closes every connection and waits for those in use to come back.
    pub async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    /// The SQLite pool, when this is SQLite (tests and tools that run SQL of their own).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, when this is PostgreSQL.
    pub fn as_postgres(&self) -> Option<&PgPool> {
        match self {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }
}

/// One connection of a [`Pool`], pooled or inside a transaction: what every store function runs
/// on. The engine names this, never a sqlx type.
#[derive(Debug)]
pub struct Conn(Link);

#[derive(Debug)]
enum Link {
    Sqlite(PoolConnection<Sqlite>),
    SqliteTx(Transaction<'static, Sqlite>),
    Postgres(PoolConnection<Postgres>),
    PostgresTx(Transaction<'static, Postgres>),
}

/// The driver's connection inside a [`Conn`], for the two copies of an [`on!`] body.
pub enum Driver<'c> {
    /// An SQLite connection.
    Sqlite(&'c mut SqliteConnection),
    /// A PostgreSQL connection.
    Postgres(&'c mut PgConnection),
}

impl Conn {
    /// Which database this connection talks to.
    pub fn backend(&self) -> Backend {
        match self.0 {
            Link::Sqlite(_) | Link::SqliteTx(_) => Backend::Sqlite,
            Link::Postgres(_) | Link::PostgresTx(_) => Backend::Postgres,
        }
    }

    /// The driver's connection (what [`on!`] matches on).
    pub fn driver(&mut self) -> Driver<'_> {
        match &mut self.0 {
            Link::Sqlite(c) => Driver::Sqlite(c),
            Link::SqliteTx(t) => Driver::Sqlite(t),
            Link::Postgres(c) => Driver::Postgres(c),
            Link::PostgresTx(t) => Driver::Postgres(t),
        }
    }
}

/// A transaction on one connection ([`Pool::begin_write`], [`Pool::begin`]): a [`Conn`] (store
/// functions take `&mut tx`) that is rolled back when dropped without [`Tx::commit`].
#[derive(Debug)]
pub struct Tx(Conn);

impl Tx {
    /// Commits the transaction.
    ///
    /// Errors: the database refused the commit (nothing of the transaction is kept then).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.0 .0 {
            Link::SqliteTx(t) => t.commit().await,
            Link::PostgresTx(t) => t.commit().await,
            // A `Tx` is only ever made from a transaction.
            Link::Sqlite(_) | Link::Postgres(_) => Ok(()),
        }
    }

    /// Rolls the transaction back.
    ///
    /// Errors: the database failed (the transaction is gone either way).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.0 .0 {
            Link::SqliteTx(t) => t.rollback().await,
            Link::PostgresTx(t) => t.rollback().await,
            Link::Sqlite(_) | Link::Postgres(_) => Ok(()),
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

/// Runs `$body` with `$c` bound to the driver's connection of `$conn` (a `&mut Conn`): the body
/// is written once and compiled twice, with `$c: &mut SqliteConnection` and with
/// `$c: &mut PgConnection`, so its queries must be valid in both dialects (see the module
/// documentation). Pass `&mut *$c` to each query but the last.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $crate::store::Conn::driver($conn) {
            $crate::store::Driver::Sqlite($c) => $body,
            $crate::store::Driver::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` with `$p` bound to the driver's pool of `$pool` (a `&Pool`), compiled for both
/// drivers like [`on!`].
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
