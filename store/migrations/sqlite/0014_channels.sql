-- Subscribers become channels of a kind: webhook (every subscriber so far), and later
-- wordpress and telegram. payload is what a webhook receives (our event, or an IPTC ninjs
-- document); settings holds what a kind needs besides (JSON); credentials what it needs to
-- authenticate, sealed with AES-GCM under TARJUMA_SECRET_KEY (never plain text, and NULL for
-- kinds that have none). checked_* record the last test of the channel, for the desk to show.
ALTER TABLE subscribers ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook' CHECK (kind IN ('webhook', 'wordpress', 'telegram'));
ALTER TABLE subscribers ADD COLUMN payload TEXT NOT NULL DEFAULT 'tarjuma' CHECK (payload IN ('tarjuma', 'ninjs'));
ALTER TABLE subscribers ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE subscribers ADD COLUMN credentials BLOB;
ALTER TABLE subscribers ADD COLUMN checked_at TIMESTAMP;
ALTER TABLE subscribers ADD COLUMN check_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN check_error TEXT NOT NULL DEFAULT '';
