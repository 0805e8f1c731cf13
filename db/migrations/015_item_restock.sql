-- What staff chose for each returned item when they refunded it (issue 11): put
-- back in stock ('restock'), not ('no_restock'), or '' for the rule (items that
-- come back in good order are restocked, damaged ones are not).
ALTER TABLE return_items ADD COLUMN restock TEXT NOT NULL DEFAULT '' CHECK (restock IN ('', 'restock', 'no_restock'));
