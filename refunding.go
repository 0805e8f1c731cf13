package returns

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"
)

var idempotencyKeyRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// RefundService refunds returns through Shopify exactly once, and reconciles
// the refunds whose outcome is not known yet.
type RefundService struct {
	returns  ReturnReader
	store    RefundStore
	refunder Refunder
	shop     Shop
	notes    NoteTaker
	changes  *Changes
	// shopReturns keeps Shopify's returns in step; nil when the portal does
	// not drive them (refunds then go through refundCreate alone).
	shopReturns *ShopReturnService
	settings    interface {
		Settings(ctx context.Context) (Settings, error)
	}
	// payments reads a refund's transactions back, and payouts records how
	// its money reaches the customer; with either nil, a refund Shopify made
	// is taken for money sent (refundpayout.go).
	payments ShopRefunds
	payouts  PayoutStore
	now      func() time.Time
	log      *slog.Logger
	// reconciling holds one lock per refund being reconciled: the background
	// pass and the staff's button may meet on one.
	reconciling keyedLocks
}

// RefundDeps are what a RefundService uses.
type RefundDeps struct {
	Returns  ReturnReader
	Store    RefundStore
	Refunder Refunder
	Shop     Shop
	Notes    NoteTaker
	Changes  *Changes
	// ShopReturns and Settings are for refunds on Shopify's returns
	// (returnProcess, restocked at the location chosen in settings); nil
	// ShopReturns makes every refund a refundCreate.
	ShopReturns *ShopReturnService
	Settings    *SettingsService
	// Payments (guarded by the installation) and Payouts follow how each
	// refund's money reaches the customer; nil takes it for sent.
	Payments ShopRefunds
	Payouts  PayoutStore
	Now      func() time.Time
	Log      *slog.Logger
}

// NewRefundService returns a RefundService.
func NewRefundService(d RefundDeps) *RefundService {
	s := &RefundService{returns: d.Returns, store: d.Store, refunder: d.Refunder, shop: d.Shop, notes: d.Notes, changes: d.Changes,
		shopReturns: d.ShopReturns, payments: d.Payments, payouts: d.Payouts, now: d.Now, log: d.Log}
	if d.Settings != nil {
		s.settings = d.Settings
	}
	return s
}

// refundPendingGrace is how long a pending refund may stay pending before the
// reconciler takes it for cut off by a crash.
const refundPendingGrace = 2 * time.Minute

// RefundTimeout bounds a refund's call to Shopify, which goes on when staff
// close the page. Routes that wait for a refund answer later than this.
const RefundTimeout = 60 * time.Second

// RefundInput is what staff submit on a return's refund form.
type RefundInput struct {
	// Key is the idempotency key made when the form was shown, so that the same
	// form submitted twice, at the same moment or later, makes one refund.
	Key    string
	Amount string // as typed, e.g. "29.00"
	// Raise says that staff mean to refund more than the returned items are
	// worth (up to what the order has left to refund); RaiseReason says why.
	Raise       bool
	RaiseReason string
	// RestockShown says the form offered a choice of restocking per item;
	// Restock then holds the line items staff ticked to go back into stock.
	RestockShown bool
	Restock      map[string]bool
	// StoreCredit issues the refund as store credit to the order's customer
	// instead of money back to the order's payments.
	StoreCredit bool
	// PartialReason says why staff refund less than the returned items are
	// worth; required then, and shown to the customer.
	PartialReason string
}

// Refund refunds a return through Shopify exactly once (DESIGN.md, "Exactly-once
// refunds"). It returns the refund as it stands: succeeded, or unknown when
// Shopify's answer was lost (the reconciler then settles it). Shopify's refusal
// is an EINVALID error with Shopify's words; another refund of the return, made
// or being made (a second tab, another staff member), is an ECONFLICT error.
func (s *RefundService) Refund(ctx context.Context, staffID int64, code string, in RefundInput) (*Refund, error) {
	if !idempotencyKeyRe.MatchString(in.Key) {
		return nil, Invalid(map[string]Message{FieldAmount: Msg("This form has expired. Please open the return again.")})
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	// The same form again: the refund it made, without asking Shopify again.
	// Another refund of the return, made or being made, is told of as such,
	// whatever the return's status is by now.
	if existing, err := s.checkRefundable(ctx, r.ID, in.Key); err != nil || existing != nil {
		return existing, err
	}
	// A replacement request is refunded only after staff switched it to a
	// refund on purpose, telling the customer why (ReplacementService.
	// SwitchToRefund). A return never switches back, so no race lets a
	// replacement's refund through.
	if r.Resolution == ResolutionReplacement {
		return nil, ErrReplacementNotRefund
	}
	m, err := ParseMoney(in.Amount, r.Currency)
	if err != nil {
		return nil, Invalid(map[string]Message{FieldAmount: ErrorMessage(err)})
	}
	if m.Minor <= 0 {
		return nil, Invalid(map[string]Message{FieldAmount: Msg("Enter an amount above zero.")})
	}
	o, err := s.shop.Order(ctx, r.OrderID)
	if err != nil {
		return nil, fmt.Errorf("read order for refund: %w", err)
	}
	if o.Currency != r.Currency {
		return nil, fmt.Errorf("order %s is in %s, its return in %s", o.Name, o.Currency, r.Currency)
	}
	suggested, err := s.refunder.SuggestRefund(ctx, r.OrderID, r.Items)
	if err != nil {
		return nil, fmt.Errorf("value of the returned items: %w", err)
	}
	items := r.RefundOffer(suggested)
	// A withdrawal of the whole order is owed the delivery too.
	delivery, err := s.deliveryDue(ctx, r, o)
	if err != nil {
		return nil, err
	}
	worth := Money{Minor: items.Minor + delivery.Minor, Currency: items.Currency}
	// Shopify's figures just read may count a refund of this return made from
	// another tab or by another staff member a moment ago. That refund was in
	// the ledger before Shopify was asked, so the ledger read now shows it:
	// staff are told of it rather than that the amount is too high (or, for
	// the same form sent twice at once, given it). The check that counts is
	// made again when the refund is stored.
	if existing, err := s.checkRefundable(ctx, r.ID, in.Key); err != nil || existing != nil {
		return existing, err
	}
	// A return is refunded up to what its items are worth (Shopify's suggestion
	// for them: prices paid, tax, less what Shopify refunded of them already).
	// More, up to what the order has left, only on purpose and with a reason.
	refundable := o.Refundable()
	lim := RefundLimits{Return: worth, Paid: o.Received, Refunded: r.Refunded, Delivery: delivery}
	reason, partial := "", ""
	switch {
	case m.Minor > refundable.Minor:
		return nil, Invalid(map[string]Message{FieldAmount: Msg("At most %s can be refunded on this order.", refundable)})
	case m.Minor < worth.Minor:
		// Less than the items are worth: the customer is told why, so staff
		// must say it.
		if partial, err = partialReason(in.PartialReason); err != nil {
			return nil, err
		}
	case m.Minor == worth.Minor:
	case !in.Raise:
		return nil, Invalid(map[string]Message{FieldAmount: Msg("The returned items are worth %s. To refund more, tick “Refund more than the items are worth” and say why.", worth)})
	default:
		reason = CleanText(in.RaiseReason)
		if reason == "" {
			return nil, Invalid(map[string]Message{FieldRaiseReason: Msg("Say why the refund is more than the items are worth.")})
		}
		if msg := checkText(reason, MaxStaffTextRunes); msg != nil {
			return nil, Invalid(map[string]Message{FieldRaiseReason: *msg})
		}
		lim.Return = refundable
	}
	if len(o.Payments) == 0 {
		return nil, Errorf(ECONFLICT, "This order has no payment that can be refunded.")
	}

	method := RefundToPayments
	if in.StoreCredit && r.Kind == KindWithdrawal {
		// Article 13(1): a withdrawal is refunded by the means of payment
		// the consumer used, unless they expressly agreed otherwise, which
		// the portal does not record.
		return nil, Invalid(map[string]Message{FieldRefundMethod: Msg("A withdrawal is refunded to the customer’s payment methods, as the law requires.")})
	}
	if in.StoreCredit {
		sugg, err := s.refunder.SuggestTransactions(ctx, r.OrderID, r.Items)
		if err != nil {
			return nil, fmt.Errorf("store credit Shopify would issue: %w", err)
		}
		switch {
		case sugg.StoreCredit.Minor <= 0:
			return nil, Invalid(map[string]Message{FieldRefundMethod: Msg("Shopify cannot issue store credit on this order: refund to the payment methods instead.")})
		case m.Minor > sugg.StoreCredit.Minor:
			return nil, Invalid(map[string]Message{FieldAmount: Msg("At most %s can be issued as store credit on this order.", sugg.StoreCredit)})
		}
		method = RefundAsStoreCredit
	}
	ref := &Refund{ReturnID: r.ID, OrderID: r.OrderID, Amount: m, IdempotencyKey: in.Key, State: RefundPending, Reason: reason,
		PartialReason: partial, Worth: worth, StaffID: staffID, Method: method, CreatedAt: s.now(), UpdatedAt: s.now(),
		Shipping: refundShipping(m, items, delivery)}
	created, err := s.store.CreateRefund(ctx, ref, lim)
	if err != nil {
		return nil, err
	}
	if !created {
		return ref, nil
	}
	// Kept once this form's refund is the one made (another tab's refused
	// form must not change it); a crash between the two restocks by the rule.
	if err := s.recordRestock(ctx, r, in); err != nil {
		s.log.Error("record restock choice; the rule applies", "code", r.Code, "err", err)
	}
	return s.sendRefund(ctx, r, ref)
}

// deliveryDue returns what r owes of o's delivery (Return.DeliveryDue) under
// the settings in effect; without settings, the delivery paid, uncapped.
func (s *RefundService) deliveryDue(ctx context.Context, r *Return, o *Order) (Money, error) {
	st := DefaultSettings()
	if s.settings != nil {
		var err error
		if st, err = s.settings.Settings(ctx); err != nil {
			return Money{}, err
		}
	}
	if due := r.DeliveryDue(o, st).Due; due.Minor > 0 {
		return due, nil
	}
	return Money{}, nil
}

// refundShipping returns what of a refund of amount is the delivery, when
// the items are worth items and the delivery owed is delivery: the items
// are refunded first, and what is above them is delivery, up to what is
// owed.
func refundShipping(amount, items, delivery Money) Money {
	n := min(max(amount.Minor-items.Minor, 0), delivery.Minor)
	if n == 0 {
		return Money{}
	}
	return Money{Minor: n, Currency: amount.Currency}
}

// recordRestock keeps what staff chose on the refund form for each item, so
// that the refund, and any retry of it, restocks as they chose.
func (s *RefundService) recordRestock(ctx context.Context, r *Return, in RefundInput) error {
	if !in.RestockShown || s.shopReturns == nil {
		return nil
	}
	choice := map[string]Restock{}
	for i, it := range r.Items {
		c := RestockNo
		if in.Restock[it.LineItemID] {
			c = RestockYes
		}
		choice[it.LineItemID] = c
		r.Items[i].Restock = c
	}
	if err := s.shopReturns.store.SetRestock(ctx, r.ID, choice); err != nil {
		return fmt.Errorf("record restock choice: %w", err)
	}
	return nil
}

// partialReason checks staff's reason for refunding less than the returned
// items are worth, which the customer is shown.
func partialReason(typed string) (string, error) {
	reason := CleanText(typed)
	if reason == "" {
		return "", Invalid(map[string]Message{FieldPartialReason: Msg("Say why the refund is less than the items are worth. The customer sees it.")})
	}
	if msg := checkText(reason, MaxStaffTextRunes); msg != nil {
		return "", Invalid(map[string]Message{FieldPartialReason: *msg})
	}
	return reason, nil
}

// checkRefundable applies CheckRefundable to the return's status and refunds as
// they are stored now. When one of those refunds was made with key, it returns
// that refund instead: the same form was sent twice at once.
func (s *RefundService) checkRefundable(ctx context.Context, returnID int64, key string) (*Refund, error) {
	r, err := s.returns.ReturnByID(ctx, returnID)
	if err != nil {
		return nil, fmt.Errorf("read return: %w", err)
	}
	refs, err := s.store.RefundsByReturn(ctx, returnID)
	if err != nil {
		return nil, fmt.Errorf("read refunds: %w", err)
	}
	for i := range refs {
		if refs[i].IdempotencyKey == key {
			return &refs[i], nil
		}
	}
	return nil, CheckRefundable(r.Status, refs)
}

// refundByKey returns the refund of a return made with key, or nil.
func (s *RefundService) refundByKey(ctx context.Context, returnID int64, key string) (*Refund, error) {
	refs, err := s.store.RefundsByReturn(ctx, returnID)
	if err != nil {
		return nil, fmt.Errorf("read refunds: %w", err)
	}
	for i := range refs {
		if refs[i].IdempotencyKey == key {
			return &refs[i], nil
		}
	}
	return nil, nil
}

// refundNote is the note of a Shopify refund: the return code for people and the
// key for the reconciler.
func refundNote(r *Return, key string) string {
	return fmt.Sprintf("Return %s (refund %s)", r.Code, key)
}

// refundNoteKey finds the idempotency key in a refund's note as refundNote
// writes it, or returns "" for a note the portal did not write.
var refundNoteKey = regexp.MustCompile(`\(refund ([0-9a-f]{32})\)`)

// keyOfRefundNote returns the idempotency key a Shopify refund's note carries,
// or "" when it carries none.
func keyOfRefundNote(note string) string {
	if m := refundNoteKey.FindStringSubmatch(note); m != nil {
		return m[1]
	}
	return ""
}

// sendRefund asks Shopify for a stored refund and records the outcome.
func (s *RefundService) sendRefund(ctx context.Context, r *Return, ref *Refund) (*Refund, error) {
	// The call goes on if staff close the page: a refund half asked is settled
	// here, not left pending.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RefundTimeout)
	defer cancel()
	if settled, err := s.stillToMake(ctx, ref); err != nil || settled {
		if err != nil && ErrorCode(err) == ECONFLICT {
			return ref, s.settleRefund(ctx, r, ref, "", err)
		}
		return ref, err
	}
	id, err := s.makeRefund(ctx, r, ref)
	return ref, s.settleRefund(ctx, r, ref, id, err)
}

// stillToMake reads ref again from the ledger right before Shopify is asked
// for it. settled is true (and ref updated) when it was settled meanwhile —
// Shopify told of it by webhook —, and there is nothing to ask. A refund of
// the return booked from Shopify admin since ref was stored is an ECONFLICT:
// staff refunded there meanwhile, and what ref was checked against no longer
// holds.
func (s *RefundService) stillToMake(ctx context.Context, ref *Refund) (settled bool, err error) {
	refs, err := s.store.RefundsByReturn(ctx, ref.ReturnID)
	if err != nil {
		return false, fmt.Errorf("read refunds: %w", err)
	}
	for _, x := range refs {
		switch {
		case x.ID == ref.ID && x.Settled():
			*ref = x
			return true, nil
		case x.Source == RefundFromShopify && x.UpdatedAt.After(ref.CreatedAt):
			return false, Errorf(ECONFLICT, "A refund of this return was made in Shopify admin after this one was asked for. Look at the return in Shopify admin before refunding more.")
		}
	}
	return false, nil
}

// makeRefund asks Shopify for a stored refund: on the return's Shopify return
// (returnProcess: its units confirmed, restocked or not, and the money) when
// it has units to process, else with refundCreate @idempotent. Either way the
// money is split over the order's payments as Shopify suggests.
func (s *RefundService) makeRefund(ctx context.Context, r *Return, ref *Refund) (string, error) {
	var txs []RefundTransaction
	var storeCredit Money // none
	if ref.Method == RefundAsStoreCredit {
		storeCredit = ref.Amount
	} else {
		sugg, err := s.refunder.SuggestTransactions(ctx, r.OrderID, r.Items)
		if err != nil {
			return "", fmt.Errorf("split the refund over the order's payments: %w", err)
		}
		if txs, err = SplitRefund(ref.Amount, sugg.Transactions); err != nil {
			return "", err
		}
	}
	id, ok, lines, err := s.nativeRefund(ctx, r, ref, txs, storeCredit)
	if ok || err != nil {
		if err == nil && s.shopReturns != nil {
			// Refunded in full, the Shopify return is closed.
			defer s.shopReturns.Wake()
		}
		return id, err
	}
	// The Shopify return was read a moment ago, and staff may have refunded
	// it in Shopify admin meanwhile, which refunds/create settled this
	// refund with: asked for again now, it would be paid twice.
	if settled, err := s.stillToMake(ctx, ref); err != nil || settled {
		return ref.ShopifyID, err
	}
	return s.refunder.CreateRefund(ctx, RefundRequest{
		OrderID: r.OrderID, Key: ref.IdempotencyKey, Amount: ref.Amount,
		Note: refundNote(r, ref.IdempotencyKey), Transactions: txs, StoreCredit: storeCredit, Lines: lines,
		Shipping: ref.Shipping,
	})
}

// settleRefund records what Shopify answered to a refund.
func (s *RefundService) settleRefund(ctx context.Context, r *Return, ref *Refund, shopifyID string, callErr error) error {
	switch {
	case callErr == nil:
		return s.succeeded(ctx, r, ref, shopifyID)
	case ErrorCode(callErr) == EINVALID || ErrorCode(callErr) == ECONFLICT || ShopUninstalled(callErr):
		// Refused, or never sent for want of an installed app: nothing was
		// refunded, and asking again with the key could only bring the
		// refusal back, or make a refund staff gave up on.
		msg := ErrorMessage(callErr).String()
		if err := s.store.SettleRefund(ctx, ref.ID, RefundFailed, "", msg, nil); err != nil {
			return fmt.Errorf("record refused refund: %w", err)
		}
		ref.State, ref.Error = RefundFailed, msg
		s.addEvent(ctx, Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventRefundFailed}.says(ErrorMessage(callErr)))
		return Invalid(map[string]Message{FieldAmount: Msg("Shopify refused the refund: %s", msg)})
	default:
		s.log.Warn("refund outcome unknown", "code", r.Code, "err", callErr)
		if ref.State != RefundUnknown {
			if err := s.store.SettleRefund(ctx, ref.ID, RefundUnknown, "", "", nil); err != nil {
				return fmt.Errorf("record unknown refund: %w", err)
			}
			ref.State = RefundUnknown
			s.addEvent(ctx, Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventRefundUnknown}.says(Msg("Shopify did not confirm the refund; it is checked again automatically.")))
		}
		return Errorf(EUNKNOWN, "Shopify did not confirm the refund in time. It is checked again automatically with the same key, so it cannot be made twice.")
	}
}

// succeeded records a refund Shopify made: with the return's move to refunded
// when the return can still make it, else (a reconciler settling late, after
// staff moved the return on) the money alone.
func (s *RefundService) succeeded(ctx context.Context, r *Return, ref *Refund, shopifyID string) error {
	if s.payouts != nil {
		return s.succeededWithPayout(ctx, r, ref, shopifyID)
	}
	settle := func(ctx context.Context, ch Change) error {
		return s.store.SettleRefund(ctx, ref.ID, RefundSucceeded, shopifyID, "", &ch)
	}
	var err error
	moved := false
	if r.Status.CanMoveTo(StatusRefunded) {
		// No payout read back: the money is taken as sent.
		err = s.changes.ApplyWith(ctx, refundedChange(r, ref, RefundPayout{}), settle)
		moved = err == nil
	}
	if !moved && (err == nil || ErrorCode(err) == ECONFLICT) {
		// The return had moved on, or its status moved meanwhile (which rolled
		// the change back), or the refund was settled meanwhile: record the
		// money alone.
		err = s.store.SettleRefund(ctx, ref.ID, RefundSucceeded, shopifyID, "", nil)
	}
	if ErrorCode(err) == ECONFLICT {
		// Settled meanwhile by the reconciler or the other submit of the same
		// form: Shopify's idempotency made it the same refund.
		err = nil
	}
	if err != nil {
		return fmt.Errorf("record refund %s: %w", shopifyID, err)
	}
	ref.State, ref.ShopifyID = RefundSucceeded, shopifyID
	s.log.Info("refund made", "code", r.Code, "amount", ref.Amount.String(), "refund", shopifyID)
	return nil
}

// addEvent appends an event that is worth a log line when it cannot be stored,
// but not the failure of what it tells of.
func (s *RefundService) addEvent(ctx context.Context, ev Event) {
	if err := s.notes.AddEvent(ctx, ev); err != nil {
		s.log.Error("add event to the timeline", "return", ev.ReturnID, "type", ev.Type, "err", err)
	}
}

// ReconcileRefunds settles refunds whose outcome is unknown, and pending ones cut
// off by a crash: it looks for the refund on the order by its key, and if it is
// not there asks Shopify again with the same key (Shopify answers a repeated key
// with the first result). It never makes a new key.
func (s *RefundService) ReconcileRefunds(ctx context.Context) {
	s.reconcileRefunds(ctx, s.now().Add(-refundPendingGrace))
	s.followPayouts(ctx)
}

// reconcileRefunds settles unknown refunds and those pending since before
// pendingBefore.
func (s *RefundService) reconcileRefunds(ctx context.Context, pendingBefore time.Time) {
	refs, err := s.store.UnsettledRefunds(ctx, pendingBefore)
	if err != nil {
		s.log.Error("read unsettled refunds", "err", err)
		return
	}
	for i := range refs {
		if ctx.Err() != nil {
			return
		}
		err := s.reconcile(ctx, &refs[i])
		if ShopUninstalled(err) {
			// Every refund would fail alike: they wait for the app to be
			// installed again, unchanged.
			s.log.Info("refunds wait to be reconciled: the app is uninstalled from the shop", "unsettled", len(refs)-i)
			return
		}
		if err != nil && ErrorCode(err) != EUNKNOWN {
			s.log.Warn("reconcile refund", "id", refs[i].ID, "err", err)
		}
	}
}

// SettleFromShopify settles the refund of the order's returns that the portal
// made with key, as Shopify tells it made the refund shopifyID (refunds/create,
// or the order's refunds read by the periodic pass): what the reconciler would
// find, without asking Shopify. A refund settled already is left as it is.
// found reports whether key is one of the portal's refunds of the order.
func (s *RefundService) SettleFromShopify(ctx context.Context, orderID, key, shopifyID string) (found bool, err error) {
	rs, err := s.returns.ReturnsByOrder(ctx, orderID)
	if err != nil {
		return false, fmt.Errorf("read returns of order: %w", err)
	}
	for i := range rs {
		ref, err := s.refundByKey(ctx, rs[i].ID, key)
		if err != nil {
			return false, err
		}
		if ref == nil {
			continue
		}
		// The reconciler may be at the same refund; its outcome is in the
		// ledger once the lock is free.
		unlock, err := s.reconciling.lock(ctx, key)
		if err != nil {
			return true, err
		}
		defer unlock()
		if ref, err = s.refundByKey(ctx, rs[i].ID, key); err != nil || ref.Settled() {
			return true, err
		}
		r, err := s.returns.ReturnByID(ctx, ref.ReturnID)
		if err != nil {
			return true, err
		}
		return true, s.settleRefund(ctx, r, ref, shopifyID, nil)
	}
	return false, nil
}

// SettleFromShopReturn settles the portal's refund in flight (pending or
// unknown) of the return whose Shopify return made ref, as Shopify tells it
// made ref by processing that return: when ref gives back what that refund
// asked for. Staff processing the same return in Shopify admin at the same
// moment for another amount is not taken for it. found reports whether there
// was one.
func (s *RefundService) SettleFromShopReturn(ctx context.Context, ref ShopRefund) (found bool, err error) {
	if s.shopReturns == nil || ref.ReturnID == "" {
		return false, nil
	}
	r, err := s.shopReturns.ReturnOfShopReturn(ctx, ref.ReturnID)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	refs, err := s.store.RefundsByReturn(ctx, r.ID)
	if err != nil {
		return false, fmt.Errorf("read refunds: %w", err)
	}
	gave := ref.Amount.Minor + ref.Pending.Minor
	for i := range refs {
		if refs[i].Source != RefundFromShopify && !refs[i].Settled() && refs[i].Amount.Minor == gave {
			return s.SettleFromShopify(ctx, r.OrderID, refs[i].IdempotencyKey, ref.ID)
		}
	}
	return false, nil
}

// ReconcileRefund settles one refund of a return now, for staff who do not want
// to wait for the background pass.
func (s *RefundService) ReconcileRefund(ctx context.Context, code string, refundID int64) (*Refund, error) {
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	refs, err := s.store.RefundsByReturn(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for i := range refs {
		if refs[i].ID == refundID {
			if refs[i].Settled() {
				return &refs[i], nil
			}
			return &refs[i], s.reconcile(ctx, &refs[i])
		}
	}
	return nil, Errorf(ENOTFOUND, "No such refund.")
}

func (s *RefundService) reconcile(ctx context.Context, ref *Refund) error {
	// One reconciliation of a refund at a time (the background pass and the
	// staff's button may meet); others go on beside it, and a wait ends with
	// the request.
	unlock, err := s.reconciling.lock(ctx, ref.IdempotencyKey)
	if err != nil {
		return err
	}
	defer unlock()
	// The refund as read before the wait may be stale: another reconciliation
	// may have settled it meanwhile. Its outcome is then in the ledger, and
	// Shopify is not asked again: a refused refund asked for again with its
	// key could be made (unless Shopify keeps the refusal under the key) while
	// the ledger says it failed.
	fresh, err := s.refundByKey(ctx, ref.ReturnID, ref.IdempotencyKey)
	if err != nil {
		return err
	}
	if fresh == nil {
		return fmt.Errorf("refund %d is not in the ledger", ref.ID)
	}
	*ref = *fresh
	if ref.Settled() {
		return nil
	}
	r, err := s.returns.ReturnByID(ctx, ref.ReturnID)
	if err != nil {
		return err
	}
	id, found, err := s.refunder.FindRefund(ctx, ref.OrderID, ref.IdempotencyKey)
	if err != nil {
		return fmt.Errorf("look for refund: %w", err)
	}
	if !found {
		if id, found, err = s.findOnShopReturn(ctx, r, ref); err != nil {
			return err
		}
	}
	if found {
		return s.settleRefund(ctx, r, ref, id, nil)
	}
	_, err = s.sendRefund(ctx, r, ref)
	return err
}

// findOnShopReturn looks for ref on r's Shopify return, where returnProcess
// made it: a refund whose note carries its key, or one the ledger does not
// know. Asking returnProcess again could not refund twice (the units it
// processed cannot be processed again), but it would make the refund a
// refundCreate of money alone.
func (s *RefundService) findOnShopReturn(ctx context.Context, r *Return, ref *Refund) (string, bool, error) {
	if s.shopReturns == nil || r.ShopReturnID == "" {
		return "", false, nil
	}
	sr, err := s.shopReturns.shop.ShopReturn(ctx, r.ShopReturnID)
	if err != nil {
		return "", false, fmt.Errorf("read Shopify return for refund: %w", err)
	}
	known, err := s.knownShopifyRefunds(ctx, r.OrderID)
	if err != nil {
		return "", false, err
	}
	id, found := refundOnShopReturn(sr, ref.IdempotencyKey, known)
	return id, found, nil
}

// knownShopifyRefunds returns the Shopify refunds the ledger holds of the
// order's returns, by GID.
func (s *RefundService) knownShopifyRefunds(ctx context.Context, orderID string) (map[string]bool, error) {
	known := map[string]bool{}
	rs, err := s.returns.ReturnsByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		refs, err := s.store.RefundsByReturn(ctx, rs[i].ID)
		if err != nil {
			return nil, err
		}
		for _, x := range refs {
			if x.ShopifyID != "" {
				known[x.ShopifyID] = true
			}
		}
	}
	return known, nil
}

// RunRefundReconciler settles unknown and cut-off refunds every interval until
// ctx ends. It starts with a pass over every pending refund: none can be in
// flight before this process has served a request, so each was cut off by the
// stop (or crash) of the process before.
func (s *RefundService) Run(ctx context.Context, every time.Duration) {
	s.reconcileRefunds(ctx, s.now())
	s.followPayouts(ctx)
	runEvery(ctx, every, s.ReconcileRefunds)
}
