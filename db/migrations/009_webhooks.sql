-- Webhooks from Shopify (issue 10). Every delivery whose signature holds is stored
-- here before it is answered, and applied from here: exactly once per
-- X-Shopify-Webhook-Id (UNIQUE), also after a crash, the events of one order in
-- the order of occurred_at. body is the raw payload as it was signed, kept until
-- the row is pruned (30 days after it left pending); it is the last column, so
-- reading the others does not touch its overflow pages. applied_at is when the
-- row left pending: applied, stale or failed.
CREATE TABLE webhook_inbox (
	id              INTEGER PRIMARY KEY,
	webhook_id      TEXT    NOT NULL UNIQUE,
	topic           TEXT    NOT NULL,
	shop_domain     TEXT    NOT NULL,
	order_id        TEXT    NOT NULL DEFAULT '', -- Order GID; '' for an event about no order
	occurred_at     INTEGER NOT NULL, -- the payload's time, else X-Shopify-Triggered-At
	received_at     INTEGER NOT NULL,
	state           TEXT    NOT NULL CHECK (state IN ('pending', 'applied', 'stale', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT    NOT NULL DEFAULT '',
	applied_at      INTEGER,          -- NULL while pending
	body            BLOB    NOT NULL,
	CHECK ((state = 'pending') = (applied_at IS NULL))
) STRICT;

-- The pass over the inbox reads only pending rows, in the order they are applied
-- in. Queries must repeat "state = 'pending'" for SQLite to use it.
CREATE INDEX webhook_inbox_pending ON webhook_inbox (occurred_at, id) WHERE state = 'pending';
-- Pruning finds the rows that left pending long ago.
CREATE INDEX webhook_inbox_settled ON webhook_inbox (applied_at) WHERE state <> 'pending';

-- The newest orders/updated applied per order: an older one arriving later is
-- stale. Pruned with the inbox, since a delivery older than the inbox keeps is
-- refused anyway.
CREATE TABLE order_watermarks (
	order_id   TEXT    PRIMARY KEY,
	updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The shop as the portal knows it: one row. uninstalled_at is when the app was
-- uninstalled from the shop (0 while it is installed): from then the portal does
-- not call Shopify. reinstalled_at is when it was last found installed again, so
-- that a late delivery of an older app/uninstalled cannot mark it uninstalled.
CREATE TABLE shop_state (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	uninstalled_at INTEGER NOT NULL DEFAULT 0,
	reinstalled_at INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO shop_state (id) VALUES (1);

-- Refunds the merchant made in Shopify admin are booked in the ledger too, as
-- facts: succeeded, with the Shopify refund's GID in shopify_id and a key made of
-- it. source tells them from the portal's own.
ALTER TABLE refunds ADD COLUMN source TEXT NOT NULL DEFAULT 'portal' CHECK (source IN ('portal', 'shopify'));

-- Whether a Shopify refund is known is asked by its GID.
CREATE INDEX refunds_shopify_id ON refunds (shopify_id) WHERE shopify_id <> '';

-- Refunds made in Shopify admin on an order with returns that the portal could
-- not book to one of them: kept so that hearing of one again adds nothing to the
-- returns' timelines. Like the ledger, never deleted.
CREATE TABLE order_refunds (
	shopify_id   TEXT    PRIMARY KEY,
	order_id     TEXT    NOT NULL,
	amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
	currency     TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	recorded_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
