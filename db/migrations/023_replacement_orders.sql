-- Replacement orders (issue 12): a replacement for a damaged item is a Shopify
-- order made from a draft order. One row per return. The draft's id is stored
-- before the draft is completed, and the row is marked 'completing' before
-- Shopify is asked, so that after a lost answer the draft is read back
-- instead of completed again: one replacement never makes two orders.
--   creating   – a draft is to be made (or was asked for and the answer lost)
--   draft      – the draft exists (draft_id), not completed
--   completing – completion was asked; the draft tells whether it happened
--   ordered    – the draft became order_id / order_name
--   failed     – Shopify refused (problem says why); staff may try again
--                with other variants or switch the return to a refund
CREATE TABLE replacement_orders (
	return_id  INTEGER PRIMARY KEY REFERENCES returns (id) ON DELETE CASCADE,
	state      TEXT    NOT NULL CHECK (state IN ('creating', 'draft', 'completing', 'ordered', 'failed')),
	lines      TEXT    NOT NULL, -- JSON: [{"line_item_id", "variant_id", "quantity"}]
	draft_id   TEXT    NOT NULL DEFAULT '',
	order_id   TEXT    NOT NULL DEFAULT '',
	order_name TEXT    NOT NULL DEFAULT '',
	problem    TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX replacement_orders_order ON replacement_orders (order_id) WHERE order_id <> '';

CREATE TRIGGER replacement_orders_version_insert AFTER INSERT ON replacement_orders BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER replacement_orders_version_update AFTER UPDATE ON replacement_orders BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;

-- The fulfilment of the replacement order a shipment was read from: '' for a
-- shipment staff recorded by hand.
ALTER TABLE shipments ADD COLUMN fulfillment_id TEXT NOT NULL DEFAULT '';
