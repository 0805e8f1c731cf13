package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
)

// startLink is the signed link the store's emails carry for an order number
// and email.
func startLink(number, email string) string {
	return "/start?" + url.Values{"order": {number}, "email": {email}, "sig": {returns.LinkSignature(linkSecret, number, email)}}.Encode()
}

// TestSignedLinkIsNeverRateLimited: strangers' wrong lookups use up #1001's
// per-order limit, yet the signed link from the customer's email opens the
// order, every time it is clicked: a verified signature is proof, not a guess.
func TestSignedLinkIsNeverRateLimited(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 1000, PerIPHour: 1000, PerOrderHour: 10})
	stranger := h.client()
	for i := 0; i < 12; i++ {
		a := h.postForm(stranger, "/", url.Values{"order": {"1001"}, "email": {"eve@example.com"}})
		want := http.StatusUnprocessableEntity
		if i >= 10 {
			want = http.StatusTooManyRequests
		}
		if a.status != want {
			t.Fatalf("wrong lookup %d: status %d, want %d", i+1, a.status, want)
		}
	}
	customer := h.client()
	for i := 0; i < 3; i++ {
		a := h.get(customer, startLink("1001", "anna.berzina@example.lv"))
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
			t.Fatalf("signed link, click %d, after the order's limit was used up: status %d, location %q", i+1, a.status, a.header.Get("Location"))
		}
	}
	if a := h.get(customer, "/order"); a.status != http.StatusOK {
		t.Fatalf("order page after the signed link: status %d", a.status)
	}
}

// TestBadSignatureCountsAsALookup: a start link whose signature does not verify
// is a guess like a typed lookup, and uses up the same limits.
func TestBadSignatureCountsAsALookup(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 1000, PerIPHour: 1000, PerOrderHour: 3})
	c := h.client()
	for i := 0; i < 3; i++ {
		q := url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}, "sig": {returns.LinkSignature("another secret", "1001", "anna.berzina@example.lv")}}
		if a := h.get(c, "/start?"+q.Encode()); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad signature %d: status %d, want 422", i+1, a.status)
		}
	}
	a := h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("typed lookup after 3 bad signatures with a limit of 3: status %d, want 429", a.status)
	}
}
