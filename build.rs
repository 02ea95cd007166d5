//! Build script: turns the WordNet thesaurus (Princeton WordNet 3.0, packaged on crates.io as
//! `thesaurus-wordnet`) into a compact synonym table for the checker, `$OUT_DIR/wordnet.txt`.
//!
//! Each line is `word syn syn ...`, sorted by word, single lower-case ASCII words of three or
//! more letters only. WordNet lists a word's synonyms sense by sense; the merged list this
//! crate ships keeps one entry per (sense, synonym), so a synonym that shares two or more senses
//! with the word is counted twice or more. A pair is kept when it shares at least
//! [`MIN_SHARED_SENSES`] senses, or when the word has at most [`FEW_SENSES_ENTRIES`] entries in
//! all (a word with few senses rarely drifts): `release` keeps `free`, `relinquish`, `discharge`
//! and drops `turn`, `exit` and `passing`. Technical terms are protected at run time
//! (`questions/synonyms.toml`), not here.
//!
//! WordNet licence: "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved."
//! Permission to use, copy, modify and distribute it for any purpose is granted provided the
//! copyright notice appears in all copies (<https://wordnet.princeton.edu/license-and-commercial-use>).

use std::collections::BTreeMap;
use std::fmt::Write;

/// Shared senses that make a pair of words synonyms regardless of the word's polysemy.
const MIN_SHARED_SENSES: usize = 2;
/// A word with at most this many (sense, synonym) entries keeps all its single-word synonyms.
const FEW_SENSES_ENTRIES: usize = 12;

fn plain(word: &str) -> bool {
    word.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The question bank is compiled in (`include_dir!` in src/bank/embedded.rs), which Cargo does
    // not track on stable: rebuild when any file under questions/ changes.
    println!("cargo:rerun-if-changed=questions");
    // The same for the migrations `sqlx::migrate!` embeds (sqlx's documented advice).
    println!("cargo:rerun-if-changed=migrations");
    let raw = thesaurus_wordnet::uncompress().to_lowercase();
    let mut table: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in raw.lines() {
        let mut parts = line.split('|');
        let Some(word) = parts.next() else { continue };
        if !plain(word) {
            continue;
        }
        let all: Vec<&str> = parts.collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &all {
            if plain(s) && *s != word {
                *counts.entry(s).or_default() += 1;
            }
        }
        let keep: Vec<&str> = counts
            .into_iter()
            .filter(|&(_, n)| n >= MIN_SHARED_SENSES || all.len() <= FEW_SENSES_ENTRIES)
            .map(|(s, _)| s)
            .collect();
        if !keep.is_empty() {
            table.entry(word).or_default().extend(keep);
        }
    }
    let mut out = String::new();
    for (word, mut syns) in table {
        syns.sort_unstable();
        syns.dedup();
        let _ = writeln!(out, "{word} {}", syns.join(" "));
    }
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{dir}/wordnet.txt"), out).expect("write the synonym table");
}
