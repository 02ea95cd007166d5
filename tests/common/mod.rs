//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use interview_bot::bank::Bank;
use interview_bot::engine::EngineConfig;

/// The real bank in `questions/`, loaded once per test binary.
pub fn bank() -> Arc<Bank> {
    static BANK: OnceLock<Arc<Bank>> = OnceLock::new();
    BANK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        Arc::new(Bank::load_dir(&dir).unwrap_or_else(|e| panic!("{e}")))
    })
    .clone()
}

/// Engine settings with a fixed seed.
pub fn config() -> EngineConfig {
    EngineConfig {
        seed: Some(7),
        ..EngineConfig::default()
    }
}

/// A fresh SQLite file in a temporary folder (kept alive by the returned guard).
pub fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    (dir, url)
}
pub mod fake_discord;
pub mod fake_discord_components;
pub mod fake_slack;
pub mod fake_slack_interactions;
pub mod multipart;
pub mod pg;
pub mod pictures;
pub mod seed;

/// The SQLite pool under a store pool, for tests that run SQLite's SQL of their own (panics on
/// a PostgreSQL store: those tests are SQLite's).
pub fn sqlite(pool: &interview_bot::store::Pool) -> &sqlx::SqlitePool {
    pool.as_sqlite()
        .expect("this test's own SQL is SQLite's, so its store must be SQLite")
}

/// One database of a test that runs on both backends ([`databases`]).
pub struct TestDb {
    /// `sqlite` or `postgres`, for assertion messages.
    pub backend: &'static str,
    /// Its URL, for `store::open`.
    pub url: String,
    /// Keeps the SQLite file's folder.
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite database, and a fresh PostgreSQL database on the test binary's throwaway
/// server ([`pg::database`]) when PostgreSQL is installed: a test runs its case on each. Without
/// PostgreSQL the list has SQLite's alone and the skip is printed, unless
/// `INTERVIEW_BOT_REQUIRE_POSTGRES=1` (CI), where it panics.
pub async fn databases(test: &str) -> Vec<TestDb> {
    let (dir, url) = temp_db();
    let mut out = vec![TestDb {
        backend: "sqlite",
        url,
        _dir: Some(dir),
    }];
    if let Some(db) = pg::database(test).await {
        out.push(TestDb {
            backend: "postgres",
            url: db.url,
            _dir: None,
        });
    }
    out
}

/// Runs `$body` with `$p` bound to the driver's pool under a `&store::Pool`: one query text
/// (with `$1`-style placeholders) checked on either backend.
#[macro_export]
macro_rules! any_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            interview_bot::store::Pool::Sqlite($p) => $body,
            interview_bot::store::Pool::Postgres($p) => $body,
        }
    };
}

/// Another connection holding the database's write lock, as another process would, until the
/// returned transaction is committed or rolled back. SQLite: `BEGIN IMMEDIATE` (the file's one
/// write lock). PostgreSQL, which has no such lock: a transaction holding every table of the
/// `public` schema `IN EXCLUSIVE MODE`, so every write (`INSERT`, `UPDATE`, `DELETE`) waits while
/// plain reads go on, as they do beside SQLite's lock.
pub async fn hold_write_lock(pool: &interview_bot::store::Pool) -> interview_bot::store::Tx {
    let mut tx = pool.begin_write().await.expect("the write lock");
    if let interview_bot::store::Driver::Postgres(c) = tx.driver() {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT quote_ident(tablename)::text FROM pg_tables WHERE schemaname = 'public'",
        )
        .fetch_all(&mut *c)
        .await
        .expect("the tables");
        sqlx::query(&format!(
            "LOCK TABLE {} IN EXCLUSIVE MODE",
            tables.join(", ")
        ))
        .execute(&mut *c)
        .await
        .expect("LOCK TABLE");
    }
    tx
}
