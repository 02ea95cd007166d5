//! Agreement with human graders.
//!
//! **Shared sets** ([`asag`]): the Mohler / UNT short-answer set (Mohler, Bunescu & Mihalcea
//! 2011, ACL-HLT, <https://aclanthology.org/P11-1076/>; data structures, 0–5) and the English
//! part of SAF (Filighera et al. 2022, ACL, <https://aclanthology.org/2022.acl-long.587>;
//! networking, 0–1), with the protocol of `shared/benchmarks/*/README.md`:
//!
//! 1. the checker runs in reference-answer mode ([`crate::checker::reference`]); document
//!    frequencies come from the reference answers only (never from student answers);
//! 2. the raw score (0–100) is mapped to the gold scale by a least-squares line fitted
//!    leave-one-group-out (Mohler: 12 folds by the `x` of question id `x.y`; SAF: 7 folds by
//!    module), clamped to the scale;
//! 3. reported: pooled Pearson r, RMSE, median per-question RMSE, answers scored per second.
//!
//! The shared sets are never copied into this repository; the path is given at run time.
//!
//! **Our own set** ([`graded`]): answers to bank questions written and graded 0–5 by people who
//! never saw the rubrics' phrases (`tests/data/graded/`), scored with the bank's rubrics.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;

use serde::Deserialize;

use crate::bank::Bank;
use crate::checker::reference::{rubric_from_reference, Idf};
use crate::checker::{self, FlagKind, Rubric};

/// Which shared set a file holds (told apart by its header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Mohler / UNT: gold 0–5, folds by assignment.
    Mohler,
    /// SAF (English): gold 0–1, folds by module.
    Saf,
}

impl Dataset {
    /// The gold scale's maximum (the minimum is 0).
    pub fn scale(self) -> f64 {
        match self {
            Dataset::Mohler => 5.0,
            Dataset::Saf => 1.0,
        }
    }
}

/// One graded answer of a shared set, whatever its file's columns.
#[derive(Debug, Clone)]
pub struct GradedAnswer {
    /// Question id, kept as text (`11.10` exists).
    pub question_id: String,
    /// Question text.
    pub question: String,
    /// Instructor's answer.
    pub reference_answer: String,
    /// Student's answer.
    pub student_answer: String,
    /// Gold score on the set's scale (Mohler: mean of two graders, 0–5; SAF: 0–1).
    pub gold: f64,
    /// Cross-validation group (Mohler: assignment; SAF: module).
    pub fold: String,
    /// Mohler: 1 for the 32 answers the original authors trained on.
    pub perceptron_train: u8,
}

#[derive(Deserialize)]
struct MohlerRow {
    question_id: String,
    question: String,
    reference_answer: String,
    student_answer: String,
    score_avg: f64,
    #[serde(default)]
    perceptron_train: u8,
}

#[derive(Deserialize)]
struct SafRow {
    question_id: String,
    module: String,
    question: String,
    reference_answer: String,
    student_answer: String,
    score: f64,
}

/// What the benchmark measured.
#[derive(Debug, Clone)]
pub struct AsagResult {
    /// Which set.
    pub dataset: Dataset,
    /// Answers scored.
    pub answers: usize,
    /// Pooled Pearson correlation of mapped scores with the gold scores.
    pub pearson_r: f64,
    /// Root-mean-square error on the gold scale.
    pub rmse: f64,
    /// Median over questions of each question's RMSE.
    pub median_question_rmse: f64,
    /// Answers scored per second (checker only, one thread, rubric building included).
    pub answers_per_second: f64,
    /// Mohler: the same over the 2,241 answers without `perceptron_train` (else all answers).
    pub pearson_r_eval: f64,
    /// RMSE over the same.
    pub rmse_eval: f64,
}

/// Reads a shared set's CSV at `path`, Mohler or SAF (told apart by the header). Errors: the
/// file cannot be read, has neither set's columns, or a row lacks a column (its row number is
/// given).
pub fn load(path: &Path) -> anyhow::Result<(Dataset, Vec<GradedAnswer>)> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let dataset = if headers.iter().any(|h| h == "score_avg") {
        Dataset::Mohler
    } else if headers.iter().any(|h| h == "module") {
        Dataset::Saf
    } else {
        anyhow::bail!(
            "{}: neither the Mohler columns (score_avg) nor the SAF ones (module, score)",
            path.display()
        );
    };
    let row_err =
        |i: usize, e: csv::Error| anyhow::anyhow!("{}: row {}: {e}", path.display(), i + 2);
    let mut rows = Vec::new();
    match dataset {
        Dataset::Mohler => {
            for (i, row) in reader.deserialize::<MohlerRow>().enumerate() {
                let r = row.map_err(|e| row_err(i, e))?;
                rows.push(GradedAnswer {
                    fold: r.question_id.split('.').next().unwrap_or("").to_string(),
                    question_id: r.question_id,
                    question: r.question,
                    reference_answer: r.reference_answer,
                    student_answer: r.student_answer,
                    gold: r.score_avg,
                    perceptron_train: r.perceptron_train,
                });
            }
        }
        Dataset::Saf => {
            for (i, row) in reader.deserialize::<SafRow>().enumerate() {
                let r = row.map_err(|e| row_err(i, e))?;
                rows.push(GradedAnswer {
                    fold: r.module,
                    question_id: r.question_id,
                    question: r.question,
                    reference_answer: r.reference_answer,
                    student_answer: r.student_answer,
                    gold: r.score,
                    perceptron_train: 0,
                });
            }
        }
    }
    Ok((dataset, rows))
}

/// Runs [`asag`] on the file at `path` and formats the result for a terminal; `None` when the
/// file is absent (the shared sets live outside the repository).
pub fn asag_report(path: &Path) -> anyhow::Result<Option<String>> {
    if !path.exists() {
        return Ok(None);
    }
    let (dataset, rows) = load(path)?;
    let r = asag(dataset, &rows);
    let (name, target) = match dataset {
        Dataset::Mohler => ("asag-mohler (0-5)", "target r >= 0.60, RMSE <= 0.88"),
        Dataset::Saf => ("asag-saf (0-1)", "target r >= 0.77, RMSE <= 0.245"),
    };
    Ok(Some(format!(
        "{name}: {} answers ({target})\n  pooled Pearson r         {:.3}\n  RMSE                     {:.3}\n  median per-question RMSE {:.3}\n  without training-flagged answers: r {:.3}, RMSE {:.3}\n  answers per second       {:.0}\n",
        r.answers, r.pearson_r, r.rmse, r.median_question_rmse, r.pearson_r_eval, r.rmse_eval, r.answers_per_second
    )))
}

/// Pearson's r.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return 0.0;
    }
    sxy / (sxx * syy).sqrt()
}

fn rmse(pred: &[f64], gold: &[f64]) -> f64 {
    let se: f64 = pred.iter().zip(gold).map(|(p, g)| (p - g) * (p - g)).sum();
    (se / pred.len().max(1) as f64).sqrt()
}

/// Least-squares line `y = a + b x`.
fn fit(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let b = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    (my - b * mx, b)
}

/// Scores every answer (raw 0–100) in reference-answer mode; returns the raw scores and the
/// elapsed seconds of the checker work.
pub fn raw_scores(rows: &[GradedAnswer]) -> (Vec<f64>, f64) {
    // One document per distinct reference answer (SAF's question 2.1 has three variants).
    let references: BTreeSet<&str> = rows.iter().map(|r| r.reference_answer.as_str()).collect();
    let idf = Idf::from_texts(references.iter().copied());
    let started = Instant::now();
    // Keyed by question and reference: each answer is scored against its own row's reference.
    let mut rubrics: HashMap<(&str, &str), Rubric> = HashMap::new();
    let scores = rows
        .iter()
        .map(|r| {
            let rubric = rubrics
                .entry((r.question_id.as_str(), r.reference_answer.as_str()))
                .or_insert_with(|| rubric_from_reference(&r.reference_answer, &r.question, &idf));
            f64::from(checker::check(rubric, &r.student_answer).score)
        })
        .collect();
    (scores, started.elapsed().as_secs_f64())
}

/// Runs the whole protocol on one set.
pub fn asag(dataset: Dataset, rows: &[GradedAnswer]) -> AsagResult {
    let (raw, seconds) = raw_scores(rows);
    let gold: Vec<f64> = rows.iter().map(|r| r.gold).collect();
    let folds: Vec<String> = rows.iter().map(|r| r.fold.clone()).collect();
    let mut mapped = vec![0.0; rows.len()];
    let mut names: Vec<&String> = folds.iter().collect();
    names.sort();
    names.dedup();
    for f in names {
        let (x, y): (Vec<f64>, Vec<f64>) = folds
            .iter()
            .zip(raw.iter().zip(&gold))
            .filter(|(g, _)| *g != f)
            .map(|(_, (a, b))| (*a, *b))
            .unzip();
        let (a, b) = fit(&x, &y);
        for (i, g) in folds.iter().enumerate() {
            if g == f {
                mapped[i] = (a + b * raw[i]).clamp(0.0, dataset.scale());
            }
        }
    }
    let mut per_question: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let e = per_question.entry(&r.question_id).or_default();
        e.0.push(mapped[i]);
        e.1.push(gold[i]);
    }
    let mut q_rmse: Vec<f64> = per_question.values().map(|(p, g)| rmse(p, g)).collect();
    q_rmse.sort_by(f64::total_cmp);
    let median = if q_rmse.is_empty() {
        0.0
    } else if q_rmse.len() % 2 == 1 {
        q_rmse[q_rmse.len() / 2]
    } else {
        (q_rmse[q_rmse.len() / 2 - 1] + q_rmse[q_rmse.len() / 2]) / 2.0
    };
    let eval: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].perceptron_train == 0)
        .collect();
    let pick = |v: &[f64]| eval.iter().map(|&i| v[i]).collect::<Vec<_>>();
    AsagResult {
        dataset,
        answers: rows.len(),
        pearson_r: pearson(&mapped, &gold),
        rmse: rmse(&mapped, &gold),
        median_question_rmse: median,
        answers_per_second: rows.len() as f64 / seconds.max(1e-9),
        pearson_r_eval: pearson(&pick(&mapped), &pick(&gold)),
        rmse_eval: rmse(&pick(&mapped), &pick(&gold)),
    }
}

/// One answer of our own graded set (`tests/data/graded/*.jsonl`, one JSON object a line).
#[derive(Debug, Clone, Deserialize)]
pub struct OwnAnswer {
    /// A bank question id.
    pub question_id: String,
    /// What the writer meant it to be: strong, partial, definition, wrong, negated, keywords,
    /// offtopic or echo.
    pub kind: String,
    /// The grader's grade, 0–5.
    pub grade: f64,
    /// The answer text.
    pub answer: String,
}

/// Grade at or above which an answer counts as correct (for the off-topic check).
pub const CORRECT_GRADE: f64 = 2.5;
/// Smallest grade gap for a pair of answers to one question to count in the ordering share.
pub const PAIR_GRADE_GAP: f64 = 1.0;

/// What [`graded`] measured.
#[derive(Debug, Clone)]
pub struct OwnResult {
    /// Answers scored (those whose question is in the bank).
    pub answers: usize,
    /// Answers skipped because their question id is not in the bank.
    pub unknown_questions: usize,
    /// Pearson r of checker score (0–100) with grade (0–5).
    pub pearson_r: f64,
    /// Spearman ρ (Pearson r of ranks, ties at their mean rank).
    pub spearman_rho: f64,
    /// Pairs of answers to one question whose grades differ by ≥ [`PAIR_GRADE_GAP`].
    pub pairs: usize,
    /// Of those, the share the checker orders the same way (a tie counts as wrong).
    pub pairs_ordered: f64,
    /// Per kind: (answers, mean checker score, mean grade).
    pub by_kind: BTreeMap<String, (usize, f64, f64)>,
    /// Correct answers (grade ≥ [`CORRECT_GRADE`]) flagged off-topic.
    pub correct_off_topic: usize,
}

/// Reads a JSON Lines file of [`OwnAnswer`]s. Errors name the line.
pub fn load_own(path: &Path) -> anyhow::Result<Vec<OwnAnswer>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| anyhow::anyhow!("{}: line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = mean;
        }
        i = j + 1;
    }
    out
}

/// Scores our own graded answers with the bank's rubrics and compares with the grades.
pub fn graded(bank: &Bank, rows: &[OwnAnswer]) -> OwnResult {
    let mut scores = Vec::new();
    let mut grades = Vec::new();
    let mut by_question: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut kinds: BTreeMap<String, (usize, f64, f64)> = BTreeMap::new();
    let mut correct_off_topic = 0;
    let mut unknown_questions = 0;
    for r in rows {
        let Some(q) = bank.question(&r.question_id) else {
            unknown_questions += 1;
            continue;
        };
        let report = checker::check(&q.rubric, &r.answer);
        let score = f64::from(report.score);
        if r.grade >= CORRECT_GRADE && report.has_flag(FlagKind::OffTopic) {
            correct_off_topic += 1;
        }
        scores.push(score);
        grades.push(r.grade);
        by_question
            .entry(r.question_id.as_str())
            .or_default()
            .push((score, r.grade));
        let k = kinds.entry(r.kind.clone()).or_default();
        k.0 += 1;
        k.1 += score;
        k.2 += r.grade;
    }
    for k in kinds.values_mut() {
        k.1 /= k.0 as f64;
        k.2 /= k.0 as f64;
    }
    let (mut pairs, mut ordered) = (0usize, 0usize);
    for answers in by_question.values() {
        for (i, a) in answers.iter().enumerate() {
            for b in &answers[i + 1..] {
                if (a.1 - b.1).abs() >= PAIR_GRADE_GAP {
                    pairs += 1;
                    if (a.0 - b.0) * (a.1 - b.1) > 0.0 {
                        ordered += 1;
                    }
                }
            }
        }
    }
    OwnResult {
        answers: scores.len(),
        unknown_questions,
        pearson_r: pearson(&scores, &grades),
        spearman_rho: pearson(&ranks(&scores), &ranks(&grades)),
        pairs,
        pairs_ordered: ordered as f64 / pairs.max(1) as f64,
        by_kind: kinds,
        correct_off_topic,
    }
}

/// Formats a [`graded`] result for a terminal, headed by `name`.
pub fn graded_report(name: &str, r: &OwnResult) -> String {
    let mut out = format!(
        "{name}: {} answers{}\n  Pearson r                  {:.3}   (target >= 0.85)\n  Spearman rho               {:.3}\n  pairs ordered (gap >= 1)   {:.1}% of {}   (target >= 90%)\n  correct answers off-topic  {}   (target 0)\n  mean score by kind (mean grade):\n",
        r.answers,
        if r.unknown_questions > 0 {
            format!(" ({} skipped: question not in the bank)", r.unknown_questions)
        } else {
            String::new()
        },
        r.pearson_r,
        r.spearman_rho,
        100.0 * r.pairs_ordered,
        r.pairs,
        r.correct_off_topic,
    );
    let mut kinds: Vec<_> = r.by_kind.iter().collect();
    kinds.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1));
    for (kind, (n, score, grade)) in kinds {
        out.push_str(&format!(
            "    {kind:<11} {score:5.1}  ({grade:.2}, n={n})\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        let (a, b) = fit(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]);
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        assert!((rmse(&[1.0, 3.0], &[2.0, 2.0]) - 1.0).abs() < 1e-12);
    }
}
