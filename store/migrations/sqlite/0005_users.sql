-- People who sign in to the review desk, their browser sessions, and API tokens that act as one
-- of them. Emails are stored lower-cased by the store, so the plain UNIQUE is case-insensitive.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'translator', 'reviewer')),
	langs         TEXT NOT NULL DEFAULT '', -- target languages, comma-separated
	ui_lang       TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMP NOT NULL
);

-- id_hash is the SHA-256 of the cookie's session id: a copy of this table cannot sign anyone in.
CREATE TABLE sessions (
	id_hash      TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token   TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);
CREATE INDEX sessions_created_at ON sessions (created_at);

ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
