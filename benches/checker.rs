//! Checker speed on one core: answers per second for 60–150-word answers against the bank's
//! rubrics, next to the floor of the work (tokenising and stemming the same texts and nothing
//! else), and the time to load the whole bank and build its matchers.
//!
//! Run: `cargo bench --bench checker`. Targets (issue 4): ≥ 20,000 answers per second, scoring
//! ≤ 3× the floor, bank load < 100 ms.

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
