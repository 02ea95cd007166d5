//! Checker speed on one core: answers per second for 60–150-word answers against the bank's
//! rubrics, next to the floor of the work (tokenising and stemming the same texts and nothing
//! else), and the time to load the whole bank and build its matchers.
//!
//! Run: `cargo bench --bench checker`. Targets (issue 4): ≥ 20,000 answers per second, scoring
//! ≤ 3× the floor, bank load < 100 ms.
//!
//! Criterion measures the floor and the scoring one after the other, seconds apart, so on a
//! shared machine whose speed drifts their ratio moves by ±15% from run to run. The ratio is
//! therefore also measured in alternation (see [`interleaved_ratio`]), which cancels the drift.
//! It reads lower than criterion's ratio for the same code (2.7–2.8× against 3.1–4.1× for the
//! checker of 7e6e43f): each floor pass starts with the caches the scoring left, so compare
//! alternation with alternation.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use interview_bot::bank::Bank;
use interview_bot::checker::{self, text};

/// Answers of 60–150 words: each reference answer cut to a length that cycles through that
/// range, paired with its own question's rubric (so matching does real work).
fn workload(bank: &Bank) -> Vec<(usize, String)> {
    bank.questions()
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let len = 60 + (i * 37) % 91;
            let words: Vec<&str> = q
                .reference_answer
                .split_whitespace()
                .cycle()
                .take(len)
                .collect();
            (i, words.join(" "))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    let started = Instant::now();
    let bank = Bank::load_dir(&dir).expect("bank");
    let load = started.elapsed();
    println!(
        "bank load: {} questions, {} topics, matchers built in {:.1} ms (target < 100 ms)",
        bank.questions().len(),
        bank.topics().len(),
        load.as_secs_f64() * 1000.0
    );
    let answers = workload(&bank);
    let words: usize = answers
        .iter()
        .map(|(_, a)| a.split_whitespace().count())
        .sum();
    println!(
        "workload: {} answers, {:.0} words on average",
        answers.len(),
        words as f64 / answers.len() as f64
    );
    let mut group = c.benchmark_group("checker");
    group.throughput(Throughput::Elements(answers.len() as u64));
    group.bench_function("floor: tokenise and stem", |b| {
        b.iter(|| {
            for (_, a) in &answers {
                black_box(text::tokenize(black_box(a)));
            }
        })
    });
    group.bench_function("score against bank rubric", |b| {
        b.iter(|| {
            for (i, a) in &answers {
                black_box(checker::check(&bank.questions()[*i].rubric, black_box(a)));
            }
        })
    });
    group.finish();
    interleaved_ratio(&bank, &answers);
}

/// Rounds of the alternating measurement, and passes over the workload per timing.
const ROUNDS: usize = 41;
const PASSES: usize = 4;

/// Scoring time over floor time, measured in [`ROUNDS`] rounds that each time both (each over
/// [`PASSES`] passes of the workload, about 10 and 25 ms), the one that goes first alternating;
/// prints the median and quartiles of the rounds' ratios.
fn interleaved_ratio(bank: &Bank, answers: &[(usize, String)]) {
    let floor = || {
        let started = Instant::now();
        for _ in 0..PASSES {
            for (_, a) in answers {
                black_box(text::tokenize(black_box(a)));
            }
        }
        started.elapsed().as_secs_f64()
    };
    let score = || {
        let started = Instant::now();
        for _ in 0..PASSES {
            for (i, a) in answers {
                black_box(checker::check(&bank.questions()[*i].rubric, black_box(a)));
            }
        }
        started.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let f = floor();
                score() / f
            } else {
                let s = score();
                s / floor()
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "scoring / floor, measured in alternation over {ROUNDS} rounds: median {:.2}× \
         (quartiles {:.2}–{:.2}×; target ≤ 3×)",
        ratios[ROUNDS / 2],
        ratios[ROUNDS / 4],
        ratios[3 * ROUNDS / 4]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
