-- Same columns as migrations/sqlite/0017_placement_leases.sql, in PostgreSQL's types.
ALTER TABLE channel_placements ADD COLUMN holder BIGINT, ADD COLUMN lease_until TIMESTAMPTZ;
