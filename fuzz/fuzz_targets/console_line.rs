//! The console's line parsers on any text: member lines (`alice #3: ...`, `bob +👍 alice`), and
//! the arguments of `@time` and `@advance`/`@downtime`: never a panic.
#![no_main]

use interview_bot::platform::console::{self, Action};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(action) = console::parse_line(text) {
        match &action {
            Action::Say { who, .. }
            | Action::Edit { who, .. }
            | Action::Delete { who, .. }
            | Action::React { who, .. } => assert!(!who.is_empty()),
        }
    }
    let _ = console::parse_time(text);
    let _ = console::parse_duration(text);
});
