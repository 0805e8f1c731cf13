package returns_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeRefunder is Shopify's refunds: a refund made with a key is found by it
// afterwards, and Shopify suggests the items' prices for them. The …Fn fields,
// when set, answer instead. It records every call.
type fakeRefunder struct {
	SuggestRefundFn func(orderID string, items []returns.Item) (returns.Money, error)
	CreateRefundFn  func(ctx context.Context, req returns.RefundRequest) (string, error)
	FindRefundFn    func(ctx context.Context, orderID, key string) (string, bool, error)
	// NoPayments makes SuggestTransactions suggest none, as Shopify does for
	// an order without a payment left to refund.
	NoPayments bool

	mu        sync.Mutex
	suggested int
	created   []returns.RefundRequest // every CreateRefund call
	found     []string                // the keys FindRefund was asked for
	made      map[string]string       // key → the refund Shopify made with it
}

func (s *fakeRefunder) SuggestRefund(ctx context.Context, orderID string, items []returns.Item) (returns.Money, error) {
	s.mu.Lock()
	s.suggested++
	s.mu.Unlock()
	if s.SuggestRefundFn != nil {
		return s.SuggestRefundFn(orderID, items)
	}
	var sum returns.Money
	for _, it := range items {
		sum.Currency = it.UnitPrice.Currency
		sum.Minor += it.UnitPrice.Times(it.Quantity).Minor
	}
	return sum, nil
}

// SuggestTransactions suggests the whole refund back to the order's one
// payment, as Shopify does for an order paid once.
func (s *fakeRefunder) SuggestTransactions(ctx context.Context, orderID string, items []returns.Item) (returns.RefundSuggestion, error) {
	s.mu.Lock()
	s.suggested++
	s.mu.Unlock()
	var worth returns.Money
	for _, it := range items {
		worth.Currency = it.UnitPrice.Currency
		worth.Minor += it.UnitPrice.Times(it.Quantity).Minor
	}
	if s.SuggestRefundFn != nil {
		var err error
		if worth, err = s.SuggestRefundFn(orderID, items); err != nil {
			return returns.RefundSuggestion{}, err
		}
	}
	if s.NoPayments {
		return returns.RefundSuggestion{}, nil
	}
	return returns.RefundSuggestion{Amount: worth, Transactions: []returns.SuggestedTransaction{{
		ParentID: "gid://shopify/OrderTransaction/71", Gateway: "shopify_payments",
		Amount: worth, Max: returns.Money{Minor: 12200, Currency: worth.Currency},
	}}}, nil
}

func (s *fakeRefunder) CreateRefund(ctx context.Context, req returns.RefundRequest) (string, error) {
	s.mu.Lock()
	s.created = append(s.created, req)
	id := fmt.Sprintf("gid://shopify/Refund/%d", 500+len(s.created))
	s.mu.Unlock()
	var err error
	if s.CreateRefundFn != nil {
		id, err = s.CreateRefundFn(ctx, req)
	}
	if err == nil {
		s.mu.Lock()
		if s.made == nil {
			s.made = map[string]string{}
		}
		s.made[req.Key] = id
		s.mu.Unlock()
	}
	return id, err
}

func (s *fakeRefunder) FindRefund(ctx context.Context, orderID, key string) (string, bool, error) {
	s.mu.Lock()
	s.found = append(s.found, key)
	id, ok := s.made[key]
	s.mu.Unlock()
	if s.FindRefundFn != nil {
		return s.FindRefundFn(ctx, orderID, key)
	}
	return id, ok, nil
}

// calls returns how many refunds were asked for and looked for, and the
// requests made.
func (s *fakeRefunder) calls() (created []returns.RefundRequest, found []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.created), slices.Clone(s.found)
}

// fakeNotes is a NoteTaker over a memStore; AddEventFn, when set, answers
// instead.
type fakeNotes struct {
	store      *memStore
	AddEventFn func(ev returns.Event) error
}

func (n *fakeNotes) AddEvent(ctx context.Context, ev returns.Event) error {
	if n.AddEventFn != nil {
		return n.AddEventFn(ev)
	}
	return n.store.AddEvent(ctx, ev)
}

// refundFixture is a RefundService over the changes fixture, the in-memory
// ledger and Shopify's refunds.
type refundFixture struct {
	*changesFixture
	*returns.RefundService
	ledger   *memLedger
	refunder *fakeRefunder
	notes    *fakeNotes
}

func newRefundFixture(t *testing.T) *refundFixture {
	t.Helper()
	cf := newChangesFixture(t)
	f := &refundFixture{changesFixture: cf, ledger: &memLedger{store: cf.store}, refunder: &fakeRefunder{}, notes: &fakeNotes{store: cf.store}}
	f.RefundService = returns.NewRefundService(returns.RefundDeps{
		Returns: cf.store, Store: f.ledger, Refunder: f.refunder, Shop: cf.shop, Notes: f.notes,
		Changes: cf.changes, Now: cf.clock, Log: cf.log,
	})
	return f
}

// Idempotency keys as the refund form carries them.
const (
	testKey  = "0123456789abcdef0123456789abcdef"
	otherKey = "fedcba9876543210fedcba9876543210"
)

// unsettled is a refund of r's 24.00 EUR by staff member 7 whose outcome is
// not known yet: in state, stored age before serviceNow.
func unsettled(r *returns.Return, key string, state returns.RefundState, age time.Duration) returns.Refund {
	at := serviceNow.Add(-age)
	return returns.Refund{ReturnID: r.ID, OrderID: r.OrderID, Amount: eur(2400), IdempotencyKey: key, State: state, StaffID: 7, CreatedAt: at, UpdatedAt: at}
}

// waitFor fails the test unless ch yields within a generous cap: a check of
// liveness, not of timing.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting until %s", what)
		panic("unreachable")
	}
}

// eventually fails the test unless cond holds within a generous cap.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// goErr runs fn in a goroutine; the channel yields its error.
func goErr(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	return ch
}

// checkRefunded checks that r moved to refunded through the one path of
// status changes: its event by staff member 7 with the amount, the line and tag
// written to the Shopify order, and the customer's email.
func (f *refundFixture) checkRefunded(t *testing.T, r *returns.Return, amount returns.Money) {
	t.Helper()
	if got := f.status(t, r.ID); got != returns.StatusRefunded {
		t.Errorf("status %s, want refunded", got)
	}
	evs, _ := f.store.Events(context.Background(), r.ID)
	want := []returns.Event{
		{ReturnID: r.ID, At: serviceNow, Actor: "staff:7", Type: returns.EventRefunded, Status: returns.StatusRefunded, Message: amount.String(), Msg: returns.Msg("%s", amount)},
		{ReturnID: r.ID, At: serviceNow, Actor: returns.ActorSystem, Type: returns.EventShopifyUpdated, Message: r.Code + ": refunded " + amount.String()},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("timeline %+v,\nwant %+v", evs, want)
	}
	wbs := f.storedWritebacks()
	if len(wbs) != 1 || wbs[0].NoteLine != r.Code+": refunded "+amount.String() || !slices.Equal(wbs[0].Tags, []string{"returns:refunded"}) || !wbs[0].Done {
		t.Errorf("write-backs %+v, want the refund's line written", wbs)
	}
	ems := f.storedEmails()
	if len(ems) != 1 {
		t.Fatalf("%d emails queued, want the customer's refund email", len(ems))
	}
	m := ems[0]
	if m.Kind != returns.EmailRefunded || m.To != "anna.berzina@example.lv" || m.ReturnID != r.ID ||
		m.DedupeKey != r.Code+":refunded:customer" || len(m.LinkTokenHash) != 64 || m.Status != returns.OutboxQueued {
		t.Errorf("email %+v", m)
	}
	if d := f.emails.rendered[len(f.emails.rendered)-1]; d.Amount != amount || d.Lang != "lv" {
		t.Errorf("email says amount %v in %q, want %v in lv", d.Amount, d.Lang, amount)
	}
	if n := f.woken.Load(); n != 1 {
		t.Errorf("mail worker woken %d times, want once", n)
	}
}

func TestRefund(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	var atCall []returns.Refund
	f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
		atCall = f.ledger.all()
		return "gid://shopify/Refund/501", nil
	}

	ref, err := f.Refund(ctx, 7, " r-7kq9x2md ", returns.RefundInput{Key: testKey, Amount: "24.00"})
	if err != nil {
		t.Fatalf("Refund() = %v", err)
	}
	if ref.ID == 0 || ref.State != returns.RefundSucceeded || ref.ShopifyID != "gid://shopify/Refund/501" || ref.Amount != eur(2400) ||
		ref.IdempotencyKey != testKey || ref.StaffID != 7 || ref.ReturnID != r.ID || ref.Reason != "" {
		t.Errorf("refund %+v", ref)
	}
	// The intent was in the ledger, pending, before Shopify was asked.
	if len(atCall) != 1 || atCall[0].State != returns.RefundPending || atCall[0].IdempotencyKey != testKey {
		t.Errorf("ledger when Shopify was asked: %+v, want the refund pending", atCall)
	}
	created, _ := f.refunder.calls()
	want := returns.RefundRequest{
		OrderID: "gid://shopify/Order/1001", Key: testKey, Amount: eur(2400),
		Note:         "Return " + testReturnCode + " (refund " + testKey + ")",
		Transactions: []returns.RefundTransaction{{ParentID: "gid://shopify/OrderTransaction/71", Gateway: "shopify_payments", Amount: eur(2400)}},
	}
	if len(created) != 1 || !reflect.DeepEqual(created[0], want) {
		t.Errorf("Shopify asked %+v, want %+v", created, want)
	}
	if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/501" {
		t.Errorf("ledger %+v", got)
	}
	if lim := f.ledger.limits[testKey]; lim != (returns.RefundLimits{Return: eur(2400), Paid: eur(12200)}) {
		t.Errorf("stored within %+v, want the items' worth and what the customer paid", lim)
	}
	f.checkRefunded(t, r, eur(2400))

	t.Run("SameFormAgain", func(t *testing.T) {
		suggested, orderCalls := f.refunder.suggested, f.shop.orderCalls
		again, err := f.Refund(ctx, 7, testReturnCode, returns.RefundInput{Key: testKey, Amount: "24.00"})
		if err != nil || again.ID != ref.ID || again.State != returns.RefundSucceeded {
			t.Fatalf("Refund() again = %+v, %v; want refund %d", again, err, ref.ID)
		}
		if created, _ := f.refunder.calls(); len(created) != 1 || f.refunder.suggested != suggested || f.shop.orderCalls != orderCalls {
			t.Errorf("the same form asked Shopify again: %d refunds, %d suggestions, %d order reads", len(created), f.refunder.suggested-suggested, f.shop.orderCalls-orderCalls)
		}
		if n := len(f.ledger.all()); n != 1 {
			t.Errorf("%d refunds in the ledger, want 1", n)
		}
	})

	t.Run("AnotherFormAfterwards", func(t *testing.T) {
		_, err := f.Refund(ctx, 7, testReturnCode, returns.RefundInput{Key: otherKey, Amount: "24.00"})
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("Refund() of a refunded return = %v, want ECONFLICT", err)
		}
		if created, _ := f.refunder.calls(); len(created) != 1 {
			t.Errorf("Shopify asked %d times, want once", len(created))
		}
	})
}

// TestRefundRefusedByShopify: Shopify's refusal settles the refund failed,
// puts it on the timeline, and answers a field error in Shopify's words; the
// return stays where it was and another refund may be made.
func TestRefundRefusedByShopify(t *testing.T) {
	for _, code := range []string{returns.EINVALID, returns.ECONFLICT} {
		t.Run(code, func(t *testing.T) {
			ctx := context.Background()
			f := newRefundFixture(t)
			r := f.addReturn(returns.StatusItemReceived)
			refusal := "Refund amount exceeds the refundable amount."
			f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
				return "", returns.Errorf(code, "%s", refusal)
			}
			ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("Refund() = %v, want EINVALID", err)
			}
			if got, want := returns.ErrorFields(err)[returns.FieldAmount].String(), "Shopify refused the refund: "+refusal; got != want {
				t.Errorf("amount field %q, want %q", got, want)
			}
			if ref == nil || ref.State != returns.RefundFailed || ref.Error != refusal {
				t.Errorf("refund %+v, want failed with Shopify's words", ref)
			}
			if got := f.ledger.all(); len(got) != 1 || got[0].State != returns.RefundFailed || got[0].Error != refusal {
				t.Errorf("ledger %+v", got)
			}
			evs, _ := f.store.Events(ctx, r.ID)
			if len(evs) != 1 || evs[0].Type != returns.EventRefundFailed || evs[0].Actor != returns.ActorSystem || evs[0].Message != refusal || evs[0].Status != "" {
				t.Errorf("timeline %+v, want one refund_failed event", evs)
			}
			if got := f.status(t, r.ID); got != returns.StatusItemReceived {
				t.Errorf("status %s, want item_received", got)
			}
			if len(f.storedEmails()) != 0 || len(f.storedWritebacks()) != 0 || len(f.orderUpdates()) != 0 {
				t.Errorf("a refused refund queued emails or write-backs")
			}

			// A refused refund holds nothing back: another form refunds.
			f.refunder.CreateRefundFn = nil
			if ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: otherKey, Amount: "24.00"}); err != nil || ref.State != returns.RefundSucceeded {
				t.Fatalf("Refund() after a refusal = %+v, %v", ref, err)
			}
			if got := f.status(t, r.ID); got != returns.StatusRefunded {
				t.Errorf("status %s, want refunded", got)
			}
		})
	}
}

// TestRefundAnswerLost: when Shopify's answer is lost, the refund is settled
// unknown once, and the reconciler settles it by its key without a second
// refund.
func TestRefundAnswerLost(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"Unknown", returns.Errorf(returns.EUNKNOWN, "Shopify did not answer.")},
		{"Unavailable", returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering right now.")},
		{"Timeout", context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newRefundFixture(t)
			r := f.addReturn(returns.StatusApproved)
			f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) { return "", tc.err }
			ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
			if returns.ErrorCode(err) != returns.EUNKNOWN {
				t.Fatalf("Refund() = %v, want EUNKNOWN", err)
			}
			if ref == nil || ref.State != returns.RefundUnknown || f.ledger.byID(t, ref.ID).State != returns.RefundUnknown {
				t.Fatalf("refund %+v, want unknown in the ledger too", ref)
			}
			unknownEvent := []returns.EventType{returns.EventRefundUnknown}
			if got := f.store.eventTypes(r.ID); !slices.Equal(got, unknownEvent) {
				t.Errorf("timeline %v, want %v", got, unknownEvent)
			}
			if got := f.status(t, r.ID); got != returns.StatusApproved {
				t.Errorf("status %s, want approved", got)
			}
			if !strings.Contains(f.logs.String(), "refund outcome unknown") {
				t.Errorf("log %q, want the lost answer logged", f.logs.String())
			}

			// Another tab is told a refund is being made.
			_, err = f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: otherKey, Amount: "10.00"})
			if returns.ErrorCode(err) != returns.ECONFLICT || !strings.Contains(returns.ErrorMessage(err).String(), "is being made already") {
				t.Errorf("Refund() from another tab = %v, want ECONFLICT: being made", err)
			}

			// Lost again: still unknown, and no second event.
			if _, err := f.ReconcileRefund(ctx, r.Code, ref.ID); returns.ErrorCode(err) != returns.EUNKNOWN {
				t.Errorf("ReconcileRefund() lost again = %v, want EUNKNOWN", err)
			}
			if got := f.store.eventTypes(r.ID); !slices.Equal(got, unknownEvent) {
				t.Errorf("timeline %v after a second loss, want %v", got, unknownEvent)
			}

			// Shopify had made it after all: the reconciler finds it by its key.
			f.refunder.CreateRefundFn = nil
			f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
				return "gid://shopify/Refund/777", key == testKey && orderID == r.OrderID, nil
			}
			f.ReconcileRefunds(ctx)
			created, found := f.refunder.calls()
			if len(created) != 2 || created[0].Key != testKey || created[1].Key != testKey {
				t.Errorf("Shopify asked %+v, want twice, both with the form's key", created)
			}
			if !slices.Equal(found, []string{testKey, testKey}) {
				t.Errorf("looked for keys %q, want the form's key before each retry", found)
			}
			if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/777" {
				t.Errorf("ledger %+v, want succeeded as the refund found", got)
			}
			if got := f.status(t, r.ID); got != returns.StatusRefunded {
				t.Errorf("status %s, want refunded", got)
			}
			if got, want := f.store.eventTypes(r.ID), []returns.EventType{returns.EventRefundUnknown, returns.EventRefunded, returns.EventShopifyUpdated}; !slices.Equal(got, want) {
				t.Errorf("timeline %v, want %v", got, want)
			}
		})
	}
}

// TestRefundRefusedBeforeShopify: what cannot be refunded is refused before
// anything is stored or asked of Shopify, with a message for the field or the
// conflict.
func TestRefundRefusedBeforeShopify(t *testing.T) {
	tests := []struct {
		name      string
		status    returns.Status
		code      string // the return code typed
		in        returns.RefundInput
		order     func(o *returns.Order)
		ledger    []returns.RefundState // refunds of the return already stored (from another tab)
		suggestFn func(orderID string, items []returns.Item) (returns.Money, error)
		wantCode  string
		field     string // "" for a message that is not a field's
		msg       string
	}{
		{name: "FormExpired", in: returns.RefundInput{Key: "expired", Amount: "24.00"},
			wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "This form has expired. Please open the return again."},
		{name: "KeyNotHex", in: returns.RefundInput{Key: strings.ToUpper(testKey), Amount: "24.00"},
			wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "This form has expired. Please open the return again."},
		{name: "UnknownReturn", code: "R-22222222", wantCode: returns.ENOTFOUND, msg: "We could not find that return."},
		{name: "MalformedCode", code: "R-1' OR 1=1", wantCode: returns.ENOTFOUND, msg: "We could not find that return."},
		{name: "Requested", status: returns.StatusRequested, wantCode: returns.ECONFLICT, msg: "This return is requested now, so it cannot be refunded."},
		{name: "Declined", status: returns.StatusDeclined, wantCode: returns.ECONFLICT, msg: "This return is declined now, so it cannot be refunded."},
		{name: "ReplacementShipped", status: returns.StatusReplacementShipped, wantCode: returns.ECONFLICT, msg: "This return is replacement shipped now, so it cannot be refunded."},
		{name: "Closed", status: returns.StatusClosed, wantCode: returns.ECONFLICT, msg: "This return is closed now, so it cannot be refunded."},
		{name: "NotAnAmount", in: returns.RefundInput{Amount: "twenty"}, wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "Enter an amount like 29.00."},
		{name: "Negative", in: returns.RefundInput{Amount: "-1"}, wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "Enter an amount like 29.00."},
		{name: "HalfACent", in: returns.RefundInput{Amount: "10.005"}, wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "Use at most 2 decimal places."},
		{name: "Zero", in: returns.RefundInput{Amount: "0.00"}, wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "Enter an amount above zero."},
		{name: "MoreThanTheOrderHasLeft", in: returns.RefundInput{Amount: "20.00"}, order: func(o *returns.Order) { o.Refunded = eur(11000) },
			wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "At most 12.00 EUR can be refunded on this order."},
		{name: "MoreThanTheItemsAreWorth", in: returns.RefundInput{Amount: "24.01"},
			wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "The returned items are worth 24.00 EUR. To refund more, tick “Refund more than the items are worth” and say why."},
		{name: "MoreThanShopifySuggests", in: returns.RefundInput{Amount: "24.00"},
			suggestFn: func(string, []returns.Item) (returns.Money, error) { return eur(1900), nil },
			wantCode:  returns.EINVALID, field: returns.FieldAmount, msg: "The returned items are worth 19.00 EUR. To refund more, tick “Refund more than the items are worth” and say why."},
		{name: "RaisedWithoutReason", in: returns.RefundInput{Amount: "30.00", Raise: true, RaiseReason: " \r\n "},
			wantCode: returns.EINVALID, field: returns.FieldRaiseReason, msg: "Say why the refund is more than the items are worth."},
		{name: "RaisedWithControlCharacters", in: returns.RefundInput{Amount: "30.00", Raise: true, RaiseReason: "Postage\x1b[2J"},
			wantCode: returns.EINVALID, field: returns.FieldRaiseReason, msg: "The text contains control characters."},
		{name: "RaisedWithTooLongAReason", in: returns.RefundInput{Amount: "30.00", Raise: true, RaiseReason: strings.Repeat("ā", returns.MaxStaffTextRunes+1)},
			wantCode: returns.EINVALID, field: returns.FieldRaiseReason, msg: "Please use at most 2000 characters."},
		{name: "PartialWithoutReason", in: returns.RefundInput{Amount: "20.00", PartialReason: " \t "},
			wantCode: returns.EINVALID, field: returns.FieldPartialReason, msg: "Say why the refund is less than the items are worth. The customer sees it."},
		{name: "PartialWithControlCharacters", in: returns.RefundInput{Amount: "20.00", PartialReason: "Worn\x1b[2J"},
			wantCode: returns.EINVALID, field: returns.FieldPartialReason, msg: "The text contains control characters."},
		{name: "PartialWithTooLongAReason", in: returns.RefundInput{Amount: "20.00", PartialReason: strings.Repeat("ā", returns.MaxStaffTextRunes+1)},
			wantCode: returns.EINVALID, field: returns.FieldPartialReason, msg: "Please use at most 2000 characters."},
		{name: "RaisedAboveTheOrder", in: returns.RefundInput{Amount: "122.01", Raise: true, RaiseReason: "Postage both ways"},
			wantCode: returns.EINVALID, field: returns.FieldAmount, msg: "At most 122.00 EUR can be refunded on this order."},
		{name: "NoPayment", order: func(o *returns.Order) { o.Payments = nil },
			wantCode: returns.ECONFLICT, msg: "This order has no payment that can be refunded."},
		{name: "AnotherTabsRefundPending", ledger: []returns.RefundState{returns.RefundPending},
			wantCode: returns.ECONFLICT, msg: "A refund of 24.00 EUR for this return is being made already. It is checked with Shopify before another refund can be made."},
		{name: "AnotherTabsRefundUnknown", ledger: []returns.RefundState{returns.RefundFailed, returns.RefundUnknown},
			wantCode: returns.ECONFLICT, msg: "A refund of 24.00 EUR for this return is being made already. It is checked with Shopify before another refund can be made."},
		// Shopify's figures already count another tab's refund, stored a
		// moment ago: staff are told of that refund, not that the amount is
		// too high.
		{name: "AnotherTabsRefundMadeAMomentAgo", ledger: []returns.RefundState{returns.RefundPending}, order: func(o *returns.Order) { o.Refunded = eur(11000) },
			wantCode: returns.ECONFLICT, msg: "A refund of 24.00 EUR for this return is being made already. It is checked with Shopify before another refund can be made."},
		{name: "RefundedAlready", ledger: []returns.RefundState{returns.RefundSucceeded},
			wantCode: returns.ECONFLICT, msg: "This return was refunded already: 24.00 EUR. The refund is in the ledger below."},
		// Another tab's refund went through and moved the return on before
		// this form was sent: staff are told of that refund, not of a status.
		{name: "RefundedByAnotherTab", status: returns.StatusRefunded, ledger: []returns.RefundState{returns.RefundSucceeded},
			wantCode: returns.ECONFLICT, msg: "This return was refunded already: 24.00 EUR. The refund is in the ledger below."},
		{name: "OrderInAnotherCurrency", order: func(o *returns.Order) { o.Currency = "USD" }, wantCode: returns.EINTERNAL, msg: "Internal error."},
		{name: "OrderGone", order: func(o *returns.Order) { o.ID = "gid://shopify/Order/9999" }, wantCode: returns.ENOTFOUND, msg: "Order not found."},
		{name: "SuggestionFails", suggestFn: func(string, []returns.Item) (returns.Money, error) {
			return returns.Money{}, errors.New("graphql: field error")
		},
			wantCode: returns.EINTERNAL, msg: "Internal error."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newRefundFixture(t)
			if tc.status == "" {
				tc.status = returns.StatusApproved
			}
			if tc.code == "" {
				tc.code = testReturnCode
			}
			if tc.in.Key == "" {
				tc.in.Key = testKey
			}
			if tc.in.Amount == "" {
				tc.in.Amount = "24.00"
			}
			if tc.order != nil {
				o := refundOrder()
				tc.order(o)
				f.shop.orders = map[string]*returns.Order{o.ID: o}
			}
			f.refunder.SuggestRefundFn = tc.suggestFn
			r := f.addReturn(tc.status)
			for i, state := range tc.ledger {
				f.ledger.add(unsettled(r, fmt.Sprintf("%032x", i+1), state, time.Minute))
			}
			before := len(f.ledger.all())

			ref, err := f.Refund(context.Background(), 7, tc.code, tc.in)
			if ref != nil || returns.ErrorCode(err) != tc.wantCode {
				t.Fatalf("Refund() = %+v, %v; want %s", ref, err, tc.wantCode)
			}
			got := returns.ErrorMessage(err).String()
			if tc.field != "" {
				got = returns.ErrorFields(err)[tc.field].String()
			}
			if got != tc.msg {
				t.Errorf("message %q, want %q (error %v)", got, tc.msg, err)
			}
			if created, found := f.refunder.calls(); len(created) != 0 || len(found) != 0 {
				t.Errorf("Shopify asked for %d refunds and looked for %d", len(created), len(found))
			}
			if n := len(f.ledger.all()); n != before {
				t.Errorf("%d refunds in the ledger, want %d", n, before)
			}
			if f.status(t, r.ID) != tc.status {
				t.Errorf("status %s, want %s", f.status(t, r.ID), tc.status)
			}
			f.checkNothingWritten(t, r.ID)
		})
	}
}

// TestRefundRaised: staff may refund more than the items are worth, up to
// what the order has left, on purpose and with a reason, which is stored with
// the refund. The ledger then holds the return to what the order has left, and
// the order's refunds to what the customer paid.
func TestRefundRaised(t *testing.T) {
	f := newRefundFixture(t)
	f.shop.orders["gid://shopify/Order/1001"].Refunded = eur(1000) // refunded in Shopify's admin
	r := f.addReturn(returns.StatusItemReceived)
	ref, err := f.Refund(context.Background(), 7, r.Code, returns.RefundInput{Key: testKey, Amount: "112.00", Raise: true, RaiseReason: "  Postage both ways\r\n  "})
	if err != nil {
		t.Fatalf("Refund() = %v", err)
	}
	if ref.Reason != "Postage both ways" || ref.Amount != eur(11200) {
		t.Errorf("refund %+v, want the cleaned reason and what the order has left", ref)
	}
	if got := f.ledger.byID(t, ref.ID); got.Reason != "Postage both ways" {
		t.Errorf("ledger reason %q", got.Reason)
	}
	if lim := f.ledger.limits[testKey]; lim != (returns.RefundLimits{Return: eur(11200), Paid: eur(12200)}) {
		t.Errorf("stored within %+v, want what the order has left for the return and what was paid for the order", lim)
	}
	f.checkRefunded(t, r, eur(11200))

	t.Run("TickedButWithinWorth", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ref, err := f.Refund(context.Background(), 7, r.Code, returns.RefundInput{Key: testKey, Amount: "20,00", Raise: true, PartialReason: "One towel came back stained."})
		if err != nil || ref.Reason != "" || ref.Amount != eur(2000) {
			t.Fatalf("Refund() = %+v, %v; want 20.00 EUR without a reason to raise it", ref, err)
		}
		if lim := f.ledger.limits[testKey]; lim.Return != eur(2400) {
			t.Errorf("stored within %+v, want the items' worth", lim)
		}
	})
}

// TestRefundPartial: a refund below what the returned items are worth is
// made with staff's reason, which is kept with it and told to the customer
// with the amount and what the items were worth; a refund of their worth needs
// none.
func TestRefundPartial(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusItemReceived)
	ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "20.00", PartialReason: "  One towel came back\r\nstained. "})
	if err != nil {
		t.Fatalf("Refund() = %v", err)
	}
	if ref.State != returns.RefundSucceeded || ref.PartialReason != "One towel came back\nstained." || ref.Worth != eur(2400) || !ref.Partial() || ref.Reason != "" {
		t.Errorf("refund %+v, want 20.00 of 24.00 EUR with the reason cleaned", ref)
	}
	if got := f.ledger.byID(t, ref.ID); got.PartialReason != ref.PartialReason || got.Worth != eur(2400) {
		t.Errorf("ledger %+v, want the reason and the worth stored", got)
	}
	if got := f.status(t, r.ID); got != returns.StatusRefunded {
		t.Errorf("status %s, want refunded", got)
	}
	d := f.emails.rendered[len(f.emails.rendered)-1]
	if d.Kind != returns.EmailRefunded || d.Amount != eur(2000) || d.RefundOf != eur(2400) || d.Message != "One towel came back\nstained." {
		t.Errorf("email data %+v, want 20.00 of 24.00 EUR with the reason", d)
	}
	if wbs := f.storedWritebacks(); len(wbs) != 1 || wbs[0].NoteLine != r.Code+": refunded 20.00 EUR of 24.00 EUR" {
		t.Errorf("write-backs %+v, want the partial refund in the order's note", wbs)
	}

	t.Run("FullNeedsNoReason", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusItemReceived)
		ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
		if err != nil || ref.Partial() || ref.PartialReason != "" || ref.Worth != eur(2400) {
			t.Fatalf("Refund() = %+v, %v; want a full refund", ref, err)
		}
		if d := f.emails.rendered[len(f.emails.rendered)-1]; d.RefundOf != (returns.Money{}) || d.Message != "" {
			t.Errorf("email data %+v, want a full refund's", d)
		}
	})
}

// TestRefundRacesCaughtWhenStored: what another request did between the
// service's reads and the transaction that stores the refund is caught there,
// before Shopify is asked.
func TestRefundRacesCaughtWhenStored(t *testing.T) {
	ctx := context.Background()

	t.Run("StatusMoved", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		f.ledger.OnCreate = func() { f.store.returns[0].Status = returns.StatusReplacementShipped }
		_, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
		if returns.ErrorCode(err) != returns.ECONFLICT || returns.ErrorMessage(err).String() != "This return is replacement shipped now, so it cannot be refunded." {
			t.Fatalf("Refund() = %v, want ECONFLICT for the status", err)
		}
		if created, _ := f.refunder.calls(); len(created) != 0 || len(f.ledger.all()) != 0 {
			t.Errorf("%d Shopify refunds, %d stored; want none", len(created), len(f.ledger.all()))
		}
	})

	t.Run("AnotherTab", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		f.ledger.OnCreate = func() { f.ledger.add(unsettled(r, otherKey, returns.RefundPending, 0)) }
		_, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("Refund() = %v, want ECONFLICT", err)
		}
		if created, _ := f.refunder.calls(); len(created) != 0 || len(f.ledger.all()) != 1 {
			t.Errorf("%d Shopify refunds, %d stored; want none of this tab's", len(created), len(f.ledger.all()))
		}
	})

	// The same form sent twice at once: the second submit gets the first's
	// refund, seen by the check before the store or by the store itself, and
	// asks Shopify nothing.
	for _, tc := range []struct {
		name  string
		setup func(f *refundFixture, add func())
	}{
		{"SeenByTheCheck", func(f *refundFixture, add func()) {
			f.refunder.SuggestRefundFn = func(string, []returns.Item) (returns.Money, error) { add(); return eur(2400), nil }
		}},
		{"SeenByTheStore", func(f *refundFixture, add func()) { f.ledger.OnCreate = add }},
	} {
		t.Run("SameFormAtOnce"+tc.name, func(t *testing.T) {
			f := newRefundFixture(t)
			r := f.addReturn(returns.StatusApproved)
			var first returns.Refund
			tc.setup(f, func() { first = f.ledger.add(unsettled(r, testKey, returns.RefundPending, 0)) })
			ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
			if err != nil || ref == nil || ref.ID != first.ID || ref.State != returns.RefundPending {
				t.Fatalf("Refund() = %+v, %v; want the first submit's refund %d", ref, err, first.ID)
			}
			if created, _ := f.refunder.calls(); len(created) != 0 || len(f.ledger.all()) != 1 {
				t.Errorf("%d Shopify refunds, %d stored; want the first submit's alone", len(created), len(f.ledger.all()))
			}
		})
	}

	t.Run("FormOfAnotherReturn", func(t *testing.T) {
		f := newRefundFixture(t)
		other := f.addReturn(returns.StatusApproved)
		r := f.addReturn(returns.StatusApproved)
		f.ledger.add(unsettled(other, testKey, returns.RefundSucceeded, time.Hour))
		_, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("Refund() with another return's key = %v, want ECONFLICT", err)
		}
		if created, _ := f.refunder.calls(); len(created) != 0 {
			t.Errorf("Shopify asked %d times", len(created))
		}
	})
}

// TestRefundSettledMeanwhile: when the reconciler settled the refund while
// this request waited for Shopify's answer (Shopify's idempotency made both
// answers one refund), the request reports it made, and nothing is recorded
// twice.
func TestRefundSettledMeanwhile(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
		// The reconciler settles the refund, with the return's move, meanwhile.
		refs := f.ledger.all()
		if _, err := f.ReconcileRefund(ctx, r.Code, refs[0].ID); err != nil {
			t.Errorf("ReconcileRefund() meanwhile = %v", err)
		}
		return "gid://shopify/Refund/501", nil
	}
	f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
		return "gid://shopify/Refund/501", true, nil
	}
	ref, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
	if err != nil || ref.State != returns.RefundSucceeded || ref.ShopifyID != "gid://shopify/Refund/501" {
		t.Fatalf("Refund() = %+v, %v; want succeeded", ref, err)
	}
	if created, _ := f.refunder.calls(); len(created) != 1 {
		t.Errorf("Shopify asked %d times, want once", len(created))
	}
	f.checkRefunded(t, r, eur(2400))
}

// TestRefundStatusMovedBeforeSettling: when the return moved between the
// reconciler's read and the settling (which rolls the change back), the money
// is recorded alone.
func TestRefundStatusMovedBeforeSettling(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, time.Hour))
	f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
		return "gid://shopify/Refund/900", true, nil
	}
	moved := false
	f.ledger.OnSettle = func(int64, returns.RefundState) error {
		if !moved {
			moved = true
			f.store.mu.Lock()
			f.store.returns[0].Status = returns.StatusReplacementShipped
			f.store.mu.Unlock()
		}
		return nil
	}
	if _, err := f.ReconcileRefund(ctx, r.Code, ref.ID); err != nil {
		t.Fatalf("ReconcileRefund() = %v", err)
	}
	if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/900" {
		t.Errorf("ledger %+v, want the money recorded", got)
	}
	if got := f.status(t, r.ID); got != returns.StatusReplacementShipped {
		t.Errorf("status %s, want replacement_shipped as the other request left it", got)
	}
	f.checkNothingWritten(t, r.ID)
}

// TestRefundEventFailureIsLogged: an event about a refund that cannot be
// stored does not undo the refund's outcome, and is logged, not lost silently.
func TestRefundEventFailureIsLogged(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	f.notes.AddEventFn = func(ev returns.Event) error { return errors.New("database is locked") }
	f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
		return "", returns.Errorf(returns.EINVALID, "Card expired.")
	}
	_, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
	if got := returns.ErrorFields(err)[returns.FieldAmount].String(); got != "Shopify refused the refund: Card expired." {
		t.Fatalf("Refund() = %v, want Shopify's refusal", err)
	}
	if got := f.ledger.all(); len(got) != 1 || got[0].State != returns.RefundFailed {
		t.Errorf("ledger %+v, want the refusal recorded", got)
	}
	log := f.logs.String()
	if !strings.Contains(log, "add event to the timeline") || !strings.Contains(log, "type=refund_failed") || !strings.Contains(log, "database is locked") {
		t.Errorf("log %q, want the lost event with its type and error", log)
	}
}

// TestRefundLedgerFailures: when the ledger cannot be read or cannot record
// Shopify's answer, the request fails with an internal error and the refund
// stays unsettled in the ledger, for the reconciler.
func TestRefundLedgerFailures(t *testing.T) {
	ctx := context.Background()
	diskError := errors.New("disk I/O error")

	t.Run("Unreadable", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		f.ledger.RefundsByReturnFn = func(int64) ([]returns.Refund, error) { return nil, diskError }
		_, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
		if !errors.Is(err, diskError) || !strings.HasPrefix(err.Error(), "read refunds: ") {
			t.Errorf("Refund() = %v, want the ledger's error wrapped", err)
		}
		if created, _ := f.refunder.calls(); len(created) != 0 {
			t.Errorf("Shopify asked %d times", len(created))
		}
	})

	for _, tc := range []struct {
		name   string
		answer error
		prefix string
	}{
		{"RefusalNotRecorded", returns.Errorf(returns.EINVALID, "Card expired."), "record refused refund: "},
		{"LossNotRecorded", returns.Errorf(returns.EUNKNOWN, "Shopify did not answer."), "record unknown refund: "},
		{"SuccessNotRecorded", nil, "record refund gid://shopify/Refund/501: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newRefundFixture(t)
			r := f.addReturn(returns.StatusApproved)
			f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
				return "gid://shopify/Refund/501", tc.answer
			}
			f.ledger.OnSettle = func(int64, returns.RefundState) error { return diskError }
			_, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"})
			if !errors.Is(err, diskError) || returns.ErrorCode(err) != returns.EINTERNAL || !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Fatalf("Refund() = %v, want an internal error starting %q", err, tc.prefix)
			}
			if got := f.ledger.all(); len(got) != 1 || got[0].State != returns.RefundPending {
				t.Errorf("ledger %+v, want the refund pending", got)
			}
			if got := f.status(t, r.ID); got != returns.StatusApproved {
				t.Errorf("status %s, want approved", got)
			}
			f.checkNothingWritten(t, r.ID)
		})
	}

	// Shopify made the refund but the ledger could not record it: once
	// pending past its grace, the reconciler finds it by its key and records
	// it, with the return's move, without a second refund.
	t.Run("SuccessRecordedByTheReconciler", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		f.ledger.OnSettle = func(int64, returns.RefundState) error { return diskError }
		if _, err := f.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"}); !errors.Is(err, diskError) {
			t.Fatalf("Refund() = %v", err)
		}
		f.ledger.OnSettle = nil
		f.ReconcileRefunds(ctx)
		if _, keys := f.refunder.calls(); len(keys) != 0 {
			t.Fatalf("looked for a refund within its grace: %q", keys)
		}
		f.now = serviceNow.Add(3 * time.Minute)
		f.ReconcileRefunds(ctx)
		created, keys := f.refunder.calls()
		if len(created) != 1 || !slices.Equal(keys, []string{testKey}) {
			t.Errorf("Shopify asked for %d refunds and looked for %q; want the one refund found by its key", len(created), keys)
		}
		if got := f.ledger.all(); len(got) != 1 || got[0].State != returns.RefundSucceeded || got[0].ShopifyID != "gid://shopify/Refund/501" {
			t.Errorf("ledger %+v, want the refund recorded", got)
		}
		if got := f.status(t, r.ID); got != returns.StatusRefunded {
			t.Errorf("status %s, want refunded", got)
		}
		if got, want := f.store.eventTypes(r.ID), []returns.EventType{returns.EventRefunded, returns.EventShopifyUpdated}; !slices.Equal(got, want) {
			t.Errorf("timeline %v, want %v", got, want)
		}
	})
}
