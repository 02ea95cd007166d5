//! The question bank compiled into the binary: every `*.toml` under `questions/` at build time
//! (`build.rs` asks Cargo to rebuild when that folder changes), so `interview-bot` runs from any
//! folder. `--questions DIR` (or `INTERVIEW_BOT_QUESTIONS`) replaces it with the files of `DIR`.
//! The checker's synonym table, `questions/synonyms.toml`, is compiled in separately
//! (`checker::synonyms`) and applies with either bank.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use super::{Bank, BankErrors, SYNONYMS_FILE};

/// `questions/` as it was when the binary was built.
pub static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/questions");

/// Where embedded files say they come from in error messages (`questions/python/gil.toml`).
const EMBEDDED_ROOT: &str = "questions";

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<(&'a Path, &'a str)>) {
    for d in dir.dirs() {
        collect(d, out);
    }
    for f in dir.files() {
        let path = f.path();
        let is_topic = path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_some_and(|n| n != SYNONYMS_FILE);
        if let (true, Some(text)) = (is_topic, f.contents_utf8()) {
            out.push((path, text));
        }
    }
}

impl Bank {
    /// The bank compiled into the binary ([`EMBEDDED`]). As with [`Bank::load_dir`], the first
    /// folder level names the language (a file at the top level is `python`).
    ///
    /// Errors: only if the binary was built from a broken bank (`questions lint` and the test
    /// suite catch that before a release).
    pub fn embedded() -> Result<Bank, BankErrors> {
        let mut files = Vec::new();
        collect(&EMBEDDED, &mut files);
        files.sort();
        let named: Vec<(PathBuf, String, &str)> = files
            .into_iter()
            .map(|(path, text)| {
                let language = match path.parent().and_then(|p| p.components().next()) {
                    Some(c) => c.as_os_str().to_string_lossy().into_owned(),
                    None => "python".to_string(),
                };
                (Path::new(EMBEDDED_ROOT).join(path), language, text)
            })
            .collect();
        let refs: Vec<(&Path, &str, &str)> = named
            .iter()
            .map(|(p, l, t)| (p.as_path(), l.as_str(), *t))
            .collect();
        Bank::from_sources(&refs)
    }

    /// The bank to run with: the files of `dir` when given (they replace the embedded bank
    /// entirely), else the embedded bank.
    ///
    /// Errors: as [`Bank::load_dir`] or [`Bank::embedded`].
    pub fn load(dir: Option<&Path>) -> Result<Bank, BankErrors> {
        match dir {
            Some(dir) => Bank::load_dir(dir),
            None => Bank::embedded(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_bank_is_the_question_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        let from_disk = Bank::load_dir(&dir).expect("questions/ loads");
        let embedded = Bank::embedded().expect("the embedded bank loads");
        let ids = |b: &Bank| {
            b.questions()
                .iter()
                .map(|q| q.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&embedded), ids(&from_disk));
        assert_eq!(embedded.topics().len(), from_disk.topics().len());
        assert!(embedded.question("gil-parallelism").is_some());
    }
}
