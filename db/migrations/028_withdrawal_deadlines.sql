-- Issue 14: the refund clock of a withdrawal. refund_due is the last day of
-- the refund (14 days from the statement, moved off weekends and Latvian
-- public holidays, in the store's time zone), 'YYYY-MM-DD', computed in Go
-- when the statement is stored (it depends on the holidays, which SQL does
-- not know), so that the queue sorts and filters by it; the Go step of this
-- migration fills the rows stored before it. deadline_reminded_at is when
-- the staff's reminder two days before it was put on the outbox (unix
-- milliseconds), 0 until then: set in the transaction that queues the
-- email, so each withdrawal is reminded of once.
ALTER TABLE withdrawals ADD COLUMN refund_due TEXT NOT NULL DEFAULT '';
ALTER TABLE withdrawals ADD COLUMN deadline_reminded_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX withdrawals_refund_due ON withdrawals (refund_due, return_id);
