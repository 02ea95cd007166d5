//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use interview_bot::bank::Bank;
use interview_bot::engine::EngineConfig;

/// The real bank in `questions/`, loaded once per test binary.
pub fn bank() -> Arc<Bank> {
    static BANK: OnceLock<Arc<Bank>> = OnceLock::new();
    BANK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        Arc::new(Bank::load_dir(&dir).unwrap_or_else(|e| panic!("{e}")))
    })
    .clone()
}

/// Engine settings with a fixed seed.
pub fn config() -> EngineConfig {
    EngineConfig {
        seed: Some(7),
        ..EngineConfig::default()
    }
}

/// A fresh SQLite file in a temporary folder (kept alive by the returned guard).
pub fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    (dir, url)
}
pub mod fake_discord;
pub mod fake_discord_components;
pub mod fake_slack;
pub mod fake_slack_interactions;
pub mod multipart;
pub mod pg;
pub mod pictures;
pub mod seed;
