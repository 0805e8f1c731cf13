package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// CreateRefund stores r as a pending refund and fills r.ID; it is step 1 of
// DESIGN.md's "Exactly-once refunds". When a refund with r.IdempotencyKey exists,
// it stores nothing, loads that refund into r and reports created == false.
// Otherwise it reads the return's status and every refund of the order in the
// same transaction and stores r only when returns.CheckNewRefund allows it: the
// status read before the transaction, and the refunds of a second tab, are not
// what counts.
func (db *DB) CreateRefund(ctx context.Context, r *returns.Refund, lim returns.RefundLimits) (created bool, err error) {
	if r.IdempotencyKey == "" {
		return false, fmt.Errorf("create refund of return %d: no idempotency key", r.ReturnID)
	}
	if r.Amount.Minor <= 0 {
		return false, returns.Errorf(returns.EINVALID, "Enter an amount above zero.")
	}

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	// The transaction began IMMEDIATE: no other refund can be stored, and the
	// return's status cannot change, between the checks below and the insert.
	existing, err := findRefund(ctx, tx, `idempotency_key = ?`, r.IdempotencyKey)
	if err == nil {
		if existing.ReturnID != r.ReturnID || existing.OrderID != r.OrderID {
			return false, returns.Errorf(returns.ECONFLICT, "This refund form belongs to another return. Please reload the page.")
		}
		*r = *existing
		return false, nil
	}
	if returns.ErrorCode(err) != returns.ENOTFOUND {
		return false, err
	}

	var status returns.Status
	var orderID string
	err = tx.QueryRowContext(ctx, `SELECT status, order_id FROM returns WHERE id = ?`, r.ReturnID).Scan(&status, &orderID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, errReturnNotFound()
	}
	if err != nil {
		return false, fmt.Errorf("read status of return %d: %w", r.ReturnID, err)
	}
	if orderID != r.OrderID {
		return false, fmt.Errorf("create refund of return %d: order %s, but the return is of %s", r.ReturnID, r.OrderID, orderID)
	}
	orderRefunds, err := findRefunds(ctx, tx, `order_id = ? ORDER BY id`, r.OrderID)
	if err != nil {
		return false, err
	}
	if err := returns.CheckNewRefund(r, status, orderRefunds, lim); err != nil {
		return false, err
	}

	if r.CreatedAt.IsZero() {
		r.CreatedAt = db.Now()
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	if r.Source == "" {
		r.Source = returns.RefundFromPortal
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO refunds (return_id, order_id, amount_minor, currency, idempotency_key, state,
			shopify_id, error, reason, partial_reason, worth_minor, staff_id, source, created_at, updated_at, method, shipping_minor)
		VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ReturnID, r.OrderID, r.Amount.Minor, r.Amount.Currency, r.IdempotencyKey, returns.RefundPending,
		r.Reason, r.PartialReason, max(r.Worth.Minor, 0), r.StaffID, r.Source, millis(r.CreatedAt), millis(r.UpdatedAt), r.Method, max(r.Shipping.Minor, 0))
	if err != nil {
		return false, fmt.Errorf("insert refund of return %d: %w", r.ReturnID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return false, fmt.Errorf("insert refund of return %d: %w", r.ReturnID, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit refund of return %d: %w", r.ReturnID, err)
	}
	r.ID, r.State, r.ShopifyID, r.Error = id, returns.RefundPending, "", ""
	return true, nil
}

// SettleRefund records the outcome of refund id, with compare-and-set on its
// state: only a pending or unknown refund can be settled, and settling one that
// is settled already answers ECONFLICT. Settling an unknown refund as unknown
// again is allowed, so that a retry that is lost again is no error. With a
// non-nil change, the return's transition, its event and write-back commit with
// the outcome or not at all: when the return is not in change.From any more,
// nothing changes and it answers ECONFLICT.
func (db *DB) SettleRefund(ctx context.Context, id int64, state returns.RefundState, shopifyID, errMsg string, change *returns.Change) error {
	return db.settleRefund(ctx, id, state, shopifyID, errMsg, nil, change)
}

// settleRefund is SettleRefund that, with p non-nil, records how the money of
// a succeeded refund reaches the customer too.
func (db *DB) settleRefund(ctx context.Context, id int64, state returns.RefundState, shopifyID, errMsg string, p *returns.RefundPayout, change *returns.Change) error {
	switch state {
	case returns.RefundSucceeded, returns.RefundFailed, returns.RefundUnknown:
	default:
		return fmt.Errorf("settle refund %d: cannot settle as %q", id, state)
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
		UPDATE refunds SET state = ?, shopify_id = ?, error = ?, updated_at = ?
		WHERE id = ? AND state IN ('pending', 'unknown')
		RETURNING return_id`,
		state, shopifyID, errMsg, millis(db.Now()), id).Scan(&returnID)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := findRefund(ctx, tx, `id = ?`, id); err != nil {
			return err
		}
		return returns.Errorf(returns.ECONFLICT, "This refund was settled already.")
	}
	if err != nil {
		return fmt.Errorf("settle refund %d: %w", id, err)
	}
	if p != nil {
		if err := setPayout(ctx, tx, id, *p); err != nil {
			return err
		}
	}
	if state == returns.RefundSucceeded {
		if err := db.logRefundOf(ctx, tx, id, returnID); err != nil {
			return err
		}
	}
	if change != nil {
		if change.ReturnID != returnID {
			return fmt.Errorf("settle refund %d of return %d with a change of return %d", id, returnID, change.ReturnID)
		}
		if err := db.applyChange(ctx, tx, *change); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit refund %d: %w", id, err)
	}
	return nil
}

// UnsettledRefunds returns the refunds whose outcome is unknown and those pending
// since before olderThan (cut off by a crash), oldest first.
func (db *DB) UnsettledRefunds(ctx context.Context, olderThan time.Time) ([]returns.Refund, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findRefunds(ctx, tx, unsettledWhere, millis(olderThan))
}

// unsettledWhere selects UnsettledRefunds. Its first condition repeats the
// partial index's WHERE, so that SQLite reads only the unsettled rows, already
// in created_at order.
const unsettledWhere = `state IN ('pending', 'unknown') AND (state = 'unknown' OR created_at < ?)
	ORDER BY created_at, id`

// RefundsByReturn returns a return's refunds, oldest first.
func (db *DB) RefundsByReturn(ctx context.Context, returnID int64) ([]returns.Refund, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findRefunds(ctx, tx, `return_id = ? ORDER BY id`, returnID)
}

// findRefund returns the one refund matching where, or ENOTFOUND.
func findRefund(ctx context.Context, tx *sql.Tx, where string, args ...any) (*returns.Refund, error) {
	refs, err := findRefunds(ctx, tx, where, args...)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, returns.Errorf(returns.ENOTFOUND, "Refund not found.")
	}
	return &refs[0], nil
}

// findRefunds returns the refunds matching where, a condition (and ordering)
// written by this package.
func findRefunds(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]returns.Refund, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, return_id, order_id, amount_minor, currency, idempotency_key, state,
			shopify_id, error, reason, partial_reason, worth_minor, staff_id, source, created_at, updated_at,
			payout, manual_minor, manual_gateway, manual_paid_at, manual_paid_by, method, shipping_minor
		FROM refunds WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read refunds: %w", err)
	}
	defer rows.Close()
	var refs []returns.Refund
	for rows.Next() {
		var r returns.Refund
		var created, updated, paidAt int64
		if err := rows.Scan(&r.ID, &r.ReturnID, &r.OrderID, &r.Amount.Minor, &r.Amount.Currency, &r.IdempotencyKey, &r.State,
			&r.ShopifyID, &r.Error, &r.Reason, &r.PartialReason, &r.Worth.Minor, &r.StaffID, &r.Source, &created, &updated,
			&r.Payout.State, &r.Payout.Manual.Minor, &r.Payout.ManualGateway, &paidAt, &r.ManualPaidBy, &r.Method, &r.Shipping.Minor); err != nil {
			return nil, fmt.Errorf("read refunds: %w", err)
		}
		if r.Worth.Minor > 0 {
			r.Worth.Currency = r.Amount.Currency
		}
		if r.Shipping.Minor > 0 {
			r.Shipping.Currency = r.Amount.Currency
		}
		r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
		if r.Payout.Manual.Minor > 0 {
			r.Payout.Manual.Currency = r.Amount.Currency
		}
		if r.Payout.State == returns.PayoutFailed {
			r.Payout.Error = r.Error
		}
		if paidAt != 0 {
			r.ManualPaidAt = fromMillis(paidAt)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read refunds: %w", err)
	}
	return refs, nil
}

// attachRefunded fills the refunded sums of the returns in byID (their
// succeeded refunds) and their partial refunds. scanReturns has set each sum
// to zero in the return's currency.
func attachRefunded(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, amount_minor, currency, worth_minor, partial_reason, payout, manual_minor, manual_paid_at, method
		FROM refunds
		WHERE return_id IN `+in+` AND state = 'succeeded' ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("read refunded sums: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, paidAt int64
		var ref returns.Refund
		if err := rows.Scan(&id, &ref.Amount.Minor, &ref.Amount.Currency, &ref.Worth.Minor, &ref.PartialReason,
			&ref.Payout.State, &ref.Payout.Manual.Minor, &paidAt, &ref.Method); err != nil {
			return fmt.Errorf("read refunded sums: %w", err)
		}
		r := byID[id]
		cur := r.Refunded.Currency
		r.Refunded.Minor += ref.Amount.Minor
		if ref.Worth.Currency = ref.Amount.Currency; ref.Partial() {
			r.PartialRefund = &returns.PartialRefund{Amount: ref.Amount, Of: ref.Worth, Reason: ref.PartialReason}
		}
		// How the money reaches the customer, summed over the refunds.
		p := &r.Payouts
		for _, m := range []*returns.Money{&p.Pending, &p.Failed, &p.Manual, &p.ManualPaid, &p.StoreCredit} {
			m.Currency = cur
		}
		switch {
		case ref.Payout.State == returns.PayoutPending:
			p.Pending.Minor += ref.Amount.Minor
		case ref.Payout.State == returns.PayoutFailed:
			p.Failed.Minor += ref.Amount.Minor
		case paidAt == 0:
			p.Manual.Minor += ref.Payout.Manual.Minor
		default:
			p.ManualPaid.Minor += ref.Payout.Manual.Minor
			if at := fromMillis(paidAt); at.After(p.ManualPaidAt) {
				p.ManualPaidAt = at
			}
		}
		if ref.Payout.State == returns.PayoutSent && ref.Method == returns.RefundAsStoreCredit {
			p.StoreCredit.Minor += ref.Amount.Minor
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read refunded sums: %w", err)
	}
	return nil
}

// logRefundOf appends refund id, just succeeded (settled through the portal,
// or booked from Shopify admin), to the withdrawal log when its return is a
// withdrawal, in tx.
func (db *DB) logRefundOf(ctx context.Context, tx *sql.Tx, id, returnID int64) error {
	ref, err := findRefund(ctx, tx, `id = ?`, id)
	if err != nil {
		return err
	}
	// A refund without a delivery part stores no currency for it; the
	// delivery is in the refund's currency.
	delivery := returns.Money{Minor: ref.Shipping.Minor, Currency: ref.Amount.Currency}
	source := refundFromPortal
	if ref.Source == returns.RefundFromShopify {
		source = refundFromShopAdmin
	}
	e := refundEntry{Refund: ref.ID, Amount: ref.Amount.String(), Delivery: delivery.String(), ShopifyID: ref.ShopifyID, At: logTime(ref.UpdatedAt), Source: source}
	return db.appendWithdrawalEntry(ctx, tx, returnID, ref.UpdatedAt, logRefund, e)
}
