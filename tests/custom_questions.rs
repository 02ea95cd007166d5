//! A workspace's own questions (`/question ...`): added from the form (reference mode), imported
//! from bank-format TOML (checked like the bank, errors naming file, question and field),
//! listed, removed, exported and imported again, suggested and approved; they join `/ask` and
//! schedules of their workspace only. Engine level and the console here; Discord's modal and
//! Slack's `views.open`/`view_submission` in `custom_questions_platforms.rs`.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use interview_bot::bank::Tier;
use interview_bot::engine::{
    command, Actor, ChannelRef, Command, Engine, ImportSource, Inbound, Outbound, QuestionCmd,
    QuestionForm,
};
use interview_bot::platform::console::Console;
use interview_bot::schedule::ManualClock;
use interview_bot::store;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
}

/// A channel of a Discord guild.
fn chan(guild: &str, channel: &str) -> ChannelRef {
    ChannelRef {
        platform: "discord".into(),
        id: channel.into(),
        workspace: Some(guild.into()),
    }
}

fn who(name: &str) -> Actor {
    Actor {
        id: format!("u-{name}"),
        name: name.into(),
        is_bot: false,
        can_manage: name == "admin",
    }
}

struct T {
    engine: Engine,
    clock: Arc<ManualClock>,
    seq: u64,
}

impl T {
    async fn new() -> T {
        let clock = Arc::new(ManualClock::new(t0()));
        let pool = store::open("sqlite::memory:").await.unwrap();
        let engine = Engine::new(pool, common::bank(), common::config(), clock.clone());
        T {
            engine,
            clock,
            seq: 0,
        }
    }

    async fn run(&mut self, at: &ChannelRef, name: &str, command: Command) -> Vec<Outbound> {
        self.seq += 1;
        self.engine
            .handle(Inbound::Command {
                id: format!("c{}", self.seq),
                channel: at.clone(),
                thread: None,
                actor: who(name),
                command,
            })
            .await
            .unwrap()
    }

    async fn text(&mut self, at: &ChannelRef, name: &str, line: &str) -> Vec<Outbound> {
        let command = command::parse(line).unwrap();
        self.run(at, name, command).await
    }

    /// The one private reply of a command.
    async fn reply(&mut self, at: &ChannelRef, name: &str, command: Command) -> String {
        let out = self.run(at, name, command).await;
        match out.as_slice() {
            [Outbound::Private { text, .. }] => text.clone(),
            other => panic!("expected one private reply, got {other:?}"),
        }
    }
}

fn form(prompt: &str, tier: &str, topic: &str) -> QuestionForm {
    QuestionForm {
        prompt: prompt.into(),
        tier: tier.into(),
        topic: topic.into(),
        reference: "Squashing folds a branch into one commit per reviewed change, so the main history stays linear and bisect lands on the change that broke the build, not on a work-in-progress commit.".into(),
        follow_up: Some("When would you keep every commit?".into()),
    }
}

const SQUASH: &str = "Why does our team squash commits before merging?";

/// The id of the question a command posted.
fn posted(out: &[Outbound]) -> String {
    match out {
        [Outbound::PostQuestion { card, .. }] => card.question_id.clone(),
        other => panic!("expected a posted question, got {other:?}"),
    }
}

#[tokio::test]
async fn a_question_added_from_the_form_joins_ask_in_its_workspace_and_no_other() {
    let mut t = T::new().await;
    let (a, b) = (chan("guild-a", "ch-a"), chan("guild-b", "ch-b"));
    let added = t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Add(form(SQUASH, "mid", "Team Process"))),
        )
        .await;
    assert!(
        added.starts_with("Added custom-1 (mid · Team Process)"),
        "{added}"
    );

    let out = t.text(&a, "alice", "/ask team-process mid").await;
    assert_eq!(posted(&out), "custom-1");
    let Outbound::PostQuestion { card, text, .. } = &out[0] else {
        unreachable!()
    };
    assert_eq!(card.prompt, SQUASH);
    assert_eq!(card.tier, Tier::Mid);
    assert!(text.contains(SQUASH), "{text}");

    // Another guild knows neither the topic nor the question.
    let out = t.text(&b, "bob", "/ask team-process").await;
    let [Outbound::Private { text, .. }] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert!(text.contains("unknown topic `team-process`"), "{text}");
    let list = t
        .reply(&b, "bob", Command::Question(QuestionCmd::List))
        .await;
    assert!(list.contains("no questions of its own"), "{list}");
    let out = t
        .text(
            &b,
            "admin",
            "/qotd schedule \"0 9 * * *\" mid team-process UTC",
        )
        .await;
    let [Outbound::Private { text, .. }] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert!(text.contains("unknown topic"), "{text}");

    // The same platform's console-like channel without a guild is another workspace too.
    let none = ChannelRef::new("discord", "dm-like");
    let out = t.text(&none, "carol", "/ask team-process").await;
    assert!(
        matches!(out.as_slice(), [Outbound::Private { .. }]),
        "{out:?}"
    );

    // A mid question of any topic in guild B, many times: never the custom one.
    for _ in 0..30 {
        let out = t.text(&b, "bob", "/ask mid").await;
        assert!(!posted(&out).starts_with("custom-"));
        t.clock.advance(Duration::minutes(1));
    }
}

#[tokio::test]
async fn a_custom_question_is_scored_in_reference_mode_and_still_renders_after_removal() {
    let mut t = T::new().await;
    let a = chan("guild-a", "ch-a");
    t.run(
        &a,
        "admin",
        Command::Question(QuestionCmd::Add(form(SQUASH, "mid", "git"))),
    )
    .await;
    let out = t.text(&a, "alice", "/ask git").await;
    let Outbound::PostQuestion { card, .. } = &out[0] else {
        panic!("{out:?}")
    };
    t.engine.attach(card.post, "m1", "th1").await.unwrap();
    let answer = |text: &str, msg: &str, name: &str| Inbound::Message {
        channel: a.clone(),
        thread: "th1".into(),
        message: msg.into(),
        actor: who(name),
        text: text.into(),
    };
    let good = t
        .engine
        .handle(answer(
            "We squash so that main keeps a linear history with one commit per reviewed change; bisect then finds the change that broke the build instead of a work in progress commit.",
            "a1",
            "alice",
        ))
        .await
        .unwrap();
    let poor = t
        .engine
        .handle(answer(
            "I like merge commits because they look nice in the log.",
            "a2",
            "bob",
        ))
        .await
        .unwrap();
    let score = |out: &[Outbound]| -> i64 {
        out.iter()
            .find_map(|o| match o {
                Outbound::Private { text, .. } => text
                    .split("scored **")
                    .nth(1)
                    .and_then(|s| s.split('/').next())
                    .and_then(|n| n.parse().ok()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no score in {out:?}"))
    };
    let (good, poor) = (score(&good), score(&poor));
    assert!(good >= 60 && good > poor + 30, "good {good}, poor {poor}");

    // Removed: no longer asked, but its post closes with the reference answer shown.
    let removed = t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Remove("custom-1".into())),
        )
        .await;
    assert!(removed.starts_with("Removed custom-1"), "{removed}");
    let out = t.text(&a, "alice", "/ask git").await;
    let [Outbound::Private { text, .. }] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert!(text.contains("unknown topic `git`"), "{text}");
    let reveal = t
        .engine
        .handle(Inbound::Command {
            id: "reveal".into(),
            channel: a.clone(),
            thread: Some("th1".into()),
            actor: who("admin"),
            command: Command::Reveal,
        })
        .await
        .unwrap();
    let [Outbound::ThreadReply { text, .. }] = reveal.as_slice() else {
        panic!("{reveal:?}")
    };
    assert!(text.contains("bisect lands on the change"), "{text}");
    // Removing twice says there is nothing to remove.
    let again = t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Remove("custom-1".into())),
        )
        .await;
    assert!(
        again.contains("no question custom-1 live or waiting"),
        "{again}"
    );
}

#[tokio::test]
async fn suggestions_wait_for_a_manager_and_approve_makes_them_live() {
    let mut t = T::new().await;
    let a = chan("guild-a", "ch-a");
    let s = t
        .reply(
            &a,
            "alice",
            Command::Question(QuestionCmd::Suggest(form(SQUASH, "senior", "git"))),
        )
        .await;
    assert!(s.starts_with("Suggested custom-1"), "{s}");
    let other = form(
        "Why do we rebase feature branches on main?",
        "senior",
        "git",
    );
    t.reply(&a, "bob", Command::Question(QuestionCmd::Suggest(other)))
        .await;

    // Not live yet; members cannot review or approve.
    let out = t.text(&a, "alice", "/ask git").await;
    assert!(
        matches!(out.as_slice(), [Outbound::Private { .. }]),
        "{out:?}"
    );
    for line in [
        "/question review",
        "/question approve custom-1",
        "/question add tier=mid topic=x prompt=p reference=r",
    ] {
        let out = t.text(&a, "alice", line).await;
        let [Outbound::Private { text, .. }] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert!(
            text.contains("only members who can manage"),
            "{line}: {text}"
        );
    }
    let review = t
        .reply(&a, "admin", Command::Question(QuestionCmd::Review))
        .await;
    assert!(
        review.starts_with("2 questions waiting for review"),
        "{review}"
    );
    assert!(
        review.contains("custom-1 · senior · git: Why does our team squash")
            && review.contains("(by alice)"),
        "{review}"
    );
    assert!(
        review.contains("reference: Squashing folds a branch"),
        "{review}"
    );

    assert!(t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Approve("custom-1".into()))
        )
        .await
        .starts_with("Approved custom-1"));
    assert!(t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Reject("2".into()))
        )
        .await
        .starts_with("Rejected custom-2"));
    let again = t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Approve("custom-2".into())),
        )
        .await;
    assert!(
        again.contains("no question custom-2 waiting for review"),
        "{again}"
    );
    let bad = t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Approve("gil-parallelism".into())),
        )
        .await;
    assert!(
        bad.contains("`gil-parallelism` is not a question id"),
        "{bad}"
    );

    let out = t.text(&a, "alice", "/ask git senior").await;
    assert_eq!(posted(&out), "custom-1");
    let list = t
        .reply(&a, "bob", Command::Question(QuestionCmd::List))
        .await;
    assert!(
        list.starts_with("This workspace's own questions: 1 live, 0 waiting"),
        "{list}"
    );
    // A schedule of the topic posts it too.
    t.text(&a, "admin", "/qotd schedule \"0 9 * * *\" senior git UTC")
        .await;
    t.clock.advance(Duration::hours(1));
    let out = t.engine.tick().await.unwrap();
    let ids: Vec<&str> = out
        .iter()
        .filter_map(|o| match o {
            Outbound::PostQuestion { card, .. } => Some(card.question_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["custom-1"]);
}

fn import(name: &str, text: &str) -> Command {
    Command::Question(QuestionCmd::Import(ImportSource::Fetched {
        name: name.into(),
        text: text.into(),
    }))
}

const TEAM_TOML: &str = r#"
[topic]
id = "team-process"
name = "Team Process"

[[questions]]
id = "squash"
tier = "mid"
prompt = "Why does our team squash commits before merging?"
reference_answer = "Squashing folds a branch into one commit per reviewed change, so the main history stays linear and bisect lands on the change that broke the build."
follow_ups = ["When would you keep every commit?"]

[[questions]]
id = "review-size"
tier = "senior"
prompt = "Why do we keep pull requests small?"
reference_answer = "Small pull requests get reviewed faster and more carefully: a reviewer holds the whole change in mind, defects surface before merge, and a revert undoes one idea instead of a week of work."
"#;

#[tokio::test]
async fn import_checks_files_like_the_bank_and_names_file_question_and_field() {
    let mut t = T::new().await;
    let a = chan("guild-a", "ch-a");
    // The loader's errors first (as for the bank: the self-checks run on a file that loads).
    let bad = TEAM_TOML.replace("tier = \"senior\"", "tier = \"guru\"");
    let e = t.reply(&a, "admin", import("team.toml", &bad)).await;
    assert!(
        e.starts_with("`team.toml` has 1 problem(s), so nothing was imported:"),
        "{e}"
    );
    assert!(
        e.contains("team.toml: question `review-size`: field `tier`: unknown tier `guru`"),
        "{e}"
    );
    let short = TEAM_TOML.replace(
        "reference_answer = \"Squashing folds a branch into one commit per reviewed change, so the main history stays linear and bisect lands on the change that broke the build.\"",
        "reference_answer = \"Linear history.\"",
    );
    let e = t.reply(&a, "admin", import("team.toml", &short)).await;
    assert!(e.contains("team.toml: question `squash`: field `reference_answer`: 2 words; a reference answer has 10 to 400 words"), "{e}");
    // A format error names the line and the missing field.
    let e = t
        .reply(
            &a,
            "admin",
            import(
                "team.toml",
                &TEAM_TOML.replace("prompt = \"Why do we keep pull requests small?\"\n", ""),
            ),
        )
        .await;
    // (The bank's loader names the question above the error's position; for a missing field
    // serde points at the table before, so the question named is the previous one.)
    assert!(
        e.contains("team.toml: question `squash`: field `prompt`: line 12: missing field `prompt`"),
        "{e}"
    );
    // Concepts given: the bank's rubric checks apply (here: too few concepts and examples).
    let with_concepts = format!(
        "{TEAM_TOML}\n[[questions.concepts]]\nname = \"revert\"\nphrases = [\"revert undoes one idea\"]\nhint = \"What does a revert undo?\"\n"
    );
    let e = t
        .reply(&a, "admin", import("team.toml", &with_concepts))
        .await;
    assert!(
        e.contains("question `review-size`: field `concepts`: has 1 concept(s)"),
        "{e}"
    );
    assert!(
        e.contains("question `review-size`: field `examples`"),
        "{e}"
    );
    // Nothing of the failed imports was stored.
    let list = t
        .reply(&a, "admin", Command::Question(QuestionCmd::List))
        .await;
    assert!(list.contains("no questions of its own"), "{list}");

    let ok = t.reply(&a, "admin", import("team.toml", TEAM_TOML)).await;
    assert_eq!(ok, "Imported 2 question(s) from `team.toml` (Team Process): custom-1, custom-2. They join `/ask` and schedules here.");
    let e = t.reply(&a, "admin", import("team.toml", TEAM_TOML)).await;
    assert!(
        e.contains("team.toml: question `squash`: field `prompt`: already here as custom-1"),
        "{e}"
    );
    assert_eq!(
        posted(&t.text(&a, "alice", "/ask team-process senior").await),
        "custom-2"
    );

    // A bank file (concepts, examples, sources) passes too, and joins the bank topic.
    let gil = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/questions/python/gil.toml"
    ))
    .unwrap();
    let ok = t.reply(&a, "admin", import("gil.toml", &gil)).await;
    assert!(
        ok.starts_with("Imported ") && ok.contains("(Global Interpreter Lock)"),
        "{ok}"
    );
    // Not attached: the member is told how.
    let e = t
        .reply(
            &a,
            "admin",
            Command::Question(QuestionCmd::Import(ImportSource::Named("x.toml".into()))),
        )
        .await;
    assert!(e.contains("was not attached"), "{e}");
}

/// The exported files, by name.
fn files(out: &[Outbound]) -> Vec<(String, String)> {
    out.iter()
        .map(|o| match o {
            Outbound::File { file, user, .. } => {
                assert_eq!(user.as_deref(), Some("u-admin"));
                assert_eq!(file.mime, "application/toml");
                (
                    file.name.clone(),
                    String::from_utf8(file.bytes.clone()).unwrap(),
                )
            }
            other => panic!("expected files, got {other:?}"),
        })
        .collect()
}

/// A file without its `custom-<n>` ids (they are the workspace's numbering).
fn without_ids(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("id = \"custom-"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn list_remove_export_and_the_export_imports_back_to_the_same_questions() {
    let mut t = T::new().await;
    let (a, c) = (chan("guild-a", "ch-a"), chan("guild-c", "ch-c"));
    t.reply(&a, "admin", import("team.toml", TEAM_TOML)).await;
    t.run(
        &a,
        "admin",
        Command::Question(QuestionCmd::Add(form(
            "Why do we pin dependencies?",
            "junior",
            "git",
        ))),
    )
    .await;
    t.run(
        &a,
        "admin",
        Command::Question(QuestionCmd::Add(form(
            "Why do we tag releases?",
            "junior",
            "git",
        ))),
    )
    .await;
    let list = t
        .reply(&a, "alice", Command::Question(QuestionCmd::List))
        .await;
    assert_eq!(
        list,
        "This workspace's own questions: 4 live, 0 waiting for review.\n\
         • custom-1 · mid · team-process: Why does our team squash commits before merging? (by admin)\n\
         • custom-2 · senior · team-process: Why do we keep pull requests small? (by admin)\n\
         • custom-3 · junior · git: Why do we pin dependencies? (by admin)\n\
         • custom-4 · junior · git: Why do we tag releases? (by admin)"
    );
    t.reply(
        &a,
        "admin",
        Command::Question(QuestionCmd::Remove("custom-4".into())),
    )
    .await;
    let exported = files(
        &t.run(&a, "admin", Command::Question(QuestionCmd::Export))
            .await,
    );
    let names: Vec<&str> = exported.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["questions-team-process.toml", "questions-git.toml"]);
    assert!(
        exported[0].1.contains("id = \"custom-1\"") && exported[0].1.contains("id = \"custom-2\"")
    );
    assert!(
        !exported[1].1.contains("tag releases"),
        "removed questions are not exported"
    );
    // Members may not export (it holds the reference answers).
    let out = t.text(&a, "alice", "/question export").await;
    assert!(
        matches!(out.as_slice(), [Outbound::Private { text, .. }] if text.contains("only members who can manage"))
    );

    for (name, text) in &exported {
        let ok = t.reply(&c, "admin", import(name, text)).await;
        assert!(ok.starts_with("Imported "), "{ok}");
    }
    let again = files(
        &t.run(&c, "admin", Command::Question(QuestionCmd::Export))
            .await,
    );
    assert_eq!(again.len(), exported.len());
    for ((n1, t1), (n2, t2)) in exported.iter().zip(&again) {
        assert_eq!(n1, n2);
        assert_eq!(without_ids(t1), without_ids(t2));
    }
    assert!(again[0].1.contains("id = \"custom-5\""), "{}", again[0].1);
}

#[tokio::test]
async fn the_console_adds_imports_and_asks_custom_questions() {
    let (_dir, url) = common::temp_db();
    let files = tempfile::tempdir().unwrap();
    let toml = files.path().join("team.toml");
    std::fs::write(&toml, TEAM_TOML).unwrap();
    let mut c = Console::open(&url, common::bank(), common::config(), "study-group", t0())
        .await
        .unwrap()
        .with_files_dir(files.path().join("out"));
    let mut out = Vec::new();
    for line in [
        "@admins admin".to_string(),
        "admin: /question add tier=junior topic=git prompt=\"Why do we pin dependencies?\" reference=\"Pinning records the exact version of every dependency, so a build today and a build next month install the same code and a new release cannot break us silently.\"".into(),
        format!("admin: /question import {}", toml.display()),
        "admin: /question import /no/such/file.toml".into(),
        "alice: /question suggest tier=mid topic=git prompt=\"Why rebase?\" reference=\"Rebasing replays our commits on top of main so the history stays linear and conflicts are solved once, in our branch, before review.\"".into(),
        "admin: /question approve custom-4".into(),
        "alice: /ask git mid".into(),
        "admin: /question export".into(),
    ] {
        c.line(&line, &mut out).await.unwrap();
    }
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("[bot → admin, privately] Added custom-1 (junior · git)"),
        "{out}"
    );
    assert!(
        out.contains("Imported 2 question(s) from `team.toml` (Team Process): custom-2, custom-3."),
        "{out}"
    );
    assert!(out.contains("could not read `/no/such/file.toml`"), "{out}");
    assert!(
        out.contains("[bot → alice, privately] Suggested custom-4 (mid · git)"),
        "{out}"
    );
    assert!(
        out.contains("[bot] ") && out.contains("Why rebase?"),
        "{out}"
    );
    assert!(out.contains("questions-git.toml"), "{out}");
}
