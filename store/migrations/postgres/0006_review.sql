-- Same table as migrations/sqlite/0006_review.sql, in PostgreSQL's types.
CREATE TABLE review_events (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id BIGINT NOT NULL,
	lang       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('approved', 'rejected')),
	comment    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	FOREIGN KEY (article_id, lang, version) REFERENCES versions (article_id, lang, number)
);
CREATE INDEX review_events_translation ON review_events (article_id, lang, id);
