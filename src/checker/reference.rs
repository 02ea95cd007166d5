//! Reference-answer mode: a rubric derived automatically from a model answer, for custom
//! questions that come without hand-written concepts (and for the Mohler benchmark).
//!
//! Every distinct content word of the reference becomes a one-word concept. Its weight is the
//! square root of its inverse document frequency over a corpus of texts (rare words say more
//! than common ones; Spärck Jones 1972, idf = ln(1 + N / (df + 1)); the root damps it, which
//! agreed better with graders than plain idf), and words that merely repeat the question are
//! discounted (Mohler et al. 2011 remove question words; a discount keeps a little credit where
//! the question's own term is the answer's subject). Coverage becomes score through
//! [`Credit::Sqrt`], blended with the coverage of the reference sentence the answer covers best
//! ([`super::SEGMENT_WEIGHT`]) and smoothed by one pseudo-word ([`super::PRIOR_SHARE`]); the
//! too-short flag scales with the reference's length.
//!
//! Each word also matches its synonyms at 0.9 ([`super::synonyms`]). Negation is not read
//! here: a concept is one word of vocabulary, not a claim, and a word said under a negation is
//! still on topic. Measured on both shared sets (with synonyms), reading it cost agreement:
//! clause-level scope r 0.540 (Mohler) / 0.752 (SAF); matching the reference's own polarity
//! 0.547 / 0.756; not reading it 0.569 / 0.753.

use std::collections::{HashMap, HashSet};

use super::text::{tokenize, Token};
use super::{ConceptKind, ConceptSpec, Credit, Rubric, MIN_WORDS};

/// Weight multiplier for reference words that also occur in the question (Mohler set: r 0.507
/// at 1.0, 0.551 at 0.3, 0.550 at 0.0, other settings as shipped).
pub const QUESTION_WORD_DISCOUNT: f64 = 0.3;
/// Concept weights are integers: idf × this, rounded (at least 1).
const WEIGHT_SCALE: f64 = 10.0;

/// Document frequencies of stems over a corpus, for idf weights.
#[derive(Debug, Clone, Default)]
pub struct Idf {
    docs: usize,
    df: HashMap<String, usize>,
}

impl Idf {
    /// Counts, for every stem, how many of `texts` contain it.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Idf {
        let mut idf = Idf::default();
        for t in texts {
            idf.docs += 1;
            let stems: HashSet<String> = tokenize(t)
                .into_iter()
                .filter(|t| !t.stop && !t.negator)
                .map(|t| t.stem)
                .collect();
            for s in stems {
                *idf.df.entry(s).or_default() += 1;
            }
        }
        idf
    }

    /// ln(1 + N / (df + 1)); with an empty corpus every word weighs ln 2.
    pub fn weight(&self, stem: &str) -> f64 {
        let df = self.df.get(stem).copied().unwrap_or(0) as f64;
        (1.0 + (self.docs.max(1) as f64) / (df + 1.0)).ln()
    }
}

/// Builds a rubric from a reference answer: one concept per distinct content word, weighted by
/// `idf` and discounted when the word repeats `question`. Each concept's phrase is the word as
/// written in the reference; its hint names the idea ("Say something about “heap”.").
pub fn rubric_from_reference(reference: &str, question: &str, idf: &Idf) -> Rubric {
    rubric_from_tokens(reference, &tokenize(reference), question, idf)
}

/// One distinct content word of a reference answer, as a concept of a derived rubric.
pub(crate) struct ReferenceWord {
    /// The word as first written in the reference.
    pub(crate) surface: String,
    /// Its stem.
    pub(crate) stem: String,
    /// √idf × [`WEIGHT_SCALE`], discounted when the question has it; at least 1.
    pub(crate) weight: u32,
}

/// The distinct content words of a reference (from its tokens, `tokenize(reference)`), in order
/// of first use, weighted; and for each sentence of the reference, the indices of the words it
/// mentions (sentences without any left out).
pub(crate) fn reference_words(
    reference: &str,
    tokens: &[Token],
    question: &str,
    idf: &Idf,
) -> (Vec<ReferenceWord>, Vec<Vec<u32>>) {
    let question_stems: HashSet<String> = tokenize(question)
        .into_iter()
        .filter(|t| !t.stop)
        .map(|t| t.stem)
        .collect();
    // stem → word index; per reference sentence, the words it mentions
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut segments: Vec<Vec<u32>> = Vec::new();
    let mut words = Vec::new();
    for t in tokens {
        if t.stop || t.negator || t.stem.chars().count() < 2 {
            continue;
        }
        let next = seen.len() as u32;
        let index = *seen.entry(t.stem.as_str()).or_insert(next);
        let sentence = t.sentence as usize;
        if segments.len() <= sentence {
            segments.resize(sentence + 1, Vec::new());
        }
        if !segments[sentence].contains(&index) {
            segments[sentence].push(index);
        }
        if index != next {
            continue;
        }
        let mut w = idf.weight(&t.stem).sqrt();
        if question_stems.contains(&t.stem) {
            w *= QUESTION_WORD_DISCOUNT;
        }
        words.push(ReferenceWord {
            surface: reference[t.start..t.end].to_string(),
            stem: t.stem.clone(),
            weight: ((w * WEIGHT_SCALE).round() as u32).max(1),
        });
    }
    segments.retain(|s| !s.is_empty());
    (words, segments)
}

/// [`rubric_from_reference`] from the reference's tokens (`tokenize(reference)`).
pub(crate) fn rubric_from_tokens(
    reference: &str,
    tokens: &[Token],
    question: &str,
    idf: &Idf,
) -> Rubric {
    let (words, segments) = reference_words(reference, tokens, question, idf);
    // one reference word of average weight (see PRIOR_SHARE)
    let mean_weight =
        words.iter().map(|w| f64::from(w.weight)).sum::<f64>() / words.len().max(1) as f64;
    let concepts = words
        .into_iter()
        .map(|w| {
            let lower = w.surface.to_lowercase();
            let spec = ConceptSpec {
                hint: format!("Say something about “{}”.", w.surface),
                phrases: vec![w.surface.clone()],
                name: w.surface,
                weight: w.weight,
                kind: ConceptKind::Mechanism,
                misconceptions: Vec::new(),
            };
            (spec, w.stem, lower)
        })
        .collect();
    Rubric::compile_words(concepts, question)
        .with_negation(false)
        .with_lone_synonyms(true)
        .with_credit(Credit::Sqrt)
        .with_shape_penalties(false)
        .with_min_words(MIN_WORDS.min(tokens.len() / 2).max(1))
        .with_segments(segments)
        .with_prior(mean_weight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::check;

    #[test]
    fn rare_words_weigh_more_and_question_words_less() {
        let idf = Idf::from_texts([
            "a stack is a list",
            "a queue is a list",
            "the heap orders items by priority in a list",
        ]);
        assert!(idf.weight("heap") > idf.weight("list"));
        let r = rubric_from_reference(
            "A heap keeps the smallest item at the root of a list.",
            "What does a heap keep?",
            &idf,
        );
        let weights: HashMap<String, u32> =
            r.concepts().map(|c| (c.name.clone(), c.weight)).collect();
        assert!(weights["root"] > weights["heap"], "{weights:?}");
        let good = check(
            &r,
            "It keeps the smallest element at the root, which is fast to read.",
        );
        let poor = check(&r, "A heap is a heap.");
        assert!(good.score > poor.score, "{} vs {}", good.score, poor.score);
    }

    #[test]
    fn an_answer_that_covers_one_sentence_fully_earns_more_than_its_share_of_all() {
        let idf = Idf::default();
        let reference = "Routers forward packets by destination address. \
                         Switches learn ports from source frames.";
        let r = rubric_from_reference(reference, "What do routers and switches do?", &idf);
        let answer = "A router will forward each packet according to its destination address.";
        let with = check(&r, answer);
        let without = check(&r.clone().with_segments(Vec::new()), answer);
        assert!(
            with.score > without.score,
            "{} vs {}",
            with.score,
            without.score
        );
        // One sentence's worth of the words, spread over both sentences, gains nothing.
        let spread = "Routers forward things, and switches learn things.";
        let with = check(&r, spread).score;
        let without = check(&r.clone().with_segments(Vec::new()), spread).score;
        assert!(with <= without + 1, "{with} vs {without}");
    }

    #[test]
    fn a_short_reference_is_smoothed_towards_the_middle() {
        let idf = Idf::default();
        let r = rubric_from_reference(
            "Unlimited number.",
            "How many constructors can a class have?",
            &idf,
        );
        let full = check(
            &r,
            "An unlimited number of constructors, one per parameter list.",
        )
        .score;
        assert_eq!(full, 88, "√(2.3 / 3) of the credit");
        // On topic (it names the question's words) but none of the reference's.
        let none = check(
            &r,
            "A class can have several constructors, as many as you overload.",
        )
        .score;
        assert_eq!(none, 32, "√(0.3 / 3) of the credit");
        let off = check(&r, "Bananas are yellow fruit that grow in tropical places.").score;
        assert_eq!(off, 0);
        // Without the prior the same answers earn 100 and 0.
        let plain = r.clone().with_prior(0.0);
        assert_eq!(
            check(
                &plain,
                "An unlimited number of constructors, one per parameter list."
            )
            .score,
            100
        );
        assert_eq!(
            check(
                &plain,
                "A class can have several constructors, as many as you overload."
            )
            .score,
            0
        );
    }
}
