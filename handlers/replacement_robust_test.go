package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"

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
