-- Privacy (docs/SECURITY.md, "Personal data"): when a customer's personal data
-- was erased from a return. NULL while it is kept. An erased return is never
-- erased again, so a second request for the same customer changes nothing.
ALTER TABLE returns ADD COLUMN redacted_at INTEGER;

-- No email is queued for a return whose personal data was erased. The mailer
-- renders none for it, but a change prepared from the return as it was read
-- before the erasure (a staff member approving at that moment) would commit
-- after it an email rendered with the customer's address and words. The row is
-- dropped silently, as a duplicate is (ON CONFLICT DO NOTHING): the change
-- itself still commits.
CREATE TRIGGER outbox_none_for_erased_returns BEFORE INSERT ON outbox
WHEN NEW.return_id IS NOT NULL
	AND EXISTS (SELECT 1 FROM returns WHERE id = NEW.return_id AND redacted_at IS NOT NULL)
BEGIN
	SELECT RAISE(IGNORE);
END;
