//! Compiling a rubric: phrases into stems with their synonyms, and each concept's vocabulary
//! (its "bag") for partial credit, weighted by how many concepts share a word.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::text::{tokenize, Token};
use super::*;

impl Rubric {
    /// Compiles concepts into a rubric. `prompt` is the question text (may be empty).
    ///
    /// Each phrase word gets its synonyms from [`synonyms::THESAURUS`]. Each concept's
    /// vocabulary for partial credit is the content words of its name and phrases, each weighted
    /// 1 ÷ (number of the rubric's concepts that share the word), × [`PROMPT_WORD_WEIGHT`] when
    /// the prompt has it, × [`GENERIC_WORD_WEIGHT`] for generic words ("python", "code").
    pub fn new(concepts: Vec<ConceptSpec>, prompt: &str) -> Rubric {
        let mut rubric = Rubric::compile(concepts, prompt);
        rubric.build_bags(None);
        rubric
    }

    /// [`Rubric::new`] then [`Rubric::with_reference`], building each concept's vocabulary
    /// once (what the bank does for every question).
    pub fn for_question(concepts: Vec<ConceptSpec>, prompt: &str, reference: &str) -> Rubric {
        Rubric::compile(concepts, prompt).with_reference(reference)
    }

    /// Concepts compiled, vocabularies not built: for rubrics whose concepts are single words
    /// (reference mode), where partial credit never applies.
    pub(crate) fn compile(concepts: Vec<ConceptSpec>, prompt: &str) -> Rubric {
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
        Rubric::assemble(concepts, prompt)
    }

    /// Reference mode: concepts of one word each, given as (spec, stem, lower-case surface
    /// word) from a reference already tokenised, so no word is tokenised again.
    pub(crate) fn compile_words(words: Vec<(ConceptSpec, String, String)>, prompt: &str) -> Rubric {
        let concepts: Vec<Concept> = words
            .into_iter()
            .map(|(spec, stem, surface)| Concept {
                phrases: vec![Phrase {
                    words: vec![word(&stem, &surface)],
                    negated: false,
                }],
                misconceptions: Vec::new(),
                bag: Vec::new(),
                bag_weight: 0.0,
                spec,
            })
            .collect();
        Rubric::assemble(concepts, prompt)
    }

    fn assemble(concepts: Vec<Concept>, prompt: &str) -> Rubric {
        // In u64: the sum of u32 weights cannot overflow (a bank file with absurd weights is
        // reported by the loader, but its rubric is still compiled first).
        let total_weight = concepts
            .iter()
            .map(|c| u64::from(c.spec.weight.max(1)))
            .sum();
        let prompt_stems = content_stems(prompt);
        let phrase_stems: FxHashSet<String> = concepts
            .iter()
            .flat_map(|c| {
                c.phrases
                    .iter()
                    .flat_map(|p| p.words.iter().map(|w| w.stem.to_string()))
            })
            .collect();
        Rubric {
            concepts,
            credit: Credit::Linear,
            min_words: MIN_WORDS,
            shape_penalties: true,
            total_weight,
            topic_stems: prompt_stems.union(&phrase_stems).cloned().collect(),
            prompt_stems,
            negation: true,
            lone_synonyms: false,
            prompt: prompt.to_string(),
            similarity: None,
            segments: Vec::new(),
            prior_weight: 0.0,
        }
    }

    /// Adds the reference answer: each concept's vocabulary gains the content words of the
    /// reference sentence that shares most of its phrase words (at [`REFERENCE_WORD_WEIGHT`]),
    /// and the reference's words count as on-topic.
    ///
    /// It also becomes a second, minor measure: [`SIMILARITY_WEIGHT`] of the score is the
    /// reference-answer similarity of [`reference::rubric_from_reference`] (the measure checked
    /// against human graders on the Mohler and SAF sets), so an on-topic answer that says
    /// something right in words no phrase foresaw still ranks above a wrong or off-topic one.
    pub fn with_reference(mut self, reference: &str) -> Rubric {
        let tokens = tokenize(reference);
        self.topic_stems.extend(
            tokens
                .iter()
                .filter(|t| !t.stop && !t.negator)
                .map(|t| t.stem.clone()),
        );
        self.build_bags(Some((reference, &tokens)));
        let (words, _) = reference::reference_words(
            reference,
            &tokens,
            &self.prompt,
            &reference::Idf::default(),
        );
        self.similarity = Some(Box::new(Similarity::new(&words)));
        self
    }

    /// `reference`: the reference answer and its tokens.
    fn build_bags(&mut self, reference: Option<(&str, &[Token])>) {
        // (stem, surface word, from the name or phrases rather than the reference)
        let mut raw: Vec<Vec<(String, String, bool)>> = Vec::with_capacity(self.concepts.len());
        let sentences: Vec<&[Token]> = reference
            .map(|(_, tokens)| tokens.chunk_by(|a, b| a.sentence == b.sentence).collect())
            .unwrap_or_default();
        let reference = reference.map(|(text, _)| text);
        for c in &self.concepts {
            let mut words: Vec<(String, String, bool)> = Vec::new();
            // `text` is what the tokens' offsets point into (for the surface word).
            let mut add = |text: &str, tokens: &[Token], core: bool| {
                for t in tokens {
                    if t.stop || t.negator || t.stem.chars().count() < 2 {
                        continue;
                    }
                    if let Some(w) = words.iter_mut().find(|w| w.0 == t.stem) {
                        w.2 |= core;
                    } else {
                        words.push((t.stem.clone(), text[t.start..t.end].to_lowercase(), core));
                    }
                }
            };
            add(&c.spec.name, &tokenize(&c.spec.name), true);
            for p in &c.spec.phrases {
                add(p, &tokenize(p), true);
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
            if let (Some((_, sentence)), Some(reference)) = (best, reference) {
                add(reference, sentence, false);
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

    /// Reference mode: the concepts (by index) that each sentence of the reference answer
    /// mentions, for [`super::SEGMENT_WEIGHT`] of the credit. Indices past the last concept are
    /// a caller's bug and panic when an answer is checked.
    pub(crate) fn with_segments(mut self, segments: Vec<Vec<u32>>) -> Rubric {
        self.segments = segments;
        self
    }

    /// Reference mode: smooths the coverage with a pseudo-concept of this weight credited at
    /// [`super::PRIOR_SHARE`] (0, the default, turns it off).
    pub(crate) fn with_prior(mut self, weight: f64) -> Rubric {
        self.prior_weight = weight.max(0.0);
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
            .map(|p| p.words.iter().map(|w| w.stem.to_string()).collect())
            .collect()
    }
}

/// Generic words of our field, as stems: they weigh little as evidence of any one concept.
pub(super) static GENERIC_STEMS: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
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
        stem: stem.into(),
        synonyms: synonyms::THESAURUS.shared_synonyms(surface, stem),
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
