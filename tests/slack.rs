//! The real bot (slack-morphism, Socket Mode) against an in-process fake Slack: ask, answer in
//! the thread, votes, leaderboard, a permission refusal, a scheduled post, a retried event applied
//! once, and a restart with nothing lost.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::fake_slack::{FakeSlack, BOT_USER, CHANNEL};
use interview_bot::engine::Engine;
use interview_bot::platform::slack::{self, SlackBot};
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use serde_json::{json, Value};

const ALICE: &str = "UALICE"; // a workspace admin
const BOB: &str = "UBOB";
const CAROL: &str = "UCAROL";

struct Bot {
    engine: Arc<Engine>,
    slack: SlackBot,
}

async fn start_bot(fake: &FakeSlack, url: &str, clock: Arc<ManualClock>, connections: u64) -> Bot {
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
    let config = fake.bot_config();
    let slack = slack::start(&config, engine.clone()).await.unwrap();
    fake.wait_connected(connections).await;
    Bot { engine, slack }
}

async fn wait(rx: tokio::sync::watch::Receiver<u64>, n: u64) {
    let mut rx = rx;
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&h| h >= n))
        .await
        .expect("not in time")
        .unwrap();
}

fn thread_message(user: &str, ts: &str, thread_ts: &str, text: &str) -> Value {
    json!({"type": "message", "channel": CHANNEL, "user": user, "text": text, "ts": ts,
           "thread_ts": thread_ts, "event_ts": ts, "channel_type": "channel"})
}

fn reaction(user: &str, ts: &str, add: bool) -> Value {
    json!({"type": if add { "reaction_added" } else { "reaction_removed" }, "user": user,
           "reaction": "+1", "item_user": ALICE,
           "item": {"type": "message", "channel": CHANNEL, "ts": ts}, "event_ts": "1772440999.000001"})
}

/// The score of `user`'s answer (there is one), on either backend.
async fn score_of(engine: &Engine, user: &str) -> i64 {
    let sql = "SELECT a.score FROM answers a JOIN users u ON u.id = a.author WHERE u.user_id = $1";
    any_pool!(engine.pool(), |p| sqlx::query_scalar(sql)
        .bind(user)
        .fetch_one(p)
        .await
        .unwrap())
}

/// One BIGINT value of `sql` (no parameters), on either backend.
async fn scalar(engine: &Engine, sql: &str) -> i64 {
    any_pool!(engine.pool(), |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await
        .unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_study_group_on_slack() {
    for db in common::databases("the_study_group_on_slack").await {
        println!("the_study_group_on_slack on {}", db.backend);
        the_study_group_on_slack_on(&db.url).await;
    }
}

async fn the_study_group_on_slack_on(url: &str) {
    let fake = FakeSlack::start().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
    ));
    let bot = start_bot(&fake, url, clock.clone(), 1).await;

    // /ask gil senior: acknowledged, then a Block Kit question in the channel.
    let env = fake.command(CAROL, "/ask", "gil senior", "trigger-1");
    fake.wait_for("the ack", |f| {
        f.acks().iter().any(|a| a["envelope_id"] == env)
    })
    .await;
    wait(bot.engine.attached(), 1).await;
    let posted = fake.calls_of("chat.postMessage");
    assert_eq!(posted.len(), 1);
    assert!(
        posted[0]["blocks"].to_string().contains("senior"),
        "{posted:#?}"
    );
    let (question_id, thread): (String, String) = any_pool!(bot.engine.pool(), |p| {
        sqlx::query_as("SELECT question_id, thread_id FROM posts")
            .fetch_one(p)
            .await
            .unwrap()
    });
    let thread_ts = thread.split_once(':').unwrap().1.to_string();
    let reference = bot
        .engine
        .bank()
        .question(&question_id)
        .unwrap()
        .reference_answer
        .clone();

    // alice answers in the thread: a ✅ reaction and private feedback.
    let answer = thread_message(ALICE, "1772441000.000001", &thread_ts, &reference);
    fake.event(answer.clone(), "Ev1", 0);
    fake.wait_for("the reaction and the feedback", |f| {
        !f.calls_of("reactions.add").is_empty() && !f.ephemerals_to(ALICE).is_empty()
    })
    .await;
    assert_eq!(
        fake.calls_of("reactions.add")[0]["name"],
        "white_check_mark"
    );
    assert!(fake.ephemerals_to(ALICE)[0].contains("scored"));
    // Slack retries the same event: applied once.
    fake.event(answer, "Ev1", 1);
    // bob answers with a definition; a bot message is ignored.
    fake.event(
        thread_message(
            BOB,
            "1772441000.000002",
            &thread_ts,
            "The GIL is a lock in Python everyone mentions.",
        ),
        "Ev2",
        0,
    );
    let mut bot_message = thread_message(BOT_USER, "1772441000.000003", &thread_ts, "beep");
    bot_message["bot_id"] = json!("BBOT");
    fake.event(bot_message, "Ev3", 0);
    // Votes: bob +1 (counts), alice on herself and the bot (ignored), carol adds and removes.
    fake.event(reaction(BOB, "1772441000.000001", true), "Ev4", 0);
    fake.event(reaction(ALICE, "1772441000.000001", true), "Ev5", 0);
    fake.event(reaction(BOT_USER, "1772441000.000001", true), "Ev6", 0);
    fake.event(reaction(CAROL, "1772441000.000001", true), "Ev7", 0);
    wait(bot.engine.handled(), 9).await; // 1 command + 8 events (one of them a retry)
    fake.event(reaction(CAROL, "1772441000.000001", false), "Ev8", 0);
    wait(bot.engine.handled(), 10).await;
    // Delivery follows handling: wait for both marks, then check there is no third.
    fake.wait_for("both answers marked", |f| {
        f.calls_of("reactions.add").len() >= 2
    })
    .await;
    assert_eq!(
        fake.calls_of("reactions.add").len(),
        2,
        "alice's and bob's answers, each once"
    );
    let votes = scalar(&bot.engine, "SELECT COUNT(*) FROM votes").await;
    assert_eq!(votes, 1);

    // The leaderboard, privately to bob.
    fake.command(BOB, "/leaderboard", "", "trigger-2");
    fake.wait_for("the leaderboard", |f| {
        f.ephemerals_to(BOB)
            .iter()
            .any(|t| t.contains("Leaderboard"))
    })
    .await;
    let board = fake
        .ephemerals_to(BOB)
        .into_iter()
        .find(|t| t.contains("Leaderboard"))
        .unwrap();
    let points = (score_of(&bot.engine, ALICE).await as f64 * 1.5).round() as i64 + 10;
    assert!(
        board.contains(&format!("1. {} — {points} points", "alice")),
        "{board}"
    );

    // /qotd needs an admin: carol is refused, alice (an admin) schedules.
    fake.command(
        CAROL,
        "/qotd",
        "schedule \"0 9 * * *\" mid Europe/Berlin",
        "trigger-3",
    );
    fake.wait_for("the refusal", |f| {
        f.ephemerals_to(CAROL)
            .iter()
            .any(|t| t.contains("only members who can manage"))
    })
    .await;
    fake.command(
        ALICE,
        "/qotd",
        "schedule \"0 9 * * *\" mid Europe/Berlin",
        "trigger-4",
    );
    fake.wait_for("the schedule", |f| {
        f.calls_of("chat.postMessage").iter().any(|p| {
            p["text"]
                .as_str()
                .is_some_and(|t| t.contains("Question of the day scheduled"))
        })
    })
    .await;

    // 09:00 Berlin: the scheduled question.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 0).unwrap());
    let due = bot.engine.tick().await.unwrap();
    bot.slack.deliver(due).await;
    assert!(fake
        .calls_of("chat.postMessage")
        .iter()
        .any(|p| p["blocks"].to_string().contains("Question of the day")));

    // Restart: nothing lost; an edit after it re-scores; a deletion withdraws.
    let before = score_of(&bot.engine, BOB).await;
    let Bot { engine, slack } = bot;
    slack.shutdown().await;
    drop(engine);
    let bot = start_bot(&fake, url, clock.clone(), 2).await;
    let answers = scalar(&bot.engine, "SELECT COUNT(*) FROM answers").await;
    assert_eq!(answers, 2);
    let edited = json!({"type": "message", "subtype": "message_changed", "channel": CHANNEL, "hidden": true,
        "ts": "1772441100.000001", "event_ts": "1772441100.000001", "channel_type": "channel",
        "message": {"type": "message", "user": BOB, "ts": "1772441000.000002", "thread_ts": thread_ts,
            "text": "Only one thread at a time can execute Python bytecode, so for CPU-bound work I use multiprocessing: separate processes, each with its own interpreter and GIL.",
            "edited": {"user": BOB, "ts": "1772441100.000001"}},
        "previous_message": {"type": "message", "user": BOB, "ts": "1772441000.000002", "text": "old"}});
    fake.event(edited, "Ev9", 0);
    wait(bot.engine.handled(), 1).await;
    let after = score_of(&bot.engine, BOB).await;
    assert!(
        after > before,
        "bob's edit re-scored after the restart: {before} → {after}"
    );
    fake.event(json!({"type": "message", "subtype": "message_deleted", "channel": CHANNEL, "hidden": true,
        "ts": "1772441200.000001", "event_ts": "1772441200.000001", "deleted_ts": "1772441000.000002",
        "channel_type": "channel"}), "Ev10", 0);
    wait(bot.engine.handled(), 2).await;
    let answers = scalar(&bot.engine, "SELECT COUNT(*) FROM answers").await;
    assert_eq!(answers, 1, "the deleted answer is withdrawn");
    let platforms: Vec<String> = any_pool!(bot.engine.pool(), |p| sqlx::query_scalar(
        "SELECT DISTINCT platform FROM users"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(platforms, ["slack"]);
    bot.slack.shutdown().await;
}

fn run_bot(url: &str, discord: &str, slack_api: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .arg("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", url)
        .env("DISCORD_TOKEN", "OTAw.fake.token")
        .env("DISCORD_API_URL", discord)
        .env("DISCORD_GUILD_ID", "10")
        .env("SLACK_BOT_TOKEN", "xoxb-fake")
        .env("SLACK_APP_TOKEN", "xapp-fake")
        .env("SLACK_API_URL", slack_api)
        .kill_on_drop(true)
        .spawn()
        .expect("binary")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_and_slack_run_side_by_side_from_one_config() {
    for db in common::databases("discord_and_slack_run_side_by_side").await {
        println!(
            "discord_and_slack_run_side_by_side_from_one_config on {}",
            db.backend
        );
        side_by_side_on(&db.url).await;
    }
}

/// The binary opens the database before it connects: both connections show it opened.
async fn side_by_side_on(url: &str) {
    let discord = common::fake_discord::FakeDiscord::start().await;
    let slack = FakeSlack::start().await;
    let mut child = run_bot(url, &discord.url, &slack.api_url);
    discord.wait_identified(1).await;
    slack.wait_connected(1).await;
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_failing_to_connect_does_not_stop_discord() {
    for db in common::databases("slack_failing_to_connect").await {
        println!(
            "slack_failing_to_connect_does_not_stop_discord on {}",
            db.backend
        );
        slack_failing_to_connect_on(&db.url).await;
    }
}

async fn slack_failing_to_connect_on(url: &str) {
    let discord = common::fake_discord::FakeDiscord::start().await;
    // A port with nothing listening: Slack cannot connect and is retried in the background.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    let mut child = run_bot(url, &discord.url, &dead);
    discord.wait_identified(1).await;
    discord
        .wait_for("command registration", |c| {
            c.iter().any(|c| c.path.ends_with("/commands"))
        })
        .await;
    assert!(child.try_wait().unwrap().is_none(), "the bot kept running");
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_events_keep_their_order() {
    for db in common::databases("slack_events_keep_their_order").await {
        println!("slack_events_keep_their_order on {}", db.backend);
        slack_events_keep_their_order_on(&db.url).await;
    }
}

async fn slack_events_keep_their_order_on(url: &str) {
    let fake = FakeSlack::start().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
    ));
    let bot = start_bot(&fake, url, clock, 1).await;
    fake.command(CAROL, "/ask", "gil senior", "trigger-1");
    wait(bot.engine.attached(), 1).await;
    let thread: String = any_pool!(bot.engine.pool(), |p| sqlx::query_scalar(
        "SELECT thread_id FROM posts"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let thread_ts = thread.split_once(':').unwrap().1.to_string();
    // An answer, a vote on it and its deletion, sent back to back without waiting: applied in
    // that order, the deletion withdraws the answer (and the vote with it).
    let text = "Only one thread at a time runs Python bytecode, so CPU-bound threads do not run in parallel.";
    fake.event(
        thread_message(BOB, "1772441000.000009", &thread_ts, text),
        "Ev1",
        0,
    );
    fake.event(reaction(ALICE, "1772441000.000009", true), "Ev2", 0);
    fake.event(
        json!({"type": "message", "subtype": "message_deleted", "channel": CHANNEL,
        "hidden": true, "ts": "1772441001.000001", "event_ts": "1772441001.000001",
        "deleted_ts": "1772441000.000009", "channel_type": "channel"}),
        "Ev3",
        0,
    );
    wait(bot.engine.handled(), 4).await; // the command and three events
    let (answers, votes): (i64, i64) = any_pool!(bot.engine.pool(), |p| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM answers), (SELECT COUNT(*) FROM votes)"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!((answers, votes), (0, 0), "the deletion came last");
    bot.slack.shutdown().await;
}

/// Waits until `ok` holds (polled: the adapter's state changes inside slack-morphism's tasks),
/// failing after 20 s.
async fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ok() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// `/healthz`'s Slack state ([`SlackBot::is_connected`], behind `app::slack_probe`): connected
/// after Socket Mode's `hello`; not connected once the connection breaks and while reconnecting
/// fails (`apps.connections.open` answers 500 twice); connected again after the reconnection's
/// `hello`. Meanwhile a post that comes due is not closed: it closes after the reconnection's
/// catch-up pass, which reads back what was written in the gap. (SQLite only: the store plays
/// no part in the connection state.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_socket_mode_connection_shows_until_it_reconnects() {
    let fake = FakeSlack::start().await;
    let (_dir, url) = common::temp_db();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    let bot = start_bot(&fake, &url, clock.clone(), 1).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let env = fake.command(CAROL, "/ask", "gil senior", "trigger-1");
    fake.wait_for("the ack", |f| {
        f.acks().iter().any(|a| a["envelope_id"] == env)
    })
    .await;
    wait(bot.engine.attached(), 1).await;
    let engine = bot.engine.clone();
    let open_posts = || async {
        any_pool!(engine.pool(), |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM posts WHERE closed_at IS NULL"
        )
        .fetch_one(p)
        .await
        .unwrap())
    };
    assert_eq!(open_posts().await, 1);
    let slot: interview_bot::app::Slot<SlackBot> = Default::default();
    let probe = interview_bot::app::slack_probe(slot.clone());
    assert!(!probe().await, "no bot in the slot yet: not connected");
    *slot.write().await = Some(bot.slack);
    let connected = || {
        let slot = slot.clone();
        move || {
            slot.try_read()
                .map(|s| s.as_ref().is_some_and(|b| b.is_connected()))
                .unwrap_or(false)
        }
    };
    wait_until("connected after hello", connected()).await;
    assert!(probe().await);

    fake.fail_next("apps.connections.open", 2, 500);
    fake.drop_socket();
    wait_until("the broken connection is seen", || !connected()()).await;
    assert!(!probe().await, "healthz reports Slack down meanwhile");
    // The post comes due while Slack is away: held, not closed.
    clock.advance(chrono::Duration::days(2));
    engine.tick().await.unwrap();
    assert_eq!(open_posts().await, 1, "no post closes before the catch-up");
    fake.wait_connected(2).await;
    wait_until("connected again", connected()).await;
    assert!(probe().await);
    wait(engine.catch_up_passes(), 2).await;
    engine.tick().await.unwrap();
    assert_eq!(
        open_posts().await,
        0,
        "it closes after the reconnection's catch-up"
    );
    let refused = fake
        .failed()
        .iter()
        .filter(|c| c.method == "apps.connections.open")
        .count();
    assert_eq!(
        refused, 2,
        "both failed attempts were made before the reconnection"
    );
    drop(bot.engine);
}
