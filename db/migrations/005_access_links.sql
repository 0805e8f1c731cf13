-- One-time links that open an order, emailed to the order's address when a typed
-- lookup is rate-limited or the store asks for a link every time (SECURITY.md,
-- "Customers"). Only the hex SHA-256 of a link's token is stored, like the staff
-- sessions': a copy of the database opens no order. A link opens its order once,
-- until expires_at; used_at is set, in one statement with the check, when it is
-- used. email and order_id are kept to bound how many links one order and one
-- address get an hour.
CREATE TABLE access_links (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT    NOT NULL UNIQUE,
	order_id   TEXT    NOT NULL,
	order_name TEXT    NOT NULL,
	email      TEXT    NOT NULL,
	locale     TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
	used_at    INTEGER           -- NULL until used
) STRICT;

CREATE INDEX access_links_order_id ON access_links (order_id, created_at);
CREATE INDEX access_links_email ON access_links (email, created_at);
-- Old links are deleted by age.
CREATE INDEX access_links_expires_at ON access_links (expires_at);

-- One row per request for a link, whether or not it matched an order. Every
-- request then commits one write, so the time of the answer does not tell an
-- email address that belongs to the order from one that does not. No email or
-- order number is kept: the row is only a time and whether a link was sent.
CREATE TABLE access_link_requests (
	id   INTEGER PRIMARY KEY,
	at   INTEGER NOT NULL,
	sent INTEGER NOT NULL CHECK (sent IN (0, 1))
) STRICT;

CREATE INDEX access_link_requests_at ON access_link_requests (at);

-- A link's email belongs to no return, so the outbox's return_id may be NULL now.
-- SQLite cannot drop a NOT NULL constraint in place: the table is made again
-- with the same columns, constraints and indexes, and its rows are copied. Nothing
-- refers to the outbox, so it can be dropped with foreign keys on.
CREATE TABLE outbox_new (
	id          INTEGER PRIMARY KEY,
	dedupe_key  TEXT    NOT NULL UNIQUE,
	return_id   INTEGER REFERENCES returns (id), -- NULL for an email about no return (a link)
	kind        TEXT    NOT NULL,
	to_addr     TEXT    NOT NULL,
	reply_to    TEXT    NOT NULL DEFAULT '',
	subject     TEXT    NOT NULL,
	text_body   TEXT    NOT NULL,
	html_body   TEXT    NOT NULL,
	message_id  TEXT    NOT NULL,
	status      TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'dead', 'unsent')),
	attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error  TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	next_at     INTEGER NOT NULL,
	lease_until INTEGER,
	lease_token TEXT,
	sent_at     INTEGER,
	CHECK ((lease_until IS NULL) = (lease_token IS NULL))
) STRICT;

INSERT INTO outbox_new (id, dedupe_key, return_id, kind, to_addr, reply_to, subject, text_body, html_body,
		message_id, status, attempts, last_error, created_at, next_at, lease_until, lease_token, sent_at)
	SELECT id, dedupe_key, return_id, kind, to_addr, reply_to, subject, text_body, html_body,
		message_id, status, attempts, last_error, created_at, next_at, lease_until, lease_token, sent_at
	FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_status_next_at ON outbox (status, next_at);
CREATE INDEX outbox_status_id ON outbox (status, id);
CREATE INDEX outbox_return_id ON outbox (return_id);
