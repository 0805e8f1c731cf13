package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// insertWithdrawal stores the statement of withdrawal of r, a new return of
// kind withdrawal, in tx: the statement is kept with the return it made, or
// neither is.
func insertWithdrawal(ctx context.Context, tx *sql.Tx, r *returns.Return) error {
	w := r.Withdrawal
	due := w.RefundDue
	if due.IsZero() {
		// Counted in UTC when the caller did not count it in the store's
		// zone: at most a day off, and never missing from the queue's order.
		due = returns.WithdrawalRefundDeadline(w.MadeAt, time.UTC)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO withdrawals (return_id, name, email, reason, channel, made_at, registered_by, refund_due)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, w.Name, w.Email, w.Reason, w.Channel, millis(w.MadeAt), w.RegisteredBy, dueDay(due)); err != nil {
		return fmt.Errorf("insert withdrawal of return %s: %w", r.Code, err)
	}
	return nil
}

// attachWithdrawals fills the statements of withdrawal of the returns of rs
// that have one.
func attachWithdrawals(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, name, email, reason, channel, made_at, registered_by, refund_due
		FROM withdrawals WHERE return_id IN `+in, ids...)
	if err != nil {
		return fmt.Errorf("read withdrawals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		var due string
		var w returns.WithdrawalStatement
		if err := rows.Scan(&id, &w.Name, &w.Email, &w.Reason, &w.Channel, &at, &w.RegisteredBy, &due); err != nil {
			return fmt.Errorf("read withdrawals: %w", err)
		}
		w.MadeAt = fromMillis(at)
		w.RefundDue, _ = time.Parse(dueLayout, due)
		byID[id].Withdrawal = &w
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read withdrawals: %w", err)
	}
	return nil
}

// dueLayout is how withdrawals.refund_due stores a day: sorted as text, it
// sorts by date.
const dueLayout = "2006-01-02"

// dueDay writes the calendar day of t (a midnight in the zone it was counted
// in) as refund_due stores it.
func dueDay(t time.Time) string { return t.Format(dueLayout) }

// fillRefundDue is the Go step of migration 028: it counts the refund
// deadline of every withdrawal stored before it, in the store's zone as the
// settings or the shop's identity give it (UTC when neither does).
func fillRefundDue(ctx context.Context, tx *sql.Tx) error {
	zone := time.UTC
	var names []string
	for _, q := range []string{`SELECT value FROM settings WHERE key = 'time_zone'`, `SELECT time_zone FROM shop_identity`} {
		var name string
		if err := tx.QueryRowContext(ctx, q).Scan(&name); err == nil {
			names = append(names, name)
		} else if err != sql.ErrNoRows {
			return fmt.Errorf("read the store's time zone: %w", err)
		}
	}
	for _, name := range names {
		if l, ok := returns.ValidTimeZone(name); ok {
			zone = l
			break
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT return_id, made_at FROM withdrawals WHERE refund_due = ''`)
	if err != nil {
		return fmt.Errorf("read withdrawals: %w", err)
	}
	due := map[int64]string{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return fmt.Errorf("read withdrawals: %w", err)
		}
		due[id] = dueDay(returns.WithdrawalRefundDeadline(fromMillis(at), zone))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read withdrawals: %w", err)
	}
	for id, day := range due {
		if _, err := tx.ExecContext(ctx, `UPDATE withdrawals SET refund_due = ? WHERE return_id = ?`, day, id); err != nil {
			return fmt.Errorf("fill the refund deadline of return %d: %w", id, err)
		}
	}
	return nil
}

// WithdrawalsToRemind returns up to limit withdrawals still to refund whose
// refund deadline is on or before dueBy ("YYYY-MM-DD") and whose reminder
// was not queued, soonest first, with their items and statements.
func (db *DB) WithdrawalsToRemind(ctx context.Context, dueBy string, limit int) ([]returns.Return, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	in, args := openStatuses()
	args = append(args, dueBy, limit)
	rows, err := tx.QueryContext(ctx, `SELECT `+qualified("r", returnColumns)+`
		FROM withdrawals w CROSS JOIN returns r ON r.id = w.return_id
		WHERE w.deadline_reminded_at = 0 AND +r.status IN (`+in+`) AND w.refund_due <= ?
		ORDER BY w.refund_due, w.return_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("read withdrawals to remind of: %w", err)
	}
	rs, err := scanReturns(rows)
	if err != nil {
		return nil, err
	}
	if err := attachDetails(ctx, tx, rs, false); err != nil {
		return nil, err
	}
	return rs, nil
}

// QueueWithdrawalReminder records that the reminder of the withdrawal of
// return returnID was queued at at, and queues email (nil for none) in the
// same transaction, so that a withdrawal is reminded of once, crash or not;
// false when it was recorded already.
func (db *DB) QueueWithdrawalReminder(ctx context.Context, returnID int64, at time.Time, email *returns.OutboxMessage) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE withdrawals SET deadline_reminded_at = ? WHERE return_id = ? AND deadline_reminded_at = 0`, millis(at), returnID)
	if err != nil {
		return false, fmt.Errorf("record the reminder of return %d: %w", returnID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if email != nil {
		emails := []returns.OutboxMessage{*email}
		if err := insertOutbox(ctx, tx, returnID, emails, at); err != nil {
			return false, err
		}
		*email = emails[0]
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record the reminder of return %d: %w", returnID, err)
	}
	return true, nil
}
