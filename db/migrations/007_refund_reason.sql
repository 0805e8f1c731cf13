-- A refund above what the returned items are worth is made only on purpose, with a
-- reason that stays in the ledger beside the amount.
ALTER TABLE refunds ADD COLUMN reason TEXT NOT NULL DEFAULT '';
