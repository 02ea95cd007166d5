//! The checker against our own graded development set (`tests/data/graded/tune.jsonl`: answers
//! written and graded by people who never saw the rubrics' phrases). Only the tuning part is used
//! here; the held-out part is for `bench graded` reports.

use std::path::Path;

use interview_bot::bank::Bank;
use interview_bot::bench;

#[test]
fn the_checker_agrees_with_the_graders_on_the_tuning_part() {
    let bank = Bank::load_dir(Path::new("questions")).expect("bank loads");
    let rows = bench::load_own(Path::new("tests/data/graded/tune.jsonl")).expect("set loads");
    let r = bench::graded(&bank, &rows);
    assert_eq!(r.unknown_questions, 0, "every answer is to a bank question");
    assert!(r.answers >= 300, "{}", r.answers);
    assert!(r.pearson_r >= 0.85, "{}", bench::graded_report("tune", &r));
    assert_eq!(
        r.correct_off_topic,
        0,
        "{}",
        bench::graded_report("tune", &r)
    );
    let mean = |k: &str| r.by_kind[k].1;
    for worse in ["keywords", "negated", "echo", "offtopic", "wrong"] {
        assert!(
            mean("partial") > mean(worse),
            "partial answers must outscore {worse}: {}",
            bench::graded_report("tune", &r)
        );
    }
    assert!(mean("strong") > mean("partial"));
}

#[test]
fn bench_graded_prints_the_figures_for_each_file() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["bench", "graded", "--data", "tests/data/graded/tune.jsonl"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "tune.jsonl",
        "Pearson r",
        "Spearman rho",
        "pairs ordered",
        "correct answers off-topic",
        "partial",
        "keywords",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}
