package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

// replacementLine is a replacement order's line as stored in its JSON column.
type replacementLine struct {
	LineItemID string `json:"line_item_id"`
	VariantID  string `json:"variant_id,omitempty"`
	Quantity   int    `json:"quantity"`
}

func encodeReplacementLines(lines []returns.ReplacementLine) (string, error) {
	out := make([]replacementLine, len(lines))
	for i, l := range lines {
		out[i] = replacementLine(l)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeReplacementLines(s string) ([]returns.ReplacementLine, error) {
	var in []replacementLine
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	out := make([]returns.ReplacementLine, len(in))
	for i, l := range in {
		out[i] = returns.ReplacementLine(l)
	}
	return out, nil
}

// StartReplacement records that the return's replacement order is to be made
// of lines. The return must be an approved replacement request without a
// shipment; a failed row starts again with the new lines and no draft, one
// under way or made is answered as it is.
func (db *DB) StartReplacement(ctx context.Context, returnID int64, lines []returns.ReplacementLine, at time.Time) (*returns.ReplacementOrder, error) {
	encoded, err := encodeReplacementLines(lines)
	if err != nil {
		return nil, fmt.Errorf("start replacement of return %d: %w", returnID, err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var status returns.Status
	var resolution returns.Resolution
	var shipped bool
	err = tx.QueryRowContext(ctx, `
		SELECT status, resolution, EXISTS (SELECT 1 FROM shipments WHERE return_id = returns.id)
		FROM returns WHERE id = ?`, returnID).Scan(&status, &resolution, &shipped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errReturnNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("start replacement of return %d: %w", returnID, err)
	}
	if resolution != returns.ResolutionReplacement || status != returns.StatusApproved || shipped {
		return nil, returns.Errorf(returns.ECONFLICT, "A replacement order is made for an approved return whose replacement was not sent yet.")
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO replacement_orders (return_id, state, lines, created_at, updated_at) VALUES (?, 'creating', ?, ?, ?)
		ON CONFLICT (return_id) DO UPDATE SET state = 'creating', lines = excluded.lines, draft_id = '', order_id = '', order_name = '', problem = '', updated_at = excluded.updated_at
			WHERE replacement_orders.state = 'failed'`,
		returnID, encoded, millis(at), millis(at)); err != nil {
		return nil, fmt.Errorf("start replacement of return %d: %w", returnID, err)
	}
	ro, err := replacementOf(ctx, tx, returnID)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("start replacement of return %d: %w", returnID, err)
	}
	return ro, nil
}

// replacementOf reads the replacement order of a return.
func replacementOf(ctx context.Context, tx *sql.Tx, returnID int64) (*returns.ReplacementOrder, error) {
	rows, err := tx.QueryContext(ctx, replacementQuery+` WHERE return_id = ?`, returnID)
	if err != nil {
		return nil, fmt.Errorf("read replacement order of return %d: %w", returnID, err)
	}
	ros, err := scanReplacements(rows)
	if err != nil {
		return nil, err
	}
	if len(ros) == 0 {
		return nil, fmt.Errorf("read replacement order of return %d: none", returnID)
	}
	return &ros[0], nil
}

const replacementQuery = `SELECT return_id, state, lines, draft_id, order_id, order_name, problem, created_at, updated_at FROM replacement_orders`

func scanReplacements(rows *sql.Rows) ([]returns.ReplacementOrder, error) {
	defer rows.Close()
	var out []returns.ReplacementOrder
	for rows.Next() {
		var ro returns.ReplacementOrder
		var lines string
		var created, updated int64
		if err := rows.Scan(&ro.ReturnID, &ro.State, &lines, &ro.DraftID, &ro.Order.ID, &ro.Order.Name, &ro.Problem, &created, &updated); err != nil {
			return nil, fmt.Errorf("read replacement orders: %w", err)
		}
		var err error
		if ro.Lines, err = decodeReplacementLines(lines); err != nil {
			return nil, fmt.Errorf("read replacement order of return %d: %w", ro.ReturnID, err)
		}
		ro.CreatedAt, ro.UpdatedAt = fromMillis(created), fromMillis(updated)
		out = append(out, ro)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read replacement orders: %w", err)
	}
	return out, nil
}

// attachReplacements fills the replacement orders of the returns in byID.
func attachReplacements(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, replacementQuery+` WHERE return_id IN `+in, ids...)
	if err != nil {
		return fmt.Errorf("read replacement orders: %w", err)
	}
	ros, err := scanReplacements(rows)
	if err != nil {
		return err
	}
	for i := range ros {
		byID[ros[i].ReturnID].Replacement = &ros[i]
	}
	return nil
}

// moveReplacement moves a return's replacement order from one state to
// another and sets what set says; it answers ECONFLICT when the row is not
// in from (another attempt moved it).
func (db *DB) moveReplacement(ctx context.Context, tx *sql.Tx, returnID int64, from []returns.ReplacementState, to returns.ReplacementState, at time.Time, set string, args ...any) error {
	q := `UPDATE replacement_orders SET state = ?, updated_at = ?` + set + ` WHERE return_id = ? AND state IN (?` + strings.Repeat(`, ?`, len(from)-1) + `)`
	all := append([]any{to, millis(at)}, args...)
	all = append(all, returnID)
	for _, f := range from {
		all = append(all, f)
	}
	res, err := tx.ExecContext(ctx, q, all...)
	if err != nil {
		return fmt.Errorf("replacement order of return %d to %s: %w", returnID, to, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("replacement order of return %d to %s: %w", returnID, to, err)
	} else if n == 0 {
		return returns.Errorf(returns.ECONFLICT, "This return has changed in the meantime. Please reload the page.")
	}
	return nil
}

// ReplacementDrafted records the draft order made for a replacement still
// being created.
func (db *DB) ReplacementDrafted(ctx context.Context, returnID int64, draftID string, at time.Time) error {
	return db.inWrite(ctx, "record draft order", func(tx *sql.Tx) error {
		return db.moveReplacement(ctx, tx, returnID, []returns.ReplacementState{returns.ReplacementCreating}, returns.ReplacementDrafted, at, `, draft_id = ?`, draftID)
	})
}

// ReplacementCompleting records that the draft's completion is about to be
// asked for.
func (db *DB) ReplacementCompleting(ctx context.Context, returnID int64, at time.Time) error {
	return db.inWrite(ctx, "record completion asked", func(tx *sql.Tx) error {
		return db.moveReplacement(ctx, tx, returnID, []returns.ReplacementState{returns.ReplacementDrafted}, returns.ReplacementCompleting, at, ``)
	})
}

// ReplacementOrdered records the order a replacement's draft became, with
// its timeline event.
func (db *DB) ReplacementOrdered(ctx context.Context, returnID int64, draftID string, order returns.ShopOrderRef, ev returns.Event) error {
	return db.inWrite(ctx, "record replacement order", func(tx *sql.Tx) error {
		var current string
		err := tx.QueryRowContext(ctx, `SELECT draft_id FROM replacement_orders WHERE return_id = ?`, returnID).Scan(&current)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record replacement order of return %d: %w", returnID, err)
		}
		if current != draftID {
			// The row was started again with another draft: this order is
			// not the one it follows.
			return returns.Errorf(returns.ECONFLICT, "This return has changed in the meantime. Please reload the page.")
		}
		if err := db.moveReplacement(ctx, tx, returnID, []returns.ReplacementState{returns.ReplacementCompleting}, returns.ReplacementOrdered, ev.At,
			`, order_id = ?, order_name = ?, problem = ''`, order.ID, order.Name); err != nil {
			return err
		}
		ev.ReturnID = returnID
		return insertEvent(ctx, tx, ev)
	})
}

// ReplacementAlert appends ev to the return's timeline unless an event of
// its type with its message is there already.
func (db *DB) ReplacementAlert(ctx context.Context, ev returns.Event) error {
	return db.inWrite(ctx, "record replacement alert", func(tx *sql.Tx) error {
		var told bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE return_id = ? AND type = ? AND message = ?)`,
			ev.ReturnID, ev.Type, ev.Message).Scan(&told); err != nil {
			return fmt.Errorf("record replacement alert of return %d: %w", ev.ReturnID, err)
		}
		if told {
			return nil
		}
		if err := returnExists(ctx, tx, ev.ReturnID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ReplacementCancelled records that the replacement order orderID was
// cancelled in Shopify: the row fails with problem, with ev on the timeline.
func (db *DB) ReplacementCancelled(ctx context.Context, returnID int64, orderID, problem string, ev returns.Event) error {
	return db.inWrite(ctx, "record replacement order cancelled", func(tx *sql.Tx) error {
		if err := db.moveReplacement(ctx, tx, returnID, []returns.ReplacementState{returns.ReplacementOrdered}, returns.ReplacementFailed, ev.At,
			`, problem = ?`, problem); err != nil {
			return err
		}
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT order_id FROM replacement_orders WHERE return_id = ?`, returnID).Scan(&current); err != nil {
			return fmt.Errorf("record replacement order of return %d cancelled: %w", returnID, err)
		}
		if current != orderID {
			return returns.Errorf(returns.ECONFLICT, "This return has changed in the meantime. Please reload the page.")
		}
		ev.ReturnID = returnID
		return insertEvent(ctx, tx, ev)
	})
}

// ReplacementFailed records Shopify's refusal of a replacement order, with
// its timeline event.
func (db *DB) ReplacementFailed(ctx context.Context, returnID int64, problem string, ev returns.Event) error {
	return db.inWrite(ctx, "record replacement refused", func(tx *sql.Tx) error {
		if err := db.moveReplacement(ctx, tx, returnID,
			[]returns.ReplacementState{returns.ReplacementCreating, returns.ReplacementDrafted, returns.ReplacementCompleting},
			returns.ReplacementFailed, ev.At, `, problem = ?`, problem); err != nil {
			return err
		}
		ev.ReturnID = returnID
		return insertEvent(ctx, tx, ev)
	})
}

// ReturnByReplacementOrder returns the return whose replacement is the
// Shopify order orderID, or ENOTFOUND.
func (db *DB) ReturnByReplacementOrder(ctx context.Context, orderID string) (*returns.Return, error) {
	if orderID == "" {
		return nil, errReturnNotFound()
	}
	return db.returnWhere(ctx, `id = (SELECT return_id FROM replacement_orders WHERE order_id = ?)`, orderID)
}

// ReplacementsToFollow returns up to limit returns whose replacement order is
// to be followed: completing, or ordered while the return waits for its
// shipment or its delivery and the pass has not given up on it. Those
// checked longest ago come first.
func (db *DB) ReplacementsToFollow(ctx context.Context, limit int) ([]returns.Return, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rs, err := findReturns(ctx, tx, `id IN (
		SELECT ro.return_id FROM replacement_orders ro JOIN returns r ON r.id = ro.return_id
		WHERE ro.state = 'completing'
			OR (ro.state = 'ordered' AND r.status IN ('approved', 'replacement_shipped') AND ro.following_stopped_at = 0)
		ORDER BY ro.checked_at, ro.updated_at LIMIT ?)`, limit)
	if err != nil {
		return nil, fmt.Errorf("read replacement orders to follow: %w", err)
	}
	return rs, nil
}

// ReplacementChecked records that the periodic pass asked Shopify about the
// return's replacement order at at.
func (db *DB) ReplacementChecked(ctx context.Context, returnID int64, at time.Time) error {
	return db.inWrite(ctx, "record replacement order checked", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE replacement_orders SET checked_at = ? WHERE return_id = ?`, millis(at), returnID); err != nil {
			return fmt.Errorf("record replacement order of return %d checked: %w", returnID, err)
		}
		return nil
	})
}

// ReplacementFollowingStopped records that the periodic pass stopped
// following the return's replacement order, with ev on the timeline; a row
// stopped already is left as it is, without a second event.
func (db *DB) ReplacementFollowingStopped(ctx context.Context, returnID int64, ev returns.Event) error {
	return db.inWrite(ctx, "record replacement order no longer followed", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE replacement_orders SET following_stopped_at = ? WHERE return_id = ? AND following_stopped_at = 0`, millis(ev.At), returnID)
		if err != nil {
			return fmt.Errorf("record replacement order of return %d no longer followed: %w", returnID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record replacement order of return %d no longer followed: %w", returnID, err)
		} else if n == 0 {
			return nil
		}
		ev.ReturnID = returnID
		return insertEvent(ctx, tx, ev)
	})
}

// SwitchToRefund makes a replacement request a refund request and commits c
// with it: its event, write-back and emails, the status compared and kept.
func (db *DB) SwitchToRefund(ctx context.Context, c returns.Change) error {
	if c.From != c.To {
		return fmt.Errorf("switch return %d to a refund: the status does not move (%s to %s)", c.ReturnID, c.From, c.To)
	}
	return db.inWrite(ctx, "switch to a refund", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE returns SET resolution = 'refund', updated_at = ?
			WHERE id = ? AND status = ? AND resolution = 'replacement'
				AND NOT EXISTS (SELECT 1 FROM replacement_orders WHERE return_id = returns.id AND state <> 'failed')`,
			millis(c.Event.At), c.ReturnID, c.From)
		if err != nil {
			return fmt.Errorf("switch return %d to a refund: %w", c.ReturnID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("switch return %d to a refund: %w", c.ReturnID, err)
		} else if n == 0 {
			if err := returnExists(ctx, tx, c.ReturnID); err != nil {
				return err
			}
			return errReturnChanged()
		}
		ev := c.Event
		ev.ReturnID = c.ReturnID
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		if c.Writeback != nil {
			c.Writeback.ReturnID = c.ReturnID
			if err := insertWriteback(ctx, tx, c.Writeback); err != nil {
				return err
			}
		}
		return insertOutbox(ctx, tx, c.ReturnID, c.Emails, c.Event.At)
	})
}
