//! Property tests (proptest): the checker, the bank loader and the console and command parsers
//! on generated input. Case counts are kept small so the file runs in seconds; the fuzz targets
//! in `fuzz/` search the same properties for much longer (see `fuzz/README.md`).

mod common;

use std::path::Path;

use interview_bot::bank::{self, Bank};
use interview_bot::checker::{self, reference, Report, Rubric};
use interview_bot::engine::command;
use interview_bot::platform::console;
use proptest::prelude::*;

/// Cases per property: enough to vary every generator, few enough for CI.
const CASES: u32 = 48;

/// The longest generated "huge" answer, in repetitions of a sentence (about 90 000 characters,
/// far past the checker's word limit, so the too-long path runs too).
const HUGE_REPEATS: usize = 1_500;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // A failing case is reported as found; shrinking a 90 000-character answer is slow.
        max_shrink_iters: 256,
        // Crashers are kept as plain tests in `tests/fuzz_regressions.rs`, not in a file.
        failure_persistence: None,
        // The same cases on every run: tests here are deterministic.
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        ..ProptestConfig::default()
    }
}

/// Characters that stress tokenising: emoji (with skin tones and joiners), zero-width and
/// bidirectional marks, combining accents, CJK, RTL scripts, code punctuation, line breaks.
const AWKWARD: &[&str] = &[
    "👍",
    "🧑🏽‍💻",
    "👨‍👩‍👧",
    "🏳️‍🌈",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{2060}",
    "\u{feff}",
    "\u{202e}",
    "\u{0301}",
    "e\u{0301}",
    "ﬁ",
    "İ",
    "ß",
    "ǅ",
    "中文",
    "مرحبا",
    "עברית",
    "\u{0}",
    "\t",
    "\r\n",
    "\n\n",
    "```",
    "```python\n",
    "`",
    "'",
    "\"",
    "\\",
    "--",
    "...",
    " ",
    "  ",
    "{",
    "}",
    "()",
    "=>",
    "::",
    "#",
    "*",
    "_",
    "~",
    "<@123>",
    "<@U1|alice>",
    ":+1:",
];

/// Words from the bank's vocabulary, so generated answers also earn concepts and trip flags.
const WORDS: &[&str] = &[
    "the",
    "GIL",
    "mutex",
    "thread",
    "threads",
    "only",
    "one",
    "runs",
    "bytecode",
    "not",
    "never",
    "reference",
    "count",
    "race",
    "lock",
    "cpu-bound",
    "I/O",
    "asyncio",
    "event",
    "loop",
    "generator",
    "yield",
    "frame",
    "memory",
    "because",
    "so",
    "which",
    "process",
    "processes",
    "don't",
    "isn't",
    "hash",
    "table",
    "O(1)",
    "heap",
    "garbage",
    "collector",
];

/// An answer: arbitrary Unicode, words mixed with awkward characters, a code block, or huge.
fn answer() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(str::to_string),
        2 => proptest::sample::select(AWKWARD).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    let mixed = proptest::collection::vec(piece, 0..120).prop_map(|p| p.join(" "));
    let glued = proptest::collection::vec(proptest::sample::select(AWKWARD), 0..40)
        .prop_map(|p| p.concat());
    let code = (mixed.clone(), "[a-z_]{1,10}").prop_map(|(prose, name)| {
        format!("{prose}\n```python\ndef {name}():\n    yield from range(10)\n```\n{prose}")
    });
    let huge = (mixed.clone(), 1..HUGE_REPEATS).prop_map(|(s, n)| s.repeat(n));
    prop_oneof![
        3 => any::<String>(),
        4 => mixed,
        2 => glued,
        2 => code,
        1 => huge,
    ]
}

/// Checks the report's invariants and that checking again gives the same report.
fn assert_sound(rubric: &Rubric, text: &str) -> Result<Report, TestCaseError> {
    let report = checker::check(rubric, text);
    prop_assert!(report.score <= 100, "score {}", report.score);
    prop_assert!(report.coverage <= 100, "coverage {}", report.coverage);
    let chars: Vec<char> = text.chars().collect();
    for c in &report.concepts {
        prop_assert!(
            c.credit.is_finite() && (0.0..=1.0).contains(&c.credit),
            "credit {} for {}",
            c.credit,
            c.name
        );
        if let Some(e) = &c.evidence {
            prop_assert!(e.start <= e.end && e.end <= chars.len(), "{:?}", e);
            let quoted: String = chars[e.start..e.end].iter().collect();
            prop_assert_eq!(&quoted, &e.text);
        }
    }
    prop_assert_eq!(&report, &checker::check(rubric, text), "not deterministic");
    Ok(report)
}

proptest! {
    #![proptest_config(config())]

    /// Any answer against several bank rubrics (one per tier and kind of topic).
    #[test]
    fn any_answer_against_bank_rubrics_is_scored_soundly(pick in any::<prop::sample::Index>(), text in answer()) {
        let bank = common::bank();
        let q = pick.get(bank.questions());
        assert_sound(&q.rubric, &text)?;
    }

    /// Any answer against a rubric derived from any reference (the `score --reference` mode).
    #[test]
    fn any_answer_in_reference_mode_is_scored_soundly(
        reference in answer(),
        question in answer(),
        text in answer(),
    ) {
        let rubric = reference::rubric_from_reference(&reference, &question, &reference::Idf::default());
        assert_sound(&rubric, &text)?;
    }

    /// The reference answer of a bank question, cut anywhere and decorated: still sound.
    #[test]
    fn cut_and_decorated_reference_answers_are_scored_soundly(
        pick in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        decoration in proptest::sample::select(AWKWARD),
    ) {
        let bank = common::bank();
        let q = pick.get(bank.questions());
        let chars: Vec<char> = q.reference_answer.chars().collect();
        let head: String = chars[..cut.index(chars.len() + 1)].iter().collect();
        let text = format!("{decoration}{head}{decoration}");
        assert_sound(&q.rubric, &text)?;
    }

    /// The bank loader on arbitrary text: errors (naming the file) or a bank, never a panic.
    #[test]
    fn the_bank_loader_never_panics_on_arbitrary_text(text in any::<String>()) {
        load_and_check(&text)?;
    }

    /// The bank loader on well-formed TOML with arbitrary values in the schema's fields.
    #[test]
    fn the_bank_loader_never_panics_on_arbitrary_toml(text in question_file()) {
        load_and_check(&text)?;
    }

    /// The console's line, time and duration parsers on any line.
    #[test]
    fn the_console_parsers_never_panic(line in console_line()) {
        if let Some(action) = console::parse_line(&line) {
            let who = match &action {
                console::Action::Say { who, .. }
                | console::Action::Edit { who, .. }
                | console::Action::Delete { who, .. }
                | console::Action::React { who, .. } => who,
            };
            prop_assert!(!who.is_empty() && !who.contains(char::is_whitespace));
        }
        let _ = console::parse_time(&line);
        let _ = console::parse_duration(&line);
    }

    /// The command parser on any text: a command or an error with a message.
    #[test]
    fn the_command_parser_never_panics(line in command_line()) {
        if let Err(e) = command::parse(&line) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

fn load_and_check(text: &str) -> Result<(), TestCaseError> {
    let file = Path::new("questions/python/generated.toml");
    match Bank::from_sources(&[(file, "python", text)]) {
        Ok(bank) => {
            let _ = bank::lint(&bank);
            for q in bank.questions() {
                assert_sound(&q.rubric, &q.reference_answer)?;
            }
        }
        Err(errors) => {
            prop_assert!(!errors.0.is_empty());
            for e in &errors.0 {
                prop_assert_eq!(&e.file, file);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
    Ok(())
}

/// A string that is sometimes a valid value and sometimes not.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => answer(),
        2 => "[a-z0-9-]{0,12}",
        1 => Just(String::new()),
        1 => proptest::sample::select(&["junior", "mid", "senior", "staff", "Senior", "lead"][..])
            .prop_map(str::to_string),
    ]
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(field(), 0..4)
}

/// A question file in the bank's schema, with arbitrary values (weights and scores across
/// their whole integer range, empty and odd strings), serialised by the `toml` crate.
fn question_file() -> impl Strategy<Value = String> {
    let concept = (
        field(),
        any::<u32>(),
        proptest::option::of(field()),
        strings(),
        field(),
        strings(),
    )
        .prop_map(|(name, weight, kind, phrases, hint, misconceptions)| {
            let mut t = toml::Table::new();
            t.insert("name".into(), name.into());
            t.insert("weight".into(), i64::from(weight).into());
            if let Some(kind) = kind {
                t.insert("kind".into(), kind.into());
            }
            t.insert("phrases".into(), phrases.into());
            t.insert("hint".into(), hint.into());
            t.insert("misconceptions".into(), misconceptions.into());
            toml::Value::Table(t)
        });
    let example = (
        answer(),
        proptest::option::of(any::<u8>()),
        proptest::option::of(any::<u8>()),
    )
        .prop_map(|(answer, min, max)| {
            let mut t = toml::Table::new();
            t.insert("answer".into(), answer.into());
            if let Some(min) = min {
                t.insert("min_score".into(), i64::from(min).into());
            }
            if let Some(max) = max {
                t.insert("max_score".into(), i64::from(max).into());
            }
            toml::Value::Table(t)
        });
    let question = (
        field(),
        field(),
        field(),
        answer(),
        proptest::collection::vec(concept, 0..5),
        proptest::collection::vec(example, 0..3),
    )
        .prop_map(|(id, tier, prompt, reference, concepts, examples)| {
            let mut t = toml::Table::new();
            t.insert("id".into(), id.into());
            t.insert("tier".into(), tier.into());
            t.insert("prompt".into(), prompt.into());
            t.insert("reference_answer".into(), reference.into());
            t.insert("concepts".into(), concepts.into());
            t.insert("examples".into(), examples.into());
            toml::Value::Table(t)
        });
    (
        field(),
        field(),
        strings(),
        proptest::collection::vec(question, 0..3),
    )
        .prop_map(|(id, name, aliases, questions)| {
            let mut topic = toml::Table::new();
            topic.insert("id".into(), id.into());
            topic.insert("name".into(), name.into());
            topic.insert("aliases".into(), aliases.into());
            let mut file = toml::Table::new();
            file.insert("topic".into(), toml::Value::Table(topic));
            file.insert("questions".into(), questions.into());
            toml::to_string(&file).expect("a TOML table always serialises")
        })
}

/// A console line: arbitrary, or assembled from the syntax's own parts.
fn console_line() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        proptest::sample::select(
            &[
                "alice",
                "bob",
                "#3",
                "#",
                "#-1",
                "#99999999999999999999",
                "edits",
                "deletes",
                ":",
                "+👍",
                "-👍",
                "+",
                "-",
                "/ask gil",
                "@time",
                "2026-03-02",
                "09:00",
                "Europe/Berlin",
                "1d",
                "2h",
                "30m",
                "90min",
                "45s",
                "2w",
                "9223372036854775807w",
                "-5d",
                "99999999999d",
                "1x",
                "\\",
            ][..]
        )
        .prop_map(str::to_string),
        proptest::sample::select(AWKWARD).prop_map(str::to_string),
        "[0-9]{1,20}[wdhms]",
    ];
    prop_oneof![
        1 => any::<String>(),
        3 => proptest::collection::vec(part, 0..8).prop_map(|p| p.join(" ")),
    ]
}

/// A command line: arbitrary, or assembled from command names, options and quotes.
fn command_line() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        proptest::sample::select(
            &[
                "/ask",
                "ask",
                "qotd",
                "/qotd",
                "schedule",
                "pause",
                "resume",
                "now",
                "status",
                "remove",
                "\"0 9 * * 1-5\"",
                "\"",
                "'",
                "senior",
                "junior",
                "gil",
                "Europe/Berlin",
                "UTC",
                "leaderboard",
                "week",
                "month",
                "all",
                "workspace",
                "stats",
                "<@U1|a>",
                "<@",
                ">",
                "@",
                "hint",
                "reveal",
                "help",
                "\\",
            ][..]
        )
        .prop_map(str::to_string),
        proptest::sample::select(AWKWARD).prop_map(str::to_string),
    ];
    prop_oneof![
        1 => any::<String>(),
        3 => proptest::collection::vec(part, 0..8).prop_map(|p| p.join(" ")),
    ]
}
