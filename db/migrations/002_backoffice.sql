-- The backoffice: staff accounts and their sessions, the refund ledger, replacement
-- shipments, the history of settings changes, and the indexes the queue searches
-- by. The new staff_email setting needs no schema change: settings are one row per
-- key, and a key never saved falls back to its default.

CREATE TABLE staff (
	id            INTEGER PRIMARY KEY,
	-- Stored lower-cased by the service, so that UNIQUE is case-insensitive too.
	email         TEXT    NOT NULL UNIQUE CHECK (email = lower(email)),
	password_hash TEXT    NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    INTEGER NOT NULL
) STRICT;

-- A session row is what makes sign-out real: a cookie whose row is gone is
-- refused. The id is the hex SHA-256 of the cookie's token, never the token.
CREATE TABLE staff_sessions (
	id           TEXT    PRIMARY KEY,
	staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX staff_sessions_staff_id ON staff_sessions (staff_id);

-- The refund ledger (DESIGN.md, "Exactly-once refunds"). A row is written before
-- Shopify is asked, and its key is the one sent on every attempt. No ON DELETE
-- CASCADE: a record of money paid out must not vanish with its return. staff_id
-- is not a foreign key, like the actors on the timeline.
CREATE TABLE refunds (
	id              INTEGER PRIMARY KEY,
	return_id       INTEGER NOT NULL REFERENCES returns (id),
	order_id        TEXT    NOT NULL,
	amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
	currency        TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL UNIQUE,
	state           TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'unknown')),
	shopify_id      TEXT    NOT NULL DEFAULT '',
	error           TEXT    NOT NULL DEFAULT '',
	staff_id        INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;

-- The limit check sums the refunds of an order.
CREATE INDEX refunds_order_id ON refunds (order_id);
CREATE INDEX refunds_return_id ON refunds (return_id);
-- The reconciler looks only for unsettled refunds, oldest first. Queries must
-- repeat "state IN ('pending', 'unknown')" word for word for SQLite to use it.
CREATE INDEX refunds_unsettled ON refunds (created_at) WHERE state IN ('pending', 'unknown');

CREATE TABLE shipments (
	id           INTEGER PRIMARY KEY,
	return_id    INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	carrier      TEXT    NOT NULL,
	carrier_name TEXT    NOT NULL,
	number       TEXT    NOT NULL,
	tracking_url TEXT    NOT NULL,
	shipped_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX shipments_return_id ON shipments (return_id, id);

-- One row per save that changed something. changed_by rather than "by", which is
-- an SQL keyword.
CREATE TABLE settings_changes (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	changed_by TEXT    NOT NULL,
	fields     TEXT    NOT NULL CHECK (json_valid(fields) AND json_type(fields) = 'array') -- setting keys
) STRICT;

-- The queue's search: an exact match on the code (UNIQUE already), the order name
-- or the email, newest first. NOCASE, because Shopify keeps an email as the
-- customer typed it and the service lower-cases the one searched for; order names
-- are ASCII. The queries must say COLLATE NOCASE to use these.
CREATE INDEX returns_order_name_id ON returns (order_name COLLATE NOCASE, id);
CREATE INDEX returns_email_id ON returns (email COLLATE NOCASE, id);
