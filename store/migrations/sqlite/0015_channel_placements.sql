-- What each channel holds of an article in one language (a WordPress post's id, the ids of
-- Telegram messages), as the connector describes it (JSON): kept from one delivery to the
-- next so a correction updates what was published instead of publishing a second copy, and a
-- withdrawal finds what to take down. Written with every attempt that changed it, failed
-- attempts included, since a post may be made before the attempt fails.
CREATE TABLE channel_placements (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    article_id    INTEGER NOT NULL REFERENCES articles(id),
    lang          TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (subscriber_id, article_id, lang)
);
