-- Blind answers (issue 13, part 1): a blind post takes its answers privately (Discord modal,
-- Slack modal, console `answers privately:`) and reveals them together in its thread when it
-- closes. A blind answer's `answers.message_id` is `private:<post>:<member's platform id>` until
-- the reveal posts it; the revealed message's id then replaces it, so votes on the revealed
-- message count through the usual vote path. The same columns as migrations/sqlite/0004_blind.sql.

-- true: this post takes its answers privately.
ALTER TABLE posts ADD COLUMN blind BOOLEAN NOT NULL DEFAULT false;

-- true: this question schedule posts blind questions (the channel's default for its schedule).
ALTER TABLE schedules ADD COLUMN blind BOOLEAN NOT NULL DEFAULT false;
