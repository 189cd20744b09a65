-- Comments on segments of a translation, threaded one level (a reply names the comment that
-- opened the thread), of kind 'comment' or 'rejection' (a reviewer's note on a segment of the
-- version she rejected). version is the translation's latest version when the comment was
-- made, so a reader knows which text it speaks of.
CREATE TABLE comments (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL,
	lang       TEXT NOT NULL,
	segment    TEXT NOT NULL,
	parent_id  INTEGER REFERENCES comments (id),
	kind       TEXT NOT NULL CHECK (kind IN ('comment', 'rejection')),
	version    INTEGER NOT NULL,
	author     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang)
);
CREATE INDEX comments_translation ON comments (article_id, lang, id);

-- The users a comment mentions; seen_at is set when the user opens the translation, and until
-- then the mention is listed in her queue.
CREATE TABLE comment_mentions (
	comment_id INTEGER NOT NULL REFERENCES comments (id),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	seen_at    TIMESTAMP,
	PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_unseen ON comment_mentions (user_id) WHERE seen_at IS NULL;

-- Who works on a translation: one person at a time, who claimed it (claimed) or was assigned
-- it by an editor (assigned_by names the editor).
CREATE TABLE assignments (
	article_id  INTEGER NOT NULL,
	lang        TEXT NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users (id),
	claimed     BOOLEAN NOT NULL,
	assigned_by TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	PRIMARY KEY (article_id, lang),
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang)
);
CREATE INDEX assignments_user ON assignments (user_id);
