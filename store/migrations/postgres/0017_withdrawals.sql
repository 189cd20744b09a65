-- Same as migrations/sqlite/0016_withdrawals.sql, in PostgreSQL's types; here the CHECK and the
-- UNIQUE of releases can be altered in place.
ALTER TABLE articles ADD COLUMN withdrawn_at TIMESTAMPTZ;
ALTER TABLE articles ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN embargo_until TIMESTAMPTZ;

ALTER TABLE releases ADD COLUMN notice TEXT NOT NULL DEFAULT '';
ALTER TABLE releases DROP CONSTRAINT releases_event_check;
ALTER TABLE releases ADD CONSTRAINT releases_event_check
	CHECK (event IN ('translation.published', 'translation.updated', 'translation.withdrawn'));
ALTER TABLE releases DROP CONSTRAINT releases_article_id_lang_version_key;
CREATE UNIQUE INDEX releases_version ON releases (article_id, lang, version) WHERE event <> 'translation.withdrawn';
CREATE UNIQUE INDEX releases_withdrawal ON releases (article_id, lang) WHERE event = 'translation.withdrawn';
