-- A QA flag a person judged a false positive, and why: per version, segment and flag (its kind
-- and its args as a JSON array). Saving a version copies the rows whose segment text and flag
-- are unchanged to the new version, keeping who dismissed it and when, so the history shows
-- every dismissal and an approval of any version knows which of its flags are answered.
CREATE TABLE flag_dismissals (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL,
	lang       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	segment    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	args       TEXT NOT NULL,
	reason     TEXT NOT NULL,
	actor      TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (article_id, lang, version, segment, kind, args),
	FOREIGN KEY (article_id, lang, version) REFERENCES versions (article_id, lang, number)
);
