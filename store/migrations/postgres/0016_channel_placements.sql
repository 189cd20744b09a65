-- Same table as migrations/sqlite/0015_channel_placements.sql, in PostgreSQL's types.
CREATE TABLE channel_placements (
    subscriber_id BIGINT      NOT NULL REFERENCES subscribers(id),
    article_id    BIGINT      NOT NULL REFERENCES articles(id),
    lang          TEXT        NOT NULL,
    state         TEXT        NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subscriber_id, article_id, lang)
);
