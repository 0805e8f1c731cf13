package returns_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// memShopReturnStore is the link between portal returns and Shopify's, kept
// in the memStore's returns.
type memShopReturnStore struct {
	*memStore
}

func (m memShopReturnStore) DueShopReturnSyncs(ctx context.Context, now time.Time, limit int) ([]returns.ShopReturnSync, error) {
	return nil, nil
}

func (m memShopReturnStore) ShopReturnSynced(ctx context.Context, returnID, seq int64) error {
	return nil
}

func (m memShopReturnStore) ShopReturnSyncFailed(ctx context.Context, returnID, seq int64, next time.Time, lastErr string) error {
	return nil
}

func (m memShopReturnStore) SetShopReturn(ctx context.Context, returnID int64, shopifyID string, status returns.ShopReturnStatus) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.returns {
		if m.returns[i].ID == returnID {
			m.returns[i].ShopReturnID, m.returns[i].ShopReturnStatus = shopifyID, status
			return nil
		}
	}
	return returns.Errorf(returns.ENOTFOUND, "Return not found.")
}

func (m memShopReturnStore) ReturnByShopReturn(ctx context.Context, shopifyID string) (*returns.Return, error) {
	return m.find(func(r *returns.Return) bool { return shopifyID != "" && r.ShopReturnID == shopifyID })
}

// fakeShopReturns is Shopify's Returns as the tests need them: it keeps the
// returns asked for and records every call.
type fakeShopReturns struct {
	mu      sync.Mutex
	units   []returns.ReturnableUnit
	reasons []returns.ReturnReasonDefinition
	made    []*returns.ShopReturn
	calls   []string
	// loseRequest makes RequestReturn make the return and lose the answer.
	loseRequest bool
	// refuse makes the named call answer this error.
	refuse map[string]error
}

func newFakeShopReturns() *fakeShopReturns {
	return &fakeShopReturns{
		units: []returns.ReturnableUnit{
			{FulfillmentLineItemID: "FL1", LineItemID: "L1", Quantity: 1},
			{FulfillmentLineItemID: "FL2", LineItemID: "L1", Quantity: 3},
		},
		reasons: []returns.ReturnReasonDefinition{{ID: "gid://shopify/ReturnReasonDefinition/2", Handle: "defective"}, {ID: "gid://shopify/ReturnReasonDefinition/4", Handle: "other"}},
		refuse:  map[string]error{},
	}
}

func (f *fakeShopReturns) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	return f.refuse[name]
}

func (f *fakeShopReturns) find(id string) *returns.ShopReturn {
	for _, r := range f.made {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (f *fakeShopReturns) ReturnableUnits(ctx context.Context, orderID string) ([]returns.ReturnableUnit, error) {
	return f.units, f.call("ReturnableUnits")
}

func (f *fakeShopReturns) ReturnReasons(ctx context.Context, handles []string) ([]returns.ReturnReasonDefinition, error) {
	if err := f.call("ReturnReasons"); err != nil {
		return nil, err
	}
	var out []returns.ReturnReasonDefinition
	for _, d := range f.reasons {
		if slices.Contains(handles, d.Handle) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (f *fakeShopReturns) RequestReturn(ctx context.Context, req returns.ShopReturnRequest) (*returns.ShopReturn, error) {
	if err := f.call("RequestReturn"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sr := &returns.ShopReturn{ID: fmt.Sprintf("gid://shopify/Return/%d", len(f.made)+1), OrderID: req.OrderID, Status: returns.ShopReturnRequested}
	for i, l := range req.Lines {
		sr.Lines = append(sr.Lines, returns.ShopReturnLine{ID: fmt.Sprintf("RL%d", i+1), FulfillmentLineItemID: l.FulfillmentLineItemID, Quantity: l.Quantity, CustomerNote: l.CustomerNote})
	}
	f.made = append(f.made, sr)
	if f.loseRequest {
		f.loseRequest = false
		return nil, returns.Errorf(returns.EUNKNOWN, "lost")
	}
	c := *sr
	return &c, nil
}

func (f *fakeShopReturns) OrderReturns(ctx context.Context, orderID string) ([]returns.ShopReturn, error) {
	if err := f.call("OrderReturns"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []returns.ShopReturn
	for _, r := range f.made {
		if r.OrderID == orderID {
			out = append(out, *r)
		}
	}
	return out, nil
}

func (f *fakeShopReturns) ShopReturn(ctx context.Context, id string) (*returns.ShopReturn, error) {
	if err := f.call("ShopReturn"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.find(id)
	if r == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Return not found.")
	}
	c := *r
	return &c, nil
}

// move moves a return from one of from to to, as Shopify does, or answers
// INVALID_STATE's ECONFLICT.
func (f *fakeShopReturns) move(name, id string, to returns.ShopReturnStatus, from ...returns.ShopReturnStatus) error {
	if err := f.call(name + " " + id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.find(id)
	if r == nil {
		return returns.Errorf(returns.ENOTFOUND, "Return not found.")
	}
	if !slices.Contains(from, r.Status) {
		return returns.Errorf(returns.ECONFLICT, "Return is not in a state that allows this.")
	}
	r.Status = to
	return nil
}

func (f *fakeShopReturns) ApproveReturn(ctx context.Context, id string) error {
	return f.move("ApproveReturn", id, returns.ShopReturnOpen, returns.ShopReturnRequested)
}

func (f *fakeShopReturns) DeclineReturn(ctx context.Context, id, note string) error {
	err := f.move("DeclineReturn", id, returns.ShopReturnDeclined, returns.ShopReturnRequested)
	if err == nil {
		f.mu.Lock()
		f.find(id).DeclineNote = note
		f.mu.Unlock()
	}
	return err
}

func (f *fakeShopReturns) CancelReturn(ctx context.Context, id string) error {
	return f.move("CancelReturn", id, returns.ShopReturnCanceled, returns.ShopReturnRequested, returns.ShopReturnOpen)
}

func (f *fakeShopReturns) CloseReturn(ctx context.Context, id string) error {
	return f.move("CloseReturn", id, returns.ShopReturnClosed, returns.ShopReturnOpen)
}

func (f *fakeShopReturns) ProcessReturn(ctx context.Context, req returns.ProcessRequest) (string, error) {
	return "", f.call("ProcessReturn")
}

func (f *fakeShopReturns) Locations(ctx context.Context) ([]returns.Location, error) {
	return []returns.Location{{ID: "gid://shopify/Location/1", Name: "Warehouse"}}, f.call("Locations")
}

// mutations are the calls that change something at Shopify, in order.
func (f *fakeShopReturns) mutations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if !strings.HasPrefix(c, "ReturnableUnits") && !strings.HasPrefix(c, "ReturnReasons") &&
			!strings.HasPrefix(c, "OrderReturns") && !strings.HasPrefix(c, "ShopReturn") && c != "Locations" {
			out = append(out, strings.SplitN(c, " ", 2)[0])
		}
	}
	return out
}

type shopReturnsFixture struct {
	*changesFixture
	shopReturns *fakeShopReturns
	svc         *returns.ShopReturnService
}

func newShopReturnsFixture(t *testing.T) *shopReturnsFixture {
	t.Helper()
	cf := newChangesFixture(t)
	f := &shopReturnsFixture{changesFixture: cf, shopReturns: newFakeShopReturns()}
	f.svc = returns.NewShopReturnService(returns.ShopReturnDeps{
		Returns: cf.store, Timeline: cf.store, Changes: cf.changes, Store: memShopReturnStore{cf.store},
		Shop: f.shopReturns, Now: cf.clock, Log: cf.log,
	})
	return f
}

func (f *shopReturnsFixture) get(t *testing.T, id int64) *returns.Return {
	t.Helper()
	r, err := f.store.ReturnByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestShopReturnSyncRequestsTheReturn(t *testing.T) {
	ctx := context.Background()
	f := newShopReturnsFixture(t)
	r := f.addReturn(returns.StatusRequested)
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.shopReturns.made) != 1 {
		t.Fatalf("%d Shopify returns, want 1", len(f.shopReturns.made))
	}
	sr := f.shopReturns.made[0]
	// Two towels over the two fulfillment lines of L1, with the reason
	// matched to Shopify's and the code before the customer's words.
	want := []returns.ShopReturnLine{
		{ID: "RL1", FulfillmentLineItemID: "FL1", Quantity: 1, CustomerNote: testReturnCode + ": Torn along the hem."},
		{ID: "RL2", FulfillmentLineItemID: "FL2", Quantity: 1, CustomerNote: testReturnCode + ": Torn along the hem."},
	}
	if !reflect.DeepEqual(sr.Lines, want) {
		t.Errorf("lines %+v, want %+v", sr.Lines, want)
	}
	got := f.get(t, r.ID)
	if got.ShopReturnID != sr.ID || got.ShopReturnStatus != returns.ShopReturnRequested {
		t.Errorf("the portal keeps %q %q", got.ShopReturnID, got.ShopReturnStatus)
	}
	// In step: a second pass asks nothing more.
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if m := f.shopReturns.mutations(); !slices.Equal(m, []string{"RequestReturn"}) {
		t.Errorf("mutations %q, want one RequestReturn", m)
	}
}

func TestShopReturnSyncAfterALostAnswerFindsTheReturn(t *testing.T) {
	ctx := context.Background()
	f := newShopReturnsFixture(t)
	r := f.addReturn(returns.StatusRequested)
	f.shopReturns.loseRequest = true
	if err := f.svc.Sync(ctx, r.ID); returns.ErrorCode(err) != returns.EUNKNOWN {
		t.Fatalf("err = %v, want the lost answer", err)
	}
	// The next pass finds the return Shopify made by its code, rather than
	// asking for a second one.
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.shopReturns.made) != 1 {
		t.Fatalf("%d Shopify returns, want 1", len(f.shopReturns.made))
	}
	if got := f.get(t, r.ID); got.ShopReturnID != f.shopReturns.made[0].ID {
		t.Errorf("the portal keeps %q", got.ShopReturnID)
	}
}

func TestShopReturnSyncFollowsThePortal(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		status    returns.Status
		edit      func(*returns.Return)
		want      returns.ShopReturnStatus
		mutations []string
	}{
		{"approved", returns.StatusApproved, nil, returns.ShopReturnOpen, []string{"RequestReturn", "ApproveReturn"}},
		{"received", returns.StatusItemReceived, nil, returns.ShopReturnOpen, []string{"RequestReturn", "ApproveReturn"}},
		{"declined", returns.StatusDeclined, nil, returns.ShopReturnNone, nil},
		{"refunded in full", returns.StatusRefunded, func(r *returns.Return) { r.Refunded = eur(2400) }, returns.ShopReturnClosed, []string{"RequestReturn", "ApproveReturn", "CloseReturn"}},
		{"refunded in part", returns.StatusRefunded, func(r *returns.Return) { r.Refunded = eur(1000) }, returns.ShopReturnOpen, []string{"RequestReturn", "ApproveReturn"}},
		{"closed", returns.StatusClosed, nil, returns.ShopReturnClosed, []string{"RequestReturn", "ApproveReturn", "CloseReturn"}},
		{"legacy", returns.StatusApproved, func(r *returns.Return) { r.ShopReturnStatus = returns.ShopReturnLegacy }, returns.ShopReturnLegacy, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newShopReturnsFixture(t)
			var edits []func(*returns.Return)
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			r := f.addReturn(tc.status, edits...)
			if err := f.svc.Sync(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			if got := f.get(t, r.ID); got.ShopReturnStatus != tc.want {
				t.Errorf("Shopify status %q, want %q", got.ShopReturnStatus, tc.want)
			}
			if m := f.shopReturns.mutations(); !slices.Equal(m, tc.mutations) {
				t.Errorf("mutations %q, want %q", m, tc.mutations)
			}
		})
	}
}

func TestShopReturnSyncDeclinesWithTheReason(t *testing.T) {
	ctx := context.Background()
	f := newShopReturnsFixture(t)
	r := f.addReturn(returns.StatusRequested)
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	r = f.get(t, r.ID)
	if err := f.changes.Apply(ctx, returns.StatusChange{Return: r, To: returns.StatusDeclined, Actor: returns.StaffActor(7), Event: returns.EventDeclined, Message: "Worn and washed."}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	sr := f.shopReturns.made[0]
	if sr.Status != returns.ShopReturnDeclined || sr.DeclineNote != "Worn and washed." {
		t.Errorf("Shopify return %q with note %q", sr.Status, sr.DeclineNote)
	}
}

func TestShopReturnSyncWhenShopifyMovedFirst(t *testing.T) {
	ctx := context.Background()
	f := newShopReturnsFixture(t)
	r := f.addReturn(returns.StatusRequested)
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	// Staff declined it in Shopify admin while the portal's staff approved
	// it: Shopify refuses the approval, the portal records what Shopify has
	// and does not try again and again.
	f.shopReturns.made[0].Status = returns.ShopReturnDeclined
	r = f.get(t, r.ID)
	if err := f.changes.Apply(ctx, returns.StatusChange{Return: r, To: returns.StatusApproved, Actor: returns.StaffActor(7), Event: returns.EventApproved}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, r.ID); got.ShopReturnStatus != returns.ShopReturnDeclined {
		t.Errorf("Shopify status %q, want DECLINED", got.ShopReturnStatus)
	}
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if m := f.shopReturns.mutations(); !slices.Equal(m, []string{"RequestReturn", "ApproveReturn"}) {
		t.Errorf("mutations %q, want the refused approval once", m)
	}
}

func TestShopReturnRefusedByShopify(t *testing.T) {
	ctx := context.Background()
	f := newShopReturnsFixture(t)
	r := f.addReturn(returns.StatusRequested)
	f.shopReturns.refuse["RequestReturn"] = returns.Errorf(returns.EINVALID, "Quantity cannot be more than the returnable quantity")
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, r.ID); got.ShopReturnStatus != returns.ShopReturnRefused || got.ShopReturnID != "" {
		t.Errorf("the portal keeps %q %q, want REFUSED", got.ShopReturnID, got.ShopReturnStatus)
	}
	// Refused stays refused: no request at every pass.
	delete(f.shopReturns.refuse, "RequestReturn")
	if err := f.svc.Sync(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.shopReturns.made) != 0 {
		t.Errorf("asked again after the refusal")
	}
}

func TestShopReturnEventsMoveThePortalReturn(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		from    returns.Status
		shop    returns.ShopReturnStatus
		note    string
		want    returns.Status
		email   returns.EmailKind
		message string
	}{
		{"approved in admin", returns.StatusRequested, returns.ShopReturnOpen, "", returns.StatusApproved, returns.EmailApproved, "Approved in Shopify admin."},
		{"declined in admin", returns.StatusRequested, returns.ShopReturnDeclined, "Past the return window.", returns.StatusDeclined, returns.EmailDeclined, "Past the return window."},
		{"declined in admin without a note", returns.StatusRequested, returns.ShopReturnDeclined, "", returns.StatusDeclined, returns.EmailDeclined, "Declined in Shopify admin, without a reason for the customer."},
		{"cancelled in admin", returns.StatusRequested, returns.ShopReturnCanceled, "", returns.StatusCancelled, returns.EmailCancelled, "Cancelled in Shopify admin."},
		{"closed in admin", returns.StatusRefunded, returns.ShopReturnClosed, "", returns.StatusClosed, returns.EmailClosed, "Closed in Shopify admin."},
		{"processed in admin", returns.StatusApproved, returns.ShopReturnOpen, "", returns.StatusItemReceived, returns.EmailItemReceived, "Received and processed in Shopify admin."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newShopReturnsFixture(t)
			r := f.addReturn(tc.from, func(r *returns.Return) {
				r.ShopReturnID, r.ShopReturnStatus = "gid://shopify/Return/1", returns.ShopReturnRequested
			})
			// Its two towels, processed only in the last case.
			processed := 0
			if tc.want == returns.StatusItemReceived {
				processed = 2
			}
			f.shopReturns.made = []*returns.ShopReturn{{ID: "gid://shopify/Return/1", OrderID: r.OrderID, Status: tc.shop, DeclineNote: tc.note,
				Lines: []returns.ShopReturnLine{{ID: "RL1", LineItemID: "L1", Quantity: 2, Processed: processed}}}}
			for range 2 { // a second delivery moves nothing more
				if err := f.svc.ApplyEvent(ctx, "returns/x", returns.ShopReturnEvent{ID: "gid://shopify/Return/1"}); err != nil {
					t.Fatal(err)
				}
			}
			got := f.get(t, r.ID)
			if got.Status != tc.want || got.ShopReturnStatus != tc.shop {
				t.Fatalf("return %q (Shopify %q), want %q", got.Status, got.ShopReturnStatus, tc.want)
			}
			var kinds []returns.EmailKind
			for _, e := range f.store.emails {
				kinds = append(kinds, e.Kind)
			}
			if !slices.Equal(kinds, []returns.EmailKind{tc.email}) {
				t.Errorf("emails %q, want one %q", kinds, tc.email)
			}
			all, _ := f.store.Events(ctx, r.ID)
			var evs []returns.Event
			for _, ev := range all {
				if ev.Status != "" { // the moves, not the write-backs to Shopify
					evs = append(evs, ev)
				}
			}
			if len(evs) != 1 || evs[0].Message != tc.message || evs[0].Status != tc.want {
				t.Errorf("events %+v, want one move saying %q", evs, tc.message)
			}
		})
	}

	t.Run("not the portal's return", func(t *testing.T) {
		f := newShopReturnsFixture(t)
		if err := f.svc.ApplyEvent(ctx, "returns/approve", returns.ShopReturnEvent{ID: "gid://shopify/Return/99"}); err != nil {
			t.Fatal(err)
		}
		if len(f.shopReturns.calls) != 0 {
			t.Errorf("asked Shopify %q about a return the portal did not make", f.shopReturns.calls)
		}
	})
}

func TestSplitRefund(t *testing.T) {
	card := returns.SuggestedTransaction{ParentID: "card", Gateway: "shopify_payments", Amount: eur(4000), Max: eur(4000)}
	gift := returns.SuggestedTransaction{ParentID: "gift", Gateway: "gift_card", Amount: eur(2000), Max: eur(2000)}
	cod := returns.SuggestedTransaction{ParentID: "cod", Gateway: "Cash on Delivery (COD)", Manual: true, Amount: eur(2900), Max: eur(5800)}
	for _, tc := range []struct {
		name   string
		amount returns.Money
		sugg   []returns.SuggestedTransaction
		want   []returns.RefundTransaction
		err    string
	}{
		{"each its share, in Shopify's order", eur(6000), []returns.SuggestedTransaction{gift, card},
			[]returns.RefundTransaction{{ParentID: "gift", Gateway: "gift_card", Amount: eur(2000)}, {ParentID: "card", Gateway: "shopify_payments", Amount: eur(4000)}}, ""},
		{"less than suggested fills the first first", eur(2500), []returns.SuggestedTransaction{gift, card},
			[]returns.RefundTransaction{{ParentID: "gift", Gateway: "gift_card", Amount: eur(2000)}, {ParentID: "card", Gateway: "shopify_payments", Amount: eur(500)}}, ""},
		{"more than suggested, up to what each can take", eur(3500), []returns.SuggestedTransaction{cod},
			[]returns.RefundTransaction{{ParentID: "cod", Gateway: "Cash on Delivery (COD)", Manual: true, Amount: eur(3500)}}, ""},
		{"more than the payments hold", eur(6001), []returns.SuggestedTransaction{gift, card}, nil, returns.EINVALID},
		{"no payment", eur(100), nil, nil, returns.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := returns.SplitRefund(tc.amount, tc.sugg)
			if returns.ErrorCode(err) != tc.err {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("split %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestSubmitReturnChecksWhatShopifyTakesBack: Shopify's returnable units are
// authoritative. A unit on a return made in Shopify admin is not offered to
// the portal's customer; the portal's own returns not yet in Shopify are
// counted here, those in Shopify are not counted twice.
func TestSubmitReturnChecksWhatShopifyTakesBack(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		returnable int // towels Shopify still takes back
		earlier    func(*returns.Return)
		wantErr    string
	}{
		{"Shopify takes both back", 2, nil, ""},
		{"one is on a return made in Shopify admin", 1, nil, returns.ECONFLICT},
		{"one is on a portal return Shopify has", 1, func(r *returns.Return) {
			r.ShopReturnID, r.ShopReturnStatus = "gid://shopify/Return/1", returns.ShopReturnOpen
		}, ""},
		{"another is on a return made in Shopify admin, one on a portal return Shopify has not heard of yet", 1, func(r *returns.Return) {}, returns.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newServiceFixture(t, testOrder())
			sf := newFakeShopReturns()
			sf.units = []returns.ReturnableUnit{{FulfillmentLineItemID: "FL1", LineItemID: "L1", Quantity: tc.returnable}}
			svc := returns.NewShopReturnService(returns.ShopReturnDeps{
				Returns: f.store, Timeline: f.store, Changes: f.changes, Store: memShopReturnStore{f.store},
				Shop: sf, Now: func() time.Time { return f.now }, Log: quietLog,
			})
			f.CustomerService = returns.NewCustomerService(returns.CustomerDeps{
				Shop: f.shop, Returns: f.store, Access: f.store, Timeline: f.store,
				Settings: returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }), func() time.Time { return f.now }),
				Changes:  f.changes, Orders: returns.NewOrderCache(), ShopReturns: svc, Now: func() time.Time { return f.now }, Log: quietLog,
			})
			want := 2
			if tc.earlier != nil {
				// One towel on an earlier portal return of the order.
				earlier := returns.Return{ID: 99, Code: "R-EARLIER1", OrderID: "gid://shopify/Order/1001", Status: returns.StatusRequested, Currency: "EUR",
					Items: []returns.Item{{LineItemID: "L1", Quantity: 1, UnitPrice: eur(1200)}}}
				tc.earlier(&earlier)
				f.store.returns = append(f.store.returns, earlier)
				want = 1
			}
			req := returns.ReturnRequest{SubmissionKey: "submission-key-0001", Kind: returns.KindDissatisfied, Reason: returns.ReasonNoLongerNeeded,
				Resolution: returns.ResolutionRefund, Quantities: map[string]int{"L1": want}}
			_, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", req)
			if returns.ErrorCode(err) != tc.wantErr && !(tc.wantErr == "" && err == nil) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func (m memShopReturnStore) SetRestock(ctx context.Context, returnID int64, choice map[string]returns.Restock) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.returns {
		if m.returns[i].ID == returnID {
			for j, it := range m.returns[i].Items {
				if c, ok := choice[it.LineItemID]; ok {
					m.returns[i].Items[j].Restock = c
				}
			}
		}
	}
	return nil
}

func (m memShopReturnStore) SetParcelInShopify(ctx context.Context, returnID int64, reverseDeliveryID, shopifyError string) error {
	return nil
}

func (f *fakeShopReturns) CreateReverseDelivery(ctx context.Context, req returns.ReverseDeliveryRequest) (string, error) {
	return "gid://shopify/ReverseDelivery/1", f.call("CreateReverseDelivery")
}

func (m memShopReturnStore) OpenShopReturns(ctx context.Context, after string, limit int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.returns {
		if r.ShopReturnID > after && slices.Contains(returns.OpenStatuses, r.Status) {
			out = append(out, r.ShopReturnID)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), limit)], nil
}
