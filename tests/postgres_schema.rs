//! The schema in both dialects (issue 12's foundation), on a real PostgreSQL server started by
//! the tests (`tests/common/pg.rs`; skipped with a message when PostgreSQL is not installed,
//! unless `INTERVIEW_BOT_REQUIRE_POSTGRES=1`):
//!
//! - the PostgreSQL migrations apply on a fresh database, and running them again (from a second
//!   pool, as a second bot process would) applies nothing;
//! - both dialects have the same tables, columns, views, indexes and triggers;
//! - one scenario of plain SQL (channels, posts, members, answers, edits, upserts, deletions,
//!   votes added and removed one by one and several per statement) run on both databases leaves
//!   the same answers and votes and the same three rollup tables, row for row, after every
//!   step, and those rollups are what `engine::points` gives for the stored answers;
//! - two transactions (two bot processes) adding first votes of one voter on one answer count the
//!   voter once (the vote triggers lock the answer's row);
//! - a SQLite database written by the binary before the migrations moved to `migrations/sqlite/`
//!   still opens (sqlx checks the recorded checksum of every applied migration).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use interview_bot::bank::Tier;
use interview_bot::engine::points;
use interview_bot::store::{self, MIGRATOR, PG_MIGRATOR};
use sqlx::{PgPool, SqlitePool};

// ---- migrations ----

#[tokio::test]
async fn postgres_migrations_apply_on_a_fresh_database_and_again() {
    let Some(db) = common::pg::database("migrations_apply").await else {
        return;
    };
    let pool = db.pool().await;
    PG_MIGRATOR.run(&pool).await.expect("PostgreSQL migrations");
    let history = |pool: PgPool| async move {
        sqlx::query_as::<_, (i64, String, bool, Vec<u8>, String)>(
            "SELECT version, description, success, checksum, installed_on::text
             FROM _sqlx_migrations ORDER BY version",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let first = history(pool.clone()).await;
    let expected: Vec<(i64, String, bool, Vec<u8>)> = PG_MIGRATOR
        .iter()
        .map(|m| {
            (
                m.version,
                m.description.to_string(),
                true,
                m.checksum.to_vec(),
            )
        })
        .collect();
    assert_eq!(
        first
            .iter()
            .map(|(v, d, s, c, _)| (*v, d.clone(), *s, c.clone()))
            .collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        expected.iter().map(|m| m.0).collect::<Vec<_>>(),
        MIGRATOR.iter().map(|m| m.version).collect::<Vec<_>>(),
        "the two dialects have the same versions"
    );

    // Again, from another pool (another process starting): nothing new is applied.
    let second_pool = db.pool().await;
    PG_MIGRATOR.run(&second_pool).await.expect("second run");
    PG_MIGRATOR.run(&pool).await.expect("third run");
    assert_eq!(history(second_pool).await, first);
    let built: bool = sqlx::query_scalar("SELECT built FROM rollup_state")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!built, "rollups start unbuilt, as on SQLite");
}

/// Tables and their columns, views, indexes (named ones) and triggers of a SQLite database.
async fn sqlite_shape(pool: &SqlitePool) -> BTreeMap<String, BTreeSet<String>> {
    let objects: Vec<(String, String)> = sqlx::query_as(
        "SELECT type, name FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut shape: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (kind, name) in objects {
        if kind == "table" || kind == "view" {
            let columns: Vec<String> =
                sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{name}')"))
                    .fetch_all(pool)
                    .await
                    .unwrap();
            shape.insert(format!("{kind} {name}"), columns.into_iter().collect());
        } else {
            shape.insert(format!("{kind} {name}"), BTreeSet::new());
        }
    }
    shape
}

/// The same for a PostgreSQL database (primary-key indexes are implicit in both, left out).
async fn postgres_shape(pool: &PgPool) -> BTreeMap<String, BTreeSet<String>> {
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT CASE t.table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END, c.table_name::text,
                c.column_name::text
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'public' AND c.table_name NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut shape: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (kind, table, column) in columns {
        shape
            .entry(format!("{kind} {table}"))
            .or_default()
            .insert(column);
    }
    let others: Vec<String> = sqlx::query_scalar(
        "SELECT 'index ' || indexname::text FROM pg_indexes
         WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'
           AND tablename NOT LIKE '\\_sqlx%'
         UNION ALL
         SELECT 'trigger ' || tgname::text FROM pg_trigger WHERE NOT tgisinternal",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for name in others {
        shape.insert(name, BTreeSet::new());
    }
    shape
}

#[tokio::test]
async fn both_dialects_have_the_same_schema() {
    let Some(db) = common::pg::database("same_schema").await else {
        return;
    };
    let pg = db.pool().await;
    PG_MIGRATOR.run(&pg).await.unwrap();
    let (_dir, url) = common::temp_db();
    let lite = common::sqlite(&store::open(&url).await.unwrap()).clone();
    let (lite_shape, pg_shape) = (sqlite_shape(&lite).await, postgres_shape(&pg).await);
    assert!(lite_shape.contains_key("table answers") && lite_shape.len() > 20);
    assert_eq!(pg_shape, lite_shape);
}

// ---- one scenario on both databases ----

#[derive(Clone, Copy, Debug)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A time literal: SQLite holds INTEGER milliseconds, PostgreSQL timestamptz.
    fn at(self, minutes: i64) -> String {
        let ms = 1_772_442_000_000 + minutes * 60_000; // 2026-03-02 09:00 UTC
        match self {
            Dialect::Sqlite => ms.to_string(),
            Dialect::Postgres => format!("to_timestamp({ms} / 1000.0)"),
        }
    }
}

/// Day numbers as `answers.day` holds them (days from 0001-01-01).
const MONDAY: i32 = 739_677;

/// The scenario, one statement per step, in the dialect given. Ids are explicit so that both
/// databases number rows alike (SQLite may reuse a deleted row's id, a PostgreSQL identity
/// never does).
fn scenario(d: Dialect) -> Vec<String> {
    let answer = |id: i64, post: i64, author: i64, score: i64, late: bool, day: Option<i32>| {
        let day = day.map_or("NULL".to_string(), |d| d.to_string());
        format!(
            "({id}, {post}, {author}, 'm{id}', 'answer {id}', {score}, '{{}}', {late}, {}, {day})",
            d.at(id)
        )
    };
    let insert_answers = |rows: &[String]| {
        format!(
            "INSERT INTO answers (id, post, author, message_id, body, score, report, late,
                                  answered_at, day) VALUES {}",
            rows.join(", ")
        )
    };
    // The store's upsert (a member's later answer replaces the earlier one).
    let upsert = |row: String| {
        format!(
            "{} ON CONFLICT (post, author) DO UPDATE SET message_id = excluded.message_id,
                 body = excluded.body, score = excluded.score, report = excluded.report,
                 late = excluded.late, answered_at = excluded.answered_at, day = excluded.day,
                 edited_at = NULL",
            insert_answers(&[row])
        )
    };
    let vote = |rows: &[(i64, i64, &str)]| {
        let rows: Vec<String> = rows
            .iter()
            .map(|(a, v, e)| format!("({a}, {v}, '{e}', {})", d.at(100)))
            .collect();
        format!(
            "INSERT INTO votes (answer, voter, emoji, voted_at) VALUES {} ON CONFLICT DO NOTHING",
            rows.join(", ")
        )
    };
    let mut steps = vec![
        "INSERT INTO channels (id, platform, channel_id, workspace_id, time_zone) VALUES
             (1, 'discord', '111', 'g1', 'UTC'), (2, 'slack', 'C2', 'T1', 'Europe/Berlin')"
            .to_string(),
        format!(
            "INSERT INTO users (id, platform, user_id, display_name) VALUES {}",
            (1..=8)
                .map(|i| format!("({i}, 'discord', 'u{i}', 'member {i}')"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!(
            "INSERT INTO posts (id, channel, question_id, topic, tier, message_id, thread_id,
                                posted_at, closes_at) VALUES
             (1, 1, 'gil-1', 'gil', 'junior', 'pm1', 'th1', {t0}, {t1}),
             (2, 1, 'async-1', 'asyncio', 'mid', 'pm2', 'th2', {t0}, {t1}),
             (3, 1, 'gil-2', 'gil', 'senior', 'pm3', 'th3', {t0}, {t1}),
             (4, 2, 'sql-1', 'sql', 'staff', 'pm4', 'th4', {t0}, {t1}),
             (5, 2, 'gil-3', 'gil', 'mid', 'pm5', 'th5', {t0}, {t1})",
            t0 = d.at(0),
            t1 = d.at(24 * 60)
        ),
    ];
    // Answers one by one: 50 × 1.25 = 62.5 and 67 × 1.5 = 100.5 round half up, 1 × 1.25 down.
    for row in [
        answer(1, 1, 1, 73, false, Some(MONDAY)),
        answer(2, 2, 1, 50, false, Some(MONDAY)),
        answer(3, 2, 2, 1, false, Some(MONDAY)),
        answer(4, 3, 2, 67, false, Some(MONDAY + 1)),
        answer(5, 3, 3, 90, true, Some(MONDAY + 2)),
        answer(6, 4, 4, 55, false, Some(MONDAY)),
        answer(7, 5, 5, 81, false, None),
    ] {
        steps.push(insert_answers(&[row]));
    }
    steps.extend([
        // Two answers in one statement.
        insert_answers(&[
            answer(8, 1, 2, 40, false, Some(MONDAY)),
            answer(9, 1, 3, 95, false, Some(MONDAY + 1)),
        ]),
        // Votes: one at a time up to seven voters (five count), a voter's second emoji, two
        // emoji of one voter in one statement, a repeated vote, a vote on a late answer.
        vote(&[(2, 2, "👍")]),
        vote(&[(2, 2, "🔥")]),
        vote(&[(2, 3, "👍"), (2, 3, "🔥")]),
        vote(&[(2, 4, "👍"), (2, 5, "👍"), (2, 6, "👍")]),
        vote(&[(2, 7, "👍")]),
        vote(&[(2, 8, "👍")]),
        vote(&[(2, 8, "👍")]),
        vote(&[(5, 1, "👍")]),
        vote(&[(6, 1, "👍"), (6, 2, "👍"), (6, 2, "🎯")]),
        vote(&[(9, 1, "👍"), (9, 4, "👍")]),
        vote(&[(4, 1, "👍")]),
        // An edit re-scores; an upsert replaces one answer (and changes its day) and inserts
        // another.
        format!(
            "UPDATE answers SET score = 88, body = 'better', edited_at = {} WHERE id = 1",
            d.at(30)
        ),
        upsert(answer(10, 2, 2, 40, false, Some(MONDAY + 3))),
        upsert(answer(11, 4, 1, 100, false, Some(MONDAY))),
        // An answer turns late; an edit that changes nothing points depend on.
        "UPDATE answers SET late = true WHERE id = 8".to_string(),
        "UPDATE answers SET body = 'typo fixed' WHERE id = 4".to_string(),
        // Vote removals: one emoji of two (no change), one voter of seven (still capped), then
        // three voters in one statement, then both emoji of one voter in one statement.
        "DELETE FROM votes WHERE answer = 2 AND voter = 2 AND emoji = '🔥'".to_string(),
        "DELETE FROM votes WHERE answer = 2 AND voter = 7".to_string(),
        "DELETE FROM votes WHERE answer = 2 AND voter IN (4, 5, 6)".to_string(),
        "DELETE FROM votes WHERE answer = 6 AND voter = 2".to_string(),
        "DELETE FROM votes WHERE answer = 5".to_string(),
        // Deleting an answer the way the store does (its votes first), and one with its votes
        // still on it (they go by ON DELETE CASCADE).
        "DELETE FROM votes WHERE answer = 6".to_string(),
        "DELETE FROM answers WHERE id = 6".to_string(),
        "DELETE FROM answers WHERE id = 9".to_string(),
        // Several answers change day in one statement (rollup rows move between days).
        "UPDATE answers SET day = day + 1 WHERE post = 1".to_string(),
        // A member's last answer in a channel goes: its rollup rows go with it.
        "DELETE FROM answers WHERE id = 7".to_string(),
    ]);
    steps
}

/// A rollup row as `key -> (answers, late, points, score_sum)`.
type Rollups = BTreeMap<String, (i64, i64, i64, i64)>;

const ROLLUP_QUERIES: [&str; 3] = [
    "SELECT 'topic/' || channel || '/' || member || '/' || topic, answers, late, points, score_sum
     FROM rollup_topics",
    "SELECT 'member/' || channel || '/' || member || '/' || tier, answers, CAST(0 AS BIGINT), points,
            score_sum FROM rollup_members",
    "SELECT 'day/' || channel || '/' || day || '/' || member || '/' || tier, answers, CAST(0 AS BIGINT),
            points, score_sum FROM rollup_days",
];

/// Each answer with what its points need: (id, channel, author, tier, topic, day, late, score,
/// distinct voters).
type AnswerRow = (i64, i64, i64, String, String, Option<i64>, i64, i64, i64);

const ANSWERS_QUERY: &str = "SELECT a.id, p.channel, a.author, p.tier, p.topic,
        CAST(a.day AS BIGINT), CAST(CASE WHEN a.late THEN 1 ELSE 0 END AS BIGINT), a.score,
        (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id)
     FROM answers a JOIN posts p ON p.id = a.post ORDER BY a.id";

/// The rollups the points formula gives for `answers` (what the triggers must keep).
fn expected_rollups(answers: &[AnswerRow]) -> Rollups {
    let mut out = Rollups::new();
    let mut add = |key: String, late: i64, points: i64, score: i64| {
        let e = out.entry(key).or_default();
        *e = (e.0 + 1, e.1 + late, e.2 + points, e.3 + score);
    };
    for (_, channel, author, tier, topic, day, late, score, voters) in answers {
        let t = Tier::from_word(tier).expect("a stored tier");
        let points = points::points(*score, t, *voters, *late == 1);
        add(
            format!("topic/{channel}/{author}/{topic}"),
            *late,
            points,
            *score,
        );
        if *late == 0 {
            add(
                format!("member/{channel}/{author}/{tier}"),
                0,
                points,
                *score,
            );
            if let Some(day) = day {
                add(
                    format!("day/{channel}/{day}/{author}/{tier}"),
                    0,
                    points,
                    *score,
                );
            }
        }
    }
    out
}

async fn sqlite_state(pool: &SqlitePool) -> (Vec<AnswerRow>, Rollups) {
    let answers = sqlx::query_as(ANSWERS_QUERY).fetch_all(pool).await.unwrap();
    let mut rollups = Rollups::new();
    for q in ROLLUP_QUERIES {
        let rows: Vec<(String, i64, i64, i64, i64)> =
            sqlx::query_as(q).fetch_all(pool).await.unwrap();
        rollups.extend(rows.into_iter().map(|(k, a, l, p, s)| (k, (a, l, p, s))));
    }
    (answers, rollups)
}

async fn postgres_state(pool: &PgPool) -> (Vec<AnswerRow>, Rollups) {
    let answers = sqlx::query_as(ANSWERS_QUERY).fetch_all(pool).await.unwrap();
    let mut rollups = Rollups::new();
    for q in ROLLUP_QUERIES {
        let rows: Vec<(String, i64, i64, i64, i64)> =
            sqlx::query_as(q).fetch_all(pool).await.unwrap();
        rollups.extend(rows.into_iter().map(|(k, a, l, p, s)| (k, (a, l, p, s))));
    }
    (answers, rollups)
}

#[tokio::test]
async fn rollups_agree_row_for_row_with_sqlite_and_the_points_formula() {
    let Some(db) = common::pg::database("rollups_agree").await else {
        return;
    };
    let pg = db.pool().await;
    PG_MIGRATOR.run(&pg).await.unwrap();
    // What the store does on an empty database: the rollups are derived (nothing to derive)
    // and the triggers go live. `store::open` does it on SQLite.
    sqlx::query("UPDATE rollup_state SET built = true")
        .execute(&pg)
        .await
        .unwrap();
    let (_dir, url) = common::temp_db();
    let lite = common::sqlite(&store::open(&url).await.unwrap()).clone();

    let (lite_steps, pg_steps) = (scenario(Dialect::Sqlite), scenario(Dialect::Postgres));
    let mut voted_points = false;
    for (i, (l, p)) in lite_steps.iter().zip(&pg_steps).enumerate() {
        sqlx::query(l)
            .execute(&lite)
            .await
            .unwrap_or_else(|e| panic!("SQLite step {i}: {e}\n{l}"));
        sqlx::query(p)
            .execute(&pg)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL step {i}: {e}\n{p}"));
        let (lite_answers, lite_rollups) = sqlite_state(&lite).await;
        let (pg_answers, pg_rollups) = postgres_state(&pg).await;
        assert_eq!(pg_answers, lite_answers, "answers after step {i}: {p}");
        assert_eq!(pg_rollups, lite_rollups, "rollups after step {i}: {p}");
        assert_eq!(
            pg_rollups,
            expected_rollups(&pg_answers),
            "rollups against the points formula after step {i}: {p}"
        );
        voted_points |= pg_answers.iter().any(|a| a.8 >= 6);
    }
    // The scenario reached what it is meant to cover.
    assert!(voted_points, "an answer had more than five voters");
    let (answers, rollups) = postgres_state(&pg).await;
    // Eleven ids, answer 10 an upsert onto answer 3, answers 6, 7 and 9 deleted.
    assert_eq!(answers.len(), 7);
    // Answer 2 (mid, 50 → 63) had seven voters and ends with three (2, 3 and 8): 63 + 30.
    assert_eq!(rollups["member/1/1/mid"], (1, 0, 93, 50));
    // Answer 11 (staff, 100, no votes) and nothing of deleted answer 6 remains for member 4.
    assert_eq!(rollups["member/2/1/staff"], (1, 0, 200, 100));
    assert!(!rollups.keys().any(|k| k.starts_with("member/2/4/")));
    // Member 5's only answer was deleted: no rows left.
    assert!(!rollups.keys().any(|k| k.contains("/5/")));
}

// ---- SQLite databases from before the move ----

#[tokio::test]
async fn sqlite_databases_written_before_the_move_still_open() {
    // `tests/data/sqlite_before_pg.sqlite` was written by the binary at commit 4b108a1 (migrations in
    // `migrations/`) running `tests/data/sqlite_before_pg.txt` in the console.
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sqlite_before_pg.sqlite");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("bot.db");
    std::fs::copy(&fixture, &copy).unwrap();
    let url = format!("sqlite://{}", copy.display());
    let before: Vec<(i64, Vec<u8>)> = {
        let pool = SqlitePool::connect(&url).await.unwrap();
        let rows =
            sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        rows
    };
    assert_eq!(before.len(), 2, "the fixture has the whole old history");
    let pool = store::open(&url)
        .await
        .expect("a database written before the move opens with the new migrator");
    let pool = common::sqlite(&pool).clone();
    let after: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    // The old history stays as it was (nothing re-applied or rewritten); only migrations added
    // since the fixture was written follow it.
    assert_eq!(after[..before.len()], before[..], "nothing re-applied");
    assert_eq!(
        after,
        MIGRATOR
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect::<Vec<_>>()
    );
    // Its history reads back: three answers, and the rollups of the points formula.
    let (answers, rollups) = sqlite_state(&pool).await;
    assert_eq!(answers.len(), 3);
    assert_eq!(rollups, expected_rollups(&answers));
}

// ---- two processes on one PostgreSQL ----

/// Two transactions (two bot processes) each add a first vote of the same voter on one answer,
/// with different emoji. Each alone would count the voter; the vote trigger locks the answer's
/// row, so the second waits for the first to commit, then sees its vote and counts nothing.
#[tokio::test]
async fn concurrent_votes_of_one_voter_count_once() {
    let Some(db) = common::pg::database("concurrent_votes").await else {
        return;
    };
    let pg = db.pool().await;
    PG_MIGRATOR.run(&pg).await.unwrap();
    sqlx::query("UPDATE rollup_state SET built = true")
        .execute(&pg)
        .await
        .unwrap();
    // Channels, members, posts and answer 1 (junior, 73) by member 1.
    for step in &scenario(Dialect::Postgres)[..4] {
        sqlx::query(step).execute(&pg).await.unwrap();
    }
    let vote = |emoji: &str| {
        format!(
            "INSERT INTO votes (answer, voter, emoji, voted_at) VALUES (1, 2, '{emoji}', now())"
        )
    };
    let mut first = pg.begin().await.unwrap();
    sqlx::query(&vote("👍")).execute(&mut *first).await.unwrap();

    let (pid_tx, pid_rx) = tokio::sync::oneshot::channel::<i32>();
    let second = {
        let (pg, sql) = (pg.clone(), vote("🔥"));
        tokio::spawn(async move {
            let mut tx = pg.begin().await.unwrap();
            let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            pid_tx.send(pid).unwrap();
            sqlx::query(&sql).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    // Wait until the second transaction is blocked on a lock (a state, not a duration).
    let pid = pid_rx.await.unwrap();
    let mut waits = 0;
    loop {
        let waiting: Option<String> =
            sqlx::query_scalar("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1")
                .bind(pid)
                .fetch_one(&pg)
                .await
                .unwrap();
        if waiting.as_deref() == Some("Lock") {
            break;
        }
        waits += 1;
        assert!(waits < 2_000, "the second vote never waited for the first");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    first.commit().await.unwrap();
    second.await.unwrap();

    let (answers, rollups) = postgres_state(&pg).await;
    assert_eq!(answers[0].8, 1, "one distinct voter");
    assert_eq!(rollups, expected_rollups(&answers));
    assert_eq!(rollups["member/1/1/junior"], (1, 0, 73 + 10, 73));
}
