package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// partialReason is staff's reason for refunding the scarf (worth 49.00) less,
// which the customer is shown.
const partialReason = "The scarf came back worn."

// nativeHarness is a harness whose portal drives Shopify's own returns at the
// demo store, as the server does: syncShop runs the background pass at once.
func nativeHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, nil)
	h.deps.ShopReturns = h.deps.Shop.(returns.ShopReturns)
	h.rebuild()
	return h
}

// syncShop brings the demo store's returns in step with the portal's, as the
// background pass does.
func (h *harness) syncShop() {
	h.t.Helper()
	h.app.ShopReturns.Flush(context.Background())
}

// shopReturnStatus is the status of the order's only Shopify return.
func (h *harness) shopReturnStatus(order string) string {
	h.t.Helper()
	o, _ := h.shop.OrderByName(order)
	if len(o.Returns) != 1 {
		h.t.Fatalf("%s has %d Shopify returns, want 1", order, len(o.Returns))
	}
	return o.Returns[0].Status
}

// TestPartialRefund: staff refund the scarf (worth €49.00) €29.00 only with a
// reason; the customer's page and email say "€29.00 of €49.00 refunded" with
// it, and the Shopify return stays open until staff close the return. A full
// refund needs no reason and closes the Shopify return by itself.
func TestPartialRefund(t *testing.T) {
	h := nativeHarness(t)
	staff := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	for _, action := range []string{"approve", "receive"} {
		if a := h.action(staff, code, action, nil); a.status != http.StatusSeeOther {
			t.Fatalf("%s: status %d", action, a.status)
		}
	}
	h.syncShop()
	if got := h.shopReturnStatus("#1002"); got != "OPEN" {
		t.Fatalf("Shopify return %s, want OPEN", got)
	}

	key, amount := refundKey(t, h, staff, code)
	if amount != "49.00" {
		t.Fatalf("the refund form offers %s, want the scarf's worth, 49.00", amount)
	}
	a := h.action(staff, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {"  "}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `id="refund-partial_reason-error">Say why the refund is less than the items are worth. The customer sees it.</p>`) ||
		!strings.Contains(a.body, `aria-describedby="refund-partial_reason-hint refund-partial_reason-error" aria-invalid="true"`) {
		t.Fatalf("a partial refund without a reason: status %d, want 422 with the field's error\n%s", a.status, a.body)
	}
	if o, _ := h.shop.OrderByName("#1002"); len(o.Refunds) != 0 {
		t.Fatalf("refunds at the demo store %+v, want none", o.Refunds)
	}
	if a := h.action(staff, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}}); a.status != http.StatusSeeOther {
		t.Fatalf("partial refund: status %d\n%s", a.status, a.body)
	}
	h.syncShop()
	if o, _ := h.shop.OrderByName("#1002"); len(o.Refunds) != 1 || o.Refunds[0].Amount != "29.00" {
		t.Fatalf("refunds at the demo store %+v, want one of 29.00", o.Refunds)
	}
	if got := h.shopReturnStatus("#1002"); got != "OPEN" {
		t.Fatalf("after a partial refund the Shopify return is %s, want OPEN until staff close it", got)
	}

	// The staff's ledger shows what the customer was told.
	if a := h.get(staff, "/admin/returns/"+code); !strings.Contains(a.body, "of €49.00; the customer was told: "+partialReason) {
		t.Errorf("the staff's ledger does not show the partial refund's reason:\n%s", a.body)
	}
	// The customer's page and email say how much of what, and why.
	customer := h.client()
	h.lookup(customer, "1002", "sam.taylor@example.com")
	page := h.get(customer, "/returns/"+code)
	if !strings.Contains(page.body, "€29.00 of €49.00 refunded") || !strings.Contains(page.body, "Why not the full amount:") || !strings.Contains(page.body, partialReason) {
		t.Errorf("the customer's page does not tell the partial refund:\n%s", page.body)
	}
	var email *returns.OutboxMessage
	for _, m := range h.outbox(t) {
		if m.Kind == returns.EmailRefunded {
			email = &m
		}
	}
	if email == nil || email.Subject != "Return "+code+": €29.00 of €49.00 refunded" || !strings.Contains(email.Text, partialReason) || !strings.Contains(email.HTML, partialReason) {
		t.Errorf("refund email %+v, want €29.00 of €49.00 with the reason", email)
	}

	if a := h.action(staff, code, "close", nil); a.status != http.StatusSeeOther {
		t.Fatalf("close: status %d", a.status)
	}
	h.syncShop()
	if got := h.shopReturnStatus("#1002"); got != "CLOSED" {
		t.Fatalf("after staff closed the return the Shopify return is %s, want CLOSED", got)
	}

	t.Run("FullRefundClosesShopifyReturn", func(t *testing.T) {
		h := nativeHarness(t)
		staff := h.staff("kim@example.com")
		code := h.dissatisfiedScarf()
		h.action(staff, code, "approve", nil)
		h.action(staff, code, "receive", nil)
		key, _ := refundKey(t, h, staff, code)
		if a := h.action(staff, code, "refund", url.Values{"amount": {"49.00"}, "key": {key}}); a.status != http.StatusSeeOther {
			t.Fatalf("full refund: status %d\n%s", a.status, a.body)
		}
		h.syncShop()
		if got := h.shopReturnStatus("#1002"); got != "CLOSED" {
			t.Errorf("after a full refund the Shopify return is %s, want CLOSED", got)
		}
		customer := h.client()
		h.lookup(customer, "1002", "sam.taylor@example.com")
		if page := h.get(customer, "/returns/"+code); !strings.Contains(page.body, "We refunded €49.00 to your original payment method.") || strings.Contains(page.body, " of €49.00") {
			t.Errorf("the customer's page does not read as a full refund:\n%s", page.body)
		}
	})
}
