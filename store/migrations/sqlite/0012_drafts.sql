-- What a person is typing into a segment and has not yet saved as a version: autosaved per
-- segment while she types, so a session expiry, a reload, a crash or a conflict loses nothing.
-- base_version is the version her text was edited from, which a later save compares with the
-- latest to tell her own edits from someone else's. Saving the segment removes the row.
CREATE TABLE drafts (
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	article_id   INTEGER NOT NULL,
	lang         TEXT NOT NULL,
	segment      TEXT NOT NULL,
	text         TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	updated_at   TIMESTAMP NOT NULL,
	PRIMARY KEY (user_id, article_id, lang, segment),
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang) ON DELETE CASCADE
);
