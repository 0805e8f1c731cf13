package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// dpdLink is DPD's tracking page of the scarf's parcel.
const dpdLink = "https://tracking.dpd.de/status/en_US/parcel/05212345678901"

// TestCustomerParcel: on an approved return's status page the customer tells
// the carrier and tracking number of the parcel they sent (checked as staff's
// shipments are); both sides see a tracking link, and the parcel becomes one
// reverse delivery on the Shopify return — later, when Shopify was down, and
// once, when its answer was lost.
func TestCustomerParcel(t *testing.T) {
	ctx := context.Background()
	h := nativeHarness(t)
	staff := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	customer := h.client()
	h.lookup(customer, "1002", "sam.taylor@example.com")
	if page := h.get(customer, "/returns/"+code); strings.Contains(page.body, `action="/returns/`+code+`/parcel"`) {
		t.Fatalf("the parcel form is offered before the return is approved")
	}
	if a := h.action(staff, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	h.syncShop()
	if got := h.shopReturnStatus("#1002"); got != "OPEN" {
		t.Fatalf("Shopify return %s, want OPEN", got)
	}
	page := h.get(customer, "/returns/"+code)
	if !strings.Contains(page.body, `<form method="post" action="/returns/`+code+`/parcel"`) || !strings.Contains(page.body, `<label for="number">Tracking number</label>`) {
		t.Fatalf("no parcel form on the approved return's page:\n%s", page.body)
	}

	// Mistakes come back on the page, field by field, as on staff's form.
	a := h.postForm(customer, "/returns/"+code+"/parcel", url.Values{"carrier": {"pigeon"}, "number": {"0521 2345"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `<p class="error" id="carrier-error">Choose a carrier.</p>`) ||
		!strings.Contains(a.body, `<p class="error" id="number-error">Enter the tracking number without spaces.</p>`) ||
		!strings.Contains(a.body, `value="0521 2345"`) {
		t.Fatalf("a wrong parcel form: status %d, want 422 with each field's message\n%s", a.status, a.body)
	}
	a = h.postForm(customer, "/returns/"+code+"/parcel", url.Values{"carrier": {"other"}, "number": {"AB123"}, "tracking_url": {"javascript:alert(1)"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Enter the carrier’s name.") || !strings.Contains(a.body, "Enter the tracking page’s address, starting with https://.") {
		t.Fatalf("another carrier without a name or page: status %d\n%s", a.status, a.body)
	}

	emails := len(h.outbox(t))
	// Shopify is down when the customer saves it: the portal keeps it.
	h.shop.FailNext(1000, http.StatusServiceUnavailable)
	if a := h.postForm(customer, "/returns/"+code+"/parcel", url.Values{"carrier": {"dpd"}, "number": {" 05212345678901 "}}); a.status != http.StatusSeeOther || a.header.Get("Location") != "/returns/"+code {
		t.Fatalf("parcel: status %d location %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	h.syncShop()
	h.shop.FailNext(0, 0)
	page = h.get(customer, "/returns/"+code)
	if !strings.Contains(page.body, "You sent the parcel: DPD 05212345678901") || !strings.Contains(page.body, `href="`+dpdLink+`"`) ||
		strings.Contains(page.body, `/parcel"`) || !strings.Contains(page.body, "You sent the parcel</li>") {
		t.Errorf("the customer's page does not show the parcel with its tracking link and timeline entry, or still offers the form:\n%s", page.body)
	}
	if a := h.get(staff, "/admin/returns/"+code); !strings.Contains(a.body, `<a href="`+dpdLink+`" rel="noopener noreferrer">05212345678901</a>`) ||
		!strings.Contains(a.body, "Not yet: it is sent automatically.") {
		t.Errorf("the staff's page does not show the parcel waiting for Shopify:\n%s", a.body)
	}
	if got := len(h.outbox(t)); got != emails {
		t.Errorf("the parcel queued %d emails, want none", got-emails)
	}
	if a := h.postForm(customer, "/returns/"+code+"/parcel", url.Values{"carrier": {"dhl"}, "number": {"99"}}); a.status != http.StatusConflict {
		t.Errorf("a second parcel: status %d, want 409", a.status)
	}
	o, _ := h.shop.OrderByName("#1002")
	if n := len(o.Returns[0].Deliveries); n != 0 {
		t.Fatalf("%d reverse deliveries while Shopify was down", n)
	}

	// Back up, but the answer to the delivery is lost after Shopify made it:
	// the next pass finds it by its number rather than making another.
	ret, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	h.shop.DropAfterCommit(1)
	if err := h.app.ShopReturns.Sync(ctx, ret.ID); returns.ErrorCode(err) != returns.EUNKNOWN {
		t.Fatalf("sync with a lost answer = %v, want EUNKNOWN", err)
	}
	for range 2 {
		if err := h.app.ShopReturns.Sync(ctx, ret.ID); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}
	o, _ = h.shop.OrderByName("#1002")
	sr := o.Returns[0]
	if len(sr.Deliveries) != 1 {
		t.Fatalf("reverse deliveries %+v, want exactly one", sr.Deliveries)
	}
	d := sr.Deliveries[0]
	if d.TrackingNumber != "05212345678901" || d.TrackingURL != dpdLink || d.CarrierName != "DPD" ||
		len(d.Lines) != 1 || d.Lines[sr.Lines[0].ReverseLineItem] != 1 {
		t.Errorf("reverse delivery %+v, want the parcel's tracking and the return's one unit", d)
	}
	if ret, _ = h.store.ReturnByCode(ctx, code); ret.Parcel == nil || ret.Parcel.ReverseDeliveryID != d.ID {
		t.Errorf("parcel %+v, want it recorded as reverse delivery %s", ret.Parcel, d.ID)
	}
	if a := h.get(staff, "/admin/returns/"+code); !strings.Contains(a.body, "On the Shopify return") {
		t.Errorf("the staff's page does not say the parcel is on the Shopify return:\n%s", a.body)
	}
}

// TestCustomerParcelRefusedByShopify: a parcel Shopify will not take (its
// return was closed in Shopify admin meanwhile) stays in the portal, staff
// see why, and it is not asked for again.
func TestCustomerParcelRefusedByShopify(t *testing.T) {
	ctx := context.Background()
	h := nativeHarness(t)
	staff := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	h.action(staff, code, "approve", nil)
	h.syncShop()
	o, _ := h.shop.OrderByName("#1002")
	if _, err := h.shop.CloseReturn(o.Returns[0].ID); err != nil {
		t.Fatal(err)
	}
	customer := h.client()
	h.lookup(customer, "1002", "sam.taylor@example.com")
	if a := h.postForm(customer, "/returns/"+code+"/parcel", url.Values{"carrier": {"omniva"}, "number": {"CC123456789EE"}}); a.status != http.StatusSeeOther {
		t.Fatalf("parcel: status %d\n%s", a.status, a.body)
	}
	ret, _ := h.store.ReturnByCode(ctx, code)
	if err := h.app.ShopReturns.Sync(ctx, ret.ID); err != nil {
		t.Fatalf("sync = %v, want the refusal recorded", err)
	}
	calls := h.shop.Calls()
	if err := h.app.ShopReturns.Sync(ctx, ret.ID); err != nil {
		t.Fatal(err)
	}
	if ret, _ = h.store.ReturnByCode(ctx, code); ret.Parcel == nil || ret.Parcel.ReverseDeliveryID != "" || ret.Parcel.ShopifyError == "" {
		t.Fatalf("parcel %+v, want Shopify's refusal recorded", ret.Parcel)
	}
	if got := h.shop.Calls() - calls; got != 0 {
		t.Errorf("the refused parcel was sent again: %d calls to the demo store", got)
	}
	if a := h.get(staff, "/admin/returns/"+code); !strings.Contains(a.body, "Not on the Shopify return: ") {
		t.Errorf("the staff's page does not say Shopify refused the parcel:\n%s", a.body)
	}
}
