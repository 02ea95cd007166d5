//! SQLite and PostgreSQL behind the same store: the same console script prints the same
//! transcript on both, and `store::open` picks the backend by the URL's scheme. (The engine
//! scenarios of `tests/engine.rs` run on both too.) Without PostgreSQL installed these tests
//! print why and pass, unless `INTERVIEW_BOT_REQUIRE_POSTGRES=1` (CI), where they fail.

mod common;

use chrono::{TimeZone, Utc};
use interview_bot::platform::console::{self, Console};
use interview_bot::store::{self, Backend};

/// A week in the console channel touching every store table: a schedule and its runs, `/ask`,
/// hints, answers (good, weak, late, edited, withdrawn), votes added and removed, boards of
/// every period and the workspace, `/stats`, a pause and resume, the close and reveal, and a
/// member's data export and deletion.
const SCRIPT: &str = r#"@time 2026-03-01 20:00 Europe/Berlin
@admins alice
alice: /qotd schedule "0 9 * * *" mid Europe/Berlin
@time 2026-03-02 09:30 Europe/Berlin
alice: /hint
alice: /hint
bob: /ask gil junior
carol #2: The GIL is a mutex in CPython. Only one thread at a time can execute Python bytecode, \
so threads do not speed up CPU-bound code, but blocking I/O releases the lock while it waits.
dave #2: It is a lock.
alice +👍 carol #2
bob +🔥 carol #2
bob +👍 dave #2
bob -👍 dave #2
carol +👍 carol #2
dave edits #2: The GIL is a lock so only one thread runs bytecode at a time; I/O releases it.
erin #1: Something about the question, written quickly without much thought at all.
erin deletes #1
@advance 1d
frank #2: Late: the GIL serialises bytecode execution across threads in CPython.
alice: /leaderboard week
alice: /leaderboard month
alice: /leaderboard all
alice: /leaderboard week mid
carol: /stats
dave: /stats
alice: /qotd pause
@advance 2d
alice: /qotd resume
@advance 1d
alice: /leaderboard workspace
dave: /privacy export
dave: /privacy forget
dave: /privacy forget confirm
alice: /leaderboard all
@advance 7d
alice: /leaderboard all
"#;

/// Runs the script on a fresh console at `url`; returns the transcript with the files folder
/// written as `<files>` (each run has its own).
async fn transcript(url: &str) -> String {
    let files = tempfile::tempdir().expect("files dir");
    let mut c = Console::open(
        url,
        common::bank(),
        common::config(),
        "study-group",
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    )
    .await
    .expect("console")
    .with_files_dir(files.path());
    let mut out = Vec::new();
    c.run(SCRIPT.as_bytes(), &mut out).await.expect("script");
    c.engine().pool().close().await;
    String::from_utf8(out)
        .unwrap()
        .replace(&files.path().display().to_string(), "<files>")
}

#[tokio::test]
async fn the_same_console_script_prints_the_same_transcript_on_both() {
    let dbs = common::databases("same_transcript").await;
    let Some(pg) = dbs.iter().find(|d| d.backend == "postgres") else {
        return; // the skip was printed by `databases`
    };
    let lite = transcript(&dbs[0].url).await;
    let on_pg = transcript(&pg.url).await;
    // The script did what it says (so equal transcripts are not two empty ones).
    for expect in [
        "#1",
        "#2",
        "scored",
        "Leaderboard",
        "Reference answer",
        "carol",
    ] {
        assert!(lite.contains(expect), "`{expect}` missing:\n{lite}");
    }
    if lite != on_pg {
        let first = lite
            .lines()
            .zip(on_pg.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(lite.lines().count().min(on_pg.lines().count()));
        panic!(
            "the transcripts differ from line {}:\nSQLite:     {:?}\nPostgreSQL: {:?}\n\nSQLite's whole transcript:\n{lite}\n\nPostgreSQL's:\n{on_pg}",
            first + 1,
            lite.lines().nth(first),
            on_pg.lines().nth(first),
        );
    }
}

#[tokio::test]
async fn open_picks_the_backend_by_scheme_and_refuses_others() {
    for db in common::databases("open_by_scheme").await {
        let pool = store::open(&db.url).await.unwrap();
        let expected = match db.backend {
            "postgres" => Backend::Postgres,
            _ => Backend::Sqlite,
        };
        assert_eq!(pool.backend(), expected);
        store::ping(&pool).await.unwrap();
        // Opening again (a restart, or a second process) runs no migration twice.
        pool.close().await;
        let again = store::open(&db.url).await.unwrap();
        let mut conn = again.acquire().await.unwrap();
        let channel = store::channel_id(&mut conn, console::PLATFORM, "c", None)
            .await
            .unwrap();
        assert_eq!(
            store::find_channel(&mut conn, console::PLATFORM, "c")
                .await
                .unwrap(),
            Some(channel)
        );
    }
    let err = store::open("mysql://localhost/bot").await.unwrap_err();
    assert!(
        err.to_string().contains("sqlite://") && err.to_string().contains("postgres://"),
        "{err}"
    );
}
