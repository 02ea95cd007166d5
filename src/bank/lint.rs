//! `questions lint`: the self-checks every question file must pass (formats are checked while
//! loading; this checks what a loaded bank says about its rubrics).

use std::collections::{HashMap, HashSet};

use super::{Bank, BankError, GENERIC_WORDS};
use crate::checker::{self, text};

/// Bounds the self-checks enforce (documented in `docs/question-format.md`).
pub mod limits {
    /// Fewest concepts per question.
    pub const MIN_CONCEPTS: usize = 3;
    /// Fewest example answers per question (a strong paraphrase, a partial answer, and a wrong
    /// or negated one).
    pub const MIN_EXAMPLES: usize = 3;
    /// Reference answer length in words.
    pub const REFERENCE_WORDS: std::ops::RangeInclusive<usize> = 60..=250;
    /// The reference answer must score at least this against its own rubric.
    pub const REFERENCE_MIN_SCORE: u8 = 90;
    /// The prompt alone must score at most this.
    pub const PROMPT_MAX_SCORE: u8 = 20;
    /// Reference answer length in words for a workspace's own question: at least 10, because a
    /// rubric derived from fewer words lets one synonym decide the score; at most 400, what a
    /// Discord modal's 4,000 characters hold.
    pub const CUSTOM_REFERENCE_WORDS: std::ops::RangeInclusive<usize> = 10..=400;
}

/// Which self-checks apply: the bank's ([`Rules::BANK`]) or those of a workspace's own
/// questions ([`Rules::CUSTOM`], `/question add` and `/question import`). Both run the same
/// checks ([`lint_with`]); the custom rules only waive what a study group's question need not
/// have, and accept a question without concepts, which is scored in reference mode.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Every question names its sources.
    pub require_sources: bool,
    /// Every question has a follow-up.
    pub require_follow_up: bool,
    /// A question without concepts is scored in reference mode (its rubric derived from the
    /// reference answer, [`crate::checker::reference`]): the rubric checks (concept count,
    /// examples, the reference's and the prompt's scores, phrases) apply only to questions that
    /// have concepts. When false, a question without concepts fails the concept count.
    pub allow_reference_mode: bool,
    /// The reference answer's length in words.
    pub reference_words: std::ops::RangeInclusive<usize>,
    /// Ids starting with [`super::custom::CUSTOM_ID_PREFIX`] are refused (the bank: they name
    /// workspaces' own questions).
    pub reserve_custom_ids: bool,
}

impl Rules {
    /// The bank's rules (`questions lint`).
    pub const BANK: Rules = Rules {
        require_sources: true,
        require_follow_up: true,
        allow_reference_mode: false,
        reference_words: limits::REFERENCE_WORDS,
        reserve_custom_ids: true,
    };
    /// A workspace's own questions: sources and follow-ups optional, reference mode allowed, a
    /// reference answer of [`limits::CUSTOM_REFERENCE_WORDS`] words.
    pub const CUSTOM: Rules = Rules {
        require_sources: false,
        require_follow_up: false,
        allow_reference_mode: true,
        reference_words: limits::CUSTOM_REFERENCE_WORDS,
        reserve_custom_ids: false,
    };
}

/// Runs every self-check over a loaded bank; an empty result means the bank is clean.
pub fn lint(bank: &Bank) -> Vec<BankError> {
    lint_with(bank, &Rules::BANK)
}

/// Runs the self-checks under `rules` ([`lint`] is this with [`Rules::BANK`]).
pub fn lint_with(bank: &Bank, rules: &Rules) -> Vec<BankError> {
    let generic: HashSet<String> = GENERIC_WORDS
        .iter()
        .flat_map(|w| text::tokenize(w))
        .map(|t| t.stem)
        .collect();
    let mut errors = Vec::new();
    for q in bank.questions() {
        let err = |field: &str, message: String| BankError {
            file: q.file.clone(),
            question: Some(q.id.clone()),
            field: Some(field.to_string()),
            message,
        };
        if rules.reserve_custom_ids && q.id.starts_with(super::custom::CUSTOM_ID_PREFIX) {
            errors.push(err(
                "id",
                format!(
                    "ids starting with `{}` name a workspace's own questions: choose another id",
                    super::custom::CUSTOM_ID_PREFIX
                ),
            ));
        }
        let reference_mode = rules.allow_reference_mode && q.concepts.is_empty();
        if !reference_mode && q.concepts.len() < limits::MIN_CONCEPTS {
            errors.push(err(
                "concepts",
                format!(
                    "has {} concept(s); a question needs at least {}",
                    q.concepts.len(),
                    limits::MIN_CONCEPTS
                ),
            ));
        }
        if rules.require_follow_up && q.follow_ups.iter().all(|f| f.trim().is_empty()) {
            errors.push(err(
                "follow_ups",
                "give at least one follow-up question".into(),
            ));
        }
        if rules.require_sources && q.sources.iter().all(|s| s.trim().is_empty()) {
            errors.push(err(
                "sources",
                "name at least one seed file or public document".into(),
            ));
        }
        let words = text::tokenize(&q.reference_answer).len();
        if !rules.reference_words.contains(&words) {
            errors.push(err(
                "reference_answer",
                format!(
                    "{words} words; a reference answer has {} to {} words",
                    rules.reference_words.start(),
                    rules.reference_words.end()
                ),
            ));
        }
        if reference_mode {
            // The rubric is derived from the reference answer: nothing hand-written to check.
            continue;
        }
        let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
        for (i, _) in q.concepts.iter().enumerate() {
            for (j, stems) in q.rubric.phrase_stems(i).into_iter().enumerate() {
                let field = format!("concepts[{i}].phrases[{j}]");
                let distinct: HashSet<&String> = stems.iter().collect();
                if distinct.len() == 1 && stems.iter().all(|s| generic.contains(s)) {
                    errors.push(err(
                        &field,
                        format!(
                            "`{}` is too common to be evidence of a concept: name the mechanism",
                            q.concepts[i].phrases[j]
                        ),
                    ));
                }
                if let Some(&other) = seen.get(&stems) {
                    if other != i {
                        errors.push(err(
                            &field,
                            format!(
                                "`{}` is also a phrase of concept {other} (`{}`): a phrase belongs to one concept",
                                q.concepts[i].phrases[j], q.concepts[other].name
                            ),
                        ));
                    }
                } else {
                    seen.insert(stems, i);
                }
            }
        }
        let reference = checker::check(&q.rubric, &q.reference_answer);
        if reference.score < limits::REFERENCE_MIN_SCORE {
            let missed: Vec<&str> = reference
                .concepts
                .iter()
                .filter(|c| !c.matched)
                .map(|c| c.name.as_str())
                .collect();
            let flags: Vec<String> = reference
                .flags
                .iter()
                .map(|f| format!("{:?}", f.kind))
                .collect();
            errors.push(err(
                "reference_answer",
                format!(
                    "scores {} against its own rubric (needs {}); concepts it misses: {:?}; flags: {:?}",
                    reference.score,
                    limits::REFERENCE_MIN_SCORE,
                    missed,
                    flags
                ),
            ));
        }
        if q.examples.len() < limits::MIN_EXAMPLES {
            errors.push(err(
                "examples",
                format!(
                    "{} example answers; give at least {}: a strong paraphrase (min_score), a partial answer, and a wrong or negated one (max_score)",
                    q.examples.len(),
                    limits::MIN_EXAMPLES
                ),
            ));
        }
        for (i, e) in q.examples.iter().enumerate() {
            let report = checker::check(&q.rubric, &e.answer);
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let earned: Vec<String> = report
                .concepts
                .iter()
                .filter(|c| c.matched)
                .map(|c| format!("{} {:.2}", c.name, c.credit))
                .collect();
            if let Some(min) = e.min_score.filter(|&m| report.score < m) {
                errors.push(err(
                    &format!("examples[{i}]"),
                    format!(
                        "scores {}, needs at least {min}{note}; concepts earned: {earned:?}: widen the phrases of the concepts it explains",
                        report.score
                    ),
                ));
            }
            if let Some(max) = e.max_score.filter(|&m| report.score > m) {
                errors.push(err(
                    &format!("examples[{i}]"),
                    format!(
                        "scores {}, needs at most {max}{note}; concepts earned: {earned:?}: a phrase is too loose, or add the claim as a misconception",
                        report.score
                    ),
                ));
            }
        }
        // Coverage before penalties: the echo penalty would otherwise hide a rubric whose
        // phrases are the question's own words. Negation off: a question asked in the negative
        // ("why do threads not ...") still lends its words to every answer that repeats them.
        let prompt = checker::check(&q.rubric.clone().with_negation(false), &q.prompt);
        if prompt.coverage > limits::PROMPT_MAX_SCORE {
            let matched: Vec<&str> = prompt
                .concepts
                .iter()
                .filter(|c| c.matched)
                .map(|c| c.name.as_str())
                .collect();
            errors.push(err(
                "prompt",
                format!(
                    "the prompt alone scores {} (at most {}): its words already match {:?}; choose phrases an answer would add",
                    prompt.coverage,
                    limits::PROMPT_MAX_SCORE,
                    matched
                ),
            ));
        }
    }
    errors
}
