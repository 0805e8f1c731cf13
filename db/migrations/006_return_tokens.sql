-- Access tokens for customers' links, stored as their SHA-256 (hex), never as the
-- token: a copy of the database opens no return. Every customer email carries a
-- token of its own, made when the email is queued and stored with it.
--
-- returns.token held the one token of a return in plain text. SQLite cannot drop
-- a UNIQUE column, so it stays, filled with a random value that opens nothing;
-- this migration's Go step (db.go, goSteps) moves the hashes of the tokens already
-- sent into return_tokens first, so every link in an inbox keeps working.
CREATE TABLE return_tokens (
	token_hash TEXT    PRIMARY KEY,
	return_id  INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX return_tokens_return_id ON return_tokens (return_id);
