-- Blind answers (issue 13, part 1): a blind post takes its answers privately (Discord modal,
-- Slack modal, console `answers privately:`) and reveals them together in its thread when it
-- closes. A blind answer's `answers.message_id` is `private:<post>:<member's platform id>` until
-- the reveal posts it; the revealed message's id then replaces it, so votes on the revealed
-- message count through the usual vote path.

-- 1: this post takes its answers privately.
ALTER TABLE posts ADD COLUMN blind INTEGER NOT NULL DEFAULT 0;

-- 1: this question schedule posts blind questions (the channel's default for its schedule).
ALTER TABLE schedules ADD COLUMN blind INTEGER NOT NULL DEFAULT 0;
