package db

import (
	"context"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// NoteWritten records a write of the portal to an order's note, and deletes
// the order's records older than keepAfter: no webhook that could name them
// is still kept.
func (db *DB) NoteWritten(ctx context.Context, nw returns.NoteWrite, keepAfter time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `
		INSERT INTO note_writes (order_id, return_id, read_at, written_at, note) VALUES (?, ?, ?, ?, ?)`,
		nw.OrderID, nw.ReturnID, millis(nw.ReadAt), millis(nw.WrittenAt), nw.Note); err != nil {
		return fmt.Errorf("record note write of order %s: %w", nw.OrderID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM note_writes WHERE order_id = ? AND written_at < ?`,
		nw.OrderID, millis(keepAfter)); err != nil {
		return fmt.Errorf("delete old note writes of order %s: %w", nw.OrderID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit note write of order %s: %w", nw.OrderID, err)
	}
	return nil
}

// NoteWritesSpanning returns the portal's writes of the order's note that
// read the note at or before at and wrote it at or after at, oldest first.
func (db *DB) NoteWritesSpanning(ctx context.Context, orderID string, at time.Time) ([]returns.NoteWrite, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, read_at, written_at, note FROM note_writes
		WHERE order_id = ? AND read_at <= ? AND written_at >= ?
		ORDER BY written_at, id`, orderID, millis(at), millis(at))
	if err != nil {
		return nil, fmt.Errorf("read note writes of order %s: %w", orderID, err)
	}
	defer rows.Close()
	var out []returns.NoteWrite
	for rows.Next() {
		nw := returns.NoteWrite{OrderID: orderID}
		var readAt, writtenAt int64
		if err := rows.Scan(&nw.ReturnID, &readAt, &writtenAt, &nw.Note); err != nil {
			return nil, fmt.Errorf("read note writes of order %s: %w", orderID, err)
		}
		nw.ReadAt, nw.WrittenAt = fromMillis(readAt), fromMillis(writtenAt)
		out = append(out, nw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read note writes of order %s: %w", orderID, err)
	}
	return out, nil
}

// PortalLines returns the lines the portal wrote to the order's note (its
// done write-backs), oldest first, with what became of each when erased.
func (db *DB) PortalLines(ctx context.Context, orderID string) ([]returns.PortalLine, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `
		SELECT w.id, w.return_id, w.note_line, k.restored_at IS NOT NULL, k.left_out_at IS NOT NULL
		FROM writebacks w LEFT JOIN note_line_keeps k ON k.writeback_id = w.id
		WHERE w.order_id = ? AND w.done_at IS NOT NULL
		ORDER BY w.id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read the portal's lines of order %s: %w", orderID, err)
	}
	defer rows.Close()
	var out []returns.PortalLine
	for rows.Next() {
		var l returns.PortalLine
		if err := rows.Scan(&l.WritebackID, &l.ReturnID, &l.Line, &l.Restored, &l.LeftOut); err != nil {
			return nil, fmt.Errorf("read the portal's lines of order %s: %w", orderID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the portal's lines of order %s: %w", orderID, err)
	}
	return out, nil
}

// PortalLineRestored records that the portal's line of write-back id was
// put back into the note at ev.At, and appends ev to its return's timeline.
// A line restored already is ECONFLICT: it is put back once.
func (db *DB) PortalLineRestored(ctx context.Context, writebackID int64, ev returns.Event) error {
	return db.keepPortalLine(ctx, writebackID, ev, `
		INSERT INTO note_line_keeps (writeback_id, restored_at) VALUES (?, ?)
		ON CONFLICT (writeback_id) DO NOTHING`)
}

// PortalLineLeftOut records that the portal's line of write-back id, erased
// again after it was put back, is left out of the note, and appends ev to
// its return's timeline. A line not restored, or left out already, is
// ECONFLICT.
func (db *DB) PortalLineLeftOut(ctx context.Context, writebackID int64, ev returns.Event) error {
	return db.keepPortalLine(ctx, writebackID, ev, `
		UPDATE note_line_keeps SET left_out_at = ?2 WHERE writeback_id = ?1 AND left_out_at IS NULL`)
}

// keepPortalLine runs query (parameters: the write-back's id and ev.At) and
// appends ev when it changed a row.
func (db *DB) keepPortalLine(ctx context.Context, writebackID int64, ev returns.Event, query string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, query, writebackID, millis(ev.At))
	if err != nil {
		return fmt.Errorf("record what became of the note line of write-back %d: %w", writebackID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("record what became of the note line of write-back %d: %w", writebackID, err)
		}
		return returns.Errorf(returns.ECONFLICT, "This note line was kept already.")
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit the note line of write-back %d: %w", writebackID, err)
	}
	return nil
}

// NoteRestoreEvent appends ev, telling what the portal put back into an
// order's note, to the timeline of ev.ReturnID.
func (db *DB) NoteRestoreEvent(ctx context.Context, ev returns.Event) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit the event of a note restored: %w", err)
	}
	return nil
}
