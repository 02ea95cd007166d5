//! Blind answers in the console: `alice answers privately: ...` (or `alice answers privately
//! #3: ...`) submits (and replaces) a private answer to a blind question, as the Answer button's
//! form does on Discord and Slack; the reveal prints each answer as its own thread message, which
//! `bob +👍 alice` then votes on.

use std::io::Write;

use super::{Console, ConsoleError};
use crate::engine::Inbound;
use crate::store::{AnswerId, PostId};

/// Reads `NAME answers privately [#N]: TEXT` into (name, question number if given, text);
/// `None` for any other line.
pub(super) fn parse_private(line: &str) -> Option<(String, Option<i64>, String)> {
    let (head, text) = line.split_once(':')?;
    let words: Vec<&str> = head.split_whitespace().collect();
    let (who, post) = match words.as_slice() {
        [who, "answers", "privately"] => (*who, None),
        [who, "answers", "privately", n] => (*who, Some(n.strip_prefix('#')?.parse().ok()?)),
        _ => return None,
    };
    super::is_name(who).then(|| (who.to_string(), post, text.trim().to_string()))
}

impl Console {
    /// `who answers privately [#N]: text`: a private answer to question N (the newest when
    /// `None`).
    pub(super) async fn answer_privately(
        &mut self,
        who: &str,
        post: Option<i64>,
        text: String,
        out: &mut impl Write,
    ) -> Result<(), ConsoleError> {
        let Some(post) = self.post_for(post).await? else {
            writeln!(
                out,
                "? there is no question to answer yet: `/ask gil senior blind` posts a blind one"
            )?;
            return Ok(());
        };
        self.command_seq += 1;
        let event = Inbound::PrivateAnswer {
            id: format!("p{:016x}-{}", rand::random::<u64>(), self.command_seq),
            channel: self.channel.clone(),
            post,
            actor: self.actor(who),
            text,
        };
        let actions = self.engine.handle(event).await?;
        self.deliver(actions, out).await
    }

    /// A revealed blind answer: printed in the thread as its own message (`r<answer id>`, unique
    /// across restarts), recorded so that votes on it count.
    pub(super) async fn reveal_answer(
        &mut self,
        post: PostId,
        answer: AnswerId,
        text: &str,
        out: &mut impl Write,
    ) -> Result<(), ConsoleError> {
        let message = format!("r{answer}");
        self.engine.attach_revealed(answer, &message).await?;
        writeln!(out, "[bot → thread #{post}] {text}")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_private;

    #[test]
    fn private_answer_lines() {
        assert_eq!(
            parse_private("alice answers privately: the GIL: one thread"),
            Some(("alice".into(), None, "the GIL: one thread".into()))
        );
        assert_eq!(
            parse_private("bob answers privately #3: x"),
            Some(("bob".into(), Some(3), "x".into()))
        );
        assert_eq!(parse_private("bob answers privately 3: x"), None);
        assert_eq!(parse_private("alice: answers privately: x"), None);
        assert_eq!(parse_private("alice answers: x"), None);
    }
}
