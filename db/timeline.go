package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/returnsportal/returns"
)

// Transition moves return id from status from to status to, appends ev to its
// timeline and queues a non-nil wb, in one transaction. A move the state machine
// does not allow answers the domain's ECONFLICT error; a return that is not in
// status from any more (someone else moved it first) answers ECONFLICT and changes
// nothing; an unknown return answers ENOTFOUND. ev.At stamps the return's
// updated_at; an empty ev.Status is set to to.
func (db *DB) Transition(ctx context.Context, id int64, from, to returns.Status, ev returns.Event, wb *returns.Writeback) error {
	if err := from.Transition(to); err != nil {
		return err
	}

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `UPDATE returns SET status = ?, updated_at = ? WHERE id = ? AND status = ?`,
		to, millis(ev.At), id, from)
	if err != nil {
		return fmt.Errorf("update return %d status: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update return %d status: %w", id, err)
	}
	if n == 0 {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM returns WHERE id = ?)`, id).Scan(&exists); err != nil {
			return fmt.Errorf("read return %d: %w", id, err)
		}
		if !exists {
			return errReturnNotFound()
		}
		return returns.Errorf(returns.ECONFLICT, "This return has changed in the meantime. Please reload the page.")
	}

	ev.ReturnID = id
	if ev.Status == "" {
		ev.Status = to
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if wb != nil {
		wb.ReturnID = id
		if err := insertWriteback(ctx, tx, wb); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transition of return %d: %w", id, err)
	}
	return nil
}

// Events returns a return's timeline, oldest first.
func (db *DB) Events(ctx context.Context, returnID int64) ([]returns.Event, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `
		SELECT id, return_id, at, actor, type, status, message
		FROM events WHERE return_id = ? ORDER BY id`, returnID)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var evs []returns.Event
	for rows.Next() {
		var ev returns.Event
		var at int64
		if err := rows.Scan(&ev.ID, &ev.ReturnID, &at, &ev.Actor, &ev.Type, &ev.Status, &ev.Message); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		ev.At = fromMillis(at)
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return evs, nil
}

// insertEvent appends ev to the timeline of ev.ReturnID.
func insertEvent(ctx context.Context, tx *sql.Tx, ev returns.Event) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO events (return_id, at, actor, type, status, message) VALUES (?, ?, ?, ?, ?, ?)`,
		ev.ReturnID, millis(ev.At), ev.Actor, ev.Type, ev.Status, ev.Message); err != nil {
		return fmt.Errorf("insert %s event of return %d: %w", ev.Type, ev.ReturnID, err)
	}
	return nil
}
