-- Same table as migrations/sqlite/0012_drafts.sql, in PostgreSQL's types.
CREATE TABLE drafts (
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	article_id   BIGINT NOT NULL,
	lang         TEXT NOT NULL,
	segment      TEXT NOT NULL,
	text         TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (user_id, article_id, lang, segment),
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang) ON DELETE CASCADE
);
