-- Issue 14: a consumer's statement of withdrawal from the contract (Directive
-- 2011/83/EU, Article 11a), one per return of kind 'withdrawal', stored in the
-- same transaction as the return it made. channel says how it reached the
-- store ('online' through the portal's withdrawal function, 'email' or 'post'
-- registered by staff); made_at is when it was made (confirmed online, or the
-- day a letter or an email arrived, as staff registered it), in unix
-- milliseconds; registered_by is the staff member who registered one that
-- came by email or post, 0 for one made online.
CREATE TABLE withdrawals (
	return_id     INTEGER PRIMARY KEY REFERENCES returns (id) ON DELETE CASCADE,
	name          TEXT    NOT NULL,
	email         TEXT    NOT NULL,
	reason        TEXT    NOT NULL DEFAULT '',
	channel       TEXT    NOT NULL CHECK (channel IN ('online', 'email', 'post')),
	made_at       INTEGER NOT NULL,
	registered_by INTEGER NOT NULL DEFAULT 0
) STRICT;
