//! A whole study week through the console channel on the real bank: a daily 09:00
//! Europe/Berlin schedule for tier mid, three members answering on different days (mechanism-
//! level, definition-only, late), peer votes including a self-vote and a removed vote, a process
//! restart mid-week on the same database, and the Monday leaderboard post. Runs on SQLite and,
//! when PostgreSQL is installed, again on PostgreSQL.

mod common;

use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use interview_bot::bank::Tier;
use interview_bot::engine::points;
use interview_bot::platform::console::{self, Console};
use interview_bot::store::{self, PostRow};

async fn open(url: &str) -> Console {
    Console::open(
        url,
        common::bank(),
        common::config(),
        "study-group",
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    )
    .await
    .expect("console")
}

async fn run(c: &mut Console, lines: &[String]) -> String {
    let mut out = Vec::new();
    for l in lines {
        c.line(l, &mut out).await.expect("line");
    }
    String::from_utf8(out).unwrap()
}

async fn posts(c: &Console) -> Vec<PostRow> {
    let mut conn = c.engine().pool().acquire().await.unwrap();
    let ch = store::channel_id(&mut conn, console::PLATFORM, "study-group", None)
        .await
        .unwrap();
    store::posts_in_channel(&mut conn, ch).await.unwrap()
}

/// The reference answer of the newest post's question: a mechanism-level answer.
async fn mechanism_answer(c: &Console) -> String {
    let p = posts(c).await.pop().expect("a post");
    let q = c.engine().bank().question(&p.question_id).unwrap();
    q.reference_answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An answer that names the topic and says what it is for, without any mechanism.
async fn definition_answer(c: &Console) -> String {
    let p = posts(c).await.pop().expect("a post");
    let topic = c.engine().bank().topic(&p.topic).unwrap().name.clone();
    format!("{topic} is an important feature that every Python developer should know about and use in real projects.")
}

fn s(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[tokio::test]
async fn a_study_week() {
    for db in common::databases("a_study_week").await {
        println!("a_study_week on {}", db.backend);
        a_study_week_on(&db.url).await;
    }
}

async fn a_study_week_on(url: &str) {
    let mut c = open(url).await;
    let mut log = run(
        &mut c,
        &s(&[
            "@time 2026-03-01 20:00 Europe/Berlin",
            "@admins alice",
            "@bot helperbot",
            "bob: /qotd schedule \"0 9 * * *\" mid Europe/Berlin",
            "alice: /qotd schedule \"0 9 * * *\" mid Europe/Berlin",
            "@time 2026-03-02 09:30 Europe/Berlin",
        ]),
    )
    .await;
    assert!(
        log.contains("[bot → bob, privately] only members who can manage"),
        "{log}"
    );
    assert_eq!(posts(&c).await.len(), 1, "{log}");

    // Monday: alice explains the mechanism, bob only defines.
    let alice_mon = mechanism_answer(&c).await;
    let bob_mon = definition_answer(&c).await;
    log += &run(
        &mut c,
        &[
            format!("alice: {alice_mon}"),
            format!("bob: {bob_mon}"),
            "alice +👍 alice".into(),     // self-vote: ignored
            "bob +👍 alice".into(),       // counts
            "helperbot +👍 alice".into(), // a bot: ignored
            "dave +👍 alice".into(),
            "dave -👍 alice".into(), // removed again
            "alice +👍 bob".into(),
        ],
    )
    .await;

    // Tuesday: a new question; carol answers Monday's question late, then today's properly.
    log += &run(&mut c, &s(&["@time 2026-03-03 09:05 Europe/Berlin"])).await;
    assert_eq!(posts(&c).await.len(), 2, "{log}");
    let carol_tue = mechanism_answer(&c).await;
    log += &run(
        &mut c,
        &[
            format!("carol #1: {alice_mon}"),
            format!("carol: {carol_tue}"),
            "alice +👍 carol".into(),
        ],
    )
    .await;
    assert!(log.contains("late: the question had closed"), "{log}");

    // Wednesday: the process restarts (same database) between the morning post and the answers.
    log += &run(&mut c, &s(&["@time 2026-03-04 10:00 Europe/Berlin"])).await;
    drop(c);
    let mut c = open(url).await;
    log += &run(
        &mut c,
        &s(&["@time 2026-03-04 10:01 Europe/Berlin", "@admins alice"]),
    )
    .await;
    assert_eq!(
        posts(&c).await.len(),
        3,
        "restart must not post again: {log}"
    );
    let alice_wed = mechanism_answer(&c).await;
    let bob_wed = definition_answer(&c).await;
    log += &run(
        &mut c,
        &[
            format!("alice: {alice_wed}"),
            format!("bob: {bob_wed}"),
            "carol +👍 alice".into(),
        ],
    )
    .await;

    // Thursday to Sunday: alice keeps her streak; bob answers on Saturday, deletes and re-posts.
    for day in 5..=8 {
        log += &run(
            &mut c,
            &[format!("@time 2026-03-0{day} 12:00 Europe/Berlin")],
        )
        .await;
        let a = mechanism_answer(&c).await;
        log += &run(&mut c, &[format!("alice: {a}")]).await;
        if day == 7 {
            let d = definition_answer(&c).await;
            log += &run(
                &mut c,
                &[
                    format!("bob: {d}"),
                    "bob deletes".into(),
                    format!("bob: {d}"),
                ],
            )
            .await;
        }
    }

    // Monday 09:00: the weekly leaderboard of week 10, and a new question.
    log += &run(&mut c, &s(&["@time 2026-03-09 09:00 Europe/Berlin"])).await;
    let board_at = log
        .rfind("🏆 Weekly Leaderboard, week 2026-W10")
        .unwrap_or_else(|| panic!("{log}"));
    let board: Vec<&str> = log[board_at..].lines().skip(1).take(3).collect();
    let names: Vec<&str> = board
        .iter()
        .map(|l| l.split(" — ").next().unwrap().split(". ").nth(1).unwrap())
        .collect();
    assert_eq!(names, ["alice", "carol", "bob"], "{board:?}");

    // Points agree with the formula applied to what is stored.
    let mut conn = c.engine().pool().acquire().await.unwrap();
    let ch = store::channel_id(&mut conn, console::PLATFORM, "study-group", None)
        .await
        .unwrap();
    let answers = store::scored_answers(&mut conn, ch, None, None)
        .await
        .unwrap();
    let standings = points::leaderboard(&answers, None);
    let alice = &standings[0];
    assert_eq!(
        alice.answers, 6,
        "alice answered Mon, Wed, Thu, Fri, Sat, Sun"
    );
    assert!(
        board[0].contains(&format!("{} points", alice.points)),
        "{board:?}"
    );
    // alice's Monday answer has exactly one vote (bob's): self, bot and removed votes do not count.
    let monday = answers
        .iter()
        .find(|a| a.post == 1 && a.author_name == "alice")
        .unwrap();
    assert_eq!(monday.voters, 1);
    assert_eq!(
        points::answer_points(monday),
        (monday.score as f64 * points::tier_factor(Tier::Mid)).round() as i64 + 10
    );
    // Mechanism-level answers score clearly above definition-only ones.
    let bob_best = answers
        .iter()
        .filter(|a| a.author_name == "bob")
        .map(|a| a.score)
        .max()
        .unwrap();
    let alice_worst = answers
        .iter()
        .filter(|a| a.author_name == "alice")
        .map(|a| a.score)
        .min()
        .unwrap();
    assert!(
        alice_worst >= 90 && bob_best <= 40,
        "alice ≥ {alice_worst}, bob ≤ {bob_best}"
    );
    // carol's late answer is stored, scored and worth nothing.
    let late = answers
        .iter()
        .find(|a| a.post == 1 && a.author_name == "carol")
        .unwrap();
    assert!(late.late && late.score >= 90 && points::answer_points(late) == 0);
    // Nothing lost: every answer given is there (bob's deleted-and-reposted Saturday answer once).
    assert_eq!(answers.len(), 6 + 3 + 2);

    // No question posted twice, one post per day from Monday to Monday.
    let all = posts(&c).await;
    assert_eq!(all.len(), 8, "{log}");
    let ids: HashSet<&str> = all.iter().map(|p| p.question_id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "a question was posted twice");
    assert!(all.iter().all(|p| p.tier == Tier::Mid));
    let days: HashSet<_> = all.iter().map(|p| p.posted_at.date_naive()).collect();
    assert_eq!(days.len(), 8);
    // Streak: alice answered every scheduled question since Wednesday (today's is still open).
    let (alice_id, _) = store::find_user(&mut conn, console::PLATFORM, "alice")
        .await
        .unwrap()
        .unwrap();
    let streak = points::streak(
        &store::scheduled_posts_answered(&mut conn, ch, alice_id)
            .await
            .unwrap(),
    );
    assert_eq!(streak, 5);
}
