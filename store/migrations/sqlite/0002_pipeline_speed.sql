-- A finished translation deletes its outbox rows by (article_id, lang); without an index that
-- is a scan of every in-flight job, once per task.
CREATE INDEX jobs_translation ON jobs (article_id, lang, source_revision);
