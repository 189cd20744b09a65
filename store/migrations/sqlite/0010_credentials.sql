-- The credential lifecycle (issue 11): tokens that expire and show when they were last used,
-- users an admin can disable, and deleted subscribers' signing secrets erased. A revoked token
-- is deleted, so its hash no longer matches anything.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMP;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
-- Deleting a subscriber now erases its secrets; those deleted before kept theirs until here.
UPDATE subscribers SET secret = '', previous_secret = '', previous_until = NULL WHERE deleted_at IS NOT NULL;
