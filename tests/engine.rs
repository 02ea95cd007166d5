//! Engine and store scenarios with a fake clock: durable schedules, repeated events, edits,
//! deletions, permissions and awkward answers. Each scenario runs on SQLite and, when PostgreSQL
//! is installed (`tests/common/pg.rs`), again on PostgreSQL.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use interview_bot::engine::{command, Actor, ChannelRef, Engine, Inbound, Outbound};
use interview_bot::schedule::ManualClock;
use interview_bot::store::{self, PostId};

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn chan() -> ChannelRef {
    ChannelRef::new("test", "general")
}

fn member(name: &str) -> Actor {
    Actor {
        id: format!("u-{name}"),
        name: name.into(),
        is_bot: false,
        can_manage: name == "admin",
    }
}

async fn engine(url: &str, clock: Arc<ManualClock>) -> Engine {
    let pool = store::open(url).await.unwrap();
    Engine::new(pool, common::bank(), common::config(), clock)
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

/// Delivers posted questions the way a platform would: message `q<N>`, thread `t<N>`.
async fn deliver(e: &Engine, out: &[Outbound]) -> Vec<PostId> {
    let mut posts = Vec::new();
    for o in out {
        if let Outbound::PostQuestion { card, .. } = o {
            e.attach(
                card.post,
                &format!("q{}", card.post),
                &format!("t{}", card.post),
            )
            .await
            .unwrap();
            posts.push(card.post);
        }
    }
    posts
}

fn private_texts(out: &[Outbound]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            Outbound::Private { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

async fn count_posts(e: &Engine) -> i64 {
    scalar(e, "SELECT COUNT(*) FROM posts").await
}

/// One BIGINT value of `sql`, on either backend.
async fn scalar(e: &Engine, sql: &str) -> i64 {
    any_pool!(e.pool(), |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await
        .unwrap())
}

/// The bank question id of a post (the newest when `None`), on either backend.
async fn question_of(e: &Engine, post: Option<PostId>) -> String {
    let sql = "SELECT question_id FROM posts WHERE id = COALESCE($1, (SELECT MAX(id) FROM posts))";
    any_pool!(e.pool(), |p| sqlx::query_scalar(sql)
        .bind(post)
        .fetch_one(p)
        .await
        .unwrap())
}

#[tokio::test]
async fn downtime_spanning_several_runs_catches_up_once() {
    for db in common::databases("downtime_spanning_several_runs_catches_up_once").await {
        println!(
            "downtime_spanning_several_runs_catches_up_once on {}",
            db.backend
        );
        downtime_spanning_several_runs_catches_up_once_on(&db.url).await;
    }
}

async fn downtime_spanning_several_runs_catches_up_once_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let e = engine(url, clock.clone()).await;
    cmd(
        &e,
        "1",
        "admin",
        "/qotd schedule \"0 9 * * *\" junior Europe/Berlin",
    )
    .await;
    clock.set(t(2026, 3, 2, 8, 0)); // 09:00 Berlin
    let posted = deliver(&e, &e.tick().await.unwrap()).await;
    assert_eq!(posted.len(), 1);
    // Down from Monday to Friday afternoon: four runs missed, one catch-up post.
    clock.set(t(2026, 3, 6, 15, 0));
    let out = e.tick().await.unwrap();
    assert_eq!(deliver(&e, &out).await.len(), 1, "{out:#?}");
    assert_eq!(count_posts(&e).await, 2);
    // Nothing more until Saturday 09:00 Berlin.
    clock.set(t(2026, 3, 7, 7, 59));
    assert!(deliver(&e, &e.tick().await.unwrap()).await.is_empty());
    clock.set(t(2026, 3, 7, 8, 0));
    assert_eq!(deliver(&e, &e.tick().await.unwrap()).await.len(), 1);
    // `/qotd now` reveals the open scheduled question and posts the next one.
    let now = cmd(&e, "2", "admin", "/qotd now").await;
    assert!(
        matches!(&now[0], Outbound::ThreadReply { text, .. } if text.contains("Reference answer")),
        "{now:#?}"
    );
    assert_eq!(deliver(&e, &now).await.len(), 1);
}

#[tokio::test]
async fn two_processes_on_one_database_post_a_run_once() {
    for db in common::databases("two_processes_on_one_database_post_a_run_once").await {
        println!(
            "two_processes_on_one_database_post_a_run_once on {}",
            db.backend
        );
        two_processes_on_one_database_post_a_run_once_on(&db.url).await;
    }
}

async fn two_processes_on_one_database_post_a_run_once_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let a = engine(url, clock.clone()).await;
    let b = engine(url, clock.clone()).await;
    cmd(&a, "1", "admin", "/qotd schedule \"0 9 * * *\" mid UTC").await;
    clock.set(t(2026, 3, 2, 9, 0));
    let (x, y) = tokio::join!(a.tick(), b.tick());
    let total = deliver(&a, &x.unwrap()).await.len() + deliver(&b, &y.unwrap()).await.len();
    assert_eq!(total, 1);
    assert_eq!(count_posts(&a).await, 1);
}

#[tokio::test]
async fn a_repeated_command_is_applied_once_and_undelivered_posts_come_back() {
    for db in
        common::databases("a_repeated_command_is_applied_once_and_undelivered_posts_come_back")
            .await
    {
        println!(
            "a_repeated_command_is_applied_once_and_undelivered_posts_come_back on {}",
            db.backend
        );
        a_repeated_command_is_applied_once_and_undelivered_posts_come_back_on(&db.url).await;
    }
}

async fn a_repeated_command_is_applied_once_and_undelivered_posts_come_back_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let e = engine(url, clock.clone()).await;
    let first = cmd(&e, "interaction-42", "ann", "/ask gil junior").await;
    let again = cmd(&e, "interaction-42", "ann", "/ask gil junior").await;
    assert_eq!(first.len(), 1);
    assert!(again.is_empty());
    assert_eq!(count_posts(&e).await, 1);
    // The process stopped before the platform posted it: a restart delivers it again.
    drop(e);
    let e = engine(url, clock.clone()).await;
    let pending = e.undelivered().await.unwrap();
    assert_eq!(deliver(&e, &pending).await, vec![1]);
    assert!(e.undelivered().await.unwrap().is_empty());
}

#[tokio::test]
async fn answers_edits_deletions_and_repeats() {
    for db in common::databases("answers_edits_deletions_and_repeats").await {
        println!("answers_edits_deletions_and_repeats on {}", db.backend);
        answers_edits_deletions_and_repeats_on(&db.url).await;
    }
}

async fn answers_edits_deletions_and_repeats_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let e = engine(url, clock.clone()).await;
    let post = deliver(&e, &cmd(&e, "1", "ann", "/ask gil senior").await).await[0];
    let q = e
        .bank()
        .question(&{
            let p: String = question_of(&e, None).await;
            p
        })
        .unwrap()
        .clone();
    let msg = |text: &str| Inbound::Message {
        channel: chan(),
        thread: format!("t{post}"),
        message: "m1".into(),
        actor: member("ann"),
        text: text.into(),
    };
    let weak = e
        .handle(msg("Threads are limited by the lock in CPython."))
        .await
        .unwrap();
    assert_eq!(weak.len(), 2, "a reaction and private feedback: {weak:#?}");
    // The same event delivered twice changes nothing and says nothing.
    assert!(e
        .handle(msg("Threads are limited by the lock in CPython."))
        .await
        .unwrap()
        .is_empty());
    let score = || async {
        let s: i64 = scalar(&e, "SELECT score FROM answers").await;
        s
    };
    let before = score().await;
    // An edit re-scores.
    let edited = e
        .handle(Inbound::MessageEdited {
            channel: chan(),
            thread: format!("t{post}"),
            message: "m1".into(),
            actor: member("ann"),
            text: q.reference_answer.clone(),
        })
        .await
        .unwrap();
    assert!(private_texts(&edited)[0].contains("scored"), "{edited:#?}");
    let after = score().await;
    assert!(after >= 90 && after > before, "{before} → {after}");
    // A deletion withdraws it.
    e.handle(Inbound::MessageDeleted {
        channel: chan(),
        message: "m1".into(),
    })
    .await
    .unwrap();
    let n: i64 = scalar(&e, "SELECT COUNT(*) FROM answers").await;
    assert_eq!(n, 0);
    // After the post closes, an edit of an on-time answer is not re-scored.
    e.handle(msg(&q.reference_answer)).await.unwrap();
    clock.advance(Duration::hours(25));
    let closed = e.tick().await.unwrap();
    assert!(
        matches!(&closed[0], Outbound::ThreadReply { text, .. } if text.contains("Reference answer"))
    );
    let late_edit = e
        .handle(Inbound::MessageEdited {
            channel: chan(),
            thread: format!("t{post}"),
            message: "m1".into(),
            actor: member("ann"),
            text: "changed my mind".into(),
        })
        .await
        .unwrap();
    assert!(
        private_texts(&late_edit)[0].contains("closed"),
        "{late_edit:#?}"
    );
    assert!(score().await >= 90);
    // Neither does a new message in the thread after the reveal replace it.
    let chat = e
        .handle(Inbound::Message {
            channel: chan(),
            thread: format!("t{post}"),
            message: "m2".into(),
            actor: member("ann"),
            text: "thanks, that reveal was useful".into(),
        })
        .await
        .unwrap();
    assert!(
        private_texts(&chat)[0].contains("stays as it was"),
        "{chat:#?}"
    );
    assert!(score().await >= 90);
}

#[tokio::test]
async fn awkward_answers_are_handled() {
    for db in common::databases("awkward_answers_are_handled").await {
        println!("awkward_answers_are_handled on {}", db.backend);
        awkward_answers_are_handled_on(&db.url).await;
    }
}

async fn awkward_answers_are_handled_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let e = engine(url, clock).await;
    let post = deliver(&e, &cmd(&e, "1", "ann", "/ask gil").await).await[0];
    let huge = "the lock and the threads ".repeat(20_000);
    let cases = [
        ("empty", "   \u{200B}  ", "could not find any words"),
        ("emoji", "🔒🧵🧵🧵", "could not find any words"),
        (
            "code",
            "```python\nimport threading\nthreading.Thread(target=f).start()\n```",
            "scored",
        ),
        (
            "zero-width",
            "only one thre\u{200B}ad at a time holds the lock",
            "scored",
        ),
        ("huge", huge.as_str(), "scored"),
    ];
    for (i, (name, text, expect)) in cases.iter().enumerate() {
        let out = e
            .handle(Inbound::Message {
                channel: chan(),
                thread: format!("t{post}"),
                message: format!("m{i}"),
                actor: member(name),
                text: text.to_string(),
            })
            .await
            .unwrap();
        let texts = private_texts(&out);
        assert!(
            texts.iter().any(|t| t.contains(expect)),
            "{name}: {texts:?}"
        );
    }
    let huge_score: i64 = scalar(
        &e,
        "SELECT a.score FROM answers a JOIN users u ON u.id = a.author WHERE u.display_name = 'huge'",
    )
    .await;
    assert!(
        huge_score <= 30,
        "a huge repetitive paste scored {huge_score}"
    );
}

#[tokio::test]
async fn user_errors_say_what_to_do() {
    for db in common::databases("user_errors_say_what_to_do").await {
        println!("user_errors_say_what_to_do on {}", db.backend);
        user_errors_say_what_to_do_on(&db.url).await;
    }
}

async fn user_errors_say_what_to_do_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let e = engine(url, clock).await;
    let out = private_texts(&cmd(&e, "1", "ann", "/ask gill senior").await);
    assert!(
        out[0].contains("unknown topic `gill`") && out[0].contains("`gil`"),
        "{out:?}"
    );
    let out = private_texts(&cmd(&e, "2", "ann", "/qotd schedule \"0 9 * * *\" mid").await);
    assert!(out[0].contains("only members who can manage"), "{out:?}");
    let out = private_texts(&cmd(&e, "3", "admin", "/qotd schedule \"0 25 * * *\" mid").await);
    assert!(out[0].contains("0 9 * * 1-5"), "{out:?}");
    let out = private_texts(
        &cmd(
            &e,
            "4",
            "admin",
            "/qotd schedule \"0 9 * * *\" mid Mars/Base",
        )
        .await,
    );
    assert!(out[0].contains("Europe/Berlin"), "{out:?}");
    let out = private_texts(&cmd(&e, "5", "admin", "/qotd pause").await);
    assert!(out[0].contains("/qotd schedule"), "{out:?}");
    let out = private_texts(&cmd(&e, "6", "ann", "/hint").await);
    assert!(out[0].contains("inside a question's thread"), "{out:?}");
}

#[tokio::test]
async fn leaderboards_per_channel_or_per_workspace() {
    for db in common::databases("leaderboards_per_channel_or_per_workspace").await {
        println!(
            "leaderboards_per_channel_or_per_workspace on {}",
            db.backend
        );
        leaderboards_per_channel_or_per_workspace_on(&db.url).await;
    }
}

async fn leaderboards_per_channel_or_per_workspace_on(url: &str) {
    let clock = Arc::new(ManualClock::new(t(2026, 3, 2, 7, 0)));
    let e = engine(url, clock).await;
    let in_team = |id: &str| ChannelRef {
        platform: "test".into(),
        id: id.into(),
        workspace: Some("T1".into()),
    };
    let mut seq = 0;
    for (channel, who) in [("c1", "ann"), ("c2", "ben")] {
        seq += 1;
        let out = e
            .handle(Inbound::Command {
                id: format!("ask-{seq}"),
                channel: in_team(channel),
                thread: None,
                actor: member(who),
                command: command::parse("/ask gil junior").unwrap(),
            })
            .await
            .unwrap();
        let post = deliver(&e, &out).await[0];
        let q: String = question_of(&e, Some(post)).await;
        let reference = e.bank().question(&q).unwrap().reference_answer.clone();
        e.handle(Inbound::Message {
            channel: in_team(channel),
            thread: format!("t{post}"),
            message: format!("m{post}"),
            actor: member(who),
            text: reference,
        })
        .await
        .unwrap();
    }
    let board = |text: &'static str, id: &'static str| {
        let e = &e;
        async move {
            let out = e
                .handle(Inbound::Command {
                    id: id.into(),
                    channel: in_team("c1"),
                    thread: None,
                    actor: member("ann"),
                    command: command::parse(text).unwrap(),
                })
                .await
                .unwrap();
            private_texts(&out).join("\n")
        }
    };
    let channel_only = board("/leaderboard", "lb-1").await;
    assert!(
        channel_only.contains("ann") && !channel_only.contains("ben"),
        "{channel_only}"
    );
    let everywhere = board("/leaderboard workspace", "lb-2").await;
    assert!(
        everywhere.contains("ann") && everywhere.contains("ben"),
        "{everywhere}"
    );
    assert!(everywhere.contains("every channel"), "{everywhere}");
}
