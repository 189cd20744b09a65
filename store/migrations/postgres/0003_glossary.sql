-- The glossary: one row per term, the term itself as JSON (its shape is fixed by storedTerm), and
-- a single version counter that every change raises, so each translation version can say which
-- glossary it was checked against.
CREATE TABLE glossary_terms (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	term       TEXT NOT NULL,
	search     TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX glossary_terms_kind ON glossary_terms (kind);

CREATE TABLE glossary_state (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO glossary_state (id, version) VALUES (1, 0);

-- The glossary version each translation version was matched and checked against.
ALTER TABLE versions ADD COLUMN glossary_version BIGINT NOT NULL DEFAULT 0;
