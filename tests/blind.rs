//! Blind answers (issue 13, part 1): three members answer a blind question privately; nothing of
//! any answer shows in the thread or in another member's view before the reveal; a member
//! replaces their answer while it is open; a message written in the thread is not scored (its
//! writer gets it back privately); the reveal posts all three, best first; a 👍 on a revealed
//! answer after the reveal counts on the leaderboard. On the console and on Discord (through the
//! fake: the Answer button, the modal, ephemeral responses).

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
use common::fake_discord_components::{callback_of, CHANNEL_MESSAGE, EPHEMERAL, MODAL};
use interview_bot::engine::catchup::{SeenMessage, ThreadSnapshot};
use interview_bot::engine::{Actor, Engine, Outbound, REVEAL_ANSWER_CHARS};
use interview_bot::platform::console::Console;
use interview_bot::platform::discord::{self};
use interview_bot::schedule::ManualClock;
use interview_bot::store;
use serde_json::{json, Value};

/// Three answers of different quality to `reference`, each with a marker word no other text
/// contains (to find any trace of it in another member's view): the reference itself, its first
/// half, and a one-line definition.
fn answers(reference: &str) -> [(String, String); 3] {
    let words: Vec<&str> = reference.split_whitespace().collect();
    let half = words[..words.len() / 2].join(" ");
    [
        ("alice".into(), format!("{reference} (markeralice)")),
        ("bob".into(), format!("{half} (markerbob)")),
        (
            "carol".into(),
            "It is a thing in Python that people mention a lot (markercarol)".into(),
        ),
    ]
}

/// Checker score of each member's stored answer, by platform user id.
async fn score_of(pool: &store::Pool, user: &str) -> i64 {
    any_pool!(pool, |p| sqlx::query_scalar(
        "SELECT a.score FROM answers a JOIN users u ON u.id = a.author WHERE u.user_id = $1",
    )
    .bind(user)
    .fetch_one(p)
    .await
    .unwrap())
}

/// Points of a member's answer (the `answer_points` view: checker × tier + 10 per voter).
async fn points_of(pool: &store::Pool, user: &str) -> i64 {
    any_pool!(pool, |p| sqlx::query_scalar(
        "SELECT p.points FROM answer_points p JOIN users u ON u.id = p.author WHERE u.user_id = $1",
    )
    .bind(user)
    .fetch_one(p)
    .await
    .unwrap())
}

/// Waits until the platform has attached the first post to its message and thread.
async fn wait_attached(engine: &Engine) {
    let mut rx = engine.attached();
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&n| n >= 1))
        .await
        .expect("the post was not attached in time")
        .unwrap();
}

/// Waits (at most 10 s) until no answer is stored under a private id any more: the adapter has
/// recorded every revealed message (it does so right after posting each).
async fn wait_revealed(pool: &store::Pool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let private: i64 = any_pool!(pool, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM answers WHERE message_id LIKE 'private:%'"
        )
        .fetch_one(p)
        .await
        .unwrap());
        if private == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{private} revealed answers were not recorded in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

// ---- console ----

async fn line(c: &mut Console, l: &str) -> String {
    let mut out = Vec::new();
    c.line(l, &mut out).await.expect("line");
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn console_blind_question_reveals_every_answer_best_first_and_votes_count() {
    for db in
        common::databases("console_blind_question_reveals_every_answer_best_first_and_votes_count")
            .await
    {
        println!(
            "console_blind_question_reveals_every_answer_best_first_and_votes_count on {}",
            db.backend
        );
        console_blind_question_reveals_every_answer_best_first_and_votes_count_on(&db.url).await;
    }
}

async fn console_blind_question_reveals_every_answer_best_first_and_votes_count_on(url: &str) {
    let mut c = Console::open(
        url,
        common::bank(),
        common::config(),
        "study-group",
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )
    .await
    .unwrap();
    let asked = line(&mut c, "alice: /ask gil senior blind").await;
    assert!(asked.contains("Blind: answer privately"), "{asked}");
    let pool = c.engine().pool().clone();
    let question: String = any_pool!(&pool, |p| sqlx::query_scalar(
        "SELECT question_id FROM posts"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let reference = c
        .engine()
        .bank()
        .question(&question)
        .unwrap()
        .reference_answer
        .clone();
    let answers = answers(&reference);
    // What everyone could see before the reveal (the thread, the channel, and every private
    // reply to someone else): collected per line.
    let mut seen_by: Vec<(String, String)> = Vec::new();

    // alice first sends a weak answer, then replaces it with her real one.
    let first = line(&mut c, "alice answers privately: a lock (markerdraft)").await;
    assert!(first.starts_with("[bot → alice, privately]"), "{first}");
    seen_by.push(("alice".into(), first));
    for (who, text) in &answers {
        let out = line(&mut c, &format!("{who} answers privately: {text}")).await;
        assert!(
            out.starts_with(&format!("[bot → {who}, privately] "))
                && out.matches("[bot").count() == 1,
            "a private answer's feedback goes to its author alone: {out}"
        );
        assert!(out.contains("scored **"), "{out}");
        seen_by.push((who.clone(), out));
    }
    assert!(seen_by[1]
        .1
        .starts_with("[bot → alice, privately] Your earlier answer was replaced"));
    let stored: Vec<String> = any_pool!(&pool, |p| sqlx::query_scalar(
        "SELECT body FROM answers ORDER BY id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(stored.len(), 3, "one answer per member: {stored:?}");
    assert!(
        !stored.iter().any(|b| b.contains("markerdraft")),
        "replaced"
    );

    // A message in the thread is not an answer: bob gets it back privately, unscored.
    let in_thread = line(&mut c, "bob: threads take turns (markerthread)").await;
    assert!(
        in_thread.starts_with("[bot → bob, privately] Question #1 takes answers privately")
            && in_thread.contains("> threads take turns (markerthread)"),
        "{in_thread}"
    );
    seen_by.push(("bob".into(), in_thread));
    // No one can vote on an answer nobody has seen.
    let early_vote = line(&mut c, "carol +👍 alice").await;
    assert!(early_vote.contains("alice has no answer"), "{early_vote}");
    seen_by.push(("carol".into(), early_vote));
    let count: i64 = any_pool!(&pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM votes")
        .fetch_one(p)
        .await
        .unwrap());
    assert_eq!(count, 0);
    for (who, _) in &answers {
        let marker = format!("marker{who}");
        for (viewer, out) in &seen_by {
            if viewer != who {
                assert!(!out.contains(&marker), "{viewer} saw {who}'s answer: {out}");
            }
        }
    }

    // The reveal: the header, then the three answers, best first.
    let reveal = line(&mut c, "alice: /reveal").await;
    let posted: Vec<&str> = reveal.split("[bot → thread #1] ").skip(1).collect();
    assert_eq!(posted.len(), 4, "{reveal}");
    assert!(posted[0].contains("here are all 3, best first"), "{reveal}");
    let mut by_score = Vec::new();
    for (who, _) in &answers {
        by_score.push((score_of(&pool, who).await, who.clone()));
    }
    by_score.sort_by_key(|(score, who)| (std::cmp::Reverse(*score), who.clone()));
    assert!(by_score[0].0 > by_score[2].0, "{by_score:?}");
    for (i, (score, who)) in by_score.iter().enumerate() {
        assert!(
            posted[i + 1].contains(&format!("**{who}** · checker {score}/100"))
                && posted[i + 1].contains(&format!("marker{who}")),
            "place {}: {}",
            i + 1,
            posted[i + 1]
        );
    }

    // A vote after the reveal counts for the answer's author.
    let before = points_of(&pool, "alice").await;
    let voted = line(&mut c, "carol +👍 alice").await;
    assert!(!voted.contains('?'), "{voted}");
    assert_eq!(points_of(&pool, "alice").await, before + 10);
    let board = line(&mut c, "dave: /leaderboard all").await;
    assert!(
        board.contains(&format!("alice — {} points", before + 10)),
        "{board}"
    );
    // And after the reveal, answering privately stores nothing.
    let late = line(&mut c, "dave answers privately: one thread at a time").await;
    assert!(
        late.contains("is closed and its answers were revealed"),
        "{late}"
    );
    let count: i64 = any_pool!(&pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(count, 3);
}

#[tokio::test]
async fn a_scheduled_blind_question_is_blind_and_catch_up_never_withdraws_a_private_answer() {
    for db in common::databases(
        "a_scheduled_blind_question_is_blind_and_catch_up_never_withdraws_a_private_answer",
    )
    .await
    {
        println!("a_scheduled_blind_question_is_blind_and_catch_up_never_withdraws_a_private_answer on {}", db.backend);
        a_scheduled_blind_question_is_blind_and_catch_up_never_withdraws_a_private_answer_on(
            &db.url,
        )
        .await;
    }
}

async fn a_scheduled_blind_question_is_blind_and_catch_up_never_withdraws_a_private_answer_on(
    url: &str,
) {
    let mut c = Console::open(
        url,
        common::bank(),
        common::config(),
        "study-group",
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    )
    .await
    .unwrap();
    let scheduled = line(&mut c, "alice: /qotd schedule \"0 9 * * *\" mid UTC blind").await;
    assert!(scheduled.contains("scheduled: blind mid"), "{scheduled}");
    let status = line(&mut c, "alice: /qotd status").await;
    assert!(status.contains("blind · active"), "{status}");
    let posted = line(&mut c, "@time 2026-03-02 09:30").await;
    assert!(posted.contains("Blind: answer privately"), "{posted}");
    let out = line(
        &mut c,
        "bob answers privately: only one thread runs bytecode at a time",
    )
    .await;
    assert!(out.contains("scored **"), "{out}");
    // A restart reads the thread back: the private answer is on no message and stays.
    let restarted = line(&mut c, "@restart").await;
    assert!(restarted.contains("restarted"), "{restarted}");
    let open = c.engine().open_threads("console").await.unwrap();
    assert_eq!(open.len(), 1);
    assert!(open[0].answers.is_empty(), "{open:?}");
    // A catch-up of the thread (a complete listing, holding only a message carol wrote while the
    // bot was down) withdraws nothing and tells carol to use the form, with her text.
    let snapshot = ThreadSnapshot {
        channel: open[0].channel.clone(),
        thread: open[0].thread.clone(),
        messages: vec![SeenMessage {
            message: "m-while-down".into(),
            author: Actor {
                id: "carol".into(),
                name: "carol".into(),
                is_bot: false,
                can_manage: false,
            },
            text: "written while the bot was down".into(),
            at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 40, 0).unwrap(),
            edited_at: None,
            votes: None,
        }],
        complete: true,
        known_answers: open[0].answers.clone(),
    };
    let out = c.engine().catch_up(snapshot).await.unwrap();
    assert!(
        matches!(&out[..], [Outbound::Private { user, text, .. }]
            if user == "carol" && text.contains("> written while the bot was down")),
        "{out:?}"
    );
    let stored: i64 = any_pool!(c.engine().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(stored, 1, "bob's private answer stays");
    // The next day's run closes it: the reveal posts bob's answer.
    let next = line(&mut c, "@time 2026-03-03 09:30").await;
    assert!(
        next.contains("here is the one answer") && next.contains("**bob** · checker"),
        "{next}"
    );
}

// ---- Discord ----

const ALICE: u64 = 201; // may manage the server
const BOB: u64 = 202;
const CAROL: u64 = 203;
const MANAGE_GUILD: &str = "32";

fn member_of(who: &str) -> (u64, Value) {
    match who {
        "alice" => (ALICE, fake::member(ALICE, "alice", MANAGE_GUILD)),
        "bob" => (BOB, fake::member(BOB, "bob", "0")),
        _ => (CAROL, fake::member(CAROL, "carol", "0")),
    }
}

fn command(id: u64, member: Value, channel: u64, name: &str, options: Value) -> Value {
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": 2,
        "data": {"id": "1", "name": name, "type": 1, "options": options},
        "guild_id": GUILD.to_string(), "channel_id": channel.to_string(),
        "channel": {"id": channel.to_string(), "type": if channel == CHANNEL { 0 } else { 11 }},
        "member": member, "token": format!("token-{id}"), "version": 1,
        "app_permissions": "2248473465835073", "locale": "en-US", "guild_locale": "en-US",
        "entitlements": [], "authorizing_integration_owners": {"0": GUILD.to_string()},
        "context": 0, "attachment_size_limit": 8388608
    })
}

async fn handled(engine: &Engine, n: u64) {
    let mut rx = engine.handled();
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|&h| h >= n))
        .await
        .expect("events were not handled in time")
        .unwrap();
}

/// Messages the bot posted in `channel` (thread or channel), in order.
fn posted_in(calls: &[fake::Call], channel: u64) -> Vec<String> {
    calls
        .iter()
        .filter(|c| {
            c.method == "POST" && c.path.ends_with(&format!("/channels/{channel}/messages"))
        })
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_blind_answers_through_the_answer_button_and_modal() {
    for db in common::databases("discord_blind_answers_through_the_answer_button_and_modal").await {
        println!(
            "discord_blind_answers_through_the_answer_button_and_modal on {}",
            db.backend
        );
        discord_blind_answers_through_the_answer_button_and_modal_on(&db.url).await;
    }
}

async fn discord_blind_answers_through_the_answer_button_and_modal_on(url: &str) {
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    let pool = store::open(url).await.unwrap();
    let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
    let config = fake.bot_config();
    let bot = discord::start(&config, engine.clone()).await.unwrap();
    fake.wait_identified(1).await;
    fake.wait_for("command registration", |c| {
        c.iter()
            .any(|c| c.method == "PUT" && c.path.ends_with("/commands"))
    })
    .await;
    let pool = engine.pool().clone();

    // /ask gil senior blind:true → the question with an Answer button.
    let (_, alice) = member_of("alice");
    fake.dispatch(
        "INTERACTION_CREATE",
        command(
            1001,
            alice.clone(),
            CHANNEL,
            "ask",
            json!([{"name": "topic", "type": 3, "value": "gil"},
                   {"name": "tier", "type": 4, "value": 2},
                   {"name": "blind", "type": 5, "value": true}]),
        ),
    );
    let calls = fake
        .wait_for("the blind question and its thread", |c| {
            c.iter()
                .any(|c| c.method == "POST" && c.path.ends_with("/threads"))
        })
        .await;
    wait_attached(&engine).await;
    let question_call = calls
        .iter()
        .find(|c| c.method == "POST" && c.path.ends_with(&format!("/channels/{CHANNEL}/messages")))
        .unwrap();
    let button = &question_call.body["components"][0]["components"][0];
    assert_eq!(
        question_call.body["components"][0]["type"], 1,
        "{:#?}",
        question_call.body
    );
    assert_eq!(button["type"], 2);
    assert_eq!(button["custom_id"], "blind-answer:1");
    assert_eq!(button["label"], "Answer");
    let (question, thread): (String, String) = any_pool!(&pool, |p| sqlx::query_as(
        "SELECT question_id, thread_id FROM posts"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let thread: u64 = thread.parse().unwrap();
    let question_message: u64 = 5000; // the fake's first snowflake: the question message
    let reference = engine
        .bank()
        .question(&question)
        .unwrap()
        .reference_answer
        .clone();
    let answers = answers(&reference);

    // Each member presses Answer (a modal, type 9) and submits it (ephemeral feedback, type 4).
    let mut own_interactions: Vec<(String, u64)> = Vec::new();
    for (who, text) in &answers {
        let (_, m) = member_of(who);
        let press = fake.press_button(m.clone(), CHANNEL, question_message, "blind-answer:1");
        let modal = fake.callback(press).await;
        assert_eq!(modal["type"], MODAL, "{modal:#}");
        assert_eq!(modal["data"]["custom_id"], "blind-answer:1");
        let input = &modal["data"]["components"][0]["components"][0];
        assert_eq!(input["style"], 2, "a paragraph input: {modal:#}");
        assert!(
            input.get("value").is_none(),
            "nothing to prefill yet: {modal:#}"
        );
        let submit = fake.modal_submit(m, CHANNEL, "blind-answer:1", &[("answer", text)]);
        let reply = fake.callback(submit).await;
        assert_eq!(reply["type"], CHANNEL_MESSAGE, "{reply:#}");
        assert_eq!(reply["data"]["flags"], EPHEMERAL, "{reply:#}");
        let content = reply["data"]["content"].as_str().unwrap();
        assert!(content.contains("scored **"), "{content}");
        own_interactions.push((who.clone(), press));
        own_interactions.push((who.clone(), submit));
    }

    // bob opens the form again: it holds his answer; he replaces it with a better one.
    let (_, bob) = member_of("bob");
    let again = fake.press_button(bob.clone(), CHANNEL, question_message, "blind-answer:1");
    let modal = fake.callback(again).await;
    assert_eq!(
        modal["data"]["components"][0]["components"][0]["value"],
        answers[1].1.as_str(),
        "prefilled with the current answer"
    );
    let before = score_of(&pool, &BOB.to_string()).await;
    let better = format!("{reference} (markerbob)");
    let submit = fake.modal_submit(
        bob.clone(),
        CHANNEL,
        "blind-answer:1",
        &[("answer", &better)],
    );
    let reply = fake.callback(submit).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Your earlier answer was replaced"),
        "{reply:#}"
    );
    assert!(score_of(&pool, &BOB.to_string()).await >= before);
    own_interactions.push(("bob".into(), again));
    own_interactions.push(("bob".into(), submit));
    let count: i64 = any_pool!(&pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM answers"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(count, 3);

    // carol writes in the thread: not scored (no ✅), her text comes back by DM.
    let events_before = *engine.handled().borrow();
    fake.dispatch(
        "MESSAGE_CREATE",
        fake::message(
            7001,
            thread,
            fake::user(CAROL, "carol", false),
            "in the thread (markerthread)",
        ),
    );
    handled(&engine, events_before + 1).await;
    let calls = fake
        .wait_for("carol's note", |c| {
            c.iter().any(|c| {
                c.body["content"].as_str().is_some_and(|t| {
                    t.contains("takes answers privately")
                        && t.contains("> in the thread (markerthread)")
                })
            })
        })
        .await;
    assert!(!calls
        .iter()
        .any(|c| c.path.contains("/messages/7001/reactions")));

    // Before the reveal, no call carries an answer except its author's own interactions.
    for (who, _) in &answers {
        let marker = format!("marker{who}");
        for call in &calls {
            if call.body.to_string().contains(&marker) {
                let own = own_interactions
                    .iter()
                    .any(|(w, id)| w == who && call.path.contains(&format!("/interactions/{id}/")));
                assert!(
                    own,
                    "{who}'s answer appeared in {} {}",
                    call.method, call.path
                );
            }
        }
    }
    for id in own_interactions.iter().map(|(_, id)| *id) {
        assert!(callback_of(&calls, id).is_some());
    }

    // /reveal in the thread: the header and the three answers, best first.
    fake.dispatch(
        "INTERACTION_CREATE",
        command(1002, alice.clone(), thread, "reveal", json!([])),
    );
    let calls = fake
        .wait_for("the reveal", |c| posted_in(c, thread).len() >= 4)
        .await;
    let posted = posted_in(&calls, thread);
    assert!(
        posted[0].contains("here are all 3, best first"),
        "{posted:#?}"
    );
    let mut by_score = Vec::new();
    for (who, _) in &answers {
        let (id, _) = member_of(who);
        by_score.push((score_of(&pool, &id.to_string()).await, who.clone()));
    }
    by_score.sort_by_key(|(score, who)| (std::cmp::Reverse(*score), who.clone()));
    let placed: Vec<&str> = by_score.iter().map(|(_, w)| w.as_str()).collect();
    for (i, who) in placed.iter().enumerate() {
        assert!(
            posted[i + 1].contains(&format!("**{who}**"))
                && posted[i + 1].contains(&format!("marker{who}")),
            "place {}: {posted:#?}",
            i + 1
        );
        assert!(posted[i + 1].chars().count() <= REVEAL_ANSWER_CHARS + 200);
    }
    // Each revealed message is recorded as its answer's message.
    wait_revealed(&pool).await;
    let revealed: Vec<String> = any_pool!(&pool, |p| sqlx::query_scalar(
        "SELECT message_id FROM answers ORDER BY id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert!(
        revealed.iter().all(|m| m.parse::<u64>().is_ok()),
        "{revealed:?}"
    );

    // carol 👍 alice's revealed answer: +10 points for alice.
    let alice_message: String = any_pool!(&pool, |p| {
        sqlx::query_scalar(
            "SELECT a.message_id FROM answers a JOIN users u ON u.id = a.author
             WHERE u.user_id = $1",
        )
        .bind(ALICE.to_string())
        .fetch_one(p)
        .await
        .unwrap()
    });
    let before = points_of(&pool, &ALICE.to_string()).await;
    let events_before = *engine.handled().borrow();
    fake.dispatch(
        "MESSAGE_REACTION_ADD",
        json!({"user_id": CAROL.to_string(), "channel_id": thread.to_string(),
               "message_id": alice_message, "guild_id": GUILD.to_string(),
               "emoji": {"id": null, "name": "👍"}, "burst": false, "type": 0,
               "member": fake::member(CAROL, "carol", "0")}),
    );
    handled(&engine, events_before + 1).await;
    assert_eq!(points_of(&pool, &ALICE.to_string()).await, before + 10);

    // The Answer button after the close says so, ephemerally.
    let late = fake.press_button(bob, CHANNEL, question_message, "blind-answer:1");
    let reply = fake.callback(late).await;
    assert_eq!(reply["type"], CHANNEL_MESSAGE);
    assert_eq!(reply["data"]["flags"], EPHEMERAL);
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("is closed"),
        "{reply:#}"
    );
    bot.shutdown().await;
}

// ---- Slack ----

mod on_slack {
    use super::*;
    use common::fake_slack::{FakeSlack, CHANNEL};

    const ALICE: &str = "UALICE"; // a workspace admin
    const BOB: &str = "UBOB";
    const CAROL: &str = "UCAROL";

    fn user_of(who: &str) -> &'static str {
        match who {
            "alice" => ALICE,
            "bob" => BOB,
            _ => CAROL,
        }
    }

    /// `chat.postMessage` texts in the thread `thread_ts`, in order.
    fn thread_posts(fake: &FakeSlack, thread_ts: &str) -> Vec<String> {
        fake.calls_of("chat.postMessage")
            .into_iter()
            .filter(|p| p["thread_ts"] == thread_ts)
            .map(|p| p["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slack_blind_answers_through_the_answer_button_and_modal() {
        for db in common::databases("slack_blind_answers_through_the_answer_button_and_modal").await
        {
            println!(
                "slack_blind_answers_through_the_answer_button_and_modal on {}",
                db.backend
            );
            slack_blind_answers_through_the_answer_button_and_modal_on(&db.url).await;
        }
    }

    async fn slack_blind_answers_through_the_answer_button_and_modal_on(url: &str) {
        let fake = FakeSlack::start().await;
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
        ));
        let pool = store::open(url).await.unwrap();
        let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
        let bot = interview_bot::platform::slack::start(&fake.bot_config(), engine.clone())
            .await
            .unwrap();
        fake.wait_connected(1).await;
        let pool = engine.pool().clone();

        fake.command(ALICE, "/ask", "gil senior blind", "trigger-ask");
        fake.wait_for("the blind question", |f| {
            !f.calls_of("chat.postMessage").is_empty()
        })
        .await;
        wait_attached(&engine).await;
        let question = fake.calls_of("chat.postMessage")[0].clone();
        let actions = question["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["type"] == "actions")
            .unwrap_or_else(|| panic!("an actions block: {question:#}"))
            .clone();
        assert_eq!(actions["elements"][0]["type"], "button");
        assert_eq!(actions["elements"][0]["action_id"], "blind-answer");
        assert_eq!(actions["elements"][0]["value"], "1");
        let (question_id, message): (String, String) = any_pool!(&pool, |p| sqlx::query_as(
            "SELECT question_id, message_id FROM posts"
        )
        .fetch_one(p)
        .await
        .unwrap());
        let ts = message
            .split_once(':')
            .unwrap_or_else(|| panic!("{message}"))
            .1
            .to_string();
        let reference = engine
            .bank()
            .question(&question_id)
            .unwrap()
            .reference_answer
            .clone();
        let answers = answers(&reference);

        // Each member presses Answer (views.open) and submits the modal (ephemeral feedback).
        for (n, (who, text)) in answers.iter().enumerate() {
            let user = user_of(who);
            fake.press_button(user, &ts, "blind-answer", "1");
            fake.wait_for("the modal", |f| f.opened_views().len() > n)
                .await;
            let view = &fake.opened_views()[n];
            assert_eq!(view["type"], "modal");
            assert_eq!(view["callback_id"], "blind-answer");
            assert_eq!(view["private_metadata"], format!("1 {CHANNEL} T1"));
            let input = &view["blocks"][1];
            assert_eq!(input["type"], "input", "{view:#}");
            assert_eq!(input["element"]["multiline"], true);
            assert!(input["element"].get("initial_value").is_none());
            let trigger = fake.calls_of("views.open")[n]["trigger_id"].clone();
            assert_eq!(trigger, format!("trigger-{user}-{ts}"));
            fake.submit_view(user, n, "answer", text);
            fake.wait_for("the feedback", |f| {
                f.ephemerals_to(user)
                    .iter()
                    .any(|t| t.contains("scored **"))
            })
            .await;
        }

        // bob opens the form again: prefilled; his new answer replaces the first.
        fake.press_button(BOB, &ts, "blind-answer", "1");
        fake.wait_for("the second modal", |f| f.opened_views().len() > 3)
            .await;
        assert_eq!(
            fake.opened_views()[3]["blocks"][1]["element"]["initial_value"],
            answers[1].1.as_str()
        );
        fake.submit_view(BOB, 3, "answer", &format!("{reference} (markerbob)"));
        fake.wait_for("the replacement", |f| {
            f.ephemerals_to(BOB)
                .iter()
                .any(|t| t.starts_with("Your earlier answer was replaced"))
        })
        .await;
        let count: i64 = any_pool!(&pool, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM answers"
        )
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(count, 3);

        // carol writes in the thread: not scored, her text comes back privately.
        fake.event(
            json!({"type": "message", "channel": CHANNEL, "user": CAROL, "text": "in the thread (markerthread)",
                   "ts": "1772440600.000100", "thread_ts": ts, "event_ts": "1772440600.000100",
                   "channel_type": "channel"}),
            "Ev-thread",
            0,
        );
        fake.wait_for("carol's note", |f| {
            f.ephemerals_to(CAROL)
                .iter()
                .any(|t| t.contains("takes answers privately") && t.contains("(markerthread)"))
        })
        .await;
        assert!(fake.calls_of("reactions.add").is_empty());

        // Before the reveal: no message carries any answer, and no one's ephemeral another's.
        for (who, _) in &answers {
            let marker = format!("marker{who}");
            for post in fake.calls_of("chat.postMessage") {
                assert!(
                    !post.to_string().contains(&marker),
                    "{who}'s answer in {post:#}"
                );
            }
            for (other, _) in answers.iter().filter(|(o, _)| o != who) {
                for text in fake.ephemerals_to(user_of(other)) {
                    assert!(
                        !text.contains(&marker),
                        "{other} saw {who}'s answer: {text}"
                    );
                }
            }
        }

        // /reveal: the header and the three answers in the thread, best first.
        fake.command(ALICE, "/reveal", "", "trigger-reveal");
        fake.wait_for("the reveal", |f| thread_posts(f, &ts).len() >= 4)
            .await;
        let posted = thread_posts(&fake, &ts);
        assert!(
            posted[0].contains("here are all 3, best first"),
            "{posted:#?}"
        );
        let mut by_score = Vec::new();
        for (who, _) in &answers {
            by_score.push((score_of(&pool, user_of(who)).await, who.clone()));
        }
        by_score.sort_by_key(|(score, who)| (std::cmp::Reverse(*score), who.clone()));
        for (i, (_, who)) in by_score.iter().enumerate() {
            assert!(
                posted[i + 1].contains(&format!("marker{who}")),
                "place {}: {posted:#?}",
                i + 1
            );
        }

        // carol 👍 alice's revealed answer: +10 for alice.
        wait_revealed(&pool).await;
        let alice_message: String = any_pool!(&pool, |p| {
            sqlx::query_scalar(
                "SELECT a.message_id FROM answers a JOIN users u ON u.id = a.author
                 WHERE u.user_id = $1",
            )
            .bind(ALICE)
            .fetch_one(p)
            .await
            .unwrap()
        });
        let (channel, revealed_ts) = alice_message.split_once(':').unwrap();
        assert_eq!(channel, CHANNEL);
        let before = points_of(&pool, ALICE).await;
        let handled_before = *engine.handled().borrow();
        fake.event(
            json!({"type": "reaction_added", "user": CAROL, "reaction": "+1", "item_user": "UBOT",
                   "item": {"type": "message", "channel": CHANNEL, "ts": revealed_ts},
                   "event_ts": "1772440999.000001"}),
            "Ev-vote",
            0,
        );
        handled(&engine, handled_before + 1).await;
        assert_eq!(points_of(&pool, ALICE).await, before + 10);
        bot.shutdown().await;
    }
}
