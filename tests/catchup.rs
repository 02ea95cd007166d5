//! Catch-up after downtime, end to end through the fake servers: answers, edits, deletions and
//! votes made while the bot is stopped are all reflected after it restarts, exactly once (a
//! second restart changes nothing and sends nothing), on Discord and on Slack; an answer written
//! before the close counts as on time although the post closed while the bot was down, and that
//! post is revealed once, with it. Also: a question posted but whose thread was never opened
//! gets its thread after a restart, never a second message.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
use common::fake_slack::{self, FakeSlack};
use interview_bot::engine::Engine;
use interview_bot::platform::discord::{self, DiscordBot};
use interview_bot::platform::slack::{self, SlackBot};
use interview_bot::schedule::ManualClock;
use interview_bot::store::{self, At};
use serde_json::{json, Value};

const ALICE: u64 = 201;
const BOB: u64 = 202;
const CAROL: u64 = 203;
const DAVE: u64 = 204;

const BOB_DRAFT: &str = "I think it is about locks.";
const BOB_FIRST: &str = "The GIL is a lock in Python that everyone talks about.";
const BOB_EDITED: &str = "Only one thread at a time can execute Python bytecode, so for CPU-bound work I use multiprocessing: separate processes, each with its own interpreter and GIL.";
const CAROL_TEXT: &str = "Threads take turns holding the interpreter lock.";
const DAVE_TEXT: &str =
    "The GIL lets one thread run bytecode at a time, so CPU-bound threads do not run in parallel.";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()
}

async fn wait(rx: tokio::sync::watch::Receiver<u64>, n: u64) {
    let mut rx = rx;
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&h| h >= n))
        .await
        .expect("not in time")
        .unwrap();
}

/// An answer: (author, late, answered_at ms, score).
type AnswerRow = (String, bool, i64, i64);
/// Every answer and vote (voter, author), sorted: the state a restart must leave unchanged.
type State = (Vec<AnswerRow>, Vec<(String, String)>);

/// The answers and votes now, on either backend.
async fn state(engine: &Engine) -> State {
    let answers: Vec<(String, bool, At, i64)> = any_pool!(engine.pool(), |p| sqlx::query_as(
        "SELECT u.user_id, a.late, a.answered_at, a.score FROM answers a
         JOIN users u ON u.id = a.author ORDER BY u.user_id",
    )
    .fetch_all(p)
    .await
    .unwrap());
    let answers = answers
        .into_iter()
        .map(|(who, late, at, score)| (who, late, at.0.timestamp_millis(), score))
        .collect();
    let votes = any_pool!(engine.pool(), |p| sqlx::query_as(
        "SELECT v.user_id, au.user_id FROM votes x JOIN users v ON v.id = x.voter
         JOIN answers a ON a.id = x.answer JOIN users au ON au.id = a.author ORDER BY 1, 2",
    )
    .fetch_all(p)
    .await
    .unwrap());
    (answers, votes)
}

/// The only post's bank question, `thread_id` and closing time, on either backend.
async fn the_post(engine: &Engine) -> (String, String, DateTime<Utc>) {
    let (question, thread, closes_at): (String, String, At) =
        any_pool!(engine.pool(), |p| sqlx::query_as(
            "SELECT question_id, thread_id, closes_at FROM posts"
        )
        .fetch_one(p)
        .await
        .unwrap());
    (question, thread, closes_at.0)
}

/// The only post's `message_id` and `thread_id`, on either backend.
async fn post_ids(engine: &Engine) -> (Option<String>, Option<String>) {
    any_pool!(engine.pool(), |p| sqlx::query_as(
        "SELECT message_id, thread_id FROM posts"
    )
    .fetch_one(p)
    .await
    .unwrap())
}

fn answer_of<'a>(s: &'a State, who: &str) -> Option<&'a AnswerRow> {
    s.0.iter().find(|a| a.0 == who)
}

// ---- Discord ---------------------------------------------------------------------------------

struct DiscordRun {
    engine: Arc<Engine>,
    discord: DiscordBot,
}

/// Starts the bot (its `identifies`-th gateway session) and waits for its first catch-up pass.
async fn start_discord(
    fake: &FakeDiscord,
    url: &str,
    clock: Arc<ManualClock>,
    identifies: u64,
) -> DiscordRun {
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
    let config = fake.bot_config();
    let discord = discord::start(&config, engine.clone()).await.unwrap();
    fake.wait_identified(identifies).await;
    DiscordRun { engine, discord }
}

fn ask(id: u64) -> Value {
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": 2,
        "data": {"id": "1", "name": "ask", "type": 1,
                 "options": [{"name": "topic", "type": 3, "value": "gil"}, {"name": "tier", "type": 4, "value": 2}]},
        "guild_id": GUILD.to_string(), "channel_id": CHANNEL.to_string(),
        "channel": {"id": CHANNEL.to_string(), "type": 0},
        "member": fake::member(CAROL, "carol", "0"),
        "token": format!("token-{id}"), "version": 1, "app_permissions": "2248473465835073",
        "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()}, "context": 0,
        "attachment_size_limit": 8388608
    })
}

fn person(id: u64) -> Value {
    let name = match id {
        ALICE => "alice",
        BOB => "bob",
        CAROL => "carol",
        _ => "dave",
    };
    fake::user(id, name, false)
}

/// Calls with an effect people see: messages, threads, reactions, DMs (not reads, not the
/// gateway, not command registration).
fn effects(calls: &[fake::Call]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method != "GET" && !c.path.ends_with("/commands"))
        .map(|c| format!("{} {} {}", c.method, c.path, c.body))
        .collect()
}

fn id_of(m: &Value) -> u64 {
    m["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_catches_up_after_downtime_exactly_once() {
    for db in common::databases("discord_catches_up_after_downtime").await {
        println!(
            "discord_catches_up_after_downtime_exactly_once on {}",
            db.backend
        );
        discord_catches_up_on(&db.url).await;
    }
}

async fn discord_catches_up_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let bot = start_discord(&fake, url, clock.clone(), 1).await;
    wait(bot.engine.catch_up_passes(), 1).await;

    // A question, and two answers while the bot is up.
    fake.dispatch("INTERACTION_CREATE", ask(1001));
    wait(bot.engine.attached(), 1).await;
    let (question_id, thread, closes_at) = the_post(&bot.engine).await;
    let thread: u64 = thread.parse().unwrap();
    let reference = bot
        .engine
        .bank()
        .question(&question_id)
        .unwrap()
        .reference_answer
        .clone();
    // Bob's second message replaces his first as his answer: the first, still in the thread,
    // must never be applied again by a catch-up.
    let bob_draft = fake.write(thread, person(BOB), BOB_DRAFT, t0());
    fake.dispatch("MESSAGE_CREATE", bob_draft);
    wait(bot.engine.handled(), 2).await;
    let bob = fake.write(thread, person(BOB), BOB_FIRST, t0());
    fake.dispatch("MESSAGE_CREATE", bob.clone());
    let carol = fake.write(thread, person(CAROL), CAROL_TEXT, t0());
    fake.dispatch("MESSAGE_CREATE", carol.clone());
    wait(bot.engine.handled(), 4).await;
    let before = state(&bot.engine).await;
    let bob_before = answer_of(&before, &BOB.to_string()).unwrap().3;
    bot.discord.shutdown().await;
    drop(bot.engine);

    // While the bot is down: alice answers before the close, bob edits, carol deletes, votes
    // are cast (one a self-vote), dave answers after the close; the post closes meanwhile.
    let alice_at = t0() + Duration::hours(1);
    let alice = fake.write(thread, person(ALICE), &reference, alice_at);
    fake.edit(thread, id_of(&bob), BOB_EDITED, t0() + Duration::hours(2));
    fake.delete(thread, id_of(&carol));
    fake.react(id_of(&bob), "👍", person(ALICE), true);
    fake.react(id_of(&alice), "👍", person(BOB), true);
    fake.react(id_of(&alice), "👍", person(ALICE), true);
    fake.react(id_of(&alice), "👍", person(CAROL), true);
    fake.react(id_of(&alice), "👍", person(CAROL), false);

    clock.set(t0() + Duration::hours(3));
    // Restart while the post is still open, twice: the first restart reflects it all, the
    // second (which reads the same thread again) changes nothing and sends nothing.
    let bot = start_discord(&fake, url, clock.clone(), 2).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let ack = format!("/messages/{}/reactions/%E2%9C%85", id_of(&alice));
    fake.wait_for("alice's acknowledgement", |c| {
        c.iter().filter(|c| c.path.contains(&ack)).count() == 1
    })
    .await;
    let open = state(&bot.engine).await;
    assert!(answer_of(&open, &ALICE.to_string()).is_some_and(|a| !a.1));
    let seen = effects(&fake.calls());
    bot.discord.shutdown().await;
    drop(bot.engine);
    let bot = start_discord(&fake, url, clock.clone(), 3).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    assert_eq!(
        state(&bot.engine).await,
        open,
        "a second catch-up changes nothing"
    );
    assert_eq!(effects(&fake.calls()), seen, "and sends nothing");
    bot.discord.shutdown().await;
    drop(bot.engine);

    // Down again: dave answers after the close, and the post closes meanwhile.
    let dave = fake.write(
        thread,
        person(DAVE),
        DAVE_TEXT,
        closes_at + Duration::hours(1),
    );
    clock.set(closes_at + Duration::hours(2));

    // Restart: a tick before the catch-up has finished does not close the post without them.
    let bot = start_discord(&fake, url, clock.clone(), 4).await;
    let early = bot.engine.tick().await.unwrap();
    bot.discord.deliver(&bot.engine, early).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let due = bot.engine.tick().await.unwrap();
    bot.discord.deliver(&bot.engine, due).await;

    let after = state(&bot.engine).await;
    let alice_row = answer_of(&after, &ALICE.to_string()).expect("alice's answer is scored");
    assert!(!alice_row.1, "written before the close: on time");
    assert_eq!(alice_row.2, alice_at.timestamp_millis(), "at its own time");
    assert!(
        answer_of(&after, &DAVE.to_string()).unwrap().1,
        "dave's is late"
    );
    assert!(
        answer_of(&after, &BOB.to_string()).unwrap().3 > bob_before,
        "bob's edit re-scored"
    );
    assert!(
        answer_of(&after, &CAROL.to_string()).is_none(),
        "carol's withdrawn"
    );
    let mut votes = after.1.clone();
    votes.sort();
    assert_eq!(
        votes,
        [
            (ALICE.to_string(), BOB.to_string()),
            (BOB.to_string(), ALICE.to_string())
        ],
        "votes as the platform shows them, the self-vote ignored"
    );
    let calls = fake
        .wait_for("the acknowledgements and the reveal", |c| {
            let n = |part: &str| c.iter().filter(|c| c.path.contains(part)).count();
            n(&format!("/messages/{}/reactions/%E2%9C%85", id_of(&alice))) == 1
                && n(&format!("/messages/{}/reactions/%E2%8F%B0", id_of(&dave))) == 1
                && reveals(c, thread).len() == 1
        })
        .await;
    assert!(
        reveals(&calls, thread)[0].contains("alice"),
        "the reveal includes the answer written during the downtime: {}",
        reveals(&calls, thread)[0]
    );
    let seen = effects(&calls);
    bot.discord.shutdown().await;
    drop(bot.engine);

    // A second restart changes nothing and sends nothing.
    let bot = start_discord(&fake, url, clock.clone(), 5).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let due = bot.engine.tick().await.unwrap();
    assert!(due.is_empty(), "nothing due: {due:?}");
    assert_eq!(state(&bot.engine).await, after);
    assert_eq!(effects(&fake.calls()), seen, "nothing sent again");
    bot.discord.shutdown().await;
}

fn reveals(calls: &[fake::Call], thread: u64) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with(&format!("/channels/{thread}/messages")))
        .filter_map(|c| c.body["content"].as_str())
        .filter(|t| t.contains("is closed."))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_posted_without_its_thread_is_completed_not_posted_twice() {
    for db in common::databases("a_question_posted_without_its_thread").await {
        println!(
            "a_question_posted_without_its_thread_is_completed_not_posted_twice on {}",
            db.backend
        );
        a_question_posted_without_its_thread_on(&db.url).await;
    }
}

async fn a_question_posted_without_its_thread_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let bot = start_discord(&fake, url, clock.clone(), 1).await;
    fake.refuse_threads(1);
    fake.dispatch("INTERACTION_CREATE", ask(1001));
    wait(bot.engine.handled(), 1).await;
    fake.wait_for("the refused thread", |c| {
        c.iter()
            .any(|c| c.method == "POST" && c.path.ends_with("/threads"))
    })
    .await;
    let (message, thread) = post_ids(&bot.engine).await;
    assert!(message.is_some() && thread.is_none(), "step one recorded");
    bot.discord.shutdown().await;
    drop(bot.engine);

    let bot = start_discord(&fake, url, clock, 2).await;
    wait(bot.engine.attached(), 1).await;
    let (again, thread) = post_ids(&bot.engine).await;
    assert_eq!(again, message, "the same message");
    assert!(thread.is_some(), "its thread opened after the restart");
    let calls = fake.calls();
    let questions = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == format!("/api/v10/channels/{CHANNEL}/messages"))
        .count();
    assert_eq!(questions, 1, "the question was posted once");
    let threads: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with("/threads"))
        .map(|c| c.path.clone())
        .collect();
    assert_eq!(threads.len(), 2, "refused once, then opened");
    assert!(
        threads[1].contains(message.as_deref().unwrap()),
        "{threads:?}"
    );
    bot.discord.shutdown().await;
}

// ---- Slack -----------------------------------------------------------------------------------

const S_ALICE: &str = "UALICE";
const S_BOB: &str = "UBOB";
const S_CAROL: &str = "UCAROL";
const S_DAVE: &str = "UDAVE";

struct SlackRun {
    engine: Arc<Engine>,
    slack: SlackBot,
}

async fn start_slack(
    fake: &FakeSlack,
    url: &str,
    clock: Arc<ManualClock>,
    connections: u64,
) -> SlackRun {
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
    let config = fake.bot_config();
    let slack = slack::start(&config, engine.clone()).await.unwrap();
    fake.wait_connected(connections).await;
    SlackRun { engine, slack }
}

fn slack_effects(fake: &FakeSlack) -> Vec<String> {
    fake.calls()
        .into_iter()
        .filter(|c| {
            ["chat.postMessage", "chat.postEphemeral", "reactions.add"].contains(&c.method.as_str())
        })
        .map(|c| format!("{} {}", c.method, c.params))
        .collect()
}

fn slack_reveals(fake: &FakeSlack) -> Vec<String> {
    fake.calls_of("chat.postMessage")
        .into_iter()
        .filter_map(|p| p["text"].as_str().map(str::to_string))
        .filter(|t| t.contains("is closed."))
        .collect()
}

fn live(fake: &FakeSlack, user: &str, ts: &str, thread_ts: &str, text: &str, id: &str) {
    fake.event(
        json!({"type": "message", "channel": fake_slack::CHANNEL, "user": user, "text": text,
               "ts": ts, "thread_ts": thread_ts, "event_ts": ts, "channel_type": "channel"}),
        id,
        0,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_catches_up_after_downtime_exactly_once() {
    for db in common::databases("slack_catches_up_after_downtime").await {
        println!(
            "slack_catches_up_after_downtime_exactly_once on {}",
            db.backend
        );
        slack_catches_up_on(&db.url).await;
    }
}

async fn slack_catches_up_on(url: &str) {
    let fake = FakeSlack::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let bot = start_slack(&fake, url, clock.clone(), 1).await;
    wait(bot.engine.catch_up_passes(), 1).await;

    fake.command(S_CAROL, "/ask", "gil senior", "trigger-1");
    wait(bot.engine.attached(), 1).await;
    let (question_id, thread, closes_at) = the_post(&bot.engine).await;
    let thread_ts = thread.split_once(':').unwrap().1.to_string();
    let reference = bot
        .engine
        .bank()
        .question(&question_id)
        .unwrap()
        .reference_answer
        .clone();
    let bob_draft = fake.write(&thread_ts, S_BOB, BOB_DRAFT, t0());
    live(&fake, S_BOB, &bob_draft, &thread_ts, BOB_DRAFT, "Ev0");
    let bob = fake.write(&thread_ts, S_BOB, BOB_FIRST, t0());
    live(&fake, S_BOB, &bob, &thread_ts, BOB_FIRST, "Ev1");
    let carol = fake.write(&thread_ts, S_CAROL, CAROL_TEXT, t0());
    live(&fake, S_CAROL, &carol, &thread_ts, CAROL_TEXT, "Ev2");
    wait(bot.engine.handled(), 4).await;
    let before = state(&bot.engine).await;
    let bob_before = answer_of(&before, S_BOB).unwrap().3;
    bot.slack.shutdown().await;
    drop(bot.engine);

    // While the bot is down (alice's answer gets two voters, more than the history lists, so
    // the bot asks reactions.get for them all).
    let alice_at = t0() + Duration::hours(1);
    let alice = fake.write(&thread_ts, S_ALICE, &reference, alice_at);
    fake.edit(&bob, BOB_EDITED, t0() + Duration::hours(2));
    fake.delete(&carol);
    fake.react(&bob, "+1", S_ALICE, true);
    fake.react(&alice, "+1", S_BOB, true);
    fake.react(&alice, "+1", S_CAROL, true);
    fake.react(&alice, "+1", S_ALICE, true);
    // Slack rate-limits the first read: it is retried after Retry-After.
    fake.fail_next("conversations.replies", 1, 429);

    clock.set(t0() + Duration::hours(3));
    // Restart while the post is still open, twice: the first restart reflects it all, the
    // second (which reads the same thread again) changes nothing and sends nothing.
    let bot = start_slack(&fake, url, clock.clone(), 2).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let refused = fake
        .failed()
        .iter()
        .filter(|c| c.method == "conversations.replies")
        .count();
    assert_eq!(
        (refused, fake.calls_of("conversations.replies").len()),
        (1, 1),
        "rate-limited once, then read"
    );
    fake.wait_for("alice's acknowledgement", |f| {
        f.calls_of("reactions.add")
            .iter()
            .any(|p| p["timestamp"] == alice.as_str())
    })
    .await;
    let open = state(&bot.engine).await;
    assert!(answer_of(&open, S_ALICE).is_some_and(|a| !a.1));
    let seen = slack_effects(&fake);
    bot.slack.shutdown().await;
    drop(bot.engine);
    let bot = start_slack(&fake, url, clock.clone(), 3).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    assert_eq!(
        state(&bot.engine).await,
        open,
        "a second catch-up changes nothing"
    );
    assert_eq!(slack_effects(&fake), seen, "and sends nothing");
    bot.slack.shutdown().await;
    drop(bot.engine);

    // Down again: dave answers after the close, and the post closes meanwhile.
    let dave = fake.write(
        &thread_ts,
        S_DAVE,
        DAVE_TEXT,
        closes_at + Duration::hours(1),
    );
    clock.set(closes_at + Duration::hours(2));
    let bot = start_slack(&fake, url, clock.clone(), 4).await;
    let early = bot.engine.tick().await.unwrap();
    bot.slack.deliver(early).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let due = bot.engine.tick().await.unwrap();
    bot.slack.deliver(due).await;

    let after = state(&bot.engine).await;
    let alice_row = answer_of(&after, S_ALICE).expect("alice's answer is scored");
    assert!(!alice_row.1, "written before the close: on time");
    assert_eq!(alice_row.2, alice_at.timestamp_millis(), "at its own time");
    assert!(answer_of(&after, S_DAVE).unwrap().1, "dave's is late");
    assert!(
        answer_of(&after, S_BOB).unwrap().3 > bob_before,
        "bob's edit re-scored"
    );
    assert!(answer_of(&after, S_CAROL).is_none(), "carol's withdrawn");
    let mut votes = after.1.clone();
    votes.sort();
    assert_eq!(
        votes,
        [
            (S_ALICE.to_string(), S_BOB.to_string()),
            (S_BOB.to_string(), S_ALICE.to_string()),
            (S_CAROL.to_string(), S_ALICE.to_string()),
        ],
        "votes as the platform shows them, the self-vote ignored"
    );
    assert!(!fake.calls_of("reactions.get").is_empty());
    fake.wait_for("the acknowledgements and the reveal", |f| {
        let added = f.calls_of("reactions.add");
        let on = |ts: &str, name: &str| {
            added
                .iter()
                .filter(|p| p["timestamp"] == ts && p["name"] == name)
                .count()
        };
        on(&alice, "white_check_mark") == 1
            && on(&dave, "alarm_clock") == 1
            && slack_reveals(f).len() == 1
    })
    .await;
    assert!(
        slack_reveals(&fake)[0].contains("alice"),
        "the reveal includes the answer written during the downtime: {}",
        slack_reveals(&fake)[0]
    );
    let seen = slack_effects(&fake);
    bot.slack.shutdown().await;
    drop(bot.engine);

    let bot = start_slack(&fake, url, clock.clone(), 5).await;
    wait(bot.engine.catch_up_passes(), 1).await;
    let due = bot.engine.tick().await.unwrap();
    assert!(due.is_empty(), "nothing due: {due:?}");
    assert_eq!(state(&bot.engine).await, after);
    assert_eq!(slack_effects(&fake), seen, "nothing sent again");
    bot.slack.shutdown().await;
}

// ---- The engine alone: deterministic ordering and bounds -------------------------------------

mod engine_only {
    use super::*;
    use interview_bot::engine::catchup::{SeenMessage, SeenVoters, ThreadSnapshot};
    use interview_bot::engine::{command, Actor, ChannelRef, Inbound, Outbound};

    fn member(id: &str) -> Actor {
        Actor {
            id: id.into(),
            name: id.trim_start_matches('u').into(),
            is_bot: false,
            can_manage: false,
        }
    }

    fn seen(message: &str, who: &str, text: &str, at: DateTime<Utc>) -> SeenMessage {
        SeenMessage {
            message: message.into(),
            author: member(who),
            text: text.into(),
            at,
            edited_at: None,
            votes: Some(Vec::new()),
        }
    }

    /// An engine with one posted question on "discord" (message `m1`, thread `t1`); returns the
    /// engine, the clock, the reference answer and when the post closes.
    async fn posted(url: &str) -> (Engine, Arc<ManualClock>, String, DateTime<Utc>) {
        let clock = Arc::new(ManualClock::new(t0()));
        let pool = store::open(url).await.unwrap();
        let engine = Engine::new(pool, common::bank(), common::config(), clock.clone());
        let out = engine
            .handle(Inbound::Command {
                id: "i1".into(),
                channel: ChannelRef::new("discord", "c1"),
                thread: None,
                actor: member("ucarol"),
                command: command::parse("/ask gil senior").unwrap(),
            })
            .await
            .unwrap();
        let Some(Outbound::PostQuestion { card, .. }) = out.first() else {
            panic!("no question: {out:?}");
        };
        engine.attach(card.post, "m1", "t1").await.unwrap();
        let reference = engine
            .bank()
            .question(&card.question_id)
            .unwrap()
            .reference_answer
            .clone();
        (engine, clock, reference, card.closes_at)
    }

    fn snapshot(messages: Vec<SeenMessage>, complete: bool, known: &[&str]) -> ThreadSnapshot {
        ThreadSnapshot {
            channel: ChannelRef::new("discord", "c1"),
            thread: "t1".into(),
            messages,
            complete,
            known_answers: known.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn reveal_of(out: &[Outbound]) -> Option<&str> {
        out.iter().find_map(|o| match o {
            Outbound::ThreadReply { text, .. } if text.contains("is closed.") => {
                Some(text.as_str())
            }
            _ => None,
        })
    }

    #[tokio::test]
    async fn a_held_platform_closes_only_after_its_catch_up_with_on_time_answers() {
        for db in common::databases("a_held_platform_closes_only_after").await {
            println!(
                "a_held_platform_closes_only_after_its_catch_up_with_on_time_answers on {}",
                db.backend
            );
            a_held_platform_closes_only_after_on(&db.url).await;
        }
    }

    async fn a_held_platform_closes_only_after_on(url: &str) {
        let (engine, clock, reference, closes_at) = posted(url).await;
        engine.hold_for_catch_up("discord");
        clock.set(closes_at + Duration::hours(5));
        let early = engine.tick().await.unwrap();
        assert!(reveal_of(&early).is_none(), "held back: {early:?}");
        let written = closes_at - Duration::minutes(1);
        let mut alice = seen("m2", "ualice", &reference, written);
        alice.votes = Some(vec![SeenVoters {
            emoji: "👍".into(),
            voters: vec![member("ubob"), member("ualice")],
        }]);
        let out = engine
            .catch_up(snapshot(vec![alice], true, &[]))
            .await
            .unwrap();
        assert!(
            out.iter()
                .any(|o| matches!(o, Outbound::React { emoji, .. } if emoji == "✅")),
            "acknowledged on time: {out:?}"
        );
        engine.caught_up("discord");
        let due = engine.tick().await.unwrap();
        let reveal = reveal_of(&due).expect("revealed after the catch-up");
        assert!(
            reveal.contains("alice") && reveal.contains("1 vote"),
            "{reveal}"
        );
        assert!(reveal_of(&engine.tick().await.unwrap()).is_none(), "once");
        let (late, at): (bool, At) = any_pool!(engine.pool(), |p| sqlx::query_as(
            "SELECT late, answered_at FROM answers"
        )
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(
            (late, at.0.timestamp_millis()),
            (false, written.timestamp_millis())
        );
    }

    #[tokio::test]
    async fn only_complete_listings_withdraw_and_only_answers_listed_before_the_read() {
        for db in common::databases("only_complete_listings_withdraw").await {
            println!(
                "only_complete_listings_withdraw_and_only_answers_listed_before_the_read on {}",
                db.backend
            );
            only_complete_listings_withdraw_on(&db.url).await;
        }
    }

    async fn only_complete_listings_withdraw_on(url: &str) {
        let (engine, clock, reference, _) = posted(url).await;
        clock.set(t0() + Duration::hours(1));
        let text = |m: &str, who: &str| seen(m, who, &reference, t0());
        engine
            .catch_up(snapshot(
                vec![text("m2", "ualice"), text("m3", "ubob")],
                true,
                &[],
            ))
            .await
            .unwrap();
        let count = || async {
            let n: i64 = any_pool!(engine.pool(), |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM answers"
            )
            .fetch_one(p)
            .await
            .unwrap());
            n
        };
        assert_eq!(count().await, 2);
        // Both missing, but the listing stopped at the read limit: nothing is withdrawn.
        engine
            .catch_up(snapshot(Vec::new(), false, &["m2", "m3"]))
            .await
            .unwrap();
        assert_eq!(count().await, 2, "an incomplete listing withdraws nothing");
        // m3 arrived after the listing of answers was taken: it is not taken for deleted.
        engine
            .catch_up(snapshot(Vec::new(), true, &["m2"]))
            .await
            .unwrap();
        assert_eq!(count().await, 1, "m2 withdrawn, m3 kept");
    }
}
