-- Issue 12: the periodic pass follows replacement orders in the order they
-- were last checked, so that rows whose carrier never reports a delivery do
-- not keep newer ones out of its batch. checked_at is when the pass last
-- asked Shopify about the row (unix milliseconds, 0 never);
-- following_stopped_at is when it gave up on a replacement shipped more
-- than 60 days before without a reported delivery (0 while it follows it;
-- webhooks are still applied).
ALTER TABLE replacement_orders ADD COLUMN checked_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE replacement_orders ADD COLUMN following_stopped_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX replacement_orders_follow ON replacement_orders (checked_at)
	WHERE state IN ('completing', 'ordered') AND following_stopped_at = 0;

-- A check is no change of the return: its version (which staff's forms
-- compare) moves only when what the row says moves.
DROP TRIGGER replacement_orders_version_update;
CREATE TRIGGER replacement_orders_version_update
AFTER UPDATE OF state, lines, draft_id, order_id, order_name, problem ON replacement_orders BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
