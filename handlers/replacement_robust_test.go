package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/app"
	"github.com/returnsportal/returns/shopify"
)

// followHookStore is the portal's store with a hook run by the periodic
// pass between reading the replacements to follow and acting on them: the
// moment a press can change a row the pass holds a copy of.
type followHookStore struct {
	app.Store
	afterRead func()
}

func (s followHookStore) ReplacementsToFollow(ctx context.Context, limit int) ([]returns.Return, error) {
	rs, err := s.Store.ReplacementsToFollow(ctx, limit)
	if s.afterRead != nil {
		s.afterRead()
	}
	return rs, err
}

// dropFirstCompletion serves the demo store through a proxy that loses the
// first draftOrderComplete before it reaches the store: the portal never
// learns whether the draft was completed (it was not).
func dropFirstCompletion(t *testing.T, h **harness) func(*shopify.Config) {
	var dropped atomic.Int32
	return func(cfg *shopify.Config) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte("draftOrderComplete")) && dropped.Add(1) == 1 {
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					conn.Close()
				}
				return
			}
			(*h).shop.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		cfg.Endpoint = srv.URL
	}
}

// The periodic pass holds a copy of a row completing draft D1; before it
// takes the lock, staff's press finds D1 out of stock (the row fails) and a
// second press with another variant makes the replacement from a new draft.
// The pass must not complete its stale D1 into a second order.
func TestReplacementPassDoesNotCompleteAStaleDraft(t *testing.T) {
	var h *harness
	h = newHarness(t, nil, dropFirstCompletion(t, &h))
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if a := h.action(c, code, "replacement-order", nil); a.status < 500 {
		t.Fatalf("a lost answer: %d", a.status)
	}
	if _, ok := h.shop.OrderByName("#1009"); ok {
		t.Fatal("the dropped completion reached the store")
	}
	store := followHookStore{Store: h.store}
	store.afterRead = func() {
		store.afterRead = nil
		if st := h.devshopPost("/_devshop/variants/100101/stock", map[string]int{"available": 0}, nil); st != http.StatusOK {
			t.Fatalf("set stock: %d", st)
		}
		if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("out of stock: %d\n%s", a.status, a.body)
		}
		page := h.get(c, "/admin/returns/"+code)
		name := regexp.MustCompile(`name="(variant_[^"]+)"`).FindStringSubmatch(page.body)
		grey := regexp.MustCompile(`<option value="([^"]+)"[^>]*>Grey`).FindStringSubmatch(page.body)
		if name == nil || grey == nil {
			t.Fatal("no variant choice on the page")
		}
		if a := h.action(c, code, "replacement-order", url.Values{name[1]: {grey[1]}}); a.status != http.StatusSeeOther {
			t.Fatalf("with Grey: %d\n%s", a.status, a.body)
		}
		// The first variant is back in stock by the time the pass acts.
		h.devshopPost("/_devshop/variants/100101/stock", map[string]int{"available": 5}, nil)
	}
	h.deps.Store = &store
	h.rebuild()
	h.app.Replacements.Follow(context.Background())

	if _, ok := h.shop.OrderByName("#1009"); !ok {
		t.Fatal("the press with Grey made no order")
	}
	if _, ok := h.shop.OrderByName("#1010"); ok {
		t.Fatal("the pass completed its stale draft into a second order")
	}
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if ro := r.Replacement; ro == nil || ro.State != returns.ReplacementOrdered || ro.Order.Name != "#1009" {
		t.Fatalf("replacement %+v", r.Replacement)
	}
}

// countMessages counts the entries of the return's timeline that contain s.
func (h *harness) countMessages(code, s string) int {
	n := 0
	for _, m := range h.eventMessages(code) {
		if strings.Contains(m, s) {
			n++
		}
	}
	return n
}

// orderedReplacement makes the replacement order #1009 of the damaged towel
// and returns the return's code.
func (h *harness) orderedReplacement(c *http.Client) string {
	h.t.Helper()
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusSeeOther {
		h.t.Fatalf("replacement order: %d\n%s", a.status, a.body)
	}
	if _, ok := h.shop.OrderByName("#1009"); !ok {
		h.t.Fatal("no #1009 at the demo store")
	}
	return code
}

// A replacement order cancelled in Shopify admin no longer holds the return:
// the pass fails its row with the reason and says so on the timeline (once),
// and staff can make another order or switch the return to a refund.
func TestReplacementOrderCancelledInShopify(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.orderedReplacement(c)
	if st := h.devshopPost("/_devshop/orders/1009/cancel", struct{}{}, nil); st != http.StatusOK {
		t.Fatalf("cancel at the demo store: %d", st)
	}
	h.app.Replacements.Follow(context.Background())
	h.app.Replacements.Follow(context.Background())

	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if ro := r.Replacement; ro == nil || ro.State != returns.ReplacementFailed || ro.Problem != "cancelled in Shopify admin" {
		t.Fatalf("replacement after the cancel: %+v", r.Replacement)
	}
	if n := h.countMessages(code, "#1009 was cancelled in Shopify admin"); n != 1 {
		t.Errorf("%d timeline entries tell the cancel, want 1: %q", n, h.eventMessages(code))
	}
	page := h.get(c, "/admin/returns/"+code)
	if !strings.Contains(page.body, `/replacement-order"`) || !strings.Contains(page.body, `/switch-to-refund"`) {
		t.Fatal("the page should offer another replacement order and the switch to a refund")
	}
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusSeeOther {
		t.Fatalf("another replacement order: %d\n%s", a.status, a.body)
	}
	r, _ = h.store.ReturnByCode(context.Background(), code)
	if ro := r.Replacement; ro == nil || ro.State != returns.ReplacementOrdered || ro.Order.Name != "#1010" {
		t.Fatalf("replacement after another press: %+v", r.Replacement)
	}
}

// A fulfilment cancelled in Shopify after the customer was told it shipped
// is shown to staff on the timeline, once; the replacement is delivered with
// the parcel that did go out.
func TestReplacementFulfilmentCancelledAfterShipping(t *testing.T) {
	h := newHarness(t, nil)
	h.subscribe()
	c := h.staff("kim@example.com")
	code := h.orderedReplacement(c)
	var f1 struct{ Number int64 }
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments", map[string]string{"company": "DPD", "number": "05212345678901"}, &f1); st != http.StatusCreated {
		t.Fatalf("fulfil: %d", st)
	}
	h.deliver()
	if st := h.returnStatus(code); st != returns.StatusReplacementShipped {
		t.Fatalf("after the fulfilment: %s", st)
	}
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments/"+strconv.FormatInt(f1.Number, 10)+"/cancel", struct{}{}, nil); st != http.StatusOK {
		t.Fatalf("cancel the fulfilment: %d", st)
	}
	h.deliver()
	h.app.Replacements.Follow(context.Background())
	want := "The fulfilment of #1009 sent with DPD 05212345678901 was cancelled in Shopify"
	if n := h.countMessages(code, want); n != 1 {
		t.Fatalf("%d timeline entries tell the cancelled fulfilment, want 1: %q", n, h.eventMessages(code))
	}
	var f2 struct{ Number int64 }
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments", map[string]string{"company": "DPD", "number": "05299999999999"}, &f2); st != http.StatusCreated {
		t.Fatalf("fulfil again: %d", st)
	}
	h.deliver()
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments/"+strconv.FormatInt(f2.Number, 10)+"/events", map[string]string{"status": "delivered"}, nil); st != http.StatusOK {
		t.Fatalf("delivered: %d", st)
	}
	h.deliver()
	if st := h.returnStatus(code); st != returns.StatusClosed {
		t.Errorf("after the second parcel's delivery: %s, want closed", st)
	}
	if n := h.countMessages(code, want); n != 1 {
		t.Errorf("%d timeline entries tell the cancelled fulfilment, want 1", n)
	}
}

// The pass stops asking about a replacement shipped more than 60 days ago
// whose carrier never reported its delivery, and says so once; until then
// each check sends the row to the back of the pass's queue.
func TestReplacementFollowStopsAfterSixtyDays(t *testing.T) {
	h := newHarness(t, nil)
	clk := h.useClock()
	h.subscribe()
	c := h.staff("kim@example.com")
	code := h.orderedReplacement(c)
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments", map[string]string{"company": "DPD", "number": "05212345678901"}, nil); st != http.StatusCreated {
		t.Fatalf("fulfil: %d", st)
	}
	h.deliver()
	if st := h.returnStatus(code); st != returns.StatusReplacementShipped {
		t.Fatalf("after the fulfilment: %s", st)
	}
	ctx := context.Background()
	clk.Add(59 * 24 * time.Hour)
	h.app.Replacements.Follow(ctx)
	if rs, err := h.store.ReplacementsToFollow(ctx, 10); err != nil || len(rs) != 1 {
		t.Fatalf("followed at 59 days: %d, %v", len(rs), err)
	}
	clk.Add(2 * 24 * time.Hour)
	h.app.Replacements.Follow(ctx)
	h.app.Replacements.Follow(ctx)
	if n := h.countMessages(code, "stopped checking"); n != 1 {
		t.Fatalf("%d timeline entries say the pass stopped, want 1: %q", n, h.eventMessages(code))
	}
	if rs, err := h.store.ReplacementsToFollow(ctx, 10); err != nil || len(rs) != 0 {
		t.Fatalf("followed at 61 days: %d, %v", len(rs), err)
	}
	if st := h.returnStatus(code); st != returns.StatusReplacementShipped {
		t.Errorf("the return moved: %s", st)
	}
}
