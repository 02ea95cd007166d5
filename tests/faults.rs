//! Faults: the database busy (another connection holds the write lock past the busy timeout) or
//! read-only, Discord and Slack answering 429 and 5xx, and the process killed with SIGKILL in
//! the middle of a burst. In each case nothing acknowledged is lost and nothing is applied twice.
//! Every case runs on SQLite and on PostgreSQL; the busy and read-only faults are each
//! backend's own (SQLite: the file's write lock, a read-only file; PostgreSQL: a table lock
//! held by another session, `default_transaction_read_only`).

mod common;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use common::fake_discord::{FakeDiscord, CHANNEL};
use common::fake_slack::{self, FakeSlack};
use interview_bot::engine::{command, Actor, ChannelRef, Engine, Error, Inbound, Outbound};
use interview_bot::platform::discord;
use interview_bot::platform::slack;
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use poise::serenity_prelude as serenity;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
    ))
}

fn chan(platform: &str, id: &str) -> ChannelRef {
    ChannelRef::new(platform, id)
}

fn who(name: &str) -> Actor {
    Actor {
        id: format!("u-{name}"),
        name: name.into(),
        is_bot: false,
        can_manage: false,
    }
}

fn ask(channel: &ChannelRef, id: &str, name: &str) -> Inbound {
    Inbound::Command {
        id: id.into(),
        channel: channel.clone(),
        thread: None,
        actor: who(name),
        command: command::parse("/ask gil").unwrap(),
    }
}

fn answer(channel: &ChannelRef, thread: &str, message: &str, name: &str) -> Inbound {
    Inbound::Message {
        channel: channel.clone(),
        thread: thread.into(),
        message: message.into(),
        actor: who(name),
        text: "The GIL is a mutex in CPython: only one thread runs bytecode at a time, and it is \
               released during blocking I/O so threads still help I/O-bound work."
            .into(),
    }
}

/// A pool on the same file as [`store::open`] makes, with a short busy timeout (so a test does
/// not wait the production 5 s) or read-only.
async fn pool_with(url: &str, busy: Duration, read_only: bool) -> store::Pool {
    let options = SqliteConnectOptions::from_str(url)
        .unwrap()
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(busy)
        .read_only(read_only);
    store::Pool::Sqlite(
        SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .unwrap(),
    )
}

/// One BIGINT value of `sql` (no parameters), on either backend.
async fn count(pool: &store::Pool, sql: &str) -> i64 {
    any_pool!(pool, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await
        .unwrap())
}

fn post_of(out: &[Outbound]) -> Option<store::PostId> {
    out.iter().find_map(|o| match o {
        Outbound::PostQuestion { card, .. } => Some(card.post),
        _ => None,
    })
}

fn internal(result: Result<Vec<Outbound>, Error>, what: &str) -> String {
    match result {
        Err(e @ Error::Internal(_)) => e.to_string(),
        other => panic!("{what}: expected an internal error, got {other:?}"),
    }
}

// SQLite only: its file-wide write lock and busy timeout; PostgreSQL's equivalent (a table lock
// another session holds) is `a_locked_postgres_table_...` below.
#[tokio::test]
async fn a_busy_database_fails_clearly_and_the_event_applies_once_when_resubmitted() {
    let (_dir, url) = common::temp_db();
    drop(store::open(&url).await.unwrap()); // migrations
    let pool = pool_with(&url, Duration::from_millis(100), false).await;
    let e = Engine::new(pool, common::bank(), common::config(), clock());
    let c = chan("test", "general");
    let post = post_of(&e.handle(ask(&c, "c1", "alice")).await.unwrap()).unwrap();
    e.attach(post, "q1", "t1").await.unwrap();

    // Another process holds SQLite's write lock past the busy timeout.
    let mut other = SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    both_fail_with(&e, &c, "database is locked").await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    nothing_kept_then_each_applies_once(&e, &c).await;
}

/// An answer in thread `t1` and a command (`c2`) both fail with an internal error containing
/// `needle` (the database refused them).
async fn both_fail_with(e: &Engine, c: &ChannelRef, needle: &str) {
    let err = internal(e.handle(answer(c, "t1", "m1", "bob")).await, "answer");
    assert!(err.contains(needle), "{err}");
    let err = internal(e.handle(ask(c, "c2", "carol")).await, "command");
    assert!(err.contains(needle), "{err}");
}

/// After [`both_fail_with`]: nothing of either was kept (the command is not marked processed);
/// resubmitted (a platform's redelivery, a catch-up), each applies once, and a further repeat
/// changes nothing.
async fn nothing_kept_then_each_applies_once(e: &Engine, c: &ChannelRef) {
    let pool = e.pool();
    assert_eq!(count(pool, "SELECT COUNT(*) FROM answers").await, 0);
    assert_eq!(count(pool, "SELECT COUNT(*) FROM posts").await, 1);
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM processed_events WHERE event_id = 'c2'"
        )
        .await,
        0
    );
    for _ in 0..2 {
        e.handle(answer(c, "t1", "m1", "bob")).await.unwrap();
        e.handle(ask(c, "c2", "carol")).await.unwrap();
    }
    assert_eq!(count(pool, "SELECT COUNT(*) FROM answers").await, 1);
    assert_eq!(count(pool, "SELECT COUNT(*) FROM posts").await, 2);
}

// SQLite only: a read-only file; PostgreSQL's equivalent (`default_transaction_read_only`) is
// `a_read_only_postgres_database_...` below.
#[tokio::test]
async fn a_read_only_database_fails_clearly_and_the_event_applies_once_later() {
    let (_dir, url) = common::temp_db();
    drop(store::open(&url).await.unwrap());
    let c = chan("test", "general");
    let ro = Engine::new(
        pool_with(&url, Duration::from_millis(100), true).await,
        common::bank(),
        common::config(),
        clock(),
    );
    let err = internal(ro.handle(ask(&c, "c1", "alice")).await, "command");
    assert!(err.contains("readonly"), "{err}");
    drop(ro);

    // The same database writable again (remounted, permissions fixed): the event applies once.
    let e = Engine::new(
        store::open(&url).await.unwrap(),
        common::bank(),
        common::config(),
        clock(),
    );
    assert!(post_of(&e.handle(ask(&c, "c1", "alice")).await.unwrap()).is_some());
    assert!(e.handle(ask(&c, "c1", "alice")).await.unwrap().is_empty());
    assert_eq!(count(e.pool(), "SELECT COUNT(*) FROM posts").await, 1);
}

/// The tables an answer and a command write (besides the rollups their triggers keep).
const WRITTEN: &str = "posts, answers, users, processed_events";

/// Another session locks the tables the bot writes in `EXCLUSIVE` mode, which lets others read
/// them but not write them (postgresql.org/docs/current/explicit-locking.html), as SQLite's
/// write lock does; `ROLLBACK` on the returned connection releases the locks.
async fn lock_tables(db: &common::pg::TestDatabase) -> sqlx::PgConnection {
    let mut other = db.options.connect().await.unwrap();
    sqlx::query("BEGIN").execute(&mut other).await.unwrap();
    sqlx::query(&format!("LOCK TABLE {WRITTEN} IN EXCLUSIVE MODE"))
        .execute(&mut other)
        .await
        .unwrap();
    other
}

/// PostgreSQL has no busy timeout: a statement waits for a lock as long as it is held, unless
/// `lock_timeout` is set. With it set (here 100 ms, on a pool of the test's own) an event
/// behind the lock fails clearly and nothing of it is kept; resubmitted, it applies once. The
/// store's own pool sets it to SQLite's busy timeout (5 s), and an event behind a lock released
/// sooner waits for it and then applies, once.
#[tokio::test]
async fn a_locked_postgres_table_fails_past_the_lock_timeout_and_the_event_applies_once() {
    let Some(db) = common::pg::database("a_locked_postgres_table").await else {
        return;
    };
    store::open(&db.url).await.unwrap().close().await; // migrations
    let options = db.options.clone().options([("lock_timeout", "100ms")]);
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap();
    let e = Engine::new(
        store::Pool::Postgres(pool),
        common::bank(),
        common::config(),
        clock(),
    );
    let c = chan("test", "general");
    let post = post_of(&e.handle(ask(&c, "c1", "alice")).await.unwrap()).unwrap();
    e.attach(post, "q1", "t1").await.unwrap();

    let mut other = lock_tables(&db).await;
    both_fail_with(&e, &c, "lock timeout").await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    nothing_kept_then_each_applies_once(&e, &c).await;

    // The store's own pool: the answer waits behind the lock (seen in pg_stat_activity), and
    // applies once the lock is released.
    let e = Arc::new(Engine::new(
        store::open(&db.url).await.unwrap(),
        common::bank(),
        common::config(),
        clock(),
    ));
    let timeout: String = sqlx::query_scalar("SHOW lock_timeout")
        .fetch_one(e.pool().as_postgres().unwrap())
        .await
        .unwrap();
    assert_eq!(
        timeout, "5s",
        "the store's pool gives up on a lock as SQLite does"
    );
    let mut other = lock_tables(&db).await;
    let waiting = tokio::spawn({
        let (e, c) = (e.clone(), c.clone());
        async move { e.handle(answer(&c, "t1", "m2", "dave")).await }
    });
    let behind_the_lock = "SELECT COUNT(*) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'";
    // Polled: PostgreSQL tells no one when a session starts waiting.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while count(e.pool(), behind_the_lock).await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the answer never waited for the lock"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!waiting.is_finished(), "it waits while the lock is held");
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let told = waiting.await.unwrap().unwrap();
    assert!(
        told.iter()
            .any(|o| matches!(o, Outbound::React { message, .. } if message == "m2")),
        "dave's answer is acknowledged: {told:?}"
    );
    e.handle(answer(&c, "t1", "m2", "dave")).await.unwrap();
    assert_eq!(count(e.pool(), "SELECT COUNT(*) FROM answers").await, 2);
}

/// A PostgreSQL database whose sessions start read-only (`ALTER DATABASE … SET
/// default_transaction_read_only = on`, as an operator may set while the database must not
/// change): the event fails clearly; the store does not open there (its migrations write);
/// once writable again, the event applies once.
#[tokio::test]
async fn a_read_only_postgres_database_fails_clearly_and_the_event_applies_once_later() {
    let Some(db) = common::pg::database("a_read_only_postgres_database").await else {
        return;
    };
    store::open(&db.url).await.unwrap().close().await; // migrations
    let mut admin = common::pg::server()
        .unwrap()
        .options("postgres")
        .connect()
        .await
        .unwrap();
    let set = |on: &str| {
        format!(
            "ALTER DATABASE {} SET default_transaction_read_only = {on}",
            db.name
        )
    };
    sqlx::query(&set("on")).execute(&mut admin).await.unwrap();
    let c = chan("test", "general");
    // New sessions are read-only: a pool opened now.
    let ro = Engine::new(
        store::Pool::Postgres(db.pool().await),
        common::bank(),
        common::config(),
        clock(),
    );
    let err = internal(ro.handle(ask(&c, "c1", "alice")).await, "command");
    assert!(err.contains("read-only transaction"), "{err}");
    drop(ro);
    let refused = store::open(&db.url)
        .await
        .expect_err("a read-only database");
    assert!(
        refused.to_string().contains("read-only transaction"),
        "{refused}"
    );

    // Writable again: the event applies once.
    sqlx::query(&set("off")).execute(&mut admin).await.unwrap();
    let e = Engine::new(
        store::open(&db.url).await.unwrap(),
        common::bank(),
        common::config(),
        clock(),
    );
    assert!(post_of(&e.handle(ask(&c, "c1", "alice")).await.unwrap()).is_some());
    assert!(e.handle(ask(&c, "c1", "alice")).await.unwrap().is_empty());
    assert_eq!(count(e.pool(), "SELECT COUNT(*) FROM posts").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_429_and_5xx_are_retried_nothing_lost_nothing_doubled() {
    for db in common::databases("discord_429_and_5xx_are_retried").await {
        println!(
            "discord_429_and_5xx_are_retried_nothing_lost_nothing_doubled on {}",
            db.backend
        );
        discord_429_and_5xx_on(&db.url).await;
    }
}

async fn discord_429_and_5xx_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let e = Engine::new(
        store::open(url).await.unwrap(),
        common::bank(),
        common::config(),
        clock(),
    );
    let http = serenity::HttpBuilder::new("OTAw.fake.token")
        .proxy(fake.url.clone())
        .ratelimiter_disabled(true)
        .build();
    let c = chan(discord::PLATFORM, &CHANNEL.to_string());
    let actions = e.handle(ask(&c, "i1", "alice")).await.unwrap();
    assert!(post_of(&actions).is_some());

    // The question: two server errors, then a rate limit on the thread.
    let messages = format!("/channels/{CHANNEL}/messages");
    fake.fail_next("POST", &messages, 2, 500);
    fake.fail_next("POST", "/threads", 1, 429);
    // A DM: the DM channel call fails once; a reaction is rate limited twice.
    fake.fail_next("POST", "/users/@me/channels", 1, 503);
    fake.fail_next("PUT", "/reactions/", 2, 429);
    let mut all = actions;
    all.push(Outbound::Private {
        channel: c.clone(),
        thread: None,
        user: "202".into(),
        text: "Your answer scored 80/100.".into(),
    });
    all.push(Outbound::React {
        channel: c.clone(),
        message: "4242".into(),
        emoji: "✅".into(),
    });
    discord::deliver(&http, &e, all).await;

    let calls = fake.calls();
    let n = |method: &str, part: &str| {
        calls
            .iter()
            .filter(|c| c.method == method && c.path.contains(part))
            .count()
    };
    assert_eq!(fake.failed().len(), 6, "{:#?}", fake.failed());
    let questions = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with(&messages))
        .count();
    assert_eq!(questions, 1, "one question message: {calls:#?}");
    assert_eq!(n("POST", "/threads"), 1);
    assert_eq!(n("POST", "/users/@me/channels"), 1);
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.body["content"] == "Your answer scored 80/100.")
            .count(),
        1
    );
    assert_eq!(n("PUT", "/reactions/"), 1);
    // The post was attached once: nothing is left to deliver after a restart.
    assert!(e.undelivered().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_429_and_5xx_are_retried_nothing_lost_nothing_doubled() {
    for db in common::databases("slack_429_and_5xx_are_retried").await {
        println!(
            "slack_429_and_5xx_are_retried_nothing_lost_nothing_doubled on {}",
            db.backend
        );
        slack_429_and_5xx_on(&db.url).await;
    }
}

async fn slack_429_and_5xx_on(url: &str) {
    let fake = FakeSlack::start().await;
    let e = Arc::new(Engine::new(
        store::open(url).await.unwrap(),
        common::bank(),
        common::config(),
        clock(),
    ));
    let config = fake.bot_config();
    let bot = slack::start(&config, e.clone()).await.unwrap();
    fake.wait_connected(1).await;
    let c = chan(slack::PLATFORM, fake_slack::CHANNEL);
    let actions = e.handle(ask(&c, "s1", "UALICE")).await.unwrap();
    assert!(post_of(&actions).is_some());

    fake.fail_next("chat.postMessage", 2, 500);
    fake.fail_next("chat.postEphemeral", 1, 429);
    let mut all = actions;
    all.push(Outbound::Private {
        channel: c.clone(),
        thread: None,
        user: "UBOB".into(),
        text: "Your answer scored 80/100.".into(),
    });
    bot.deliver(all).await;

    assert_eq!(fake.failed().len(), 3, "{:#?}", fake.failed());
    assert_eq!(fake.calls_of("chat.postMessage").len(), 1);
    assert_eq!(fake.calls_of("chat.postEphemeral").len(), 1);
    assert!(e.undelivered().await.unwrap().is_empty());
    bot.shutdown().await;
}

/// The console binary gets a question and then a burst of answers from 300 members on standard
/// input; after the 40th acknowledgement (the ✅ it prints once an answer is committed) it is
/// killed with SIGKILL. On the same database file: every acknowledged answer is there, nobody's
/// twice; a restart that is fed the whole burst again ends with each member's answer once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_burst_keeps_every_acknowledged_answer_once() {
    for db in common::databases("a_process_killed_mid_burst").await {
        println!(
            "a_process_killed_mid_burst_keeps_every_acknowledged_answer_once on {}",
            db.backend
        );
        killed_mid_burst_on(&db.url).await;
    }
}

async fn killed_mid_burst_on(url: &str) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    const MEMBERS: usize = 300;
    const KILL_AFTER: usize = 40;
    let burst: String = (0..MEMBERS)
        .map(|i| {
            format!(
                "m{i}: The GIL is a mutex so only one thread runs bytecode at a time (member {i}).\n"
            )
        })
        .collect();
    let spawn = |stdout: std::process::Stdio| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .args(["console", "--now", "2026-03-02 09:00"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DATABASE_URL", url)
            .env("INTERVIEW_BOT_SEED", "7")
            .stdin(std::process::Stdio::piped())
            .stdout(stdout)
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary")
    };
    let mut child = spawn(std::process::Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let input = format!("alice: /ask gil\n{burst}");
    // Written from a task of its own: the pipe fills while the bot works through it.
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(input.as_bytes()).await;
        stdin
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(rest) = line.strip_prefix("[bot reacts ✅ to ") {
            acknowledged.push(rest.trim_end_matches("'s answer]").to_string());
            if acknowledged.len() == KILL_AFTER {
                child.start_kill().unwrap(); // SIGKILL
                break;
            }
        }
    }
    child.wait().await.unwrap();
    let _ = writer.await;
    assert_eq!(acknowledged.len(), KILL_AFTER);

    let pool = store::open(url).await.unwrap();
    let per_member: Vec<(String, i64)> = any_pool!(&pool, |p| {
        sqlx::query_as(
        "SELECT u.display_name, COUNT(*) FROM answers a JOIN users u ON u.id = a.author GROUP BY u.id",
    )
    .fetch_all(p)
    .await
    .unwrap()
    });
    assert!(
        per_member.iter().all(|(_, n)| *n == 1),
        "someone twice: {per_member:?}"
    );
    for name in &acknowledged {
        assert!(
            per_member.iter().any(|(n, _)| n == name),
            "{name} was acknowledged but is missing"
        );
    }
    // The kill came mid-burst: not every member was stored yet.
    assert!(per_member.len() < MEMBERS, "{}", per_member.len());
    pool.close().await;

    // Restart on the same file and send the burst again (a redelivery): each member once.
    // Nobody reads this run's output: it goes nowhere instead of filling a pipe.
    let mut child = spawn(std::process::Stdio::null());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(burst.as_bytes()).await.unwrap();
    drop(stdin);
    let status = child.wait().await.unwrap();
    assert!(status.success());
    let pool = store::open(url).await.unwrap();
    let (rows, members): (i64, i64) = any_pool!(&pool, |p| sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT author) FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!((rows, members), (MEMBERS as i64, MEMBERS as i64));
    pool.close().await;
}

/// The bot posted a question on Slack and stopped before recording it: at the next start the
/// post is offered again ([`Engine::undelivered`]), and the adapter finds the message by the
/// metadata every question carries, records it, and posts nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slack_question_posted_before_a_crash_is_recorded_not_posted_again() {
    for db in common::databases("a_slack_question_posted_before_a_crash").await {
        println!(
            "a_slack_question_posted_before_a_crash_is_recorded_not_posted_again on {}",
            db.backend
        );
        posted_before_a_crash_on(&db.url).await;
    }
}

async fn posted_before_a_crash_on(url: &str) {
    let fake = FakeSlack::start().await;
    let e = Arc::new(Engine::new(
        store::open(url).await.unwrap(),
        common::bank(),
        common::config(),
        clock(),
    ));
    let c = chan(slack::PLATFORM, fake_slack::CHANNEL);
    // Two questions asked while no Slack connection delivers them: the first reached Slack
    // (the process stopped right after `chat.postMessage`), the second did not.
    let first = post_of(&e.handle(ask(&c, "s1", "UALICE")).await.unwrap()).unwrap();
    let second = post_of(&e.handle(ask(&c, "s2", "UBOB")).await.unwrap()).unwrap();
    let metadata = serde_json::to_value(slack::question_metadata(first)).unwrap();
    assert_eq!(metadata["event_type"], slack::QUESTION_EVENT);
    let ts = fake.bot_posted("the first question", metadata);
    assert_eq!(e.undelivered().await.unwrap().len(), 2);

    let bot = slack::start(&fake.bot_config(), e.clone()).await.unwrap();
    fake.wait_connected(1).await;
    assert!(e.undelivered().await.unwrap().is_empty());
    let posted = fake.calls_of("chat.postMessage");
    assert_eq!(posted.len(), 1, "only the second is posted: {posted:#?}");
    assert_eq!(
        posted[0]["metadata"]["event_payload"]["post"],
        second.to_string(),
        "each question carries its post in the metadata"
    );
    let threads: Vec<(i64, String)> = any_pool!(e.pool(), |p| sqlx::query_as(
        "SELECT id, thread_id FROM posts ORDER BY id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(threads[0].1, format!("{}:{ts}", fake_slack::CHANNEL));
    bot.shutdown().await;
}
