-- Same tables as migrations/sqlite/0013_comments.sql, in PostgreSQL's types.
CREATE TABLE comments (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id BIGINT NOT NULL,
	lang       TEXT NOT NULL,
	segment    TEXT NOT NULL,
	parent_id  BIGINT REFERENCES comments (id),
	kind       TEXT NOT NULL CHECK (kind IN ('comment', 'rejection')),
	version    INTEGER NOT NULL,
	author     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang)
);
CREATE INDEX comments_translation ON comments (article_id, lang, id);

CREATE TABLE comment_mentions (
	comment_id BIGINT NOT NULL REFERENCES comments (id),
	user_id    BIGINT NOT NULL REFERENCES users (id),
	seen_at    TIMESTAMPTZ,
	PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_unseen ON comment_mentions (user_id) WHERE seen_at IS NULL;

CREATE TABLE assignments (
	article_id  BIGINT NOT NULL,
	lang        TEXT NOT NULL,
	user_id     BIGINT NOT NULL REFERENCES users (id),
	claimed     BOOLEAN NOT NULL,
	assigned_by TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (article_id, lang),
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang)
);
CREATE INDEX assignments_user ON assignments (user_id);
