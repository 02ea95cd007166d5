//! The console's line syntax.

use super::*;

#[test]
fn line_syntax() {
    assert_eq!(
        parse_line("alice: /ask gil senior"),
        Some(Action::Say {
            who: "alice".into(),
            post: None,
            text: "/ask gil senior".into()
        })
    );
    assert_eq!(
        parse_line("bob #3: it works: because"),
        Some(Action::Say {
            who: "bob".into(),
            post: Some(3),
            text: "it works: because".into()
        })
    );
    assert_eq!(
        parse_line("bob edits #2: better"),
        Some(Action::Edit {
            who: "bob".into(),
            post: Some(2),
            text: "better".into()
        })
    );
    assert_eq!(
        parse_line("carol +👍 alice"),
        Some(Action::React {
            who: "carol".into(),
            add: true,
            emoji: "👍".into(),
            target: "alice".into(),
            post: None
        })
    );
    assert_eq!(
        parse_line("carol -👍 alice #4"),
        Some(Action::React {
            who: "carol".into(),
            add: false,
            emoji: "👍".into(),
            target: "alice".into(),
            post: Some(4)
        })
    );
    assert!(matches!(
        parse_line("dave deletes"),
        Some(Action::Delete { .. })
    ));
    assert_eq!(parse_line("what is this"), None);
    assert_eq!(
        parse_duration("1d 2h 30m"),
        Some(Duration::minutes(24 * 60 + 150))
    );
    assert_eq!(parse_duration("soon"), None);
    assert_eq!(
        parse_time("2026-03-02 09:00 Europe/Berlin"),
        Some(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap())
    );
}
