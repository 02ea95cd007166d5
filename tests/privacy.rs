//! Members' data: `/privacy export` sends a member their answers, scores, votes and hints as a
//! JSON file (privately), and `/privacy forget` (after `/privacy forget confirm` within the
//! window) deletes every row that names them in the workspace, while the leaderboards stay
//! exactly what a rebuild from the remaining rows gives. Console, Discord and Slack.

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
use common::fake_slack::{self, FakeSlack};
use common::seed::{actor, answered_question};
use interview_bot::engine::{
    ChannelRef, Command, Engine, Inbound, Outbound, Privacy, FORGET_CONFIRM_MINUTES,
};
use interview_bot::platform::console::{self, Console};
use interview_bot::platform::discord::{self};
use interview_bot::platform::slack;
use interview_bot::schedule::ManualClock;
use interview_bot::store::{self, Pool};
use serde_json::{json, Value};
use sqlx::Row;

async fn run(c: &mut Console, lines: &[String]) -> String {
    let mut out = Vec::new();
    for l in lines {
        c.line(l, &mut out).await.expect("line");
    }
    String::from_utf8(out).unwrap()
}

fn s(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

async fn good_answer(c: &Console) -> String {
    let mut conn = c.engine().pool().acquire().await.unwrap();
    let ch = store::channel_id(&mut conn, console::PLATFORM, "study-group", None)
        .await
        .unwrap();
    let post = store::posts_in_channel(&mut conn, ch)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let q = c.engine().bank().question(&post.question_id).unwrap();
    q.reference_answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every row of the three rollup tables, in a fixed order.
async fn rollups(pool: &Pool) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT channel, member, topic, answers, late, points, score_sum FROM rollup_topics ORDER BY 1, 2, 3",
        "SELECT channel, member, tier, answers, points, score_sum FROM rollup_members ORDER BY 1, 2, 3",
        "SELECT channel, day, member, tier, answers, points, score_sum FROM rollup_days ORDER BY 1, 2, 3, 4",
    ] {
        let rows: Vec<String> = any_pool!(pool, |p| {
            sqlx::query(sql)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            row.try_get::<i64, _>(i)
                                .map(|v| v.to_string())
                                .or_else(|_| row.try_get::<i32, _>(i).map(|v| v.to_string()))
                                .unwrap_or_else(|_| row.get::<String, _>(i))
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect()
        });
        out.extend(rows.into_iter().map(|cols| format!("{sql:.30}: {cols}")));
    }
    out
}

/// The rollups now, and after deriving them again from the rows left: they must agree.
async fn assert_rollups_consistent(pool: &Pool) -> Vec<String> {
    let kept = rollups(pool).await;
    store::rebuild_rollups(pool).await.unwrap();
    assert_eq!(kept, rollups(pool).await, "rollups after forget ≠ rebuilt");
    kept
}

/// Every text value in every table (the user tables: `sqlite_master`'s, or the `public`
/// schema's on PostgreSQL), as `table: value`.
async fn every_text(pool: &Pool) -> Vec<String> {
    let tables_sql = match pool {
        Pool::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND name NOT LIKE '_sqlx%'"
        }
        Pool::Postgres(_) => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
               AND table_name NOT LIKE '_sqlx%'"
        }
    };
    any_pool!(pool, |p| {
        let tables: Vec<String> = sqlx::query_scalar(tables_sql).fetch_all(p).await.unwrap();
        assert!(tables.len() >= 8, "{tables:?}");
        let mut out = Vec::new();
        for t in tables {
            for row in sqlx::query(&format!("SELECT * FROM {t}"))
                .fetch_all(p)
                .await
                .unwrap()
            {
                for i in 0..row.len() {
                    if let Ok(v) = row.try_get::<String, _>(i) {
                        out.push(format!("{t}: {v}"));
                    }
                }
            }
        }
        out
    })
}

fn files_in(log: &str) -> Vec<std::path::PathBuf> {
    log.lines()
        .filter_map(|l| l.trim().strip_prefix("(file: "))
        .map(|p| p.trim_end_matches(')').into())
        .collect()
}

#[tokio::test]
async fn console_export_then_forget_removes_every_row_naming_the_member() {
    for db in
        common::databases("console_export_then_forget_removes_every_row_naming_the_member").await
    {
        println!(
            "console_export_then_forget_removes_every_row_naming_the_member on {}",
            db.backend
        );
        console_export_then_forget_removes_every_row_naming_the_member_on(&db.url).await;
    }
}

async fn console_export_then_forget_removes_every_row_naming_the_member_on(url: &str) {
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
    for day in 2..=4 {
        log += &run(
            &mut c,
            &[format!("@time 2026-03-0{day} 12:00 Europe/Berlin")],
        )
        .await;
        let a = good_answer(&c).await;
        log += &run(
            &mut c,
            &[
                format!("alice: {a}"),
                format!("bob: {a}"),
                "bob +👍 alice".into(),
                "carol +👍 alice".into(),
                "alice +👍 bob".into(),
            ],
        )
        .await;
    }
    log += &run(&mut c, &s(&["alice: /ask gil senior", "alice: /hint"])).await;
    let pool = c.engine().pool().clone();
    let before = assert_rollups_consistent(&pool).await;
    assert!(log.contains("[bot → alice, privately]"), "{log}");

    // Export: a JSON file only alice gets.
    let export = run(&mut c, &s(&["alice: /privacy export"])).await;
    assert!(
        export.starts_with("[bot → alice, privately] 🔒 Your data here, as `interview-bot-data.json` (only you get it): 3 answers with their scores, 3 votes given, 6 votes received, 1 hint record and 1 question asked."),
        "{export}"
    );
    let file = files_in(&export);
    assert_eq!(file.len(), 1, "{export}");
    let data: Value = serde_json::from_slice(&std::fs::read(&file[0]).unwrap()).unwrap();
    assert_eq!(data["platform"], "console");
    assert_eq!(data["user_id"], "alice");
    assert_eq!(data["answers"].as_array().unwrap().len(), 3);
    let first = &data["answers"][0];
    assert_eq!(first["tier"], "mid");
    assert!(first["score"].as_i64().unwrap() > 50, "{first}");
    assert!(
        first["report"].is_object(),
        "the checker's report as JSON: {first}"
    );
    assert!(first["answered_at"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-02T11:00"));
    assert_eq!(data["votes_given"].as_array().unwrap().len(), 3);
    assert_eq!(data["votes_received"].as_array().unwrap().len(), 6);
    assert!(
        data["votes_received"][0].get("voter").is_none(),
        "voters are others' data"
    );
    assert_eq!(data["hints"][0]["given"], 1);

    // Confirm without asking first, or too late: nothing happens.
    let early = run(&mut c, &s(&["alice: /privacy forget confirm"])).await;
    assert!(
        early.contains("Nothing deleted: send `/privacy forget` first"),
        "{early}"
    );
    let ask = run(&mut c, &s(&["alice: /privacy forget"])).await;
    assert!(
        ask.contains("deletes, in this workspace: 3 answers, 6 votes on them, 3 votes you gave, 1 hint record and your name."),
        "{ask}"
    );
    let late = run(
        &mut c,
        &[
            format!("@advance {}m", FORGET_CONFIRM_MINUTES + 1),
            "alice: /privacy forget confirm".into(),
        ],
    )
    .await;
    assert!(late.contains("Nothing deleted"), "{late}");
    assert_eq!(
        rollups(&pool).await,
        before,
        "nothing may change before the confirmation"
    );

    let done = run(
        &mut c,
        &s(&["alice: /privacy forget", "alice: /privacy forget confirm"]),
    )
    .await;
    assert!(done.contains("🗑️ Done: deleted 3 answers, 6 votes on them, 3 votes you gave, 1 hint record and your name."), "{done}");

    // No row names alice; the boards equal a rebuild from what is left.
    let texts = every_text(&pool).await;
    assert!(
        texts.iter().any(|t| t == "users: bob"),
        "the others' rows are read: {texts:?}"
    );
    let naming: Vec<&String> = texts.iter().filter(|t| t.contains("alice")).collect();
    assert!(naming.is_empty(), "rows still naming alice: {naming:?}");
    let after = assert_rollups_consistent(&pool).await;
    assert_ne!(before, after);
    let board = run(&mut c, &s(&["bob: /leaderboard all"])).await;
    assert!(board.contains("1. bob — "), "{board}");
    assert!(!board.contains("alice"), "{board}");
    // bob lost alice's three votes: his points are his checker points alone.
    let bob_votes: i64 = any_pool!(&pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM votes")
        .fetch_one(p)
        .await
        .unwrap());
    assert_eq!(
        bob_votes, 0,
        "the only votes left would be on alice's answers or hers"
    );

    // Nothing is left to export.
    let again = run(&mut c, &s(&["alice: /privacy export"])).await;
    assert!(
        again.contains("Nothing is stored about you here yet"),
        "{again}"
    );
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

async fn users(pool: &Pool, platform: &str) -> Vec<String> {
    any_pool!(pool, |p| sqlx::query_scalar(
        "SELECT user_id FROM users WHERE platform = $1 ORDER BY user_id"
    )
    .bind(platform)
    .fetch_all(p)
    .await
    .unwrap())
}

fn privacy_interaction(id: u64, who: u64, sub: &str, options: Value) -> Value {
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": 2,
        "data": {"id": "1", "name": "privacy", "type": 1,
                 "options": [{"name": sub, "type": 1, "options": options}]},
        "guild_id": GUILD.to_string(), "channel_id": CHANNEL.to_string(),
        "channel": {"id": CHANNEL.to_string(), "type": 0},
        "member": fake::member(who, "alice", "0"),
        "token": format!("token-{id}"), "version": 1, "app_permissions": "2248473465835073",
        "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()}, "context": 0,
        "attachment_size_limit": 8388608
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_export_is_an_ephemeral_file_and_forget_confirms() {
    for db in common::databases("discord_export_is_an_ephemeral_file_and_forget_confirms").await {
        println!(
            "discord_export_is_an_ephemeral_file_and_forget_confirms on {}",
            db.backend
        );
        discord_export_is_an_ephemeral_file_and_forget_confirms_on(&db.url).await;
    }
}

async fn discord_export_is_an_ephemeral_file_and_forget_confirms_on(url: &str) {
    const ALICE: u64 = 201;
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(at(2026, 3, 4, 10)));
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(
        pool.clone(),
        common::bank(),
        common::config(),
        clock,
    ));
    let channel = ChannelRef {
        platform: discord::PLATFORM.into(),
        id: CHANNEL.to_string(),
        workspace: Some(GUILD.to_string()),
    };
    for (who, name, post) in [(ALICE, "alice", ("11", "12")), (202, "bob", ("13", "14"))] {
        let write = |thread: &str, text: &str| {
            let author = fake::user(who, name, false);
            let m = fake.write(thread.parse().unwrap(), author, text, at(2026, 3, 4, 10));
            m["id"].as_str().unwrap().to_string()
        };
        answered_question(
            &engine,
            &channel,
            &actor(&who.to_string(), name),
            post,
            write,
        )
        .await;
    }
    let config = fake.bot_config();
    let bot = discord::start(&config, engine.clone()).await.unwrap();
    fake.wait_identified(1).await;

    let followup = |token: &'static str| {
        let fake = fake.clone();
        async move {
            fake.wait_for(token, |calls| {
                calls.iter().any(|c| {
                    c.method == "POST" && c.path.contains("webhooks") && c.path.contains(token)
                })
            })
            .await;
            fake.calls()
                .into_iter()
                .find(|c| {
                    c.method == "POST" && c.path.contains("webhooks") && c.path.contains(token)
                })
                .unwrap()
                .body
        }
    };
    fake.dispatch(
        "INTERACTION_CREATE",
        privacy_interaction(8101, ALICE, "export", json!([])),
    );
    let body = followup("token-8101").await;
    assert_eq!(body["flags"], 64, "ephemeral: {body}");
    let upload = fake
        .uploads()
        .into_iter()
        .find(|u| u.path.contains("token-8101"))
        .expect("the export is attached");
    assert_eq!(upload.file_name, "interview-bot-data.json");
    let data: Value = serde_json::from_slice(&upload.bytes).unwrap();
    assert_eq!(data["user_id"], ALICE.to_string());
    assert_eq!(data["workspace"], GUILD.to_string());
    assert_eq!(data["answers"].as_array().unwrap().len(), 1);

    fake.dispatch(
        "INTERACTION_CREATE",
        privacy_interaction(8102, ALICE, "forget", json!([])),
    );
    let body = followup("token-8102").await;
    assert!(
        body["content"]
            .as_str()
            .unwrap()
            .contains("/privacy forget confirm"),
        "{body}"
    );
    fake.dispatch(
        "INTERACTION_CREATE",
        privacy_interaction(
            8103,
            ALICE,
            "forget",
            json!([{"name": "confirm", "type": 5, "value": true}]),
        ),
    );
    let body = followup("token-8103").await;
    assert!(
        body["content"]
            .as_str()
            .unwrap()
            .starts_with("🗑️ Done: deleted 1 answer"),
        "{body}"
    );
    assert_eq!(users(&pool, "discord").await, ["202"]);
    assert_rollups_consistent(&pool).await;
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_export_goes_to_the_members_dm_and_forget_confirms() {
    for db in common::databases("slack_export_goes_to_the_members_dm_and_forget_confirms").await {
        println!(
            "slack_export_goes_to_the_members_dm_and_forget_confirms on {}",
            db.backend
        );
        slack_export_goes_to_the_members_dm_and_forget_confirms_on(&db.url).await;
    }
}

async fn slack_export_goes_to_the_members_dm_and_forget_confirms_on(url: &str) {
    const ALICE: &str = "UALICE";
    let fake = FakeSlack::start().await;
    let clock = Arc::new(ManualClock::new(at(2026, 3, 4, 10)));
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(
        pool.clone(),
        common::bank(),
        common::config(),
        clock,
    ));
    let channel = ChannelRef {
        platform: slack::PLATFORM.into(),
        id: fake_slack::CHANNEL.into(),
        workspace: Some("T1".into()),
    };
    for (who, n) in [(ALICE, 1), ("UBOB", 2)] {
        let post = format!("{}:177240000{n}.000100", fake_slack::CHANNEL);
        let write = |thread: &str, text: &str| {
            let (ch, thread_ts) = thread.split_once(':').unwrap();
            format!(
                "{ch}:{}",
                fake.write(thread_ts, who, text, at(2026, 3, 4, 10))
            )
        };
        answered_question(
            &engine,
            &channel,
            &actor(who, "member"),
            (&post, &post),
            write,
        )
        .await;
    }
    let config = fake.bot_config();
    let bot = slack::start(&config, engine.clone()).await.unwrap();
    fake.wait_connected(1).await;

    fake.command(ALICE, "/privacy", "export", "trigger-export");
    fake.wait_for("the export shared", |f| {
        !f.calls_of("files.completeUploadExternal").is_empty()
    })
    .await;
    let complete = &fake.calls_of("files.completeUploadExternal")[0];
    assert_eq!(complete["channel_id"], "DALICE", "{complete}");
    let (content_type, bytes) = fake
        .upload(complete["files"][0]["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(content_type, "application/json");
    let data: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(data["workspace"], "T1");
    assert_eq!(data["answers"].as_array().unwrap().len(), 1);

    let ephemeral = |needle: &'static str| {
        let fake = fake.clone();
        async move {
            fake.wait_for(needle, |f| {
                f.calls_of("chat.postEphemeral")
                    .iter()
                    .any(|c| c["text"].as_str().is_some_and(|t| t.contains(needle)))
            })
            .await;
        }
    };
    fake.command(ALICE, "/privacy", "forget", "trigger-forget");
    ephemeral("Send `/privacy forget confirm` within").await;
    fake.command(ALICE, "/privacy", "forget confirm", "trigger-confirm");
    ephemeral("🗑️ Done: deleted 1 answer").await;
    assert_eq!(users(&pool, "slack").await, ["UBOB"]);
    assert_rollups_consistent(&pool).await;
    bot.shutdown().await;
}

/// A member in two Discord servers forgets in one: that server's rows go, the other's stay,
/// and so does the name (it still labels their answers there); the boards of both agree with a
/// rebuild.
#[tokio::test]
async fn forget_is_per_workspace() {
    for db in common::databases("forget_is_per_workspace").await {
        println!("forget_is_per_workspace on {}", db.backend);
        forget_is_per_workspace_on(&db.url).await;
    }
}

async fn forget_is_per_workspace_on(url: &str) {
    let clock = Arc::new(ManualClock::new(at(2026, 3, 4, 10)));
    let pool = store::open(url).await.unwrap();
    let engine = Engine::new(pool.clone(), common::bank(), common::config(), clock);
    let server = |guild: &str, channel: &str| ChannelRef {
        platform: discord::PLATFORM.into(),
        id: channel.into(),
        workspace: Some(guild.into()),
    };
    let (a, b) = (server("1", "100"), server("2", "200"));
    let alice = actor("201", "alice");
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("{}", 9000 + n)
    };
    for (channel, post) in [(&a, ("11", "12")), (&b, ("21", "22"))] {
        let message = id();
        answered_question(&engine, channel, &alice, post, |_, _| message).await;
    }
    let forget = |confirm: bool, n: u32| Inbound::Command {
        id: format!("forget-{n}"),
        channel: a.clone(),
        thread: None,
        actor: alice.clone(),
        command: Command::Privacy(Privacy::Forget { confirm }),
    };
    let ask = engine.handle(forget(false, 1)).await.unwrap();
    let Outbound::Private { text, .. } = &ask[0] else {
        panic!("{ask:?}")
    };
    assert!(
        text.contains("1 answer, 0 votes on them, 0 votes you gave, 0 hint records (your name stays: you still have answers or votes in another workspace here)"),
        "{text}"
    );
    engine.handle(forget(true, 2)).await.unwrap();
    assert_eq!(users(&pool, "discord").await, ["201"]);
    let answers: Vec<(String, i64)> = any_pool!(&pool, |p| sqlx::query_as(
        "SELECT c.workspace_id, COUNT(*) FROM answers a JOIN posts p ON p.id = a.post
         JOIN channels c ON c.id = p.channel GROUP BY c.workspace_id",
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(answers, [("2".to_string(), 1)]);
    assert_rollups_consistent(&pool).await;
}
