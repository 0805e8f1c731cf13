package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

// impatientShopify makes the adapter give up quickly: short timeouts, one retry,
// short waits, so that a test of Shopify failing runs in a second.
func impatientShopify(c *shopify.Config) {
	c.Timeout = 500 * time.Millisecond
	c.MaxAttempts = 2
	c.RetryWait = time.Millisecond
	c.MaxRetryWait = 20 * time.Millisecond
}

// shopFault is one way the demo store misbehaves, and how it recovers.
type shopFault struct {
	name    string
	on, off func(*devshop.Shop)
}

var shopFaults = []shopFault{
	{"THROTTLED", func(s *devshop.Shop) { s.SetThrottled(true) }, func(s *devshop.Shop) { s.SetThrottled(false) }},
	{"429 with Retry-After", func(s *devshop.Shop) { s.FailNext(1000, http.StatusTooManyRequests) }, func(s *devshop.Shop) { s.FailNext(0, 0) }},
	{"500", func(s *devshop.Shop) { s.FailNext(1000, http.StatusInternalServerError) }, func(s *devshop.Shop) { s.FailNext(0, 0) }},
	{"502", func(s *devshop.Shop) { s.FailNext(1000, http.StatusBadGateway) }, func(s *devshop.Shop) { s.FailNext(0, 0) }},
	{"503", func(s *devshop.Shop) { s.FailNext(1000, http.StatusServiceUnavailable) }, func(s *devshop.Shop) { s.FailNext(0, 0) }},
	{"slower than the timeout", func(s *devshop.Shop) { s.SetDelay(3 * time.Second) }, func(s *devshop.Shop) { s.SetDelay(0) }},
	{"malformed JSON", func(s *devshop.Shop) { s.SetMalformed(1000) }, func(s *devshop.Shop) { s.SetMalformed(0) }},
}

// checkTryAgain fails unless a is the friendly "try again shortly" page.
func checkTryAgain(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" {
		t.Errorf("%s: status %d, Retry-After %q; want 503 with Retry-After\n%s", what, a.status, a.header.Get("Retry-After"), a.body)
	}
	if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(a.body, "try again") {
		t.Errorf("%s: not the try-again page:\n%s", what, a.body)
	}
	if leak := leaksGoText(a.body); leak != "" {
		t.Errorf("%s: the page shows %q:\n%s", what, leak, a.body)
	}
}

// TestShopifyFailingShowsFriendlyPagesAndLosesNothing: while Shopify throttles,
// fails, hangs or answers garbage, customers get a friendly page to try again
// shortly, staff see on the return page that the order facts are missing, a
// submission that failed stores nothing, and the same form sent again once
// Shopify is back makes one return.
func TestShopifyFailingShowsFriendlyPagesAndLosesNothing(t *testing.T) {
	for _, f := range shopFaults {
		t.Run(f.name, func(t *testing.T) {
			h, logs := newLoggedHarness(t, nil, impatientShopify)
			ctx := context.Background()
			scarf := h.dissatisfiedScarf()
			staff := h.staff("kim@example.com")
			cust := h.client()
			h.lookup(cust, "1001", "anna.berzina@example.lv")
			towelOrder := orderID(t, h, "1001", "anna.berzina@example.lv")
			key, lines := h.orderForm(cust)
			towel := lines["Linen tea towel"]
			form := []part{
				field("key", key), field("kind", "damaged"), field("description", "Torn."), field("resolution", "refund"),
				field("line", towel), field("qty-"+towel, "1"),
				{name: "photos", filename: "towel.jpg", data: jpegBytes(t, 64, 48)},
			}

			f.on(h.shop)
			stranger := h.client()
			checkTryAgain(t, "lookup", h.postForm(stranger, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}}))
			if a := h.get(stranger, "/order"); a.status != http.StatusSeeOther {
				t.Errorf("a lookup that failed proved the order: %d", a.status)
			}
			checkTryAgain(t, "submission", h.postMultipart(cust, "/order/returns", form))
			if n := countReturns(t, h, towelOrder); n != 0 {
				t.Errorf("a submission that failed stored %d returns", n)
			}
			page := h.get(staff, "/admin/returns/"+scarf)
			if page.status != http.StatusOK || !strings.Contains(page.body, "Shopify did not answer; order facts are missing.") {
				t.Errorf("staff return page: status %d, without the warning that order facts are missing", page.status)
			}
			if leak := leaksGoText(page.body); leak != "" {
				t.Errorf("staff return page shows %q", leak)
			}
			f.off(h.shop)

			if !strings.Contains(logs.String(), "dependency unavailable") {
				t.Errorf("the log does not say a dependency failed:\n%s", logs)
			}
			// Shopify is back: the same form makes its return, once.
			a := h.postMultipart(cust, "/order/returns", form)
			code := returnCodeRe.FindString(a.header.Get("Location"))
			if a.status != http.StatusSeeOther || code == "" {
				t.Fatalf("the same form after recovery: status %d\n%s", a.status, a.body)
			}
			if again := h.postMultipart(cust, "/order/returns", form); again.header.Get("Location") != a.header.Get("Location") {
				t.Errorf("a third send: location %q, want %q", again.header.Get("Location"), a.header.Get("Location"))
			}
			rs, err := h.store.ReturnsByOrder(ctx, towelOrder)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || len(rs[0].Photos) != 1 {
				t.Fatalf("after recovery: %d returns (want 1)", len(rs))
			}
			if snap, _ := h.shop.OrderByName("#1001"); strings.Count(snap.Note, "Return "+code+" requested") != 1 {
				t.Errorf("order note %q, want the return's line once", snap.Note)
			}
			if a := h.get(staff, "/admin/returns/"+scarf); strings.Contains(a.body, "order facts are missing") {
				t.Error("the warning stays after Shopify recovered")
			}
		})
	}
}

// TestRefundWhileShopifyFailsIsMadeOnce: a refund asked for while Shopify fails
// is either refused before anything is sent (the order could not be read: 503)
// or recorded as unknown (the refund call itself failed); sending the same form
// again, during the failure and after it, and the reconciler, make exactly one
// refund at Shopify.
func TestRefundWhileShopifyFailsIsMadeOnce(t *testing.T) {
	for _, tc := range []struct {
		fault   shopFault
		unknown bool // the refund call itself failed, rather than the read before it
	}{
		{shopFault{"5xx on the refund call", func(s *devshop.Shop) { s.FailMutations(1000, http.StatusInternalServerError) }, func(s *devshop.Shop) { s.FailMutations(0, 0) }}, true},
		{shopFaults[2], false}, // 500 on everything
		{shopFaults[4], false}, // 503 on everything
		{shopFaults[5], false}, // slower than the timeout
		{shopFaults[6], false}, // malformed JSON
		{shopFaults[0], false}, // THROTTLED
	} {
		t.Run(tc.fault.name, func(t *testing.T) {
			h, _ := newLoggedHarness(t, nil, impatientShopify)
			ctx := context.Background()
			c := h.staff("kim@example.com")
			code := h.dissatisfiedScarf()
			if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
				t.Fatalf("approve: %d", a.status)
			}
			key, _ := refundKey(t, h, c, code)
			form := url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}}

			tc.fault.on(h.shop)
			for try := 1; try <= 2; try++ {
				a := h.action(c, code, "refund", form)
				if tc.unknown {
					if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done=refund-unknown") {
						t.Fatalf("try %d: status %d location %q, want the refund recorded as unknown", try, a.status, a.header.Get("Location"))
					}
					if p := h.get(c, a.header.Get("Location")); !strings.Contains(p.body, "Shopify did not confirm the refund") {
						t.Errorf("try %d: the return page does not say the refund is unconfirmed", try)
					}
				} else {
					checkTryAgain(t, "refund", a)
				}
			}
			if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 0 {
				t.Fatalf("refunds at Shopify while it failed: %+v", snap.Refunds)
			}
			tc.fault.off(h.shop)

			h.app.Refunds.ReconcileRefunds(ctx)
			if a := h.action(c, code, "refund", form); a.status != http.StatusSeeOther {
				t.Fatalf("the same form after recovery: status %d\n%s", a.status, a.body)
			}
			h.app.Refunds.ReconcileRefunds(ctx)
			h.action(c, code, "refund", form)
			snap, _ := h.shop.OrderByName("#1002")
			if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "29.00" {
				t.Fatalf("refunds at Shopify %+v, want one of 29.00", snap.Refunds)
			}
			r, _ := h.store.ReturnByCode(ctx, code)
			refs, _ := h.store.RefundsByReturn(ctx, r.ID)
			if len(refs) != 1 || refs[0].State != returns.RefundSucceeded || refs[0].ShopifyID != snap.Refunds[0].ID {
				t.Fatalf("ledger %+v, want the one refund Shopify has", refs)
			}
			if st := h.returnStatus(code); st != returns.StatusRefunded {
				t.Errorf("status %s, want refunded", st)
			}
			checkRefundKeys(t, h, code, "#1002", key)
		})
	}
}
