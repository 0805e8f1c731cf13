-- The shop as Shopify names it, read by the connection check at every start:
-- pages and emails name the store by it, and keep doing so while Shopify cannot
-- be reached. One row.
CREATE TABLE shop_identity (
	id                INTEGER PRIMARY KEY CHECK (id = 1),
	name              TEXT    NOT NULL,
	myshopify_domain  TEXT    NOT NULL,
	primary_url       TEXT    NOT NULL,
	primary_host      TEXT    NOT NULL,
	currency          TEXT    NOT NULL,
	time_zone         TEXT    NOT NULL,
	checked_at        INTEGER NOT NULL
) STRICT;
