//! The real bot (poise on serenity) against an in-process fake Discord: `/ask gil senior`
//! → question message and thread; answers in the thread → scored (reaction + DM); votes
//! (including a self-vote and the bot's own reaction) → leaderboard; a permission refusal;
//! `/qotd schedule` + clock → the scheduled post; repeated gateway events applied once; a bot
//! restart mid-question with nothing lost.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
use interview_bot::engine::Engine;
use interview_bot::platform::discord::{self, DiscordBot};
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use serde_json::{json, Value};

const ALICE: u64 = 201; // may manage the server
const BOB: u64 = 202;
const CAROL: u64 = 203;
const MANAGE_GUILD: &str = "32";

fn name(id: u64) -> &'static str {
    match id {
        ALICE => "alice",
        BOB => "bob",
        _ => "carol",
    }
}

fn interaction(
    id: u64,
    who: u64,
    perms: &str,
    channel: u64,
    command: &str,
    options: Value,
) -> Value {
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": 2,
        "data": {"id": "1", "name": command, "type": 1, "options": options},
        "guild_id": GUILD.to_string(), "channel_id": channel.to_string(),
        "channel": {"id": channel.to_string(), "type": if channel == CHANNEL { 0 } else { 11 }},
        "member": fake::member(who, name(who), perms),
        "token": format!("token-{id}"), "version": 1, "app_permissions": "2248473465835073",
        "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()}, "context": 0,
        "attachment_size_limit": 8388608
    })
}

fn reaction(who: u64, channel: u64, message: u64, emoji: &str, add: bool) -> Value {
    let mut r = json!({"user_id": who.to_string(), "channel_id": channel.to_string(),
        "message_id": message.to_string(), "guild_id": GUILD.to_string(),
        "emoji": {"id": null, "name": emoji}, "burst": false, "type": 0});
    if add {
        r["member"] = if who == BOT {
            json!({"user": fake::user(BOT, "interview-bot", true), "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
                   "deaf": false, "mute": false, "flags": 0})
        } else {
            fake::member(who, name(who), "0")
        };
    }
    r
}

struct Bot {
    engine: Arc<Engine>,
    discord: DiscordBot,
}

async fn start_bot(fake: &FakeDiscord, url: &str, clock: Arc<ManualClock>, identifies: u64) -> Bot {
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
    let config = fake.bot_config();
    let discord = discord::start(&config, engine.clone()).await.unwrap();
    fake.wait_identified(identifies).await;
    fake.wait_for("command registration", |c| {
        c.iter()
            .filter(|c| c.method == "PUT" && c.path.ends_with("/commands"))
            .count() as u64
            >= identifies
    })
    .await;
    Bot { engine, discord }
}

/// Waits until the engine has handled `n` events in all.
async fn handled(engine: &Engine, n: u64) {
    let mut rx = engine.handled();
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&h| h >= n))
        .await
        .expect("events were not handled in time")
        .unwrap();
}

fn followups(calls: &[fake::Call], token: &str) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.path.contains(&format!("/webhooks/{BOT}/{token}")))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn count(calls: &[fake::Call], method: &str, path_part: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.method == method && c.path.contains(path_part))
        .count()
}

/// One BIGINT value of `sql` (no parameters), on either backend.
async fn scalar(engine: &Engine, sql: &str) -> i64 {
    any_pool!(engine.pool(), |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await
        .unwrap())
}

/// The score of `user`'s answer (there is one), on either backend.
async fn score_of(engine: &Engine, user: u64) -> i64 {
    let sql = "SELECT a.score FROM answers a JOIN users u ON u.id = a.author WHERE u.user_id = $1";
    any_pool!(engine.pool(), |p| sqlx::query_scalar(sql)
        .bind(user.to_string())
        .fetch_one(p)
        .await
        .unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_study_group_on_discord() {
    for db in common::databases("the_study_group_on_discord").await {
        println!("the_study_group_on_discord on {}", db.backend);
        the_study_group_on_discord_on(&db.url).await;
    }
}

async fn the_study_group_on_discord_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
    ));
    let bot = start_bot(&fake, url, clock.clone(), 1).await;

    // /ask gil senior → an embed in the channel and a public thread on it.
    let ask = interaction(
        1001,
        CAROL,
        "0",
        CHANNEL,
        "ask",
        json!([{"name": "topic", "type": 3, "value": "gil"}, {"name": "tier", "type": 4, "value": 2}]),
    );
    fake.dispatch("INTERACTION_CREATE", ask.clone());
    // The follow-up that ends the deferred interaction is sent after the thread is recorded.
    let calls = fake
        .wait_for("the question thread", |c| {
            count(c, "POST", "/threads") == 1 && !followups(c, "token-1001").is_empty()
        })
        .await;
    assert_eq!(
        count(&calls, "POST", "/interactions/1001/token-1001/callback"),
        1,
        "deferred within 3 s"
    );
    let post = calls
        .iter()
        .find(|c| c.path == format!("/api/v10/channels/{CHANNEL}/messages"))
        .unwrap();
    assert_eq!(
        post.body["embeds"][0]["fields"][1]["value"], "senior",
        "{:#?}",
        post.body
    );
    let (question_id, thread): (String, String) = any_pool!(bot.engine.pool(), |p| {
        sqlx::query_as("SELECT question_id, thread_id FROM posts")
            .fetch_one(p)
            .await
            .unwrap()
    });
    let thread: u64 = thread.parse().unwrap();
    assert!(question_id.starts_with("gil-"));
    let reference = bot
        .engine
        .bank()
        .question(&question_id)
        .unwrap()
        .reference_answer
        .clone();

    // The same interaction delivered twice (a gateway replay) posts once.
    fake.dispatch("INTERACTION_CREATE", ask);
    handled(&bot.engine, 2).await;

    // alice answers in the thread: a ✅ on her message and feedback by DM.
    let answer = fake::message(7001, thread, fake::user(ALICE, "alice", false), &reference);
    fake.dispatch("MESSAGE_CREATE", answer.clone());
    let calls = fake
        .wait_for("the scored reaction and DM", |c| {
            count(
                c,
                "PUT",
                &format!("/channels/{thread}/messages/7001/reactions/"),
            ) == 1
                && c.iter().any(|c| {
                    c.body["content"]
                        .as_str()
                        .is_some_and(|t| t.contains("scored **"))
                })
        })
        .await;
    assert_eq!(count(&calls, "POST", "/users/@me/channels"), 1);
    // ... and the same MESSAGE_CREATE again changes nothing.
    fake.dispatch("MESSAGE_CREATE", answer);
    // bob answers with a definition only; a bot's message is ignored.
    fake.dispatch(
        "MESSAGE_CREATE",
        fake::message(
            7002,
            thread,
            fake::user(BOB, "bob", false),
            "The GIL is a lock in Python that everyone talks about.",
        ),
    );
    fake.dispatch(
        "MESSAGE_CREATE",
        fake::message(7003, thread, fake::user(BOT, "interview-bot", true), "🤖"),
    );
    // Votes: bob 👍 alice (counts), alice 👍 herself and the bot 👍 (ignored), carol adds and removes.
    fake.dispatch(
        "MESSAGE_REACTION_ADD",
        reaction(BOB, thread, 7001, "👍", true),
    );
    fake.dispatch(
        "MESSAGE_REACTION_ADD",
        reaction(ALICE, thread, 7001, "👍", true),
    );
    fake.dispatch(
        "MESSAGE_REACTION_ADD",
        reaction(BOT, thread, 7001, "👍", true),
    );
    fake.dispatch(
        "MESSAGE_REACTION_ADD",
        reaction(CAROL, thread, 7001, "👍", true),
    );
    // 10 events so far: 2 interactions, 4 messages, 4 reactions.
    handled(&bot.engine, 10).await;
    fake.dispatch(
        "MESSAGE_REACTION_REMOVE",
        reaction(CAROL, thread, 7001, "👍", false),
    );
    handled(&bot.engine, 11).await;

    let calls = fake.calls();
    let channel_posts = |calls: &[fake::Call]| {
        calls
            .iter()
            .filter(|c| {
                c.method == "POST" && c.path == format!("/api/v10/channels/{CHANNEL}/messages")
            })
            .count()
    };
    assert_eq!(channel_posts(&calls), 1, "one question posted");
    assert_eq!(
        count(&calls, "PUT", "/messages/7001/reactions/"),
        1,
        "alice's answer marked once"
    );
    assert_eq!(
        count(&calls, "PUT", "/messages/7003/reactions/"),
        0,
        "bot messages are not answers"
    );
    let votes = scalar(&bot.engine, "SELECT COUNT(*) FROM votes").await;
    assert_eq!(votes, 1);

    // The leaderboard shows alice first: checker score × 1.5 + 10 for bob's vote.
    fake.dispatch(
        "INTERACTION_CREATE",
        interaction(1002, BOB, "0", CHANNEL, "leaderboard", json!([])),
    );
    let calls = fake
        .wait_for("the leaderboard", |c| {
            !followups(c, "token-1002").is_empty()
        })
        .await;
    let board = followups(&calls, "token-1002").join("\n");
    let score = score_of(&bot.engine, ALICE).await;
    let points = (score as f64 * 1.5).round() as i64 + 10;
    assert!(
        board.contains(&format!("1. alice — {points} points")),
        "{board}"
    );
    assert!(board.contains("2. bob"), "{board}");

    // Scheduling needs Manage Server: carol is refused politely, alice schedules.
    let schedule = |id: u64, who: u64, perms: &str| {
        interaction(
            id,
            who,
            perms,
            CHANNEL,
            "qotd",
            json!([{"name": "schedule", "type": 1, "options": [
            {"name": "cron", "type": 3, "value": "0 9 * * *"},
            {"name": "tier", "type": 4, "value": 1},
            {"name": "timezone", "type": 3, "value": "Europe/Berlin"}]}]),
        )
    };
    fake.dispatch("INTERACTION_CREATE", schedule(1003, CAROL, "0"));
    let calls = fake
        .wait_for("the refusal", |c| !followups(c, "token-1003").is_empty())
        .await;
    assert!(
        followups(&calls, "token-1003")[0].contains("only members who can manage"),
        "{calls:#?}"
    );
    fake.dispatch("INTERACTION_CREATE", schedule(1004, ALICE, MANAGE_GUILD));
    fake.wait_for("the schedule confirmation", |c| {
        c.iter().any(|c| {
            c.body["content"]
                .as_str()
                .is_some_and(|t| t.contains("Question of the day scheduled"))
        })
    })
    .await;

    // 09:00 in Berlin: the scheduled question is posted with its own thread.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 0).unwrap());
    let due = bot.engine.tick().await.unwrap();
    bot.discord.deliver(&bot.engine, due).await;
    let calls = fake.calls();
    assert_eq!(count(&calls, "POST", "/threads"), 2);
    assert!(calls.iter().any(|c| c.body["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.contains("Question of the day"))));

    // A restart mid-question: after it, bob's edit is re-scored; nothing was lost.
    let before = score_of(&bot.engine, BOB).await;
    let Bot { engine, discord } = bot;
    discord.shutdown().await;
    drop(engine);
    let bot = start_bot(&fake, url, clock.clone(), 2).await;
    let answers = scalar(&bot.engine, "SELECT COUNT(*) FROM answers").await;
    assert_eq!(answers, 2, "alice's and bob's answers survive the restart");
    let mut edited = fake::message(7002, thread, fake::user(BOB, "bob", false),
        "Only one thread at a time can execute Python bytecode, so for CPU-bound work I use multiprocessing: separate processes, each with its own interpreter and GIL.");
    edited["edited_timestamp"] = json!("2026-03-03T08:05:00.000000+00:00");
    fake.dispatch("MESSAGE_UPDATE", edited);
    handled(&bot.engine, 1).await;
    let after = score_of(&bot.engine, BOB).await;
    assert!(
        after > before,
        "bob's edit was re-scored after the restart: {before} → {after}"
    );
    let posts = scalar(&bot.engine, "SELECT COUNT(*) FROM posts").await;
    assert_eq!(posts, 2, "nothing posted twice across the restart");
    // Deleting an answer withdraws it.
    fake.dispatch(
        "MESSAGE_DELETE",
        json!({"id": "7002", "channel_id": thread.to_string(), "guild_id": GUILD.to_string()}),
    );
    handled(&bot.engine, 2).await;
    let answers = scalar(&bot.engine, "SELECT COUNT(*) FROM answers").await;
    assert_eq!(answers, 1, "bob's deleted answer is withdrawn");
    bot.discord.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_runs_the_bot_when_discord_token_is_set() {
    for db in common::databases("the_main_job_runs_the_bot").await {
        println!(
            "the_main_job_runs_the_bot_when_discord_token_is_set on {}",
            db.backend
        );
        the_main_job_runs_the_bot_on(&db.url).await;
    }
}

/// The binary opens the database before it connects to Discord, so the registration shows the
/// database at `url` opened.
async fn the_main_job_runs_the_bot_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .arg("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DISCORD_TOKEN", "OTAw.fake.token")
        .env("DISCORD_API_URL", &fake.url)
        .env("DISCORD_GUILD_ID", GUILD.to_string())
        .env("DATABASE_URL", url)
        .kill_on_drop(true)
        .spawn()
        .expect("binary");
    fake.wait_identified(1).await;
    fake.wait_for("guild command registration", |c| {
        c.iter().any(|c| {
            c.method == "PUT"
                && c.path == format!("/api/v10/applications/{BOT}/guilds/{GUILD}/commands")
        })
    })
    .await;
    let registered = fake
        .calls()
        .into_iter()
        .find(|c| c.path.ends_with("/commands"))
        .unwrap()
        .body;
    let names: Vec<&str> = registered
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "ask",
            "qotd",
            "leaderboard",
            "stats",
            "hint",
            "reveal",
            "privacy",
            "question",
            "help"
        ]
    );
    child.kill().await.unwrap();
}

// One backend is enough: the binary refuses before it opens the database.
#[test]
fn run_without_a_platform_says_what_to_set_and_invite_url_has_exact_permissions() {
    let (_dir, url) = common::temp_db();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .arg("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISCORD_TOKEN")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DISCORD_TOKEN") && err.contains("interview-bot console"),
        "{err}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["discord", "invite-url", "--client-id", "42"])
        .output()
        .unwrap();
    let link = String::from_utf8_lossy(&out.stdout);
    // view channel, send messages, create public threads, send messages in threads,
    // embed links, attach files, add reactions, read message history
    let expected: u64 = (1 << 10)
        | (1 << 11)
        | (1 << 35)
        | (1 << 38)
        | (1 << 14)
        | (1 << 15)
        | (1 << 6)
        | (1 << 16);
    assert_eq!(
        link.trim(),
        format!("https://discord.com/oauth2/authorize?client_id=42&scope=bot%20applications.commands&permissions={expected}")
    );
}

/// An interaction's reply survives a server error: the follow-up is retried like any other
/// call, and arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interaction_reply_is_retried_after_a_server_error() {
    for db in common::databases("an_interaction_reply_is_retried").await {
        println!(
            "an_interaction_reply_is_retried_after_a_server_error on {}",
            db.backend
        );
        an_interaction_reply_is_retried_on(&db.url).await;
    }
}

async fn an_interaction_reply_is_retried_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
    ));
    let bot = start_bot(&fake, url, clock, 1).await;
    fake.fail_next("POST", "/webhooks/", 1, 500);
    fake.dispatch(
        "INTERACTION_CREATE",
        interaction(1101, BOB, "0", CHANNEL, "leaderboard", json!([])),
    );
    let calls = fake
        .wait_for("the leaderboard reply", |c| {
            !followups(c, "token-1101").is_empty()
        })
        .await;
    assert_eq!(fake.failed().len(), 1, "{:#?}", fake.failed());
    assert_eq!(followups(&calls, "token-1101").len(), 1, "{calls:#?}");
    bot.discord.shutdown().await;
}
