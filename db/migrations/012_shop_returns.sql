-- Shopify's own return of each portal return (issue 11). shopify_return_id is the
-- Return GID ('' while there is none) and shopify_return_status its status as
-- last seen, or why there is none: LEGACY for the returns made before this
-- migration (they keep their money-only refunds), REFUSED when Shopify would not
-- record it, NONE when it was declined or cancelled before Shopify heard of it.
ALTER TABLE returns ADD COLUMN shopify_return_id TEXT NOT NULL DEFAULT '';
ALTER TABLE returns ADD COLUMN shopify_return_status TEXT NOT NULL DEFAULT '';
UPDATE returns SET shopify_return_status = 'LEGACY';

CREATE INDEX returns_shopify_return ON returns (shopify_return_id) WHERE shopify_return_id <> '';

-- Returns whose Shopify return is to be brought in step with them. A row is made
-- (or its seq raised) in the transaction of every new return and every change of
-- a return's status, by the triggers below, so no change can be committed without
-- it; the sync removes the row only if seq is what it read.
CREATE TABLE shop_return_syncs (
	return_id  INTEGER PRIMARY KEY REFERENCES returns (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL DEFAULT 1,
	attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_at    INTEGER NOT NULL DEFAULT 0, -- unix milliseconds; 0 is due now
	last_error TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX shop_return_syncs_due ON shop_return_syncs (next_at);

CREATE TRIGGER returns_shop_sync_insert AFTER INSERT ON returns
	WHEN NEW.shopify_return_status NOT IN ('LEGACY', 'REFUSED') BEGIN
	INSERT INTO shop_return_syncs (return_id) VALUES (NEW.id)
		ON CONFLICT (return_id) DO UPDATE SET seq = seq + 1, attempts = 0, next_at = 0;
END;

CREATE TRIGGER returns_shop_sync_status AFTER UPDATE OF status ON returns
	WHEN OLD.status <> NEW.status AND NEW.shopify_return_status NOT IN ('LEGACY', 'REFUSED') BEGIN
	INSERT INTO shop_return_syncs (return_id) VALUES (NEW.id)
		ON CONFLICT (return_id) DO UPDATE SET seq = seq + 1, attempts = 0, next_at = 0;
END;
