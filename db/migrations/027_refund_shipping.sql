-- What of a refund's money refunds the order's delivery (issue 14): a
-- withdrawal of the whole order refunds the delivery paid on it. Kept with the
-- refund so that a retry after a crash asks Shopify for the same.
ALTER TABLE refunds ADD COLUMN shipping_minor INTEGER NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0);
