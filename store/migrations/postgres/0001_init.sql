-- Same tables as migrations/sqlite/0001_init.sql, in PostgreSQL's types.
CREATE TABLE articles (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	external_id     TEXT UNIQUE,
	idempotency_key TEXT UNIQUE,
	request_hash    TEXT NOT NULL DEFAULT '',
	revision        INTEGER NOT NULL CHECK (revision >= 1),
	target_langs    TEXT NOT NULL,
	priority        TEXT NOT NULL CHECK (priority IN ('urgent', 'default', 'bulk')),
	created_by      TEXT NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE source_revisions (
	article_id BIGINT NOT NULL REFERENCES articles (id),
	number     INTEGER NOT NULL CHECK (number >= 1),
	title      TEXT NOT NULL,
	body       TEXT NOT NULL,
	author     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (article_id, number)
);

CREATE TABLE translations (
	article_id      BIGINT NOT NULL REFERENCES articles (id),
	lang            TEXT NOT NULL CHECK (lang IN ('tg', 'ru', 'en')),
	position        INTEGER NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('queued', 'translating', 'needs_review', 'approved', 'rejected', 'published', 'failed')),
	failure_reason  TEXT NOT NULL DEFAULT '',
	source_revision INTEGER NOT NULL,
	latest_version  INTEGER NOT NULL DEFAULT 0,
	updated_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (article_id, lang),
	FOREIGN KEY (article_id, source_revision) REFERENCES source_revisions (article_id, number)
);
CREATE INDEX translations_status_lang ON translations (status, lang);

CREATE TABLE versions (
	article_id      BIGINT NOT NULL,
	lang            TEXT NOT NULL,
	number          INTEGER NOT NULL CHECK (number >= 1),
	segments        TEXT NOT NULL,
	author          TEXT NOT NULL,
	machine         BOOLEAN NOT NULL,
	source_revision INTEGER NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (article_id, lang, number),
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang),
	FOREIGN KEY (article_id, source_revision) REFERENCES source_revisions (article_id, number)
);
-- One machine version per source revision: what makes SaveMachineVersion idempotent.
CREATE UNIQUE INDEX versions_machine_revision ON versions (article_id, lang, source_revision) WHERE machine;

-- The transactional outbox.
CREATE TABLE jobs (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id      BIGINT NOT NULL,
	lang            TEXT NOT NULL,
	source_revision INTEGER NOT NULL,
	priority        TEXT NOT NULL CHECK (priority IN ('urgent', 'default', 'bulk')),
	created_at      TIMESTAMPTZ NOT NULL,
	dispatched_at   TIMESTAMPTZ,
	FOREIGN KEY (article_id, lang) REFERENCES translations (article_id, lang)
);
CREATE INDEX jobs_pending ON jobs (id) WHERE dispatched_at IS NULL;
CREATE INDEX jobs_dispatched_at ON jobs (dispatched_at) WHERE dispatched_at IS NOT NULL;

CREATE TABLE api_tokens (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'translator', 'reviewer')),
	hash       TEXT NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE translation_memory (
	source_lang TEXT NOT NULL,
	target_lang TEXT NOT NULL,
	key         TEXT NOT NULL,
	text        TEXT NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (source_lang, target_lang, key)
);
