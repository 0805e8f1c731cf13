package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify"
)

// TestLookupWhileRefundIsHeld: while a staff refund is held at Shopify, a
// customer finds another order and opens it. Liveness, not timing: both must
// finish while the refund is still held, within a generous cap.
func TestLookupWhileRefundIsHeld(t *testing.T) {
	// One attempt per call: a lookup that waited for the refund's call to
	// time out would then find it no longer held, whatever the timing.
	h := newHarness(t, nil, func(c *shopify.Config) { c.MaxAttempts = 1 })
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	key, _ := refundKey(t, h, c, code)

	release := h.shop.HoldMutations()
	defer release()
	refunded := make(chan answer, 1)
	go func() {
		// h.do would call t.Fatal from this goroutine; the answer is
		// checked below instead.
		req, _ := http.NewRequest("POST", h.srv.URL+"/admin/returns/"+code+"/refund",
			strings.NewReader(url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(req)
		if err != nil {
			t.Errorf("refund: %v", err)
			refunded <- answer{}
			return
		}
		res.Body.Close()
		refunded <- answer{status: res.StatusCode, header: res.Header}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for h.shop.Waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the refund never reached the demo store")
		}
		time.Sleep(time.Millisecond)
	}

	looked := make(chan answer, 1)
	cust := h.client()
	go func() {
		req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader(url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := cust.Do(req)
		if err != nil {
			t.Errorf("lookup: %v", err)
			looked <- answer{}
			return
		}
		res.Body.Close()
		looked <- answer{status: res.StatusCode, header: res.Header}
	}()
	select {
	case a := <-looked:
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
			t.Fatalf("lookup while a refund is held: status %d location %q", a.status, a.header.Get("Location"))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lookup did not finish while a refund was held")
	}
	if n := h.shop.Waiting(); n != 1 {
		t.Fatalf("%d mutations held after the lookup, want the refund still held", n)
	}

	release()
	select {
	case a := <-refunded:
		if a.status != http.StatusSeeOther {
			t.Fatalf("refund after release: status %d", a.status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the refund did not finish after release")
	}
	checkRefundKeys(t, h, code, "#1002", key)
}
