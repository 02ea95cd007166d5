use interview_bot::bank::Bank;
use interview_bot::checker::{self, text};
use std::hint::black_box;
use std::path::Path;
fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let reps: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let bank = Bank::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("questions")).unwrap();
    let answers: Vec<(usize, String)> = bank
        .questions()
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let len = 60 + (i * 37) % 91;
            let w: Vec<&str> = q
                .reference_answer
                .split_whitespace()
                .cycle()
                .take(len)
                .collect();
            (i, w.join(" "))
        })
        .collect();
    for _ in 0..reps {
        for (i, a) in &answers {
            match mode.as_str() {
                "floor" => {
                    black_box(text::tokenize(black_box(a)));
                }
                "check" => {
                    black_box(checker::check(&bank.questions()[*i].rubric, black_box(a)));
                }
                _ => {}
            }
        }
    }
}
