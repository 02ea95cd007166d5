//! `/question import FILE` on Slack, where FILE is a file shared in Slack: its id (`F0123ABCD`)
//! or its link (`https://team.slack.com/files/U…/F0123ABCD/team.toml`). The bot asks
//! `files.info` (scope `files:read`) for the file's private download URL and fetches it with the
//! bot token, at most [`MAX_IMPORT_BYTES`]. Only URLs Slack returns are fetched, never one typed
//! by a member.

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use slack_morphism::prelude::*;
use tracing::warn;

use super::State;
use crate::engine::{Command, ImportSource, QuestionCmd};

/// The largest question file `/question import` downloads (a bank topic's file is a few KB).
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// The Slack file id in what was typed: an id (`F…`) or a link with one as a path segment
/// (Slack shows links as `<url>` or `<url|label>`).
pub fn file_id(typed: &str) -> Option<String> {
    let typed = typed.trim().trim_start_matches('<').trim_end_matches('>');
    let typed = typed.split('|').next().unwrap_or(typed);
    let is_id = |s: &str| {
        s.len() >= 5
            && s.starts_with('F')
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if is_id(typed) {
        return Some(typed.to_string());
    }
    let path = typed.split_once("://").map_or(typed, |(_, rest)| rest);
    path.split('/')
        .skip(1)
        .find(|s| is_id(s))
        .map(str::to_string)
}

/// Replaces an import named by a Slack file id or link with the file's text (or the reason it
/// could not be read); anything else is left as it is.
pub(super) async fn fetch(client: &SlackHyperClient, state: &State, command: &mut Command) {
    let Command::Question(QuestionCmd::Import(source)) = command else {
        return;
    };
    let ImportSource::Named(typed) = source else {
        return;
    };
    let typed = typed.clone();
    let Some(id) = file_id(&typed) else {
        *source = ImportSource::Failed {
            name: typed,
            error: "give a Slack file: its id (F…) or its link, after sharing the .toml file in Slack; or type `/question import` alone to paste the file's text".into(),
        };
        return;
    };
    *source = match download(client, state, &id).await {
        Ok((name, text)) => ImportSource::Fetched { name, text },
        Err(error) => ImportSource::Failed { name: typed, error },
    };
}

async fn download(
    client: &SlackHyperClient,
    state: &State,
    id: &str,
) -> Result<(String, String), String> {
    let session = client.open_session(&state.token);
    let info = session
        .files_info(&SlackApiFilesInfoRequest::new(id.into()))
        .await
        .map_err(|e| {
            warn!(error = %e, "files.info failed");
            "Slack did not show me that file (is it shared in a channel I am in, and does the app have the files:read scope?)".to_string()
        })?;
    let name = info.file.name.clone().unwrap_or_else(|| id.to_string());
    let url = info
        .file
        .url_private_download
        .or(info.file.url_private)
        .ok_or("Slack gave no download link for that file")?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| format!("no TLS roots: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    let http: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let request = hyper::Request::get(url.as_str())
        .header(
            hyper::header::AUTHORIZATION,
            format!("Bearer {}", state.token.token_value.0),
        )
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    let response = http.request(request).await.map_err(|e| {
        warn!(error = %e, "file download failed");
        "the download failed; try again".to_string()
    })?;
    if !response.status().is_success() {
        return Err(format!("the download failed ({})", response.status()));
    }
    let body = Limited::new(response.into_body(), MAX_IMPORT_BYTES)
        .collect()
        .await
        .map_err(|_| format!("the file is larger than {MAX_IMPORT_BYTES} bytes"))?
        .to_bytes();
    let text = String::from_utf8(body.to_vec()).map_err(|_| "it is not UTF-8 text".to_string())?;
    Ok((name, text))
}

#[cfg(test)]
mod tests {
    use super::file_id;

    #[test]
    fn file_ids_from_ids_and_links() {
        assert_eq!(file_id("F0123ABCD").as_deref(), Some("F0123ABCD"));
        assert_eq!(
            file_id("<https://study.slack.com/files/U01/F0123ABCD/team.toml|team.toml>").as_deref(),
            Some("F0123ABCD")
        );
        assert_eq!(file_id("https://evil.example/x.toml"), None);
        assert_eq!(file_id("team.toml"), None);
    }
}
