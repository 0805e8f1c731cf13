-- Partial refunds (issue 11): a refund below what the returned items are worth
-- comes with staff's reason, which the customer is shown with the amount and
-- what the items were worth ("€29.00 of €49.00 refunded"). worth_minor is what
-- the items were worth when the refund was made (in the refund's currency), 0
-- for refunds made in Shopify admin and before this migration.
ALTER TABLE refunds ADD COLUMN partial_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN worth_minor INTEGER NOT NULL DEFAULT 0 CHECK (worth_minor >= 0);

-- The parcel a customer sent the items back in, as they told it: carrier and
-- tracking number, one per return. It becomes a reverse delivery on the
-- return's Shopify return: reverse_delivery_id is its GID once Shopify has it,
-- shopify_error why Shopify would not take it ('' while neither), so a parcel
-- is sent to Shopify until one of the two is set.
CREATE TABLE return_parcels (
	return_id           INTEGER PRIMARY KEY REFERENCES returns (id) ON DELETE CASCADE,
	carrier             TEXT    NOT NULL,
	carrier_name        TEXT    NOT NULL,
	number              TEXT    NOT NULL,
	tracking_url        TEXT    NOT NULL,
	sent_at             INTEGER NOT NULL,
	reverse_delivery_id TEXT    NOT NULL DEFAULT '',
	shopify_error       TEXT    NOT NULL DEFAULT ''
) STRICT;

-- The status page shows the parcel: its version moves with it (migration 008).
CREATE TRIGGER return_parcels_version_insert AFTER INSERT ON return_parcels BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER return_parcels_version_update AFTER UPDATE ON return_parcels BEGIN
	UPDATE returns SET version = version + 1 WHERE id IN (OLD.return_id, NEW.return_id);
END;
CREATE TRIGGER return_parcels_version_delete AFTER DELETE ON return_parcels BEGIN
	UPDATE returns SET version = version + 1 WHERE id = OLD.return_id;
END;

-- A new parcel is a change the Shopify return has to follow: the sync row is
-- made in the parcel's transaction (as migration 012's triggers do for a
-- status change), so a parcel stored while Shopify is down is sent later.
CREATE TRIGGER return_parcels_shop_sync AFTER INSERT ON return_parcels
	WHEN (SELECT shopify_return_status FROM returns WHERE id = NEW.return_id) NOT IN ('LEGACY', 'REFUSED', 'NONE') BEGIN
	INSERT INTO shop_return_syncs (return_id) VALUES (NEW.return_id)
		ON CONFLICT (return_id) DO UPDATE SET seq = seq + 1, attempts = 0, next_at = 0;
END;
