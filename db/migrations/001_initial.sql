-- Initial schema. Times are INTEGER unix milliseconds (UTC); money is INTEGER minor
-- units beside an ISO 4217 currency code. Applied migrations are never edited: a
-- change is a new numbered file.

CREATE TABLE returns (
	id             INTEGER PRIMARY KEY,
	code           TEXT    NOT NULL UNIQUE,
	token          TEXT    NOT NULL UNIQUE,
	submission_key TEXT    NOT NULL,
	order_id       TEXT    NOT NULL,
	order_name     TEXT    NOT NULL,
	email          TEXT    NOT NULL,
	locale         TEXT    NOT NULL,
	kind           TEXT    NOT NULL,
	reason         TEXT    NOT NULL,
	resolution     TEXT    NOT NULL,
	note           TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	currency       TEXT    NOT NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	-- Its index starts with order_id, so it also serves the returns of an order.
	UNIQUE (order_id, submission_key)
) STRICT;

-- The backoffice queue: returns in a status, newest first, paged by id.
CREATE INDEX returns_status_id ON returns (status, id);
CREATE INDEX returns_created_at ON returns (created_at);

CREATE TABLE return_items (
	id               INTEGER PRIMARY KEY,
	return_id        INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	line_item_id     TEXT    NOT NULL,
	title            TEXT    NOT NULL,
	quantity         INTEGER NOT NULL CHECK (quantity > 0),
	unit_price_minor INTEGER NOT NULL,
	currency         TEXT    NOT NULL
) STRICT;

CREATE INDEX return_items_return_id ON return_items (return_id);

-- Photos live in the database, not in files, so that a crash between writing a
-- file and committing its row can never leave an orphan. data is the last column:
-- reading the metadata alone does not touch the blob's overflow pages.
CREATE TABLE photos (
	id           INTEGER PRIMARY KEY,
	return_id    INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	content_type TEXT    NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB    NOT NULL
) STRICT;

CREATE INDEX photos_return_id ON photos (return_id);

CREATE TABLE events (
	id        INTEGER PRIMARY KEY,
	return_id INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	at        INTEGER NOT NULL,
	actor     TEXT    NOT NULL,
	type      TEXT    NOT NULL,
	status    TEXT    NOT NULL, -- the status after the event; '' when unchanged
	message   TEXT    NOT NULL
) STRICT;

CREATE INDEX events_return_id ON events (return_id, id);

CREATE TABLE writebacks (
	id         INTEGER PRIMARY KEY,
	return_id  INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	order_id   TEXT    NOT NULL,
	note_line  TEXT    NOT NULL,
	tags       TEXT    NOT NULL, -- JSON array of strings
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    INTEGER NOT NULL,
	last_error TEXT    NOT NULL DEFAULT '',
	done_at    INTEGER          -- NULL while pending
) STRICT;

CREATE INDEX writebacks_return_id ON writebacks (return_id);
-- Only pending rows are ever looked for by the retry loop.
CREATE INDEX writebacks_pending ON writebacks (next_at) WHERE done_at IS NULL;

-- One row per setting, so that a setting added later falls back to its default
-- until staff save it.
CREATE TABLE settings (
	key        TEXT    PRIMARY KEY,
	value      TEXT    NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
