-- The count of returns in each status, which the backoffice's queue shows on
-- every page. Counting them there read the whole (status, id) index: 2.6 ms at
-- 100,000 returns, which held the queue to under 400 pages a second
-- (docs/BENCHMARKS.md). These triggers keep the counts instead, in the same
-- transaction as every change of a return's status.
CREATE TABLE return_status_counts (
	status TEXT    PRIMARY KEY,
	n      INTEGER NOT NULL CHECK (n >= 0)
) STRICT, WITHOUT ROWID;

INSERT INTO return_status_counts (status, n) SELECT status, COUNT(*) FROM returns WHERE true GROUP BY status;

CREATE TRIGGER returns_count_insert AFTER INSERT ON returns BEGIN
	INSERT INTO return_status_counts (status, n) VALUES (NEW.status, 1)
		ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER returns_count_update AFTER UPDATE OF status ON returns WHEN OLD.status <> NEW.status BEGIN
	UPDATE return_status_counts SET n = n - 1 WHERE status = OLD.status;
	INSERT INTO return_status_counts (status, n) VALUES (NEW.status, 1)
		ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER returns_count_delete AFTER DELETE ON returns BEGIN
	UPDATE return_status_counts SET n = n - 1 WHERE status = OLD.status;
END;
