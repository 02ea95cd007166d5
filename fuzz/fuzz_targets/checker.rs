//! The checker on any UTF-8 answer: against every bank question's rubric, and in reference mode
//! (a rubric derived from a reference answer, as `score --reference` does).
//!
//! Input: byte 0 picks the mode (even: bank, odd: reference), byte 1 the question; the rest is
//! UTF-8 text. In reference mode the text is split at the first two `\u{1}` into reference,
//! question and answer (missing parts are empty).
//!
//! Checked: no panic; score and coverage in 0..=100; every concept's credit finite in 0..=1;
//! evidence offsets inside the answer and naming exactly the evidence text; the same input gives
//! the same report.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use interview_bot::bank::Bank;
use interview_bot::checker::{self, reference, Report, Rubric};
use libfuzzer_sys::fuzz_target;

static BANK: LazyLock<Bank> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../questions");
    Bank::load_dir(&dir).unwrap_or_else(|e| panic!("the bank must load: {e}"))
});

fn check_invariants(rubric: &Rubric, answer: &str) {
    let report: Report = checker::check(rubric, answer);
    assert!(report.score <= 100, "score {}", report.score);
    assert!(report.coverage <= 100, "coverage {}", report.coverage);
    let chars: Vec<char> = answer.chars().collect();
    for c in &report.concepts {
        assert!(
            c.credit.is_finite() && (0.0..=1.0).contains(&c.credit),
            "credit {} for {}",
            c.credit,
            c.name
        );
        if let Some(e) = &c.evidence {
            assert!(e.start <= e.end && e.end <= chars.len(), "{e:?}");
            let slice: String = chars[e.start..e.end].iter().collect();
            assert_eq!(slice, e.text, "evidence offsets");
        }
    }
    let again = checker::check(rubric, answer);
    assert_eq!(report, again, "the same input gives the same report");
}

fuzz_target!(|data: &[u8]| {
    let [mode, pick, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if mode % 2 == 0 {
        let questions = BANK.questions();
        let q = &questions[usize::from(*pick) % questions.len()];
        check_invariants(&q.rubric, text);
    } else {
        let mut parts = text.splitn(3, '\u{1}');
        let reference = parts.next().unwrap_or_default();
        let question = parts.next().unwrap_or_default();
        let answer = parts.next().unwrap_or_default();
        let rubric =
            reference::rubric_from_reference(reference, question, &reference::Idf::default());
        check_invariants(&rubric, answer);
    }
});
