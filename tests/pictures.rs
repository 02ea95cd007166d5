//! Pictures through the console, Discord and Slack: `/stats` sends a PNG chart (points per week,
//! checker score per topic) with a text carrying the same numbers; the weekly leaderboard post
//! is a rendered card (top ten, movement since the week before, streaks). The tests decode each
//! PNG, check its size and that it is not blank, and snapshot the texts.

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
use common::fake_slack::{self, FakeSlack};
use common::pictures::assert_picture;
use common::seed::{actor, answered_question};
use interview_bot::charts::{self, CardRow, Movement, TopicScore, WeekPoints};
use interview_bot::engine::{self, ChannelRef, Engine, Inbound, STATS_WEEKS};
use interview_bot::platform::console::{self, Console};
use interview_bot::platform::discord::{self};
use interview_bot::platform::slack;
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use serde_json::json;

fn s(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

async fn run(c: &mut Console, lines: &[String]) -> String {
    let mut out = Vec::new();
    for l in lines {
        c.line(l, &mut out).await.expect("line");
    }
    String::from_utf8(out).unwrap()
}

/// The reference answer of the channel's newest question: a mechanism-level answer.
async fn good_answer(engine: &Engine, platform: &str, channel: &str) -> String {
    let mut conn = engine.pool().acquire().await.unwrap();
    let ch = store::channel_id(&mut conn, platform, channel, None)
        .await
        .unwrap();
    let post = store::posts_in_channel(&mut conn, ch)
        .await
        .unwrap()
        .pop()
        .expect("a post");
    let q = engine.bank().question(&post.question_id).unwrap();
    q.reference_answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The files the console wrote, by the `(file: PATH)` lines of its output.
fn files_in(log: &str) -> Vec<std::path::PathBuf> {
    log.lines()
        .filter_map(|l| l.trim().strip_prefix("(file: "))
        .map(|p| p.trim_end_matches(')').into())
        .collect()
}

#[test]
fn the_texts_carry_the_pictures_numbers() {
    let weeks: Vec<WeekPoints> = [("W09", 0), ("W10", 120), ("W11", 45)]
        .iter()
        .map(|&(l, p)| WeekPoints {
            label: l.into(),
            points: p,
        })
        .collect();
    let topics = vec![
        TopicScore {
            name: "GIL".into(),
            score: 82.4,
        },
        TopicScore {
            name: "Decorators".into(),
            score: 40.0,
        },
    ];
    assert_eq!(
        engine::stats_text("📊 alice: 165 points", &weeks, &topics),
        "📊 alice: 165 points\n\
         Points per week, oldest first: W09 0 · W10 120 · W11 45\n\
         Checker score per topic, strongest first: GIL 82 · Decorators 40"
    );
    let rows = vec![
        CardRow {
            rank: 1,
            name: "bob".into(),
            points: 90,
            answers: 3,
            movement: Movement::New,
            streak: 3,
        },
        CardRow {
            rank: 2,
            name: "alice".into(),
            points: 40,
            answers: 1,
            movement: Movement::Down(1),
            streak: 0,
        },
    ];
    let board = "🏆 Weekly Leaderboard, week 2026-W11\n\
                 1. bob — 90 points · 3 answers · average checker score 60\n\
                 2. alice — 40 points · 1 answer · average checker score 27";
    assert_eq!(
        engine::card_text(board, &rows),
        "🏆 Weekly Leaderboard, week 2026-W11\n\
         1. bob — 90 points · 3 answers · average checker score 60 · new since last week · streak 3\n\
         2. alice — 40 points · 1 answer · average checker score 27 · down 1 since last week · streak 0"
    );
    // The pictures of the same data decode, at their promised sizes, and are not blank.
    let png = charts::stats_png("alice: the last 12 weeks", &weeks, &topics).unwrap();
    assert_picture(&png, charts::STATS_SIZE, 8);
    let card = charts::board_card_png("Weekly leaderboard, week 2026-W11", &rows).unwrap();
    assert_picture(&card, charts::card_size(2), 8);
}

#[test]
fn the_fake_reads_multipart_uploads() {
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{\"content\":\"hi\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x00\r\n--XyZ--\r\n";
    let parts = common::multipart::parse("multipart/form-data; boundary=XyZ", body);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].bytes, b"{\"content\":\"hi\"}");
    assert_eq!(parts[1].file_name.as_deref(), Some("a.png"));
    assert_eq!(parts[1].bytes, b"\x89PNG\r\n\x00");
}

/// Two weeks in the console: alice leads week 10, bob (new) leads week 11 and alice drops one
/// place; `/stats` draws alice's weeks and topics.
#[tokio::test]
async fn console_weekly_card_and_stats_chart() {
    for db in common::databases("console_weekly_card_and_stats_chart").await {
        println!("console_weekly_card_and_stats_chart on {}", db.backend);
        console_weekly_card_and_stats_chart_on(&db.url).await;
    }
}

async fn console_weekly_card_and_stats_chart_on(url: &str) {
    let files = tempfile::tempdir().unwrap();
    let mut c = Console::open(
        url,
        common::bank(),
        common::config(),
        "study-group",
        Utc.with_ymd_and_hms(2026, 3, 1, 19, 0, 0).unwrap(),
    )
    .await
    .unwrap()
    .with_files_dir(files.path());
    let mut log = run(
        &mut c,
        &s(&[
            "alice: /qotd schedule \"0 9 * * *\" mid Europe/Berlin",
            "@time 2026-03-02 09:30 Europe/Berlin",
        ]),
    )
    .await;
    // Week 10: alice answers every day, carol once.
    for day in 2..=8 {
        log += &run(
            &mut c,
            &[format!("@time 2026-03-0{day} 12:00 Europe/Berlin")],
        )
        .await;
        let a = good_answer(c.engine(), console::PLATFORM, "study-group").await;
        log += &run(&mut c, &[format!("alice: {a}")]).await;
        if day == 3 {
            log += &run(&mut c, &[format!("carol: {a}")]).await;
        }
    }
    // Week 11: bob answers every day, alice once.
    for day in 9..=15 {
        log += &run(
            &mut c,
            &[format!("@time 2026-03-{day:02} 12:00 Europe/Berlin")],
        )
        .await;
        let a = good_answer(c.engine(), console::PLATFORM, "study-group").await;
        log += &run(&mut c, &[format!("bob: {a}")]).await;
        if day == 9 {
            log += &run(&mut c, &[format!("alice: {a}")]).await;
        }
    }
    log += &run(&mut c, &s(&["@time 2026-03-16 09:00 Europe/Berlin"])).await;

    let w10 = log
        .find("🏆 Weekly Leaderboard, week 2026-W10")
        .unwrap_or_else(|| panic!("{log}"));
    let lines: Vec<&str> = log[w10..].lines().take(4).collect();
    assert!(
        lines[1].starts_with("1. alice — ")
            && lines[1].ends_with(" · new since last week · streak 7"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("2. carol — ")
            && lines[2].ends_with(" · new since last week · streak 0"),
        "{lines:?}"
    );
    assert!(lines[3].starts_with("      (file: "), "{lines:?}");

    let w11 = log
        .find("🏆 Weekly Leaderboard, week 2026-W11")
        .unwrap_or_else(|| panic!("{log}"));
    let lines: Vec<&str> = log[w11..].lines().take(4).collect();
    assert!(
        lines[1].starts_with("1. bob — ")
            && lines[1].ends_with(" · new since last week · streak 7"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("2. alice — ")
            && lines[2].ends_with(" · down 1 since last week · streak 0"),
        "{lines:?}"
    );

    let cards = files_in(&log);
    assert_eq!(cards.len(), 2, "{log}");
    for card in &cards {
        assert!(card.starts_with(files.path()), "{card:?}");
        assert!(card.to_string_lossy().ends_with("leaderboard.png"));
        assert_picture(&std::fs::read(card).unwrap(), charts::card_size(2), 8);
    }

    let stats = run(&mut c, &s(&["alice: /stats"])).await;
    assert!(
        stats.starts_with("[bot → alice, privately] 📊 alice: "),
        "{stats}"
    );
    let weeks_line = stats
        .lines()
        .find(|l| l.starts_with("Points per week, oldest first: "))
        .unwrap_or_else(|| panic!("{stats}"));
    let weeks: Vec<&str> = weeks_line
        .trim_start_matches("Points per week, oldest first: ")
        .split(" · ")
        .collect();
    assert_eq!(weeks.len(), STATS_WEEKS as usize, "{weeks_line}");
    assert!(
        weeks[STATS_WEEKS as usize - 1].starts_with("W12 0"),
        "this week: {weeks_line}"
    );
    assert!(
        weeks[STATS_WEEKS as usize - 3].starts_with("W10 "),
        "{weeks_line}"
    );
    assert!(
        stats.contains("\nChecker score per topic, strongest first: "),
        "{stats}"
    );
    let chart = files_in(&stats);
    assert_eq!(chart.len(), 1, "{stats}");
    assert_picture(&std::fs::read(&chart[0]).unwrap(), charts::STATS_SIZE, 8);

    // A member without answers gets the text alone.
    let none = run(&mut c, &s(&["dave: /stats"])).await;
    assert!(files_in(&none).is_empty(), "{none}");
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_stats_is_an_ephemeral_attachment_and_the_card_a_channel_attachment() {
    for db in common::databases(
        "discord_stats_is_an_ephemeral_attachment_and_the_card_a_channel_attachment",
    )
    .await
    {
        println!(
            "discord_stats_is_an_ephemeral_attachment_and_the_card_a_channel_attachment on {}",
            db.backend
        );
        discord_stats_is_an_ephemeral_attachment_and_the_card_a_channel_attachment_on(&db.url)
            .await;
    }
}

async fn discord_stats_is_an_ephemeral_attachment_and_the_card_a_channel_attachment_on(url: &str) {
    const ALICE: u64 = 201;
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(at(2026, 3, 4, 10)));
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(
        pool,
        common::bank(),
        common::config(),
        clock.clone(),
    ));
    let channel = ChannelRef {
        platform: discord::PLATFORM.into(),
        id: CHANNEL.to_string(),
        workspace: Some(GUILD.to_string()),
    };
    let mut alice = actor(&ALICE.to_string(), "alice");
    alice.can_manage = true;
    let write = |thread: &str, text: &str| {
        let author = fake::user(ALICE, "alice", false);
        let m = fake.write(thread.parse().unwrap(), author, text, at(2026, 3, 4, 10));
        m["id"].as_str().unwrap().to_string()
    };
    answered_question(&engine, &channel, &alice, ("11", "12"), write).await;
    engine
        .handle(Inbound::Command {
            id: "seed-schedule".into(),
            channel: channel.clone(),
            thread: None,
            actor: alice.clone(),
            command: engine::command::parse("/qotd schedule \"0 9 * * *\" mid UTC").unwrap(),
        })
        .await
        .unwrap();

    let config = fake.bot_config();
    let bot = discord::start(&config, engine.clone()).await.unwrap();
    fake.wait_identified(1).await;
    fake.dispatch(
        "INTERACTION_CREATE",
        json!({
            "id": "8001", "application_id": BOT.to_string(), "type": 2,
            "data": {"id": "1", "name": "stats", "type": 1, "options": []},
            "guild_id": GUILD.to_string(), "channel_id": CHANNEL.to_string(),
            "channel": {"id": CHANNEL.to_string(), "type": 0},
            "member": fake::member(ALICE, "alice", "32"),
            "token": "token-8001", "version": 1, "app_permissions": "2248473465835073",
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD.to_string()}, "context": 0,
            "attachment_size_limit": 8388608
        }),
    );
    fake.wait_for("the /stats follow-up", |calls| {
        calls
            .iter()
            .any(|c| c.path.contains("/webhooks/") && c.path.contains("token-8001"))
    })
    .await;
    let uploads = fake.uploads();
    let chart = uploads
        .iter()
        .find(|u| u.path.contains("token-8001"))
        .unwrap_or_else(|| {
            panic!(
                "no upload: {uploads:?} {:?}",
                fake.calls()
                    .iter()
                    .map(|c| format!(
                        "{} {} {}",
                        c.method,
                        c.path,
                        c.body.get("content").cloned().unwrap_or_default()
                    ))
                    .collect::<Vec<_>>()
            )
        });
    assert_eq!(chart.file_name, "stats.png");
    assert_eq!(chart.content_type, "image/png");
    assert_picture(&chart.bytes, charts::STATS_SIZE, 8);
    let followup = fake
        .calls()
        .into_iter()
        .find(|c| {
            c.path.contains("token-8001") && c.method == "POST" && c.path.contains("webhooks")
        })
        .unwrap();
    assert_eq!(followup.body["flags"], 64, "ephemeral: {:?}", followup.body);
    assert!(
        followup.body["content"]
            .as_str()
            .unwrap()
            .contains("Points per week, oldest first: "),
        "{:?}",
        followup.body
    );

    // Monday 09:00 UTC: the weekly card goes to the channel as an attachment; refused (no
    // Attach Files), the same board goes as text.
    clock.set(at(2026, 3, 9, 9));
    let actions = engine.tick().await.unwrap();
    fake.refuse_files(1);
    bot.deliver(&engine, actions.clone()).await;
    let texts: Vec<String> = fake
        .calls()
        .iter()
        .filter(|c| c.path == format!("/api/v10/channels/{CHANNEL}/messages"))
        .filter_map(|c| c.body["content"].as_str().map(str::to_string))
        .collect();
    let board = texts
        .iter()
        .find(|t| t.starts_with("🏆 Weekly Leaderboard, week 2026-W10"))
        .unwrap_or_else(|| panic!("no text board: {texts:?}"));
    assert!(
        board.contains("\n1. alice — ") && board.ends_with(" · new since last week · streak 0"),
        "{board}"
    );
    assert!(fake
        .uploads()
        .iter()
        .all(|u| u.file_name != "leaderboard.png"));
    let card_action: Vec<_> = actions
        .into_iter()
        .filter(|a| matches!(a, interview_bot::engine::Outbound::Picture { .. }))
        .collect();
    bot.deliver(&engine, card_action).await;
    let uploads = fake.uploads();
    let card = uploads
        .iter()
        .find(|u| u.file_name == "leaderboard.png")
        .unwrap_or_else(|| panic!("no card: {uploads:?}"));
    assert_eq!(card.path, format!("/api/v10/channels/{CHANNEL}/messages"));
    assert_picture(&card.bytes, charts::card_size(1), 8);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_stats_uploads_with_the_external_flow_and_falls_back_to_text() {
    for db in
        common::databases("slack_stats_uploads_with_the_external_flow_and_falls_back_to_text").await
    {
        println!(
            "slack_stats_uploads_with_the_external_flow_and_falls_back_to_text on {}",
            db.backend
        );
        slack_stats_uploads_with_the_external_flow_and_falls_back_to_text_on(&db.url).await;
    }
}

async fn slack_stats_uploads_with_the_external_flow_and_falls_back_to_text_on(url: &str) {
    const ALICE: &str = "UALICE";
    let fake = FakeSlack::start().await;
    let clock = Arc::new(ManualClock::new(at(2026, 3, 4, 10)));
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(
        pool,
        common::bank(),
        common::config(),
        clock.clone(),
    ));
    let channel = ChannelRef {
        platform: slack::PLATFORM.into(),
        id: fake_slack::CHANNEL.into(),
        workspace: Some("T1".into()),
    };
    let post = format!("{}:1772400001.000100", fake_slack::CHANNEL);
    let write = |thread: &str, text: &str| {
        let (ch, thread_ts) = thread.split_once(':').unwrap();
        format!(
            "{ch}:{}",
            fake.write(thread_ts, ALICE, text, at(2026, 3, 4, 10))
        )
    };
    answered_question(
        &engine,
        &channel,
        &actor(ALICE, "alice"),
        (&post, &post),
        write,
    )
    .await;
    let config = fake.bot_config();
    let bot = slack::start(&config, engine.clone()).await.unwrap();
    fake.wait_connected(1).await;

    fake.command(ALICE, "/stats", "", "trigger-stats");
    fake.wait_for("the chart shared", |f| {
        !f.calls_of("files.completeUploadExternal").is_empty()
    })
    .await;
    let asked = fake.calls_of("files.getUploadURLExternal");
    assert_eq!(asked[0]["filename"], "stats.png");
    let complete = &fake.calls_of("files.completeUploadExternal")[0];
    // Private: in alice's direct message with the app, with the text as the comment.
    assert_eq!(complete["channel_id"], "DALICE", "{complete}");
    assert!(
        complete["initial_comment"]
            .as_str()
            .unwrap()
            .contains("Checker score per topic, strongest first: "),
        "{complete}"
    );
    let file_id = complete["files"][0]["id"].as_str().unwrap();
    let (content_type, bytes) = fake.upload(file_id).expect("the bytes were uploaded");
    assert_eq!(content_type, "image/png");
    assert_eq!(
        asked[0]["length"].as_str().map(str::to_string),
        Some(bytes.len().to_string())
    );
    assert_picture(&bytes, charts::STATS_SIZE, 8);

    // Monday 09:00 UTC: the weekly card is shared in the channel.
    let mut admin = actor(ALICE, "alice");
    admin.can_manage = true;
    engine
        .handle(Inbound::Command {
            id: "seed-schedule".into(),
            channel: channel.clone(),
            thread: None,
            actor: admin,
            command: engine::command::parse("/qotd schedule \"0 9 * * *\" mid UTC").unwrap(),
        })
        .await
        .unwrap();
    clock.set(at(2026, 3, 9, 9));
    bot.deliver(engine.tick().await.unwrap()).await;
    let shared = fake.calls_of("files.completeUploadExternal");
    assert_eq!(shared.len(), 2, "{shared:?}");
    assert_eq!(shared[1]["channel_id"], fake_slack::CHANNEL);
    assert!(shared[1]["initial_comment"]
        .as_str()
        .unwrap()
        .starts_with("🏆 Weekly Leaderboard, week 2026-W10\n1. alice — "));
    let (_, card) = fake
        .upload(shared[1]["files"][0]["id"].as_str().unwrap())
        .unwrap();
    assert_picture(&card, charts::card_size(1), 8);

    // Without `files:write`, the same numbers arrive as text, ephemerally.
    fake.refuse_files();
    fake.command(ALICE, "/stats", "", "trigger-stats-2");
    fake.wait_for("the text fallback", |f| {
        f.calls_of("chat.postEphemeral").iter().any(|c| {
            c["text"]
                .as_str()
                .is_some_and(|t| t.contains("could not be attached"))
        })
    })
    .await;
    let fallback = fake
        .calls_of("chat.postEphemeral")
        .into_iter()
        .find(|c| {
            c["text"]
                .as_str()
                .unwrap()
                .contains("could not be attached")
        })
        .unwrap();
    assert_eq!(fallback["user"], ALICE);
    assert!(fallback["text"]
        .as_str()
        .unwrap()
        .contains("Points per week, oldest first: "));
    assert_eq!(fake.calls_of("files.completeUploadExternal").len(), 2);
    bot.shutdown().await;
}
