-- Same changes as migrations/sqlite/0010_credentials.sql, in PostgreSQL's types.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMPTZ;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
UPDATE subscribers SET secret = '', previous_secret = '', previous_until = NULL WHERE deleted_at IS NOT NULL;
