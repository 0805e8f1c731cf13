-- What the backoffice's search looks through: a return's code, order number,
-- customer's email and its items' titles and variants, lower-cased (ASCII, as
-- SQLite's lower() does), one narrow row per return keyed by the return's id.
-- The queue's search reads it newest first and stops when a page is full, so
-- a common word costs a page and the rarest a pass over these short rows, not
-- over the returns with their notes (docs/BENCHMARKS.md). Triggers keep it in
-- the transaction of every change it follows: a new return, its items, an
-- email erased with the customer's personal data.
CREATE TABLE return_search (
	return_id INTEGER PRIMARY KEY REFERENCES returns (id) ON DELETE CASCADE,
	text      TEXT    NOT NULL
) STRICT;

CREATE TRIGGER return_search_insert AFTER INSERT ON returns BEGIN
	INSERT INTO return_search (return_id, text)
		VALUES (NEW.id, lower(NEW.code || ' ' || NEW.order_name || ' ' || NEW.email));
END;

CREATE TRIGGER return_search_update AFTER UPDATE OF code, order_name, email ON returns BEGIN
	UPDATE return_search SET text = lower(NEW.code || ' ' || NEW.order_name || ' ' || NEW.email
		|| COALESCE((SELECT ' ' || group_concat(title || ' ' || variant_title, ' ') FROM return_items WHERE return_id = NEW.id), ''))
		WHERE return_id = NEW.id;
END;

CREATE TRIGGER return_search_item AFTER INSERT ON return_items BEGIN
	UPDATE return_search SET text = text || lower(' ' || NEW.title || ' ' || NEW.variant_title)
		WHERE return_id = NEW.return_id;
END;

INSERT INTO return_search (return_id, text)
	SELECT r.id, lower(r.code || ' ' || r.order_name || ' ' || r.email
		|| COALESCE((SELECT ' ' || group_concat(i.title || ' ' || i.variant_title, ' ') FROM return_items i WHERE i.return_id = r.id), ''))
	FROM returns r WHERE true;
