//! Negation read clause by clause: which words of an answer lie in a negation's scope.

use super::text::Token;
use super::NEGATION_SCOPE;

/// Stems of words that end a negation's scope inside a clause: a new clause starts at them.
const SCOPE_ENDS: &[&str] = &[
    "but", "so", "because", "which", "while", "wherea", "although", "though", "sinc", "unless",
    "howev", "yet", "instead", "otherwis", "then", "therefor", "thus", "henc",
];

/// Stems that start a relative or conditional clause: a negator reaching back stops at them
/// ("a placeholder for a call that hasn't finished" denies nothing about the placeholder).
const BACK_ENDS: &[&str] = &["that", "where", "when", "if", "who", "whose", "whom"];

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
/// words; back to the clause's start too (or to a relative "that", "where", "when", "if",
/// "who") when the negator negates a verb (`not`, `never`, `cannot`, any `n't` word: "the code
/// after yield doesn't run") or is followed by a predicate of absence ("X isn't needed").
/// "not only", "not just" and "no matter" negate nothing.
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
        // A negated verb denies what its clause says of the subject too: "the code after yield
        // doesn't run" denies that the code after yield runs.
        let verbal = matches!(t.stem.as_str(), "not" | "never" | "cannot")
            || t.stem.ends_with("n't")
            || t.stem.ends_with("nt");
        let reach_back = verbal
            || tokens[i + 1..]
                .iter()
                .take(3)
                .take_while(|n| n.clause == t.clause)
                .any(|n| ABSENCE_PREDICATES.contains(&n.stem.as_str()));
        if reach_back {
            let mut k = i;
            while k > 0
                && tokens[k - 1].clause == t.clause
                && !ends(&tokens[k - 1])
                && !BACK_ENDS.contains(&tokens[k - 1].stem.as_str())
            {
                k -= 1;
                out[k] = true;
            }
        }
    }
    out
}
