-- Same table as migrations/sqlite/0004_mt_usage.sql, in PostgreSQL's types.
CREATE TABLE mt_usage (
	article_id BIGINT NOT NULL REFERENCES articles (id),
	lang       TEXT NOT NULL,
	provider   TEXT NOT NULL,
	characters BIGINT NOT NULL,
	requests   BIGINT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (article_id, lang, provider)
);
