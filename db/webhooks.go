package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

var (
	_ returns.WebhookInbox      = (*DB)(nil)
	_ returns.ShopRefundStore   = (*DB)(nil)
	_ returns.StaffNoticeStore  = (*DB)(nil)
	_ returns.InstallationStore = (*DB)(nil)
	_ returns.OpenReturnOrders  = (*DB)(nil)
)

// ReceiveWebhook stores w in the inbox and fills w.ID, unless a webhook with
// w.WebhookID is there already: then it stores nothing and reports created ==
// false.
func (db *DB) ReceiveWebhook(ctx context.Context, w *returns.InboxWebhook) (created bool, err error) {
	if w.WebhookID == "" {
		return false, errors.New("store webhook: no webhook id")
	}
	var applied sql.NullInt64
	if w.State != returns.InboxPending {
		applied = sql.NullInt64{Int64: millis(w.AppliedAt), Valid: true}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `
		INSERT INTO webhook_inbox (webhook_id, topic, shop_domain, order_id, occurred_at, received_at,
			state, attempts, next_attempt_at, last_error, applied_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (webhook_id) DO NOTHING
		RETURNING id`,
		w.WebhookID, w.Topic, w.ShopDomain, w.OrderID, millis(w.OccurredAt), millis(w.ReceivedAt),
		w.State, w.Attempts, millis(w.NextAttemptAt), w.LastError, applied, w.Body).Scan(&w.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store %s webhook: %w", w.Topic, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit %s webhook: %w", w.Topic, err)
	}
	return true, nil
}

const inboxColumns = `id, webhook_id, topic, shop_domain, order_id, occurred_at, received_at,
	state, attempts, next_attempt_at, last_error, applied_at, body`

// PendingWebhooks returns up to limit pending webhooks with their bodies, in
// order of occurred_at and id, after (afterAt, afterID).
func (db *DB) PendingWebhooks(ctx context.Context, afterAt time.Time, afterID int64, limit int) ([]returns.InboxWebhook, error) {
	after := millis(afterAt)
	rows, err := db.reader.QueryContext(ctx, `SELECT `+inboxColumns+` FROM webhook_inbox
		WHERE state = 'pending' AND (occurred_at > ? OR (occurred_at = ? AND id > ?))
		ORDER BY occurred_at, id LIMIT ?`, after, after, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("read pending webhooks: %w", err)
	}
	return scanInbox(rows)
}

// Webhooks returns the inbox's webhooks of topic, oldest first by id: for
// tests and for looking into the inbox by hand.
func (db *DB) Webhooks(ctx context.Context, topic string) ([]returns.InboxWebhook, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+inboxColumns+` FROM webhook_inbox WHERE topic = ? ORDER BY id`, topic)
	if err != nil {
		return nil, fmt.Errorf("read webhooks: %w", err)
	}
	return scanInbox(rows)
}

// scanInbox reads and closes rows of inboxColumns.
func scanInbox(rows *sql.Rows) ([]returns.InboxWebhook, error) {
	defer rows.Close()
	var out []returns.InboxWebhook
	for rows.Next() {
		var w returns.InboxWebhook
		var occurred, received, next int64
		var applied sql.NullInt64
		if err := rows.Scan(&w.ID, &w.WebhookID, &w.Topic, &w.ShopDomain, &w.OrderID, &occurred, &received,
			&w.State, &w.Attempts, &next, &w.LastError, &applied, &w.Body); err != nil {
			return nil, fmt.Errorf("read webhooks: %w", err)
		}
		w.OccurredAt, w.ReceivedAt, w.NextAttemptAt = fromMillis(occurred), fromMillis(received), fromMillis(next)
		if applied.Valid {
			w.AppliedAt = fromMillis(applied.Int64)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read webhooks: %w", err)
	}
	return out, nil
}

// SettleWebhook records the outcome of pending webhook id, with
// compare-and-set on its state; one that is not pending answers ECONFLICT,
// an unknown one ENOTFOUND. An applied orders/updated (out.OrderUpdatedAt
// set) moves its order's watermark up to that time in the same transaction.
func (db *DB) SettleWebhook(ctx context.Context, id int64, out returns.WebhookOutcome) error {
	switch out.State {
	case returns.InboxApplied, returns.InboxStale, returns.InboxFailed:
	default:
		return fmt.Errorf("settle webhook %d: cannot settle as %q", id, out.State)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var orderID string
	err = tx.QueryRowContext(ctx, `
		UPDATE webhook_inbox SET state = ?, applied_at = ?, last_error = ?,
			body = CASE WHEN ? THEN X'' ELSE body END
		WHERE id = ? AND state = 'pending'
		RETURNING order_id`, out.State, millis(out.At), out.Error, out.ForgetBody, id).Scan(&orderID)
	if errors.Is(err, sql.ErrNoRows) {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_inbox WHERE id = ?)`, id).Scan(&exists); err != nil {
			return fmt.Errorf("settle webhook %d: %w", id, err)
		}
		if !exists {
			return returns.Errorf(returns.ENOTFOUND, "Webhook not found.")
		}
		return returns.Errorf(returns.ECONFLICT, "This webhook was settled already.")
	}
	if err != nil {
		return fmt.Errorf("settle webhook %d: %w", id, err)
	}
	if !out.OrderUpdatedAt.IsZero() && orderID != "" && out.State == returns.InboxApplied {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO order_watermarks (order_id, updated_at) VALUES (?, ?)
			ON CONFLICT (order_id) DO UPDATE SET updated_at = max(updated_at, excluded.updated_at)`,
			orderID, millis(out.OrderUpdatedAt)); err != nil {
			return fmt.Errorf("move the watermark of order %s: %w", orderID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit webhook %d: %w", id, err)
	}
	return nil
}

// RetryWebhook records a failed attempt at pending webhook id and when to try
// it next.
func (db *DB) RetryWebhook(ctx context.Context, id int64, next time.Time, lastErr string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		UPDATE webhook_inbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND state = 'pending'`, millis(next), lastErr, id)
	if err != nil {
		return fmt.Errorf("retry webhook %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("retry webhook %d: not pending (%v)", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit webhook %d: %w", id, err)
	}
	return nil
}

// OrderWatermark returns the time of the newest orders/updated applied for
// the order, or the zero time.
func (db *DB) OrderWatermark(ctx context.Context, orderID string) (time.Time, error) {
	var at int64
	err := db.reader.QueryRowContext(ctx, `SELECT updated_at FROM order_watermarks WHERE order_id = ?`, orderID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read the watermark of order %s: %w", orderID, err)
	}
	return fromMillis(at), nil
}

// ForgetWebhookBodies empties the bodies of the webhooks that are not
// pending, and reports how many it emptied.
func (db *DB) ForgetWebhookBodies(ctx context.Context) (int64, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE webhook_inbox SET body = X'' WHERE state <> 'pending' AND length(body) > 0`)
	if err != nil {
		return 0, fmt.Errorf("empty webhook bodies: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("empty webhook bodies: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit emptied webhook bodies: %w", err)
	}
	return n, nil
}

// PruneWebhooks deletes the webhooks that left pending before before and the
// watermarks older than it, and reports how many webhooks it deleted.
func (db *DB) PruneWebhooks(ctx context.Context, before time.Time) (int64, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM webhook_inbox WHERE state <> 'pending' AND applied_at < ?`, millis(before))
	if err != nil {
		return 0, fmt.Errorf("prune webhooks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune webhooks: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM order_watermarks WHERE updated_at < ?`, millis(before)); err != nil {
		return 0, fmt.Errorf("prune watermarks: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit pruning: %w", err)
	}
	return n, nil
}

// ShopRefundKnown reports whether the Shopify refund shopifyID is in the
// ledger or among the order refunds.
func (db *DB) ShopRefundKnown(ctx context.Context, shopifyID string) (bool, error) {
	if shopifyID == "" {
		return false, errors.New("look for a Shopify refund: no id")
	}
	var known bool
	err := db.reader.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM refunds WHERE shopify_id = ? AND shopify_id <> '')
		OR EXISTS (SELECT 1 FROM order_refunds WHERE shopify_id = ?)`, shopifyID, shopifyID).Scan(&known)
	if err != nil {
		return false, fmt.Errorf("look for Shopify refund %s: %w", shopifyID, err)
	}
	return known, nil
}

// RecordShopRefund stores ref, a refund made in Shopify admin, as succeeded
// with ev on its return's timeline and, with a non-nil change, the return's
// move, in one transaction. A refund with ref.IdempotencyKey in the ledger
// already stores nothing and reports created == false; a return that moved
// away from change.From answers ECONFLICT and stores nothing.
func (db *DB) RecordShopRefund(ctx context.Context, ref *returns.Refund, ev returns.Event, change *returns.Change) (created bool, err error) {
	switch {
	case ref.IdempotencyKey == "" || ref.ShopifyID == "":
		return false, fmt.Errorf("record Shopify refund of return %d: no key or Shopify id", ref.ReturnID)
	case ref.Source != returns.RefundFromShopify || ref.State != returns.RefundSucceeded:
		return false, fmt.Errorf("record Shopify refund of return %d: a %s refund in state %s", ref.ReturnID, ref.Source, ref.State)
	case ref.Amount.Minor <= 0:
		return false, fmt.Errorf("record Shopify refund of return %d: amount %d", ref.ReturnID, ref.Amount.Minor)
	case ev.ReturnID != ref.ReturnID || (change != nil && change.ReturnID != ref.ReturnID):
		return false, fmt.Errorf("record Shopify refund of return %d with an event or change of another return", ref.ReturnID)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var orderID string
	err = tx.QueryRowContext(ctx, `SELECT order_id FROM returns WHERE id = ?`, ref.ReturnID).Scan(&orderID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, errReturnNotFound()
	}
	if err != nil {
		return false, fmt.Errorf("read return %d: %w", ref.ReturnID, err)
	}
	if orderID != ref.OrderID {
		return false, fmt.Errorf("record Shopify refund of return %d: order %s, but the return is of %s", ref.ReturnID, ref.OrderID, orderID)
	}
	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO refunds (return_id, order_id, amount_minor, currency, idempotency_key, state,
			shopify_id, error, reason, staff_id, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id`,
		ref.ReturnID, ref.OrderID, ref.Amount.Minor, ref.Amount.Currency, ref.IdempotencyKey, ref.State,
		ref.ShopifyID, ref.Reason, ref.StaffID, ref.Source, millis(ref.CreatedAt), millis(ref.UpdatedAt)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert Shopify refund of return %d: %w", ref.ReturnID, err)
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return false, err
	}
	// A withdrawal's refund is part of its record whoever made it: a
	// refund in Shopify admin is logged with its booking, as the portal's
	// are with their settling.
	if err := db.logRefundOf(ctx, tx, id, ref.ReturnID); err != nil {
		return false, err
	}
	if change != nil {
		if err := db.applyChange(ctx, tx, *change); err != nil {
			return false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit Shopify refund of return %d: %w", ref.ReturnID, err)
	}
	ref.ID = id
	return true, nil
}

// RecordOrderRefund records r with evs on its order's returns' timelines in
// one transaction, unless r is recorded already: then it stores nothing and
// reports created == false.
func (db *DB) RecordOrderRefund(ctx context.Context, r returns.OrderRefund, evs []returns.Event) (created bool, err error) {
	if r.ShopifyID == "" || r.OrderID == "" {
		return false, errors.New("record order refund: no Shopify id or order")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		INSERT INTO order_refunds (shopify_id, order_id, amount_minor, currency, created_at, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (shopify_id) DO NOTHING`,
		r.ShopifyID, r.OrderID, max(r.Amount.Minor, 0), r.Amount.Currency, millis(r.CreatedAt), millis(db.Now()))
	if err != nil {
		return false, fmt.Errorf("record refund %s of order %s: %w", r.ShopifyID, r.OrderID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	for _, ev := range evs {
		if err := insertOrderEvent(ctx, tx, r.OrderID, ev); err != nil {
			return false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit refund %s of order %s: %w", r.ShopifyID, r.OrderID, err)
	}
	return true, nil
}

// insertOrderEvent appends ev, which changes no status, to the timeline of a
// return of order orderID.
func insertOrderEvent(ctx context.Context, tx *sql.Tx, orderID string, ev returns.Event) error {
	if ev.Status != "" {
		return fmt.Errorf("add %s event to return %d: an event with a status must go with its transition", ev.Type, ev.ReturnID)
	}
	var of string
	err := tx.QueryRowContext(ctx, `SELECT order_id FROM returns WHERE id = ?`, ev.ReturnID).Scan(&of)
	if errors.Is(err, sql.ErrNoRows) {
		return errReturnNotFound()
	}
	if err != nil {
		return fmt.Errorf("read return %d: %w", ev.ReturnID, err)
	}
	if orderID != "" && of != orderID {
		return fmt.Errorf("add %s event to return %d of order %s: it is of order %s", ev.Type, ev.ReturnID, orderID, of)
	}
	return insertEvent(ctx, tx, ev)
}

// QueueStaffNotice queues email (about no return), unless one with its dedupe
// key is queued already, and appends evs to their returns' timelines, in one
// transaction. A duplicate email stores nothing and reports created == false;
// a nil email appends evs alone.
func (db *DB) QueueStaffNotice(ctx context.Context, email *returns.OutboxMessage, evs []returns.Event) (created bool, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if email != nil {
		emails := []returns.OutboxMessage{*email}
		if err := insertOutbox(ctx, tx, 0, emails, db.Now()); err != nil {
			return false, err
		}
		if emails[0].ID == 0 {
			return false, nil // queued already, with its events
		}
		*email = emails[0]
	}
	for _, ev := range evs {
		if err := insertOrderEvent(ctx, tx, "", ev); err != nil {
			return false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit staff notice: %w", err)
	}
	return true, nil
}

// ShopUninstalledAt returns when the app was uninstalled from the shop, or
// the zero time while it is installed.
func (db *DB) ShopUninstalledAt(ctx context.Context) (time.Time, error) {
	var at int64
	if err := db.reader.QueryRowContext(ctx, `SELECT uninstalled_at FROM shop_state WHERE id = 1`).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("read shop state: %w", err)
	}
	if at == 0 {
		return time.Time{}, nil
	}
	return fromMillis(at), nil
}

// MarkUninstalled records the app uninstalled at at, and queues email (nil for
// none) with it, unless it is marked uninstalled already or was marked
// installed again after at.
func (db *DB) MarkUninstalled(ctx context.Context, at time.Time, email *returns.OutboxMessage) (changed bool, err error) {
	if at.IsZero() || millis(at) <= 0 {
		return false, fmt.Errorf("mark the app uninstalled: no time")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE shop_state SET uninstalled_at = ?
		WHERE id = 1 AND uninstalled_at = 0 AND reinstalled_at <= ?`, millis(at), millis(at))
	if err != nil {
		return false, fmt.Errorf("mark the app uninstalled: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if email != nil {
		emails := []returns.OutboxMessage{*email}
		if err := insertOutbox(ctx, tx, 0, emails, at); err != nil {
			return false, err
		}
		*email = emails[0]
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit the app uninstalled: %w", err)
	}
	return true, nil
}

// MarkReinstalled records the app found installed by a look that began at at:
// it clears an uninstall recorded before at, and reports false when there is
// none.
func (db *DB) MarkReinstalled(ctx context.Context, at time.Time) (changed bool, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE shop_state SET uninstalled_at = 0, reinstalled_at = ?
		WHERE id = 1 AND uninstalled_at <> 0 AND uninstalled_at < ?`, millis(at), millis(at))
	if err != nil {
		return false, fmt.Errorf("mark the app installed: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit the app installed: %w", err)
	}
	return true, nil
}

// OrdersWithOpenReturns returns up to limit order GIDs after after, in order,
// of the orders with a return in one of returns.OpenStatuses.
func (db *DB) OrdersWithOpenReturns(ctx context.Context, after string, limit int) ([]string, error) {
	// The status index finds the open returns, a small part of them all.
	in, args := openStatuses()
	rows, err := db.reader.QueryContext(ctx, `SELECT DISTINCT order_id FROM returns
		WHERE status IN (`+in+`) AND order_id > ?
		ORDER BY order_id LIMIT ?`, append(args, after, limit)...)
	if err != nil {
		return nil, fmt.Errorf("read orders with open returns: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read orders with open returns: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read orders with open returns: %w", err)
	}
	return out, nil
}

// openStatuses is the placeholders and arguments of a condition
// "status IN (…)" on returns.OpenStatuses, with room for two more arguments.
func openStatuses() (in string, args []any) {
	in = strings.Repeat("?, ", len(returns.OpenStatuses)-1) + "?"
	args = make([]any, 0, len(returns.OpenStatuses)+2)
	for _, st := range returns.OpenStatuses {
		args = append(args, st)
	}
	return in, args
}
