//! Agreement with human graders on the Mohler / UNT short-answer set (Mohler, Bunescu &
//! Mihalcea 2011, ACL-HLT, <https://aclanthology.org/P11-1076/>), with the protocol of
//! `shared/benchmarks/asag-mohler/README.md`:
//!
//! 1. the checker runs in reference-answer mode ([`crate::checker::reference`]); document
//!    frequencies come from the reference answers only (never from student answers);
//! 2. the raw score (0–100) is mapped to the 0–5 scale by a least-squares line fitted
//!    leave-one-assignment-out (12 folds by the `x` of question id `x.y`), clamped to 0–5;
//! 3. reported: pooled Pearson r, RMSE, median per-question RMSE, answers scored per second.
//!
//! The data set is never copied into this repository; the path is given at run time.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use serde::Deserialize;

use crate::checker::reference::{rubric_from_reference, Idf};
use crate::checker::{self, Rubric};

/// One graded answer.
#[derive(Debug, Clone, Deserialize)]
pub struct GradedAnswer {
    /// `x.y`, kept as text (`11.10` exists).
    pub question_id: String,
    /// Question text.
    pub question: String,
    /// Instructor's answer.
    pub reference_answer: String,
    /// Student's answer.
    pub student_answer: String,
    /// Mean of the two graders, 0–5.
    pub score_avg: f64,
    /// 1 for the 32 answers the original authors trained on.
    #[serde(default)]
    pub perceptron_train: u8,
}

/// What the benchmark measured.
#[derive(Debug, Clone)]
pub struct AsagResult {
    /// Answers scored.
    pub answers: usize,
    /// Pooled Pearson correlation of mapped scores with the gold scores.
    pub pearson_r: f64,
    /// Root-mean-square error on the 0–5 scale.
    pub rmse: f64,
    /// Median over questions of each question's RMSE.
    pub median_question_rmse: f64,
    /// Answers scored per second (checker only, one thread, rubric building included).
    pub answers_per_second: f64,
    /// The same over the 2,241 answers without `perceptron_train`.
    pub pearson_r_eval: f64,
    /// RMSE over the 2,241.
    pub rmse_eval: f64,
}

/// Reads the CSV at `path`.
pub fn load(path: &Path) -> anyhow::Result<Vec<GradedAnswer>> {
    let mut reader = csv::Reader::from_path(path)?;
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        let row: GradedAnswer =
            row.map_err(|e| anyhow::anyhow!("{}: row {}: {e}", path.display(), i + 2))?;
        rows.push(row);
    }
    Ok(rows)
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
    let mut references: BTreeMap<&str, &str> = BTreeMap::new();
    for r in rows {
        references
            .entry(r.question_id.as_str())
            .or_insert(r.reference_answer.as_str());
    }
    let idf = Idf::from_texts(references.values().copied());
    let started = Instant::now();
    let mut rubrics: HashMap<&str, Rubric> = HashMap::new();
    let scores = rows
        .iter()
        .map(|r| {
            let rubric = rubrics
                .entry(r.question_id.as_str())
                .or_insert_with(|| rubric_from_reference(&r.reference_answer, &r.question, &idf));
            f64::from(checker::check(rubric, &r.student_answer).score)
        })
        .collect();
    (scores, started.elapsed().as_secs_f64())
}

/// Runs the whole protocol.
pub fn asag(rows: &[GradedAnswer]) -> AsagResult {
    let (raw, seconds) = raw_scores(rows);
    let gold: Vec<f64> = rows.iter().map(|r| r.score_avg).collect();
    let fold = |r: &GradedAnswer| r.question_id.split('.').next().unwrap_or("").to_string();
    let folds: Vec<String> = rows.iter().map(fold).collect();
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
                mapped[i] = (a + b * raw[i]).clamp(0.0, 5.0);
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
        answers: rows.len(),
        pearson_r: pearson(&mapped, &gold),
        rmse: rmse(&mapped, &gold),
        median_question_rmse: median,
        answers_per_second: rows.len() as f64 / seconds.max(1e-9),
        pearson_r_eval: pearson(&pick(&mapped), &pick(&gold)),
        rmse_eval: rmse(&pick(&mapped), &pick(&gold)),
    }
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
