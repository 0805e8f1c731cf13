-- The message of an event the system writes, kept as its English format and
-- arguments (JSON, each argument with its domain type) so that staff's pages
-- show it in their language. events.message keeps the English text for what
-- reads it as stored; '' in message_format marks what people wrote and events
-- from before this migration, which are shown as stored.
ALTER TABLE events ADD COLUMN message_format TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN message_args TEXT NOT NULL DEFAULT '';
