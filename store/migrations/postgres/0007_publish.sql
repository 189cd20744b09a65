-- Same tables as migrations/sqlite/0007_publish.sql, in PostgreSQL's types.
CREATE TABLE subscribers (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	url             TEXT NOT NULL,
	langs           TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	secret          TEXT NOT NULL,
	previous_secret TEXT NOT NULL DEFAULT '',
	previous_until  TIMESTAMPTZ,
	disabled_at     TIMESTAMPTZ,
	disabled_reason TEXT NOT NULL DEFAULT '',
	deleted_at      TIMESTAMPTZ,
	created_by      TEXT NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL
);

-- One row per approved version: what deliveries carry, and what the feeds list once every
-- delivery of it is acknowledged (published_at set).
CREATE TABLE releases (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id   BIGINT NOT NULL,
	lang         TEXT NOT NULL,
	version      INTEGER NOT NULL,
	event        TEXT NOT NULL CHECK (event IN ('translation.published', 'translation.updated')),
	approved_by  TEXT NOT NULL,
	approved_at  TIMESTAMPTZ NOT NULL,
	published_at TIMESTAMPTZ,
	UNIQUE (article_id, lang, version),
	FOREIGN KEY (article_id, lang, version) REFERENCES versions (article_id, lang, number)
);
CREATE INDEX releases_published ON releases (lang, published_at, id) WHERE published_at IS NOT NULL;

-- The delivery outbox: one row per release and subscriber. The row is the truth; its id is the
-- webhook-id, and round (raised by a redelivery) makes the queue's task id.
CREATE TABLE deliveries (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	release_id    BIGINT NOT NULL REFERENCES releases (id),
	subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
	state         TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
	round         INTEGER NOT NULL DEFAULT 1,
	attempts      INTEGER NOT NULL DEFAULT 0,
	give_up_at    TIMESTAMPTZ NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	dispatched_at TIMESTAMPTZ,
	finished_at   TIMESTAMPTZ,
	last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_pending ON deliveries (dispatched_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_release ON deliveries (release_id);
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id) WHERE state = 'pending';

-- Every attempt, for the desk to see why a receiver did not take a delivery. status_code is 0
-- when no response came (refused address, timeout, connection error).
CREATE TABLE delivery_attempts (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	delivery_id  BIGINT NOT NULL REFERENCES deliveries (id),
	attempted_at TIMESTAMPTZ NOT NULL,
	status_code  INTEGER NOT NULL,
	latency_ms   BIGINT NOT NULL,
	error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
