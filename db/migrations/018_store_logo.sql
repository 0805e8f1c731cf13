-- The store's logo, uploaded by staff and shown on customer pages and in
-- emails. One row: a new logo replaces the old one, whose address then leads
-- nowhere. The image is stored re-encoded (no metadata), with the hash of its
-- bytes that makes its address.
CREATE TABLE store_logo (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	hash          TEXT    NOT NULL,
	content_type  TEXT    NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
	width         INTEGER NOT NULL CHECK (width > 0),
	height        INTEGER NOT NULL CHECK (height > 0),
	data          BLOB    NOT NULL,
	saved_at      INTEGER NOT NULL,
	saved_by      TEXT    NOT NULL
) STRICT;
