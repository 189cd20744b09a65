-- Withdrawals and embargoes. An article withdrawn (for legal reasons, say) keeps who withdrew
-- it, when and why; each language that was released gets one more release, of event
-- translation.withdrawn, whose deliveries take the story down on every channel that had it,
-- with the notice the desk words for readers. embargo_until holds every channel back until
-- that time. SQLite cannot alter a CHECK or a UNIQUE, so releases is rebuilt. Renaming it aside
-- would rewrite the references of deliveries with it (foreign keys are on, and cannot be turned
-- off inside the migration's transaction), so it is copied aside, dropped and made again under
-- the same name, with the foreign keys deferred: the drop's orphans are matched again by the
-- copy back, before the commit checks.
ALTER TABLE articles ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE articles ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN embargo_until TIMESTAMP;

PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE releases_before_withdrawals AS SELECT * FROM releases;
DROP TABLE releases;
CREATE TABLE releases (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id   INTEGER NOT NULL,
	lang         TEXT NOT NULL,
	version      INTEGER NOT NULL,
	event        TEXT NOT NULL CHECK (event IN ('translation.published', 'translation.updated', 'translation.withdrawn')),
	approved_by  TEXT NOT NULL,
	approved_at  TIMESTAMP NOT NULL,
	published_at TIMESTAMP,
	notice       TEXT NOT NULL DEFAULT '',
	FOREIGN KEY (article_id, lang, version) REFERENCES versions (article_id, lang, number)
);
INSERT INTO releases (id, article_id, lang, version, event, approved_by, approved_at, published_at)
	SELECT id, article_id, lang, version, event, approved_by, approved_at, published_at FROM releases_before_withdrawals;
DROP TABLE releases_before_withdrawals;
CREATE INDEX releases_published ON releases (lang, published_at, id) WHERE published_at IS NOT NULL;
-- One release per approved version, and one withdrawal per translation.
CREATE UNIQUE INDEX releases_version ON releases (article_id, lang, version) WHERE event <> 'translation.withdrawn';
CREATE UNIQUE INDEX releases_withdrawal ON releases (article_id, lang) WHERE event = 'translation.withdrawn';
