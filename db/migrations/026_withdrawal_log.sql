-- Issue 14: the record of withdrawals a consumer authority would ask for, an
-- append-only log whose entries are hash-chained: hash is the SHA-256 (hex)
-- of seq, at, return_code, kind, payload (canonical JSON) and prev_hash (the
-- previous entry's hash, '' for the first), so that a later change of any
-- entry breaks the chain from it on (returns-portal verify-log). Entries are
-- appended in the transaction of what they record; the triggers refuse any
-- change or deletion.
CREATE TABLE withdrawal_log (
	seq         INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	return_code TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	payload     TEXT    NOT NULL,
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER withdrawal_log_no_update BEFORE UPDATE ON withdrawal_log BEGIN
	SELECT RAISE(ABORT, 'withdrawal_log is append-only');
END;
CREATE TRIGGER withdrawal_log_no_delete BEFORE DELETE ON withdrawal_log BEGIN
	SELECT RAISE(ABORT, 'withdrawal_log is append-only');
END;
