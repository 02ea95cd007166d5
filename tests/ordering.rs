//! The one ordered event path (issue 10): events of a channel apply in the order they were
//! submitted, reads run beside a write in progress, chatter never reaches a transaction, and the
//! rollups the boards read always agree with the answers they summarise.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use interview_bot::engine::{
    command, points, Actor, ChannelRef, Engine, Inbound, Outbound, Period,
};
use interview_bot::schedule::{Clock, ManualClock};
use interview_bot::store::{self, AnswerScope, BoardScope, PostId};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn chan() -> ChannelRef {
    ChannelRef::new("test", "general")
}

fn member(name: &str) -> Actor {
    Actor {
        id: format!("u-{name}"),
        name: name.into(),
        is_bot: false,
        can_manage: true,
    }
}

/// A short answer that misses most of any rubric.
const SHORT: &str = "the GIL is a lock";

/// An answer that scores well: the reference answer of the post's question.
async fn good(e: &Engine, post: PostId) -> String {
    let question: String = any_pool!(e.pool(), |p| sqlx::query_scalar(
        "SELECT question_id FROM posts WHERE id = $1"
    )
    .bind(post)
    .fetch_one(p)
    .await
    .unwrap());
    e.bank()
        .question(&question)
        .unwrap()
        .reference_answer
        .clone()
}

async fn engine(url: &str) -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    let pool = store::open(url).await.unwrap();
    (
        Engine::new(pool, common::bank(), common::config(), clock.clone()),
        clock,
    )
}

/// `/ask gil mid` in the test channel, attached as message `q<N>`, thread `t<N>`.
async fn ask(e: &Engine, id: &str) -> PostId {
    let out = e
        .handle(Inbound::Command {
            id: id.into(),
            channel: chan(),
            thread: None,
            actor: member("admin"),
            command: command::parse("/ask gil mid").unwrap(),
        })
        .await
        .unwrap();
    let Some(Outbound::PostQuestion { card, .. }) = out.first() else {
        panic!("no post: {out:?}")
    };
    e.attach(
        card.post,
        &format!("q{}", card.post),
        &format!("t{}", card.post),
    )
    .await
    .unwrap();
    card.post
}

fn message(post: PostId, id: &str, who: &str, text: &str) -> Inbound {
    Inbound::Message {
        channel: chan(),
        thread: format!("t{post}"),
        message: id.into(),
        actor: member(who),
        text: text.into(),
    }
}

async fn answers(e: &Engine) -> i64 {
    any_pool!(e.pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap())
}

/// The board the rollups give must equal the points formula applied to the stored answers.
async fn assert_rollups_agree(e: &Engine, now: DateTime<Utc>) {
    assert_rollups_agree_in(e, now, chrono_tz::Tz::UTC).await;
}

/// [`assert_rollups_agree`] for a channel whose time zone is `tz`.
async fn assert_rollups_agree_in(e: &Engine, now: DateTime<Utc>, tz: chrono_tz::Tz) {
    let mut conn = e.pool().acquire().await.unwrap();
    let channel = store::find_channel(&mut conn, "test", "general")
        .await
        .unwrap()
        .unwrap();
    for period in [Period::Week, Period::Month, Period::All] {
        let (from, to) = points::period_range(period, now, tz);
        let all = store::scored_answers(&mut conn, channel, from, to)
            .await
            .unwrap();
        let expected = points::leaderboard(&all, None);
        let days = points::period_days(period, now, tz);
        let rows = store::board(&mut conn, BoardScope::Channel(channel), days, None, 1000)
            .await
            .unwrap();
        assert_eq!(points::standings(rows), expected, "{period:?}");
    }
    // /stats: per member, answers (late too), late answers and points.
    let all = store::scored_answers(&mut conn, channel, None, None)
        .await
        .unwrap();
    for who in ["alice", "bob", "carol"] {
        let Some((id, _)) = store::find_user(&mut conn, "test", who).await.unwrap() else {
            continue;
        };
        let mine: Vec<_> = all.iter().filter(|a| a.author == id).collect();
        let topics = store::member_topics(&mut conn, channel, id).await.unwrap();
        assert_eq!(
            topics.iter().map(|t| t.answers).sum::<i64>(),
            mine.len() as i64,
            "{who}"
        );
        assert_eq!(
            topics.iter().map(|t| t.late).sum::<i64>(),
            mine.iter().filter(|a| a.late).count() as i64,
            "{who}"
        );
        assert_eq!(
            topics.iter().map(|t| t.points).sum::<i64>(),
            mine.iter().map(|a| points::answer_points(a)).sum::<i64>(),
            "{who}"
        );
    }
}

#[tokio::test]
async fn a_delete_right_after_its_create_withdraws_it() {
    for db in common::databases("a_delete_right_after_its_create_withdraws_it").await {
        println!(
            "a_delete_right_after_its_create_withdraws_it on {}",
            db.backend
        );
        a_delete_right_after_its_create_withdraws_it_on(&db.url).await;
    }
}

async fn a_delete_right_after_its_create_withdraws_it_on(url: &str) {
    let (e, _) = engine(url).await;
    let post = ask(&e, "i1").await;
    let good = good(&e, post).await;
    // Both take their place before either is applied (as Slack's callback does), then apply.
    let create = e.submit(message(post, "m1", "alice", &good)).await.unwrap();
    let delete = e
        .submit(Inbound::MessageDeleted {
            channel: chan(),
            message: "m1".into(),
        })
        .await
        .unwrap();
    let (deleted, created) = tokio::join!(delete.outcome(), create.outcome());
    assert!(!created.unwrap().is_empty(), "the answer was scored first");
    assert!(deleted.unwrap().is_empty());
    assert_eq!(answers(&e).await, 0, "the delete applied after its create");
    assert_rollups_agree(&e, t0()).await;

    // The same pair in the other order leaves the answer: order is what decides.
    let delete = e
        .submit(Inbound::MessageDeleted {
            channel: chan(),
            message: "m2".into(),
        })
        .await
        .unwrap();
    let create = e.submit(message(post, "m2", "alice", &good)).await.unwrap();
    delete.outcome().await.unwrap();
    create.outcome().await.unwrap();
    assert_eq!(answers(&e).await, 1);
    assert_rollups_agree(&e, t0()).await;
}

#[tokio::test]
async fn an_edit_racing_a_vote_keeps_both() {
    for db in common::databases("an_edit_racing_a_vote_keeps_both").await {
        println!("an_edit_racing_a_vote_keeps_both on {}", db.backend);
        an_edit_racing_a_vote_keeps_both_on(&db.url).await;
    }
}

async fn an_edit_racing_a_vote_keeps_both_on(url: &str) {
    let (e, _) = engine(url).await;
    let post = ask(&e, "i1").await;
    let good = good(&e, post).await;
    e.handle(message(post, "m1", "alice", SHORT)).await.unwrap();
    let before: i64 = any_pool!(e.pool(), |p| sqlx::query_scalar(
        "SELECT score FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap());
    // The edit and bob's vote arrive together; then carol's vote and bob's edit-free repeat.
    let edit = e
        .submit(Inbound::MessageEdited {
            channel: chan(),
            thread: format!("t{post}"),
            message: "m1".into(),
            actor: member("alice"),
            text: good.clone(),
        })
        .await
        .unwrap();
    let vote = e
        .submit(Inbound::ReactionAdded {
            channel: chan(),
            message: "m1".into(),
            emoji: "👍".into(),
            actor: member("bob"),
        })
        .await
        .unwrap();
    let (v, ed) = tokio::join!(vote.outcome(), edit.outcome());
    v.unwrap();
    assert!(!ed.unwrap().is_empty(), "the edit was re-scored");
    let (score, body, voters): (i64, String, i64) = any_pool!(e.pool(), |p| {
        sqlx::query_as(
        "SELECT a.score, a.body, (SELECT COUNT(*) FROM votes v WHERE v.answer = a.id) FROM answers a",
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    assert!(score > before, "re-scored: {before} → {score}");
    assert_eq!(body, good);
    assert_eq!(voters, 1, "the edit kept the vote");
    assert_rollups_agree(&e, t0()).await;
}

#[tokio::test]
async fn reads_run_while_a_write_is_in_progress() {
    for db in common::databases("reads_run_while_a_write_is_in_progress").await {
        println!("reads_run_while_a_write_is_in_progress on {}", db.backend);
        reads_run_while_a_write_is_in_progress_on(&db.url).await;
    }
}

async fn reads_run_while_a_write_is_in_progress_on(url: &str) {
    let (e, _) = engine(url).await;
    let post = ask(&e, "i1").await;
    let good = good(&e, post).await;
    e.handle(message(post, "m1", "alice", &good)).await.unwrap();
    // Another process holds the write lock (SQLite's, or PostgreSQL's tables in EXCLUSIVE
    // mode): the next answer has to wait for it.
    let blocker = common::hold_write_lock(e.pool()).await;
    let pending = e.submit(message(post, "m2", "bob", &good)).await.unwrap();
    let write = tokio::spawn(pending.outcome());
    // The board, stats and schedule status answer meanwhile, from the read pool.
    for text in ["/leaderboard all", "/stats", "/qotd status", "/help"] {
        let out = e
            .handle(Inbound::Command {
                id: format!("read-{text}"),
                channel: chan(),
                thread: None,
                actor: member("alice"),
                command: command::parse(text).unwrap(),
            })
            .await
            .unwrap();
        assert_eq!(out.len(), 1, "{text}: {out:?}");
        if text == "/leaderboard all" {
            let Outbound::Private { text: board, .. } = &out[0] else {
                panic!("{out:?}")
            };
            assert!(board.contains("1. alice"), "{board}");
            assert!(
                !board.contains("bob"),
                "bob's answer is not in yet: {board}"
            );
        }
    }
    assert!(!write.is_finished(), "the reads did not wait for the write");
    blocker.commit().await.unwrap();
    write.await.unwrap().unwrap();
    assert_eq!(answers(&e).await, 2);
}

#[tokio::test]
async fn chatter_is_dropped_before_a_transaction() {
    for db in common::databases("chatter_is_dropped_before_a_transaction").await {
        println!("chatter_is_dropped_before_a_transaction on {}", db.backend);
        chatter_is_dropped_before_a_transaction_on(&db.url).await;
    }
}

async fn chatter_is_dropped_before_a_transaction_on(url: &str) {
    let (e, _) = engine(url).await;
    let post = ask(&e, "i1").await;
    let good = good(&e, post).await;
    let mut handled = e.handled();
    let seen = *handled.borrow_and_update();
    // A message in a thread that is no question's, a reaction that is not a vote, a deletion
    // in a channel the bot never posted in, a bot's message in the question's thread.
    let chatter = [
        Inbound::Message {
            channel: chan(),
            thread: "random-thread".into(),
            message: "x1".into(),
            actor: member("alice"),
            text: good.clone(),
        },
        Inbound::ReactionAdded {
            channel: chan(),
            message: "x1".into(),
            emoji: "🎉".into(),
            actor: member("bob"),
        },
        Inbound::MessageDeleted {
            channel: ChannelRef::new("test", "off-topic"),
            message: "x2".into(),
        },
        Inbound::Message {
            channel: chan(),
            thread: format!("t{post}"),
            message: "x3".into(),
            actor: Actor {
                is_bot: true,
                ..member("helper")
            },
            text: good.clone(),
        },
    ];
    // Hold the write lock: a dropped event never needs it, so none of these can block. (On
    // PostgreSQL a write would wait for the lock without end, so a wait past 30 s fails.)
    let blocker = common::hold_write_lock(e.pool()).await;
    for event in chatter {
        let handled = tokio::time::timeout(std::time::Duration::from_secs(30), e.handle(event))
            .await
            .expect("a dropped event waited for the write lock");
        assert!(handled.unwrap().is_empty());
    }
    blocker.rollback().await.unwrap();
    assert_eq!(
        *handled.borrow_and_update(),
        seen + 4,
        "each counted as handled"
    );
    assert_eq!(answers(&e).await, 0);
}

#[tokio::test]
async fn rollups_follow_answers_votes_edits_deletions_and_late_answers() {
    for db in
        common::databases("rollups_follow_answers_votes_edits_deletions_and_late_answers").await
    {
        println!(
            "rollups_follow_answers_votes_edits_deletions_and_late_answers on {}",
            db.backend
        );
        rollups_follow_answers_votes_edits_deletions_and_late_answers_on(&db.url).await;
    }
}

async fn rollups_follow_answers_votes_edits_deletions_and_late_answers_on(url: &str) {
    let (e, clock) = engine(url).await;
    let p1 = ask(&e, "i1").await;
    let good = good(&e, p1).await;
    e.handle(message(p1, "a1", "alice", &good)).await.unwrap();
    e.handle(message(p1, "b1", "bob", SHORT)).await.unwrap();
    e.handle(message(p1, "c1", "carol", &good)).await.unwrap();
    for (voter, on) in [
        ("bob", "a1"),
        ("carol", "a1"),
        ("alice", "b1"),
        ("alice", "a1"),
    ] {
        e.handle(Inbound::ReactionAdded {
            channel: chan(),
            message: on.into(),
            emoji: "👍".into(),
            actor: member(voter),
        })
        .await
        .unwrap();
    }
    assert_rollups_agree(&e, clock.now()).await;
    // bob replaces his answer (votes dropped), carol withdraws, a vote is taken back.
    e.handle(message(p1, "b2", "bob", &good)).await.unwrap();
    e.handle(Inbound::MessageDeleted {
        channel: chan(),
        message: "c1".into(),
    })
    .await
    .unwrap();
    e.handle(Inbound::ReactionRemoved {
        channel: chan(),
        message: "a1".into(),
        emoji: "👍".into(),
        actor: member("carol"),
    })
    .await
    .unwrap();
    assert_rollups_agree(&e, clock.now()).await;
    // Two days later the question has closed: carol's answer is late and earns nothing.
    clock.advance(Duration::days(2));
    e.tick().await.unwrap();
    e.handle(message(p1, "c2", "carol", &good)).await.unwrap();
    let p2 = ask(&e, "i2").await;
    e.handle(message(p2, "a3", "alice", SHORT)).await.unwrap();
    assert_rollups_agree(&e, clock.now()).await;
    // Rebuilding from scratch gives the same rollups as keeping them up to date.
    let snapshot = |table: &'static str| {
        let pool = e.pool().clone();
        async move {
            let sql = format!(
                "SELECT COUNT(*), CAST(SUM(points) AS BIGINT), CAST(SUM(answers) AS BIGINT)
                 FROM {table}"
            );
            any_pool!(&pool, |p| sqlx::query_as::<_, (i64, i64, i64)>(&sql)
                .fetch_one(p)
                .await
                .unwrap())
        }
    };
    let kept = (
        snapshot("rollup_days").await,
        snapshot("rollup_members").await,
        snapshot("rollup_topics").await,
    );
    store::rebuild_rollups(e.pool()).await.unwrap();
    let rebuilt = (
        snapshot("rollup_days").await,
        snapshot("rollup_members").await,
        snapshot("rollup_topics").await,
    );
    assert_eq!(kept, rebuilt);
    // The reveal reads the one scored-answer query too.
    let mut conn = e.pool().acquire().await.unwrap();
    let revealed = store::scored_answers_in(&mut conn, AnswerScope::Post(p1), None, None)
        .await
        .unwrap();
    assert_eq!(revealed.len(), 3, "alice, bob and carol's late answer");
}

#[tokio::test]
async fn a_new_time_zone_moves_answers_to_its_days() {
    for db in common::databases("a_new_time_zone_moves_answers_to_its_days").await {
        println!(
            "a_new_time_zone_moves_answers_to_its_days on {}",
            db.backend
        );
        a_new_time_zone_moves_answers_to_its_days_on(&db.url).await;
    }
}

async fn a_new_time_zone_moves_answers_to_its_days_on(url: &str) {
    let (e, clock) = engine(url).await;
    // Sunday 23:30 UTC: still week 9 in UTC, already Monday of week 10 in Berlin.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap());
    let post = ask(&e, "i1").await;
    let good = good(&e, post).await;
    e.handle(message(post, "a1", "alice", &good)).await.unwrap();
    assert_rollups_agree(&e, clock.now()).await;
    let out = e
        .handle(Inbound::Command {
            id: "i2".into(),
            channel: chan(),
            thread: None,
            actor: member("admin"),
            command: command::parse("/qotd schedule \"0 9 * * *\" mid Europe/Berlin").unwrap(),
        })
        .await
        .unwrap();
    assert!(matches!(out[0], Outbound::ChannelMessage { .. }), "{out:?}");
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    assert_rollups_agree_in(&e, clock.now(), berlin).await;
    // The answer now falls in Berlin's week 10, which starts at 23:00 UTC on Sunday.
    let out = e
        .handle(Inbound::Command {
            id: "i3".into(),
            channel: chan(),
            thread: None,
            actor: member("bob"),
            command: command::parse("/leaderboard week").unwrap(),
        })
        .await
        .unwrap();
    let Outbound::Private { text, .. } = &out[0] else {
        panic!("{out:?}")
    };
    assert!(
        text.contains("2026-W10") && text.contains("1. alice"),
        "{text}"
    );
}
