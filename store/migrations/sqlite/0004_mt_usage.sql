-- What was sent to each MT engine for each article and language, for the desk's MT budget:
-- one row per (article, language, engine), added to by every translation run.
CREATE TABLE mt_usage (
	article_id INTEGER NOT NULL REFERENCES articles (id),
	lang       TEXT NOT NULL,
	provider   TEXT NOT NULL,
	characters BIGINT NOT NULL,
	requests   BIGINT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (article_id, lang, provider)
);
