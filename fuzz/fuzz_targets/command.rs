//! The command parser (`/ask gil senior`, `/qotd schedule "0 9 * * 1-5" ...`) on any text: it
//! returns a command or an error, never panics, and its error message is never empty.
#![no_main]

use interview_bot::engine::command;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match command::parse(text) {
        Ok(c) => {
            // Deterministic.
            assert_eq!(
                format!("{c:?}"),
                format!("{:?}", command::parse(text).unwrap())
            );
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
