package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/returnsportal/returns"
)

// Transition moves return c.ReturnID from status c.From to c.To, appends c.Event
// to its timeline, queues a non-nil c.Writeback and queues c.Emails, in one
// transaction. A move the state machine does not allow answers the domain's
// ECONFLICT error; a return that is not in status c.From any more (someone else
// moved it first) answers ECONFLICT and changes nothing; an unknown return
// answers ENOTFOUND. c.Event.At stamps the return's updated_at; an empty
// c.Event.Status is set to c.To. An email whose dedupe key is queued already is
// skipped, not an error.
func (db *DB) Transition(ctx context.Context, c returns.Change) error {
	if err := c.From.Transition(c.To); err != nil {
		return err
	}

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := db.applyChange(ctx, tx, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transition of return %d: %w", c.ReturnID, err)
	}
	return nil
}

// applyChange moves a return from c.From to c.To with compare-and-set on its
// status, appends c.Event, queues a non-nil c.Writeback (filling its ID and
// ReturnID) and queues c.Emails (filling their ReturnID, and the IDs of those
// not queued already). It answers as Transition does; the caller rolls tx back
// on error.
func (db *DB) applyChange(ctx context.Context, tx *sql.Tx, c returns.Change) error {
	// Checked here too, not only by the public methods before they begin, so
	// that no caller can skip the state machine.
	if err := c.From.Transition(c.To); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE returns SET status = ?, updated_at = ? WHERE id = ? AND status = ?`,
		c.To, millis(c.Event.At), c.ReturnID, c.From)
	if err != nil {
		return fmt.Errorf("update return %d status: %w", c.ReturnID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update return %d status: %w", c.ReturnID, err)
	}
	if n == 0 {
		if err := returnExists(ctx, tx, c.ReturnID); err != nil {
			return err
		}
		return errReturnChanged()
	}

	ev := c.Event
	ev.ReturnID = c.ReturnID
	if ev.Status == "" {
		ev.Status = c.To
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if c.To == returns.StatusItemReceived {
		if err := db.appendWithdrawalEntry(ctx, tx, c.ReturnID, ev.At, logReceived, receivedEntry{By: string(ev.Actor), At: logTime(ev.At)}); err != nil {
			return err
		}
	}
	if c.Writeback != nil {
		c.Writeback.ReturnID = c.ReturnID
		if err := insertWriteback(ctx, tx, c.Writeback); err != nil {
			return err
		}
	}
	return insertOutbox(ctx, tx, c.ReturnID, c.Emails, c.Event.At)
}

func errReturnChanged() error {
	return returns.Errorf(returns.ECONFLICT, "This return has changed in the meantime. Please reload the page.")
}

// returnExists answers ENOTFOUND when there is no return id.
func returnExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM returns WHERE id = ?)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("read return %d: %w", id, err)
	}
	if !exists {
		return errReturnNotFound()
	}
	return nil
}

// AddEvent appends an event that changes no status, such as a staff note, to the
// timeline of ev.ReturnID. An unknown return answers ENOTFOUND.
func (db *DB) AddEvent(ctx context.Context, ev returns.Event) error {
	if ev.Status != "" {
		// The timeline would claim a change the return never made.
		return fmt.Errorf("add %s event to return %d: an event with a status must go with its transition", ev.Type, ev.ReturnID)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := returnExists(ctx, tx, ev.ReturnID); err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit %s event of return %d: %w", ev.Type, ev.ReturnID, err)
	}
	return nil
}

// Events returns a return's timeline, oldest first.
func (db *DB) Events(ctx context.Context, returnID int64) ([]returns.Event, error) {
	// One query sees one snapshot by itself: no transaction needed, and its
	// BEGIN and ROLLBACK were a fifth of a status page's database time.
	rows, err := db.reader.QueryContext(ctx, `
		SELECT id, return_id, at, actor, type, status, message, message_format, message_args
		FROM events WHERE return_id = ? ORDER BY id`, returnID)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var evs []returns.Event
	for rows.Next() {
		var ev returns.Event
		var at int64
		var args string
		if err := rows.Scan(&ev.ID, &ev.ReturnID, &at, &ev.Actor, &ev.Type, &ev.Status, &ev.Message, &ev.Msg.Format, &args); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if ev.Msg.Format != "" {
			var err error
			if ev.Msg.Args, err = returns.DecodeMessageArgs(args); err != nil {
				return nil, fmt.Errorf("read event %d: %w", ev.ID, err)
			}
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
	args := ""
	if ev.Msg.Format != "" {
		var err error
		if args, err = returns.EncodeMessageArgs(ev.Msg.Args); err != nil {
			return fmt.Errorf("insert %s event of return %d: %w", ev.Type, ev.ReturnID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO events (return_id, at, actor, type, status, message, message_format, message_args) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.ReturnID, millis(ev.At), ev.Actor, ev.Type, ev.Status, ev.Message, ev.Msg.Format, args); err != nil {
		return fmt.Errorf("insert %s event of return %d: %w", ev.Type, ev.ReturnID, err)
	}
	return nil
}
