//! Events and actions: what adapters give the engine ([`Inbound`]) and what they do for it
//! ([`Outbound`]), in neutral terms (no platform library appears here).

use chrono::{DateTime, Utc};

use crate::bank::Tier;
use crate::engine::command::Command;
use crate::store::{AnswerId, PostId};

/// A channel on a platform. `id` is the platform's channel id (for Slack, the channel id; for
/// Discord, the channel where questions are posted).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelRef {
    /// `console`, `discord` or `slack`.
    pub platform: String,
    /// The platform's channel id.
    pub id: String,
    /// Discord guild id or Slack team id, when known.
    pub workspace: Option<String>,
}

impl ChannelRef {
    /// A channel without a workspace.
    pub fn new(platform: &str, id: &str) -> ChannelRef {
        ChannelRef {
            platform: platform.into(),
            id: id.into(),
            workspace: None,
        }
    }
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The platform's user id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Bots (including this one) never answer or vote.
    pub is_bot: bool,
    /// May manage schedules and reveal (Discord: Manage Server or a configured role; Slack:
    /// workspace admin or a configured user group).
    pub can_manage: bool,
}

/// A platform event, made neutral.
///
/// Thread and message ids are the adapter's: unique within the platform (a Slack adapter joins
/// channel and `ts`).
#[derive(Debug, Clone)]
pub enum Inbound {
    /// A command (slash command or typed `/ask ...`).
    Command {
        /// Platform id of the interaction (applied once).
        id: String,
        /// Where it was given.
        channel: ChannelRef,
        /// The thread it was given in, if any (for `/hint` and `/reveal`).
        thread: Option<String>,
        /// Who.
        actor: Actor,
        /// What.
        command: Command,
    },
    /// A new message in a thread.
    Message {
        /// The platform (and parent channel, where known).
        channel: ChannelRef,
        /// The thread.
        thread: String,
        /// The message id.
        message: String,
        /// Who wrote it.
        actor: Actor,
        /// Its text.
        text: String,
    },
    /// A message was edited.
    MessageEdited {
        /// The platform.
        channel: ChannelRef,
        /// The thread.
        thread: String,
        /// The message id.
        message: String,
        /// Who edited it.
        actor: Actor,
        /// The new text.
        text: String,
    },
    /// A message was deleted.
    MessageDeleted {
        /// The platform.
        channel: ChannelRef,
        /// The message id.
        message: String,
    },
    /// A reaction was added to a message.
    ReactionAdded {
        /// The platform.
        channel: ChannelRef,
        /// The message reacted to.
        message: String,
        /// The emoji (Unicode, or the platform's name such as `+1`).
        emoji: String,
        /// Who reacted.
        actor: Actor,
    },
    /// A reaction was removed.
    ReactionRemoved {
        /// The platform.
        channel: ChannelRef,
        /// The message.
        message: String,
        /// The emoji.
        emoji: String,
        /// Who removed it.
        actor: Actor,
    },
    /// A blind answer submitted privately (Discord modal, Slack modal, console `answers
    /// privately:`): scored like an answer in the thread, stored until the reveal, feedback to
    /// the author alone. A second one from the same member replaces the first while the post is
    /// open.
    PrivateAnswer {
        /// Platform id of the submission (Discord interaction id, Slack view id with its
        /// hash): applied once.
        id: String,
        /// Where the question was posted.
        channel: ChannelRef,
        /// The post answered (from the Answer button's custom id / the modal's metadata).
        post: PostId,
        /// Who.
        actor: Actor,
        /// The answer.
        text: String,
    },
}

/// A question as an adapter shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCard {
    /// Post number.
    pub post: PostId,
    /// Bank question id.
    pub question_id: String,
    /// Topic id.
    pub topic_id: String,
    /// Topic display name.
    pub topic_name: String,
    /// Tier.
    pub tier: Tier,
    /// The question.
    pub prompt: String,
    /// When it closes for points.
    pub closes_at: DateTime<Utc>,
    /// Posted by a schedule (question of the day) rather than `/ask`.
    pub scheduled: bool,
    /// Answers go in privately (an Answer button on Discord and Slack) and are revealed
    /// together at the close.
    pub blind: bool,
}

/// A file for an adapter to deliver: a chart, a leaderboard card, a member's data export.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name with its extension, e.g. `stats.png` (Discord and Slack show it).
    pub name: String,
    /// MIME type, e.g. `image/png` or `application/json`.
    pub mime: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    /// Name, type and size only: a PNG's bytes are noise in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Attachment({}, {}, {} bytes)",
            self.name,
            self.mime,
            self.bytes.len()
        )
    }
}

/// Something for an adapter to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// Post a question in a channel and open a thread on it; then call [`super::Engine::attach`].
    PostQuestion {
        /// Where.
        channel: ChannelRef,
        /// What.
        card: QuestionCard,
        /// Plain-text rendering (for platforms without rich messages).
        text: String,
        /// A name for the thread.
        thread_name: String,
    },
    /// A message in a question's thread, seen by everyone.
    ThreadReply {
        /// The platform and channel.
        channel: ChannelRef,
        /// The post.
        post: PostId,
        /// The thread, when the post has one.
        thread: Option<String>,
        /// Text.
        text: String,
    },
    /// A message in the channel, seen by everyone (leaderboards, schedule changes).
    ChannelMessage {
        /// Where.
        channel: ChannelRef,
        /// Text.
        text: String,
    },
    /// A message only `user` sees (ephemeral on Discord and Slack).
    Private {
        /// Where the user is.
        channel: ChannelRef,
        /// Thread, when the reply belongs in one.
        thread: Option<String>,
        /// The platform user id.
        user: String,
        /// Text.
        text: String,
    },
    /// A file with a text that carries the same data (screen readers, and the fallback where
    /// the upload fails: Slack without `files:write`). Discord: a message attachment (an
    /// ephemeral follow-up when private); Slack: `files.getUploadURLExternal`, upload,
    /// `files.completeUploadExternal` (a direct message when private); console: a file in the
    /// files folder, its path printed.
    File {
        /// Where.
        channel: ChannelRef,
        /// The thread, when it belongs in one.
        thread: Option<String>,
        /// Only this platform user gets it; `None`: everyone in the channel.
        user: Option<String>,
        /// The file.
        file: Attachment,
        /// The same data as text.
        text: String,
    },
    /// A picture to draw and send as a PNG file, with a text carrying the same data. The
    /// adapter draws it at delivery ([`crate::platform::pictures::draw`]), which turns it into
    /// a [`Outbound::File`], or into its text when drawing fails; the engine never draws.
    Picture {
        /// Where.
        channel: ChannelRef,
        /// The thread, when it belongs in one.
        thread: Option<String>,
        /// Only this platform user gets it; `None`: everyone in the channel.
        user: Option<String>,
        /// What to draw.
        picture: crate::charts::Picture,
        /// The same data as text.
        text: String,
    },
    /// A blind answer revealed at the close: a message in the post's thread, seen by everyone;
    /// then call [`super::Engine::attach_revealed`] with the message's id, so that votes on it
    /// count for the answer's author.
    RevealAnswer {
        /// The platform and channel.
        channel: ChannelRef,
        /// The post.
        post: PostId,
        /// The thread, when the post has one.
        thread: Option<String>,
        /// The answer revealed.
        answer: AnswerId,
        /// Text (author, score, the answer).
        text: String,
    },
    /// Add a reaction to a message.
    React {
        /// The platform and channel.
        channel: ChannelRef,
        /// The message.
        message: String,
        /// The emoji.
        emoji: String,
    },
}

impl Inbound {
    /// A reaction added (`add`) or removed by `actor` on `message`.
    pub fn reaction(
        add: bool,
        channel: ChannelRef,
        message: String,
        emoji: String,
        actor: Actor,
    ) -> Inbound {
        if add {
            Inbound::ReactionAdded {
                channel,
                message,
                emoji,
                actor,
            }
        } else {
            Inbound::ReactionRemoved {
                channel,
                message,
                emoji,
                actor,
            }
        }
    }
}

impl Outbound {
    /// The platform the action is for (`console`, `discord`, `slack`): when several platforms
    /// run in one process, each renders only its own.
    pub fn platform(&self) -> &str {
        match self {
            Outbound::PostQuestion { channel, .. }
            | Outbound::ThreadReply { channel, .. }
            | Outbound::ChannelMessage { channel, .. }
            | Outbound::Private { channel, .. }
            | Outbound::File { channel, .. }
            | Outbound::Picture { channel, .. }
            | Outbound::RevealAnswer { channel, .. }
            | Outbound::React { channel, .. } => &channel.platform,
        }
    }
}

impl Inbound {
    /// The channel the event happened in.
    pub fn channel(&self) -> &ChannelRef {
        match self {
            Inbound::Command { channel, .. }
            | Inbound::Message { channel, .. }
            | Inbound::MessageEdited { channel, .. }
            | Inbound::MessageDeleted { channel, .. }
            | Inbound::ReactionAdded { channel, .. }
            | Inbound::ReactionRemoved { channel, .. }
            | Inbound::PrivateAnswer { channel, .. } => channel,
        }
    }

    /// Who caused it (a deletion does not say).
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Inbound::Command { actor, .. }
            | Inbound::Message { actor, .. }
            | Inbound::MessageEdited { actor, .. }
            | Inbound::ReactionAdded { actor, .. }
            | Inbound::ReactionRemoved { actor, .. }
            | Inbound::PrivateAnswer { actor, .. } => Some(actor),
            Inbound::MessageDeleted { .. } => None,
        }
    }
}
