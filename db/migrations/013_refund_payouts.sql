-- How the money of a refund Shopify made reaches the customer (issue 11). A
-- refund made in Shopify may move no money yet: its gateway may keep it pending,
-- or fail it, and a manual payment method (cash on delivery, bank transfer)
-- moves none at all, so staff pay it themselves.
--   payout: '' the money went to the customer's payments (every refund before
--     this migration); 'pending' a transaction waits for its gateway, or was not
--     read back yet; 'failed' a transaction failed at its gateway (the error
--     column says which, for staff).
--   manual_minor: what of the refund went through manual payment methods,
--     manual_gateway which; manual_paid_at (unix milliseconds, 0 until then)
--     and manual_paid_by (a staff id) record staff's confirmation that they
--     paid it.
ALTER TABLE refunds ADD COLUMN payout TEXT NOT NULL DEFAULT '' CHECK (payout IN ('', 'pending', 'failed'));
ALTER TABLE refunds ADD COLUMN manual_minor INTEGER NOT NULL DEFAULT 0 CHECK (manual_minor >= 0);
ALTER TABLE refunds ADD COLUMN manual_gateway TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN manual_paid_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN manual_paid_by INTEGER NOT NULL DEFAULT 0;

-- The follow-up pass reads only the refunds whose money is still on its way.
CREATE INDEX refunds_payout_pending ON refunds (order_id) WHERE payout = 'pending';
