//! The `score` command's reference-answer and batch modes, through the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn reference_mode_scores_against_a_derived_rubric() {
    let reference =
        "A stack is last in, first out: push adds on top and pop removes the top element.";
    let (ok, good) = run(
        &["score", "--reference", reference, "--question-text", "What is a stack?", "--json"],
        "Push puts an element on top and pop takes the top one off, so the last in is the first out.",
    );
    assert!(ok);
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let (_, poor) = run(
        &[
            "score",
            "--reference",
            reference,
            "--question-text",
            "What is a stack?",
            "--json",
        ],
        "It is a kind of data structure used in programs.",
    );
    let poor: serde_json::Value = serde_json::from_str(&poor).unwrap();
    assert!(
        good["score"].as_u64() > poor["score"].as_u64(),
        "{good} vs {poor}"
    );
    let top = good["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "top")
        .unwrap();
    assert_eq!(top["matched"], true);
    assert_eq!(top["evidence"]["text"], "top");
}

#[test]
fn batch_mode_keeps_ids_and_reports_bad_lines_without_stopping() {
    let input = [
        r#"{"id": "a1", "answer": "Only one thread at a time runs bytecode.", "question_id": "gil-parallelism"}"#,
        r#"{"id": 7, "answer": "push and pop on the top", "reference": "push and pop work on the top", "question": "stack?"}"#,
        r#"{"id": "bad", "answer": 3}"#,
        "not json",
        "",
        r#"{"id": "q", "answer": "x", "question_id": "no-such-question"}"#,
    ]
    .join("\n");
    let (ok, out) = run(&["score", "--batch"], &input);
    assert!(ok);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["id"], "a1");
    assert!(lines[0]["report"]["score"].is_u64());
    assert_eq!(lines[1]["id"], 7);
    assert!(lines[1]["report"]["score"].as_u64().unwrap() > 50);
    assert_eq!(lines[2]["id"], "bad");
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[3]["error"].as_str().unwrap().contains("line 4"));
    assert!(lines[4]["error"]
        .as_str()
        .unwrap()
        .contains("unknown question_id"));
}

#[test]
fn the_benchmark_skips_cleanly_without_its_data() {
    let (ok, out) = run(&["bench", "asag", "--data", "/nonexistent/mohler.csv"], "");
    assert!(ok);
    assert!(out.starts_with("skipped:"), "{out}");
}
