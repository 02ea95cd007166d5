-- interview-bot schema, version 2 (issue 10: the engine at scale), PostgreSQL dialect.
-- Append-only, like 0001. The same indexes, column, views and rollup tables as
-- migrations/sqlite/0002_scale.sql; the rollup triggers are PL/pgSQL functions that keep the same
-- rollups with the same points formula (tests/postgres_schema.rs runs one scenario on both
-- databases and compares the rollups row for row).

-- Votes, edits and deletions find their answer by message id; answers find their post by thread.
CREATE INDEX answers_by_message ON answers (message_id);
CREATE INDEX posts_by_thread ON posts (thread_id);
-- Open posts of a schedule (closed when the schedule posts its next question).
CREATE INDEX posts_by_schedule ON posts (schedule) WHERE closed_at IS NULL;
-- Scheduled posts of a channel, newest first (streaks).
CREATE INDEX posts_scheduled ON posts (channel, posted_at) WHERE schedule IS NOT NULL;
-- `/stats @name` finds a member by display name, any case. (PostgreSQL's lower() follows the
-- database's LC_CTYPE; SQLite's folds ASCII only.)
CREATE INDEX users_by_name ON users (platform, lower(display_name));
-- Workspace leaderboards list the channels of a Slack team or Discord guild.
CREATE INDEX channels_by_workspace ON channels (platform, workspace_id);

-- The answer's local date in its channel's IANA time zone, as days from 0001-01-01 (chrono's
-- num_days_from_ce, an i32 in Rust), written by the store with the answer.
ALTER TABLE answers ADD COLUMN day INTEGER;

-- true while the triggers below keep the rollups; false until the store has derived them (and
-- while a rebuild runs).
CREATE TABLE rollup_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    built BOOLEAN NOT NULL
);
INSERT INTO rollup_state (id, built) VALUES (1, false);

-- One answer with its points: round(checker score × tier factor) + 10 × min(distinct voters, 5),
-- 0 when late. The same formula as engine::points (tier factors junior 1.0, mid 1.25,
-- senior 1.5, staff 2.0). The product is NUMERIC (BIGINT × NUMERIC literal), whose round()
-- rounds halves away from zero, like SQLite's round() and Rust's f64::round for these
-- non-negative values.
CREATE VIEW answer_points AS
SELECT a.id, p.channel, a.author, p.tier, p.topic, a.day, a.late, a.score,
       CASE WHEN a.late THEN 0 ELSE
           CAST(round(a.score * CASE p.tier WHEN 'junior' THEN 1.0 WHEN 'mid' THEN 1.25
                                            WHEN 'senior' THEN 1.5 ELSE 2.0 END) AS BIGINT)
           + 10 * LEAST((SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id), 5)
       END AS points
FROM answers a JOIN posts p ON p.id = a.post;

-- Every answer (late ones too) per channel, member and topic: /stats.
CREATE TABLE rollup_topics (
    channel   BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    member    BIGINT NOT NULL REFERENCES users (id),
    topic     TEXT   NOT NULL,
    answers   BIGINT NOT NULL,
    late      BIGINT NOT NULL,
    points    BIGINT NOT NULL,
    score_sum BIGINT NOT NULL,
    PRIMARY KEY (channel, member, topic)
);

-- On-time answers per channel, member and tier, all time: the all-time board.
CREATE TABLE rollup_members (
    channel   BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    member    BIGINT NOT NULL REFERENCES users (id),
    tier      TEXT   NOT NULL,
    answers   BIGINT NOT NULL,
    points    BIGINT NOT NULL,
    score_sum BIGINT NOT NULL,
    PRIMARY KEY (channel, member, tier)
);

-- On-time answers per channel, local day, member and tier: weekly and monthly boards.
CREATE TABLE rollup_days (
    channel   BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    day       INTEGER NOT NULL,
    member    BIGINT  NOT NULL REFERENCES users (id),
    tier      TEXT    NOT NULL,
    answers   BIGINT  NOT NULL,
    points    BIGINT  NOT NULL,
    score_sum BIGINT  NOT NULL,
    PRIMARY KEY (channel, day, member, tier)
);

-- A vote: when the voter had no other vote on the answer, its distinct voter count goes from
-- n to n + 1 (a removal: from n to n - 1), which moves an on-time answer's points by
-- 10 × (min(n ± 1, 5) - min(n, 5)).
CREATE VIEW vote_delta AS
SELECT a.id AS answer, p.channel, a.author, p.tier, p.topic, a.day, a.late,
       (SELECT COUNT(DISTINCT v.voter) FROM votes v WHERE v.answer = a.id) AS voters
FROM answers a JOIN posts p ON p.id = a.post;

-- An answer's contribution, put in (after it is stored or changed) ...
CREATE FUNCTION rollup_add(answer_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    SELECT * INTO x FROM answer_points WHERE id = answer_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO rollup_topics AS r (channel, member, topic, answers, late, points, score_sum)
    VALUES (x.channel, x.author, x.topic, 1, x.late::int, x.points, x.score)
    ON CONFLICT (channel, member, topic) DO UPDATE SET answers = r.answers + 1,
        late = r.late + excluded.late, points = r.points + excluded.points,
        score_sum = r.score_sum + excluded.score_sum;
    IF x.late THEN
        RETURN;
    END IF;
    INSERT INTO rollup_members AS r (channel, member, tier, answers, points, score_sum)
    VALUES (x.channel, x.author, x.tier, 1, x.points, x.score)
    ON CONFLICT (channel, member, tier) DO UPDATE SET answers = r.answers + 1,
        points = r.points + excluded.points, score_sum = r.score_sum + excluded.score_sum;
    IF x.day IS NOT NULL THEN
        INSERT INTO rollup_days AS r (channel, day, member, tier, answers, points, score_sum)
        VALUES (x.channel, x.day, x.author, x.tier, 1, x.points, x.score)
        ON CONFLICT (channel, day, member, tier) DO UPDATE SET answers = r.answers + 1,
            points = r.points + excluded.points, score_sum = r.score_sum + excluded.score_sum;
    END IF;
END $$;

-- ... and taken out (before it changes or goes); rows left with no answers are deleted.
CREATE FUNCTION rollup_take(answer_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    SELECT * INTO x FROM answer_points WHERE id = answer_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE rollup_topics SET answers = answers - 1, late = late - x.late::int,
        points = points - x.points, score_sum = score_sum - x.score
    WHERE channel = x.channel AND member = x.author AND topic = x.topic;
    DELETE FROM rollup_topics
    WHERE channel = x.channel AND member = x.author AND topic = x.topic AND answers = 0;
    IF x.late THEN
        RETURN;
    END IF;
    UPDATE rollup_members SET answers = answers - 1, points = points - x.points,
        score_sum = score_sum - x.score
    WHERE channel = x.channel AND member = x.author AND tier = x.tier;
    DELETE FROM rollup_members
    WHERE channel = x.channel AND member = x.author AND tier = x.tier AND answers = 0;
    UPDATE rollup_days SET answers = answers - 1, points = points - x.points,
        score_sum = score_sum - x.score
    WHERE channel = x.channel AND day = x.day AND member = x.author AND tier = x.tier;
    DELETE FROM rollup_days
    WHERE channel = x.channel AND day = x.day AND member = x.author AND tier = x.tier
      AND answers = 0;
END $$;

-- Moves an on-time answer's points by `delta` in the three rollups.
CREATE FUNCTION rollup_move_points(answer_id BIGINT, delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    SELECT * INTO x FROM vote_delta WHERE answer = answer_id AND NOT late;
    IF NOT FOUND OR delta = 0 THEN
        RETURN;
    END IF;
    UPDATE rollup_topics SET points = points + delta
    WHERE channel = x.channel AND member = x.author AND topic = x.topic;
    UPDATE rollup_members SET points = points + delta
    WHERE channel = x.channel AND member = x.author AND tier = x.tier;
    UPDATE rollup_days SET points = points + delta
    WHERE channel = x.channel AND day = x.day AND member = x.author AND tier = x.tier;
END $$;

-- The answer triggers. PostgreSQL runs row-level AFTER triggers at the end of the statement and
-- BEFORE triggers row by row (each seeing the rows the statement already changed), so an
-- answer's contribution is read from its own row only: the order of rows does not matter.
CREATE FUNCTION rollup_answer_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT built FROM rollup_state WHERE id = 1) THEN
        PERFORM rollup_add(NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION rollup_answer_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT built FROM rollup_state WHERE id = 1) THEN
        PERFORM rollup_take(OLD.id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER rollup_answer_in AFTER INSERT ON answers
FOR EACH ROW EXECUTE FUNCTION rollup_answer_in();

CREATE TRIGGER rollup_answer_out BEFORE DELETE ON answers
FOR EACH ROW EXECUTE FUNCTION rollup_answer_out();

-- A change of anything points depend on: out with the old row (BEFORE), in with the new (AFTER).
-- An upsert's UPDATE branch fires these too (and not the AFTER INSERT trigger).
CREATE TRIGGER rollup_answer_change_out BEFORE UPDATE OF post, author, score, late, day ON answers
FOR EACH ROW EXECUTE FUNCTION rollup_answer_out();

CREATE TRIGGER rollup_answer_change_in AFTER UPDATE OF post, author, score, late, day ON answers
FOR EACH ROW EXECUTE FUNCTION rollup_answer_in();

-- The vote triggers run BEFORE each row, so that in a statement that adds or removes several
-- votes of one voter (two emoji) exactly one row sees the voter's first vote or last removal.
-- They lock the answer's row first: concurrent transactions changing the same answer's votes
-- (several bot processes) then take turns, and each sees the votes the other committed.
CREATE FUNCTION rollup_vote_in() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT;
BEGIN
    IF NOT (SELECT built FROM rollup_state WHERE id = 1) THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM answers WHERE id = NEW.answer FOR UPDATE;
    IF EXISTS (SELECT 1 FROM votes WHERE answer = NEW.answer AND voter = NEW.voter) THEN
        RETURN NEW;
    END IF;
    SELECT COUNT(DISTINCT voter) INTO n FROM votes WHERE answer = NEW.answer;
    PERFORM rollup_move_points(NEW.answer, 10 * (LEAST(n + 1, 5) - LEAST(n, 5)));
    RETURN NEW;
END $$;

CREATE FUNCTION rollup_vote_out() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT;
BEGIN
    IF NOT (SELECT built FROM rollup_state WHERE id = 1) THEN
        RETURN OLD;
    END IF;
    PERFORM 1 FROM answers WHERE id = OLD.answer FOR UPDATE;
    IF EXISTS (SELECT 1 FROM votes WHERE answer = OLD.answer AND voter = OLD.voter
                                     AND emoji <> OLD.emoji) THEN
        RETURN OLD;
    END IF;
    SELECT COUNT(DISTINCT voter) INTO n FROM votes WHERE answer = OLD.answer;
    PERFORM rollup_move_points(OLD.answer, 10 * (LEAST(n - 1, 5) - LEAST(n, 5)));
    RETURN OLD;
END $$;

CREATE TRIGGER rollup_vote_in BEFORE INSERT ON votes
FOR EACH ROW EXECUTE FUNCTION rollup_vote_in();

CREATE TRIGGER rollup_vote_out BEFORE DELETE ON votes
FOR EACH ROW EXECUTE FUNCTION rollup_vote_out();
