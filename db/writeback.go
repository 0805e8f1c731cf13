package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// DueWritebacks returns up to limit pending write-backs whose next attempt is due
// at now, oldest first, so that the lines of one order reach its note in order.
func (db *DB) DueWritebacks(ctx context.Context, now time.Time, limit int) ([]returns.Writeback, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `
		SELECT w.id, w.return_id, w.order_id, w.note_line, w.tags, w.attempts, w.next_at, r.code, w.status
		FROM writebacks w JOIN returns r ON r.id = w.return_id
		WHERE w.done_at IS NULL AND w.next_at <= ?
		ORDER BY w.id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read due write-backs: %w", err)
	}
	defer rows.Close()
	var wbs []returns.Writeback
	for rows.Next() {
		var wb returns.Writeback
		var tags string
		var next int64
		var status string
		if err := rows.Scan(&wb.ID, &wb.ReturnID, &wb.OrderID, &wb.NoteLine, &tags, &wb.Attempts, &next, &wb.ReturnCode, &status); err != nil {
			return nil, fmt.Errorf("read due write-backs: %w", err)
		}
		if err := json.Unmarshal([]byte(tags), &wb.Tags); err != nil {
			return nil, fmt.Errorf("decode tags of write-back %d: %w", wb.ID, err)
		}
		wb.NextAt = fromMillis(next)
		wb.Status = returns.Status(status)
		wbs = append(wbs, wb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read due write-backs: %w", err)
	}
	return wbs, nil
}

// WritebackDone marks a pending write-back done at ev.At and appends ev to the
// timeline of the write-back's return. An unknown write-back answers ENOTFOUND, one
// done already ECONFLICT.
func (db *DB) WritebackDone(ctx context.Context, id int64, ev returns.Event) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if ev.ReturnID, err = pendingWriteback(ctx, tx, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE writebacks SET done_at = ? WHERE id = ?`, millis(ev.At), id); err != nil {
		return fmt.Errorf("mark write-back %d done: %w", id, err)
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit write-back %d done: %w", id, err)
	}
	return nil
}

// WritebackFailed counts a failed attempt of a pending write-back, records its
// error and when to try next, and appends a non-nil ev to the timeline of the
// write-back's return.
func (db *DB) WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *returns.Event) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	returnID, err := pendingWriteback(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE writebacks SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`,
		millis(next), lastErr, id); err != nil {
		return fmt.Errorf("record failed write-back %d: %w", id, err)
	}
	if ev != nil {
		e := *ev
		e.ReturnID = returnID
		if err := insertEvent(ctx, tx, e); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit failed write-back %d: %w", id, err)
	}
	return nil
}

// pendingWriteback returns the return id of write-back id, ENOTFOUND when there is
// no such write-back and ECONFLICT when it is done already.
func pendingWriteback(ctx context.Context, tx *sql.Tx, id int64) (returnID int64, err error) {
	var done sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT return_id, done_at FROM writebacks WHERE id = ?`, id).Scan(&returnID, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, returns.Errorf(returns.ENOTFOUND, "Write-back not found.")
	}
	if err != nil {
		return 0, fmt.Errorf("read write-back %d: %w", id, err)
	}
	if done.Valid {
		return 0, returns.Errorf(returns.ECONFLICT, "This write-back is done already.")
	}
	return returnID, nil
}

// insertWriteback queues wb for wb.ReturnID.
func insertWriteback(ctx context.Context, tx *sql.Tx, wb *returns.Writeback) error {
	tags := wb.Tags
	if tags == nil {
		tags = []string{}
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return fmt.Errorf("encode write-back tags: %w", err)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO writebacks (return_id, order_id, note_line, tags, attempts, next_at, status)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT status FROM returns WHERE id = ?))`,
		wb.ReturnID, wb.OrderID, wb.NoteLine, string(b), wb.Attempts, millis(wb.NextAt), wb.ReturnID)
	if err != nil {
		return fmt.Errorf("insert write-back of return %d: %w", wb.ReturnID, err)
	}
	if wb.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert write-back of return %d: %w", wb.ReturnID, err)
	}
	// The writer writes wb at once too: it gets what the store filled in.
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT code, status FROM returns WHERE id = ?`, wb.ReturnID).Scan(&wb.ReturnCode, &status); err != nil {
		return fmt.Errorf("read the return of write-back %d: %w", wb.ID, err)
	}
	wb.Status = returns.Status(status)
	return nil
}
