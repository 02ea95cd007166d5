//! Unit tests of the checker: matching, synonyms, partial credit, negation, shape flags.

use super::matching::one_edit_apart;
use super::*;

fn gil_rubric() -> Rubric {
    let spec = |name: &str, kind, phrases: &[&str], hint: &str| ConceptSpec {
        name: name.into(),
        weight: 1,
        kind,
        phrases: phrases.iter().map(|s| s.to_string()).collect(),
        hint: hint.into(),
        misconceptions: Vec::new(),
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
        misconceptions: Vec::new(),
    };
    let r = Rubric::new(vec![spec], "");
    assert!(check(&r, "Type hints are not enforced at runtime by CPython.").concepts[0].matched);
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

fn concept(name: &str, phrases: &[&str]) -> ConceptSpec {
    ConceptSpec {
        name: name.into(),
        weight: 1,
        kind: ConceptKind::Mechanism,
        phrases: phrases.iter().map(|s| s.to_string()).collect(),
        hint: "h".into(),
        misconceptions: Vec::new(),
    }
}

#[test]
fn negation_reaches_over_its_clause_not_beyond() {
    let r = Rubric::new(
        vec![
            concept(
                "Blocking I/O releases the lock",
                &["blocking I/O releases the lock"],
            ),
            concept("Copying is needed", &["copy the data"]),
            concept("Threads take turns", &["threads take turns"]),
        ],
        "",
    );
    // "not even during" is three words from the match: a two-word window missed it.
    let rep = check(
        &r,
        "Threads never let go of the lock, not even during blocking I/O releases the lock.",
    );
    assert_eq!(rep.concepts[0].how, Match::Negated, "{rep:#?}");
    // contractions, and a predicate of absence that reaches back
    let rep = check(
        &r,
        "You really don't need to copy the data, copying the data isn't needed.",
    );
    assert_eq!(rep.concepts[1].credit, 0.0, "{rep:#?}");
    // "not only" negates nothing; a negation ends at "but" or a comma
    let rep = check(
        &r,
        "Not only do threads take turns, they also switch often.",
    );
    assert_eq!(rep.concepts[2].how, Match::Phrase, "{rep:#?}");
    let rep = check(
        &r,
        "It is not parallel, but threads take turns on the lock.",
    );
    assert_eq!(rep.concepts[2].how, Match::Phrase, "{rep:#?}");
    let rep = check(&r, "It is not the case that threads take turns.");
    assert_eq!(rep.concepts[2].how, Match::Negated, "{rep:#?}");
}

#[test]
fn a_negated_verb_denies_its_subject_but_not_a_relative_clause_s_head() {
    let r = Rubric::new(
        vec![
            concept("Teardown runs after yield", &["code after yield"]),
            concept("A future is a placeholder", &["placeholder"]),
            concept("Mismatched tokens are rejected", &["rejects posts"]),
        ],
        "",
    );
    // the negation follows the words it denies
    let rep = check(&r, "The code after yield doesn't run if the test fails.");
    assert_eq!(rep.concepts[0].how, Match::Negated, "{rep:#?}");
    let rep = check(&r, "The code after yield never runs when a test fails.");
    assert_eq!(rep.concepts[0].how, Match::Negated, "{rep:#?}");
    // ... but not past "that", "where", "when", "if", "who"
    let rep = check(
        &r,
        "You get a placeholder for the result of a call that hasn't finished yet.",
    );
    assert_eq!(rep.concepts[1].how, Match::Phrase, "{rep:#?}");
    let rep = check(
        &r,
        "The middleware rejects POSTs where the submitted token doesn't match.",
    );
    assert_eq!(rep.concepts[2].how, Match::Phrase, "{rep:#?}");
    // a negating determiner ("no", "without") still reaches forward only
    let rep = check(&r, "The middleware rejects POSTs with no token.");
    assert_eq!(rep.concepts[2].how, Match::Phrase, "{rep:#?}");
}

#[test]
fn a_negated_phrase_blocks_partial_credit_for_its_concept() {
    let r = Rubric::new(
        vec![concept(
            "Generators are single-pass and keep one frame suspended",
            &["single pass", "frame suspended"],
        )],
        "",
    );
    let rep = check(
        &r,
        "generators aren't single pass, you can loop over them again and the frame is kept.",
    );
    assert_eq!(rep.score, 0, "{rep:#?}");
}

#[test]
fn lists_of_multi_word_phrases_are_flagged() {
    let r = gil_rubric();
    for list in [
        "one thread at a time, released during blocking I/O, global lock, bytecode execution",
        "- one thread at a time\n- released during blocking I/O\n- serialises bytecode execution",
        "global lock / one thread at a time / release the lock while waiting",
    ] {
        let rep = check(&r, list);
        assert!(rep.has_flag(FlagKind::KeywordList), "{list}: {rep:#?}");
        assert!(rep.score <= 30, "{list}: {}", rep.score);
    }
    // The same ideas in sentences are not a list.
    let prose = check(
        &r,
        "It is a global lock, so only one thread at a time runs bytecode, and it is released \
         during blocking I/O so the others can run meanwhile.",
    );
    assert!(!prose.has_flag(FlagKind::KeywordList), "{prose:#?}");
    assert!(prose.score >= 2 * check(&r, "one thread at a time, released during blocking I/O, global lock, bytecode execution").score);
}

#[test]
fn synonyms_match_at_0_9_and_protected_terms_never() {
    let r = Rubric::new(
        vec![
            concept("Mutating in place", &["modify the list in place"]),
            concept("Remove items", &["remove the element"]),
            concept("Pop from the stack", &["pop from the stack"]),
        ],
        "",
    );
    let rep = check(&r, "You alter the list in place.");
    assert_eq!(rep.concepts[0].how, Match::Synonym, "{rep:#?}");
    assert!((rep.concepts[0].credit - synonyms::SYNONYM_CREDIT).abs() < 1e-9);
    // curated: remove ≈ delete, element ≈ item
    let rep = check(&r, "then delete the item");
    assert_eq!(rep.concepts[1].how, Match::Synonym, "{rep:#?}");
    // WordNet says stack ≈ heap and pop ≈ dad: protected terms never match that way.
    let rep = check(&r, "pop from the heap");
    assert!(!rep.concepts[2].matched, "{rep:#?}");
    // A phrase said wholly in synonyms is too loose.
    let rep = check(&r, "alter");
    assert!(!rep.concepts[0].matched);
    // "don't matter" denies, unlike "no matter".
    let r = Rubric::new(vec![concept("Per-host limits", &["per-host limits"])], "");
    assert!(!check(&r, "per-host limits don't matter").concepts[0].matched);
    assert!(check(&r, "no matter what, per-host limits apply").concepts[0].matched);
}

#[test]
fn a_sentence_covering_a_concepts_words_earns_partial_credit() {
    let r = Rubric::new(
        vec![
            concept(
                "A with block calls __exit__ even when an exception escapes",
                &["__exit__ runs on exception", "cleanup guaranteed"],
            ),
            concept("Files are closed", &["file is closed"]),
        ],
        "What does a with statement do?",
    )
    .with_reference(
        "The with block calls __exit__ on the way out, even when an exception escapes, \
         so the file is closed. Cleanup is guaranteed.",
    );
    let rep = check(
        &r,
        "whatever happens inside, even an exception escaping, python calls __exit__ for you",
    );
    assert_eq!(rep.concepts[0].how, Match::Partial, "{rep:#?}");
    assert!(rep.concepts[0].credit > 0.0 && rep.concepts[0].credit <= SOFT_MAX_CREDIT);
    assert!(!rep.has_flag(FlagKind::OffTopic));
}

#[test]
fn one_sentence_gives_full_partial_credit_to_one_concept_only() {
    let r = Rubric::new(
        vec![
            concept(
                "A with block calls __exit__ even when an exception escapes",
                &["__exit__ runs on exception"],
            ),
            concept(
                "The file handle is released at the end of the block",
                &["handle is released"],
            ),
        ],
        "What does a with statement do?",
    )
    .with_reference(
        "The with block calls __exit__ on the way out, even when an exception escapes, and \
         the file handle is released at the end of the block.",
    );
    // The same words, in two sentences and in one.
    let split = check(
        &r,
        "python calls __exit__ even if an exception escapes. the file handle gets freed at the end",
    );
    let joined = check(
        &r,
        "python calls __exit__ even if an exception escapes and the file handle gets freed at the end",
    );
    for rep in [&split, &joined] {
        assert!(
            rep.concepts.iter().all(|c| c.how == Match::Partial),
            "{rep:#?}"
        );
    }
    assert_ne!(split.concepts[0].evidence, split.concepts[1].evidence);
    assert_eq!(joined.concepts[0].evidence, joined.concepts[1].evidence);
    // In one sentence, the concept it covers less gets only a share of its partial credit
    // (unshared, it would earn as much as in its own sentence).
    let cap = SHARED_SENTENCE_FACTOR * SOFT_MAX_CREDIT;
    let credits = |rep: &Report| rep.concepts.iter().map(|c| c.credit).collect::<Vec<_>>();
    assert!(
        split.concepts.iter().all(|c| c.credit > cap),
        "{:?}",
        credits(&split)
    );
    assert!(
        joined.concepts.iter().any(|c| c.credit > cap),
        "{:?}",
        credits(&joined)
    );
    assert!(
        joined.concepts.iter().any(|c| c.credit <= cap),
        "{:?}",
        credits(&joined)
    );
    assert!(joined.score < split.score);
}

#[test]
fn misconceptions_cancel_the_concept_and_are_reported() {
    let mut c = concept("Threads take turns on the lock", &["threads take turns"]);
    c.misconceptions = vec!["threads run in parallel".into()];
    let r = Rubric::new(vec![c, concept("Processes", &["separate processes"])], "");
    let rep = check(
        &r,
        "Threads take turns, but threads run in parallel on all cores.",
    );
    assert_eq!(rep.concepts[0].how, Match::Misconception, "{rep:#?}");
    assert!(rep.has_flag(FlagKind::Misconception));
    assert_eq!(rep.score, 0);
    // Denying the misconception is fine.
    let rep = check(&r, "Threads take turns; threads never run in parallel.");
    assert_eq!(rep.concepts[0].how, Match::Phrase, "{rep:#?}");
}

#[test]
fn off_topic_only_when_nothing_is_shared() {
    let r = gil_rubric();
    let rep = check(
        &r,
        "no idea lol, anyone up for lunch at the new ramen place today?",
    );
    assert!(rep.has_flag(FlagKind::OffTopic));
    let rep = check(
        &r,
        "The GIL is a mutex, that is all I remember about it honestly.",
    );
    assert!(!rep.has_flag(FlagKind::OffTopic), "{rep:#?}");
}

#[test]
fn same_input_same_report() {
    let r = gil_rubric();
    let a = "Only one thread at a time executes, it is a mutex 🔒 ```code```";
    assert_eq!(check(&r, a), check(&r, a));
}
