-- Same columns as migrations/sqlite/0014_channels.sql, in PostgreSQL's types.
ALTER TABLE subscribers ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook' CHECK (kind IN ('webhook', 'wordpress', 'telegram'));
ALTER TABLE subscribers ADD COLUMN payload TEXT NOT NULL DEFAULT 'tarjuma' CHECK (payload IN ('tarjuma', 'ninjs'));
ALTER TABLE subscribers ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE subscribers ADD COLUMN credentials BYTEA;
ALTER TABLE subscribers ADD COLUMN checked_at TIMESTAMPTZ;
ALTER TABLE subscribers ADD COLUMN check_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN check_error TEXT NOT NULL DEFAULT '';
