-- interview-bot schema, version 1. Migrations are append-only: never edit this file after it lands.
-- Times are INTEGER milliseconds since the Unix epoch, UTC. Platform ids are TEXT, never truncated.

-- A channel the bot works in. `platform` is 'console', 'discord' or 'slack'.
CREATE TABLE channels (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    channel_id   TEXT    NOT NULL,
    workspace_id TEXT,                          -- Discord guild id / Slack team id
    time_zone    TEXT    NOT NULL DEFAULT 'UTC', -- IANA name, for weeks and rendering
    UNIQUE (platform, channel_id)
);

-- A member, per platform: a Slack user and a Discord user never merge.
CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    UNIQUE (platform, user_id)
);

-- A recurring job in a channel: the question of the day, or the weekly leaderboard.
CREATE TABLE schedules (
    id          INTEGER PRIMARY KEY,
    channel     INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('question', 'leaderboard')),
    cron        TEXT    NOT NULL,                -- five-field POSIX cron, as the user wrote it
    time_zone   TEXT    NOT NULL,                -- IANA name
    tier        TEXT,                            -- NULL: any tier
    topic       TEXT,                            -- NULL: any topic
    paused      INTEGER NOT NULL DEFAULT 0,
    next_run_at INTEGER NOT NULL,                -- claimed and advanced in one transaction
    created_at  INTEGER NOT NULL,
    UNIQUE (channel, kind)
);

-- A question asked in a channel, with the message and thread it lives in.
CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    channel     INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    tier        TEXT    NOT NULL,
    schedule    INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    asked_by    INTEGER REFERENCES users (id),
    message_id  TEXT,                            -- NULL until the platform has posted it
    thread_id   TEXT,                            -- NULL until the platform has opened it
    posted_at   INTEGER NOT NULL,
    closes_at   INTEGER NOT NULL,
    closed_at   INTEGER
);
CREATE UNIQUE INDEX posts_thread ON posts (channel, thread_id);
CREATE INDEX posts_open ON posts (closes_at) WHERE closed_at IS NULL;
CREATE INDEX posts_channel ON posts (channel, posted_at);

-- One scored answer per member per post; a later answer or an edit replaces it.
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    post        INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author      INTEGER NOT NULL REFERENCES users (id),
    message_id  TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    report      TEXT    NOT NULL,                -- the checker's report, JSON
    late        INTEGER NOT NULL,                -- 1: arrived after the post closed, no points
    answered_at INTEGER NOT NULL,
    edited_at   INTEGER,
    UNIQUE (post, author)
);
CREATE UNIQUE INDEX answers_message ON answers (post, message_id);

-- One vote per voter per answer per emoji.
CREATE TABLE votes (
    answer   INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    voter    INTEGER NOT NULL REFERENCES users (id),
    emoji    TEXT    NOT NULL,
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (answer, voter, emoji)
);

-- How many hints a member has had on a post.
CREATE TABLE hints (
    post   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES users (id),
    given  INTEGER NOT NULL,
    PRIMARY KEY (post, member)
);

-- Platform events already applied (interaction ids, Slack event ids): each is applied once.
CREATE TABLE processed_events (
    platform     TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (platform, event_id)
);
