package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

// openDrafts returns the drafts the demo store holds open.
func (h *harness) openDrafts() []devshop.DraftSnapshot {
	var out []devshop.DraftSnapshot
	for _, d := range h.shop.Drafts() {
		if d.Status == "OPEN" {
			out = append(out, d)
		}
	}
	return out
}

// dropDraftCreateAnswer makes the demo store create the first draft it is
// asked for and lose its answer; created counts the draftOrderCreate
// mutations that reach it.
func dropDraftCreateAnswer(t *testing.T, h **harness, created *atomic.Int32) func(*shopify.Config) {
	return func(cfg *shopify.Config) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte("draftOrderCreate")) && created.Add(1) == 1 {
				(*h).shop.ServeHTTP(httptest.NewRecorder(), r)
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

// Out of stock, then another variant: one order, and the draft of the
// failed attempt, which Shopify would complete for free in admin, is gone.
func TestReplacementOutOfStockLeavesNoOpenDraft(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if st := h.devshopPost("/_devshop/variants/100101/stock", map[string]int{"available": 0}, nil); st != http.StatusOK {
		t.Fatalf("set stock: %d", st)
	}
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusUnprocessableEntity {
		t.Fatalf("out of stock: %d\n%s", a.status, a.body)
	}
	if n := len(h.openDrafts()); n != 1 {
		t.Fatalf("%d open drafts after the refusal, want the one refused", n)
	}
	if d := h.shop.Drafts()[0]; !slices.Contains(d.Tags, returns.TagReplacementFor(code)) || !slices.Contains(d.Tags, returns.TagReplacementOrder) {
		t.Errorf("the draft's tags %v lack the return's", d.Tags)
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
	if _, ok := h.shop.OrderByName("#1009"); !ok {
		t.Fatal("no order with Grey")
	}
	if _, ok := h.shop.OrderByName("#1010"); ok {
		t.Fatal("two orders made")
	}
	if open := h.openDrafts(); len(open) != 0 {
		t.Errorf("open drafts left in Shopify: %+v", open)
	}
}

// A lost draftOrderCreate answer, then a second press: the draft made is
// found by its tag and completed; no second draft, one order.
func TestReplacementLostDraftCreateAnswer(t *testing.T) {
	var h *harness
	var created atomic.Int32
	h = newHarness(t, nil, dropDraftCreateAnswer(t, &h, &created))
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if a := h.action(c, code, "replacement-order", nil); a.status < 500 {
		t.Fatalf("a lost answer: %d, want the page saying Shopify did not answer", a.status)
	}
	if n := len(h.shop.Drafts()); n != 1 {
		t.Fatalf("%d drafts at the demo store after the lost answer, want 1", n)
	}
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusSeeOther {
		t.Fatalf("second press: %d\n%s", a.status, a.body)
	}
	drafts := h.shop.Drafts()
	if len(drafts) != 1 || drafts[0].Status != "COMPLETED" || drafts[0].Order != "#1009" {
		t.Fatalf("drafts at the demo store: %+v, want the one draft completed as #1009", drafts)
	}
	if n := created.Load(); n != 1 {
		t.Errorf("draftOrderCreate sent %d times, want once", n)
	}
	if _, ok := h.shop.OrderByName("#1010"); ok {
		t.Fatal("a second order was made")
	}
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if ro := r.Replacement; ro == nil || ro.State != returns.ReplacementOrdered || ro.Order.Name != "#1009" {
		t.Fatalf("replacement %+v", r.Replacement)
	}
}

// A draft whose answer was lost and which was then completed (in Shopify
// admin) is the replacement: the next press records its order and neither
// deletes the draft nor makes another.
func TestReplacementCompletedDraftFoundIsRecorded(t *testing.T) {
	var h *harness
	var created atomic.Int32
	h = newHarness(t, nil, dropDraftCreateAnswer(t, &h, &created))
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if a := h.action(c, code, "replacement-order", nil); a.status < 500 {
		t.Fatalf("a lost answer: %d", a.status)
	}
	drafts := h.shop.Drafts()
	if len(drafts) != 1 {
		t.Fatalf("%d drafts, want 1", len(drafts))
	}
	// Someone completes it in Shopify admin.
	order, err := h.deps.Replacements.CompleteDraftOrder(context.Background(), drafts[0].ID)
	if err != nil || order.Name != "#1009" {
		t.Fatalf("complete the draft at the demo store: %+v, %v", order, err)
	}
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusSeeOther {
		t.Fatalf("second press: %d\n%s", a.status, a.body)
	}
	if ds := h.shop.Drafts(); len(ds) != 1 || ds[0].Status != "COMPLETED" {
		t.Fatalf("drafts after the press: %+v, want the completed one kept", ds)
	}
	if _, ok := h.shop.OrderByName("#1010"); ok {
		t.Fatal("a second order was made")
	}
	if n := created.Load(); n != 1 {
		t.Errorf("draftOrderCreate sent %d times, want once", n)
	}
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if ro := r.Replacement; ro == nil || ro.State != returns.ReplacementOrdered || ro.Order.Name != "#1009" || ro.DraftID != drafts[0].ID {
		t.Fatalf("replacement %+v", r.Replacement)
	}
}
