-- The variant of a returned line ("Natural" of "Linen tea towel"), kept with
-- the item as the order page showed it, so the return's pages name the same
-- thing. Returns made before it have none.
ALTER TABLE return_items ADD COLUMN variant_title TEXT NOT NULL DEFAULT '';
