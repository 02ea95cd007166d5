-- Every message stored as an answer is remembered as handled in processed_events
-- ('message:<platform message id>'), inside the statement that stores it, so that a catch-up after
-- downtime never applies it again (even once a newer message has replaced it as the member's
-- answer). The same triggers as migrations/sqlite/0003_message_marks.sql.

CREATE FUNCTION answers_mark_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO processed_events (platform, event_id, processed_at)
    SELECT c.platform, 'message:' || NEW.message_id, NEW.answered_at
    FROM posts p JOIN channels c ON c.id = p.channel
    WHERE p.id = NEW.post
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER answers_mark_message_insert AFTER INSERT ON answers
FOR EACH ROW EXECUTE FUNCTION answers_mark_message();

CREATE TRIGGER answers_mark_message_update AFTER UPDATE OF message_id ON answers
FOR EACH ROW WHEN (NEW.message_id <> OLD.message_id) EXECUTE FUNCTION answers_mark_message();
