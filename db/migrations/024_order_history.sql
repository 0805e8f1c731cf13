-- What the portal keeps to keep an order's note whole when staff edit it in
-- Shopify admin (issue 12).
--
-- writebacks.status is the return's status the write-back tells of, for the
-- order's history metafield; '' for write-backs queued before this migration.
ALTER TABLE writebacks ADD COLUMN status TEXT NOT NULL DEFAULT '';

-- note_writes are the portal's writes of order notes: the note it wrote, and
-- Shopify's updatedAt of the order when it read the note it built on and
-- when it read back what it wrote. A staff edit whose orders/updated lies
-- between the two was erased by that write; its note says what to put back.
-- Kept for WebhookRetention, as the webhooks that can name them.
CREATE TABLE note_writes (
	id         INTEGER PRIMARY KEY,
	order_id   TEXT    NOT NULL,
	return_id  INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	read_at    INTEGER NOT NULL, -- unix ms, Shopify's clock
	written_at INTEGER NOT NULL, -- unix ms, Shopify's clock
	note       TEXT    NOT NULL
) STRICT;

CREATE INDEX note_writes_order ON note_writes (order_id, written_at);

-- note_line_keeps is what became of a portal line erased from the note: put
-- back once (restored_at), and when erased again, left out (left_out_at).
CREATE TABLE note_line_keeps (
	writeback_id INTEGER PRIMARY KEY REFERENCES writebacks (id) ON DELETE CASCADE,
	restored_at  INTEGER NOT NULL,
	left_out_at  INTEGER
) STRICT;
