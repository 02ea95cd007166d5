//! The console's file delivery: an [`Attachment`] is written to the files folder (`--files`,
//! by default `interview-bot-files` in the system's temporary folder) and its path printed.

use std::path::{Path, PathBuf};

use crate::engine::{Attachment, Command, ImportSource, QuestionCmd};

/// The files folder when `--files` is not given: `interview-bot-files` in the system's
/// temporary folder (so a session never litters the working directory).
pub fn default_files_dir() -> PathBuf {
    std::env::temp_dir().join("interview-bot-files")
}

/// Writes `file` into `dir` (created if missing) as `<seq>-<name>`, so files of one session
/// never overwrite each other, and returns the path.
///
/// Errors: the folder cannot be created or the file written (the message names the path).
pub fn save(dir: &Path, seq: u64, file: &Attachment) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| with_path(e, dir))?;
    // A name from the engine, but never a path: keep only its last component.
    let name = Path::new(&file.name)
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let path = dir.join(format!("{seq}-{name}"));
    std::fs::write(&path, &file.bytes).map_err(|e| with_path(e, &path))?;
    Ok(path)
}

/// Saves `file` (see [`save`]) and prints its text and path the way the console prints a
/// message (`[bot → alice, privately]` when `user` is set).
///
/// Errors: the file cannot be written, or the output fails.
pub fn print(
    out: &mut impl std::io::Write,
    (dir, seq): (&Path, u64),
    user: Option<&str>,
    file: &Attachment,
    text: &str,
) -> std::io::Result<()> {
    let path = save(dir, seq, file)?;
    match user {
        Some(u) => writeln!(out, "[bot → {u}, privately] {text}")?,
        None => writeln!(out, "[bot] {text}")?,
    }
    writeln!(out, "      (file: {})", path.display())
}

fn with_path(e: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(
        e.kind(),
        format!(
            "{}: {e} (choose another folder with --files DIR)",
            path.display()
        ),
    )
}

/// `/question import PATH` on the console: reads the file (a path as typed, relative to the
/// working directory) into the command, so the engine gets its name and text (the engine reads
/// no files). A file that cannot be read becomes [`ImportSource::Failed`] with the reason.
pub fn read_import(command: &mut Command) {
    let Command::Question(QuestionCmd::Import(source)) = command else {
        return;
    };
    let ImportSource::Named(path) = source else {
        return;
    };
    let name = Path::new(path.as_str())
        .file_name()
        .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
    *source = match std::fs::read_to_string(path.as_str()) {
        Ok(text) => ImportSource::Fetched { name, text },
        Err(e) => ImportSource::Failed {
            name: path.clone(),
            error: e.to_string(),
        },
    };
}
