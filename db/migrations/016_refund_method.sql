-- Where a refund's money goes (issue 11): '' back to the order's payments, as
-- Shopify suggests splitting it; 'store_credit' as store credit to the order's
-- customer. Kept with the refund so that a retry after a crash asks for the same.
ALTER TABLE refunds ADD COLUMN method TEXT NOT NULL DEFAULT '' CHECK (method IN ('', 'store_credit'));
