-- Every message stored as an answer is remembered as handled in processed_events
-- ('message:<platform message id>'), inside the statement that stores it, so that a catch-up after
-- downtime never applies it again (even once a newer message has replaced it as the member's
-- answer) without costing live answers a statement of their own. Messages the engine handles
-- without storing them (a refusal after the close, a message without words) are marked by the
-- engine itself (`engine::answers`).

CREATE TRIGGER answers_mark_message_insert AFTER INSERT ON answers
BEGIN
    INSERT OR IGNORE INTO processed_events (platform, event_id, processed_at)
    SELECT c.platform, 'message:' || NEW.message_id, NEW.answered_at
    FROM posts p JOIN channels c ON c.id = p.channel
    WHERE p.id = NEW.post;
END;

CREATE TRIGGER answers_mark_message_update AFTER UPDATE OF message_id ON answers
WHEN NEW.message_id <> OLD.message_id
BEGIN
    INSERT OR IGNORE INTO processed_events (platform, event_id, processed_at)
    SELECT c.platform, 'message:' || NEW.message_id, NEW.answered_at
    FROM posts p JOIN channels c ON c.id = p.channel
    WHERE p.id = NEW.post;
END;
