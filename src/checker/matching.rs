//! Finding a rubric phrase in an answer: its words in order, each at most [`MAX_GAP`] words
//! after the previous one, through synonyms or a one-letter typo, with its polarity.

use super::index::StemIndex;
use super::{Answer, Phrase, Word, MAX_GAP};

/// A phrase found in an answer.
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    /// How many of its words matched through a synonym.
    pub(super) synonyms: usize,
    /// Whether any of its words lies in a negation's scope.
    pub(super) negated: bool,
}

/// Finds a phrase, preferring an occurrence outside any negation's scope; returns the token
/// range it spans.
pub(super) fn find_phrase(phrase: &Phrase, a: &Answer<'_>, lone_synonyms: bool) -> Option<Found> {
    if let [word] = phrase.words.as_slice() {
        return find_word(word, phrase.negated, a, lone_synonyms);
    }
    // Most phrases do not occur at all: rule that out by lookups alone before building
    // position lists (a missing long word may still occur misspelt, which needs the lists).
    let absent = |w: &Word| {
        !a.index.contains_key(w.stem.as_str())
            && !w.synonyms.iter().any(|s| a.index.contains_key(s.as_str()))
            && (w.stem.len() < TYPO_MIN_LEN || !w.stem.is_ascii())
    };
    if phrase.words.is_empty() || phrase.words.iter().any(absent) {
        return None;
    }
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
                negated: (start..=end).any(|p| a.is_negated(p)),
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

/// [`find_phrase`] for a one-word phrase, without building position lists: the first
/// occurrence of the right polarity, the word itself before its synonyms (or a typo of it).
fn find_word(word: &Word, negated: bool, a: &Answer<'_>, lone_synonyms: bool) -> Option<Found> {
    let mut fallback: Option<Found> = None;
    let scan = |ps: &[usize], synonyms: usize, fallback: &mut Option<Found>| {
        for &p in ps {
            let f = Found {
                start: p,
                end: p,
                synonyms,
                negated: a.is_negated(p),
            };
            if f.negated == negated {
                return Some(f);
            }
            fallback.get_or_insert(f);
        }
        None
    };
    if let Some(ps) = a.index.get(word.stem.as_str()) {
        if let Some(f) = scan(ps, 0, &mut fallback) {
            return Some(f);
        }
    } else {
        // typo tolerance, exactly as for longer phrases
        let mut ps: Vec<usize> = typo_positions(&word.stem, &a.index)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        ps.sort_unstable();
        if let Some(f) = scan(&ps, 0, &mut fallback) {
            return Some(f);
        }
    }
    if lone_synonyms {
        for s in word.synonyms.iter() {
            if let Some(ps) = a.index.get(s.as_str()) {
                if let Some(f) = scan(ps, 1, &mut fallback) {
                    return Some(f);
                }
            }
        }
    }
    fallback
}

/// Shortest stem that may match a misspelling of itself. 7 rather than 8 gained a little on both
/// shared sets (Mohler r 0.5690 → 0.5697, SAF 0.7671 → 0.7677, in reference mode) and changed
/// nothing on the graded set; 5 or 6 let short words stand in for each other in hand-written
/// rubrics (`questions lint` then finds prompts that score on their own).
pub const TYPO_MIN_LEN: usize = 7;

/// Whether two different ASCII words are one edit apart: one substitution, insertion, deletion,
/// or transposition of neighbours (Damerau–Levenshtein distance 1), in one pass without
/// allocating.
pub(super) fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
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
pub(super) fn positions_of(word: &Word, index: &StemIndex<'_>) -> Option<Vec<(usize, bool)>> {
    let mut found: Vec<(usize, bool)> = index
        .get(word.stem.as_str())
        .map(|p| p.iter().map(|&i| (i, false)).collect())
        .unwrap_or_default();
    for s in word.synonyms.iter() {
        if let Some(p) = index.get(s.as_str()) {
            found.extend(p.iter().map(|&i| (i, true)));
        }
    }
    if found.is_empty() {
        found = typo_positions(&word.stem, index);
    }
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    Some(found)
}

/// Where stems one edit away from `stem` occur (unsorted), when `stem` is ASCII and at least
/// [`TYPO_MIN_LEN`] bytes long; empty otherwise.
fn typo_positions(stem: &str, index: &StemIndex<'_>) -> Vec<(usize, bool)> {
    if stem.len() < TYPO_MIN_LEN || !stem.is_ascii() {
        return Vec::new();
    }
    index
        .long_stems()
        .filter(|(s, _)| one_edit_apart(s.as_bytes(), stem.as_bytes()))
        .flat_map(|(_, p)| p.iter().map(|&i| (i, false)))
        .collect()
}

/// Depth-first search for the rest of a phrase after position `prev`, each next word at most
/// [`MAX_GAP`] words after the previous one. Returns the last word's position and how many
/// words matched through a synonym.
pub(super) fn extend(rest: &[Vec<(usize, bool)>], prev: usize) -> Option<(usize, usize)> {
    let Some((next, tail)) = rest.split_first() else {
        return Some((prev, 0));
    };
    let from = next.partition_point(|&(p, _)| p <= prev);
    next[from..]
        .iter()
        .take_while(|&&(p, _)| p <= prev + 1 + MAX_GAP)
        .find_map(|&(p, syn)| extend(tail, p).map(|(end, n)| (end, n + usize::from(syn))))
}
