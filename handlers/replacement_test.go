package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// A replacement request offers no refund: the refund form is not on its
// page and a refund posted anyway is refused, until staff switch it to a
// refund with a reason, which the customer is told on their page and by
// email.
func TestReplacementRequestIsRefundedOnlyAfterASwitch(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)

	page := h.get(c, "/admin/returns/"+code)
	if strings.Contains(page.body, `action="/admin/returns/`+code+`/refund"`) {
		t.Error("the page of an approved replacement request offers a refund")
	}
	if !strings.Contains(page.body, `action="/admin/returns/`+code+`/switch-to-refund"`) {
		t.Fatal("no switch to a refund on the page")
	}
	a := h.action(c, code, "refund", url.Values{"key": {strings.Repeat("ab", 16)}, "amount": {"29.00"}})
	if a.status != http.StatusConflict || !strings.Contains(a.body, "Switch it to a refund first") {
		t.Errorf("refund of a replacement request: %d, want 409 with the reason", a.status)
	}
	if snap, _ := h.shop.OrderByName("#1001"); len(snap.Refunds) != 0 {
		t.Fatalf("%d refunds at the demo store", len(snap.Refunds))
	}

	// A switch needs its reason.
	if a := h.action(c, code, "switch-to-refund", url.Values{"switch_reason": {"  "}}); a.status != http.StatusUnprocessableEntity {
		t.Errorf("switch without a reason: %d, want 422", a.status)
	}
	if a := h.action(c, code, "switch-to-refund", url.Values{"switch_reason": {"This colour is sold out."}}); a.status != http.StatusSeeOther {
		t.Fatalf("switch: %d\n%s", a.status, a.body)
	}
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if r.Resolution != returns.ResolutionRefund || r.Status != returns.StatusApproved {
		t.Errorf("after the switch: %s, %s", r.Resolution, r.Status)
	}
	page = h.get(c, "/admin/returns/"+code)
	if !strings.Contains(page.body, `action="/admin/returns/`+code+`/refund"`) || strings.Contains(page.body, `/switch-to-refund"`) {
		t.Error("after the switch the page should offer the refund and no switch")
	}
	// Twice is refused: it is a refund request now.
	if a := h.action(c, code, "switch-to-refund", url.Values{"switch_reason": {"Again."}}); a.status != http.StatusConflict {
		t.Errorf("second switch: %d, want 409", a.status)
	}
	// The customer is told why, by email and on their page.
	m := h.emailOf(t, code, returns.EmailSwitchedToRefund)
	if m.To != "anna.berzina@example.lv" || !strings.Contains(m.Subject, "a refund instead of a replacement") || !strings.Contains(m.Text, "This colour is sold out.") {
		t.Errorf("switch email to %s: %q\n%s", m.To, m.Subject, m.Text)
	}
	if p := h.customerPage(t, code); !strings.Contains(p, "A refund instead of a replacement") || !strings.Contains(p, "This colour is sold out.") {
		t.Error("the customer's page does not tell the switch and its reason")
	}
}
