//! Files on Slack with the upload flow that replaced the deprecated `files.upload`:
//! `files.getUploadURLExternal` (an upload URL and a file id), the bytes POSTed to that URL,
//! then `files.completeUploadExternal` to share the file in a channel or thread with the text as
//! its comment. A private file goes to the member's direct message (`conversations.open`),
//! since Slack has no ephemeral files. When Slack refuses (the app lacks `files:write`, or any
//! step fails) the text goes instead, ephemerally when private, so nothing is lost.

use slack_morphism::prelude::*;
use tracing::warn;

use super::split_id;
use crate::engine::{Attachment, ChannelRef};

type Session<'a> = SlackClientSession<'a, SlackClientHyperHttpsConnector>;
type CallResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Where a file goes: channel and optional thread.
async fn destination(
    session: &Session<'_>,
    channel: &ChannelRef,
    thread: Option<&str>,
    user: Option<&str>,
) -> CallResult<(String, Option<String>)> {
    if let Some(user) = user {
        let req =
            SlackApiConversationsOpenRequest::new().with_users(vec![SlackUserId(user.to_string())]);
        let dm = session.conversations_open(&req).await?;
        return Ok((dm.channel.id.to_string(), None));
    }
    Ok(match thread.and_then(split_id) {
        Some((ch, ts)) => (ch.to_string(), Some(ts.to_string())),
        None => (channel.id.clone(), None),
    })
}

/// The three calls of the upload flow.
async fn upload(
    session: &Session<'_>,
    (channel, thread_ts): (String, Option<String>),
    file: &Attachment,
    text: &str,
) -> CallResult<()> {
    let url = session
        .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
            file.name.clone(),
            file.bytes.len(),
        ))
        .await?;
    session
        .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
            url.upload_url,
            file.bytes.clone(),
            file.mime.clone(),
        ))
        .await?;
    let mut complete =
        SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
            url.file_id,
        )
        .with_title(file.name.clone())])
        .with_channel_id(channel.into())
        .with_initial_comment(text.to_string());
    if let Some(ts) = thread_ts {
        complete = complete.with_thread_ts(ts.into());
    }
    session.files_complete_upload_external(&complete).await?;
    Ok(())
}

/// Shares `file` with `text` (see the module comment); on failure sends `text` alone.
pub(super) async fn deliver_file(
    session: &Session<'_>,
    channel: &ChannelRef,
    thread: Option<&str>,
    user: Option<&str>,
    (file, text): (&Attachment, &str),
) -> CallResult<()> {
    let shared = async {
        let to = destination(session, channel, thread, user).await?;
        upload(session, to, file, text).await
    }
    .await;
    let Err(e) = shared else { return Ok(()) };
    warn!(error = %e, file = %file.name, "a Slack file upload failed; sending the text");
    let text = format!(
        "{text}\n_(The file `{}` could not be attached: the app may lack the `files:write` scope.)_",
        file.name
    );
    let (ch, thread_ts) = match thread.and_then(split_id) {
        Some((ch, ts)) => (ch.to_string(), Some(ts.to_string())),
        None => (channel.id.clone(), None),
    };
    let content = SlackMessageContent::new().with_text(text);
    match user {
        Some(user) => {
            let mut req =
                SlackApiChatPostEphemeralRequest::new(ch.into(), user.to_string().into(), content);
            if let Some(ts) = thread_ts {
                req = req.with_thread_ts(ts.into());
            }
            session.chat_post_ephemeral(&req).await?;
        }
        None => {
            let mut req = SlackApiChatPostMessageRequest::new(ch.into(), content);
            if let Some(ts) = thread_ts {
                req = req.with_thread_ts(ts.into());
            }
            session.chat_post_message(&req).await?;
        }
    }
    Ok(())
}
