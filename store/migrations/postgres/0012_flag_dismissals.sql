-- Same table as migrations/sqlite/0011_flag_dismissals.sql, in PostgreSQL's types.
CREATE TABLE flag_dismissals (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id BIGINT NOT NULL,
	lang       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	segment    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	args       TEXT NOT NULL,
	reason     TEXT NOT NULL,
	actor      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (article_id, lang, version, segment, kind, args),
	FOREIGN KEY (article_id, lang, version) REFERENCES versions (article_id, lang, number)
);
