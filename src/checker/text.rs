//! Text normalisation shared by rubrics and answers: Unicode word segmentation, lower-casing,
//! British → American spelling folding, Porter2 stemming, stop-word and negation marking.
//!
//! Both sides of every comparison (a rubric phrase and an answer) go through [`tokenize`], so
//! whatever this module decides about a word it decides the same way for both.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

/// One word of a text, as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised, stemmed form (`"serialises"` → `"serial"`).
    pub stem: String,
    /// Byte offset of the word's first byte in the original text.
    pub start: usize,
    /// Byte offset one past the word's last byte in the original text.
    pub end: usize,
    /// The word is an English stop word (see [`STOP_WORDS`]).
    pub stop: bool,
    /// The word negates what follows it (`not`, `never`, `doesn't`, ...).
    pub negator: bool,
    /// Index of the clause the word belongs to: it grows at every `. , ; : ! ?`, line break,
    /// dash (`—`, `–`, or `-` between spaces) and at "but",
    /// so negation does not reach across clause boundaries.
    pub clause: u32,
    /// Index of the sentence the word belongs to: it grows at every `. ! ?` and line break.
    pub sentence: u32,
}

/// English stop words: the NLTK English list (Bird, Klein & Loper, *Natural Language Processing
/// with Python*, 2009; `nltk.corpus.stopwords.words("english")`), minus the negators, which the
/// checker needs to see.
pub const STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "should",
    "now",
    "d",
    "ll",
    "m",
    "o",
    "re",
    "ve",
    "y",
    "also",
    "e.g",
    "i.e",
];

/// Words that negate the clause after them. Words ending in `n't` are negators too. `none` is
/// left out on purpose: in answers about Python it is nearly always the value `None`.
pub const NEGATORS: &[&str] = &[
    "not", "no", "never", "cannot", "without", "neither", "nor", "nothing", "nobody",
    // chat spellings without the apostrophe
    "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "wont", "shouldnt",
    "wouldnt", "couldnt", "hasnt", "havent", "aint",
];

static STOP_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| STOP_WORDS.iter().copied().collect());
static NEGATOR_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| NEGATORS.iter().copied().collect());
static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Characters that take no space and carry no meaning; they are dropped before segmentation so
/// that `thre\u{200B}ad` reads as `thread`.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Splits `text` into [`Token`]s. Offsets always refer to `text` itself, even when invisible
/// characters were dropped or curly apostrophes straightened for matching.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    // Fast path: most texts need no cleaning, so offsets map one to one.
    let needs_cleaning = text.chars().any(|c| is_invisible(c) || c == '\u{2019}');
    if !needs_cleaning {
        push_tokens(text, &|i| i, &mut tokens);
        return tokens;
    }
    let mut clean = String::with_capacity(text.len());
    let mut map: Vec<usize> = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        if is_invisible(c) {
            continue;
        }
        let c = if c == '\u{2019}' { '\'' } else { c };
        for _ in 0..c.len_utf8() {
            map.push(i);
        }
        clean.push(c);
    }
    map.push(text.len());
    // An original character may be longer than its replacement; `end` must land after it.
    let orig_end = |i: usize| -> usize {
        if i == 0 {
            return 0;
        }
        let prev = map[i - 1];
        let c = text[prev..].chars().next().map_or(0, char::len_utf8);
        prev + c
    };
    push_tokens_mapped(&clean, &map, &orig_end, &mut tokens);
    tokens
}

fn push_tokens(text: &str, map: &dyn Fn(usize) -> usize, out: &mut Vec<Token>) {
    push_tokens_inner(text, map, map, out)
}

fn push_tokens_mapped(
    clean: &str,
    map: &[usize],
    orig_end: &dyn Fn(usize) -> usize,
    out: &mut Vec<Token>,
) {
    push_tokens_inner(clean, &|i| map[i], orig_end, out)
}

fn push_tokens_inner(
    text: &str,
    map_start: &dyn Fn(usize) -> usize,
    map_end: &dyn Fn(usize) -> usize,
    out: &mut Vec<Token>,
) {
    let mut clause = 0u32;
    let mut sentence = 0u32;
    let mut last_end = 0usize;
    let mut lower = String::new();
    for (start, word) in text.unicode_word_indices() {
        let gap = &text[last_end..start];
        // A dash between spaces ("it doesn't matter - pytorch caches it") ends a clause too.
        if gap
            .chars()
            .any(|c| matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '—' | '–'))
            || gap.contains(" - ")
        {
            clause += 1;
            if text[last_end..start]
                .chars()
                .any(|c| matches!(c, '.' | '!' | '?' | '\n'))
            {
                sentence += 1;
            }
        }
        last_end = start + word.len();
        // UAX #29 keeps `functools.wraps` and `a:b` together; the checker wants their parts.
        let mut offset = 0;
        for part in word.split(['.', ':']) {
            let part_start = start + offset;
            offset += part.len() + 1;
            if part.is_empty() {
                continue;
            }
            lower.clear();
            lower.extend(part.chars().flat_map(char::to_lowercase));
            if lower == "but" {
                clause += 1;
            }
            let (stem, stop, negator) = normalize(&lower);
            out.push(Token {
                stem,
                start: map_start(part_start),
                end: map_end(part_start + part.len()),
                stop,
                negator,
                clause,
                sentence,
            });
        }
    }
}

/// Most distinct words remembered per thread by [`normalize`]; the memo is emptied when full,
/// so a flood of unique words (a pasted dump) costs memory only up to this bound.
const MEMO_LIMIT: usize = 50_000;

/// A memoised word: (stem, is a stop word, is a negator).
type Normalized = (Box<str>, bool, bool);

thread_local! {
    /// Lower-case word → (stem, stop word, negator). Stemming dominates the cost of reading a
    /// text, and the words of answers about one subject repeat a lot.
    static MEMO: RefCell<FxHashMap<Box<str>, Normalized>> = RefCell::new(FxHashMap::default());
}

/// Normalises one lower-case word: (stem, is a stop word, is a negator). Memoised per thread.
pub(crate) fn normalize(lower: &str) -> (String, bool, bool) {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some((stem, stop, negator)) = memo.get(lower) {
            return (stem.to_string(), *stop, *negator);
        }
        let negator = NEGATOR_SET.contains(lower) || lower.ends_with("n't");
        let stop = !negator && STOP_SET.contains(lower);
        let folded = americanize(lower);
        let stem = STEMMER.stem(&folded).into_owned();
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        memo.insert(lower.into(), (stem.as_str().into(), stop, negator));
        (stem, stop, negator)
    })
}

/// British spellings whose `-ise` ending is not the verb suffix, so they are kept as they are.
const ISE_EXCEPTIONS: &[&str] = &[
    "advise",
    "apprise",
    "arise",
    "chastise",
    "comprise",
    "compromise",
    "concise",
    "cruise",
    "demise",
    "despise",
    "devise",
    "disguise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "likewise",
    "merchandise",
    "noise",
    "otherwise",
    "paradise",
    "poise",
    "praise",
    "precise",
    "premise",
    "promise",
    "raise",
    "reprise",
    "revise",
    "rise",
    "clockwise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    "wise",
    "bruise",
    "guise",
    "sunrise",
    "anticlockwise",
    "uprise",
    "porpoise",
    "tortoise",
];

/// Roots whose British `-our` is American `-or` (behaviour → behavior).
const OUR_ROOTS: &[&str] = &[
    "behavi", "col", "fav", "hon", "lab", "neighb", "flav", "rum", "hum", "vap", "arm", "endeav",
    "harb", "sav", "vig", "parl", "rig", "tum", "od", "clam", "glam", "splend",
];

/// Roots that double their final `l` in British English (modelling → modeling).
const LL_ROOTS: &[&str] = &[
    "cancel", "model", "label", "travel", "signal", "level", "fuel", "marshal", "channel",
    "tunnel", "total", "counsel", "dial", "pedal", "quarrel", "funnel", "shovel", "tunnel",
];

/// Whole-word British → American replacements that no suffix rule covers.
const WORD_MAP: &[(&str, &str)] = &[
    ("centre", "center"),
    ("centres", "centers"),
    ("metre", "meter"),
    ("litre", "liter"),
    ("fibre", "fiber"),
    ("licence", "license"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("catalogue", "catalog"),
    ("catalogues", "catalogs"),
    ("dialogue", "dialog"),
    ("analogue", "analog"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("grey", "gray"),
    ("whilst", "while"),
];

/// Folds a lower-case British spelling to its American form, so that both stem alike:
/// `serialises` → `serializes`, `behaviour` → `behavior`, `analysed` → `analyzed`,
/// `modelling` → `modeling`. Words it does not know come back unchanged (borrowed).
pub fn americanize(word: &str) -> Cow<'_, str> {
    if let Some(&(_, us)) = WORD_MAP.iter().find(|(uk, _)| *uk == word) {
        return Cow::Borrowed(us);
    }
    // -isation(s) → -ization(s)
    for suffix in ["isations", "isation"] {
        if let Some(root) = word.strip_suffix(suffix) {
            if root.len() >= 2 {
                return Cow::Owned(format!("{root}iz{}", &suffix[2..]));
            }
        }
    }
    // -ise, -ises, -ised, -ising, -iser, -isers (verb suffix) → -iz...
    for suffix in ["ise", "ises", "ised", "ising", "iser", "isers"] {
        if let Some(root) = word.strip_suffix(suffix) {
            let base = format!("{root}ise");
            if base.len() >= 6 && !ISE_EXCEPTIONS.contains(&base.as_str()) {
                return Cow::Owned(format!("{root}iz{}", &suffix[2..]));
            }
        }
    }
    // -yse, -ysed, -yses, -ysing → -yz... (analyse, paralyse, catalyse)
    for suffix in ["yse", "ysed", "yses", "ysing", "yser", "ysers"] {
        if let Some(root) = word.strip_suffix(suffix) {
            if root.len() >= 3 {
                return Cow::Owned(format!("{root}yz{}", &suffix[2..]));
            }
        }
    }
    // -our... → -or...
    if let Some(pos) = word.find("our") {
        let root = &word[..pos];
        if OUR_ROOTS.contains(&root) {
            return Cow::Owned(format!("{root}or{}", &word[pos + 3..]));
        }
    }
    // -lled, -lling, -ller(s) → -led, -ling, -ler(s)
    for suffix in ["lled", "lling", "ller", "llers"] {
        if let Some(root) = word.strip_suffix(suffix) {
            let root_l = format!("{root}l");
            if LL_ROOTS.contains(&root_l.as_str()) {
                return Cow::Owned(format!("{root_l}{}", &suffix[2..]));
            }
        }
    }
    Cow::Borrowed(word)
}

/// Converts a byte offset in `text` into a character offset (what people and most JSON
/// consumers count).
pub fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn british_and_american_spellings_and_inflections_stem_alike() {
        let forms = [
            "serialises",
            "serializes",
            "serialized",
            "serialising",
            "serialise",
        ];
        let all: Vec<_> = forms.iter().map(|f| stems(f)).collect();
        assert!(all.windows(2).all(|w| w[0] == w[1]), "{all:?}");
        assert_eq!(stems("behaviour"), stems("behavior"));
        assert_eq!(stems("analysed"), stems("analyzed"));
        assert_eq!(stems("modelling"), stems("modeling"));
        assert_eq!(stems("optimisation"), stems("optimization"));
        // Exceptions keep their own stem and do not collapse into something else.
        assert_eq!(americanize("promise"), "promise");
        assert_eq!(americanize("otherwise"), "otherwise");
    }

    #[test]
    fn offsets_point_into_the_original_text_even_with_invisible_characters() {
        let text = "a thre\u{200B}ad doesn\u{2019}t run";
        let toks = tokenize(text);
        let thread = toks
            .iter()
            .find(|t| t.stem == "thread")
            .expect("thread token");
        assert_eq!(&text[thread.start..thread.end], "thre\u{200B}ad");
        let neg = toks.iter().find(|t| t.negator).expect("negator");
        assert_eq!(&text[neg.start..neg.end], "doesn\u{2019}t");
    }

    #[test]
    fn dotted_names_split_into_parts_and_clauses_count() {
        let toks = tokenize("use functools.wraps, but not here");
        let words: Vec<_> = toks.iter().map(|t| t.stem.as_str()).collect();
        assert_eq!(words, ["use", "functool", "wrap", "but", "not", "here"]);
        assert!(toks[4].negator);
        assert!(
            toks[3].clause > toks[2].clause,
            "comma and 'but' start a new clause"
        );
        assert_eq!(char_offset("é b", 3), 2);
    }
}
