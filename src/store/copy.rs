//! Moving a bot's data from SQLite to PostgreSQL (`interview-bot migrate-db`): every table
//! streamed out of SQLite and inserted in batches of [`COPY_BATCH`] rows with its ids, the
//! identity sequences moved past the copied ids, the rollups derived on PostgreSQL and checked
//! against SQLite's.
//!
//! The copy runs in one PostgreSQL transaction (a failure leaves the destination as it was) and
//! reads SQLite in one read transaction (one snapshot, so the bot may keep running, though
//! what it writes after the snapshot is not copied: stop it first for a move).

use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite};

use super::{rollups, At, Pool, Result, StoreError};

/// Rows per `INSERT` of the copy: with at most 13 columns (`posts`), 500 rows bind 6,500
/// values, far below PostgreSQL's limit of 65,535 per statement, and a batch costs one round
/// trip instead of 500.
const COPY_BATCH: usize = 500;

/// How a column is read from SQLite and bound on PostgreSQL.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// BIGINT (ids, scores, counts).
    Int,
    /// INTEGER (`answers.day`).
    Int32,
    /// TEXT.
    Text,
    /// 0/1 in SQLite, BOOLEAN in PostgreSQL.
    Bool,
    /// INTEGER milliseconds in SQLite, `timestamptz` in PostgreSQL ([`At`]).
    Time,
}

use Kind::{Bool, Int, Int32, Text, Time};

/// A table to copy: its name, whether `id` is an identity column, its columns.
struct Table {
    name: &'static str,
    identity: bool,
    columns: &'static [(&'static str, Kind)],
}

/// Every table holding data, parents before children (foreign keys), `processed_events`
/// before `answers` (whose insert trigger records the answer's message there too). The rollup
/// tables are derived, not copied. A migration that adds a table adds it here.
const TABLES: &[Table] = &[
    Table {
        name: "channels",
        identity: true,
        columns: &[
            ("id", Int),
            ("platform", Text),
            ("channel_id", Text),
            ("workspace_id", Text),
            ("time_zone", Text),
        ],
    },
    Table {
        name: "users",
        identity: true,
        columns: &[
            ("id", Int),
            ("platform", Text),
            ("user_id", Text),
            ("display_name", Text),
        ],
    },
    Table {
        name: "custom_questions",
        identity: true,
        columns: &[
            ("id", Int),
            ("platform", Text),
            ("workspace_id", Text),
            ("status", Text),
            ("topic", Text),
            ("topic_name", Text),
            ("tier", Text),
            ("prompt", Text),
            ("doc", Text),
            ("author", Int),
            ("created_at", Time),
            ("decided_at", Time),
        ],
    },
    Table {
        name: "schedules",
        identity: true,
        columns: &[
            ("id", Int),
            ("channel", Int),
            ("kind", Text),
            ("cron", Text),
            ("time_zone", Text),
            ("tier", Text),
            ("topic", Text),
            ("paused", Bool),
            ("next_run_at", Time),
            ("created_at", Time),
            ("blind", Bool),
        ],
    },
    Table {
        name: "posts",
        identity: true,
        columns: &[
            ("id", Int),
            ("channel", Int),
            ("question_id", Text),
            ("topic", Text),
            ("tier", Text),
            ("schedule", Int),
            ("asked_by", Int),
            ("message_id", Text),
            ("thread_id", Text),
            ("posted_at", Time),
            ("closes_at", Time),
            ("closed_at", Time),
            ("blind", Bool),
        ],
    },
    Table {
        name: "processed_events",
        identity: false,
        columns: &[
            ("platform", Text),
            ("event_id", Text),
            ("processed_at", Time),
        ],
    },
    Table {
        name: "answers",
        identity: true,
        columns: &[
            ("id", Int),
            ("post", Int),
            ("author", Int),
            ("message_id", Text),
            ("body", Text),
            ("score", Int),
            ("report", Text),
            ("late", Bool),
            ("answered_at", Time),
            ("edited_at", Time),
            ("day", Int32),
        ],
    },
    Table {
        name: "votes",
        identity: false,
        columns: &[
            ("answer", Int),
            ("voter", Int),
            ("emoji", Text),
            ("voted_at", Time),
        ],
    },
    Table {
        name: "hints",
        identity: false,
        columns: &[("post", Int), ("member", Int), ("given", Int)],
    },
];

/// The rollup tables, each with its key columns (the order rows are compared in).
const ROLLUPS: &[(&str, &str, &str)] = &[
    (
        "rollup_topics",
        "channel, member, topic, answers, late, points, score_sum",
        "channel, member, topic",
    ),
    (
        "rollup_members",
        "channel, member, tier, answers, points, score_sum",
        "channel, member, tier",
    ),
    (
        "rollup_days",
        "channel, day, member, tier, answers, points, score_sum",
        "channel, day, member, tier",
    ),
];

/// What [`copy_sqlite_to_postgres`] copied: `(table, rows)` in copy order, then the rollup
/// rows checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    /// Rows copied per table.
    pub tables: Vec<(&'static str, u64)>,
    /// Rollup rows derived on PostgreSQL, equal to SQLite's.
    pub rollup_rows: u64,
}

/// One value read from SQLite, to bind on PostgreSQL.
enum Value {
    Int(Option<i64>),
    Int32(Option<i32>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<At>),
}

fn read(row: &SqliteRow, i: usize, kind: Kind) -> std::result::Result<Value, sqlx::Error> {
    Ok(match kind {
        Int => Value::Int(row.try_get(i)?),
        Int32 => Value::Int32(row.try_get(i)?),
        Text => Value::Text(row.try_get(i)?),
        Bool => Value::Bool(row.try_get(i)?),
        Time => Value::Time(row.try_get(i)?),
    })
}

/// Copies every table of the SQLite database `from` into the empty PostgreSQL database `to`
/// (both opened with [`super::open`], so both are migrated), keeping every id; then moves each
/// identity sequence past the largest copied id (new rows get new ids), derives the rollups on
/// PostgreSQL ([`super::rebuild_rollups`]) and checks them against SQLite's, row for row.
///
/// Errors: `from` is not SQLite or `to` not PostgreSQL, `to` already holds data (the copy goes
/// into an empty database only: create one and point `--to` at it), either database failed
/// (nothing is kept on PostgreSQL then), or the rollups differ (a bug: the message names the
/// table; the copied rows stay, so the databases can be compared).
pub async fn copy_sqlite_to_postgres(from: &Pool, to: &Pool) -> Result<CopySummary> {
    let (Pool::Sqlite(lite), Pool::Postgres(pg)) = (from, to) else {
        return Err(StoreError::Copy(
            "migrate-db copies from an SQLite database (--from sqlite://…) to a PostgreSQL \
             one (--to postgres://…)"
                .into(),
        ));
    };
    let mut dest = pg.begin().await?;
    for t in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", t.name))
            .fetch_one(&mut *dest)
            .await?;
        if n > 0 {
            return Err(StoreError::Copy(format!(
                "the destination already holds data ({n} rows in {}): migrate-db copies into \
                 an empty database only; create a new one (createdb) and pass it as --to",
                t.name
            )));
        }
    }
    // The rollups are derived once at the end, not row by row by the triggers.
    sqlx::query("UPDATE rollup_state SET built = FALSE")
        .execute(&mut *dest)
        .await?;
    let mut source = lite.begin().await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let names: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
        let list = names.join(", ");
        let insert = format!("INSERT INTO {} ({list}) ", t.name);
        let select = format!("SELECT {list} FROM {} ORDER BY 1", t.name);
        let mut batches = sqlx::query::<Sqlite>(&select)
            .fetch(&mut *source)
            .try_chunks(COPY_BATCH);
        let mut copied = 0u64;
        while let Some(rows) = batches.try_next().await.map_err(|e| e.1)? {
            let mut values = Vec::with_capacity(rows.len());
            for row in &rows {
                let row_values = (t.columns.iter().enumerate())
                    .map(|(i, (_, kind))| read(row, i, *kind))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                values.push(row_values);
            }
            let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(&insert);
            q.push_values(values, |mut b, row| {
                for v in row {
                    match v {
                        Value::Int(v) => b.push_bind(v),
                        Value::Int32(v) => b.push_bind(v),
                        Value::Text(v) => b.push_bind(v),
                        Value::Bool(v) => b.push_bind(v),
                        Value::Time(v) => b.push_bind(v),
                    };
                }
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *dest).await?;
            copied += rows.len() as u64;
        }
        if t.identity {
            // The next id after the largest copied (identities are BY DEFAULT, so the copy
            // kept SQLite's ids without moving the sequence).
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'),
                               (SELECT COALESCE(MAX(id), 0) + 1 FROM {0}), false)",
                t.name
            ))
            .execute(&mut *dest)
            .await?;
        }
        tables.push((t.name, copied));
    }
    dest.commit().await?;
    rollups::rebuild_rollups(to).await?;
    let mut rollup_rows = 0;
    for (table, columns, key) in ROLLUPS {
        let sql = format!("SELECT {columns} FROM {table} ORDER BY {key}");
        let lite_rows = sqlx::query::<Sqlite>(&sql).fetch_all(&mut *source).await?;
        let pg_rows: Vec<PgRow> = sqlx::query(&sql).fetch_all(pg).await?;
        let n = columns.split(',').count();
        let text = |get: &dyn Fn(usize) -> String| (0..n).map(get).collect::<Vec<_>>().join("|");
        let lite_text: Vec<String> = lite_rows
            .iter()
            .map(|r| text(&|i| rollup_cell(r, i)))
            .collect();
        let pg_text: Vec<String> = pg_rows.iter().map(|r| text(&|i| pg_cell(r, i))).collect();
        if lite_text != pg_text {
            let at = lite_text
                .iter()
                .zip(&pg_text)
                .position(|(a, b)| a != b)
                .unwrap_or(lite_text.len().min(pg_text.len()));
            return Err(StoreError::Copy(format!(
                "the rollups derived on PostgreSQL differ from SQLite's in {table} ({} rows \
                 against {}; first difference at row {}: {:?} against {:?}); the copied rows \
                 were kept for inspection",
                pg_text.len(),
                lite_text.len(),
                at + 1,
                pg_text.get(at),
                lite_text.get(at),
            )));
        }
        rollup_rows += lite_text.len() as u64;
    }
    source.rollback().await?;
    Ok(CopySummary {
        tables,
        rollup_rows,
    })
}

/// A rollup cell of SQLite as text (every rollup column is an integer or TEXT).
fn rollup_cell(row: &SqliteRow, i: usize) -> String {
    match row.try_get::<i64, _>(i) {
        Ok(v) => v.to_string(),
        Err(_) => row.try_get::<String, _>(i).unwrap_or_default(),
    }
}

/// A rollup cell of PostgreSQL as text (BIGINT, INTEGER or TEXT).
fn pg_cell(row: &PgRow, i: usize) -> String {
    if let Ok(v) = row.try_get::<i64, _>(i) {
        return v.to_string();
    }
    if let Ok(v) = row.try_get::<i32, _>(i) {
        return v.to_string();
    }
    row.try_get::<String, _>(i).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of every data table is copied: a migration that adds a table or a column
    /// without adding it to [`TABLES`] fails here instead of losing data in `migrate-db`.
    #[tokio::test]
    async fn tables_list_every_column_of_the_schema() {
        let Pool::Sqlite(pool) = crate::store::open("sqlite::memory:").await.unwrap() else {
            panic!("sqlite::memory: opened another backend");
        };
        let derived = [
            "rollup_days",
            "rollup_members",
            "rollup_topics",
            "rollup_state",
        ];
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            match TABLES.iter().find(|t| t.name == table) {
                Some(t) => {
                    let mut listed: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
                    let mut actual: Vec<&str> = columns.iter().map(String::as_str).collect();
                    listed.sort_unstable();
                    actual.sort_unstable();
                    assert_eq!(listed, actual, "columns of {table}");
                }
                None => assert!(
                    derived.contains(&table.as_str()),
                    "table {table} is neither copied by migrate-db nor a derived rollup"
                ),
            }
        }
    }
}
