package returns

import (
	"context"
	"fmt"
	"time"
)

// Payout says where the money of a refund Shopify made stands: Shopify
// recording a refund is not the customer having the money. Its gateway may
// keep it pending for a while, or fail it; a manual payment method (cash on
// delivery, bank transfer) moves nothing, and staff pay the customer
// themselves (RefundPayout.Manual).
type Payout string

const (
	// PayoutSent: every transaction of the refund succeeded; the money is on
	// the customer's payments (or, for the manual part, for staff to pay).
	PayoutSent Payout = ""
	// PayoutPending: a transaction waits for its gateway, or the refund's
	// transactions were not read back yet. It is followed until final, and
	// the customer is not told of a refund until it is.
	PayoutPending Payout = "pending"
	// PayoutFailed: a transaction failed at its gateway; that money did not
	// reach the customer. Staff are shown what to do.
	PayoutFailed Payout = "failed"
)

// RefundPayout is how a refund's money reaches the customer, as its
// transactions read back from Shopify say.
type RefundPayout struct {
	State Payout
	// Error says, for staff, which transaction failed and how.
	Error string
	// Manual is what went back through manual payment methods, and
	// ManualGateway which (e.g. "Cash on Delivery (COD)"): money staff pay
	// the customer themselves.
	Manual        Money
	ManualGateway string
}

// PayoutOf reads a refund's transactions (in currency): pending while one
// waits for its gateway, failed when one failed, else sent; its manual part
// is what its successful transactions through manual methods came to.
func PayoutOf(txs []ShopRefundTransaction, currency string) RefundPayout {
	p := RefundPayout{Manual: Money{Currency: currency}}
	pending, failed := false, ""
	for _, t := range txs {
		if t.Kind != "REFUND" {
			continue
		}
		switch t.Status {
		case "SUCCESS":
			if t.Manual {
				p.Manual.Minor += t.Amount.Minor
				if p.ManualGateway == "" {
					p.ManualGateway = t.Gateway
				}
			}
		case "PENDING", "AWAITING_RESPONSE":
			pending = true
		case "FAILURE", "ERROR":
			if failed == "" {
				failed = fmt.Sprintf("%s of this refund through %s failed at the payment provider", t.Amount, t.Gateway)
				if t.ErrorCode != "" {
					failed += " (" + t.ErrorCode + ")"
				}
			}
		}
	}
	switch {
	case pending:
		p.State = PayoutPending
	case failed != "":
		p.State, p.Error = PayoutFailed, failed+"; that money did not reach the customer. Refund it again in Shopify admin, or pay the customer another way."
	}
	return p
}

// PayoutSummary is what a return's refunds came to, by how their money
// reaches the customer: the customer's status page tells each part.
type PayoutSummary struct {
	// Pending waits for the payment provider; Failed did not reach the
	// customer.
	Pending Money
	Failed  Money
	// Manual is what staff pay the customer themselves and have not
	// confirmed yet; ManualPaid what they confirmed they paid, last at
	// ManualPaidAt.
	Manual       Money
	ManualPaid   Money
	ManualPaidAt time.Time
	// StoreCredit is what was issued as store credit to the customer.
	StoreCredit Money
}

// Sent is what of refunded reached the customer's payments: neither pending,
// failed, paid by staff, nor issued as store credit.
func (p PayoutSummary) Sent(refunded Money) Money {
	return Money{Minor: max(refunded.Minor-p.Pending.Minor-p.Failed.Minor-p.Manual.Minor-p.ManualPaid.Minor-p.StoreCredit.Minor, 0), Currency: refunded.Currency}
}

// ToPayByStaff is what of a refund staff still pay the customer themselves.
func (r *Refund) ToPayByStaff() bool {
	return r.State == RefundSucceeded && r.Payout.Manual.Minor > 0 && r.ManualPaidAt.IsZero()
}

// Timeline events of refunds whose money is not on its way yet.
const (
	// EventRefundAwaiting: Shopify made the refund, and its payment provider
	// has not confirmed it yet. Message: the amount, for staff.
	EventRefundAwaiting EventType = "refund_awaiting"
	// EventRefundPayoutFailed: a refund's transaction failed at its payment
	// provider. Message: what failed and what staff can do.
	EventRefundPayoutFailed EventType = "refund_payout_failed"
	// EventManualRefundPaid: staff confirmed they paid the customer the part
	// of a refund that went through a manual payment method. Message: the
	// amount and the method.
	EventManualRefundPaid EventType = "manual_refund_paid"
)

// EmailManualRefundPaid tells the customer that staff paid them the money of
// a refund through a manual payment method.
const EmailManualRefundPaid EmailKind = "manual_refund_paid"

// PayoutStore records how refunds' money reaches customers.
type PayoutStore interface {
	// SettleRefundPayout is SettleRefund of a succeeded refund with its
	// payout: the refund's outcome, how its money reaches the customer, and
	// (change non-nil) the return's move, in one transaction.
	SettleRefundPayout(ctx context.Context, id int64, shopifyID string, p RefundPayout, change *Change) error
	// FinishPayout records the final payout of a succeeded refund whose payout
	// is pending, with compare-and-set on that (ECONFLICT when it is not
	// pending any more), with change (when non-nil) and ev (when change is
	// nil) in the same transaction.
	FinishPayout(ctx context.Context, id int64, p RefundPayout, ev Event, change *Change) error
	// PendingPayouts returns the succeeded refunds whose payout is pending,
	// of the order orderID or ("") of every order, oldest first.
	PendingPayouts(ctx context.Context, orderID string) ([]Refund, error)
	// ConfirmManualPaid records that staff paid the manual part of refund id,
	// with ev and emails, once: false when it was confirmed already.
	ConfirmManualPaid(ctx context.Context, id, staffID int64, at time.Time, ev Event, emails []OutboxMessage) (bool, error)
}

// payoutOfRefund reads back how the refund shopifyID of ref's order moves
// its money: what its transactions did, not what the refund asked for (a
// split's RefundTransaction.Manual), is what staff are told to pay. Without
// a reader the money is taken for sent. A refund that cannot be read now is
// pending: it is followed until its transactions are read.
func (s *RefundService) payoutOfRefund(ctx context.Context, ref *Refund, shopifyID string) RefundPayout {
	if s.payments == nil {
		return RefundPayout{Manual: Money{Currency: ref.Amount.Currency}}
	}
	refs, err := s.payments.Refunds(ctx, ref.OrderID)
	if err != nil {
		s.log.Warn("read a refund's transactions back; followed later", "refund", shopifyID, "err", err)
		return RefundPayout{State: PayoutPending, Manual: Money{Currency: ref.Amount.Currency}}
	}
	for _, sr := range refs {
		if sr.ID == shopifyID {
			return PayoutOf(sr.Transactions, ref.Amount.Currency)
		}
	}
	s.log.Warn("refund not among its order's refunds yet; followed later", "refund", shopifyID)
	return RefundPayout{State: PayoutPending, Manual: Money{Currency: ref.Amount.Currency}}
}

// succeededWithPayout records a refund Shopify made as succeeded, with how
// its money reaches the customer read back from its transactions
// (settlePayout).
func (s *RefundService) succeededWithPayout(ctx context.Context, r *Return, ref *Refund, shopifyID string) error {
	p := s.payoutOfRefund(ctx, ref, shopifyID)
	_, err := s.settlePayout(ctx, r, ref, shopifyID, p)
	if ErrorCode(err) == ECONFLICT {
		// Settled meanwhile by the reconciler or the other submit of the
		// same form: Shopify's idempotency made it the same refund.
		err = nil
	}
	if err != nil {
		return fmt.Errorf("record refund %s: %w", shopifyID, err)
	}
	ref.State, ref.ShopifyID, ref.Payout = RefundSucceeded, shopifyID, p
	if p.State == PayoutFailed {
		ref.Error = p.Error
	}
	s.log.Info("refund made", "code", r.Code, "amount", ref.Amount.String(), "refund", shopifyID, "payout", string(p.State), "manual", p.Manual.String())
	return nil
}

// followPayouts is FollowPayouts of every order, for the periodic pass.
func (s *RefundService) followPayouts(ctx context.Context) {
	if err := s.FollowPayouts(ctx, ""); err != nil && !ShopUninstalled(err) {
		s.log.Warn("follow refunds whose money is on its way", "err", err)
	}
}

// refundedChange is the move of r to refunded by ref, whose money has
// reached the customer (or, its manual part, is for staff to pay): the
// timeline's entry, the line on the Shopify order and the customer's email,
// which says how the manual part reaches them.
func refundedChange(r *Return, ref *Refund, p RefundPayout) StatusChange {
	msg := refundedMessage(ref, p)
	note := fmt.Sprintf("%s: refunded %s", r.Code, ref.Amount)
	data := EmailData{Amount: ref.Amount, Manual: p.Manual, StoreCredit: ref.Method == RefundAsStoreCredit}
	if ref.Partial() {
		// The customer's email says how much of what, and why; the Shopify
		// return stays open for the rest (wantShopStatus).
		note += fmt.Sprintf(" of %s", ref.Worth)
		data.RefundOf, data.Message = ref.Worth, ref.PartialReason
	}
	return StatusChange{
		Return: r, To: StatusRefunded, Actor: StaffActor(ref.StaffID), Event: EventRefunded, Msg: msg,
		Note: note, Tags: []string{"returns:refunded"},
		Email: EmailRefunded, EmailData: data,
	}
}

// settlePayout records a refund Shopify made, with how its money moves:
// sent (or for staff to pay), the return moves to refunded and the customer
// is told; pending or failed, the ledger and the timeline say so, for staff,
// and the customer hears nothing yet. It reports whether the return moved.
func (s *RefundService) settlePayout(ctx context.Context, r *Return, ref *Refund, shopifyID string, p RefundPayout) (bool, error) {
	settle := func(ctx context.Context, ch Change) error {
		return s.payouts.SettleRefundPayout(ctx, ref.ID, shopifyID, p, &ch)
	}
	var err error
	moved := false
	if p.State == PayoutSent && r.Status.CanMoveTo(StatusRefunded) {
		err = s.changes.ApplyWith(ctx, refundedChange(r, ref, p), settle)
		moved = err == nil
	}
	if !moved && (err == nil || ErrorCode(err) == ECONFLICT) {
		err = s.payouts.SettleRefundPayout(ctx, ref.ID, shopifyID, p, nil)
		if err == nil {
			s.payoutEvent(ctx, r, ref, p)
		}
	}
	return moved, err
}

// payoutEvent puts a refund whose money has not reached the customer on the
// return's timeline, for staff.
func (s *RefundService) payoutEvent(ctx context.Context, r *Return, ref *Refund, p RefundPayout) {
	switch p.State {
	case PayoutPending:
		s.addEvent(ctx, Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventRefundAwaiting}.says(Msg("%s refunded in Shopify; the payment provider has not confirmed it yet. The customer is emailed once it has.", ref.Amount)))
	case PayoutFailed:
		s.addEvent(ctx, Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventRefundPayoutFailed, Message: p.Error})
	}
}

// FollowPayouts reads back the refunds of the order orderID ("" for every
// order) whose money was still on its way, and records those that are final
// now: a refund its payment provider confirmed moves the return to refunded
// and emails the customer, as any refund does; a failed one is shown to
// staff, and the customer is not told of a refund. orders/updated (which
// Shopify sends when a transaction settles) and the reconciler's pass call
// it.
func (s *RefundService) FollowPayouts(ctx context.Context, orderID string) error {
	if s.payouts == nil || s.payments == nil {
		return nil
	}
	refs, err := s.payouts.PendingPayouts(ctx, orderID)
	if err != nil || len(refs) == 0 {
		return err
	}
	read := map[string][]ShopRefund{}
	for i := range refs {
		ref := &refs[i]
		shopRefs, ok := read[ref.OrderID]
		if !ok {
			if shopRefs, err = s.payments.Refunds(ctx, ref.OrderID); err != nil {
				return fmt.Errorf("read refunds of order %s: %w", ref.OrderID, err)
			}
			read[ref.OrderID] = shopRefs
		}
		for _, sr := range shopRefs {
			if sr.ID != ref.ShopifyID {
				continue
			}
			if err := s.finishPayout(ctx, ref, PayoutOf(sr.Transactions, ref.Amount.Currency)); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishPayout records the payout p of ref, whose payout was pending, when p
// is final.
func (s *RefundService) finishPayout(ctx context.Context, ref *Refund, p RefundPayout) error {
	if p.State == PayoutPending {
		return nil
	}
	r, err := s.returns.ReturnByID(ctx, ref.ReturnID)
	if err != nil {
		return err
	}
	ev := Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventRefundPayoutFailed, Message: p.Error}
	if p.State == PayoutSent {
		ev = Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventRefunded}.says(Msg("%s confirmed by the payment provider", ref.Amount))
	}
	if p.State == PayoutSent && r.Status.CanMoveTo(StatusRefunded) {
		err := s.changes.ApplyWith(ctx, refundedChange(r, ref, p), func(ctx context.Context, ch Change) error {
			return s.payouts.FinishPayout(ctx, ref.ID, p, Event{}, &ch)
		})
		if err == nil {
			s.log.Info("refund confirmed by the payment provider; the return is refunded", "code", r.Code, "refund", ref.ShopifyID)
			return nil
		}
		if ErrorCode(err) != ECONFLICT {
			return err
		}
	}
	err = s.payouts.FinishPayout(ctx, ref.ID, p, ev, nil)
	if ErrorCode(err) == ECONFLICT {
		// Followed meanwhile by the other pass.
		return nil
	}
	if err == nil && p.State == PayoutFailed {
		s.log.Warn("refund failed at the payment provider", "code", r.Code, "refund", ref.ShopifyID, "error", p.Error)
	}
	return err
}

// ConfirmManualPaid records that staff member staffID paid the customer the
// part of refund refundID of the return code that went through a manual
// payment method, on the timeline, and emails the customer that they were
// paid, once.
func (s *RefundService) ConfirmManualPaid(ctx context.Context, staffID int64, code string, refundID int64) error {
	if s.payouts == nil {
		return Errorf(ENOTFOUND, "No such refund.")
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	refs, err := s.store.RefundsByReturn(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("read refunds: %w", err)
	}
	for i := range refs {
		ref := &refs[i]
		if ref.ID != refundID {
			continue
		}
		if !ref.ToPayByStaff() {
			return Errorf(ECONFLICT, "Nothing of this refund is left for staff to pay.")
		}
		at := s.now()
		amount := ref.Payout.Manual
		ev := Event{ReturnID: r.ID, At: at, Actor: StaffActor(staffID), Type: EventManualRefundPaid}.
			says(Msg("%s paid to the customer by staff (%s)", amount, ref.Payout.ManualGateway))
		emails, err := s.changes.mailer.ForChange(ctx, EmailManualRefundPaid, r, EmailData{Amount: amount, Manual: amount})
		if err != nil {
			return err
		}
		done, err := s.payouts.ConfirmManualPaid(ctx, ref.ID, staffID, at, ev, emails)
		if err != nil {
			return err
		}
		if !done {
			return Errorf(ECONFLICT, "This payment was confirmed already.")
		}
		s.changes.mailer.Queued(emails)
		s.log.Info("manual refund paid by staff", "code", r.Code, "refund", ref.ShopifyID, "amount", amount.String())
		return nil
	}
	return Errorf(ENOTFOUND, "No such refund.")
}

// refundedMessage is the timeline's word on a refund whose money is on its
// way: the amount, how it was paid, and the part staff pay by hand; whole
// sentences, one for each case, so that each translates as a whole.
func refundedMessage(ref *Refund, p RefundPayout) Message {
	credit := ref.Method == RefundAsStoreCredit
	switch {
	case p.Manual.Minor > 0 && credit:
		return Msg("%s as store credit; %s to be paid to the customer by staff (%s)", ref.Amount, p.Manual, p.ManualGateway)
	case p.Manual.Minor > 0:
		return Msg("%s; %s to be paid to the customer by staff (%s)", ref.Amount, p.Manual, p.ManualGateway)
	case credit:
		return Msg("%s as store credit", ref.Amount)
	}
	return Msg("%s", ref.Amount)
}
