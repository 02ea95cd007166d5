//! What the checker returns: a [`Report`] with one [`ConceptResult`] per concept and the
//! [`Flag`]s raised.

use serde::Serialize;

use super::ConceptKind;

/// How a concept was earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// One of its phrases, word for word (after stemming).
    Phrase,
    /// One of its phrases, with some words said through synonyms.
    Synonym,
    /// A sentence that covers part of its vocabulary: partial credit.
    Partial,
    /// Not earned.
    Missed,
    /// The answer says the opposite (a phrase under negation).
    Negated,
    /// The answer states one of its known misconceptions.
    Misconception,
}

/// What the checker found for one concept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptResult {
    /// The concept's name.
    pub name: String,
    /// Definition or mechanism.
    pub kind: ConceptKind,
    /// The concept's weight.
    pub weight: u32,
    /// Whether the concept earned any credit.
    pub matched: bool,
    /// Share of the weight earned, 0–1: 1 for a phrase, [`SYNONYM_CREDIT`](super::synonyms::SYNONYM_CREDIT) through a
    /// synonym, up to [`SOFT_MAX_CREDIT`](super::SOFT_MAX_CREDIT) for partial coverage.
    pub credit: f64,
    /// How it was earned, or why not.
    #[serde(rename = "match")]
    pub how: Match,
    /// The answer's own words that earned it (the phrase, or the sentence for partial credit),
    /// with offsets; `None` when missed.
    pub evidence: Option<Evidence>,
    /// The hint, when the concept is missed or only partly earned.
    pub hint: Option<String>,
    /// When [`Match::Misconception`]: the answer's words and the rubric's claim they match,
    /// e.g. `“threads all run at once” (threads run in parallel)`.
    pub misconception: Option<String>,
}

/// The part of an answer that matched a concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The matched text, exactly as written in the answer.
    pub text: String,
    /// Character offset (Unicode scalar values, not bytes) of the first matched character.
    pub start: usize,
    /// Character offset one past the last matched character.
    pub end: usize,
}

/// Something about an answer that a person should be told, and that may lower its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// No words at all.
    Empty,
    /// Fewer than [`MIN_WORDS`](super::MIN_WORDS) words.
    TooShort,
    /// More than [`MAX_WORDS`](super::MAX_WORDS) words.
    TooLong,
    /// A list of keywords with hardly any sentence around them.
    KeywordList,
    /// Mostly the question's own words.
    QuestionEcho,
    /// The same words repeated over and over.
    Repetition,
    /// Earned nothing and shares almost no words with the question.
    OffTopic,
    /// Matched only definition concepts: says what it is, not how or why it works.
    DefinitionOnly,
    /// States a known misconception.
    Misconception,
}

/// A flag with the sentence a person sees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// Machine-readable kind.
    pub kind: FlagKind,
    /// What it means and what to do about it.
    pub message: String,
}

/// The checker's verdict on one answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// 0–100: weighted concept credit × the penalty factor of any gaming flags.
    pub score: u8,
    /// Weighted credit before penalties, 0–100.
    pub coverage: u8,
    /// One entry per rubric concept, in rubric order.
    pub concepts: Vec<ConceptResult>,
    /// Flags raised, in a fixed order.
    pub flags: Vec<Flag>,
    /// Number of words in the answer.
    pub words: usize,
}

impl Report {
    /// Whether a flag of this kind was raised.
    pub fn has_flag(&self, kind: FlagKind) -> bool {
        self.flags.iter().any(|f| f.kind == kind)
    }
}
