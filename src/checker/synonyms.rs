//! Word-level synonymy for matching answers against rubric words: WordNet 3.0 for general
//! English plus a curated table for our field (`questions/synonyms.toml`), with a list of
//! protected technical terms that WordNet never maps to or from.
//!
//! Both tables are compiled into the binary: the WordNet table by `build.rs` (from the
//! `thesaurus-wordnet` crate, filtered to well-attested pairs), the curated file with
//! `include_str!`. Synonyms are looked up for *rubric* words only, once, when a rubric is
//! compiled; answers are never expanded, so checking an answer stays a set of hash lookups.
//!
//! Why 0.9: word alignment with paraphrase pairs, a synonym match earning 0.9 of an exact one,
//! is what lifted Sultan, Salazar & Sumner (2016, "Fast and easy short answer grading with high
//! accuracy", NAACL) above plain recall.

use std::sync::{Arc, LazyLock};

use compact_str::CompactString;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use super::text::normalize;

/// Credit for a rubric word matched through a synonym instead of itself (Sultan et al. 2016).
pub const SYNONYM_CREDIT: f64 = 0.9;

/// WordNet words with more synonyms than this are too polysemous to expand ("run", "take").
const MAX_WORDNET_SYNONYMS: usize = 12;

/// The WordNet table written by `build.rs`: one `word syn syn ...` line per word, sorted.
static WORDNET_TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/wordnet.txt"));

/// The memo's map and a reusable key buffer (see `SYNONYM_MEMO`).
type Memo = (FxHashMap<Box<str>, Arc<[CompactString]>>, String);

thread_local! {
    /// "word\0stem" → synonym stems: the bank repeats its words across questions, and each
    /// lookup stems up to a dozen WordNet entries. Bounded by the rubrics' vocabulary. The
    /// lists are shared (`Arc`), so every rubric word with the same synonyms points at one list.
    static SYNONYM_MEMO: std::cell::RefCell<Memo> =
        std::cell::RefCell::new((FxHashMap::default(), String::new()));
}

/// The curated groups and protected terms.
static CURATED: &str = include_str!("../../questions/synonyms.toml");

/// The process-wide thesaurus, built on first use (about 10 ms: one hash map over the WordNet
/// table, plus stemming the curated file).
pub static THESAURUS: LazyLock<Thesaurus> = LazyLock::new(|| {
    Thesaurus::from_parts(WORDNET_TABLE, CURATED)
        .expect("questions/synonyms.toml is checked by the test suite")
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedDoc {
    #[serde(default)]
    groups: Vec<Vec<String>>,
    #[serde(default)]
    protected: Vec<String>,
}

/// Synonym lookup for rubric words.
#[derive(Debug, Default)]
pub struct Thesaurus {
    /// WordNet: word → space-separated synonyms.
    wordnet: FxHashMap<&'static str, &'static str>,
    /// Curated: stem → the other stems of every group it belongs to.
    groups: FxHashMap<String, Vec<String>>,
    /// Stems of protected technical terms.
    protected: FxHashSet<String>,
}

impl Thesaurus {
    /// Builds a thesaurus from a WordNet table (`word syn syn` lines) and a curated TOML text
    /// (`groups = [[..]]`, `protected = [..]`). Errors: the TOML does not parse, or a group has
    /// fewer than two words.
    pub fn from_parts(wordnet: &'static str, curated: &str) -> Result<Thesaurus, String> {
        let doc: CuratedDoc =
            toml::from_str(curated).map_err(|e| format!("questions/synonyms.toml: {e}"))?;
        let mut groups: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for (i, group) in doc.groups.iter().enumerate() {
            let stems: Vec<String> = group.iter().map(|w| stem_of(w)).collect();
            if stems.len() < 2 || stems.iter().any(String::is_empty) {
                return Err(format!(
                    "questions/synonyms.toml: groups[{i}] needs two or more one-word entries, e.g. [\"remove\", \"delete\"]"
                ));
            }
            for s in &stems {
                let entry = groups.entry(s.clone()).or_default();
                for other in &stems {
                    if other != s && !entry.contains(other) {
                        entry.push(other.clone());
                    }
                }
            }
        }
        let protected = doc.protected.iter().map(|w| stem_of(w)).collect();
        let wordnet = wordnet
            .lines()
            .filter_map(|line| line.split_once(' '))
            .collect();
        Ok(Thesaurus {
            wordnet,
            groups,
            protected,
        })
    }

    /// Whether `stem` is a protected technical term.
    pub fn is_protected(&self, stem: &str) -> bool {
        self.protected.contains(stem)
    }

    /// The stems that count as synonyms of a rubric word: `word` is its lower-case surface form,
    /// `stem` its normalised stem. Curated groups first, then WordNet (never for a protected
    /// word, never to a protected word or a stop word). The stem itself is not included.
    pub fn synonyms(&self, word: &str, stem: &str) -> Vec<String> {
        self.shared_synonyms(word, stem)
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// [`Thesaurus::synonyms`] as a shared list: memoised per thread, and a hit neither
    /// allocates nor copies.
    pub(crate) fn shared_synonyms(&self, word: &str, stem: &str) -> Arc<[CompactString]> {
        SYNONYM_MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            let (map, key) = &mut *memo;
            key.clear();
            key.push_str(word);
            key.push('\0');
            key.push_str(stem);
            if let Some(hit) = map.get(key.as_str()) {
                return Arc::clone(hit);
            }
            let found: Arc<[CompactString]> = self
                .lookup(word, stem)
                .into_iter()
                .map(CompactString::from)
                .collect();
            map.insert(key.as_str().into(), Arc::clone(&found));
            found
        })
    }

    fn lookup(&self, word: &str, stem: &str) -> Vec<String> {
        let mut out: Vec<String> = self.groups.get(stem).cloned().unwrap_or_default();
        if !self.is_protected(stem) {
            for lemma in lemmas(word) {
                let Some(list) = self.wordnet.get(lemma.as_str()) else {
                    continue;
                };
                let syns: Vec<&str> = list.split(' ').collect();
                if syns.len() > MAX_WORDNET_SYNONYMS {
                    continue;
                }
                for s in syns {
                    let (syn_stem, stop, negator) = normalize(s);
                    if stop || negator || syn_stem == stem || self.is_protected(&syn_stem) {
                        continue;
                    }
                    if !out.contains(&syn_stem) {
                        out.push(syn_stem);
                    }
                }
            }
        }
        out
    }
}

fn stem_of(word: &str) -> String {
    let lower = word.trim().to_lowercase();
    if lower.is_empty() || lower.contains(char::is_whitespace) {
        return String::new();
    }
    normalize(&lower).0
}

/// Dictionary forms a word may have: itself, and the word with a regular inflection undone
/// (`releases` → `release`, `copied` → `copy`, `running` → `runn`, `run`...). Only forms that
/// WordNet knows are used, so wrong guesses cost nothing.
fn lemmas(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let mut push = |s: String| {
        if s.len() >= 3 && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(r) = word.strip_suffix("ies") {
        push(format!("{r}y"));
    }
    if let Some(r) = word.strip_suffix("ied") {
        push(format!("{r}y"));
    }
    for suffix in ["es", "s", "ed", "d", "ing"] {
        if let Some(r) = word.strip_suffix(suffix) {
            push(r.to_string());
            if suffix == "ing" || suffix == "ed" {
                push(format!("{r}e"));
                // doubled consonant: stopped → stop, running → run. ASCII letters only: two
                // equal trailing bytes may be the tail of one multi-byte character ("ↆ").
                if let [.., x, y] = r.as_bytes() {
                    if x == y && x.is_ascii_alphabetic() {
                        push(r[..r.len() - 1].to_string());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn(word: &str) -> Vec<String> {
        THESAURUS.synonyms(word, &normalize(word).0)
    }

    #[test]
    fn curated_file_parses_and_groups_are_symmetric() {
        let t = &*THESAURUS;
        assert!(syn("remove").contains(&normalize("delete").0));
        assert!(syn("delete").contains(&normalize("remove").0));
        assert!(syn("element").contains(&normalize("item").0));
        assert!(t.is_protected(&normalize("stack").0));
    }

    #[test]
    fn wordnet_adds_general_english_but_never_touches_protected_terms() {
        assert!(
            syn("modify").contains(&normalize("alter").0),
            "{:?}",
            syn("modify")
        );
        // WordNet pairs that would be wrong in our field.
        assert!(!syn("stack").contains(&normalize("heap").0));
        assert!(!syn("heap").contains(&normalize("stack").0));
        assert!(!syn("hash").iter().any(|s| s.starts_with("hashish")));
        assert!(!syn("pop").contains(&normalize("dad").0));
        assert!(!syn("thread").contains(&normalize("yarn").0));
        assert!(!syn("list").contains(&normalize("tilt").0));
        // and no protected word is reached from an unprotected one
        assert!(!syn("pile").contains(&normalize("stack").0));
    }

    #[test]
    fn bad_curated_files_are_rejected_with_the_place() {
        let e = Thesaurus::from_parts("", "groups = [[\"only\"]]").unwrap_err();
        assert!(e.contains("groups[0]"), "{e}");
        assert!(Thesaurus::from_parts("", "group = []").is_err());
    }
}
