//! The console channel: one simulated study-group channel in the terminal, driven by lines from
//! standard input or a script. Same engine and same database as the real platforms.
//!
//! Line syntax (also in the README):
//!
//! ```text
//! # a comment; blank lines are ignored
//! alice: /ask gil senior         alice runs a command in the channel
//! alice: The GIL is a mutex...   alice answers in the newest question's thread
//! alice #3: ...                  ... in question 3's thread (works for commands too: alice #3: /hint)
//! alice edits: ...               alice edits her answer (alice edits #3: ...)
//! alice deletes                  alice deletes her answer (alice deletes #3)
//! alice answers privately: ...   a blind question's private answer (answers privately #3: ...)
//! bob +👍 alice                  bob reacts 👍 to alice's answer (bob +👍 alice #3)
//! bob -👍 alice                  bob removes that reaction
//! @time 2026-03-02 09:00 Europe/Berlin   set the clock (time zone optional, UTC by default)
//! @advance 1d 2h 30m             move the clock forward; everything due on the way runs
//! @downtime 3d                   the bot is off for 3 days: the clock jumps, then it catches up
//! @restart                       restart the bot on the same database
//! @admins alice bob              only these members may use /qotd and /reveal (default: everyone)
//! @bot helper                    `helper` is a bot: its messages and reactions are ignored
//! ```
//! A line ending in `\` continues on the next line.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};

use crate::bank::Bank;
use crate::engine::{command, Actor, ChannelRef, Engine, EngineConfig, Inbound, Outbound};
use crate::schedule::{parse_time_zone, Clock, ManualClock};
use crate::store::{self, PostId};

/// The platform name stored for console channels and members.
pub const PLATFORM: &str = "console";

/// What went wrong running the console.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The engine or store failed.
    #[error(transparent)]
    Engine(#[from] crate::engine::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Reading or writing the terminal failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One console channel session.
pub struct Console {
    database_url: String,
    bank: Arc<Bank>,
    config: EngineConfig,
    clock: Arc<ManualClock>,
    engine: Engine,
    channel: ChannelRef,
    admins: HashSet<String>,
    bots: HashSet<String>,
    command_seq: u64,
    /// Message id → author, for readable reaction lines.
    authors: HashMap<String, String>,
    /// Where files (charts, data exports) are written ([`Console::with_files_dir`]).
    files_dir: std::path::PathBuf,
    files_written: u64,
}

mod blind;
mod files;
pub use files::default_files_dir;

/// The console's thread id for a post.
pub fn thread_of(post: PostId) -> String {
    format!("t{post}")
}

impl Console {
    /// Opens the database and starts a session at `now` on the console's manual clock.
    pub async fn open(
        database_url: &str,
        bank: Arc<Bank>,
        config: EngineConfig,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<Console, ConsoleError> {
        let clock = Arc::new(ManualClock::new(now));
        let pool = store::open(database_url).await?;
        let engine = Engine::new(pool, bank.clone(), config.clone(), clock.clone());
        Ok(Console {
            database_url: database_url.to_string(),
            bank,
            config,
            clock,
            engine,
            channel: ChannelRef::new(PLATFORM, channel),
            admins: HashSet::new(),
            bots: HashSet::new(),
            command_seq: 0,
            authors: HashMap::new(),
            files_dir: default_files_dir(),
            files_written: 0,
        })
    }

    /// Writes files (charts, data exports) into `dir` instead of [`default_files_dir`].
    pub fn with_files_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Console {
        self.files_dir = dir.into();
        self
    }

    /// The engine (for tests that inspect the store).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Reads lines until the end of input, writing what the bot does to `out`.
    pub async fn run(
        &mut self,
        input: impl BufRead,
        out: &mut impl Write,
    ) -> Result<(), ConsoleError> {
        self.start(out).await?;
        let mut pending = String::new();
        for line in input.lines() {
            let line = line?;
            if let Some(cont) = line.strip_suffix('\\') {
                pending.push_str(cont);
                pending.push('\n');
                continue;
            }
            pending.push_str(&line);
            let full = std::mem::take(&mut pending);
            self.line(&full, out).await?;
        }
        if !pending.is_empty() {
            self.line(&pending, out).await?;
        }
        Ok(())
    }

    /// What a starting bot does: deliver posts a previous run created but never delivered, and
    /// run whatever is due.
    pub async fn start(&mut self, out: &mut impl Write) -> Result<(), ConsoleError> {
        let pending = self.engine.undelivered().await?;
        self.deliver(pending, out).await?;
        let due = self.engine.tick().await?;
        self.deliver(due, out).await
    }

    /// Applies one line of the console syntax.
    pub async fn line(&mut self, line: &str, out: &mut impl Write) -> Result<(), ConsoleError> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        if let Some(directive) = line.strip_prefix('@') {
            return self.directive(directive, out).await;
        }
        if let Some((who, post, text)) = blind::parse_private(line) {
            return self.answer_privately(&who, post, text, out).await;
        }
        match parse_line(line) {
            Some(action) => self.act(action, out).await,
            None => {
                writeln!(
                    out,
                    "? I could not read `{line}`. Examples: `alice: /ask gil senior`, `alice: my answer`, `bob +👍 alice`, `@advance 1d`."
                )?;
                Ok(())
            }
        }
    }

    async fn directive(&mut self, d: &str, out: &mut impl Write) -> Result<(), ConsoleError> {
        let (name, rest) = d.split_once(' ').unwrap_or((d, ""));
        let rest = rest.trim();
        match name {
            "time" => match parse_time(rest) {
                Some(t) => {
                    if t >= self.clock.now() {
                        self.run_until(t, out).await?;
                    } else {
                        self.clock.set(t);
                    }
                    writeln!(out, "⏱ {}", self.clock.now().format("%a %Y-%m-%d %H:%M UTC"))?;
                }
                None => writeln!(
                    out,
                    "? `@time {rest}`: write `@time 2026-03-02 09:00` or `@time 2026-03-02 09:00 Europe/Berlin`"
                )?,
            },
            "advance" | "downtime" => match parse_duration(rest)
                .and_then(|d| self.clock.now().checked_add_signed(d))
            {
                Some(target) => {
                    if name == "advance" {
                        self.run_until(target, out).await?;
                    } else {
                        self.clock.set(target);
                        self.restart(out).await?;
                    }
                    writeln!(out, "⏱ {}", self.clock.now().format("%a %Y-%m-%d %H:%M UTC"))?;
                }
                None => writeln!(out, "? `@{name} {rest}`: write e.g. `@{name} 1d 2h 30m`")?,
            },
            "restart" => self.restart(out).await?,
            "admins" => {
                self.admins = rest.split_whitespace().map(str::to_lowercase).collect();
            }
            "bot" => {
                self.bots.extend(rest.split_whitespace().map(str::to_lowercase));
            }
            other => writeln!(
                out,
                "? unknown directive `@{other}`: use @time, @advance, @downtime, @restart, @admins or @bot"
            )?,
        }
        Ok(())
    }

    /// Moves the clock to `target`, running everything that falls due on the way at its time.
    async fn run_until(
        &mut self,
        target: DateTime<Utc>,
        out: &mut impl Write,
    ) -> Result<(), ConsoleError> {
        loop {
            let now = self.clock.now();
            match self.engine.next_due().await? {
                Some(due) if due <= target => {
                    self.clock.set(due.max(now));
                    let actions = self.engine.tick().await?;
                    self.deliver(actions, out).await?;
                }
                _ => break,
            }
        }
        self.clock.set(target);
        let actions = self.engine.tick().await?;
        self.deliver(actions, out).await
    }

    /// Drops the engine and its connections and starts again on the same database.
    async fn restart(&mut self, out: &mut impl Write) -> Result<(), ConsoleError> {
        self.engine.pool().close().await;
        let pool = store::open(&self.database_url).await?;
        self.engine = Engine::new(
            pool,
            self.bank.clone(),
            self.config.clone(),
            self.clock.clone(),
        );
        writeln!(out, "↻ restarted")?;
        self.start(out).await
    }

    fn actor(&self, name: &str) -> Actor {
        let key = name.to_lowercase();
        Actor {
            id: key.clone(),
            name: name.to_string(),
            is_bot: self.bots.contains(&key),
            can_manage: self.admins.is_empty() || self.admins.contains(&key),
        }
    }

    async fn post_for(&self, n: Option<i64>) -> Result<Option<PostId>, ConsoleError> {
        if let Some(n) = n {
            return Ok(Some(PostId(n)));
        }
        let mut conn = self
            .engine
            .pool()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        let channel = store::channel_id(&mut conn, PLATFORM, &self.channel.id, None).await?;
        Ok(store::latest_post(&mut conn, channel).await?.map(|p| p.id))
    }

    /// A message id unique across restarts (a restarted console must not reuse the ids of
    /// messages stored before).
    fn new_message_id(&mut self) -> String {
        format!("m{:016x}", rand::random::<u64>())
    }

    async fn act(&mut self, action: Action, out: &mut impl Write) -> Result<(), ConsoleError> {
        let actor = self.actor(action.who());
        let event = match action {
            Action::Say { post, text, .. } if text.starts_with('/') => {
                let mut command = match command::parse(&text) {
                    Ok(c) => c,
                    Err(e) => {
                        writeln!(out, "[bot → {}, privately] {e}", actor.name)?;
                        return Ok(());
                    }
                };
                files::read_import(&mut command);
                self.command_seq += 1;
                let thread = self.post_for(post).await?.map(thread_of);
                Inbound::Command {
                    id: format!("c{:016x}-{}", rand::random::<u64>(), self.command_seq),
                    channel: self.channel.clone(),
                    thread,
                    actor: actor.clone(),
                    command,
                }
            }
            Action::Say { post, text, .. } => {
                let Some(post) = self.post_for(post).await? else {
                    writeln!(
                        out,
                        "? there is no question to answer yet: `/ask` posts one"
                    )?;
                    return Ok(());
                };
                let message = self.new_message_id();
                self.authors.insert(message.clone(), actor.name.clone());
                Inbound::Message {
                    channel: self.channel.clone(),
                    thread: thread_of(post),
                    message,
                    actor: actor.clone(),
                    text,
                }
            }
            Action::Edit { post, text, .. } => {
                let Some((post, message)) = self.own_answer(post, &actor.name, out).await? else {
                    return Ok(());
                };
                Inbound::MessageEdited {
                    channel: self.channel.clone(),
                    thread: thread_of(post),
                    message,
                    actor: actor.clone(),
                    text,
                }
            }
            Action::Delete { post, .. } => {
                let Some((_, message)) = self.own_answer(post, &actor.name, out).await? else {
                    return Ok(());
                };
                Inbound::MessageDeleted {
                    channel: self.channel.clone(),
                    message,
                }
            }
            Action::React {
                add,
                emoji,
                target,
                post,
                ..
            } => {
                let Some(post) = self.post_for(post).await? else {
                    writeln!(out, "? there is no question yet")?;
                    return Ok(());
                };
                let Some(message) = self.answer_message(post, &target).await? else {
                    writeln!(
                        out,
                        "? {target} has no answer on question #{post} to react to"
                    )?;
                    return Ok(());
                };
                if add {
                    Inbound::ReactionAdded {
                        channel: self.channel.clone(),
                        message,
                        emoji,
                        actor: actor.clone(),
                    }
                } else {
                    Inbound::ReactionRemoved {
                        channel: self.channel.clone(),
                        message,
                        emoji,
                        actor: actor.clone(),
                    }
                }
            }
        };
        let actions = self.engine.handle(event).await?;
        self.deliver(actions, out).await
    }

    /// The post and message of `who`'s answer, or a note saying there is none.
    async fn own_answer(
        &self,
        post: Option<i64>,
        who: &str,
        out: &mut impl Write,
    ) -> Result<Option<(PostId, String)>, ConsoleError> {
        let Some(post) = self.post_for(post).await? else {
            writeln!(out, "? there is no question yet")?;
            return Ok(None);
        };
        match self.answer_message(post, who).await? {
            Some(m) => Ok(Some((post, m))),
            None => {
                writeln!(out, "? {who} has no answer on question #{post}")?;
                Ok(None)
            }
        }
    }

    async fn answer_message(
        &self,
        post: PostId,
        member: &str,
    ) -> Result<Option<String>, ConsoleError> {
        let mut conn = self
            .engine
            .pool()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        let message = store::answer_message_of(&mut conn, post, &member.to_lowercase()).await?;
        // A blind answer is on no message until its reveal: nothing to react to or edit.
        Ok(message.filter(|m| !store::is_private_message(m)))
    }

    /// Prints actions and plays the platform's part: a posted question gets a message and thread.
    async fn deliver(
        &mut self,
        actions: Vec<Outbound>,
        out: &mut impl Write,
    ) -> Result<(), ConsoleError> {
        for a in super::pictures::draw_all(actions).await {
            match a {
                Outbound::PostQuestion { card, text, .. } => {
                    let message = format!("q{}", card.post);
                    self.engine
                        .attach(card.post, &message, &thread_of(card.post))
                        .await?;
                    writeln!(out, "[bot] {text}")?;
                    writeln!(out, "      (thread #{} opened)", card.post)?;
                }
                Outbound::ThreadReply { post, text, .. } => {
                    writeln!(out, "[bot → thread #{post}] {text}")?;
                }
                Outbound::RevealAnswer {
                    post, answer, text, ..
                } => self.reveal_answer(post, answer, &text, out).await?,
                Outbound::ChannelMessage { text, .. } => writeln!(out, "[bot] {text}")?,
                Outbound::Private { user, text, .. } => {
                    writeln!(out, "[bot → {user}, privately] {text}")?;
                }
                Outbound::File {
                    user, file, text, ..
                } => {
                    self.files_written += 1;
                    let (dir, n) = (&self.files_dir, self.files_written);
                    files::print(out, (dir, n), user.as_deref(), &file, &text)?;
                }
                // Drawn above (`pictures::draw_all`).
                Outbound::Picture { text, .. } => writeln!(out, "[bot] {text}")?,
                Outbound::React { message, emoji, .. } => {
                    let whose = self
                        .authors
                        .get(&message)
                        .map_or_else(|| format!("message {message}"), |a| format!("{a}'s answer"));
                    writeln!(out, "[bot reacts {emoji} to {whose}]")?;
                }
            }
        }
        Ok(())
    }
}

/// One parsed member line (see the module docs for the syntax): `who` is the member's name,
/// `post` a question number given as `#N` (`None`: the newest question).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `who [#N]: text`: an answer, or a command when `text` starts with `/`.
    Say {
        who: String,
        post: Option<i64>,
        text: String,
    },
    /// `who edits [#N]: text`.
    Edit {
        who: String,
        post: Option<i64>,
        text: String,
    },
    /// `who deletes [#N]`.
    Delete { who: String, post: Option<i64> },
    /// `who +emoji target [#N]` (`add`) or `who -emoji target [#N]`.
    React {
        who: String,
        add: bool,
        emoji: String,
        target: String,
        post: Option<i64>,
    },
}

impl Action {
    fn who(&self) -> &str {
        match self {
            Action::Say { who, .. }
            | Action::Edit { who, .. }
            | Action::Delete { who, .. }
            | Action::React { who, .. } => who,
        }
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn parse_post(s: &str) -> Option<i64> {
    s.strip_prefix('#')?.parse().ok()
}

/// Parses a member line (`alice: ...`, `alice #3: ...`, `alice edits: ...`, `alice deletes`,
/// `bob +👍 alice #3`); `None` when the line is none of these. Directives (`@...`) and comments
/// are handled before this.
pub fn parse_line(line: &str) -> Option<Action> {
    // NAME [edits|#N|edits #N]: TEXT
    if let Some((head, text)) = line.split_once(':') {
        let text = text.trim().to_string();
        let words: Vec<&str> = head.split_whitespace().collect();
        match words.as_slice() {
            [who] if is_name(who) => {
                return Some(Action::Say {
                    who: who.to_string(),
                    post: None,
                    text,
                })
            }
            [who, n] if is_name(who) && parse_post(n).is_some() => {
                return Some(Action::Say {
                    who: who.to_string(),
                    post: parse_post(n),
                    text,
                })
            }
            [who, "edits"] if is_name(who) => {
                return Some(Action::Edit {
                    who: who.to_string(),
                    post: None,
                    text,
                })
            }
            [who, "edits", n] if is_name(who) => {
                return Some(Action::Edit {
                    who: who.to_string(),
                    post: Some(parse_post(n)?),
                    text,
                })
            }
            _ => {}
        }
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [who, "deletes"] if is_name(who) => Some(Action::Delete {
            who: who.to_string(),
            post: None,
        }),
        [who, "deletes", n] if is_name(who) => Some(Action::Delete {
            who: who.to_string(),
            post: Some(parse_post(n)?),
        }),
        [who, reaction, target, rest @ ..]
            if is_name(who) && is_name(target) && rest.len() <= 1 =>
        {
            let (add, emoji) = if let Some(e) = reaction.strip_prefix('+') {
                (true, e)
            } else {
                (false, reaction.strip_prefix('-')?)
            };
            if emoji.is_empty() {
                return None;
            }
            let post = match rest {
                [n] => Some(parse_post(n)?),
                _ => None,
            };
            Some(Action::React {
                who: who.to_string(),
                add,
                emoji: emoji.to_string(),
                target: target.to_string(),
                post,
            })
        }
        _ => None,
    }
}

/// `2026-03-02 09:00 [Time/Zone]` or RFC 3339.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (date_time, tz) = match parts.as_slice() {
        [d, t] => (format!("{d} {t}"), None),
        [d, t, z] => (format!("{d} {t}"), Some(*z)),
        _ => return None,
    };
    let naive = NaiveDateTime::parse_from_str(&date_time, "%Y-%m-%d %H:%M").ok()?;
    match tz {
        None => Some(naive.and_utc()),
        Some(z) => parse_time_zone(z)
            .ok()?
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// `1d 2h 30m` (also `90m`, `2w`, `45s`); `None` when a part is not a number and a unit, or
/// the total is beyond what a [`Duration`] holds (about 292 million years).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut any = false;
    for part in s.split_whitespace() {
        let (num, unit) = part.split_at(part.find(|c: char| !c.is_ascii_digit())?);
        let n: i64 = num.parse().ok()?;
        let d = match unit {
            "w" => Duration::try_weeks(n),
            "d" => Duration::try_days(n),
            "h" => Duration::try_hours(n),
            "m" | "min" => Duration::try_minutes(n),
            "s" => Duration::try_seconds(n),
            _ => return None,
        };
        total = total.checked_add(&d?)?;
        any = true;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests;
