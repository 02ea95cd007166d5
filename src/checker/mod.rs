//! The keyword-mechanism checker: a pure function of (rubric, answer text) → [`Report`].
//!
//! A rubric is a list of weighted concepts, each with alternative phrases. A concept earns its
//! weight when one of its phrases occurs in the answer (see [`text`] for normalisation,
//! [`synonyms`] for the words that may stand in for a phrase's own, and
//! `docs/question-format.md` for the rules), part of it when one sentence covers enough of the
//! concept's vocabulary, and nothing when the answer denies it (see [`negation_scope`]) or
//! states one of its misconceptions. The score is the weighted share earned (plus, for bank
//! questions, a tenth from similarity to the reference answer), reduced when the answer games
//! the checker (a keyword list, a pasted question, repetition) or is too short to explain
//! anything. No I/O, no randomness: the same input gives the same report.

mod flags;
mod index;
mod matching;
mod negation;
pub mod reference;
mod report;
mod rubric;
pub mod synonyms;
pub mod text;

pub use flags::is_list;
pub use matching::TYPO_MIN_LEN;
pub use negation::negation_scope;
pub use report::{ConceptResult, Evidence, Flag, FlagKind, Match, Report};
use rubric::GENERIC_STEMS;
pub use rubric::GENERIC_WORDS;

use flags::flags;
use index::StemIndex;
use matching::{find_phrase, Found};

use compact_str::CompactString;
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
    /// Inline ([`CompactString`]): looking a rubric word up in an answer then reads no other
    /// memory.
    stem: CompactString,
    /// Shared with every other rubric word that has the same list; inline stems, one
    /// allocation.
    synonyms: std::sync::Arc<[CompactString]>,
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
    total_weight: u64,
    prompt_stems: FxHashSet<String>,
    /// Every stem of the question's vocabulary: prompt, phrases, names, reference.
    topic_stems: FxHashSet<String>,
    /// Whether negation is read at all (see [`Rubric::with_negation`]).
    negation: bool,
    /// The question text.
    prompt: String,
    /// The reference answer's vocabulary, for [`SIMILARITY_WEIGHT`] of the score.
    similarity: Option<Box<Similarity>>,
    /// Whether a one-word phrase may match through a synonym alone (see
    /// [`Rubric::with_lone_synonyms`]).
    lone_synonyms: bool,
    /// Reference mode: for each sentence of the reference answer, the indices of the concepts
    /// whose word occurs in it (see [`SEGMENT_WEIGHT`]); empty for hand-written rubrics.
    segments: Vec<Vec<u32>>,
    /// Reference mode: the weight of the pseudo-concept of [`PRIOR_SHARE`] (0: none).
    prior_weight: f64,
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

impl Credit {
    /// Credit for a weighted coverage `share` (0–1).
    pub fn curve(self, share: f64) -> f64 {
        match self {
            Credit::Linear => share,
            Credit::Sqrt => share.sqrt(),
        }
    }
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

/// Share of a bank question's score that comes from similarity to its reference answer (see
/// [`Rubric::with_reference`]); the rest is the rubric's. On the graded development set (tuning
/// part) 0.1 ordered 90.7% of answer pairs like the graders against 88.4% without, r 0.902 →
/// 0.904; 0.2 and 0.3 lowered strong answers' scores for no further gain.
pub const SIMILARITY_WEIGHT: f64 = 0.1;

/// Reference mode, a reference of two or more sentences: share of the credit that comes from the
/// one sentence the answer covers best (the rest from the whole reference). A long model answer
/// often lists several points where a full answer needs fewer, so an answer that explains one
/// of them fully earns more than its share of all the words. Measured with everything else as
/// shipped: SAF r 0.753 → 0.767, RMSE 0.250 → 0.243; Mohler, whose references are mostly one
/// sentence, 0.569 → 0.569 (0.1: SAF 0.763; 0.3: 0.766, both sets as before or lower).
pub const SEGMENT_WEIGHT: f64 = 0.2;

/// Reference mode: the credit of a pseudo-concept added to every derived rubric, additive (or
/// Lidstone) smoothing of the coverage: (earned + w·0.3) / (total + w), with w the mean weight of
/// the reference's words. A reference of a few words is thin evidence both ways: missing its
/// one key word may be a paraphrase, and matching it all shows less than covering a long
/// reference. The smoothing pulls such scores towards the middle and leaves long references
/// almost as they were. For one question it is a monotone map, so it never reorders two answers
/// to the same question; it only lowers how far a short reference moves the leaderboard. What it
/// costs: with a two-word reference a full match earns about 88 instead of 100, and an on-topic
/// answer that shares none of its words about 32 instead of 0 (an off-topic one still 0).
/// Measured after [`SEGMENT_WEIGHT`] and [`TYPO_MIN_LEN`] 7: Mohler r 0.570 → 0.575, RMSE 0.901 →
/// 0.897; SAF r 0.768 → 0.771, RMSE 0.243 → 0.241 (prior 0.2: Mohler 0.577, SAF 0.769; half a
/// word at 0.3: 0.576 / 0.770; one and a half words: 0.572 / 0.772).
pub const PRIOR_SHARE: f64 = 0.3;

/// Partial credit: the most a concept earns from one sentence that covers its vocabulary
/// without one of its phrases (a phrase match earns 1.0, or 0.9 through a synonym).
pub const SOFT_MAX_CREDIT: f64 = 0.8;
/// Partial credit: the vocabulary weight (in words of full weight) that earns
/// [`SOFT_MAX_CREDIT`]; less earns proportionally less.
pub const SOFT_FULL_WEIGHT: f64 = 2.5;
/// Partial credit needs at least this share of [`SOFT_FULL_WEIGHT`], and two distinct words.
pub const SOFT_MIN_SHARE: f64 = 0.4;
/// Partial credit that a sentence gives a second or further concept, as a share of what it
/// would earn alone (see [`ConceptResult`]: evidence is then the same sentence for several
/// concepts). On the graded development set (tuning part) 1.0 ordered 91.6% of answer pairs
/// like the graders, 0.5 ordered 92.3% (wrong answers' mean 13.1 → 12.2, partial answers'
/// 24.7 → 24.1), 0.25 the same, 0 92.2%.
pub const SHARED_SENTENCE_FACTOR: f64 = 0.5;
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

/// An answer read once: its tokens, where each stem occurs, and which words are negated.
struct Answer<'a> {
    text: &'a str,
    tokens: &'a [Token],
    index: StemIndex<'a>,
    negated: Vec<bool>,
    /// Whether the rubric being applied reads negation.
    read_negation: bool,
    /// Number of sentences (the last token's sentence index + 1).
    sentences: usize,
}

impl<'a> Answer<'a> {
    fn new(text: &'a str, tokens: &'a [Token]) -> Answer<'a> {
        Answer {
            text,
            tokens,
            index: StemIndex::new(tokens),
            negated: negation_scope(tokens),
            read_negation: true,
            sentences: tokens.last().map_or(0, |t| t.sentence as usize + 1),
        }
    }

    /// Whether word `p` lies in a negation's scope (always false while negation is not read).
    fn is_negated(&self, p: usize) -> bool {
        self.read_negation && self.negated[p]
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
    let words = tokens.len();
    let mut in_evidence = vec![false; words];
    let (concepts, share) = earn(rubric, &mut a, &mut in_evidence);
    let coverage = 100.0 * share;
    let smoothed = if rubric.prior_weight > 0.0 {
        let total = rubric.total_weight as f64;
        (share * total + rubric.prior_weight * PRIOR_SHARE) / (total + rubric.prior_weight)
    } else {
        share
    };
    let mut credit = 100.0 * rubric.credit.curve(smoothed);
    if let Some(best) = best_segment(&rubric.segments, &concepts) {
        credit =
            (1.0 - SEGMENT_WEIGHT) * credit + SEGMENT_WEIGHT * 100.0 * rubric.credit.curve(best);
    }
    if let Some(similarity) = &rubric.similarity {
        let similar = similarity.share(&a);
        credit = (1.0 - SIMILARITY_WEIGHT) * credit
            + SIMILARITY_WEIGHT * 100.0 * similarity.credit.curve(similar);
    }
    let content_words = tokens.iter().filter(|t| !t.stop).count();
    let evidence_share = tokens
        .iter()
        .zip(&in_evidence)
        .filter(|(t, &inside)| inside && !t.stop)
        .count() as f64
        / content_words.max(1) as f64;
    let flags = flags(rubric, &a, &concepts, evidence_share);
    if flags.iter().any(|f| f.kind == FlagKind::OffTopic) {
        // Nothing earned and almost nothing shared with the question: the few words that
        // happen to occur in the reference answer are no credit either.
        credit = 0.0;
    }
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

/// A reference-derived rubric of one-word concepts, inverted for speed: every stem (and
/// synonym stem) points at the concepts it earns, so an answer costs one lookup per distinct
/// word instead of one per concept and synonym. Negation is not read (as in reference mode) and
/// misspellings are not looked for: this is the minor, tie-breaking part of a bank score.
#[derive(Debug, Clone)]
struct Similarity {
    /// stem → its range in `hits`. Stems are short, so [`CompactString`] keeps them inside the
    /// table: a lookup that hits reads no other memory (with `String` keys and a `Vec` per
    /// stem, this lookup was a fifth of a bank score's work beyond tokenising, nearly all of it
    /// waiting on memory).
    index: FxHashMap<CompactString, (u32, u32)>,
    /// (concept, credit 1 or [`synonyms::SYNONYM_CREDIT`]), grouped by stem.
    hits: Vec<(u32, f64)>,
    weights: Vec<f64>,
    total: f64,
    credit: Credit,
}

impl Similarity {
    /// From the words of a reference answer ([`reference::reference_words`]): each matches
    /// itself at 1 and its synonyms at [`synonyms::SYNONYM_CREDIT`]; coverage becomes credit
    /// through √, as in reference mode.
    fn new(words: &[reference::ReferenceWord]) -> Similarity {
        // each stem's hits, in a list of its own until all are known
        let mut lists: Vec<Vec<(u32, f64)>> = Vec::new();
        let mut slot: FxHashMap<CompactString, usize> = FxHashMap::default();
        let mut push = |stem: &str, hit: (u32, f64)| {
            let k = match slot.get(stem) {
                Some(&k) => k,
                None => {
                    slot.insert(CompactString::from(stem), lists.len());
                    lists.push(Vec::new());
                    lists.len() - 1
                }
            };
            lists[k].push(hit);
        };
        for (i, w) in words.iter().enumerate() {
            push(&w.stem, (i as u32, 1.0));
            let surface = w.surface.to_lowercase();
            for s in synonyms::THESAURUS
                .shared_synonyms(&surface, &w.stem)
                .iter()
            {
                push(s, (i as u32, synonyms::SYNONYM_CREDIT));
            }
        }
        let mut ranges = Vec::with_capacity(lists.len());
        let mut hits = Vec::new();
        for list in lists {
            ranges.push((hits.len() as u32, list.len() as u32));
            hits.extend(list);
        }
        let index = slot.into_iter().map(|(s, k)| (s, ranges[k])).collect();
        let weights: Vec<f64> = words.iter().map(|w| f64::from(w.weight.max(1))).collect();
        Similarity {
            index,
            hits,
            total: weights.iter().sum(),
            weights,
            credit: Credit::Sqrt,
        }
    }

    /// The weighted share (0–1) of the reference's vocabulary the answer says.
    fn share(&self, a: &Answer<'_>) -> f64 {
        let mut best = vec![0.0f64; self.weights.len()];
        for stem in a.index.keys() {
            if let Some(&(start, len)) = self.index.get(stem) {
                let (start, len) = (start as usize, len as usize);
                for &(i, credit) in &self.hits[start..start + len] {
                    let b = &mut best[i as usize];
                    *b = b.max(credit);
                }
            }
        }
        if self.total == 0.0 {
            return 0.0;
        }
        best.iter()
            .zip(&self.weights)
            .map(|(b, w)| b * w)
            .sum::<f64>()
            / self.total
    }
}

/// The highest weighted coverage (0–1) of one reference sentence's concepts, when the reference
/// has two or more sentences; `None` otherwise (the whole reference is then that sentence).
fn best_segment(segments: &[Vec<u32>], concepts: &[ConceptResult]) -> Option<f64> {
    if segments.len() < 2 {
        return None;
    }
    segments
        .iter()
        .filter_map(|members| {
            let (mut earned, mut total) = (0.0, 0.0);
            for &i in members {
                let c = &concepts[i as usize];
                earned += c.credit * f64::from(c.weight);
                total += f64::from(c.weight);
            }
            (total > 0.0).then(|| earned / total)
        })
        .max_by(f64::total_cmp)
}

/// Every concept's result and the weighted share of credit earned (0–1).
fn earn(
    rubric: &Rubric,
    a: &mut Answer<'_>,
    in_evidence: &mut [bool],
) -> (Vec<ConceptResult>, f64) {
    a.read_negation = rubric.negation;
    let mut concepts = Vec::with_capacity(rubric.concepts.len());
    // Partial credits by the sentence that earned them: (sentence, concept index).
    let mut partial: Vec<(u32, usize)> = Vec::new();
    for concept in &rubric.concepts {
        let (result, sentence) = score_concept(concept, a, rubric.lone_synonyms, in_evidence);
        if let Some(s) = sentence {
            partial.push((s, concepts.len()));
        }
        concepts.push(result);
    }
    // One sentence that touches several concepts' vocabulary explains at most one of them
    // fully: the best keeps its partial credit, the others get SHARED_SENTENCE_FACTOR of theirs.
    partial.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then(concepts[y.1].credit.total_cmp(&concepts[x.1].credit))
            .then(x.1.cmp(&y.1))
    });
    for pair in partial.windows(2) {
        if pair[0].0 == pair[1].0 {
            concepts[pair[1].1].credit *= SHARED_SENTENCE_FACTOR;
        }
    }
    let earned: f64 = concepts
        .iter()
        .map(|c| c.credit * f64::from(c.weight))
        .sum();
    let share = if rubric.total_weight == 0 {
        0.0
    } else {
        earned / rubric.total_weight as f64
    };
    (concepts, share)
}

/// One concept's result, and the answer sentence that earned it partial credit (if that is how
/// it was earned), for [`SHARED_SENTENCE_FACTOR`].
fn score_concept(
    concept: &Concept,
    a: &Answer<'_>,
    lone_synonyms: bool,
    in_evidence: &mut [bool],
) -> (ConceptResult, Option<u32>) {
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
                return (result, None);
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
        return (result, None);
    }
    if denied {
        result.how = Match::Negated;
        return (result, None);
    }
    if let Some((credit, first, last)) = soft_match(concept, a) {
        result.matched = true;
        result.credit = credit;
        result.how = Match::Partial;
        result.evidence = Some(a.evidence(first, last));
        return (result, Some(a.tokens[first].sentence));
    }
    (result, None)
}

/// Partial credit: the best sentence's share of the concept's weighted vocabulary, as
/// (credit, first token, last token of the sentence).
fn soft_match(concept: &Concept, a: &Answer<'_>) -> Option<(f64, usize, usize)> {
    if concept.bag.len() < 3 || a.tokens.is_empty() {
        return None;
    }
    let sentences = a.sentences;
    // Per sentence: the weight found, how many distinct answer words carried it, and whether it
    // says one of the concept's words under a negation (then it denies, at least in part, the
    // idea, and earns no partial credit at all).
    let mut weight = vec![0.0f64; sentences];
    let mut words = vec![0u32; sentences];
    let mut denying = vec![false; sentences];
    // One answer word counts once: "alter" matching both "modify" and "mutate" is one word.
    let mut used = vec![false; a.tokens.len()];
    let mut best = vec![0.0f64; sentences];
    for b in &concept.bag {
        best.iter_mut().for_each(|x| *x = 0.0);
        let stems = std::iter::once((b.word.stem.as_str(), 1.0)).chain(
            b.word
                .synonyms
                .iter()
                .map(|s| (s.as_str(), synonyms::SYNONYM_CREDIT)),
        );
        for (stem, credit) in stems {
            let Some(ps) = a.index.get(stem) else {
                continue;
            };
            for &p in ps {
                let s = a.tokens[p].sentence as usize;
                if a.is_negated(p) {
                    denying[s] = true;
                    continue;
                }
                best[s] = best[s].max(credit);
                if !used[p] {
                    used[p] = true;
                    words[s] += 1;
                }
            }
        }
        for (w, x) in weight.iter_mut().zip(&best) {
            *w += b.weight * x;
        }
    }
    let full = SOFT_FULL_WEIGHT.min(concept.bag_weight);
    // The best sentence with two distinct words at least; on a tie, the earlier one.
    let sentence = (0..sentences)
        .filter(|&s| words[s] >= 2 && !denying[s])
        .max_by(|&x, &y| weight[x].total_cmp(&weight[y]).then(y.cmp(&x)))?;
    let share = (weight[sentence] / full).min(1.0);
    if share < SOFT_MIN_SHARE {
        return None;
    }
    let first = a
        .tokens
        .iter()
        .position(|t| t.sentence as usize == sentence)?;
    let last = a
        .tokens
        .iter()
        .rposition(|t| t.sentence as usize == sentence)?;
    Some((SOFT_MAX_CREDIT * share, first, last))
}

#[cfg(test)]
mod tests;
