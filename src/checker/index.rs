//! Where each stem occurs in an answer: built once per answer, read by every concept.

use rustc_hash::FxHashMap;

use super::matching::TYPO_MIN_LEN;
use super::text::Token;

/// Stem → the positions (token indices, ascending) where it occurs. All positions live in one
/// vector grouped by stem, so building it costs a handful of allocations whatever the answer's
/// length (a map of vectors cost one allocation per distinct word, a third of the checker's
/// own work beyond tokenising).
pub(super) struct StemIndex<'a> {
    /// Stem → its id (order of first occurrence).
    ids: FxHashMap<&'a str, u32>,
    /// Id → stem.
    stems: Vec<&'a str>,
    /// Id → start of its positions in `positions`; one more entry than `stems`.
    starts: Vec<u32>,
    positions: Vec<usize>,
    /// Ids of the stems at least [`TYPO_MIN_LEN`] bytes long, in order of first occurrence:
    /// the only ones a misspelling is looked for among.
    long: Vec<u32>,
}

impl<'a> StemIndex<'a> {
    /// Indexes `tokens` by stem.
    pub(super) fn new(tokens: &'a [Token]) -> StemIndex<'a> {
        let mut ids: FxHashMap<&str, u32> =
            FxHashMap::with_capacity_and_hasher(tokens.len(), Default::default());
        let mut stems: Vec<&str> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut long: Vec<u32> = Vec::new();
        let token_ids: Vec<u32> = tokens
            .iter()
            .map(|t| {
                let id = *ids.entry(t.stem.as_str()).or_insert_with(|| {
                    if t.stem.len() >= TYPO_MIN_LEN {
                        long.push(stems.len() as u32);
                    }
                    stems.push(t.stem.as_str());
                    counts.push(0);
                    (stems.len() - 1) as u32
                });
                counts[id as usize] += 1;
                id
            })
            .collect();
        let mut starts = Vec::with_capacity(stems.len() + 1);
        let mut sum = 0u32;
        starts.push(0);
        for c in &counts {
            sum += c;
            starts.push(sum);
        }
        // `counts` becomes each id's next free slot
        counts.copy_from_slice(&starts[..stems.len()]);
        let mut positions = vec![0usize; tokens.len()];
        for (i, &id) in token_ids.iter().enumerate() {
            let slot = &mut counts[id as usize];
            positions[*slot as usize] = i;
            *slot += 1;
        }
        StemIndex {
            ids,
            stems,
            starts,
            positions,
            long,
        }
    }

    fn slice(&self, id: u32) -> &[usize] {
        let id = id as usize;
        &self.positions[self.starts[id] as usize..self.starts[id + 1] as usize]
    }

    /// Where `stem` occurs, ascending; `None` when it does not.
    pub(super) fn get(&self, stem: &str) -> Option<&[usize]> {
        self.ids.get(stem).map(|&id| self.slice(id))
    }

    /// Whether `stem` occurs.
    pub(super) fn contains_key(&self, stem: &str) -> bool {
        self.ids.contains_key(stem)
    }

    /// Every distinct stem with its positions, in order of first occurrence.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'a str, &[usize])> + '_ {
        self.stems
            .iter()
            .enumerate()
            .map(|(id, &s)| (s, self.slice(id as u32)))
    }

    /// Every distinct stem at least [`TYPO_MIN_LEN`] bytes long with its positions, in order of
    /// first occurrence.
    pub(super) fn long_stems(&self) -> impl Iterator<Item = (&'a str, &[usize])> + '_ {
        self.long
            .iter()
            .map(|&id| (self.stems[id as usize], self.slice(id)))
    }

    /// Every distinct stem, in order of first occurrence.
    pub(super) fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.stems.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::text::tokenize;

    #[test]
    fn positions_are_grouped_by_stem_in_order() {
        let tokens = tokenize("locks lock the lock; threads wait");
        let index = StemIndex::new(&tokens);
        assert_eq!(index.get("lock"), Some(&[0, 1, 3][..]));
        assert_eq!(index.get("thread"), Some(&[4][..]));
        assert!(index.contains_key("wait"));
        assert_eq!(index.get("heap"), None);
        let all: Vec<(&str, Vec<usize>)> = index.iter().map(|(s, p)| (s, p.to_vec())).collect();
        assert_eq!(all.len(), index.keys().count());
        assert_eq!(
            all.iter().map(|(_, p)| p.len()).sum::<usize>(),
            tokens.len()
        );
        assert!(StemIndex::new(&[]).get("lock").is_none());
        let long = tokenize("synchronization of threads, synchronization again");
        let index = StemIndex::new(&long);
        let stems: Vec<(&str, Vec<usize>)> =
            index.long_stems().map(|(s, p)| (s, p.to_vec())).collect();
        // exactly the stems of TYPO_MIN_LEN bytes or more, "thread" and "again" left out
        assert_eq!(stems.len(), 1);
        assert!(stems[0].0.len() >= TYPO_MIN_LEN);
        assert_eq!(stems[0].1, vec![0, 3]);
        assert!(index.keys().filter(|s| s.len() < TYPO_MIN_LEN).count() >= 3);
    }
}
