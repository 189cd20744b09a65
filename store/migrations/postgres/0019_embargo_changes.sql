-- Same as migrations/sqlite/0018_embargo_changes.sql, in PostgreSQL's types.
CREATE TABLE embargo_changes (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id    BIGINT NOT NULL REFERENCES articles (id),
	embargo_until TIMESTAMPTZ,
	changed_by    TEXT NOT NULL,
	changed_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX embargo_changes_article ON embargo_changes (article_id, id);

UPDATE subscribers SET secret = '', previous_secret = '', previous_until = NULL WHERE kind <> 'webhook';
