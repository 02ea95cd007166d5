//! The engine at scale (issue 10): ingest throughput against the raw SQLite ceiling, and the
//! latency of the read commands on a large history, alone and during a burst of writes.
//!
//! Run: `cargo bench --bench engine` (`BENCH_QUICK=1` for a smaller run, `BENCH_FEEDERS=N` for
//! N concurrent feeders in the ingest run instead of 8, `BENCH_INGEST_ONLY=1` to stop after the
//! ingest run, e.g. under a profiler, `BENCH_BACKENDS=sqlite` or `=postgres` for one backend).
//! Everything runs on SQLite, then again on PostgreSQL (issue 12) when its server is installed:
//! the benchmark starts a throwaway cluster with PostgreSQL's default settings, the same way the
//! tests do (`tests/common/pg.rs`), on a Unix socket. Its databases use
//! `synchronous_commit = off` to match SQLite's durability here (see `Target::url`), and ingest
//! is measured once more with PostgreSQL's durable default. It prints:
//! - ingest: answer and vote events per second through [`Engine::handle`] into a SQLite file in
//!   WAL mode (or a PostgreSQL database), fed by several concurrent tasks as a gateway would, next to the raw ceiling measured
//!   in the same run (plain `INSERT`s of the same rows, one transaction each), and the CPU time
//!   per event of each (steadier than rates on a shared machine);
//! - p50/p99 of `/leaderboard` (week, month, all, all with a tier filter) and `/stats` with
//!   100,000 answers in one channel and with 1,000,000 answers across 5,000 channels;
//! - the same reads while other channels receive a burst of answers and votes;
//! - peak resident memory (`VmHWM` of `/proc/self/status`).
//!
//! Targets (issue 10): ingest ≥ 5,000 events/s and ≥ 0.3 of the ceiling; every read p99 ≤ 5 ms,
//! ≤ 20 ms during the write burst. The large histories are written straight into the database
//! (as the 1,000,000-answer row was), in the schema the migrations create, then
//! [`store::rebuild_rollups`] derives the rollups exactly as `store::open` does for an old
//! database; everything measured goes through the engine API.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use interview_bot::bank::{Bank, Tier};
use interview_bot::engine::{
    Actor, ChannelRef, Command, Engine, EngineConfig, Inbound, Outbound, Period,
};
use interview_bot::platform::pictures;
use interview_bot::schedule::ManualClock;
use interview_bot::store;

/// The tests' throwaway PostgreSQL server, started here with PostgreSQL's own settings.
#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

/// Runs `$body` with `$p` bound to the driver's pool under a `&store::Pool` (one query text
/// with `$1` placeholders for both backends).
macro_rules! on_any {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            store::Pool::Sqlite($p) => $body,
            store::Pool::Postgres($p) => $body,
        }
    };
}

/// Where one run's databases live: SQLite files in a temporary folder, or databases on a
/// throwaway PostgreSQL server started by the benchmark.
enum Target {
    /// The folder holding the files.
    Sqlite(tempfile::TempDir),
    /// The server (stopped and removed when dropped).
    Postgres(pg::PgServer),
}

impl Target {
    /// The backend's name, for the printed lines.
    fn name(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "SQLite",
            Target::Postgres(_) => "PostgreSQL",
        }
    }

    /// The URL of a new, empty database called `name` (letters and `_`). On PostgreSQL the
    /// database gets `synchronous_commit = off` unless `durable`: the setting that matches
    /// SQLite's WAL with `synchronous = NORMAL` (a power cut may lose the last commits, never
    /// corrupt the database), so the two are compared on equal terms.
    async fn url(&self, name: &str, durable: bool) -> String {
        match self {
            Target::Sqlite(dir) => {
                format!(
                    "sqlite://{}",
                    dir.path().join(format!("{name}.db")).display()
                )
            }
            Target::Postgres(server) => {
                server.create_database(name).await;
                if !durable {
                    use sqlx::{ConnectOptions, Connection};
                    let mut admin = server.options("postgres").connect().await.expect("admin");
                    sqlx::query(&format!(
                        "ALTER DATABASE {name} SET synchronous_commit = off"
                    ))
                    .execute(&mut admin)
                    .await
                    .expect("synchronous_commit");
                    let _ = admin.close().await;
                }
                server.url(name)
            }
        }
    }
}

/// The platform name the benchmark's channels and members use.
const PLATFORM: &str = "bench";
/// Concurrent feeders in the ingest run unless `BENCH_FEEDERS` says otherwise (a gateway
/// delivers events of many channels at once).
const FEEDERS: usize = 8;

fn feeders() -> usize {
    std::env::var("BENCH_FEEDERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(FEEDERS)
}
/// Each read is measured this many times at most...
const MAX_SAMPLES: usize = 200;
/// ...or for this long, whichever comes first (the old code takes seconds per read)...
const SAMPLE_BUDGET: Duration = Duration::from_secs(4);
/// ...but at least this many times.
const MIN_SAMPLES: usize = 3;
/// One day in milliseconds.
const DAY_MS: i64 = 86_400_000;

fn ingest_only() -> bool {
    std::env::var_os("BENCH_INGEST_ONLY").is_some()
}

fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

fn member(n: usize) -> Actor {
    Actor {
        id: format!("u{n}"),
        name: format!("member{n}"),
        is_bot: false,
        can_manage: false,
    }
}

fn channel(n: usize) -> ChannelRef {
    ChannelRef::new(PLATFORM, &format!("c{n}"))
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time used by the whole process so far (all threads, user + system), in seconds, from
/// fields 14 and 15 of `/proc/self/stat` (clock ticks; `man 5 proc`), assuming the usual 100
/// ticks per second. Less sensitive to other load on the machine than wall time.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The command name (field 2) may hold spaces; the fields after it are plain.
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// An answer text of 60–150 words cut from a reference answer (so the checker does real work).
fn answer_text(bank: &Bank, i: usize) -> String {
    let qs = bank.questions();
    let q = &qs[i % qs.len()];
    let len = 60 + (i * 37) % 91;
    q.reference_answer
        .split_whitespace()
        .cycle()
        .take(len)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An engine on a new database `name` of `target` (see [`Target::url`] for `durable`).
async fn open_engine(
    target: &Target,
    name: &str,
    durable: bool,
    bank: Arc<Bank>,
    clock: Arc<ManualClock>,
) -> Engine {
    let url = target.url(name, durable).await;
    let pool = store::open(&url).await.expect("open");
    let config = EngineConfig {
        seed: Some(1),
        ..EngineConfig::default()
    };
    Engine::new(pool, bank, config, clock)
}

/// Asks one question in each channel and attaches it to thread `t<channel>`.
async fn ask_everywhere(engine: &Engine, channels: usize) {
    for c in 0..channels {
        let out = engine
            .handle(Inbound::Command {
                id: format!("ask-{c}"),
                channel: channel(c),
                thread: None,
                actor: member(0),
                command: Command::Ask {
                    topic: None,
                    tier: None,
                    blind: false,
                },
            })
            .await
            .expect("ask");
        for o in out {
            if let interview_bot::engine::Outbound::PostQuestion { card, .. } = o {
                engine
                    .attach(card.post, &format!("q{c}"), &format!("t{c}"))
                    .await
                    .expect("attach");
            }
        }
    }
}

/// Ingest: `answers` answers and as many votes, spread over 50 channels, fed by [`FEEDERS`] tasks.
/// `label` names the run (its databases are `<label>_engine` and `<label>_raw`); `durable` as
/// in [`Target::url`].
async fn ingest(target: &Target, label: &str, durable: bool, bank: Arc<Bank>, answers: usize) {
    const CHANNELS: usize = 50;
    let clock = Arc::new(ManualClock::new(start()));
    let engine = open_engine(
        target,
        &format!("{label}_engine"),
        durable,
        bank.clone(),
        clock,
    )
    .await;
    ask_everywhere(&engine, CHANNELS).await;
    let engine = Arc::new(engine);
    // Event i: answer i by member i/50 in channel i%50, then a vote on it by the next member.
    let texts: Arc<Vec<String>> = Arc::new((0..256).map(|i| answer_text(&bank, i)).collect());
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let mut tasks = Vec::new();
    let feeders = feeders();
    for f in 0..feeders {
        let (engine, texts) = (engine.clone(), texts.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = f;
            while i < answers {
                let c = i % CHANNELS;
                let author = i / CHANNELS + 1;
                engine
                    .handle(Inbound::Message {
                        channel: channel(c),
                        thread: format!("t{c}"),
                        message: format!("m{i}"),
                        actor: member(author),
                        text: texts[i % texts.len()].clone(),
                    })
                    .await
                    .expect("answer");
                engine
                    .handle(Inbound::ReactionAdded {
                        channel: channel(c),
                        message: format!("m{i}"),
                        emoji: "👍".into(),
                        actor: member(author + 1),
                    })
                    .await
                    .expect("vote");
                i += feeders;
            }
        }));
    }
    for t in tasks {
        t.await.expect("feeder");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let events = (2 * answers) as f64;
    let engine_rate = events / elapsed;
    let engine_cpu_us = (cpu_seconds() - cpu_started) / events * 1e6;

    // The raw ceiling: the same rows as plain inserts, one transaction each, into a fresh
    // database with the same posts and members.
    let raw_engine = open_engine(
        target,
        &format!("{label}_raw"),
        durable,
        bank.clone(),
        Arc::new(ManualClock::new(start())),
    )
    .await;
    ask_everywhere(&raw_engine, CHANNELS).await;
    // Row ids as the database gave them (PostgreSQL's identities skip values an upsert drew).
    let mut conn = raw_engine.pool().acquire().await.expect("conn");
    let mut users = Vec::new();
    for u in 0..=answers / CHANNELS + 2 {
        let id = store::user_id(&mut conn, PLATFORM, &format!("u{u}"), &format!("member{u}"))
            .await
            .expect("user");
        users.push(id.0);
    }
    drop(conn);
    let pool = raw_engine.pool().clone();
    // One post per channel, asked in channel order.
    let posts: Vec<i64> = on_any!(&pool, |p| sqlx::query_scalar(
        "SELECT id FROM posts ORDER BY id"
    )
    .fetch_all(p)
    .await
    .expect("posts"));
    let at = store::At(start());
    let started = Instant::now();
    let raw_cpu_started = cpu_seconds();
    for i in 0..answers {
        let c = i % CHANNELS;
        let author = i / CHANNELS + 1;
        on_any!(&pool, |p| {
            let mut tx = p.begin().await.expect("begin");
            let answer: i64 = sqlx::query_scalar(
                "INSERT INTO answers (post, author, message_id, body, score, report, late, answered_at)
                 VALUES ($1, $2, $3, $4, 50, '{}', FALSE, $5) RETURNING id",
            )
            .bind(posts[c])
            .bind(users[author])
            .bind(format!("m{i}"))
            .bind(&texts[i % texts.len()])
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .expect("insert answer");
            tx.commit().await.expect("commit");
            let mut tx = p.begin().await.expect("begin");
            sqlx::query(
                "INSERT INTO votes (answer, voter, emoji, voted_at) VALUES ($1, $2, '👍', $3)",
            )
            .bind(answer)
            .bind(users[author + 1])
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("insert vote");
            tx.commit().await.expect("commit");
        });
    }
    let raw_rate = events / started.elapsed().as_secs_f64();
    let raw_cpu_us = (cpu_seconds() - raw_cpu_started) / events * 1e6;
    println!(
        "ingest ({answers} answers + {answers} votes, {CHANNELS} channels, {feeders} feeders, {} {label}):\n  engine {engine_rate:>8.0} events/s   raw ceiling {raw_rate:>8.0} events/s   ratio {:.2}   (target ≥ 5,000/s and ≥ 0.3)",
        target.name(),
        engine_rate / raw_rate
    );
    println!(
        "  CPU time per event (all threads): engine {engine_cpu_us:.0} µs, raw ceiling {raw_cpu_us:.0} µs"
    );
}

/// Rows per multi-row `INSERT` in [`fill`] (at most 9 values each: far below both databases'
/// limits on bound values, SQLite's 32,766 and PostgreSQL's 65,535).
const FILL_BATCH: usize = 1_000;

/// Writes a history straight into the database: `channels` channels (with time zone
/// Europe/Berlin), `posts_per_channel` posts each, one per day ending at the clock's day,
/// `answers_per_post` answers per post by distinct members out of `members`, and a vote on every
/// second answer. Rows go in batches of [`FILL_BATCH`] in one transaction; on PostgreSQL the
/// identity sequences are then moved past the explicit ids, so the engine's own inserts follow.
async fn fill(
    store_pool: &store::Pool,
    bank: &Bank,
    channels: usize,
    posts_per_channel: usize,
    answers_per_post: usize,
    members: usize,
    now: DateTime<Utc>,
) {
    let qs = bank.questions();
    let tiers = [Tier::Junior, Tier::Mid, Tier::Senior, Tier::Staff];
    let last_day = now.timestamp_millis() - now.timestamp_millis() % DAY_MS;
    let at = |ms: i64| store::At(DateTime::from_timestamp_millis(ms).expect("time"));
    // (id, channel, question, topic, tier, posted_at ms, closed)
    let mut posts = Vec::new();
    // (id, post, author, score, late, answered_at ms)
    let mut answers = Vec::new();
    for c in 0..channels {
        for p in 0..posts_per_channel {
            let post_id = posts.len() as i64 + 1;
            let posted = last_day - (posts_per_channel - 1 - p) as i64 * DAY_MS + 7 * 3_600_000;
            let q = &qs[(post_id as usize * 7) % qs.len()];
            posts.push((
                post_id,
                c as i64 + 1,
                q.id.clone(),
                q.topic.clone(),
                tiers[post_id as usize % 4].as_str(),
                posted,
                p + 1 < posts_per_channel,
            ));
            for a in 0..answers_per_post {
                let answer_id = answers.len() as i64 + 1;
                let author = (c * 13 + p * 7 + a) % members;
                answers.push((
                    answer_id,
                    post_id,
                    author as i64 + 1,
                    (answer_id * 37) % 101,
                    answer_id % 50 == 0,
                    posted + 60_000 * a as i64,
                ));
            }
        }
    }
    on_any!(store_pool, |pool| {
        let mut tx = pool.begin().await.expect("begin");
        for chunk in (0..members).collect::<Vec<_>>().chunks(FILL_BATCH) {
            let mut q =
                sqlx::QueryBuilder::new("INSERT INTO users (id, platform, user_id, display_name) ");
            q.push_values(chunk, |mut b, &u| {
                b.push_bind(u as i64 + 1)
                    .push_bind(PLATFORM)
                    .push_bind(format!("u{u}"))
                    .push_bind(format!("member{u}"));
            });
            q.build().execute(&mut *tx).await.expect("users");
        }
        for chunk in (0..channels).collect::<Vec<_>>().chunks(FILL_BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO channels (id, platform, channel_id, workspace_id, time_zone) ",
            );
            q.push_values(chunk, |mut b, &c| {
                b.push_bind(c as i64 + 1)
                    .push_bind(PLATFORM)
                    .push_bind(format!("c{c}"))
                    .push_bind("w1")
                    .push_bind("Europe/Berlin");
            });
            q.build().execute(&mut *tx).await.expect("channels");
        }
        for chunk in posts.chunks(FILL_BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO posts (id, channel, question_id, topic, tier, message_id, thread_id,
                                    posted_at, closes_at, closed_at) ",
            );
            q.push_values(
                chunk,
                |mut b, (id, channel, question, topic, tier, posted, closed)| {
                    b.push_bind(*id)
                        .push_bind(*channel)
                        .push_bind(question.clone())
                        .push_bind(topic.clone())
                        .push_bind(*tier)
                        .push_bind(format!("q{id}"))
                        .push_bind(format!("t{id}"))
                        .push_bind(at(*posted))
                        .push_bind(at(posted + DAY_MS))
                        .push_bind(closed.then(|| at(posted + DAY_MS)));
                },
            );
            q.build().execute(&mut *tx).await.expect("posts");
        }
        for chunk in answers.chunks(FILL_BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO answers (id, post, author, message_id, body, score, report, late,
                                      answered_at) ",
            );
            q.push_values(chunk, |mut b, (id, post, author, score, late, answered)| {
                b.push_bind(*id)
                    .push_bind(*post)
                    .push_bind(*author)
                    .push_bind(format!("m{id}"))
                    .push_bind("an answer")
                    .push_bind(*score)
                    .push_bind("{}")
                    .push_bind(*late)
                    .push_bind(at(*answered));
            });
            q.build().execute(&mut *tx).await.expect("answers");
        }
        let voted: Vec<_> = answers.iter().filter(|a| a.0 % 2 == 0).collect();
        for chunk in voted.chunks(FILL_BATCH) {
            let mut q =
                sqlx::QueryBuilder::new("INSERT INTO votes (answer, voter, emoji, voted_at) ");
            q.push_values(chunk, |mut b, (id, post, author, ..)| {
                let posted = posts[*post as usize - 1].5;
                b.push_bind(*id)
                    .push_bind((*author % members as i64) + 1)
                    .push_bind("👍")
                    .push_bind(at(posted + 3_600_000));
            });
            q.build().execute(&mut *tx).await.expect("votes");
        }
        tx.commit().await.expect("commit");
    });
    if let store::Pool::Postgres(pool) = store_pool {
        for table in ["users", "channels", "posts", "answers"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                               (SELECT MAX(id) FROM {table}))"
            ))
            .execute(pool)
            .await
            .expect("setval");
        }
    }
    // BEFORE-REMOVE: the rollups of issue 10 (absent in the old schema).
    store::rebuild_rollups(store_pool).await.expect("rollups");
}

/// The reads the issue measures, as commands.
fn reads() -> Vec<(&'static str, Command)> {
    let board = |period, tier| Command::Leaderboard {
        period,
        tier,
        workspace: false,
    };
    vec![
        ("/leaderboard week", board(Period::Week, None)),
        ("/leaderboard month", board(Period::Month, None)),
        ("/leaderboard all", board(Period::All, None)),
        ("/leaderboard all mid", board(Period::All, Some(Tier::Mid))),
        ("/stats", Command::Stats { user: None }),
    ]
}

/// Drawings timed per picture-bearing read (the drawing is the same work every time).
const PICTURE_SAMPLES: usize = 50;

static COMMAND_ID: AtomicU64 = AtomicU64::new(0);

/// Measures each read in channels `0..channels` (cycling) and prints p50/p99 in ms.
async fn measure_reads(engine: &Engine, channels: usize, members: usize, label: &str) {
    println!("  {label}");
    for (name, command) in reads() {
        let mut samples = Vec::new();
        let mut picture = None;
        let started = Instant::now();
        while samples.len() < MAX_SAMPLES
            && (samples.len() < MIN_SAMPLES || started.elapsed() < SAMPLE_BUDGET)
        {
            let n = samples.len();
            let id = COMMAND_ID.fetch_add(1, Ordering::Relaxed);
            let event = Inbound::Command {
                id: format!("read-{id}"),
                channel: channel((n * 7919) % channels),
                thread: None,
                actor: member((n * 31) % members),
                command: command.clone(),
            };
            let t = Instant::now();
            let out = engine.handle(event).await.expect("read");
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(!out.is_empty(), "{name} replied nothing");
            picture = out
                .into_iter()
                .find(|a| matches!(a, Outbound::Picture { .. }));
        }
        samples.sort_by(f64::total_cmp);
        println!(
            "    {name:<22} p50 {:>9.2} ms   p99 {:>9.2} ms   ({} samples)",
            percentile(&samples, 0.5),
            percentile(&samples, 0.99),
            samples.len()
        );
        if let Some(p) = picture.take() {
            // Not part of the read: the adapter draws at delivery, on the blocking pool.
            let mut drawn = Vec::new();
            for _ in 0..PICTURE_SAMPLES {
                let t = Instant::now();
                let out = pictures::draw(p.clone());
                drawn.push(t.elapsed().as_secs_f64() * 1000.0);
                assert!(matches!(out, Outbound::File { .. }), "{name}: not drawn");
            }
            drawn.sort_by(f64::total_cmp);
            println!(
                "    {:<22} p50 {:>9.2} ms   p99 {:>9.2} ms   ({} samples; in the adapter, not the read)",
                format!("{name} drawing"),
                percentile(&drawn, 0.5),
                percentile(&drawn, 0.99),
                drawn.len()
            );
        }
    }
}

/// A history of `channels × posts × answers` answers; reads alone, then during a write burst in
/// 20 other channels.
/// The shape of a history [`fill`] writes.
struct History {
    /// What the printed line calls it.
    title: &'static str,
    channels: usize,
    /// Daily posts per channel.
    posts: usize,
    /// Answers per post.
    answers: usize,
    members: usize,
}

async fn reads_at_scale(target: &Target, label: &str, bank: Arc<Bank>, history: History) {
    let History {
        title,
        channels,
        posts,
        answers,
        members,
    } = history;
    let now = start() + chrono::Duration::days(posts as i64);
    let clock = Arc::new(ManualClock::new(now));
    let engine = open_engine(target, label, false, bank.clone(), clock).await;
    let started = Instant::now();
    fill(engine.pool(), &bank, channels, posts, answers, members, now).await;
    println!(
        "{title} on {}: {} answers in {channels} channel(s), {members} members (written in {:.1} s)",
        target.name(),
        channels * posts * answers,
        started.elapsed().as_secs_f64()
    );
    measure_reads(&engine, channels, members, "reads alone:").await;

    // The burst: 20 fresh channels receive answers and votes as fast as the engine takes them.
    const BURST_CHANNELS: usize = 20;
    let engine = Arc::new(engine);
    for c in 0..BURST_CHANNELS {
        let out = engine
            .handle(Inbound::Command {
                id: format!("burst-ask-{c}"),
                channel: channel(100_000 + c),
                thread: None,
                actor: member(0),
                command: Command::Ask {
                    topic: None,
                    tier: None,
                    blind: false,
                },
            })
            .await
            .expect("ask");
        for o in out {
            if let interview_bot::engine::Outbound::PostQuestion { card, .. } = o {
                engine
                    .attach(card.post, &format!("bq{c}"), &format!("bt{c}"))
                    .await
                    .expect("attach");
            }
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let texts: Arc<Vec<String>> = Arc::new((0..64).map(|i| answer_text(&bank, i)).collect());
    let mut tasks = Vec::new();
    for f in 0..4 {
        let (engine, stop, written, texts) =
            (engine.clone(), stop.clone(), written.clone(), texts.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = f;
            while !stop.load(Ordering::Relaxed) {
                let c = i % BURST_CHANNELS;
                let author = 1_000_000 + i / BURST_CHANNELS;
                let _ = engine
                    .handle(Inbound::Message {
                        channel: channel(100_000 + c),
                        thread: format!("bt{c}"),
                        message: format!("bm{i}"),
                        actor: member(author),
                        text: texts[i % texts.len()].clone(),
                    })
                    .await;
                let _ = engine
                    .handle(Inbound::ReactionAdded {
                        channel: channel(100_000 + c),
                        message: format!("bm{i}"),
                        emoji: "👍".into(),
                        actor: member(author + 1),
                    })
                    .await;
                written.fetch_add(2, Ordering::Relaxed);
                i += 4;
            }
        }));
    }
    let burst = Instant::now();
    measure_reads(&engine, channels, members, "reads during a write burst:").await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    println!(
        "    (the burst applied {:.0} events/s meanwhile)",
        written.load(Ordering::Relaxed) as f64 / burst.elapsed().as_secs_f64()
    );
}

/// Every measurement on one backend.
async fn run(target: &Target, bank: Arc<Bank>) {
    let q = quick();
    let n = if q { 2_000 } else { 10_000 };
    ingest(target, "ingest", false, bank.clone(), n).await;
    if let Target::Postgres(_) = target {
        // And with PostgreSQL's default, a flush to disk at every commit.
        ingest(target, "ingest_durable", true, bank.clone(), n).await;
    }
    if ingest_only() {
        return;
    }
    // 100,000 answers in one channel: 1,000 daily posts × 100 answers, 500 members.
    let busy = History {
        title: "one busy channel",
        channels: 1,
        posts: 1_000,
        answers: 100,
        members: 500,
    };
    reads_at_scale(target, "busy", bank.clone(), busy).await;
    if !q {
        // 1,000,000 answers across 5,000 channels: 20 daily posts × 10 answers each,
        // 50,000 members.
        let many = History {
            title: "many channels",
            channels: 5_000,
            posts: 20,
            answers: 10,
            members: 50_000,
        };
        reads_at_scale(target, "many", bank.clone(), many).await;
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    let bank = Arc::new(Bank::load_dir(&dir).expect("bank"));
    runtime.block_on(async {
        let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
        if backends.contains("sqlite") {
            let target = Target::Sqlite(tempfile::tempdir().expect("tempdir"));
            run(&target, bank.clone()).await;
        }
        if backends.contains("postgres") {
            // PostgreSQL's own settings; see `Target::url` for `synchronous_commit`.
            match pg::PgServer::start(pg::DEFAULTS) {
                Ok(server) => {
                    let target = Target::Postgres(server);
                    run(&target, bank.clone()).await;
                }
                Err(e) => println!("PostgreSQL: not measured ({e:?})"),
            }
        }
    });
    println!("peak RSS {:.0} MB", peak_rss_mb());
}
