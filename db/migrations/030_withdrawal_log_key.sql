-- Issue 14: the withdrawal log's hashes are keyed. v is an entry's format:
-- 1, the first one, hashed with SHA-256 alone, which anyone holding the
-- file can recompute after a rewrite; 2, HMAC-SHA256 with a key the file
-- does not hold (LOG_SECRET, docs/SECURITY.md "The withdrawal log"). Entries
-- written before this migration keep v = 1 and verify as unkeyed.
ALTER TABLE withdrawal_log ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
