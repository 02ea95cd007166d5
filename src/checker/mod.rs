//! The keyword-mechanism checker: a pure function of (rubric, answer text) → [`Report`].
//!
//! A rubric is a list of weighted concepts, each with alternative phrases. A concept is matched
//! when any of its phrases occurs in the answer (see [`text`] for normalisation and
//! `docs/question-format.md` for the matching rules). The score is weighted concept coverage,
//! reduced when the answer games the checker (a bare keyword list, a pasted question, repetition)
//! or is too short to explain anything. No I/O, no randomness: the same input gives the same report.

pub mod reference;
pub mod synonyms;
pub mod text;

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use text::{char_offset, tokenize, Token};

/// Whether a concept states what a thing is, or explains how or why it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ConceptKind {
    /// How or why it works: the kind of concept interviewers probe for (the default).
    #[default]
    Mechanism,
    /// What it is.
    Definition,
}

/// The rubric input for one concept, before compilation.
#[derive(Debug, Clone, Default)]
pub struct ConceptSpec {
    /// Short name shown to people, e.g. "Only one thread runs bytecode at a time".
    pub name: String,
    /// Relative weight, ≥ 1.
    pub weight: u32,
    /// Definition or mechanism.
    pub kind: ConceptKind,
    /// Alternative phrases; any one matching counts.
    pub phrases: Vec<String>,
    /// A guiding question shown when the concept is missed.
    pub hint: String,
    /// Known wrong claims about this concept ("threads run in parallel on all cores"): one
    /// that the answer states (not negated) is reported and cancels the concept's credit.
    pub misconceptions: Vec<String>,
}

/// One word of a phrase: its stem and the stems that count as its synonyms.
#[derive(Debug, Clone)]
struct Word {
    stem: String,
    synonyms: Vec<String>,
}

/// One phrase in matchable form.
#[derive(Debug, Clone)]
struct Phrase {
    /// Words that must appear in order (content words, or every word when the phrase has only
    /// stop words).
    words: Vec<Word>,
    /// The phrase itself contains a negation, so a match must be negated too.
    negated: bool,
}

/// A word of a concept's vocabulary, for partial credit.
#[derive(Debug, Clone)]
struct BagWord {
    word: Word,
    /// How much this word says about this concept rather than another (see [`Rubric::new`]).
    weight: f64,
}

#[derive(Debug, Clone)]
struct Concept {
    spec: ConceptSpec,
    phrases: Vec<Phrase>,
    misconceptions: Vec<Phrase>,
    /// The concept's own vocabulary: content words of its name and phrases, and of the
    /// reference sentence it comes from (when the rubric knows the reference).
    bag: Vec<BagWord>,
    bag_weight: f64,
}

/// A compiled rubric: concepts with their phrases stemmed and their synonyms looked up, plus the
/// prompt's words (to spot an answer that only echoes the question).
#[derive(Debug, Clone)]
pub struct Rubric {
    concepts: Vec<Concept>,
    credit: Credit,
    min_words: usize,
    shape_penalties: bool,
    total_weight: u32,
    prompt_stems: FxHashSet<String>,
    /// Every stem of the question's vocabulary: prompt, phrases, names, reference.
    topic_stems: FxHashSet<String>,
    /// Whether negation is read at all (see [`Rubric::with_negation`]).
    negation: bool,
    /// Whether a one-word phrase may match through a synonym alone (see
    /// [`Rubric::with_lone_synonyms`]).
    lone_synonyms: bool,
}

/// How weighted coverage (0–1) becomes credit before penalties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Credit {
    /// Credit = coverage: hand-written rubrics, where each concept is a whole idea.
    #[default]
    Linear,
    /// Credit = √coverage: rubrics derived from every word of a reference answer, where a good
    /// answer in its own words covers only part of the reference's vocabulary. On the Mohler set
    /// this raised r from 0.520 to 0.541 (same settings otherwise).
    Sqrt,
}

/// Most words between two consecutive content words of a phrase for it still to match.
pub const MAX_GAP: usize = 3;
/// How far a negator reaches forward within its clause, in words ("does not, even during
/// blocking I/O, release": the scope ends at the clause's end or at a conjunction first).
pub const NEGATION_SCOPE: usize = 8;
/// Answers with fewer words than this are flagged too short.
pub const MIN_WORDS: usize = 8;
/// Answers with more words than this are flagged too long (a paste, not an answer).
pub const MAX_WORDS: usize = 1200;

/// Score factor for an answer shaped as a keyword list: a list earns well under half of what
/// the same concepts earn in sentences (0.4 before partial credit; 0.3 keeps lists below honest
/// partial answers on the graded development set: keywords 23 vs partial 26 of 100).
pub const KEYWORD_LIST_FACTOR: f64 = 0.3;

/// Partial credit: the most a concept earns from one sentence that covers its vocabulary
/// without one of its phrases (a phrase match earns 1.0, or 0.9 through a synonym).
pub const SOFT_MAX_CREDIT: f64 = 0.8;
/// Partial credit: the vocabulary weight (in words of full weight) that earns
/// [`SOFT_MAX_CREDIT`]; less earns proportionally less.
pub const SOFT_FULL_WEIGHT: f64 = 2.5;
/// Partial credit needs at least this share of [`SOFT_FULL_WEIGHT`], and two distinct words.
pub const SOFT_MIN_SHARE: f64 = 0.4;
/// Weight of a prompt word in a concept's vocabulary: repeating the question is no evidence,
/// so partial credit never comes from the question's own words.
pub const PROMPT_WORD_WEIGHT: f64 = 0.0;
/// Weight of a generic word ("python", "code") in a concept's vocabulary.
pub const GENERIC_WORD_WEIGHT: f64 = 0.3;
/// Weight of a word that only the concept's reference sentence contributes (not its name or
/// phrases): it belongs to the idea's context more loosely.
pub const REFERENCE_WORD_WEIGHT: f64 = 0.6;
/// Off-topic: an answer that earned nothing and shares less than this share of its content
/// words with the question's whole vocabulary.
pub const OFF_TOPIC_SHARE: f64 = 0.15;

impl Rubric {
    /// Compiles concepts into a rubric. `prompt` is the question text (may be empty).
    ///
    /// Each phrase word gets its synonyms from [`synonyms::THESAURUS`]. Each concept's
    /// vocabulary for partial credit is the content words of its name and phrases, each weighted
    /// 1 ÷ (number of the rubric's concepts that share the word), × [`PROMPT_WORD_WEIGHT`] when
    /// the prompt has it, × [`GENERIC_WORD_WEIGHT`] for generic words ("python", "code").
    pub fn new(concepts: Vec<ConceptSpec>, prompt: &str) -> Rubric {
        let concepts: Vec<Concept> = concepts
            .into_iter()
            .map(|spec| Concept {
                phrases: spec.phrases.iter().map(|p| compile_phrase(p)).collect(),
                misconceptions: spec
                    .misconceptions
                    .iter()
                    .map(|p| compile_phrase(p))
                    .collect(),
                bag: Vec::new(),
                bag_weight: 0.0,
                spec,
            })
            .collect();
        let total_weight = concepts.iter().map(|c| c.spec.weight.max(1)).sum();
        let prompt_stems = content_stems(prompt);
        let phrase_stems: FxHashSet<String> = concepts
            .iter()
            .flat_map(|c| {
                c.phrases
                    .iter()
                    .flat_map(|p| p.words.iter().map(|w| w.stem.clone()))
            })
            .collect();
        let mut rubric = Rubric {
            concepts,
            credit: Credit::Linear,
            min_words: MIN_WORDS,
            shape_penalties: true,
            total_weight,
            topic_stems: prompt_stems.union(&phrase_stems).cloned().collect(),
            prompt_stems,
            negation: true,
            lone_synonyms: false,
        };
        rubric.build_bags(None);
        rubric
    }

    /// Adds the reference answer: each concept's vocabulary gains the content words of the
    /// reference sentence that shares most of its phrase words (at [`REFERENCE_WORD_WEIGHT`]),
    /// and the reference's words count as on-topic.
    pub fn with_reference(mut self, reference: &str) -> Rubric {
        self.topic_stems.extend(content_stems(reference));
        self.build_bags(Some(reference));
        self
    }

    fn build_bags(&mut self, reference: Option<&str>) {
        // (stem, surface word, from the name or phrases rather than the reference)
        let mut raw: Vec<Vec<(String, String, bool)>> = Vec::with_capacity(self.concepts.len());
        let sentences: Vec<Vec<Token>> = reference.map(split_sentences).unwrap_or_default();
        for c in &self.concepts {
            let mut words: Vec<(String, String, bool)> = Vec::new();
            let mut add = |text: &str, core: bool| {
                for t in tokenize(text) {
                    if t.stop || t.negator || t.stem.chars().count() < 2 {
                        continue;
                    }
                    if let Some(w) = words.iter_mut().find(|w| w.0 == t.stem) {
                        w.2 |= core;
                    } else {
                        words.push((t.stem, text[t.start..t.end].to_lowercase(), core));
                    }
                }
            };
            add(&c.spec.name, true);
            for p in &c.spec.phrases {
                add(p, true);
            }
            let core: FxHashSet<&str> = c
                .phrases
                .iter()
                .flat_map(|p| p.words.iter().map(|w| w.stem.as_str()))
                .collect();
            let best = sentences
                .iter()
                .map(|s| {
                    let shared: FxHashSet<&str> = s
                        .iter()
                        .filter(|t| core.contains(t.stem.as_str()))
                        .map(|t| t.stem.as_str())
                        .collect();
                    (shared.len(), s)
                })
                .filter(|(n, _)| *n > 0)
                .max_by_key(|(n, _)| *n);
            if let Some((_, sentence)) = best {
                for t in sentence.iter() {
                    if !t.stop
                        && !t.negator
                        && t.stem.chars().count() >= 2
                        && !words.iter().any(|w| w.0 == t.stem)
                    {
                        words.push((t.stem.clone(), t.stem.clone(), false));
                    }
                }
            }
            raw.push(words);
        }
        let mut shared: FxHashMap<&str, usize> = FxHashMap::default();
        for words in &raw {
            for w in words {
                *shared.entry(w.0.as_str()).or_default() += 1;
            }
        }
        let generic = &*GENERIC_STEMS;
        let bags: Vec<Vec<BagWord>> = raw
            .iter()
            .map(|words| {
                words
                    .iter()
                    .map(|(stem, surface, core)| {
                        let mut weight = 1.0 / shared[stem.as_str()] as f64;
                        if !core {
                            weight *= REFERENCE_WORD_WEIGHT;
                        }
                        if self.prompt_stems.contains(stem) {
                            weight *= PROMPT_WORD_WEIGHT;
                        }
                        if generic.contains(stem) {
                            weight *= GENERIC_WORD_WEIGHT;
                        }
                        BagWord {
                            word: word(stem, surface),
                            weight,
                        }
                    })
                    .collect()
            })
            .collect();
        for (c, mut bag) in self.concepts.iter_mut().zip(bags) {
            bag.retain(|b| b.weight > 0.0);
            c.bag_weight = bag.iter().map(|b| b.weight).sum();
            c.bag = bag;
        }
    }

    /// Whether a match under negation is told apart from a plain one (default on). Off, every
    /// occurrence counts whatever its polarity.
    pub fn with_negation(mut self, on: bool) -> Rubric {
        self.negation = on;
        self
    }

    /// Whether a one-word phrase may match through a synonym alone (default off: in a
    /// hand-written rubric a one-word phrase is a whole concept, and "think" for "reasoning" is
    /// too loose). On for rubrics derived from a reference answer, where each concept is one word
    /// of its vocabulary: there synonyms raised r from 0.556 to 0.569 on Mohler and from 0.747
    /// to 0.753 on SAF.
    pub fn with_lone_synonyms(mut self, on: bool) -> Rubric {
        self.lone_synonyms = on;
        self
    }

    /// Sets how coverage turns into score (see [`Credit`]).
    pub fn with_credit(mut self, credit: Credit) -> Rubric {
        self.credit = credit;
        self
    }

    /// Sets the word count below which an answer is flagged too short (default [`MIN_WORDS`]).
    pub fn with_min_words(mut self, min_words: usize) -> Rubric {
        self.min_words = min_words;
        self
    }

    /// Whether [`FlagKind::KeywordList`], [`FlagKind::QuestionEcho`], [`FlagKind::TooShort`] and
    /// [`FlagKind::Repetition`] lower the score (they are reported either way). Off for rubrics derived from a reference answer, where every
    /// reference word is a concept and question words are already discounted: there a terse,
    /// correct answer looks like a list (on the Mohler set the 116 answers flagged as lists had
    /// a mean human grade of 4.1 of 5, and penalising them cost r 0.026; a short answer already
    /// covers little of a reference, so halving it again counted the shortness twice; the 9
    /// answers flagged for repetition all had a grade of 5, since a technical answer repeats its
    /// key noun: r 0.548 → 0.551).
    pub fn with_shape_penalties(mut self, on: bool) -> Rubric {
        self.shape_penalties = on;
        self
    }

    /// The concepts, in rubric order.
    pub fn concepts(&self) -> impl Iterator<Item = &ConceptSpec> {
        self.concepts.iter().map(|c| &c.spec)
    }

    /// The stems each phrase of concept `index` must contain, in order (for lint and tooling).
    pub fn phrase_stems(&self, index: usize) -> Vec<Vec<String>> {
        self.concepts[index]
            .phrases
            .iter()
            .map(|p| p.words.iter().map(|w| w.stem.clone()).collect())
            .collect()
    }
}

/// Generic words of our field, as stems: they weigh little as evidence of any one concept.
static GENERIC_STEMS: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
    GENERIC_WORDS
        .iter()
        .flat_map(|w| tokenize(w))
        .map(|t| t.stem)
        .collect()
});

/// Words too common in answers about Python to be evidence of anything on their own: they
/// weigh little in a concept's vocabulary, and `questions lint` rejects a phrase whose only
/// content word is one of them.
pub const GENERIC_WORDS: &[&str] = &[
    "python",
    "function",
    "functions",
    "code",
    "data",
    "value",
    "values",
    "object",
    "objects",
    "use",
    "used",
    "using",
    "list",
    "thing",
    "things",
    "way",
    "make",
    "work",
    "works",
    "program",
    "variable",
    "variables",
    "method",
    "methods",
    "class",
    "classes",
    "type",
    "types",
    "call",
    "run",
    "runs",
    "get",
    "set",
    "like",
    "good",
    "better",
    "need",
    "stuff",
];

fn word(stem: &str, surface: &str) -> Word {
    Word {
        stem: stem.to_string(),
        synonyms: synonyms::THESAURUS.synonyms(surface, stem),
    }
}

fn compile_phrase(phrase: &str) -> Phrase {
    let toks = tokenize(phrase);
    let negated = toks.iter().any(|t| t.negator);
    let has_content = toks.iter().any(|t| !t.stop && !t.negator);
    let words = toks
        .iter()
        .filter(|t| !has_content || (!t.stop && !t.negator))
        .map(|t| word(&t.stem, &phrase[t.start..t.end].to_lowercase()))
        .collect();
    Phrase { words, negated }
}

fn content_stems(text: &str) -> FxHashSet<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| !t.stop && !t.negator)
        .map(|t| t.stem)
        .collect()
}

fn split_sentences(text: &str) -> Vec<Vec<Token>> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    for t in tokenize(text) {
        match out.last_mut() {
            Some(s) if s[0].sentence == t.sentence => s.push(t),
            _ => out.push(vec![t]),
        }
    }
    out
}

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
    /// Share of the weight earned, 0–1: 1 for a phrase, [`synonyms::SYNONYM_CREDIT`] through a
    /// synonym, up to [`SOFT_MAX_CREDIT`] for partial coverage.
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
    /// Fewer than [`MIN_WORDS`] words.
    TooShort,
    /// More than [`MAX_WORDS`] words.
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

/// An answer read once: its tokens, where each stem occurs, and which words are negated.
struct Answer<'a> {
    text: &'a str,
    tokens: &'a [Token],
    index: FxHashMap<&'a str, Vec<usize>>,
    negated: Vec<bool>,
}

impl<'a> Answer<'a> {
    fn new(text: &'a str, tokens: &'a [Token]) -> Answer<'a> {
        let mut index: FxHashMap<&str, Vec<usize>> =
            FxHashMap::with_capacity_and_hasher(tokens.len(), Default::default());
        for (i, t) in tokens.iter().enumerate() {
            index.entry(t.stem.as_str()).or_default().push(i);
        }
        Answer {
            text,
            tokens,
            index,
            negated: negation_scope(tokens),
        }
    }

    fn evidence(&self, a: usize, b: usize) -> Evidence {
        let (start, end) = (self.tokens[a].start, self.tokens[b].end);
        Evidence {
            text: self.text[start..end].to_string(),
            start: char_offset(self.text, start),
            end: char_offset(self.text, end),
        }
    }
}

/// Scores `answer` against `rubric`.
///
/// Each concept earns a credit from 0 to 1: 1 when one of its phrases occurs (stemmed, in
/// order, at most [`MAX_GAP`] words apart), [`synonyms::SYNONYM_CREDIT`] when some of the
/// phrase's words occur only as synonyms, else partial credit when one sentence covers enough
/// of the concept's weighted vocabulary (up to [`SOFT_MAX_CREDIT`]). A phrase under negation
/// (see [`negation_scope`]) earns nothing and blocks partial credit; a stated misconception
/// cancels the concept and is reported.
///
/// Score = round(100 × curve(Σ credit × weight / Σ weight) × penalty), where the curve is the
/// rubric's [`Credit`] (linear unless derived from a reference), and the penalty is the
/// product of: 0.5 for [`FlagKind::TooShort`], [`KEYWORD_LIST_FACTOR`] for [`FlagKind::KeywordList`], 0.3 for
/// [`FlagKind::QuestionEcho`], 0.5 for [`FlagKind::Repetition`] and 0.5 for
/// [`FlagKind::TooLong`]. The factors are this project's choice, set so that each gaming case
/// lands well below an honest answer of the same coverage.
pub fn check(rubric: &Rubric, answer: &str) -> Report {
    let tokens = tokenize(answer);
    let mut a = Answer::new(answer, &tokens);
    if !rubric.negation {
        a.negated.iter_mut().for_each(|n| *n = false);
    }
    let words = tokens.len();
    let mut in_evidence = vec![false; words];
    let mut earned = 0.0;
    let mut concepts = Vec::with_capacity(rubric.concepts.len());
    for concept in &rubric.concepts {
        let result = score_concept(concept, &a, rubric.lone_synonyms, &mut in_evidence);
        earned += result.credit * f64::from(result.weight);
        concepts.push(result);
    }
    let share = if rubric.total_weight == 0 {
        0.0
    } else {
        earned / f64::from(rubric.total_weight)
    };
    let coverage = 100.0 * share;
    let credit = 100.0
        * match rubric.credit {
            Credit::Linear => share,
            Credit::Sqrt => share.sqrt(),
        };
    let content_words = tokens.iter().filter(|t| !t.stop).count();
    let evidence_share = tokens
        .iter()
        .zip(&in_evidence)
        .filter(|(t, &inside)| inside && !t.stop)
        .count() as f64
        / content_words.max(1) as f64;
    let flags = flags(rubric, &a, &concepts, evidence_share);
    let penalty: f64 = flags
        .iter()
        .map(|f| match f.kind {
            FlagKind::TooShort if rubric.shape_penalties => 0.5,
            FlagKind::KeywordList if rubric.shape_penalties => KEYWORD_LIST_FACTOR,
            FlagKind::QuestionEcho if rubric.shape_penalties => 0.3,
            FlagKind::Repetition if rubric.shape_penalties => 0.5,
            FlagKind::TooLong => 0.5,
            _ => 1.0,
        })
        .product();
    Report {
        score: (credit * penalty).round().clamp(0.0, 100.0) as u8,
        coverage: coverage.round().clamp(0.0, 100.0) as u8,
        concepts,
        flags,
        words,
    }
}

fn score_concept(
    concept: &Concept,
    a: &Answer<'_>,
    lone_synonyms: bool,
    in_evidence: &mut [bool],
) -> ConceptResult {
    let spec = &concept.spec;
    let mut result = ConceptResult {
        name: spec.name.clone(),
        kind: spec.kind,
        weight: spec.weight.max(1),
        matched: false,
        credit: 0.0,
        how: Match::Missed,
        evidence: None,
        hint: Some(spec.hint.clone()),
        misconception: None,
    };
    for (text, m) in spec.misconceptions.iter().zip(&concept.misconceptions) {
        if let Some(found) = find_phrase(m, a, lone_synonyms) {
            // "not thread-safe" as a misconception must be said with its negation.
            if found.negated == m.negated {
                let said = a.evidence(found.start, found.end).text;
                result.how = Match::Misconception;
                result.misconception = Some(format!("“{said}” ({text})"));
                return result;
            }
        }
    }
    let mut denied = false;
    let mut best: Option<Found> = None;
    for p in &concept.phrases {
        if let Some(found) = find_phrase(p, a, lone_synonyms) {
            if found.negated != p.negated {
                denied = true;
                continue;
            }
            if best.as_ref().is_none_or(|b| found.synonyms < b.synonyms) {
                best = Some(found);
            }
        }
    }
    if let Some(found) = best {
        in_evidence[found.start..=found.end]
            .iter_mut()
            .for_each(|x| *x = true);
        result.matched = true;
        (result.credit, result.how) = if found.synonyms == 0 {
            (1.0, Match::Phrase)
        } else {
            (synonyms::SYNONYM_CREDIT, Match::Synonym)
        };
        result.evidence = Some(a.evidence(found.start, found.end));
        result.hint = None;
        return result;
    }
    if denied {
        result.how = Match::Negated;
        return result;
    }
    if let Some((credit, first, last)) = soft_match(concept, a) {
        result.matched = true;
        result.credit = credit;
        result.how = Match::Partial;
        result.evidence = Some(a.evidence(first, last));
    }
    result
}

/// Partial credit: the best sentence's share of the concept's weighted vocabulary, as
/// (credit, first token, last token of the sentence).
fn soft_match(concept: &Concept, a: &Answer<'_>) -> Option<(f64, usize, usize)> {
    if concept.bag.len() < 3 || a.tokens.is_empty() {
        return None;
    }
    // sentence → (weight found, answer words that carried it)
    let mut per_sentence: FxHashMap<u32, (f64, FxHashSet<usize>)> = FxHashMap::default();
    // Sentences that say one of the concept's words under a negation: they deny (part of) the
    // idea, so they earn no partial credit at all.
    let mut denying: FxHashSet<u32> = FxHashSet::default();
    for b in &concept.bag {
        // sentence → (best credit of this bag word there, the answer words that gave it)
        let mut seen: FxHashMap<u32, (f64, Vec<usize>)> = FxHashMap::default();
        let mut visit = |stem: &str, credit: f64| {
            if let Some(ps) = a.index.get(stem) {
                for &p in ps {
                    if a.negated[p] {
                        denying.insert(a.tokens[p].sentence);
                        continue;
                    }
                    let e = seen.entry(a.tokens[p].sentence).or_default();
                    e.0 = e.0.max(credit);
                    e.1.push(p);
                }
            }
        };
        visit(&b.word.stem, 1.0);
        for s in &b.word.synonyms {
            visit(s, synonyms::SYNONYM_CREDIT);
        }
        for (sentence, (credit, positions)) in seen {
            let e = per_sentence.entry(sentence).or_default();
            e.0 += b.weight * credit;
            e.1.extend(positions);
        }
    }
    let full = SOFT_FULL_WEIGHT.min(concept.bag_weight);
    // Two distinct words of the answer at least: one word matching two of the concept's words
    // through synonyms ("alter" for "modify" and "mutate") is still one word.
    let (sentence, (weight, _)) = per_sentence
        .into_iter()
        .filter(|(s, (_, words))| words.len() >= 2 && !denying.contains(s))
        .max_by(|x, y| x.1 .0.total_cmp(&y.1 .0).then(y.0.cmp(&x.0)))?;
    let share = (weight / full).min(1.0);
    if share < SOFT_MIN_SHARE {
        return None;
    }
    let first = a.tokens.iter().position(|t| t.sentence == sentence)?;
    let last = a.tokens.iter().rposition(|t| t.sentence == sentence)?;
    Some((SOFT_MAX_CREDIT * share, first, last))
}

/// A phrase found in an answer.
struct Found {
    start: usize,
    end: usize,
    /// How many of its words matched through a synonym.
    synonyms: usize,
    /// Whether any of its words lies in a negation's scope.
    negated: bool,
}

/// Finds a phrase, preferring an occurrence outside any negation's scope; returns the token
/// range it spans.
fn find_phrase(phrase: &Phrase, a: &Answer<'_>, lone_synonyms: bool) -> Option<Found> {
    phrase.words.first()?;
    let positions: Vec<Vec<(usize, bool)>> = phrase
        .words
        .iter()
        .map(|w| positions_of(w, &a.index))
        .collect::<Option<_>>()?;
    let mut negated_hit: Option<Found> = None;
    for &(start, syn) in positions[0].iter() {
        if let Some((end, syns)) = extend(&positions[1..], start) {
            let found = Found {
                start,
                end,
                synonyms: syns + usize::from(syn),
                negated: a.negated[start..=end].iter().any(|&n| n),
            };
            // A one-word phrase said through a synonym ("think" for "reasoning") is too loose
            // to be evidence; a longer phrase keeps its shape, so its words may all be synonyms.
            if !lone_synonyms && phrase.words.len() == 1 && found.synonyms == 1 {
                continue;
            }
            if found.negated == phrase.negated {
                return Some(found);
            }
            negated_hit.get_or_insert(found);
        }
    }
    negated_hit
}

/// Shortest stem that may match a misspelling of itself.
pub const TYPO_MIN_LEN: usize = 8;

/// Whether two different ASCII words are one edit apart: one substitution, insertion, deletion,
/// or transposition of neighbours (Damerau–Levenshtein distance 1), in one pass without
/// allocating.
fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 || a == b {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let (x, y) = (&short[prefix + 1..], &long[prefix + 1..]);
        // substitution, or a swap of the letters at `prefix` and `prefix + 1`
        x == y
            || (prefix + 1 < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && short[prefix + 2..] == long[prefix + 2..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Where a phrase word occurs in the answer, sorted, each with whether it came through a
/// synonym: exact occurrences and synonyms, or else occurrences of stems one edit away
/// (Damerau–Levenshtein distance 1) when both are ASCII and at least [`TYPO_MIN_LEN`]
/// characters long (shorter names differ by one letter on purpose: CPython and Cython), so
/// "recurssion" and "dictionnary" still count.
fn positions_of(word: &Word, index: &FxHashMap<&str, Vec<usize>>) -> Option<Vec<(usize, bool)>> {
    let mut found: Vec<(usize, bool)> = index
        .get(word.stem.as_str())
        .map(|p| p.iter().map(|&i| (i, false)).collect())
        .unwrap_or_default();
    for s in &word.synonyms {
        if let Some(p) = index.get(s.as_str()) {
            found.extend(p.iter().map(|&i| (i, true)));
        }
    }
    if found.is_empty() && word.stem.len() >= TYPO_MIN_LEN && word.stem.is_ascii() {
        found = index
            .iter()
            .filter(|(s, _)| {
                s.len() >= TYPO_MIN_LEN && one_edit_apart(s.as_bytes(), word.stem.as_bytes())
            })
            .flat_map(|(_, p)| p.iter().map(|&i| (i, false)))
            .collect();
    }
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    Some(found)
}

/// Depth-first search for the rest of a phrase after position `prev`, each next word at most
/// [`MAX_GAP`] words after the previous one. Returns the last word's position and how many
/// words matched through a synonym.
fn extend(rest: &[Vec<(usize, bool)>], prev: usize) -> Option<(usize, usize)> {
    let Some((next, tail)) = rest.split_first() else {
        return Some((prev, 0));
    };
    let from = next.partition_point(|&(p, _)| p <= prev);
    next[from..]
        .iter()
        .take_while(|&&(p, _)| p <= prev + 1 + MAX_GAP)
        .find_map(|&(p, syn)| extend(tail, p).map(|(end, n)| (end, n + usize::from(syn))))
}

/// Stems of words that end a negation's scope inside a clause: a new clause starts at them.
const SCOPE_ENDS: &[&str] = &[
    "but", "so", "because", "which", "while", "wherea", "although", "though", "sinc", "unless",
    "howev", "yet", "instead", "otherwis", "then", "therefor", "thus", "henc",
];

/// Stems that make a negator reach back over its clause: "a lock isn't needed", "copying is
/// not required", "that is not true".
const ABSENCE_PREDICATES: &[&str] = &[
    "need",
    "requir",
    "necessari",
    "true",
    "case",
    "correct",
    "right",
    "possibl",
    "allow",
    "happen",
    "exist",
    "help",
    "matter",
    "work",
    "appli",
    "improv",
    "chang",
    "affect",
    "use",
];

/// Which words of an answer lie in a negation's scope, clause by clause: from a negator
/// (`not`, `never`, `no`, `without`, any `n't` word ...) forward to the end of its clause (a
/// punctuation mark, "but", or a conjunction in [`SCOPE_ENDS`]) and at most [`NEGATION_SCOPE`]
/// words; back to the clause's start too when the negator is followed by a predicate of absence
/// ("X isn't needed"). "not only", "not just" and "no matter" negate nothing.
pub fn negation_scope(tokens: &[Token]) -> Vec<bool> {
    let mut out = vec![false; tokens.len()];
    let ends = |t: &Token| SCOPE_ENDS.contains(&t.stem.as_str());
    for (i, t) in tokens.iter().enumerate() {
        if !t.negator {
            continue;
        }
        let next = tokens.get(i + 1);
        // "not only", "not just", "not merely", "no matter": nothing is denied.
        if next.is_some_and(|n| {
            n.clause == t.clause
                && (matches!(n.stem.as_str(), "onli" | "just" | "mere")
                    || (t.stem == "no" && n.stem == "matter"))
        }) {
            continue;
        }
        let mut j = i + 1;
        while j < tokens.len()
            && j <= i + NEGATION_SCOPE
            && tokens[j].clause == t.clause
            && !ends(&tokens[j])
        {
            out[j] = true;
            j += 1;
        }
        let absence = tokens[i + 1..]
            .iter()
            .take(3)
            .take_while(|n| n.clause == t.clause)
            .any(|n| ABSENCE_PREDICATES.contains(&n.stem.as_str()));
        if absence {
            let mut k = i;
            while k > 0 && tokens[k - 1].clause == t.clause && !ends(&tokens[k - 1]) {
                k -= 1;
                out[k] = true;
            }
        }
    }
    out
}

/// `evidence_share` is the share of the answer's content words (not stop words) that lie inside
/// matched phrases: near 1 for an answer that is nothing but rubric phrases.
fn flags(
    rubric: &Rubric,
    a: &Answer<'_>,
    concepts: &[ConceptResult],
    evidence_share: f64,
) -> Vec<Flag> {
    let tokens = a.tokens;
    let mut flags = Vec::new();
    let mut flag = |kind: FlagKind, message: String| flags.push(Flag { kind, message });
    let words = tokens.len();
    if words == 0 {
        flag(
            FlagKind::Empty,
            "The answer has no words. Write a few sentences in your own words.".into(),
        );
        return flags;
    }
    if words < rubric.min_words {
        flag(
            FlagKind::TooShort,
            "Too short to explain anything: say how it works and why, in a few sentences.".into(),
        );
    }
    if words > MAX_WORDS {
        flag(
            FlagKind::TooLong,
            "Very long for a spoken answer: interviewers want the mechanism in a minute or two."
                .into(),
        );
    }
    let content: Vec<&Token> = tokens.iter().filter(|t| !t.stop && !t.negator).collect();
    // Single letters (the `I` and `O` of "I/O", list markers) say nothing about sentence shape.
    let long: Vec<&Token> = tokens.iter().filter(|t| t.end - t.start > 1).collect();
    let stop_share = long.iter().filter(|t| t.stop).count() as f64 / long.len().max(1) as f64;
    let phrase_matches = concepts
        .iter()
        .filter(|c| matches!(c.how, Match::Phrase | Match::Synonym))
        .count();
    if words >= 4
        && ((phrase_matches >= 2 && evidence_share >= 0.9)
            || (stop_share < 0.15 && !has_clause_cue(a.text))
            || is_list(a.text))
    {
        flag(
            FlagKind::KeywordList,
            "This reads as a list of keywords: explain in sentences how the pieces connect.".into(),
        );
    }
    if !content.is_empty() && !rubric.prompt_stems.is_empty() {
        let from_prompt = content
            .iter()
            .filter(|t| rubric.prompt_stems.contains(&t.stem))
            .count();
        if content.len() >= 3 && from_prompt as f64 / content.len() as f64 >= 0.75 {
            flag(
                FlagKind::QuestionEcho,
                "This mostly repeats the question: answer it in your own words.".into(),
            );
        }
    }
    if content.len() >= 12 {
        let distinct: FxHashSet<&str> = content.iter().map(|t| t.stem.as_str()).collect();
        if (distinct.len() as f64) < 0.35 * content.len() as f64 {
            flag(
                FlagKind::Repetition,
                "The same words are repeated many times: each point once is enough.".into(),
            );
        }
    }
    for c in concepts.iter().filter(|c| c.how == Match::Misconception) {
        flag(
            FlagKind::Misconception,
            format!(
                "This looks like a common misconception: {}. Think again about: {}",
                c.misconception.as_deref().unwrap_or_default(),
                c.name
            ),
        );
    }
    let any_earned = concepts.iter().any(|c| c.matched);
    if !any_earned && !content.is_empty() {
        let shared = content
            .iter()
            .filter(|t| rubric.topic_stems.contains(&t.stem) && !GENERIC_STEMS.contains(&t.stem))
            .count();
        if (shared as f64) < OFF_TOPIC_SHARE * content.len() as f64 {
            flag(
                FlagKind::OffTopic,
                "This does not seem to address the question: reread it and answer what it asks."
                    .into(),
            );
        }
    }
    let has_mechanisms = concepts.iter().any(|c| c.kind == ConceptKind::Mechanism);
    if any_earned
        && has_mechanisms
        && concepts
            .iter()
            .filter(|c| c.matched)
            .all(|c| c.kind == ConceptKind::Definition)
    {
        flag(
            FlagKind::DefinitionOnly,
            "You defined it but did not explain how or why it works: that is what interviewers probe."
                .into(),
        );
    }
    flags
}

/// Words that show an item of an answer is a clause, not a bare term: pronouns, auxiliaries,
/// modals and conjunctions.
const CLAUSE_CUES: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "does", "do", "did",
    "can", "could", "will", "would", "should", "may", "might", "must", "it", "they", "you", "we",
    "i", "he", "she", "this", "that", "which", "because", "so", "when", "if", "then", "there",
    "its", "their", "your", "lets", "means", "gets", "makes", "just",
];

/// Whether a text has a word of [`CLAUSE_CUES`] or a negation: some sentence structure.
fn has_clause_cue(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| {
            let w = w.to_lowercase();
            CLAUSE_CUES.contains(&w.as_str()) || w.ends_with("n't") || w.ends_with("'d")
        })
}

/// Most words in a list item that is a bare term ("fine-grained locks", "blocking system call").
const MAX_TERM_WORDS: usize = 6;

/// Whether an answer is shaped as a list of terms: at least three items (split at line breaks,
/// commas, semicolons, bullets, pipes and spaced slashes or dashes), at least three quarters of
/// them bare terms (at most [`MAX_TERM_WORDS`] words, no clause cue such as a pronoun, an
/// auxiliary verb, a modal or a conjunction), holding most of the answer's words. Catches
/// lists of multi-word phrases as well as of single words.
pub fn is_list(answer: &str) -> bool {
    let mut items = 0usize;
    let mut terms = 0usize;
    let (mut words, mut term_words) = (0usize, 0usize);
    let normalized = answer
        .replace(" / ", "\n")
        .replace(" - ", "\n")
        .replace(" -- ", "\n");
    // "I/O" is a term, not the pronoun "I".
    let normalized = normalized.replace("I/O", "IO").replace("i/o", "io");
    for item in normalized.split(['\n', ',', ';', '•', '|', '·']) {
        let item = item.trim().trim_start_matches(['-', '*', '+']).trim();
        let n = item.split_whitespace().count();
        if n == 0 {
            continue;
        }
        items += 1;
        words += n;
        let clause = has_clause_cue(item);
        if n <= MAX_TERM_WORDS && !clause {
            terms += 1;
            term_words += n;
        }
    }
    items >= 3 && terms * 4 >= items * 3 && term_words * 3 >= words * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gil_rubric() -> Rubric {
        let spec = |name: &str, kind, phrases: &[&str], hint: &str| ConceptSpec {
            name: name.into(),
            weight: 1,
            kind,
            phrases: phrases.iter().map(|s| s.to_string()).collect(),
            hint: hint.into(),
            misconceptions: Vec::new(),
        };
        Rubric::new(
            vec![
                spec(
                    "A mutex in CPython",
                    ConceptKind::Definition,
                    &["mutex", "global lock"],
                    "What kind of thing is it?",
                ),
                spec(
                    "One thread runs bytecode at a time",
                    ConceptKind::Mechanism,
                    &["one thread at a time", "serialises bytecode execution"],
                    "What does it stop two threads doing?",
                ),
                spec(
                    "Released during blocking I/O",
                    ConceptKind::Mechanism,
                    &[
                        "released during blocking I/O",
                        "release the lock while waiting",
                    ],
                    "When do threads give it up?",
                ),
            ],
            "What is the GIL and how does it affect threads?",
        )
    }

    #[test]
    fn matches_across_inflection_spelling_and_gaps_with_offsets() {
        let r = gil_rubric();
        let answer = "It is a mutex: only one single thread runs at any time, and the lock is \
                      always released during a blocking I/O call.";
        let rep = check(&r, answer);
        assert_eq!(rep.score, 100, "{rep:#?}");
        let ev = rep.concepts[1].evidence.as_ref().expect("evidence");
        assert_eq!(ev.text, "one single thread runs at any time");
        let chars: Vec<char> = answer.chars().collect();
        let quoted: String = chars[ev.start..ev.end].iter().collect();
        assert_eq!(quoted, ev.text);
        let rep = check(
            &r,
            "The interpreter serializes bytecode execution across threads.",
        );
        assert!(rep.concepts[1].matched);
    }

    #[test]
    fn negation_cancels_a_match() {
        let r = gil_rubric();
        let rep = check(
            &r,
            "Threads do not release the lock while waiting for a socket, it is a mutex.",
        );
        assert!(!rep.concepts[2].matched, "{rep:#?}");
        assert!(rep.concepts[2].hint.is_some());
        // A negation in an earlier clause does not reach this one.
        let rep = check(
            &r,
            "It is not magic, but threads release the lock while waiting for I/O.",
        );
        assert!(rep.concepts[2].matched, "{rep:#?}");
    }

    #[test]
    fn a_negated_phrase_needs_the_negation() {
        let spec = ConceptSpec {
            name: "Hints are not enforced".into(),
            weight: 1,
            kind: ConceptKind::Mechanism,
            phrases: vec!["not enforced at runtime".into()],
            hint: "h".into(),
            misconceptions: Vec::new(),
        };
        let r = Rubric::new(vec![spec], "");
        assert!(
            check(&r, "Type hints are not enforced at runtime by CPython.").concepts[0].matched
        );
        assert!(!check(&r, "Type hints are enforced at runtime by CPython.").concepts[0].matched);
        assert!(check(&r, "Hints are never enforced at runtime.").concepts[0].matched);
    }

    #[test]
    fn keyword_lists_and_echoes_are_flagged_and_score_low() {
        let r = gil_rubric();
        let list = check(
            &r,
            "mutex, one thread at a time, released during blocking I/O, bytecode",
        );
        assert!(list.has_flag(FlagKind::KeywordList), "{list:#?}");
        assert!(list.score <= 40, "{}", list.score);
        let echo = check(&r, "What is the GIL and how does it affect threads?");
        assert!(echo.has_flag(FlagKind::QuestionEcho));
        assert_eq!(echo.score, 0);
        let empty = check(&r, "   \u{200B} ");
        assert!(empty.has_flag(FlagKind::Empty));
    }

    #[test]
    fn definition_only_answers_are_told_so() {
        let r = gil_rubric();
        let rep = check(
            &r,
            "The GIL is a global mutex that exists inside the CPython interpreter for safety.",
        );
        assert!(rep.has_flag(FlagKind::DefinitionOnly), "{rep:#?}");
        assert!(rep.score > 0 && rep.score < 50);
    }

    #[test]
    fn one_edit() {
        let yes = [
            ("recursion", "recurssion"),
            ("dictionary", "dictionnary"),
            ("pointers", "pionters"),
            ("abcdefgh", "abcdefgx"),
        ];
        for (a, b) in yes {
            assert!(one_edit_apart(a.as_bytes(), b.as_bytes()), "{a} {b}");
            assert_eq!(strsim::damerau_levenshtein(a, b), 1);
        }
        for (a, b) in [
            ("recursion", "recursion"),
            ("abcdefgh", "abcdefxy"),
            ("abcdefgh", "abcdefghij"),
        ] {
            assert!(!one_edit_apart(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    fn concept(name: &str, phrases: &[&str]) -> ConceptSpec {
        ConceptSpec {
            name: name.into(),
            weight: 1,
            kind: ConceptKind::Mechanism,
            phrases: phrases.iter().map(|s| s.to_string()).collect(),
            hint: "h".into(),
            misconceptions: Vec::new(),
        }
    }

    #[test]
    fn negation_reaches_over_its_clause_not_beyond() {
        let r = Rubric::new(
            vec![
                concept(
                    "Blocking I/O releases the lock",
                    &["blocking I/O releases the lock"],
                ),
                concept("Copying is needed", &["copy the data"]),
                concept("Threads take turns", &["threads take turns"]),
            ],
            "",
        );
        // "not even during" is three words from the match: a two-word window missed it.
        let rep = check(
            &r,
            "Threads never let go of the lock, not even during blocking I/O releases the lock.",
        );
        assert_eq!(rep.concepts[0].how, Match::Negated, "{rep:#?}");
        // contractions, and a predicate of absence that reaches back
        let rep = check(
            &r,
            "You really don't need to copy the data, copying the data isn't needed.",
        );
        assert_eq!(rep.concepts[1].credit, 0.0, "{rep:#?}");
        // "not only" negates nothing; a negation ends at "but" or a comma
        let rep = check(
            &r,
            "Not only do threads take turns, they also switch often.",
        );
        assert_eq!(rep.concepts[2].how, Match::Phrase, "{rep:#?}");
        let rep = check(
            &r,
            "It is not parallel, but threads take turns on the lock.",
        );
        assert_eq!(rep.concepts[2].how, Match::Phrase, "{rep:#?}");
        let rep = check(&r, "It is not the case that threads take turns.");
        assert_eq!(rep.concepts[2].how, Match::Negated, "{rep:#?}");
    }

    #[test]
    fn a_negated_phrase_blocks_partial_credit_for_its_concept() {
        let r = Rubric::new(
            vec![concept(
                "Generators are single-pass and keep one frame suspended",
                &["single pass", "frame suspended"],
            )],
            "",
        );
        let rep = check(
            &r,
            "generators aren't single pass, you can loop over them again and the frame is kept.",
        );
        assert_eq!(rep.score, 0, "{rep:#?}");
    }

    #[test]
    fn lists_of_multi_word_phrases_are_flagged() {
        let r = gil_rubric();
        for list in [
            "one thread at a time, released during blocking I/O, global lock, bytecode execution",
            "- one thread at a time\n- released during blocking I/O\n- serialises bytecode execution",
            "global lock / one thread at a time / release the lock while waiting",
        ] {
            let rep = check(&r, list);
            assert!(rep.has_flag(FlagKind::KeywordList), "{list}: {rep:#?}");
            assert!(rep.score <= 30, "{list}: {}", rep.score);
        }
        // The same ideas in sentences are not a list.
        let prose = check(
            &r,
            "It is a global lock, so only one thread at a time runs bytecode, and it is released \
             during blocking I/O so the others can run meanwhile.",
        );
        assert!(!prose.has_flag(FlagKind::KeywordList), "{prose:#?}");
        assert!(prose.score >= 2 * check(&r, "one thread at a time, released during blocking I/O, global lock, bytecode execution").score);
    }

    #[test]
    fn synonyms_match_at_0_9_and_protected_terms_never() {
        let r = Rubric::new(
            vec![
                concept("Mutating in place", &["modify the list in place"]),
                concept("Remove items", &["remove the element"]),
                concept("Pop from the stack", &["pop from the stack"]),
            ],
            "",
        );
        let rep = check(&r, "You alter the list in place.");
        assert_eq!(rep.concepts[0].how, Match::Synonym, "{rep:#?}");
        assert!((rep.concepts[0].credit - synonyms::SYNONYM_CREDIT).abs() < 1e-9);
        // curated: remove ≈ delete, element ≈ item
        let rep = check(&r, "then delete the item");
        assert_eq!(rep.concepts[1].how, Match::Synonym, "{rep:#?}");
        // WordNet says stack ≈ heap and pop ≈ dad: protected terms never match that way.
        let rep = check(&r, "pop from the heap");
        assert!(!rep.concepts[2].matched, "{rep:#?}");
        // A phrase said wholly in synonyms is too loose.
        let rep = check(&r, "alter");
        assert!(!rep.concepts[0].matched);
        // "don't matter" denies, unlike "no matter".
        let r = Rubric::new(vec![concept("Per-host limits", &["per-host limits"])], "");
        assert!(!check(&r, "per-host limits don't matter").concepts[0].matched);
        assert!(check(&r, "no matter what, per-host limits apply").concepts[0].matched);
    }

    #[test]
    fn a_sentence_covering_a_concepts_words_earns_partial_credit() {
        let r = Rubric::new(
            vec![
                concept(
                    "A with block calls __exit__ even when an exception escapes",
                    &["__exit__ runs on exception", "cleanup guaranteed"],
                ),
                concept("Files are closed", &["file is closed"]),
            ],
            "What does a with statement do?",
        )
        .with_reference(
            "The with block calls __exit__ on the way out, even when an exception escapes, \
             so the file is closed. Cleanup is guaranteed.",
        );
        let rep = check(
            &r,
            "whatever happens inside, even an exception escaping, python calls __exit__ for you",
        );
        assert_eq!(rep.concepts[0].how, Match::Partial, "{rep:#?}");
        assert!(rep.concepts[0].credit > 0.0 && rep.concepts[0].credit <= SOFT_MAX_CREDIT);
        assert!(!rep.has_flag(FlagKind::OffTopic));
    }

    #[test]
    fn misconceptions_cancel_the_concept_and_are_reported() {
        let mut c = concept("Threads take turns on the lock", &["threads take turns"]);
        c.misconceptions = vec!["threads run in parallel".into()];
        let r = Rubric::new(vec![c, concept("Processes", &["separate processes"])], "");
        let rep = check(
            &r,
            "Threads take turns, but threads run in parallel on all cores.",
        );
        assert_eq!(rep.concepts[0].how, Match::Misconception, "{rep:#?}");
        assert!(rep.has_flag(FlagKind::Misconception));
        assert_eq!(rep.score, 0);
        // Denying the misconception is fine.
        let rep = check(&r, "Threads take turns; threads never run in parallel.");
        assert_eq!(rep.concepts[0].how, Match::Phrase, "{rep:#?}");
    }

    #[test]
    fn off_topic_only_when_nothing_is_shared() {
        let r = gil_rubric();
        let rep = check(
            &r,
            "no idea lol, anyone up for lunch at the new ramen place today?",
        );
        assert!(rep.has_flag(FlagKind::OffTopic));
        let rep = check(
            &r,
            "The GIL is a mutex, that is all I remember about it honestly.",
        );
        assert!(!rep.has_flag(FlagKind::OffTopic), "{rep:#?}");
    }

    #[test]
    fn same_input_same_report() {
        let r = gil_rubric();
        let a = "Only one thread at a time executes, it is a mutex 🔒 ```code```";
        assert_eq!(check(&r, a), check(&r, a));
    }
}
