//! The checker on the bank's own questions, and the bank's self-checks.

mod common;

use std::path::Path;

use interview_bot::bank::{self, Bank, Tier};
use interview_bot::checker::{self, ConceptKind, FlagKind};

#[test]
fn the_bank_passes_its_own_lint_and_is_big_enough() {
    let bank = common::bank();
    let errors = bank::lint(&bank);
    assert!(
        errors.is_empty(),
        "{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(bank.questions().len() >= 150, "{}", bank.questions().len());
    for tier in Tier::ALL {
        let n = bank.filter(None, Some(tier)).len();
        assert!(n >= 30, "{tier}: {n}");
    }
    for topic in bank.topics() {
        let mut tiers: Vec<Tier> = bank
            .filter(Some(&topic.id), None)
            .iter()
            .map(|q| q.tier)
            .collect();
        tiers.dedup();
        assert!(tiers.len() >= 2, "topic {} has one tier", topic.id);
    }
}

#[test]
fn mechanism_beats_definition_beats_off_topic_and_keyword_lists_do_not_pay() {
    let bank = common::bank();
    let off_topic = "I spent the weekend hiking in the mountains and cooking pasta with my friends, which was lovely.";
    let mut compared = 0;
    for q in bank.questions() {
        let mechanism = checker::check(&q.rubric, &q.reference_answer);
        let off = checker::check(&q.rubric, off_topic);
        assert!(mechanism.score >= 90, "{}: {}", q.id, mechanism.score);
        assert_eq!(off.score, 0, "{}", q.id);
        assert!(off.has_flag(FlagKind::OffTopic), "{}", q.id);

        // A bare list of one phrase per concept: every concept "covered", still no real answer.
        let list: Vec<&str> = q.concepts.iter().map(|c| c.phrases[0].as_str()).collect();
        let list = checker::check(&q.rubric, &list.join(", "));
        assert!(
            list.score <= 50,
            "{}: keyword list scored {} {:?}",
            q.id,
            list.score,
            list.flags
        );

        // Where the rubric has a definition concept: an answer that only defines.
        if let Some(def) = q
            .concepts
            .iter()
            .find(|c| c.kind == ConceptKind::Definition)
        {
            let text = format!(
                "Well, to put it simply, I would say that it is {} in the end.",
                def.phrases[0]
            );
            let d = checker::check(&q.rubric, &text);
            if d.concepts
                .iter()
                .filter(|c| c.matched)
                .all(|c| c.kind == ConceptKind::Definition)
                && d.score > 0
            {
                assert!(d.has_flag(FlagKind::DefinitionOnly), "{}: {d:?}", q.id);
                assert!(
                    mechanism.score > d.score + 30 && d.score > off.score,
                    "{}: {} vs {}",
                    q.id,
                    mechanism.score,
                    d.score
                );
                compared += 1;
            }
        }
    }
    assert!(
        compared >= 10,
        "only {compared} questions have a definition concept to compare"
    );
}

fn lint_one(file: &str) -> Vec<String> {
    let path = Path::new("questions/python/test.toml");
    match Bank::from_sources(&[(path, "python", file)]) {
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        Ok(bank) => bank::lint(&bank).iter().map(|e| e.to_string()).collect(),
    }
}

const GOOD: &str = r#"
[topic]
id = "gil"
name = "Global Interpreter Lock"
aliases = ["python gil"]

[[questions]]
id = "gil-test"
tier = "senior"
prompt = "Why do threads not speed up CPU-bound work in CPython?"
reference_answer = """
CPython has a global interpreter lock, a mutex inside the interpreter, and a thread must hold it to
execute bytecode, so only one thread at a time makes progress on Python code no matter how many cores
the machine has. Blocking calls release the lock while they wait for the operating system, which is why
threads still help programs that spend their time on network or disk. For CPU-bound loops the cure is
separate processes, each with its own interpreter and its own lock, or native code that drops the lock
while it computes; the cost is pickling arguments and starting workers, so the tasks must be coarse.
"""
follow_ups = ["What changes in the free-threaded build?"]
sources = ["002_047df532c24ce900.txt"]

[[questions.concepts]]
name = "One thread runs bytecode at a time"
phrases = ["one thread at a time", "execute bytecode"]
hint = "What does the lock stop two threads from doing at once?"

[[questions.concepts]]
name = "Blocking I/O releases the lock"
phrases = ["release the lock while they wait", "blocking calls release"]
hint = "When does a thread give the lock up?"

[[questions.concepts]]
name = "Processes each have their own lock"
phrases = ["separate processes", "own interpreter"]
hint = "What runs truly in parallel?"
misconceptions = ["threads run in parallel"]

[[questions.examples]]
answer = "only one thread can execute bytecode at any moment, and a blocking call lets the lock go, so for number crunching you spawn separate processes"
min_score = 70
note = "strong"

[[questions.examples]]
answer = "the lock means threads take turns, only one thread at a time"
min_score = 10

[[questions.examples]]
answer = "threads run in parallel on every core, the lock never matters for speed"
max_score = 20
note = "wrong"
"#;

#[test]
fn each_lint_rule_fires_on_a_bad_file() {
    assert!(lint_one(GOOD).is_empty(), "{:?}", lint_one(GOOD));
    let cases: &[(&str, &str, &str)] = &[
        ("tier = \"senior\"", "tier = \"seniour\"", "field `tier`: unknown tier `seniour`"),
        ("phrases = [\"separate processes\", \"own interpreter\"]", "phrases = []", "field `concepts[2].phrases`: empty"),
        ("hint = \"What runs truly in parallel?\"", "hint = \"What runs truly in parallel?\"\nphrase = [\"x\"]", "unknown field `phrase`"),
        ("[topic]", "[topic", "line 2"),
        ("follow_ups = [\"What changes in the free-threaded build?\"]", "follow_ups = []", "field `follow_ups`"),
        ("sources = [\"002_047df532c24ce900.txt\"]", "sources = []", "field `sources`"),
        ("reference_answer = \"\"\"", "reference_answer = \"\"\"Too short.\"\"\"\nold_reference = \"\"\"", "unknown field `old_reference`"),
        ("phrases = [\"separate processes\", \"own interpreter\"]", "phrases = [\"separate processes\", \"one thread at a time\"]", "also a phrase of concept 0"),
        ("phrases = [\"separate processes\", \"own interpreter\"]", "phrases = [\"python\"]", "too common"),
        ("name = \"Processes each have their own lock\"\nphrases = [\"separate processes\", \"own interpreter\"]", "name = \"Fibers\"\nphrases = [\"fibers scheduled cooperatively\"]", "against its own rubric (needs 90)"),
        ("phrases = [\"separate processes\", \"own interpreter\"]", "phrases = [\"do threads\"]", "the prompt alone scores"),
        ("id = \"gil-test\"", "id = \"gil test\"", "field `id`: not a valid id"),
        ("name = \"Blocking I/O releases the lock\"\nphrases = [\"release the lock while they wait\", \"blocking calls release\"]\nhint = \"When does a thread give the lock up?\"\n\n[[questions.concepts]]\nname = \"Processes each have their own lock\"\nphrases = [\"separate processes\", \"own interpreter\"]\nhint = \"What runs truly in parallel?\"", "name = \"Blocking I/O releases the lock\"\nphrases = [\"release the lock while they wait\", \"blocking calls release\"]\nhint = \"When does a thread give the lock up?\"", "has 2 concept(s)"),
        ("min_score = 70\nnote = \"strong\"", "note = \"strong\"", "field `examples[0]`: give min_score or max_score"),
        ("min_score = 70", "min_score = 95", "field `examples[0]`: scores"),
        ("max_score = 20", "max_score = 101", "field `examples[2].max_score`: must be 0 to 100"),
        ("[[questions.examples]]\nanswer = \"the lock", "[[questions.ignored]]\nanswer = \"the lock", "unknown field `ignored`"),
        ("misconceptions = [\"threads run in parallel\"]\n\n[[questions.examples]]\nanswer = \"only", "misconceptions = [\"threads run in parallel\"]\n\n[[questions.examples]]\nanswer = \"threads run in parallel, only", "needs at least 70"),
    ];
    for (from, to, expect) in cases {
        assert!(GOOD.contains(from), "bad case: {from}");
        let bad = GOOD.replacen(from, to, 1);
        let errors = lint_one(&bad);
        assert!(
            errors
                .iter()
                .any(|e| e.contains(expect) && e.contains("questions/python/test.toml")),
            "expected `{expect}` in {errors:#?}"
        );
        if !expect.starts_with("line") && !expect.contains("unknown field") {
            assert!(
                errors
                    .iter()
                    .any(|e| e.contains("gil-test") || e.contains("gil test")),
                "{errors:#?}"
            );
        }
    }
    // Unknown fields inside a question name that question.
    let bad = GOOD.replacen(
        "hint = \"What runs truly in parallel?\"",
        "hint = \"x\"\nphrase = [\"x\"]",
        1,
    );
    assert!(lint_one(&bad)
        .iter()
        .any(|e| e.contains("question `gil-test`") && e.contains("phrase")));
    // Duplicate question ids and topic aliases across files.
    let other = GOOD
        .replace("id = \"gil\"", "id = \"gil2\"")
        .replace("name = \"Global Interpreter Lock\"", "name = \"Other\"");
    let both = Bank::from_sources(&[
        (Path::new("a.toml"), "python", GOOD),
        (Path::new("b.toml"), "python", &other),
    ]);
    let errors: Vec<String> = both.unwrap_err().0.iter().map(|e| e.to_string()).collect();
    assert!(
        errors.iter().any(|e| e.contains("duplicate question id")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("`python gil` is already used by topic `gil`")),
        "{errors:?}"
    );
}

#[test]
fn topic_lookup_accepts_ids_aliases_case_and_suggests() {
    let bank = common::bank();
    assert!(matches!(bank.lookup_topic("GIL"), bank::TopicLookup::Found(t) if t.id == "gil"));
    assert!(
        matches!(bank.lookup_topic("global interpreter lock"), bank::TopicLookup::Found(t) if t.id == "gil")
    );
    match bank.lookup_topic("decoratr") {
        bank::TopicLookup::Unknown(near) => assert_eq!(near[0], "decorators"),
        _ => panic!("found a typo"),
    }
}

#[test]
fn gaming_does_not_pay_on_any_bank_question() {
    let bank = common::bank();
    let unrelated =
        "The committee reviewed the budget for the village fete, agreed on new bunting, \
                     and scheduled the bake sale for the first weekend of spring. ";
    for q in bank.questions() {
        let honest = checker::check(&q.rubric, &q.reference_answer);
        // The same phrase over and over.
        let phrase = &q.concepts[0].phrases[0];
        let repeated = checker::check(&q.rubric, &format!("{phrase}. ").repeat(15));
        assert!(
            repeated.score <= 35 && repeated.score < honest.score,
            "{}: repeated phrase scored {} {:?}",
            q.id,
            repeated.score,
            repeated.flags
        );
        // The question pasted back.
        let echo = checker::check(&q.rubric, &q.prompt);
        assert!(echo.score <= 20, "{}: echo scored {}", q.id, echo.score);
        // A real answer buried in a huge paste of unrelated text.
        let paste = format!("{}\n{}", q.reference_answer, unrelated.repeat(80));
        let pasted = checker::check(&q.rubric, &paste);
        assert!(pasted.has_flag(FlagKind::TooLong), "{}", q.id);
        assert!(
            pasted.score <= honest.score / 2 + 1,
            "{}: paste scored {}",
            q.id,
            pasted.score
        );
        // Determinism: the same input gives the same report.
        assert_eq!(checker::check(&q.rubric, &paste), pasted);
    }
}
