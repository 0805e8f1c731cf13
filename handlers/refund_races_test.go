package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

// noteless is the adapter as real Shopify behaves if returnProcess's note (a
// note "for the return") is not copied onto the refund it makes; loseProcess
// makes the next ProcessReturn run and lose its answer.
type noteless struct {
	*shopify.Client
	mu          sync.Mutex
	processed   map[string]bool
	loseProcess bool
}

func (w *noteless) ProcessReturn(ctx context.Context, req returns.ProcessRequest) (string, error) {
	id, err := w.Client.ProcessReturn(ctx, req)
	w.mu.Lock()
	defer w.mu.Unlock()
	if id != "" {
		w.processed[id] = true
	}
	if err == nil && w.loseProcess {
		w.loseProcess = false
		return "", returns.Errorf(returns.EUNKNOWN, "lost")
	}
	return id, err
}

func (w *noteless) isProcessed(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.processed[id]
}

func (w *noteless) FindRefund(ctx context.Context, orderID, key string) (string, bool, error) {
	id, found, err := w.Client.FindRefund(ctx, orderID, key)
	if found && w.isProcessed(id) {
		return "", false, err
	}
	return id, found, err
}

func (w *noteless) Refunds(ctx context.Context, orderID string) ([]returns.ShopRefund, error) {
	refs, err := w.Client.Refunds(ctx, orderID)
	for i := range refs {
		if w.isProcessed(refs[i].ID) {
			refs[i].Note = ""
		}
	}
	return refs, err
}

func (w *noteless) ShopReturn(ctx context.Context, id string) (*returns.ShopReturn, error) {
	sr, err := w.Client.ShopReturn(ctx, id)
	if sr != nil {
		for i := range sr.Refunds {
			if w.isProcessed(sr.Refunds[i].ID) {
				sr.Refunds[i].Note = ""
			}
		}
	}
	return sr, err
}

// TestLostProcessAnswerTakenInByThePeriodicPass: returnProcess made the
// refund and its answer was lost; Shopify is not documented to copy the
// process note (the key) onto the refund, so the wrapper blanks it. The
// periodic pass reads the order's refunds before the reconciler runs: it
// must take the refund for the portal's (by its Shopify return), and the
// reconciler must not pay again.
func TestLostProcessAnswerTakenInByThePeriodicPass(t *testing.T) {
	for _, storeCredit := range []bool{false, true} {
		t.Run(map[bool]string{false: "to payments", true: "store credit"}[storeCredit], func(t *testing.T) {
			h := newHarness(t, nil)
			client := h.deps.Shop.(*shopify.Client)
			w := &noteless{Client: client, processed: map[string]bool{}}
			h.deps.Refunder, h.deps.ShopRefunds, h.deps.ShopReturns = w, w, w
			h.rebuild()
			ctx := context.Background()
			c := h.staff("kim@example.com")
			code := h.submitReturn("1006", "jamie.rivera@example.com", "Merino beanie",
				field("kind", "dissatisfied"), field("reason", "no_longer_needed"))
			if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
				t.Fatalf("approve: %d\n%s", a.status, a.body)
			}
			key, suggested := refundKey(t, h, c, code)
			w.loseProcess = true
			form := url.Values{"amount": {suggested}, "key": {key}}
			if storeCredit {
				form.Set("refund_method", "store_credit")
			}
			a := h.action(c, code, "refund", form)
			t.Logf("refund answer %d", a.status)
			// refunds/create is late; the periodic pass reads the order's refunds first.
			h.app.Events.Sweep(ctx)
			h.app.Refunds.ReconcileRefunds(ctx)
			snap, _ := h.shop.OrderByName("#1006")
			t.Logf("refunds at the demo store: %+v", snap.Refunds)
			rs, _ := h.store.ReturnsByOrder(ctx, "gid://shopify/Order/1006")
			for _, r := range rs {
				refs, _ := h.store.RefundsByReturn(ctx, r.ID)
				for _, ref := range refs {
					t.Logf("ledger: %s %s %s source=%q shopify=%s err=%q", r.Code, ref.Amount, ref.State, ref.Source, ref.ShopifyID, ref.Error)
				}
				t.Logf("return %s status %s", r.Code, r.Status)
			}
			t.Logf("emails: %v", h.emailsOf(t, code))
			if len(snap.Refunds) != 1 {
				t.Errorf("the demo store holds %d refunds for one refund staff made", len(snap.Refunds))
			}
			r, _ := h.store.ReturnByCode(ctx, code)
			refs, _ := h.store.RefundsByReturn(ctx, r.ID)
			if len(refs) != 1 || refs[0].State != returns.RefundSucceeded || refs[0].IdempotencyKey != key || refs[0].ShopifyID != snap.Refunds[0].ID {
				t.Errorf("ledger %+v, want the portal's one refund settled as Shopify's", refs)
			}
		})
	}
}

type racing struct {
	*shopify.Client
	hook func()
}

func (w *racing) SuggestTransactions(ctx context.Context, orderID string, items []returns.Item) (returns.RefundSuggestion, error) {
	s, err := w.Client.SuggestTransactions(ctx, orderID, items)
	if w.hook != nil {
		hook := w.hook
		w.hook = nil
		hook()
	}
	return s, err
}

// TestReturnProcessedInAdminWhilePortalRefundInFlight: staff process and
// refund the Shopify return in Shopify admin while the portal's refund of
// the same amount is on its way: refunds/create takes it for the portal's,
// and the portal's request then sees its refund settled and asks nothing.
func TestReturnProcessedInAdminWhilePortalRefundInFlight(t *testing.T) {
	h := newHarness(t, nil)
	client := h.deps.Shop.(*shopify.Client)
	w := &racing{Client: client}
	h.deps.Refunder = w
	h.rebuild()
	ctx := context.Background()
	c := h.staff("kim@example.com")
	code := h.submitReturn("1006", "jamie.rivera@example.com", "Merino beanie",
		field("kind", "dissatisfied"), field("reason", "no_longer_needed"))
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	h.app.ShopReturns.Flush(ctx)
	key, suggested := refundKey(t, h, c, code)
	w.hook = func() {
		snap, _ := h.shop.OrderByName("#1006")
		sr := snap.Returns[0]
		rs, err := h.shop.ProcessReturn(sr.ID, devshopProcess(sr.Lines[0].ID))
		if err != nil {
			t.Fatalf("admin process: %v", err)
		}
		// refunds/create of the admin's refund, with its return: applyRefund -> SettleFromShopReturn
		found, err := h.app.Refunds.SettleFromShopReturn(ctx, returns.ShopRefund{
			ID: rs.Refunds[len(rs.Refunds)-1], ReturnID: sr.ID, OrderID: "gid://shopify/Order/1006",
			Amount: returns.Money{Minor: 2500, Currency: "EUR"},
		})
		if err != nil || !found {
			t.Errorf("refunds/create of the admin's refund: found %v, %v", found, err)
		}
	}
	a := h.action(c, code, "refund", url.Values{"amount": {suggested}, "key": {key}})
	t.Logf("refund answer %d", a.status)
	snap, _ := h.shop.OrderByName("#1006")
	t.Logf("refunds at the demo store: %+v", snap.Refunds)
	h.app.Events.Sweep(ctx)
	r, _ := h.store.ReturnByCode(ctx, code)
	refs, _ := h.store.RefundsByReturn(ctx, r.ID)
	for _, ref := range refs {
		t.Logf("ledger: %s %s source=%q shopify=%s", ref.Amount, ref.State, ref.Source, ref.ShopifyID)
	}
	if len(snap.Refunds) != 1 || len(refs) != 1 {
		t.Errorf("the demo store holds %d refunds; the ledger %d", len(snap.Refunds), len(refs))
	}
}

func devshopProcess(line string) devshop.MerchantProcess {
	return devshop.MerchantProcess{Lines: []devshop.MerchantProcessLine{{ReturnLineItem: line, Quantity: 1, Disposition: "NOT_RESTOCKED"}},
		Refund: &devshop.MerchantReturnRefund{Transactions: []devshop.MerchantRefundTransaction{{Parent: "1006", Amount: "25.00"}}}}
}

// TestFullRefundCloseIsThePortals: a full refund closes the Shopify return
// through the portal's own sync; the returns/close Shopify sends for it is
// not staff closing it in Shopify admin.
func TestFullRefundCloseIsThePortals(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	key, suggested := refundKey(t, h, c, code)
	if a := h.action(c, code, "refund", url.Values{"amount": {suggested}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	h.app.ShopReturns.Flush(ctx)
	snap, _ := h.shop.OrderByName("#1002")
	t.Logf("Shopify return status after the portal's sync: %s", snap.Returns[0].Status)
	// Shopify fires returns/close for the portal's own returnClose.
	if err := h.app.ShopReturns.ApplyEvent(ctx, returns.TopicReturnsClose, returns.ShopReturnEvent{ID: snap.Returns[0].ID}); err != nil {
		t.Fatal(err)
	}
	r, _ := h.store.ReturnByCode(ctx, code)
	evs, _ := h.store.Events(ctx, r.ID)
	for _, e := range evs {
		t.Logf("event %s %q", e.Type, e.Message)
	}
	t.Logf("status %s, emails %v", r.Status, h.emailsOf(t, code))
	if r.Status == returns.StatusClosed {
		t.Errorf("the portal's own close of the Shopify return came back as staff closing it in Shopify admin")
	}
}

// TestRefusedReturnRefundedMoneyOnlyKeepsItsUnits: a return Shopify would not
// record is refunded as money alone; its units stay on the order's lines, so
// they stay held and are not offered for return again.
func TestRefusedReturnRefundedMoneyOnlyKeepsItsUnits(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	r, _ := h.store.ReturnByCode(ctx, code)
	// Shopify refused the returnRequest (ShopReturnService.sync records REFUSED on EINVALID).
	if err := h.store.SetShopReturn(ctx, r.ID, "", returns.ShopReturnRefused); err != nil {
		t.Fatal(err)
	}
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	key, suggested := refundKey(t, h, c, code)
	if a := h.action(c, code, "refund", url.Values{"amount": {suggested}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	snap, _ := h.shop.OrderByName("#1002")
	t.Logf("refund details: %+v", snap.RefundDetails)
	cust := h.client()
	h.lookup(cust, "1002", "sam.taylor@example.com")
	_, lines := h.orderForm(cust)
	t.Logf("returnable on the order page now: %v", lines)
	if _, ok := lines["Wool scarf"]; ok {
		t.Errorf("the refunded scarf is offered for return again")
	}
}

// TestSecondUnitAfterTheFirstWasRefundedAsLine: the first of two mugs was
// returned and refunded by processing its Shopify return, which took it off
// the line; the second can still be returned.
func TestSecondUnitAfterTheFirstWasRefundedAsLine(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	mug := func() string {
		return h.submitReturn("1001", "anna.berzina@example.lv", "Ceramic mug",
			field("kind", "dissatisfied"), field("reason", "no_longer_needed"))
	}
	code := mug()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	key, suggested := refundKey(t, h, c, code)
	if a := h.action(c, code, "refund", url.Values{"amount": {suggested}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	snap, _ := h.shop.OrderByName("#1001")
	t.Logf("refund details: %+v", snap.RefundDetails)
	if second := mug(); second == "" || second == code {
		t.Fatalf("second mug: %q", second)
	}
}

// TestSweepCatchesAnApprovalWithoutItsWebhook: staff approve the Shopify
// return in Shopify admin and returns/approve never comes; the periodic
// sweep reads the open returns' Shopify returns and moves the portal's.
func TestSweepCatchesAnApprovalWithoutItsWebhook(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	code := h.dissatisfiedScarf()
	h.app.ShopReturns.Flush(ctx)
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Returns) != 1 || snap.Returns[0].Status != "REQUESTED" {
		t.Fatalf("Shopify returns %+v, want one requested", snap.Returns)
	}
	if _, err := h.shop.ApproveReturn(snap.Returns[0].ID); err != nil {
		t.Fatal(err)
	}
	if st := h.returnStatus(code); st != returns.StatusRequested {
		t.Fatalf("status %s before the sweep", st)
	}
	h.app.ShopReturns.Sweep(ctx)
	if st := h.returnStatus(code); st != returns.StatusApproved {
		t.Fatalf("status %s after the sweep, want approved", st)
	}
	if kinds := h.emailsOf(t, code); !slices.Contains(kinds, returns.EmailApproved) {
		t.Fatalf("emails %v, want the approval", kinds)
	}
	h.app.ShopReturns.Sweep(ctx) // again: nothing more
	n := 0
	for _, k := range h.emailsOf(t, code) {
		if k == returns.EmailApproved {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d approval emails, want 1", n)
	}
}
