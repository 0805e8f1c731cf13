-- The transactional outbox (DESIGN.md, "Email"). A row is written in the same
-- transaction as the change it tells of, and dedupe_key (return, event and
-- recipient) keeps a retried request from queueing it twice. The mail worker
-- claims queued rows with a lease (lease_until, lease_token), sends them and
-- records the outcome with compare-and-set on the token, so that a worker whose
-- lease ran out cannot overwrite another's. Rows are never deleted: no ON DELETE
-- CASCADE, like the refund ledger.
CREATE TABLE outbox (
	id          INTEGER PRIMARY KEY,
	dedupe_key  TEXT    NOT NULL UNIQUE,
	return_id   INTEGER NOT NULL REFERENCES returns (id),
	kind        TEXT    NOT NULL,
	to_addr     TEXT    NOT NULL,
	reply_to    TEXT    NOT NULL DEFAULT '',
	subject     TEXT    NOT NULL,
	text_body   TEXT    NOT NULL,
	html_body   TEXT    NOT NULL,
	-- Made when the message is queued, so every attempt carries the same one.
	message_id  TEXT    NOT NULL,
	status      TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'dead', 'unsent')),
	attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error  TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	next_at     INTEGER NOT NULL,
	lease_until INTEGER,          -- NULL when no worker holds the row
	lease_token TEXT,             -- NULL with lease_until
	sent_at     INTEGER,          -- NULL until sent
	CHECK ((lease_until IS NULL) = (lease_token IS NULL))
) STRICT;

-- The worker claims queued rows that are due, soonest first.
CREATE INDEX outbox_status_next_at ON outbox (status, next_at);
-- The backoffice lists the outbox newest first by id (the primary key), or of one
-- status by this index.
CREATE INDEX outbox_status_id ON outbox (status, id);
CREATE INDEX outbox_return_id ON outbox (return_id);
