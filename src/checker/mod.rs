//! The keyword-mechanism checker: a pure function of (rubric, answer text) → [`Report`].
//!
//! A rubric is a list of weighted concepts, each with alternative phrases. A concept is matched
//! when any of its phrases occurs in the answer (see [`text`] for normalisation and
//! `docs/question-format.md` for the matching rules). The score is weighted concept coverage,
//! reduced when the answer games the checker (a bare keyword list, a pasted question, repetition)
//! or is too short to explain anything. No I/O, no randomness: the same input gives the same report.

pub mod reference;
pub mod text;

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
#[derive(Debug, Clone)]
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
}

/// One phrase in matchable form.
#[derive(Debug, Clone)]
struct Phrase {
    /// Stems that must appear in order (content words, or every word when the phrase has only
    /// stop words).
    stems: Vec<String>,
    /// The phrase itself contains a negation, so a match must be negated too.
    negated: bool,
}

#[derive(Debug, Clone)]
struct Concept {
    spec: ConceptSpec,
    phrases: Vec<Phrase>,
}

/// A compiled rubric: concepts with their phrases stemmed, plus the prompt's words (to spot an
/// answer that only echoes the question).
#[derive(Debug, Clone)]
pub struct Rubric {
    concepts: Vec<Concept>,
    credit: Credit,
    min_words: usize,
    shape_penalties: bool,
    total_weight: u32,
    prompt_stems: FxHashSet<String>,
    rubric_stems: FxHashSet<String>,
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
/// How many words before a match a negator still reaches ("does not release": 1, "does not
/// actually release": 2). 2 rather than 3: on the Mohler set a wider window cancelled more
/// correct mentions than it caught (r 0.541 at 3, 0.543 at 2, same settings otherwise).
pub const NEGATION_WINDOW: usize = 2;
/// Answers with fewer words than this are flagged too short.
pub const MIN_WORDS: usize = 8;
/// Answers with more words than this are flagged too long (a paste, not an answer).
pub const MAX_WORDS: usize = 1200;

impl Rubric {
    /// Compiles concepts into a rubric. `prompt` is the question text (may be empty).
    pub fn new(concepts: Vec<ConceptSpec>, prompt: &str) -> Rubric {
        let concepts: Vec<Concept> = concepts
            .into_iter()
            .map(|spec| Concept {
                phrases: spec.phrases.iter().map(|p| compile_phrase(p)).collect(),
                spec,
            })
            .collect();
        let total_weight = concepts.iter().map(|c| c.spec.weight.max(1)).sum();
        let prompt_stems = content_stems(prompt);
        let rubric_stems = concepts
            .iter()
            .flat_map(|c| c.phrases.iter().flat_map(|p| p.stems.iter().cloned()))
            .collect();
        Rubric {
            concepts,
            credit: Credit::Linear,
            min_words: MIN_WORDS,
            shape_penalties: true,
            total_weight,
            prompt_stems,
            rubric_stems,
        }
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
            .map(|p| p.stems.clone())
            .collect()
    }
}

fn compile_phrase(phrase: &str) -> Phrase {
    let toks = tokenize(phrase);
    let negated = toks.iter().any(|t| t.negator);
    let content: Vec<String> = toks
        .iter()
        .filter(|t| !t.stop && !t.negator)
        .map(|t| t.stem.clone())
        .collect();
    let stems = if content.is_empty() {
        toks.into_iter().map(|t| t.stem).collect()
    } else {
        content
    };
    Phrase { stems, negated }
}

fn content_stems(text: &str) -> FxHashSet<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| !t.stop && !t.negator)
        .map(|t| t.stem)
        .collect()
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
    /// Whether any phrase matched.
    pub matched: bool,
    /// The answer's own words that matched, with offsets; `None` when missed.
    pub evidence: Option<Evidence>,
    /// The hint, for a missed concept only.
    pub hint: Option<String>,
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
    /// Matched nothing and shares almost no words with the rubric.
    OffTopic,
    /// Matched only definition concepts: says what it is, not how or why it works.
    DefinitionOnly,
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
    /// 0–100: weighted concept coverage × the penalty factor of any gaming flags.
    pub score: u8,
    /// Weighted coverage before penalties, 0–100.
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

/// Scores `answer` against `rubric`.
///
/// Score = round(100 × credit(Σ weight of matched concepts / Σ weight) × penalty), where the
/// credit curve is the rubric's [`Credit`] (linear unless derived from a reference), and the penalty is
/// the product of: 0.5 for [`FlagKind::TooShort`], 0.4 for [`FlagKind::KeywordList`], 0.3 for
/// [`FlagKind::QuestionEcho`], 0.5 for [`FlagKind::Repetition`] and 0.5 for
/// [`FlagKind::TooLong`]. The factors are this project's choice, set so that each gaming case
/// lands well below an honest answer of the same coverage.
pub fn check(rubric: &Rubric, answer: &str) -> Report {
    let tokens = tokenize(answer);
    let words = tokens.len();
    let mut index: FxHashMap<&str, Vec<usize>> =
        FxHashMap::with_capacity_and_hasher(words, Default::default());
    for (i, t) in tokens.iter().enumerate() {
        index.entry(t.stem.as_str()).or_default().push(i);
    }

    let mut matched_weight = 0u32;
    let mut in_evidence = vec![false; words];
    let mut concepts = Vec::with_capacity(rubric.concepts.len());
    for concept in &rubric.concepts {
        let found = concept
            .phrases
            .iter()
            .find_map(|p| find_phrase(p, &tokens, &index));
        let evidence = found.map(|(a, b)| {
            in_evidence[a..=b].iter_mut().for_each(|x| *x = true);
            let (start, end) = (tokens[a].start, tokens[b].end);
            Evidence {
                text: answer[start..end].to_string(),
                start: char_offset(answer, start),
                end: char_offset(answer, end),
            }
        });
        if evidence.is_some() {
            matched_weight += concept.spec.weight.max(1);
        }
        concepts.push(ConceptResult {
            name: concept.spec.name.clone(),
            kind: concept.spec.kind,
            weight: concept.spec.weight.max(1),
            matched: evidence.is_some(),
            hint: evidence.is_none().then(|| concept.spec.hint.clone()),
            evidence,
        });
    }
    let share = if rubric.total_weight == 0 {
        0.0
    } else {
        f64::from(matched_weight) / f64::from(rubric.total_weight)
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
    let flags = flags(rubric, answer, &tokens, &concepts, evidence_share);
    let penalty: f64 = flags
        .iter()
        .map(|f| match f.kind {
            FlagKind::TooShort if rubric.shape_penalties => 0.5,
            FlagKind::KeywordList if rubric.shape_penalties => 0.4,
            FlagKind::QuestionEcho if rubric.shape_penalties => 0.3,
            FlagKind::Repetition if rubric.shape_penalties => 0.5,
            FlagKind::TooLong => 0.5,
            _ => 1.0,
        })
        .product();
    Report {
        score: (credit * penalty).round().clamp(0.0, 100.0) as u8,
        coverage: coverage.round() as u8,
        concepts,
        flags,
        words,
    }
}

/// Finds the first non-negated occurrence of `phrase`; returns the token range it spans.
fn find_phrase(
    phrase: &Phrase,
    tokens: &[Token],
    index: &FxHashMap<&str, Vec<usize>>,
) -> Option<(usize, usize)> {
    phrase.stems.first()?;
    let positions: Vec<std::borrow::Cow<'_, [usize]>> = phrase
        .stems
        .iter()
        .map(|s| positions_of(s, index))
        .collect::<Option<_>>()?;
    let rest: Vec<&[usize]> = positions[1..].iter().map(|p| p.as_ref()).collect();
    for &start in positions[0].iter() {
        if let Some(end) = extend(&rest, start) {
            // A negated phrase ("does not copy") needs the negation; any other must lack it.
            if phrase.negated == negated(tokens, start, end) {
                return Some((start, end));
            }
        }
    }
    None
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

/// Where `stem` occurs in the answer: exact occurrences, or else occurrences of stems one edit
/// away (Damerau–Levenshtein distance 1) when both are ASCII and at least
/// [`TYPO_MIN_LEN`] characters long (shorter names differ by one letter on purpose: CPython and
/// Cython), so "recurssion" and "dictionnary" still count. Sorted.
fn positions_of<'a>(
    stem: &str,
    index: &'a FxHashMap<&str, Vec<usize>>,
) -> Option<std::borrow::Cow<'a, [usize]>> {
    if let Some(p) = index.get(stem) {
        return Some(std::borrow::Cow::Borrowed(p.as_slice()));
    }
    if stem.len() < TYPO_MIN_LEN || !stem.is_ascii() {
        return None;
    }
    let mut found: Vec<usize> = index
        .iter()
        .filter(|(s, _)| s.len() >= TYPO_MIN_LEN && one_edit_apart(s.as_bytes(), stem.as_bytes()))
        .flat_map(|(_, p)| p.iter().copied())
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    Some(std::borrow::Cow::Owned(found))
}

/// Depth-first search for the rest of a phrase after position `prev`, each next word at most
/// [`MAX_GAP`] words after the previous one. Returns the last word's position.
fn extend(rest: &[&[usize]], prev: usize) -> Option<usize> {
    let Some((next, tail)) = rest.split_first() else {
        return Some(prev);
    };
    let from = next.partition_point(|&p| p <= prev);
    next[from..]
        .iter()
        .take_while(|&&p| p <= prev + 1 + MAX_GAP)
        .find_map(|&p| extend(tail, p))
}

/// Whether a negator in the same clause stands within [`NEGATION_WINDOW`] words before `start`
/// or anywhere inside `start..=end`.
fn negated(tokens: &[Token], start: usize, end: usize) -> bool {
    let clause = tokens[start].clause;
    let from = start.saturating_sub(NEGATION_WINDOW);
    tokens[from..=end]
        .iter()
        .any(|t| t.negator && (t.clause == clause || t.start > tokens[start].start))
}

/// `evidence_share` is the share of the answer's content words (not stop words) that lie inside
/// matched phrases: near 1 for an answer that is nothing but rubric phrases.
fn flags(
    rubric: &Rubric,
    answer: &str,
    tokens: &[Token],
    concepts: &[ConceptResult],
    evidence_share: f64,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut flag = |kind: FlagKind, message: &str| {
        flags.push(Flag {
            kind,
            message: message.to_string(),
        })
    };
    let words = tokens.len();
    if words == 0 {
        flag(
            FlagKind::Empty,
            "The answer has no words. Write a few sentences in your own words.",
        );
        return flags;
    }
    if words < rubric.min_words {
        flag(
            FlagKind::TooShort,
            "Too short to explain anything: say how it works and why, in a few sentences.",
        );
    }
    if words > MAX_WORDS {
        flag(
            FlagKind::TooLong,
            "Very long for a spoken answer: interviewers want the mechanism in a minute or two.",
        );
    }
    let content: Vec<&Token> = tokens.iter().filter(|t| !t.stop && !t.negator).collect();
    // Single letters (the `I` and `O` of "I/O", list markers) say nothing about sentence shape.
    let long: Vec<&Token> = tokens.iter().filter(|t| t.end - t.start > 1).collect();
    let stop_share = long.iter().filter(|t| t.stop).count() as f64 / long.len().max(1) as f64;
    let matched = concepts.iter().filter(|c| c.matched).count();
    let mean_item = mean_list_item(answer);
    if words >= 4
        && ((matched >= 2 && evidence_share >= 0.9)
            || stop_share < 0.15
            || (stop_share < 0.3 && mean_item <= 5.0)
            || mean_item <= 3.0)
    {
        flag(
            FlagKind::KeywordList,
            "This reads as a list of keywords: explain in sentences how the pieces connect.",
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
                "This mostly repeats the question: answer it in your own words.",
            );
        }
    }
    if content.len() >= 12 {
        let distinct: FxHashSet<&str> = content.iter().map(|t| t.stem.as_str()).collect();
        if (distinct.len() as f64) < 0.35 * content.len() as f64 {
            flag(
                FlagKind::Repetition,
                "The same words are repeated many times: each point once is enough.",
            );
        }
    }
    let any_matched = concepts.iter().any(|c| c.matched);
    if !any_matched {
        let shared = content
            .iter()
            .filter(|t| rubric.rubric_stems.contains(&t.stem))
            .count();
        if shared * 4 < content.len().max(1) {
            flag(
                FlagKind::OffTopic,
                "This does not seem to address the question: reread it and answer what it asks.",
            );
        }
    }
    let has_mechanisms = concepts.iter().any(|c| c.kind == ConceptKind::Mechanism);
    if any_matched
        && has_mechanisms
        && concepts
            .iter()
            .filter(|c| c.matched)
            .all(|c| c.kind == ConceptKind::Definition)
    {
        flag(
            FlagKind::DefinitionOnly,
            "You defined it but did not explain how or why it works: that is what interviewers probe.",
        );
    }
    flags
}

/// The mean number of words per item when an answer is split at line breaks, commas,
/// semicolons and bullets; infinite when there are fewer than three items (not a list). A list
/// of keywords has items of one to three words; sentences have more.
fn mean_list_item(answer: &str) -> f64 {
    let (mut items, mut words) = (0usize, 0usize);
    for item in answer.split(['\n', ',', ';', '•', '|']) {
        let n = item.split_whitespace().count();
        if n > 0 {
            items += 1;
            words += n;
        }
    }
    if items < 3 {
        f64::INFINITY
    } else {
        words as f64 / items as f64
    }
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

    #[test]
    fn same_input_same_report() {
        let r = gil_rubric();
        let a = "Only one thread at a time executes, it is a mutex 🔒 ```code```";
        assert_eq!(check(&r, a), check(&r, a));
    }
}
