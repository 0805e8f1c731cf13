package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// SettleRefundPayout records refund id as succeeded as Shopify's refund
// shopifyID, with p, how its money reaches the customer, and (change
// non-nil) the return's move, in one transaction; otherwise as SettleRefund.
func (db *DB) SettleRefundPayout(ctx context.Context, id int64, shopifyID string, p returns.RefundPayout, change *returns.Change) error {
	return db.settleRefund(ctx, id, returns.RefundSucceeded, shopifyID, "", &p, change)
}

// setPayout stores p on refund id, in tx. A failed payout's error goes where
// staff read a refund's errors.
func setPayout(ctx context.Context, tx *sql.Tx, id int64, p returns.RefundPayout) error {
	errMsg := ""
	if p.State == returns.PayoutFailed {
		errMsg = p.Error
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE refunds SET payout = ?, manual_minor = ?, manual_gateway = ?,
			error = CASE WHEN ? <> '' THEN ? ELSE error END
		WHERE id = ?`,
		p.State, max(p.Manual.Minor, 0), p.ManualGateway, errMsg, errMsg, id); err != nil {
		return fmt.Errorf("record payout of refund %d: %w", id, err)
	}
	return nil
}

// FinishPayout records p, the final payout of refund id, whose payout must
// still be pending (ECONFLICT otherwise), with change (its move of the
// return, event and emails) or, change nil, ev, in one transaction.
func (db *DB) FinishPayout(ctx context.Context, id int64, p returns.RefundPayout, ev returns.Event, change *returns.Change) error {
	if p.State == returns.PayoutPending {
		return fmt.Errorf("finish payout of refund %d: still pending", id)
	}
	if change != nil {
		if err := change.From.Transition(change.To); err != nil {
			return err
		}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var returnID int64
	err = tx.QueryRowContext(ctx, `
		UPDATE refunds SET payout = '', updated_at = ?
		WHERE id = ? AND state = 'succeeded' AND payout = 'pending'
		RETURNING return_id`, millis(db.Now()), id).Scan(&returnID)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := findRefund(ctx, tx, `id = ?`, id); err != nil {
			return err
		}
		return returns.Errorf(returns.ECONFLICT, "This refund's payment was settled already.")
	}
	if err != nil {
		return fmt.Errorf("finish payout of refund %d: %w", id, err)
	}
	if err := setPayout(ctx, tx, id, p); err != nil {
		return err
	}
	switch {
	case change != nil:
		if change.ReturnID != returnID {
			return fmt.Errorf("finish payout of refund %d of return %d with a change of return %d", id, returnID, change.ReturnID)
		}
		if err := db.applyChange(ctx, tx, *change); err != nil {
			return err
		}
	case ev.Type != "":
		ev.ReturnID = returnID
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit payout of refund %d: %w", id, err)
	}
	return nil
}

// PendingPayouts returns the succeeded refunds whose payout is pending, of
// order orderID or, "", of every order, oldest first.
func (db *DB) PendingPayouts(ctx context.Context, orderID string) ([]returns.Refund, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if orderID == "" {
		return findRefunds(ctx, tx, `payout = 'pending' AND state = 'succeeded' ORDER BY created_at, id`)
	}
	return findRefunds(ctx, tx, `payout = 'pending' AND order_id = ? AND state = 'succeeded' ORDER BY created_at, id`, orderID)
}

// ConfirmManualPaid records that staff member staffID paid the manual part
// of refund id at at, with ev on the timeline and emails queued, in one
// transaction, once: it reports false, and changes nothing, when the payment
// was confirmed already or the refund has no manual part to pay.
func (db *DB) ConfirmManualPaid(ctx context.Context, id, staffID int64, at time.Time, ev returns.Event, emails []returns.OutboxMessage) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var returnID int64
	err = tx.QueryRowContext(ctx, `
		UPDATE refunds SET manual_paid_at = ?, manual_paid_by = ?, updated_at = ?
		WHERE id = ? AND state = 'succeeded' AND payout = '' AND manual_minor > 0 AND manual_paid_at = 0
		RETURNING return_id`, millis(at), staffID, millis(at), id).Scan(&returnID)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := findRefund(ctx, tx, `id = ?`, id); err != nil {
			return false, err
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("confirm manual payment of refund %d: %w", id, err)
	}
	ev.ReturnID = returnID
	if err := insertEvent(ctx, tx, ev); err != nil {
		return false, err
	}
	if err := insertOutbox(ctx, tx, returnID, emails, at); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit manual payment of refund %d: %w", id, err)
	}
	return true, nil
}
