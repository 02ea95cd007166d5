//! A workspace's own questions (`/question ...`): added from the form (reference mode), imported
//! from bank-format TOML (checked like the bank, errors naming file, question and field),
//! listed, removed, exported and imported again, suggested and approved; they join `/ask` and
//! schedules of their workspace only. Engine level, the console, Discord (the modal, an attached
//! file, autocomplete) and Slack (`views.open` and `view_submission`, a shared file) through the
//! fakes.

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
    async fn new(url: &str) -> T {
        let clock = Arc::new(ManualClock::new(t0()));
        let pool = store::open(url).await.unwrap();
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
    for db in
        common::databases("a_question_added_from_the_form_joins_ask_in_its_workspace_and_no_other")
            .await
    {
        println!(
            "a_question_added_from_the_form_joins_ask_in_its_workspace_and_no_other on {}",
            db.backend
        );
        a_question_added_from_the_form_joins_ask_in_its_workspace_and_no_other_on(&db.url).await;
    }
}

async fn a_question_added_from_the_form_joins_ask_in_its_workspace_and_no_other_on(url: &str) {
    let mut t = T::new(url).await;
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
    assert_eq!(
        (card.topic_id.as_str(), card.topic_name.as_str()),
        ("team-process", "Team Process")
    );
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
    for db in common::databases(
        "a_custom_question_is_scored_in_reference_mode_and_still_renders_after_removal",
    )
    .await
    {
        println!(
            "a_custom_question_is_scored_in_reference_mode_and_still_renders_after_removal on {}",
            db.backend
        );
        a_custom_question_is_scored_in_reference_mode_and_still_renders_after_removal_on(&db.url)
            .await;
    }
}

async fn a_custom_question_is_scored_in_reference_mode_and_still_renders_after_removal_on(
    url: &str,
) {
    let mut t = T::new(url).await;
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
    // /hint names a word of the reference answer the member has not used (reference mode has
    // no hand-written hints).
    let hint = t
        .engine
        .handle(Inbound::Command {
            id: "hint".into(),
            channel: a.clone(),
            thread: Some("th1".into()),
            actor: who("bob"),
            command: Command::Hint,
        })
        .await
        .unwrap();
    let [Outbound::Private { text, .. }] = hint.as_slice() else {
        panic!("{hint:?}")
    };
    assert!(
        text.starts_with("Hint 1 of ") && text.contains("Say something about “"),
        "{text}"
    );

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
    for db in common::databases("suggestions_wait_for_a_manager_and_approve_makes_them_live").await
    {
        println!(
            "suggestions_wait_for_a_manager_and_approve_makes_them_live on {}",
            db.backend
        );
        suggestions_wait_for_a_manager_and_approve_makes_them_live_on(&db.url).await;
    }
}

async fn suggestions_wait_for_a_manager_and_approve_makes_them_live_on(url: &str) {
    let mut t = T::new(url).await;
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

    // `/privacy forget` keeps alice's question, written by nobody.
    use interview_bot::engine::Privacy;
    t.run(
        &a,
        "alice",
        Command::Privacy(Privacy::Forget { confirm: false }),
    )
    .await;
    t.run(
        &a,
        "alice",
        Command::Privacy(Privacy::Forget { confirm: true }),
    )
    .await;
    let list = t
        .reply(&a, "bob", Command::Question(QuestionCmd::List))
        .await;
    assert!(
        list.ends_with(
            "• custom-1 · senior · git: Why does our team squash commits before merging?"
        ),
        "{list}"
    );
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
    for db in
        common::databases("import_checks_files_like_the_bank_and_names_file_question_and_field")
            .await
    {
        println!(
            "import_checks_files_like_the_bank_and_names_file_question_and_field on {}",
            db.backend
        );
        import_checks_files_like_the_bank_and_names_file_question_and_field_on(&db.url).await;
    }
}

async fn import_checks_files_like_the_bank_and_names_file_question_and_field_on(url: &str) {
    let mut t = T::new(url).await;
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
    for db in
        common::databases("list_remove_export_and_the_export_imports_back_to_the_same_questions")
            .await
    {
        println!(
            "list_remove_export_and_the_export_imports_back_to_the_same_questions on {}",
            db.backend
        );
        list_remove_export_and_the_export_imports_back_to_the_same_questions_on(&db.url).await;
    }
}

async fn list_remove_export_and_the_export_imports_back_to_the_same_questions_on(url: &str) {
    let mut t = T::new(url).await;
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
    for db in common::databases("the_console_adds_imports_and_asks_custom_questions").await {
        println!(
            "the_console_adds_imports_and_asks_custom_questions on {}",
            db.backend
        );
        the_console_adds_imports_and_asks_custom_questions_on(&db.url).await;
    }
}

async fn the_console_adds_imports_and_asks_custom_questions_on(url: &str) {
    let files = tempfile::tempdir().unwrap();
    let toml = files.path().join("team.toml");
    std::fs::write(&toml, TEAM_TOML).unwrap();
    let mut c = Console::open(url, common::bank(), common::config(), "study-group", t0())
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

// ---- Discord: the modal, an attached file, autocomplete, another guild ----------------------

mod discord_side {
    use super::*;
    use crate::common::fake_discord::{self as fake, FakeDiscord, BOT, CHANNEL, GUILD};
    use interview_bot::platform::discord::{self};

    use serde_json::{json, Value};

    const ALICE: u64 = 201; // may manage the server
    const BOB: u64 = 202;
    const MANAGE_GUILD: &str = "32";

    fn interaction(
        id: u64,
        kind: u8,
        guild: u64,
        who: u64,
        command: &str,
        options: Value,
        resolved: Value,
    ) -> Value {
        let perms = if who == ALICE { MANAGE_GUILD } else { "0" };
        json!({
            "id": id.to_string(), "application_id": BOT.to_string(), "type": kind,
            "data": {"id": "1", "name": command, "type": 1, "options": options, "resolved": resolved},
            "guild_id": guild.to_string(), "channel_id": CHANNEL.to_string(),
            "channel": {"id": CHANNEL.to_string(), "type": 0},
            "member": fake::member(who, if who == ALICE { "alice" } else { "bob" }, perms),
            "token": format!("token-{id}"), "version": 1, "app_permissions": "2248473465835073",
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": guild.to_string()}, "context": 0,
            "attachment_size_limit": 8388608
        })
    }

    fn sub(name: &str, options: Value) -> Value {
        json!([{"name": name, "type": 1, "options": options}])
    }

    /// The ephemeral follow-ups on interaction token `token-<id>`.
    async fn followups(fake: &FakeDiscord, id: u64, n: usize) -> Vec<String> {
        let path = format!("/webhooks/{BOT}/token-{id}");
        let calls = fake
            .wait_for("follow-ups", |c| {
                c.iter().filter(|c| c.path.contains(&path)).count() >= n
            })
            .await;
        calls
            .iter()
            .filter(|c| c.path.contains(&path))
            .map(|c| c.body["content"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn discord_adds_from_a_modal_imports_an_attachment_and_keeps_guilds_apart() {
        for db in crate::common::databases(
            "discord_adds_from_a_modal_imports_an_attachment_and_keeps_guilds_apart",
        )
        .await
        {
            println!(
                "discord_adds_from_a_modal_imports_an_attachment_and_keeps_guilds_apart on {}",
                db.backend
            );
            discord_adds_from_a_modal_imports_an_attachment_and_keeps_guilds_apart_on(&db.url)
                .await;
        }
    }

    async fn discord_adds_from_a_modal_imports_an_attachment_and_keeps_guilds_apart_on(url: &str) {
        let fake = FakeDiscord::start().await;
        let clock = Arc::new(ManualClock::new(t0()));
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

        // /question add → a modal (callback type 9) with the five inputs.
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(
                3001,
                2,
                GUILD,
                ALICE,
                "question",
                sub("add", json!([])),
                json!({}),
            ),
        );
        let modal = fake.wait_modal(3001).await;
        let inputs: Vec<&str> = modal["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["components"][0]["custom_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            inputs,
            ["prompt", "tier", "topic", "reference", "follow_up"]
        );
        let custom_id = modal["custom_id"].as_str().unwrap();
        // The member submits it.
        let form = form(SQUASH, "mid", "Team Process");
        fake.dispatch(
            "INTERACTION_CREATE",
            fake::modal_submit(
                3002,
                GUILD,
                CHANNEL,
                fake::member(ALICE, "alice", MANAGE_GUILD),
                custom_id,
                &[
                    ("prompt", &form.prompt),
                    ("tier", &form.tier),
                    ("topic", &form.topic),
                    ("reference", &form.reference),
                    ("follow_up", ""),
                ],
            ),
        );
        let replies = followups(&fake, 3002, 1).await;
        assert!(
            replies[0].starts_with("Added custom-1 (mid · Team Process)"),
            "{replies:?}"
        );
        let deferred = fake
            .callbacks()
            .into_iter()
            .find(|(id, _)| id == "3002")
            .unwrap()
            .1;
        assert_eq!(deferred["type"], 5);
        assert_eq!(deferred["data"]["flags"], 64, "ephemeral");

        // A member gets no form for /question add, only the permission note.
        let add = |id: u64, who: u64| {
            interaction(
                id,
                2,
                GUILD,
                who,
                "question",
                sub("add", json!([])),
                json!({}),
            )
        };
        fake.dispatch("INTERACTION_CREATE", add(3003, BOB));
        let replies = followups(&fake, 3003, 1).await;
        assert!(
            replies[0].contains("only members who can manage"),
            "{replies:?}"
        );
        assert!(fake
            .callbacks()
            .iter()
            .all(|(id, body)| id != "3003" || body["type"] != 9));
        // A submission is checked again (say the permission was taken while the form was
        // open): alice's second form, submitted as bob.
        fake.dispatch("INTERACTION_CREATE", add(3011, ALICE));
        let modal = fake.wait_modal(3011).await;
        let custom_id = modal["custom_id"].as_str().unwrap();
        let values = [
            ("prompt", "Why?"),
            ("tier", "mid"),
            ("topic", "x"),
            ("reference", "Because."),
            ("follow_up", ""),
        ];
        let bob = fake::member(BOB, "bob", "0");
        fake.dispatch(
            "INTERACTION_CREATE",
            fake::modal_submit(3004, GUILD, CHANNEL, bob, custom_id, &values),
        );
        let replies = followups(&fake, 3004, 1).await;
        assert!(
            replies[0].contains("only members who can manage"),
            "{replies:?}"
        );

        // Autocomplete offers the guild's own topic.
        let options = json!([{"name": "topic", "type": 3, "value": "team", "focused": true}]);
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(3005, 4, GUILD, BOB, "ask", options, json!({})),
        );
        fake.wait_for("autocomplete", |c| {
            c.iter().any(|c| c.path.contains("/interactions/3005/"))
        })
        .await;
        let choices = fake
            .callbacks()
            .into_iter()
            .find(|(id, _)| id == "3005")
            .unwrap()
            .1;
        assert_eq!(choices["type"], 8);
        assert_eq!(
            choices["data"]["choices"][0]["value"], "team-process",
            "{choices}"
        );

        // /ask team-process posts it in this guild.
        let ask = json!([{"name": "topic", "type": 3, "value": "team-process"}]);
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(3006, 2, GUILD, BOB, "ask", ask.clone(), json!({})),
        );
        let calls = fake
            .wait_for("the question", |c| {
                c.iter().any(|c| {
                    c.path.ends_with(&format!("/channels/{CHANNEL}/messages"))
                        && c.body.to_string().contains(SQUASH)
                })
            })
            .await;
        assert!(calls.iter().any(|c| c.body.to_string().contains(SQUASH)));
        // ... but not in another guild.
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(3007, 2, 77, BOB, "ask", ask, json!({})),
        );
        let replies = followups(&fake, 3007, 1).await;
        assert!(
            replies[0].contains("unknown topic `team-process`"),
            "{replies:?}"
        );

        // /question import with an attached file: a bad one names file, question and field.
        let bad = fake.attachment(
            "team.toml",
            TEAM_TOML
                .replace("tier = \"senior\"", "tier = \"guru\"")
                .as_bytes(),
        );
        let id = bad["id"].as_str().unwrap().to_string();
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(
                3008,
                2,
                GUILD,
                ALICE,
                "question",
                sub("import", json!([{"name": "file", "type": 11, "value": id}])),
                json!({"attachments": {id.clone(): bad}}),
            ),
        );
        let replies = followups(&fake, 3008, 1).await;
        assert!(
            replies[0]
                .contains("team.toml: question `review-size`: field `tier`: unknown tier `guru`"),
            "{replies:?}"
        );
        let good = fake.attachment(
            "team.toml",
            TEAM_TOML
                .replace(SQUASH, "Why do we squash, really?")
                .as_bytes(),
        );
        let id = good["id"].as_str().unwrap().to_string();
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(
                3009,
                2,
                GUILD,
                ALICE,
                "question",
                sub("import", json!([{"name": "file", "type": 11, "value": id}])),
                json!({"attachments": {id.clone(): good}}),
            ),
        );
        let replies = followups(&fake, 3009, 1).await;
        assert!(
            replies[0].starts_with("Imported 2 question(s) from `team.toml`"),
            "{replies:?}"
        );

        // /question export: the files arrive attached to an ephemeral follow-up.
        let before = fake.uploads().len();
        fake.dispatch(
            "INTERACTION_CREATE",
            interaction(
                3010,
                2,
                GUILD,
                ALICE,
                "question",
                sub("export", json!([])),
                json!({}),
            ),
        );
        followups(&fake, 3010, 1).await;
        let uploads = fake.uploads();
        let exported: Vec<String> = uploads[before..]
            .iter()
            .map(|u| String::from_utf8(u.bytes.clone()).unwrap())
            .collect();
        assert_eq!(exported.len(), 1, "one topic, one file");
        assert!(
            exported[0].contains("id = \"custom-1\"") && exported[0].contains("id = \"custom-3\""),
            "{}",
            exported[0]
        );
        bot.shutdown().await;
    }
}

// ---- Slack: views.open from the slash command, view_submission, another team ----------------

mod slack_side {
    use super::*;
    use crate::common::fake_slack::{FakeSlack, CHANNEL};
    use interview_bot::platform::slack;
    use serde_json::{json, Value};

    const ALICE: &str = "UALICE"; // a workspace admin in the fake
    const BOB: &str = "UBOB";

    /// Waits for the `n`th ephemeral message to `user`; returns it.
    async fn nth_ephemeral(fake: &FakeSlack, user: &str, n: usize) -> String {
        fake.wait_for("an ephemeral reply", |f| f.ephemerals_to(user).len() >= n)
            .await;
        fake.ephemerals_to(user)[n - 1].clone()
    }

    /// Types `/question <sub>` and waits for the modal; returns the opened view.
    async fn open(fake: &FakeSlack, user: &str, sub: &str, n: usize) -> Value {
        fake.command(user, "/question", sub, &format!("trig-{sub}-{n}"));
        fake.wait_for("views.open", |f| f.calls_of("views.open").len() >= n)
            .await;
        let view = fake.opened_views()[n - 1].clone();
        assert_eq!(
            fake.calls_of("views.open")[n - 1]["trigger_id"],
            format!("trig-{sub}-{n}")
        );
        view
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slack_opens_a_modal_from_the_command_and_stores_its_submission() {
        for db in crate::common::databases(
            "slack_opens_a_modal_from_the_command_and_stores_its_submission",
        )
        .await
        {
            println!(
                "slack_opens_a_modal_from_the_command_and_stores_its_submission on {}",
                db.backend
            );
            slack_opens_a_modal_from_the_command_and_stores_its_submission_on(&db.url).await;
        }
    }

    async fn slack_opens_a_modal_from_the_command_and_stores_its_submission_on(url: &str) {
        let fake = FakeSlack::start().await;
        let clock = Arc::new(ManualClock::new(t0()));
        let pool = store::open(url).await.unwrap();
        let engine = Arc::new(Engine::new(pool, common::bank(), common::config(), clock));
        let bot = slack::start(&fake.bot_config(), engine.clone())
            .await
            .unwrap();
        fake.wait_connected(1).await;

        // /question add → views.open with the slash command's trigger id and five inputs.
        let view = open(&fake, ALICE, "add", 1).await;
        assert_eq!(view["type"], "modal");
        assert_eq!(view["callback_id"], "question-add");
        assert_eq!(view["private_metadata"], CHANNEL);
        let blocks: Vec<&str> = view["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["block_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            blocks,
            ["prompt", "tier", "topic", "reference", "follow_up"]
        );
        let f = form(SQUASH, "mid", "Team Process");
        fake.view_submission(
            ALICE,
            &view,
            &[
                ("prompt", &f.prompt),
                ("tier", &f.tier),
                ("topic", &f.topic),
                ("reference", &f.reference),
                ("follow_up", ""),
            ],
        );
        let reply = nth_ephemeral(&fake, ALICE, 1).await;
        assert!(
            reply.starts_with("Added custom-1 (mid · Team Process)"),
            "{reply}"
        );

        // A member suggests through the same modal; the admin approves by typing.
        let view = open(&fake, BOB, "suggest", 2).await;
        assert_eq!(view["callback_id"], "question-suggest");
        let g = form("Why do we rebase feature branches?", "senior", "git");
        fake.view_submission(
            BOB,
            &view,
            &[
                ("prompt", &g.prompt),
                ("tier", &g.tier),
                ("topic", &g.topic),
                ("reference", &g.reference),
            ],
        );
        let reply = nth_ephemeral(&fake, BOB, 1).await;
        assert!(
            reply.starts_with("Suggested custom-2 (senior · git)"),
            "{reply}"
        );
        fake.command(ALICE, "/question", "approve custom-2", "trig-approve");
        assert!(nth_ephemeral(&fake, ALICE, 2)
            .await
            .starts_with("Approved custom-2"));

        // /question import alone opens a form to paste the file; errors name file, question, field.
        let view = open(&fake, ALICE, "import", 3).await;
        assert_eq!(view["callback_id"], "question-import");
        let bad = TEAM_TOML.replace("tier = \"senior\"", "tier = \"guru\"");
        fake.view_submission(ALICE, &view, &[("toml", &bad)]);
        let reply = nth_ephemeral(&fake, ALICE, 3).await;
        assert!(
            reply
                .contains("pasted.toml: question `review-size`: field `tier`: unknown tier `guru`"),
            "{reply}"
        );

        // A file shared in Slack, named by its link: fetched with files.info and the bot token.
        let file = fake.share_file(
            "team.toml",
            TEAM_TOML.replace(SQUASH, "Why squash at all?").as_bytes(),
        );
        let link = format!("<https://study.slack.com/files/{ALICE}/{file}/team.toml|team.toml>");
        fake.command(
            ALICE,
            "/question",
            &format!("import {link}"),
            "trig-import-file",
        );
        let reply = nth_ephemeral(&fake, ALICE, 4).await;
        assert!(
            reply.starts_with(
                "Imported 2 question(s) from `team.toml` (Team Process): custom-3, custom-4."
            ),
            "{reply}"
        );
        fake.command(
            ALICE,
            "/question",
            "import F99999999",
            "trig-import-missing",
        );
        let reply = nth_ephemeral(&fake, ALICE, 5).await;
        assert!(
            reply.contains("could not read `F99999999`: Slack did not show me that file"),
            "{reply}"
        );

        // /ask posts the team's question here...
        fake.command(BOB, "/ask", "git senior", "trig-ask");
        fake.wait_for("the question", |f| {
            f.calls_of("chat.postMessage")
                .iter()
                .any(|p| p.to_string().contains("Why do we rebase"))
        })
        .await;
        // ... and another team never gets it.
        fake.envelope(
            "slash_commands",
            json!({"token": "x", "team_id": "T2", "team_domain": "other", "channel_id": "C0OTHER",
                   "channel_name": "other", "user_id": BOB, "user_name": "bob",
                   "command": "/ask", "text": "git", "api_app_id": "A1", "is_enterprise_install": "false",
                   "response_url": "https://hooks.slack.invalid/commands/y", "trigger_id": "trig-other"}),
            0,
        );
        let reply = nth_ephemeral(&fake, BOB, 2).await;
        assert!(reply.contains("unknown topic `git`"), "{reply}");
        // A member gets no form for /question add, only the permission note.
        let opened = fake.calls_of("views.open").len();
        fake.command(BOB, "/question", "add", "trig-bob-add");
        let reply = nth_ephemeral(&fake, BOB, 3).await;
        assert!(reply.contains("only members who can manage"), "{reply}");
        assert_eq!(fake.calls_of("views.open").len(), opened);
        bot.shutdown().await;
    }
}
