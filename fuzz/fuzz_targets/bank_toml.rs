//! The bank loader on arbitrary text as a question file: it either loads or returns errors that
//! name the file, never panics. A file that loads is linted, and its questions' rubrics check
//! their own reference answers (the compiled rubric must be usable).
#![no_main]

use std::path::Path;

use interview_bot::bank::{self, Bank};
use interview_bot::checker;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("questions/python/fuzz.toml");
    match Bank::from_sources(&[(file, "python", text)]) {
        Ok(bank) => {
            let _ = bank::lint(&bank);
            for q in bank.questions() {
                let report = checker::check(&q.rubric, &q.reference_answer);
                assert!(report.score <= 100);
            }
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error list is never empty");
            for e in &errors.0 {
                assert_eq!(e.file, file, "every error names the file");
                // Rendering the error (with its excerpt of the file) must not panic either.
                let _ = e.to_string();
            }
        }
    }
});
