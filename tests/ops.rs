//! Running like a service: the built binary works from a folder without the repository (the
//! bank is embedded), `run` without a platform leaves no database behind, `/healthz` and
//! `/metrics` answer on an ephemeral port, `backup` round-trips every answer, and retention
//! prunes processed-event ids older than 30 days (fake clock).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use interview_bot::app::{Retention, PRUNE_EVERY};
use interview_bot::engine::{command, Actor, ChannelRef, Engine, Inbound, Outbound};
use interview_bot::ops::server::{self, Health, OpsState, Probe};
use interview_bot::schedule::ManualClock;
use interview_bot::store::{self, AnswerScope, PostId};

const BIN: &str = env!("CARGO_BIN_EXE_interview-bot");

/// Variables that would point the binary at the repository or at a platform.
const ENV_CLEARED: &[&str] = &[
    "INTERVIEW_BOT_QUESTIONS",
    "DATABASE_URL",
    "DISCORD_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "INTERVIEW_BOT_METRICS_ADDR",
];

/// Runs the built binary in `dir` with `args`, feeding `stdin`.
fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in ENV_CLEARED {
        cmd.env_remove(var);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("the binary finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn t(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap()
}

/// The channel the scenarios happen in. The metrics test uses a platform name of its own: the
/// recorder is process-wide and the other tests run beside it.
fn chan() -> ChannelRef {
    ChannelRef::new(PLATFORM.with(|p| p.get()), "general")
}

thread_local! {
    static PLATFORM: std::cell::Cell<&'static str> = const { std::cell::Cell::new("test") };
}

fn member(name: &str) -> Actor {
    Actor {
        id: format!("u-{name}"),
        name: name.into(),
        is_bot: false,
        can_manage: false,
    }
}

async fn cmd(e: &Engine, id: &str, who: &str, text: &str) -> Vec<Outbound> {
    e.handle(Inbound::Command {
        id: id.into(),
        channel: chan(),
        thread: None,
        actor: member(who),
        command: command::parse(text).unwrap(),
    })
    .await
    .unwrap()
}

/// Asks a question and delivers it as a platform would (message `q<N>`, thread `t<N>`).
async fn ask(e: &Engine, id: &str) -> PostId {
    for o in cmd(e, id, "ann", "/ask gil senior").await {
        if let Outbound::PostQuestion { card, .. } = o {
            let (m, t) = (format!("q{}", card.post), format!("t{}", card.post));
            e.attach(card.post, &m, &t).await.unwrap();
            return card.post;
        }
    }
    panic!("/ask posted no question");
}

async fn answer(e: &Engine, post: PostId, who: &str, text: &str) {
    e.handle(Inbound::Message {
        channel: chan(),
        thread: format!("t{post}"),
        message: format!("m-{post}-{who}"),
        actor: member(who),
        text: text.into(),
    })
    .await
    .unwrap();
}

// SQLite only: it checks the console's default database, an SQLite file in the working folder.
#[test]
fn questions_stats_and_console_work_from_a_folder_without_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let stats = run_in(dir.path(), &["questions", "stats"], "");
    assert!(stats.status.success(), "{}", text(&stats.stderr));
    let bank = common::bank();
    let last = text(&stats.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        last.starts_with(&format!("{} topics", bank.topics().len()))
            && last.ends_with(&format!(" {}", bank.questions().len())),
        "the totals line counts the whole embedded bank: {last}"
    );

    let console = run_in(
        dir.path(),
        &["console", "--now", "2026-03-02 09:00", "--seed", "7"],
        "alice: /ask gil senior\n\
         alice: Only one thread at a time runs Python bytecode because it must hold the GIL, so \
         CPU-bound work needs processes; blocking I/O releases the lock.\n",
    );
    let out = text(&console.stdout);
    assert!(console.status.success(), "{}", text(&console.stderr));
    assert!(out.contains("Question #1"), "a question was posted: {out}");
    assert!(out.contains("/100"), "the answer was scored: {out}");
    assert!(
        dir.path().join("interview-bot.db").exists(),
        "the console keeps its database in the working folder"
    );
}

#[test]
fn run_without_a_platform_says_what_to_set_and_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["run"], "");
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let err = text(&run.stderr);
    assert!(
        err.contains("DISCORD_TOKEN") && err.contains("SLACK_BOT_TOKEN"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing is created: {left:?}");
}

#[test]
fn a_bad_questions_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &["--questions", "missing", "questions", "stats"],
        "",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot read the question folder"),
        "{}",
        text(&out.stderr)
    );
}

/// A probe whose answer the test sets.
fn switch(up: &Arc<AtomicBool>) -> Probe {
    let up = up.clone();
    Arc::new(move || {
        let up = up.load(Ordering::SeqCst);
        Box::pin(async move { up })
    })
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

#[tokio::test]
async fn healthz_and_metrics_answer_on_an_ephemeral_port() {
    let metrics = interview_bot::ops::metrics::install().expect("the recorder installs");
    for db in common::databases("healthz_and_metrics_answer_on_an_ephemeral_port").await {
        println!(
            "healthz_and_metrics_answer_on_an_ephemeral_port on {}",
            db.backend
        );
        // A platform name per backend: the counters of one run must not add to the other's.
        let platform = match db.backend {
            "sqlite" => "metrics-test",
            _ => "metrics-test-postgres",
        };
        healthz_and_metrics_answer_on_an_ephemeral_port_on(&db.url, metrics.clone(), platform)
            .await;
    }
}

async fn healthz_and_metrics_answer_on_an_ephemeral_port_on(
    url: &str,
    metrics: metrics_exporter_prometheus::PrometheusHandle,
    platform: &'static str,
) {
    PLATFORM.with(|p| p.set(platform));
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 9)));
    let pool = store::open(url).await.unwrap();
    let engine = Engine::new(pool.clone(), common::bank(), common::config(), clock);
    let post = ask(&engine, "i1").await;
    answer(
        &engine,
        post,
        "bob",
        "Only one thread at a time runs bytecode.",
    )
    .await;

    let discord = Arc::new(AtomicBool::new(true));
    let state = OpsState {
        pool: pool.clone(),
        platforms: vec![("discord", switch(&discord))],
        metrics,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (addr, task) = server::serve("127.0.0.1:0".parse().unwrap(), state, async {
        let _ = stopped.await;
    })
    .await
    .expect("binds an ephemeral port");
    let base = format!("http://{addr}");

    let (code, body) = get(&format!("{base}/healthz")).await;
    assert_eq!(code, 200, "{body}");
    let health: Health = serde_json::from_str(&body).unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.store, "ok");
    assert_eq!(health.platforms["discord"], "connected");

    let (code, body) = get(&format!("{base}/metrics")).await;
    assert_eq!(code, 200);
    for expected in [
        format!("interview_bot_events_total{{platform=\"{platform}\",kind=\"command\"}} 1"),
        format!("interview_bot_events_total{{platform=\"{platform}\",kind=\"message\"}} 1"),
        format!("interview_bot_answers_scored_total{{platform=\"{platform}\"}} 1"),
        "interview_bot_platform_connected{platform=\"discord\"} 1".to_string(),
        "# TYPE interview_bot_event_seconds histogram".to_string(),
        format!("interview_bot_event_seconds_count{{platform=\"{platform}\",kind=\"message\"}} 1"),
    ] {
        assert!(body.contains(&expected), "missing `{expected}` in:\n{body}");
    }
    let posts = body
        .lines()
        .find_map(|l| l.strip_prefix("interview_bot_posts_total "))
        .and_then(|v| v.parse::<f64>().ok());
    assert!(posts.is_some_and(|n| n >= 1.0), "posts counted: {body}");

    discord.store(false, Ordering::SeqCst);
    let (code, body) = get(&format!("{base}/healthz")).await;
    assert_eq!(code, 503, "{body}");
    let health: Health = serde_json::from_str(&body).unwrap();
    assert_eq!(health.status, "unavailable");
    assert_eq!(health.platforms["discord"], "disconnected");
    let (_, body) = get(&format!("{base}/metrics")).await;
    assert!(body.contains("interview_bot_platform_connected{platform=\"discord\"} 0"));

    discord.store(true, Ordering::SeqCst);
    pool.close().await;
    let (code, body) = get(&format!("{base}/healthz")).await;
    assert_eq!(code, 503, "{body}");
    let health: Health = serde_json::from_str(&body).unwrap();
    assert_ne!(health.store, "ok", "the store's error is reported: {body}");

    let _ = stop.send(());
    task.await.unwrap();
}

// SQLite only: `backup` is SQLite's `VACUUM INTO` (on PostgreSQL it refuses and names
// `pg_dump`, tested in `tests/backends.rs`).
#[tokio::test]
async fn backup_while_running_restores_every_answer() {
    let (dir, url) = common::temp_db();
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 9)));
    let engine = Engine::new(
        store::open(&url).await.unwrap(),
        common::bank(),
        common::config(),
        clock,
    );
    let mut posts = Vec::new();
    for (i, who) in ["bob", "cat", "dan"].iter().enumerate() {
        let post = ask(&engine, &format!("ask-{i}")).await;
        for author in ["bob", "cat", "dan", "eve"] {
            let words = format!("{author} says only one thread at a time runs bytecode ({who}).");
            answer(&engine, post, author, &words).await;
        }
        posts.push(post);
    }

    // The engine (and its pool) stay open: the backup is taken while the bot runs.
    let backup = dir.path().join("backup.db");
    let out = Command::new(BIN)
        .args(["backup", backup.to_str().unwrap(), "--database", &url])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 posts, 12 answers"),
        "{}",
        text(&out.stdout)
    );

    let again = Command::new(BIN)
        .args(["backup", backup.to_str().unwrap(), "--database", &url])
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
    assert!(text(&again.stderr).contains("already exists"));

    // Restore: the copy becomes the database of a new bot.
    let restored_path = dir.path().join("restored.db");
    std::fs::copy(&backup, &restored_path).unwrap();
    let restored = store::open(&format!("sqlite://{}", restored_path.display()))
        .await
        .unwrap();
    let (mut live, mut back) = (
        engine.pool().acquire().await.unwrap(),
        restored.acquire().await.unwrap(),
    );
    for post in posts {
        let scope = || AnswerScope::Post(post);
        let want = store::scored_answers_in(&mut live, scope(), None, None)
            .await
            .unwrap();
        let got = store::scored_answers_in(&mut back, scope(), None, None)
            .await
            .unwrap();
        assert_eq!(want.len(), 4);
        let key = |a: &store::ScoredAnswer| (a.id, a.author_name.clone(), a.score, a.answered_at);
        assert_eq!(
            got.iter().map(key).collect::<Vec<_>>(),
            want.iter().map(key).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn retention_prunes_processed_event_ids_older_than_30_days() {
    for db in common::databases("retention_prunes_processed_event_ids_older_than_30_days").await {
        println!(
            "retention_prunes_processed_event_ids_older_than_30_days on {}",
            db.backend
        );
        retention_prunes_processed_event_ids_older_than_30_days_on(&db.url).await;
    }
}

async fn retention_prunes_processed_event_ids_older_than_30_days_on(url: &str) {
    let start = t(2026, 3, 2, 9);
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(
        store::open(url).await.unwrap(),
        common::bank(),
        common::config(),
        clock.clone(),
    );
    ask(&engine, "old").await;
    clock.advance(Duration::days(20));
    ask(&engine, "young").await;
    clock.advance(Duration::minutes(30));
    ask(&engine, "edge").await;
    clock.advance(Duration::days(11) - Duration::minutes(30)); // start + 31 days

    let mut retention = Retention::default();
    assert_eq!(
        retention.run(&engine).await.unwrap(),
        1,
        "only the 31-day-old id goes"
    );
    assert!(
        cmd(&engine, "young", "ann", "/ask gil senior")
            .await
            .is_empty(),
        "the 11-day-old id is kept, so its repeat is still ignored"
    );

    clock.advance(Duration::days(19) + Duration::minutes(15)); // start + 50 days 15 min
    assert_eq!(
        retention.run(&engine).await.unwrap(),
        1,
        "`young` is now over 30 days old; `edge` (15 minutes younger than 30 days) stays"
    );
    clock.advance(Duration::minutes(30));
    assert_eq!(
        retention.run(&engine).await.unwrap(),
        0,
        "`edge` is over 30 days old now, but the last prune was under {PRUNE_EVERY} ago"
    );
    clock.advance(Duration::minutes(30));
    assert_eq!(
        retention.run(&engine).await.unwrap(),
        1,
        "due again: `edge` goes"
    );
    assert_eq!(retention.run(&engine).await.unwrap(), 0);
}

#[tokio::test]
async fn the_running_bot_reports_healthy_once_discord_is_connected() {
    for db in common::databases("the_running_bot_reports_healthy_once_discord_is_connected").await {
        println!(
            "the_running_bot_reports_healthy_once_discord_is_connected on {}",
            db.backend
        );
        the_running_bot_reports_healthy_once_discord_is_connected_on(&db.url).await;
    }
}

async fn the_running_bot_reports_healthy_once_discord_is_connected_on(url: &str) {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let fake = common::fake_discord::FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = tokio::process::Command::new(BIN);
    bot.args(["run", "--metrics-addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for var in ENV_CLEARED {
        bot.env_remove(var);
    }
    let mut bot = bot
        .env("DATABASE_URL", url)
        .env("DISCORD_TOKEN", "OTAw.fake.token")
        .env("DISCORD_API_URL", &fake.url)
        .env("DISCORD_GUILD_ID", common::fake_discord::GUILD.to_string())
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("the bot starts");
    let mut stderr = BufReader::new(bot.stderr.take().expect("stderr")).lines();
    let base = loop {
        let line = stderr
            .next_line()
            .await
            .unwrap()
            .expect("the bot says where it serves /healthz");
        if let Some(addr) = line.strip_prefix("serving /healthz and /metrics on ") {
            break addr.to_string();
        }
    };
    // Keep reading what the bot prints so that its pipe never fills.
    let printed = tokio::spawn(async move {
        let mut all = String::new();
        while let Ok(Some(line)) = stderr.next_line().await {
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    fake.wait_identified(1).await;

    // READY is handled by serenity in the background: wait (at most 10 s) for the shard to
    // report itself connected. This waits for a state; it asserts nothing about time.
    let mut health = get(&format!("{base}/healthz")).await;
    for _ in 0..500 {
        if health.0 == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        health = get(&format!("{base}/healthz")).await;
    }
    assert_eq!(health.0, 200, "{}", health.1);
    let body: Health = serde_json::from_str(&health.1).unwrap();
    assert_eq!(body.platforms["discord"], "connected");
    assert_eq!(
        body.platforms.len(),
        1,
        "only configured platforms are listed"
    );
    let (_, metrics) = get(&format!("{base}/metrics")).await;
    assert!(
        metrics.contains("interview_bot_platform_connected{platform=\"discord\"} 1"),
        "{metrics}"
    );

    let pid = bot.id().expect("still running").to_string();
    let term = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(term.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), bot.wait())
        .await
        .expect("the bot stops on SIGTERM")
        .unwrap();
    let printed = printed.await.unwrap();
    assert!(status.success(), "{status:?}\n{printed}");
    assert!(printed.contains("shutting down"), "{printed}");
}

#[tokio::test]
async fn the_tick_loop_runs_retention() {
    for db in common::databases("the_tick_loop_runs_retention").await {
        println!("the_tick_loop_runs_retention on {}", db.backend);
        the_tick_loop_runs_retention_on(&db.url).await;
    }
}

async fn the_tick_loop_runs_retention_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 9)));
    let engine = Arc::new(Engine::new(
        store::open(url).await.unwrap(),
        common::bank(),
        common::config(),
        clock.clone(),
    ));
    ask(&engine, "old").await;
    assert!(cmd(&engine, "old", "ann", "/ask gil senior")
        .await
        .is_empty());
    clock.advance(Duration::days(31));

    let (ticked, mut ticks) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let looping = tokio::spawn({
        let engine = engine.clone();
        async move {
            let deliver = |_: Vec<Outbound>| {
                let ticked = ticked.clone();
                async move {
                    let _ = ticked.send(());
                }
            };
            let stop = async {
                let _ = stopped.await;
            };
            interview_bot::app::tick_loop(
                &engine,
                std::time::Duration::from_millis(5),
                deliver,
                stop,
            )
            .await;
        }
    });
    // The first tick delivers, then prunes before the loop looks at `stop` again.
    ticks.recv().await.expect("a tick ran");
    let _ = stop.send(());
    looping.await.unwrap();

    let again = cmd(&engine, "old", "ann", "/ask gil senior").await;
    assert!(
        again
            .iter()
            .any(|o| matches!(o, Outbound::PostQuestion { .. })),
        "the 31-day-old id was pruned, so the same id counts as new: {again:?}"
    );
}
