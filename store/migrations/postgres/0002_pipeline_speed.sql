-- A finished translation deletes its outbox rows by (article_id, lang); without an index that
-- is a scan of every in-flight job, once per task.
CREATE INDEX jobs_translation ON jobs (article_id, lang, source_revision);

-- Versions' segments and article bodies are a few KiB each, so every insert compresses them for
-- TOAST; pglz, the default, took an eighth of PostgreSQL's time in the pipeline benchmark. lz4
-- is several times faster. A server built without lz4 keeps pglz.
DO $$
BEGIN
	ALTER TABLE versions ALTER COLUMN segments SET COMPRESSION lz4;
	ALTER TABLE source_revisions ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	NULL;
END
$$;
