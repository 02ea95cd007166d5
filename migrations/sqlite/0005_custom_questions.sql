-- A workspace's own questions (issue 13): added by a manager (`/question add`, `/question import`)
-- or suggested by a member (`/question suggest`) and approved. They join `/ask` and schedules in
-- their workspace only. The question's id is 'custom-' || id, a prefix `questions lint` refuses
-- in the bank, so the two never collide.
--
-- Rows are never deleted: `/question remove` sets status 'removed', so posts of the question (and
-- their reveals, scoring of late edits, exports) still find its text and rubric.
CREATE TABLE custom_questions (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,                -- 'console', 'discord' or 'slack'
    workspace_id TEXT    NOT NULL,                -- Discord guild id / Slack team id; '' for none (console)
    status       TEXT    NOT NULL CHECK (status IN ('live', 'pending', 'rejected', 'removed')),
    topic        TEXT    NOT NULL,                -- topic id (a bank topic's, or the workspace's own)
    topic_name   TEXT    NOT NULL,                -- display name
    tier         TEXT    NOT NULL CHECK (tier IN ('junior', 'mid', 'senior', 'staff')),
    prompt       TEXT    NOT NULL,
    doc          TEXT    NOT NULL,                -- the question as a bank-format TOML file
    author       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER                          -- when approved, rejected or removed
);

CREATE INDEX custom_questions_by_workspace
    ON custom_questions (platform, workspace_id, status, topic, tier);
