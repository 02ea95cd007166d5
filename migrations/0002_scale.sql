-- interview-bot schema, version 2 (issue 10: the engine at scale). Append-only, like 0001.
-- Lookups by a platform's message or thread id become index hits, and leaderboards and /stats
-- read rollups kept in the same write transaction as the answer or vote that changes them, so a
-- board reads a few hundred rows however long the history is.

-- Votes, edits and deletions find their answer by message id; answers find their post by thread.
CREATE INDEX answers_by_message ON answers (message_id);
CREATE INDEX posts_by_thread ON posts (thread_id);
-- Open posts of a schedule (closed when the schedule posts its next question).
CREATE INDEX posts_by_schedule ON posts (schedule) WHERE closed_at IS NULL;
-- Scheduled posts of a channel, newest first (streaks).
CREATE INDEX posts_scheduled ON posts (channel, posted_at) WHERE schedule IS NOT NULL;
-- `/stats @name` finds a member by display name, any case.
CREATE INDEX users_by_name ON users (platform, lower(display_name));
-- Workspace leaderboards list the channels of a Slack team or Discord guild.
CREATE INDEX channels_by_workspace ON channels (platform, workspace_id);

-- On-time answers per channel, local day (the channel's IANA time zone), member and tier:
-- weekly and monthly boards. `day` is the local date as days from 0001-01-01 (chrono's
-- num_days_from_ce). Late answers earn nothing and are not counted here.
CREATE TABLE rollup_days (
    channel   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    day       INTEGER NOT NULL,
    member    INTEGER NOT NULL REFERENCES users (id),
    tier      TEXT    NOT NULL,
    answers   INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    PRIMARY KEY (channel, day, member, tier)
) WITHOUT ROWID;

-- On-time answers per channel, member and tier, all time: the all-time board.
CREATE TABLE rollup_members (
    channel   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    member    INTEGER NOT NULL REFERENCES users (id),
    tier      TEXT    NOT NULL,
    answers   INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    PRIMARY KEY (channel, member, tier)
) WITHOUT ROWID;

-- Every answer (late ones too) per channel, member and topic: /stats.
CREATE TABLE rollup_topics (
    channel   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    member    INTEGER NOT NULL REFERENCES users (id),
    topic     TEXT    NOT NULL,
    answers   INTEGER NOT NULL,
    late      INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    PRIMARY KEY (channel, member, topic)
) WITHOUT ROWID;

-- 0 until the rollups have been derived from the answers already stored (store::open does it
-- once, in Rust, because local days need the IANA time-zone rules).
CREATE TABLE rollup_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    built INTEGER NOT NULL
);
INSERT INTO rollup_state (id, built) VALUES (1, 0);
