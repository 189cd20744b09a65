-- Same columns as migrations/sqlite/0009_approval_override.sql, in PostgreSQL's types.
ALTER TABLE review_events ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE review_events ADD COLUMN override_issues TEXT NOT NULL DEFAULT '';
