package returns_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// memLedger is the refund ledger in memory, over the returns of a memStore,
// keeping the rules the database keeps: CreateRefund stores one refund per
// idempotency key and checks CheckNewRefund against the return's stored status
// and the order's refunds; SettleRefund is a compare-and-set on the state that
// commits the change it carries with the outcome, or neither. OnCreate and
// OnSettle, when set, run first, as another request would just before the
// transaction; an error from OnSettle is answered, and nothing changes, as
// when the transaction fails. The …Fn fields, when set, answer instead of the
// ledger.
type memLedger struct {
	store              *memStore
	OnCreate           func()
	OnSettle           func(id int64, state returns.RefundState) error
	UnsettledRefundsFn func(olderThan time.Time) ([]returns.Refund, error)
	RefundsByReturnFn  func(returnID int64) ([]returns.Refund, error)

	mu      sync.Mutex
	refunds []returns.Refund
	limits  map[string]returns.RefundLimits // idempotency key → the limits it was stored with
	nextID  int64
}

func (l *memLedger) CreateRefund(ctx context.Context, r *returns.Refund, lim returns.RefundLimits) (bool, error) {
	if l.OnCreate != nil {
		l.OnCreate()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.refunds {
		if x.IdempotencyKey == r.IdempotencyKey {
			if x.ReturnID != r.ReturnID {
				return false, returns.Errorf(returns.ECONFLICT, "This refund form belongs to another return. Please reload the page.")
			}
			*r = x
			return false, nil
		}
	}
	ret, err := l.store.ReturnByID(ctx, r.ReturnID)
	if err != nil {
		return false, err
	}
	var ofOrder []returns.Refund
	for _, x := range l.refunds {
		if x.OrderID == r.OrderID {
			ofOrder = append(ofOrder, x)
		}
	}
	if err := returns.CheckNewRefund(r, ret.Status, ofOrder, lim); err != nil {
		return false, err
	}
	l.nextID++
	r.ID, r.State = l.nextID, returns.RefundPending
	l.refunds = append(l.refunds, *r)
	if l.limits == nil {
		l.limits = map[string]returns.RefundLimits{}
	}
	l.limits[r.IdempotencyKey] = lim
	return true, nil
}

func (l *memLedger) SettleRefund(ctx context.Context, id int64, state returns.RefundState, shopifyID, errMsg string, change *returns.Change) error {
	if l.OnSettle != nil {
		if err := l.OnSettle(id, state); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.refunds, func(r returns.Refund) bool { return r.ID == id })
	if i < 0 {
		return returns.Errorf(returns.ENOTFOUND, "Refund not found.")
	}
	ref := &l.refunds[i]
	if ref.State != returns.RefundPending && ref.State != returns.RefundUnknown {
		return returns.Errorf(returns.ECONFLICT, "This refund was settled already.")
	}
	if change != nil {
		if change.ReturnID != ref.ReturnID {
			return fmt.Errorf("settle refund %d of return %d with a change of return %d", id, ref.ReturnID, change.ReturnID)
		}
		if err := l.store.Transition(ctx, *change); err != nil {
			return err
		}
	}
	ref.State, ref.ShopifyID, ref.Error = state, shopifyID, errMsg
	return nil
}

func (l *memLedger) UnsettledRefunds(ctx context.Context, olderThan time.Time) ([]returns.Refund, error) {
	if l.UnsettledRefundsFn != nil {
		return l.UnsettledRefundsFn(olderThan)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []returns.Refund
	for _, r := range l.refunds {
		if r.State == returns.RefundUnknown || (r.State == returns.RefundPending && r.CreatedAt.Before(olderThan)) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b returns.Refund) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (l *memLedger) RefundsByReturn(ctx context.Context, returnID int64) ([]returns.Refund, error) {
	if l.RefundsByReturnFn != nil {
		return l.RefundsByReturnFn(returnID)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []returns.Refund
	for _, r := range l.refunds {
		if r.ReturnID == returnID {
			out = append(out, r)
		}
	}
	return out, nil
}

// add stores a refund as it stands, as an earlier request (or another tab) left
// it, and returns it with its ID.
func (l *memLedger) add(r returns.Refund) returns.Refund {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	r.ID = l.nextID
	l.refunds = append(l.refunds, r)
	return r
}

// all returns every refund in the ledger.
func (l *memLedger) all() []returns.Refund {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.refunds)
}

// byID returns a refund as the ledger holds it now.
func (l *memLedger) byID(t *testing.T, id int64) returns.Refund {
	t.Helper()
	for _, r := range l.all() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no refund %d in the ledger", id)
	return returns.Refund{}
}

func TestCheckRefundable(t *testing.T) {
	refund := func(state returns.RefundState) returns.Refund {
		return returns.Refund{Amount: eur(2400), State: state}
	}
	being := "A refund of 24.00 EUR for this return is being made already. It is checked with Shopify before another refund can be made."
	done := "This return was refunded already: 24.00 EUR. The refund is in the ledger below."
	tests := []struct {
		name   string
		status returns.Status
		refs   []returns.Refund
		want   string // "" when it may be refunded
	}{
		{"Approved", returns.StatusApproved, nil, ""},
		{"ItemReceived", returns.StatusItemReceived, nil, ""},
		{"AfterARefusal", returns.StatusItemReceived, []returns.Refund{refund(returns.RefundFailed), refund(returns.RefundFailed)}, ""},
		{"Requested", returns.StatusRequested, nil, "This return is requested now, so it cannot be refunded."},
		{"Declined", returns.StatusDeclined, nil, "This return is declined now, so it cannot be refunded."},
		{"Cancelled", returns.StatusCancelled, nil, "This return is cancelled now, so it cannot be refunded."},
		{"Refunded", returns.StatusRefunded, nil, "This return is refunded now, so it cannot be refunded."},
		{"ReplacementShipped", returns.StatusReplacementShipped, nil, "This return is replacement shipped now, so it cannot be refunded."},
		{"Closed", returns.StatusClosed, nil, "This return is closed now, so it cannot be refunded."},
		{"Pending", returns.StatusApproved, []returns.Refund{refund(returns.RefundPending)}, being},
		{"Unknown", returns.StatusApproved, []returns.Refund{refund(returns.RefundFailed), refund(returns.RefundUnknown)}, being},
		{"Succeeded", returns.StatusApproved, []returns.Refund{refund(returns.RefundFailed), refund(returns.RefundSucceeded)}, done},
		{"RefundedInShopifyAdmin", returns.StatusApproved, []returns.Refund{fromShopify(1, 1000), fromShopify(1, 500)}, ""},
		{"RefundedInShopifyAdminThenThroughThePortal", returns.StatusApproved, []returns.Refund{fromShopify(1, 1000), refund(returns.RefundSucceeded)}, done},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := returns.CheckRefundable(tc.status, tc.refs)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckRefundable() = %v, want nil", err)
				}
				return
			}
			if returns.ErrorCode(err) != returns.ECONFLICT || returns.ErrorMessage(err).String() != tc.want {
				t.Errorf("CheckRefundable() = %v, want ECONFLICT %q", err, tc.want)
			}
		})
	}
}

// fromShopify is a refund of amount made in Shopify admin and booked to
// return returnID.
func fromShopify(returnID, minor int64) returns.Refund {
	return returns.Refund{ReturnID: returnID, Amount: eur(minor), State: returns.RefundSucceeded, Source: returns.RefundFromShopify}
}

// TestRefundOffer: what a return may still be refunded is Shopify's
// suggestion for its items, less what was refunded of them in Shopify admin,
// whether that refund gave back money alone (Shopify's suggestion stays) or
// the lines (Shopify's suggestion drops by it already).
func TestRefundOffer(t *testing.T) {
	r := &returns.Return{Currency: "EUR", Items: []returns.Item{{LineItemID: "L1", Quantity: 2, UnitPrice: eur(1450)}}} // 29.00
	for _, tc := range []struct {
		name                      string
		suggested, refunded, want int64
	}{
		{"NothingRefunded", 2900, 0, 2900},
		{"NothingRefundedSuggestionWithTax", 3480, 0, 3480},
		{"MoneyAlone", 2900, 1000, 1900},
		{"MoneyAloneCappedByTheOrder", 2800, 1000, 1900},
		{"MoneyAloneWithTax", 3480, 1000, 2480},
		{"OneLineOfTwo", 1450, 1450, 1450},
		{"EveryLine", 0, 2900, 0},
		{"MoreThanItIsWorth", 2900, 3000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.Refunded = eur(tc.refunded)
			if got := r.RefundOffer(eur(tc.suggested)); got != eur(tc.want) {
				t.Errorf("RefundOffer(%d) after %d refunded = %v, want %d", tc.suggested, tc.refunded, got, tc.want)
			}
		})
	}
}

func TestCheckNewRefund(t *testing.T) {
	// A return (1) of an order paid 122.00 EUR whose items are worth 24.00 EUR;
	// the order has another return (2).
	ofReturn := func(returnID, minor int64, state returns.RefundState) returns.Refund {
		return returns.Refund{ReturnID: returnID, Amount: eur(minor), State: state}
	}
	lim := returns.RefundLimits{Return: eur(2400), Paid: eur(12200)}
	tests := []struct {
		name     string
		amount   returns.Money
		status   returns.Status
		refunds  []returns.Refund // the order's refunds in the ledger
		lim      returns.RefundLimits
		wantCode string
		wantMsg  string // the error's message, or its amount field's for EINVALID from a limit
	}{
		{name: "WithinEverything", amount: eur(2400)},
		{name: "AfterARefusal", amount: eur(2400), refunds: []returns.Refund{ofReturn(1, 2400, returns.RefundFailed)}},
		{name: "AboveTheReturn", amount: eur(2401), wantCode: returns.EINVALID, wantMsg: "At most 24.00 EUR can be refunded for this return."},
		{name: "RaisedWithinTheOrder", amount: eur(12200), lim: returns.RefundLimits{Return: eur(12200), Paid: eur(12200)}},
		{name: "OtherReturnsUpToWhatWasPaid", amount: eur(2400),
			refunds: []returns.Refund{ofReturn(2, 9000, returns.RefundSucceeded), ofReturn(2, 800, returns.RefundPending)}},
		{name: "OtherReturnsSucceededAboveWhatWasPaid", amount: eur(2400), refunds: []returns.Refund{ofReturn(2, 9801, returns.RefundSucceeded)},
			wantCode: returns.ECONFLICT, wantMsg: "This would refund more than the customer paid."},
		{name: "OtherReturnsPendingCount", amount: eur(2400), refunds: []returns.Refund{ofReturn(2, 9801, returns.RefundPending)},
			wantCode: returns.ECONFLICT, wantMsg: "This would refund more than the customer paid."},
		{name: "OtherReturnsUnknownCount", amount: eur(2400), refunds: []returns.Refund{ofReturn(2, 9801, returns.RefundUnknown)},
			wantCode: returns.ECONFLICT, wantMsg: "This would refund more than the customer paid."},
		{name: "OtherReturnsRefusalsDoNotCount", amount: eur(2400), refunds: []returns.Refund{ofReturn(2, 12200, returns.RefundFailed)}},
		{name: "AnotherTabsPendingRefund", amount: eur(100), refunds: []returns.Refund{ofReturn(1, 100, returns.RefundPending)},
			wantCode: returns.ECONFLICT, wantMsg: "A refund of 1.00 EUR for this return is being made already. It is checked with Shopify before another refund can be made."},
		{name: "RefundedAlready", amount: eur(100), refunds: []returns.Refund{ofReturn(1, 2400, returns.RefundSucceeded)},
			wantCode: returns.ECONFLICT, wantMsg: "This return was refunded already: 24.00 EUR. The refund is in the ledger below."},
		{name: "AfterARefundInShopifyAdmin", amount: eur(1400), refunds: []returns.Refund{fromShopify(1, 1000)},
			lim: returns.RefundLimits{Return: eur(1400), Paid: eur(12200), Refunded: eur(1000)}},
		{name: "ARefundInShopifyAdminMeanwhile", amount: eur(2400), refunds: []returns.Refund{fromShopify(1, 1000)},
			wantCode: returns.ECONFLICT, wantMsg: "A refund of this return was made in Shopify admin in the meantime. Please reload the page: the amount it may still be refunded has changed."},
		{name: "RefundsInShopifyAdminCountForTheOrder", amount: eur(2400), refunds: []returns.Refund{fromShopify(2, 9801)},
			wantCode: returns.ECONFLICT, wantMsg: "This would refund more than the customer paid."},
		{name: "StatusMoved", amount: eur(2400), status: returns.StatusClosed,
			wantCode: returns.ECONFLICT, wantMsg: "This return is closed now, so it cannot be refunded."},
		{name: "OtherCurrency", amount: returns.Money{Minor: 2400, Currency: "USD"},
			wantCode: returns.EINVALID, wantMsg: "The refund must be in the order’s currency, EUR."},
		{name: "LimitInOtherCurrency", amount: eur(2400), lim: returns.RefundLimits{Return: returns.Money{Minor: 2400, Currency: "USD"}, Paid: eur(12200)},
			wantCode: returns.EINVALID, wantMsg: "The refund must be in the order’s currency, EUR."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == "" {
				tc.status = returns.StatusApproved
			}
			if tc.lim == (returns.RefundLimits{}) {
				tc.lim = lim
			}
			ref := &returns.Refund{ReturnID: 1, Amount: tc.amount}
			err := returns.CheckNewRefund(ref, tc.status, tc.refunds, tc.lim)
			if returns.ErrorCode(err) != tc.wantCode {
				t.Fatalf("CheckNewRefund() = %v, want code %q", err, tc.wantCode)
			}
			if err == nil {
				return
			}
			got := returns.ErrorMessage(err).String()
			if f := returns.ErrorFields(err); f != nil {
				got = f[returns.FieldAmount].String()
			}
			if got != tc.wantMsg {
				t.Errorf("message %q, want %q", got, tc.wantMsg)
			}
		})
	}
}

func TestRefundSettled(t *testing.T) {
	for state, want := range map[returns.RefundState]bool{
		returns.RefundPending: false, returns.RefundUnknown: false, returns.RefundSucceeded: true, returns.RefundFailed: true,
	} {
		r := returns.Refund{State: state}
		if got := r.Settled(); got != want {
			t.Errorf("Settled() of a %s refund = %v, want %v", state, got, want)
		}
	}
}

func TestOrderRefundable(t *testing.T) {
	for _, tc := range []struct{ received, refunded, want int64 }{
		{12200, 0, 12200},
		{12200, 2400, 9800},
		{12200, 12200, 0},
		{12200, 13000, 0}, // refunded more than received (a manual gateway): nothing left, never negative
	} {
		o := &returns.Order{Currency: "EUR", Received: eur(tc.received), Refunded: eur(tc.refunded)}
		if got := o.Refundable(); got != eur(tc.want) {
			t.Errorf("received %d, refunded %d: Refundable() = %v, want %v", tc.received, tc.refunded, got, eur(tc.want))
		}
	}
}
