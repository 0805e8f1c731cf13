-- A version per return that changes with every change the customer's status page
-- can show: the return itself, its items, photos, timeline, shipments and refunds.
-- Triggers keep it, in the transaction of the change, so no code path can change
-- a return without changing its version: the status page renders a return once per
-- version and language and serves the rendered page while the version holds
-- (docs/BENCHMARKS.md).
ALTER TABLE returns ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER returns_version_update AFTER UPDATE ON returns WHEN NEW.version = OLD.version BEGIN
	UPDATE returns SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER return_items_version_insert AFTER INSERT ON return_items BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER return_items_version_update AFTER UPDATE ON return_items BEGIN
	UPDATE returns SET version = version + 1 WHERE id IN (OLD.return_id, NEW.return_id);
END;
CREATE TRIGGER return_items_version_delete AFTER DELETE ON return_items BEGIN
	UPDATE returns SET version = version + 1 WHERE id = OLD.return_id;
END;

CREATE TRIGGER photos_version_insert AFTER INSERT ON photos BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER photos_version_update AFTER UPDATE ON photos BEGIN
	UPDATE returns SET version = version + 1 WHERE id IN (OLD.return_id, NEW.return_id);
END;
CREATE TRIGGER photos_version_delete AFTER DELETE ON photos BEGIN
	UPDATE returns SET version = version + 1 WHERE id = OLD.return_id;
END;

CREATE TRIGGER events_version_insert AFTER INSERT ON events BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER events_version_update AFTER UPDATE ON events BEGIN
	UPDATE returns SET version = version + 1 WHERE id IN (OLD.return_id, NEW.return_id);
END;
CREATE TRIGGER events_version_delete AFTER DELETE ON events BEGIN
	UPDATE returns SET version = version + 1 WHERE id = OLD.return_id;
END;

CREATE TRIGGER shipments_version_insert AFTER INSERT ON shipments BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER shipments_version_update AFTER UPDATE ON shipments BEGIN
	UPDATE returns SET version = version + 1 WHERE id IN (OLD.return_id, NEW.return_id);
END;
CREATE TRIGGER shipments_version_delete AFTER DELETE ON shipments BEGIN
	UPDATE returns SET version = version + 1 WHERE id = OLD.return_id;
END;

CREATE TRIGGER refunds_version_insert AFTER INSERT ON refunds BEGIN
	UPDATE returns SET version = version + 1 WHERE id = NEW.return_id;
END;
CREATE TRIGGER refunds_version_update AFTER UPDATE ON refunds BEGIN
	UPDATE returns SET version = version + 1 WHERE id IN (OLD.return_id, NEW.return_id);
END;
