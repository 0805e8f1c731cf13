package returns

import (
	"context"
	"errors"
	"fmt"
)

// ShopRefundReason is the reason the ledger gives a refund made in Shopify
// admin.
const ShopRefundReason = "refunded in Shopify admin"

// ShopRefundKey is the ledger's idempotency key of the refund made in Shopify
// admin with GID shopifyID: the same however often the refund is heard of, so
// a second delivery or the periodic pass books nothing more, and never one of
// the portal's own keys (32 hex digits).
func ShopRefundKey(shopifyID string) string { return "shopify:" + shopifyID }

// errBookedAlready rolls back a status change whose refund was booked before.
var errBookedAlready = errors.New("refund booked already")

// applyRefund takes in a refund Shopify made, told by refunds/create or
// found by the periodic pass (via says which). The portal's own refund (its
// note carries the key of one of the order's refunds in the ledger) settles
// that refund if it is still pending or unknown; any other was made by the
// merchant in Shopify admin and is booked to the return it belongs to. A
// refund taken in already changes nothing.
func (s *ShopEventService) applyRefund(ctx context.Context, ref ShopRefund, via string) error {
	known, err := s.refunds.ShopRefundKnown(ctx, ref.ID)
	if err != nil || known {
		return err
	}
	if key := keyOfRefundNote(ref.Note); key != "" {
		found, err := s.portal.SettleFromShopify(ctx, ref.OrderID, key, ref.ID)
		if err != nil || found {
			return err
		}
	}
	if ref.ReturnID != "" {
		// Made by processing a Shopify return: the portal's refund in
		// flight on it, when there is one (Shopify is not documented to
		// copy returnProcess's note, with the key, onto the refund).
		found, err := s.portal.SettleFromShopReturn(ctx, ref)
		if err != nil || found {
			return err
		}
	}
	return s.bookShopRefund(ctx, ref, via)
}

// bookShopRefund books a refund the merchant made in Shopify admin: to the
// return it belongs to, in the ledger and on its timeline, moving the return
// to refunded (with the customer's email) when its refunds now cover what it
// is worth; to no return, only on the order's returns' timelines, when none
// is found.
func (s *ShopEventService) bookShopRefund(ctx context.Context, ref ShopRefund, via string) error {
	rs, err := s.returns.ReturnsByOrder(ctx, ref.OrderID)
	if err != nil {
		return fmt.Errorf("read returns of order: %w", err)
	}
	if len(rs) == 0 {
		// Most refunds of a shop are of orders without returns: the portal
		// has nothing to book them to or show them on.
		return nil
	}
	// What the refund gives back: what it moved, and what is on its way.
	amount := Money{Minor: ref.Amount.Minor + ref.Pending.Minor, Currency: ref.Amount.Currency}
	r := refundedReturn(rs, ref)
	if r == nil || amount.Minor <= 0 || amount.Currency != r.Currency {
		return s.recordOrderRefund(ctx, ref, rs, amount, via)
	}

	now := s.now()
	made := ref.CreatedAt
	if made.IsZero() {
		made = now
	}
	led := &Refund{
		ReturnID: r.ID, OrderID: r.OrderID, Amount: amount, IdempotencyKey: ShopRefundKey(ref.ID),
		State: RefundSucceeded, ShopifyID: ref.ID, Reason: ShopRefundReason, Source: RefundFromShopify,
		CreatedAt: made, UpdatedAt: now,
	}
	ev := Event{ReturnID: r.ID, At: now, Actor: ActorSystem, Type: EventShopifyRefund}.says(Msg("%s", amount))
	refunded := Money{Minor: r.Refunded.Minor + amount.Minor, Currency: r.Currency}
	if r.Status.CanMoveTo(StatusRefunded) && refunded.Minor >= r.Total().Minor {
		err := s.changes.ApplyWith(ctx, StatusChange{
			Return: r, To: StatusRefunded, Actor: ActorSystem, Event: EventRefunded, Msg: Msg("%s", refunded),
			Note: fmt.Sprintf("%s: refunded %s (in Shopify admin)", r.Code, refunded), Tags: []string{"returns:refunded"},
			Email: EmailRefunded, EmailData: EmailData{Amount: refunded},
		}, func(ctx context.Context, ch Change) error {
			created, err := s.refunds.RecordShopRefund(ctx, led, ev, &ch)
			if err == nil && !created {
				return errBookedAlready
			}
			return err
		})
		switch {
		case err == nil:
			s.log.Info("refund made in Shopify admin booked; the return is refunded", "code", r.Code, "amount", amount.String(), "refund", ref.ID, "via", via)
			return nil
		case errors.Is(err, errBookedAlready):
			return nil
		case ErrorCode(err) != ECONFLICT:
			return err
		}
		// The return moved meanwhile: the money is booked alone.
	}
	created, err := s.refunds.RecordShopRefund(ctx, led, ev, nil)
	if err != nil {
		return fmt.Errorf("book refund %s: %w", ref.ID, err)
	}
	if created {
		s.log.Info("refund made in Shopify admin booked", "code", r.Code, "amount", amount.String(), "refund", ref.ID, "via", via)
	}
	return nil
}

// refundedReturn returns the return of rs (an order's returns, newest first)
// that a refund made in Shopify admin belongs to, or nil. A refund of line
// items belongs to the oldest active return of those lines, one that can
// still be refunded before one that cannot. A refund of money alone belongs
// to the order's return that awaits its refund, when there is exactly one:
// approved or received, its refunds not covering what it is worth.
func refundedReturn(rs []Return, ref ShopRefund) *Return {
	if len(ref.Lines) > 0 {
		lines := map[string]bool{}
		for _, l := range ref.Lines {
			lines[l.LineItemID] = true
		}
		var match *Return
		for i := len(rs) - 1; i >= 0; i-- {
			r := &rs[i]
			if !r.Status.Active() || !r.hasLine(lines) {
				continue
			}
			if r.Status.CanMoveTo(StatusRefunded) {
				return r
			}
			if match == nil {
				match = r
			}
		}
		// Lines of no return are other items of the order: a refund of them
		// is no return's.
		return match
	}
	var only *Return
	for i := range rs {
		r := &rs[i]
		if (r.Status == StatusApproved || r.Status == StatusItemReceived) && r.Refunded.Minor < r.Total().Minor {
			if only != nil {
				return nil
			}
			only = r
		}
	}
	return only
}

// hasLine reports whether one of r's items is of one of lines.
func (r *Return) hasLine(lines map[string]bool) bool {
	for _, it := range r.Items {
		if lines[it.LineItemID] {
			return true
		}
	}
	return false
}

// recordOrderRefund records a refund made in Shopify admin that belongs to
// none of its order's returns rs: no return's ledger has it, and each of the
// returns' timelines shows it for staff.
func (s *ShopEventService) recordOrderRefund(ctx context.Context, ref ShopRefund, rs []Return, amount Money, via string) error {
	now := s.now()
	made := ref.CreatedAt
	if made.IsZero() {
		made = now
	}
	// Staff know a refund by its amount and day, not by Shopify's id.
	msg := Msg("%s refunded on order %s in Shopify admin on %s UTC, booked to no return", amount, rs[0].OrderName, made.UTC().Format("2006-01-02 15:04"))
	evs := make([]Event, 0, len(rs))
	for _, r := range rs {
		evs = append(evs, Event{ReturnID: r.ID, At: now, Actor: ActorSystem, Type: EventOrderRefund}.says(msg))
	}
	created, err := s.refunds.RecordOrderRefund(ctx, OrderRefund{ShopifyID: ref.ID, OrderID: ref.OrderID, Amount: amount, CreatedAt: made}, evs)
	if err != nil {
		return fmt.Errorf("record refund %s of order %s: %w", ref.ID, rs[0].OrderName, err)
	}
	if created {
		s.log.Info("refund made in Shopify admin belongs to no return; shown on the order's returns", "order", rs[0].OrderName, "amount", amount.String(), "refund", ref.ID, "via", via)
	}
	return nil
}

// Sweep is the periodic pass: it deletes what the inbox no longer needs to
// keep, and reads the refunds of some orders with open returns from
// Shopify, taking in each that the portal has not heard of as if its
// refunds/create had come. Each pass asks about sweepOrders orders, going on
// after the last of the pass before, so every such order is looked at in
// turn; the Shopify client paces the calls by its cost bucket. While the app
// is uninstalled it asks Shopify nothing.
func (s *ShopEventService) Sweep(ctx context.Context) {
	s.processing.Lock()
	defer s.processing.Unlock()
	if n, err := s.inbox.PruneWebhooks(ctx, s.now().Add(-WebhookRetention)); err != nil {
		s.log.Error("delete old webhooks", "err", err)
	} else if n > 0 {
		s.log.Info("old webhooks deleted from the inbox", "count", n)
	}
	if !s.installation.UninstalledAt(ctx).IsZero() {
		return
	}
	orders, err := s.openOrders.OrdersWithOpenReturns(ctx, s.sweepAfter, sweepOrders)
	if err != nil {
		s.log.Error("read orders with open returns", "err", err)
		return
	}
	s.sweepAfter = ""
	if len(orders) == sweepOrders {
		s.sweepAfter = orders[len(orders)-1]
	}
	for _, id := range orders {
		if ctx.Err() != nil {
			return
		}
		refs, err := s.shopRefunds.Refunds(ctx, id)
		if ShopUninstalled(err) {
			return
		}
		if err != nil {
			s.log.Warn("read an order's refunds from Shopify", "order", id, "err", err)
			continue
		}
		for _, ref := range refs {
			if err := s.applyRefund(ctx, ref, "periodic pass"); err != nil {
				s.log.Warn("take in a refund found by the periodic pass", "order", id, "refund", ref.ID, "err", err)
			}
		}
		if s.notes != nil {
			if err := s.notes.CheckOrderNote(ctx, id); err != nil {
				s.log.Warn("check the order's note for erased portal lines", "order", id, "err", err)
			}
		}
	}
}
