-- The language a staff member reads the backoffice and their emails in, chosen
-- with the backoffice's language switch or `admin create --lang`. '' means not
-- chosen yet: the pages then speak the store's default language.
ALTER TABLE staff ADD COLUMN lang TEXT NOT NULL DEFAULT '' CHECK (lang IN ('', 'en', 'lv'));
