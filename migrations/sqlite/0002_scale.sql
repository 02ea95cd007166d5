-- interview-bot schema, version 2 (issue 10: the engine at scale). Append-only, like 0001.
-- Lookups by a platform's message or thread id become index hits, and leaderboards and /stats
-- read rollups that triggers keep in the same transaction as the answer or vote that changes
-- them, so a board reads a few hundred rows however long the history is.

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

-- The answer's local date in its channel's IANA time zone, as days from 0001-01-01 (chrono's
-- num_days_from_ce), written by the store with the answer. NULL on answers stored before this
-- migration until store::open derives it (time-zone rules live in Rust, not in SQLite).
ALTER TABLE answers ADD COLUMN day INTEGER;

-- 1 while the triggers below keep the rollups; 0 until store::open has derived them for the
-- answers stored before this migration (and while a rebuild runs).
CREATE TABLE rollup_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    built INTEGER NOT NULL
);
INSERT INTO rollup_state (id, built) VALUES (1, 0);

-- One answer with its points: round(checker score × tier factor) + 10 × min(distinct voters, 5),
-- 0 when late. The same formula as engine::points (tier factors junior 1.0, mid 1.25,
-- senior 1.5, staff 2.0; exact in binary, and SQLite's round() rounds halves up like Rust's
-- f64::round for these non-negative values); tests/ordering.rs checks that the two agree.
CREATE VIEW answer_points AS
SELECT a.id, p.channel, a.author, p.tier, p.topic, a.day, a.late, a.score,
       CASE WHEN a.late THEN 0 ELSE
           CAST(round(a.score * CASE p.tier WHEN 'junior' THEN 1.0 WHEN 'mid' THEN 1.25
                                            WHEN 'senior' THEN 1.5 ELSE 2.0 END) AS INTEGER)
           + 10 * min((SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id), 5)
       END AS points
FROM answers a JOIN posts p ON p.id = a.post;

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

-- On-time answers per channel, local day, member and tier: weekly and monthly boards (a week
-- reads 7 days × the members active in it).
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

-- The triggers add an answer's contribution after it is inserted or changed and take it out
-- before it changes or goes; a vote moves the answer's points by the change in its capped voter
-- count. They run inside the statement that fires them, so inside its transaction.

CREATE TRIGGER rollup_answer_in AFTER INSERT ON answers
WHEN (SELECT built FROM rollup_state) = 1
BEGIN
    INSERT INTO rollup_topics (channel, member, topic, answers, late, points, score_sum)
    SELECT channel, author, topic, 1, late, points, score FROM answer_points WHERE id = NEW.id
    ON CONFLICT (channel, member, topic) DO UPDATE SET answers = answers + 1,
        late = late + excluded.late, points = points + excluded.points,
        score_sum = score_sum + excluded.score_sum;
    INSERT INTO rollup_members (channel, member, tier, answers, points, score_sum)
    SELECT channel, author, tier, 1, points, score FROM answer_points
    WHERE id = NEW.id AND late = 0
    ON CONFLICT (channel, member, tier) DO UPDATE SET answers = answers + 1,
        points = points + excluded.points, score_sum = score_sum + excluded.score_sum;
    INSERT INTO rollup_days (channel, day, member, tier, answers, points, score_sum)
    SELECT channel, day, author, tier, 1, points, score FROM answer_points
    WHERE id = NEW.id AND late = 0 AND day IS NOT NULL
    ON CONFLICT (channel, day, member, tier) DO UPDATE SET answers = answers + 1,
        points = points + excluded.points, score_sum = score_sum + excluded.score_sum;
END;

CREATE TRIGGER rollup_answer_out BEFORE DELETE ON answers
WHEN (SELECT built FROM rollup_state) = 1
BEGIN
    UPDATE rollup_topics SET answers = rollup_topics.answers - 1, late = rollup_topics.late - x.late,
        points = rollup_topics.points - x.points, score_sum = rollup_topics.score_sum - x.score
    FROM (SELECT * FROM answer_points WHERE id = OLD.id) AS x
    WHERE rollup_topics.channel = x.channel AND rollup_topics.member = x.author
      AND rollup_topics.topic = x.topic;
    UPDATE rollup_members SET answers = rollup_members.answers - 1, points = rollup_members.points - x.points,
        score_sum = rollup_members.score_sum - x.score
    FROM (SELECT * FROM answer_points WHERE id = OLD.id AND late = 0) AS x
    WHERE rollup_members.channel = x.channel AND rollup_members.member = x.author
      AND rollup_members.tier = x.tier;
    UPDATE rollup_days SET answers = rollup_days.answers - 1, points = rollup_days.points - x.points,
        score_sum = rollup_days.score_sum - x.score
    FROM (SELECT * FROM answer_points WHERE id = OLD.id AND late = 0) AS x
    WHERE rollup_days.channel = x.channel AND rollup_days.day = x.day
      AND rollup_days.member = x.author AND rollup_days.tier = x.tier;
    DELETE FROM rollup_topics WHERE channel = (SELECT channel FROM posts WHERE id = OLD.post)
        AND member = OLD.author AND answers = 0;
    DELETE FROM rollup_members WHERE channel = (SELECT channel FROM posts WHERE id = OLD.post)
        AND member = OLD.author AND answers = 0;
    DELETE FROM rollup_days WHERE channel = (SELECT channel FROM posts WHERE id = OLD.post)
        AND day = OLD.day AND member = OLD.author AND answers = 0;
END;

-- A change of anything points depend on: out with the old row (BEFORE), in with the new (AFTER).
-- An upsert's UPDATE branch fires these too.
CREATE TRIGGER rollup_answer_change_out BEFORE UPDATE OF post, author, score, late, day ON answers
WHEN (SELECT built FROM rollup_state) = 1
BEGIN
    UPDATE rollup_topics SET answers = rollup_topics.answers - 1, late = rollup_topics.late - x.late,
        points = rollup_topics.points - x.points, score_sum = rollup_topics.score_sum - x.score
    FROM (SELECT * FROM answer_points WHERE id = OLD.id) AS x
    WHERE rollup_topics.channel = x.channel AND rollup_topics.member = x.author
      AND rollup_topics.topic = x.topic;
    UPDATE rollup_members SET answers = rollup_members.answers - 1, points = rollup_members.points - x.points,
        score_sum = rollup_members.score_sum - x.score
    FROM (SELECT * FROM answer_points WHERE id = OLD.id AND late = 0) AS x
    WHERE rollup_members.channel = x.channel AND rollup_members.member = x.author
      AND rollup_members.tier = x.tier;
    UPDATE rollup_days SET answers = rollup_days.answers - 1, points = rollup_days.points - x.points,
        score_sum = rollup_days.score_sum - x.score
    FROM (SELECT * FROM answer_points WHERE id = OLD.id AND late = 0) AS x
    WHERE rollup_days.channel = x.channel AND rollup_days.day = x.day
      AND rollup_days.member = x.author AND rollup_days.tier = x.tier;
END;

CREATE TRIGGER rollup_answer_change_in AFTER UPDATE OF post, author, score, late, day ON answers
WHEN (SELECT built FROM rollup_state) = 1
BEGIN
    INSERT INTO rollup_topics (channel, member, topic, answers, late, points, score_sum)
    SELECT channel, author, topic, 1, late, points, score FROM answer_points WHERE id = NEW.id
    ON CONFLICT (channel, member, topic) DO UPDATE SET answers = answers + 1,
        late = late + excluded.late, points = points + excluded.points,
        score_sum = score_sum + excluded.score_sum;
    INSERT INTO rollup_members (channel, member, tier, answers, points, score_sum)
    SELECT channel, author, tier, 1, points, score FROM answer_points
    WHERE id = NEW.id AND late = 0
    ON CONFLICT (channel, member, tier) DO UPDATE SET answers = answers + 1,
        points = points + excluded.points, score_sum = score_sum + excluded.score_sum;
    INSERT INTO rollup_days (channel, day, member, tier, answers, points, score_sum)
    SELECT channel, day, author, tier, 1, points, score FROM answer_points
    WHERE id = NEW.id AND late = 0 AND day IS NOT NULL
    ON CONFLICT (channel, day, member, tier) DO UPDATE SET answers = answers + 1,
        points = points + excluded.points, score_sum = score_sum + excluded.score_sum;
    DELETE FROM rollup_topics WHERE channel = (SELECT channel FROM posts WHERE id = OLD.post)
        AND member = OLD.author AND answers = 0;
    DELETE FROM rollup_members WHERE channel = (SELECT channel FROM posts WHERE id = OLD.post)
        AND member = OLD.author AND answers = 0;
    DELETE FROM rollup_days WHERE channel = (SELECT channel FROM posts WHERE id = OLD.post)
        AND day = OLD.day AND member = OLD.author AND answers = 0;
END;

-- A vote: when the voter had no other vote on the answer, its distinct voter count went from
-- n - 1 to n (a removal: from n + 1 to n), which moves an on-time answer's points by
-- 10 × (min(n, 5) - min(n ∓ 1, 5)).
CREATE VIEW vote_delta AS
SELECT a.id AS answer, p.channel, a.author, p.tier, p.topic, a.day, a.late,
       (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters
FROM answers a JOIN posts p ON p.id = a.post;

CREATE TRIGGER rollup_vote_in AFTER INSERT ON votes
WHEN (SELECT built FROM rollup_state) = 1
  AND (SELECT COUNT(*) FROM votes WHERE answer = NEW.answer AND voter = NEW.voter) = 1
BEGIN
    UPDATE rollup_topics SET points = rollup_topics.points + 10 * (min(x.voters, 5) - min(x.voters - 1, 5))
    FROM (SELECT * FROM vote_delta WHERE answer = NEW.answer AND late = 0) AS x
    WHERE rollup_topics.channel = x.channel AND rollup_topics.member = x.author
      AND rollup_topics.topic = x.topic;
    UPDATE rollup_members SET points = rollup_members.points + 10 * (min(x.voters, 5) - min(x.voters - 1, 5))
    FROM (SELECT * FROM vote_delta WHERE answer = NEW.answer AND late = 0) AS x
    WHERE rollup_members.channel = x.channel AND rollup_members.member = x.author
      AND rollup_members.tier = x.tier;
    UPDATE rollup_days SET points = rollup_days.points + 10 * (min(x.voters, 5) - min(x.voters - 1, 5))
    FROM (SELECT * FROM vote_delta WHERE answer = NEW.answer AND late = 0) AS x
    WHERE rollup_days.channel = x.channel AND rollup_days.day = x.day
      AND rollup_days.member = x.author AND rollup_days.tier = x.tier;
END;

CREATE TRIGGER rollup_vote_out AFTER DELETE ON votes
WHEN (SELECT built FROM rollup_state) = 1
  AND NOT EXISTS (SELECT 1 FROM votes WHERE answer = OLD.answer AND voter = OLD.voter)
BEGIN
    UPDATE rollup_topics SET points = rollup_topics.points + 10 * (min(x.voters, 5) - min(x.voters + 1, 5))
    FROM (SELECT * FROM vote_delta WHERE answer = OLD.answer AND late = 0) AS x
    WHERE rollup_topics.channel = x.channel AND rollup_topics.member = x.author
      AND rollup_topics.topic = x.topic;
    UPDATE rollup_members SET points = rollup_members.points + 10 * (min(x.voters, 5) - min(x.voters + 1, 5))
    FROM (SELECT * FROM vote_delta WHERE answer = OLD.answer AND late = 0) AS x
    WHERE rollup_members.channel = x.channel AND rollup_members.member = x.author
      AND rollup_members.tier = x.tier;
    UPDATE rollup_days SET points = rollup_days.points + 10 * (min(x.voters, 5) - min(x.voters + 1, 5))
    FROM (SELECT * FROM vote_delta WHERE answer = OLD.answer AND late = 0) AS x
    WHERE rollup_days.channel = x.channel AND rollup_days.day = x.day
      AND rollup_days.member = x.author AND rollup_days.tier = x.tier;
END;
