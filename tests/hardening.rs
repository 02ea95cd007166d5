//! Hardening: no Discord message the bot sends can ping (`allowed_mentions` empty), Slack text is
//! escaped, tokens never show in what the binary prints, `/ask` is rate limited per member, and
//! a multi-megabyte answer is scored on its first 100 KB and flagged.

mod common;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
use common::fake_slack::FakeSlack;
use interview_bot::engine::limits::{ASKS_PER_WINDOW, ASK_WINDOW_SECONDS, MAX_ANSWER_BYTES};
use interview_bot::engine::{command, Actor, ChannelRef, Engine, Inbound, Outbound};
use interview_bot::platform::discord::{self};
use interview_bot::platform::slack;
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use serde_json::{json, Value};

const MEMBER: u64 = 203;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
    ))
}

async fn engine(url: &str, clock: Arc<ManualClock>) -> Arc<Engine> {
    let pool = store::open(url).await.unwrap();
    Arc::new(Engine::new(pool, common::bank(), common::config(), clock))
}

fn ask_interaction(id: u64, who: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": 2,
        "data": {"id": "1", "name": "ask", "type": 1,
                 "options": [{"name": "topic", "type": 3, "value": "gil"}]},
        "guild_id": GUILD.to_string(), "channel_id": CHANNEL.to_string(),
        "channel": {"id": CHANNEL.to_string(), "type": 0},
        "member": fake::member(who, name, "0"),
        "token": format!("token-{id}"), "version": 1, "app_permissions": "2248473465835073",
        "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()}, "context": 0,
        "attachment_size_limit": 8388608
    })
}

/// Whether a REST call creates or edits a message (channel messages, DMs, interaction
/// follow-ups and their edits).
fn sends_text(c: &fake::Call) -> bool {
    let webhook = c.path.contains("/webhooks/");
    match c.method.as_str() {
        "POST" => c.path.ends_with("/messages") || webhook,
        "PATCH" => webhook,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_messages_never_ping() {
    for db in common::databases("discord_messages_never_ping").await {
        println!("discord_messages_never_ping on {}", db.backend);
        discord_messages_never_ping_on(&db.url).await;
    }
}

async fn discord_messages_never_ping_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let engine = engine(url, clock()).await;
    let config = fake.bot_config();
    let bot = discord::start(&config, engine.clone()).await.unwrap();
    fake.wait_identified(1).await;
    fake.wait_for("command registration", |c| {
        c.iter().any(|c| c.path.ends_with("/commands"))
    })
    .await;

    // A member whose name is a mass mention asks; the question, its thread and the follow-up.
    fake.dispatch(
        "INTERACTION_CREATE",
        ask_interaction(1001, MEMBER, "@everyone"),
    );
    fake.wait_for("the question and the follow-up", |c| {
        c.iter().any(|c| c.path.ends_with("/threads"))
            && c.iter().any(|c| c.path.contains("/webhooks/"))
    })
    .await;
    // An answer (reaction and DM), and text from the engine quoting member-written words.
    let answer = fake.id();
    fake.dispatch(
        "MESSAGE_CREATE",
        fake::message(
            answer,
            thread_of(&fake),
            fake::user(MEMBER, "@everyone", false),
            "@everyone <@&10> the GIL is a mutex so only one thread runs bytecode at a time",
        ),
    );
    fake.wait_for("the answer's DM", |c| {
        let opened = c
            .iter()
            .position(|c| c.path.ends_with("/users/@me/channels"));
        opened.is_some_and(|i| c[i..].iter().any(|c| c.path.ends_with("/messages")))
    })
    .await;
    discord::deliver(
        &bot.http,
        &engine,
        vec![Outbound::ChannelMessage {
            channel: ChannelRef::new(discord::PLATFORM, &CHANNEL.to_string()),
            text: "Top of the week: @everyone <@202> @here".into(),
        }],
    )
    .await;

    let calls = fake.calls();
    let texts: Vec<&fake::Call> = calls.iter().filter(|c| sends_text(c)).collect();
    // The question, the follow-up, the DM, the channel message at least.
    assert!(texts.len() >= 4, "{texts:#?}");
    for c in texts {
        let m = &c.body["allowed_mentions"];
        assert_eq!(m["parse"], json!([]), "{} {}: {m}", c.method, c.path);
        assert!(
            m["users"].as_array().is_none_or(|u| u.is_empty())
                && m["roles"].as_array().is_none_or(|r| r.is_empty()),
            "{} {}: {m}",
            c.method,
            c.path
        );
    }
    bot.shutdown().await;
}

/// The thread the fake created for the first question (its id is in the thread call's reply,
/// which the fake made from its id counter: the id after the question message's).
fn thread_of(fake: &FakeDiscord) -> u64 {
    let calls = fake.calls();
    let question = calls
        .iter()
        .position(|c| c.path.ends_with("/threads"))
        .expect("a thread");
    // The thread call is `POST /channels/{channel}/messages/{message}/threads`; the fake gave
    // the thread the next id after that message.
    let message: u64 = calls[question]
        .path
        .split('/')
        .rev()
        .nth(1)
        .and_then(|m| m.parse().ok())
        .expect("message id");
    message + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_text_is_escaped() {
    for db in common::databases("slack_text_is_escaped").await {
        println!("slack_text_is_escaped on {}", db.backend);
        slack_text_is_escaped_on(&db.url).await;
    }
}

async fn slack_text_is_escaped_on(url: &str) {
    let fake = FakeSlack::start().await;
    let engine = engine(url, clock()).await;
    let config = fake.bot_config();
    let bot = slack::start(&config, engine.clone()).await.unwrap();
    fake.wait_connected(1).await;
    let channel = ChannelRef::new(slack::PLATFORM, common::fake_slack::CHANNEL);
    bot.deliver(vec![
        Outbound::ChannelMessage {
            channel: channel.clone(),
            text: "Top: <!channel> & <https://evil.example|click me> <@UALICE>".into(),
        },
        Outbound::Private {
            channel,
            thread: None,
            user: "UBOB".into(),
            text: "You wrote: <!here> a < b && c > d".into(),
        },
    ])
    .await;
    let posted = fake.calls_of("chat.postMessage");
    assert_eq!(
        posted[0]["text"],
        "Top: &lt;!channel&gt; &amp; &lt;https://evil.example|click me&gt; &lt;@UALICE&gt;"
    );
    let ephemeral = fake.calls_of("chat.postEphemeral");
    assert_eq!(
        ephemeral[0]["text"],
        "You wrote: &lt;!here&gt; a &lt; b &amp;&amp; c &gt; d"
    );
    bot.shutdown().await;
}

fn who(name: &str) -> Actor {
    Actor {
        id: format!("u-{name}"),
        name: name.into(),
        is_bot: false,
        can_manage: false,
    }
}

async fn ask(e: &Engine, id: &str, name: &str) -> Vec<Outbound> {
    e.handle(Inbound::Command {
        id: id.into(),
        channel: ChannelRef::new("test", "general"),
        thread: None,
        actor: who(name),
        command: command::parse("/ask gil").unwrap(),
    })
    .await
    .unwrap()
}

fn posts(out: &[Outbound]) -> usize {
    out.iter()
        .filter(|o| matches!(o, Outbound::PostQuestion { .. }))
        .count()
}

fn private_text(out: &[Outbound]) -> String {
    out.iter()
        .find_map(|o| match o {
            Outbound::Private { text, .. } => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn ask_is_rate_limited_per_member_with_a_polite_refusal() {
    for db in common::databases("ask_is_rate_limited_per_member_with_a_polite_refusal").await {
        println!(
            "ask_is_rate_limited_per_member_with_a_polite_refusal on {}",
            db.backend
        );
        ask_is_rate_limited_per_member_with_a_polite_refusal_on(&db.url).await;
    }
}

async fn ask_is_rate_limited_per_member_with_a_polite_refusal_on(url: &str) {
    let clock = clock();
    let e = engine(url, clock.clone()).await;
    for i in 0..ASKS_PER_WINDOW {
        assert_eq!(posts(&ask(&e, &format!("a{i}"), "alice").await), 1);
        clock.advance(Duration::seconds(10));
    }
    // The sixth within the minute: refused privately, saying when to try again. The first ask
    // was 50 s ago, so it leaves the window in 10 s.
    let refused = ask(&e, "a-over", "alice").await;
    assert_eq!(posts(&refused), 0);
    let text = private_text(&refused);
    assert!(text.contains("try again in 10 seconds"), "{text}");
    // Someone else is not held back by alice.
    assert_eq!(posts(&ask(&e, "b0", "bob").await), 1);
    // Once the oldest ask is a window old, alice may ask again.
    clock.advance(Duration::seconds(ASK_WINDOW_SECONDS - 50));
    assert_eq!(posts(&ask(&e, "a-later", "alice").await), 1);
    // ... and the refused one did not count: exactly one more would now be too many.
    let again = ask(&e, "a-again", "alice").await;
    assert_eq!(posts(&again), 0, "{again:?}");
}

#[tokio::test]
async fn a_multi_megabyte_answer_is_scored_on_its_first_100_kb_and_flagged() {
    for db in
        common::databases("a_multi_megabyte_answer_is_scored_on_its_first_100_kb_and_flagged").await
    {
        println!(
            "a_multi_megabyte_answer_is_scored_on_its_first_100_kb_and_flagged on {}",
            db.backend
        );
        a_multi_megabyte_answer_is_scored_on_its_first_100_kb_and_flagged_on(&db.url).await;
    }
}

async fn a_multi_megabyte_answer_is_scored_on_its_first_100_kb_and_flagged_on(url: &str) {
    let e = engine(url, clock()).await;
    let out = ask(&e, "q", "alice").await;
    let post = out
        .iter()
        .find_map(|o| match o {
            Outbound::PostQuestion { card, .. } => Some(card.post),
            _ => None,
        })
        .unwrap();
    e.attach(post, "q1", "t1").await.unwrap();
    let sentence = "The GIL is a mutex in CPython so only one thread runs bytecode at a time. ";
    let huge = sentence.repeat(5_000_000 / sentence.len() + 1);
    assert!(huge.len() > 5_000_000);
    let out = e
        .handle(Inbound::Message {
            channel: ChannelRef::new("test", "general"),
            thread: "t1".into(),
            message: "m-huge".into(),
            actor: who("bob"),
            text: huge.clone(),
        })
        .await
        .unwrap();
    let feedback = private_text(&out);
    assert!(
        feedback.contains(&format!("only its first {} KB", MAX_ANSWER_BYTES / 1000)),
        "{feedback}"
    );
    // `octet_length` counts bytes on both (SQLite ≥ 3.43; sqlx bundles 3.46).
    let (body_len, score): (i64, i64) = any_pool!(e.pool(), |p| sqlx::query_as(
        "SELECT CAST(octet_length(body) AS BIGINT), score FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert!(body_len as usize <= MAX_ANSWER_BYTES, "{body_len}");
    assert!((0..=100).contains(&score));
    // An edit to the same huge text changes nothing (what is stored is the capped text).
    let out = e
        .handle(Inbound::MessageEdited {
            channel: ChannelRef::new("test", "general"),
            thread: "t1".into(),
            message: "m-huge".into(),
            actor: who("bob"),
            text: huge,
        })
        .await
        .unwrap();
    assert!(out.is_empty(), "{out:?}");
}

/// Runs `interview-bot run` with recognisable tokens and every log level on: Discord against
/// the fake (the token goes into every REST call; a closed port would make serenity fall back
/// to the real gateway), Slack against a port where nothing listens (it fails and retries).
/// Once Discord has registered its commands and Slack has failed, everything the binary printed
/// is searched for the tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_appear_in_what_the_binary_prints() {
    for db in common::databases("tokens_never_appear_in_what_the_binary_prints").await {
        println!(
            "tokens_never_appear_in_what_the_binary_prints on {}",
            db.backend
        );
        tokens_never_appear_in_what_the_binary_prints_on(&db.url).await;
    }
}

async fn tokens_never_appear_in_what_the_binary_prints_on(url: &str) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    const DISCORD: &str = "OTAw.SECRETdiscordTOKEN.abcdef";
    const SLACK_BOT: &str = "xoxb-SECRETslackBOTtoken";
    const SLACK_APP: &str = "xapp-SECRETslackAPPtoken";
    let discord = FakeDiscord::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .arg("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .env("DATABASE_URL", url)
        .env("DISCORD_TOKEN", DISCORD)
        .env("DISCORD_API_URL", &discord.url)
        .env("DISCORD_GUILD_ID", GUILD.to_string())
        .env("SLACK_BOT_TOKEN", SLACK_BOT)
        .env("SLACK_APP_TOKEN", SLACK_APP)
        .env("SLACK_API_URL", &dead)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut readers = Vec::new();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    for stream in [
        Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
        Box::new(stderr),
    ] {
        let tx = tx.clone();
        readers.push(tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send(line);
            }
        }));
    }
    drop(tx);
    discord.wait_identified(1).await;
    discord
        .wait_for("command registration", |c| {
            c.iter().any(|c| c.path.ends_with("/commands"))
        })
        .await;
    let mut all = String::new();
    let slack_failed = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Some(line) = rx.recv().await {
            all.push_str(&line);
            all.push('\n');
            if line.contains("apps.connections.open") && line.contains("ERROR")
                || line.contains("Unable to create WSS url")
            {
                return true;
            }
        }
        false
    })
    .await;
    child.kill().await.unwrap();
    for r in readers {
        r.await.unwrap();
    }
    while let Ok(line) = rx.try_recv() {
        all.push_str(&line);
        all.push('\n');
    }
    assert_eq!(
        slack_failed,
        Ok(true),
        "Slack should have failed; printed:\n{all}"
    );
    assert!(all.contains("TRACE"), "trace logging should be on: {all}");
    for secret in [DISCORD, SLACK_BOT, SLACK_APP, "SECRET"] {
        assert!(!all.contains(secret), "`{secret}` was printed:\n{all}");
    }
}
