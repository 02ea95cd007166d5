//! Scale-out across processes (issue 12, parts 2 and 3): two bot processes on one database,
//! each holding one of two Discord gateway shards, against the fake Discord serving both.
//! A schedule fires once, in the process that holds its guild; answers from guilds on both
//! shards are scored into the same database and both processes show the same leaderboard.
//! Separately: two processes that both own everything and tick together still post each
//! scheduled question once (the claim is a compare-and-set in the database).
//!
//! "Processes" are two engines with their own connection pools on one database, as two
//! `interview-bot run` would be: an SQLite file, and a PostgreSQL database on the throwaway
//! server of `tests/common/pg.rs` when PostgreSQL is installed (required in CI).

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, CHANNEL, CHANNEL_B, GUILD, GUILD_B};
use interview_bot::engine::{
    Actor, ChannelRef, Command, Engine, Inbound, Outbound, Ownership, Period, Qotd, ShardSet,
};
use interview_bot::platform::discord::{self, DiscordBot, DiscordConfig};
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use serde_json::json;

const ALICE: u64 = 201;
const BOB: u64 = 202;

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()
}

fn channel(id: u64, guild: u64) -> ChannelRef {
    ChannelRef {
        platform: "discord".into(),
        id: id.to_string(),
        workspace: Some(guild.to_string()),
    }
}

fn manager(id: u64, name: &str) -> Actor {
    Actor {
        id: id.to_string(),
        name: name.into(),
        is_bot: false,
        can_manage: true,
    }
}

fn command(id: &str, channel: ChannelRef, actor: Actor, command: Command) -> Inbound {
    Inbound::Command {
        id: id.into(),
        channel,
        thread: None,
        actor,
        command,
    }
}

fn daily_at_nine() -> Command {
    Command::Qotd(Qotd::Schedule {
        cron: "0 9 * * *".into(),
        tier: None,
        topic: None,
        time_zone: Some("UTC".into()),
        blind: false,
    })
}

/// One bot process: its own pool on the shared database, holding `shard` of 2.
async fn process(
    fake: &FakeDiscord,
    url: &str,
    clock: Arc<ManualClock>,
    shard: u32,
) -> (Arc<Engine>, DiscordBot) {
    let shards = ShardSet::new(shard, shard, 2).unwrap();
    let mut config = common::config();
    config.ownership = Ownership {
        platforms: Some(vec!["discord".into()]),
        discord_shards: Some(shards),
    };
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(pool, common::bank(), config, clock));
    let discord_config = DiscordConfig {
        guild_id: None,
        shards: Some(shards),
        ..fake.bot_config()
    };
    let bot = discord::start(&discord_config, engine.clone())
        .await
        .unwrap();
    (engine, bot)
}

/// Waits until `engine` finished `n` catch-up passes (one per shard READY).
async fn caught_up(engine: &Engine, n: u64) {
    let mut rx = engine.catch_up_passes();
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&p| p >= n))
        .await
        .expect("no catch-up pass")
        .unwrap();
}

/// Waits until `engine` has handled `n` events in all.
async fn handled(engine: &Engine, n: u64) {
    let mut rx = engine.handled();
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&h| h >= n))
        .await
        .expect("events were not handled in time")
        .unwrap();
}

fn question_posts(calls: &[fake::Call], channel: u64) -> usize {
    calls
        .iter()
        .filter(|c| {
            c.method == "POST"
                && c.path == format!("/api/v10/channels/{channel}/messages")
                && c.body["embeds"][0]["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("Question of the day"))
        })
        .count()
}

fn channels_of(actions: &[Outbound]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Outbound::PostQuestion { channel, .. } => Some(channel.id.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_split_the_guilds_by_shard_and_share_one_leaderboard() {
    assert_eq!(ShardSet::shard_of(GUILD, 2), 0);
    assert_eq!(ShardSet::shard_of(GUILD_B, 2), 1);
    for db in common::databases("shards_split").await {
        eprintln!("on {}", db.backend);
        split_by_shard(&db.url).await;
    }
}

async fn split_by_shard(url: &str) {
    let fake = FakeDiscord::start().await;
    fake.set_shard_count(2);
    fake.add_guild(GUILD_B, CHANNEL_B);
    let clock = Arc::new(ManualClock::new(start_time()));
    let (a, bot_a) = process(&fake, url, clock.clone(), 0).await;
    let (b, bot_b) = process(&fake, url, clock.clone(), 1).await;
    fake.wait_identified(2).await;
    assert_eq!(fake.connected_shards(), vec![0, 1]);
    caught_up(&a, 1).await;
    caught_up(&b, 1).await;

    // Each guild's manager schedules the question of the day (through their own shard).
    let guild_a = channel(CHANNEL, GUILD);
    let guild_b = channel(CHANNEL_B, GUILD_B);
    a.handle(command(
        "s-a",
        guild_a.clone(),
        manager(ALICE, "alice"),
        daily_at_nine(),
    ))
    .await
    .unwrap();
    b.handle(command(
        "s-b",
        guild_b.clone(),
        manager(BOB, "bob"),
        daily_at_nine(),
    ))
    .await
    .unwrap();

    // 09:00 the next day: both processes tick at the same moment; each posts its own guild's
    // question, and only that.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap());
    let (due_a, due_b) = tokio::join!(a.tick(), b.tick());
    let (due_a, due_b) = (due_a.unwrap(), due_b.unwrap());
    assert_eq!(channels_of(&due_a), vec![CHANNEL.to_string()]);
    assert_eq!(channels_of(&due_b), vec![CHANNEL_B.to_string()]);
    bot_a.deliver(&a, due_a).await;
    bot_b.deliver(&b, due_b).await;
    // Ticking again, in either order, posts nothing more.
    let (again_a, again_b) = tokio::join!(b.tick(), a.tick());
    assert!(channels_of(&again_a.unwrap()).is_empty());
    assert!(channels_of(&again_b.unwrap()).is_empty());
    let calls = fake.calls();
    assert_eq!(question_posts(&calls, CHANNEL), 1, "guild A posted once");
    assert_eq!(question_posts(&calls, CHANNEL_B), 1, "guild B posted once");

    // Answers arrive on each guild's shard and are scored into the one database.
    let threads: Vec<(String, String, String)> = any_pool!(a.pool(), |p| {
        sqlx::query_as(
            "SELECT c.channel_id, p.thread_id, p.question_id FROM posts p
             JOIN channels c ON c.id = p.channel ORDER BY c.channel_id",
        )
        .fetch_all(p)
        .await
        .unwrap()
    });
    assert_eq!(threads.len(), 2, "{threads:?}");
    let bank = common::bank();
    let mut handled_a = 0;
    let mut handled_b = 0;
    for (i, (channel_id, thread, question)) in threads.iter().enumerate() {
        let thread: u64 = thread.parse().unwrap();
        let reference = bank.question(question).unwrap().reference_answer.clone();
        let (who, name) = if i == 0 {
            (ALICE, "alice")
        } else {
            (BOB, "bob")
        };
        let mut m = fake::message(
            8001 + i as u64,
            thread,
            fake::user(who, name, false),
            &reference,
        );
        m["guild_id"] = json!(fake.guild_of(thread).to_string());
        fake.dispatch("MESSAGE_CREATE", m);
        if channel_id == &CHANNEL.to_string() {
            handled_a += 1;
        } else {
            handled_b += 1;
        }
    }
    handled(&a, 1 + handled_a).await;
    handled(&b, 1 + handled_b).await;
    let scores: Vec<(String, i64)> = any_pool!(b.pool(), |p| {
        sqlx::query_as(
            "SELECT u.user_id, a.score FROM answers a JOIN users u ON u.id = a.author
             ORDER BY u.user_id",
        )
        .fetch_all(p)
        .await
        .unwrap()
    });
    assert_eq!(scores.len(), 2, "{scores:?}");
    assert!(scores.iter().all(|(_, s)| *s > 50), "{scores:?}");

    // Either process shows the same leaderboard for guild B (and for guild A).
    for (ch, who) in [(guild_b.clone(), "bob"), (guild_a.clone(), "alice")] {
        let board = |engine: Arc<Engine>, id: &'static str, ch: ChannelRef| async move {
            let out = engine
                .handle(command(
                    id,
                    ch,
                    manager(999, "reader"),
                    Command::Leaderboard {
                        period: Period::Week,
                        tier: None,
                        workspace: true,
                    },
                ))
                .await
                .unwrap();
            format!("{out:?}")
        };
        let from_a = board(a.clone(), "l-a", ch.clone()).await;
        let from_b = board(b.clone(), "l-b", ch.clone()).await;
        assert_eq!(from_a, from_b);
        assert!(from_a.contains(&format!("1. {who}")), "{from_a}");
    }
    bot_a.shutdown().await;
    bot_b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_that_both_own_everything_still_post_each_question_once() {
    for db in common::databases("shards_once").await {
        eprintln!("on {}", db.backend);
        both_own_everything(&db.url).await;
    }
}

async fn both_own_everything(url: &str) {
    let clock = Arc::new(ManualClock::new(start_time()));
    let open = |clock: Arc<ManualClock>| {
        let url = url.to_string();
        async move {
            let pool = store::open(&url).await.unwrap();
            Arc::new(Engine::new(pool, common::bank(), common::config(), clock))
        }
    };
    let (a, b) = (open(clock.clone()).await, open(clock.clone()).await);
    // Ten channels, each with a daily schedule; ten days of ticking together.
    for c in 0..10u64 {
        a.handle(command(
            &format!("s-{c}"),
            channel(300 + c, GUILD),
            manager(ALICE, "alice"),
            daily_at_nine(),
        ))
        .await
        .unwrap();
    }
    let mut posted = 0;
    for day in 3..13 {
        clock.set(Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap());
        let (x, y) = tokio::join!(a.tick(), b.tick());
        let (x, y) = (channels_of(&x.unwrap()), channels_of(&y.unwrap()));
        let mut all: Vec<String> = x.iter().chain(&y).cloned().collect();
        all.sort();
        let before = all.len();
        all.dedup();
        assert_eq!(before, all.len(), "day {day}: a question posted twice");
        assert_eq!(all.len(), 10, "day {day}: every schedule ran");
        posted += all.len();
    }
    assert_eq!(posted, 100);
    let posts: i64 = any_pool!(a.pool(), |p| {
        sqlx::query_scalar("SELECT COUNT(*) FROM posts")
            .fetch_one(p)
            .await
            .unwrap()
    });
    assert_eq!(posts, 100);
}
