package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
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

// devshopPost acts at the demo store as the merchant or the warehouse would,
// through its /_devshop/ API, and decodes its answer into out (when not nil).
func (h *harness) devshopPost(path string, body any, out any) int {
	h.t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+path, bytes.NewReader(b))
	req.RemoteAddr = "127.0.0.1:40000" // the API answers loopback alone
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.shop.ServeHTTP(rec, req)
	if out != nil && rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			h.t.Fatalf("%s: %v\n%s", path, err, rec.Body)
		}
	}
	return rec.Code
}

// The seed's first story, with the replacement as a real Shopify order: the
// warehouse ships it with a DPD number, and the customer gets the tracking
// link without anyone typing it into the portal; the delivery closes the
// return.
func TestReplacementOrderFollowedFromItsFulfilment(t *testing.T) {
	h := newHarness(t, nil)
	h.subscribe()
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)

	page := h.get(c, "/admin/returns/"+code)
	if !strings.Contains(page.body, `action="/admin/returns/`+code+`/replacement-order"`) {
		t.Fatal("no replacement order form on an approved replacement request")
	}
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusSeeOther {
		t.Fatalf("replacement order: %d\n%s", a.status, a.body)
	}
	o, ok := h.shop.OrderByName("#1009")
	if !ok || !slices.Contains(o.Tags, returns.TagReplacementOrder) || o.TotalReceived != "0.00" || !strings.Contains(o.Note, code) {
		t.Fatalf("replacement order at the demo store: %+v, %v", o, ok)
	}
	if _, ok := h.shop.OrderByName("#1010"); ok {
		t.Fatal("two orders made")
	}
	// A second press makes nothing more.
	if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusConflict && a.status != http.StatusSeeOther {
		t.Errorf("second press: %d", a.status)
	}
	if _, ok := h.shop.OrderByName("#1010"); ok {
		t.Fatal("a second press made a second order")
	}
	page = h.get(c, "/admin/returns/"+code)
	if !strings.Contains(page.body, "#1009") || strings.Contains(page.body, `/replacement-order"`) {
		t.Error("the page should name #1009 and offer no second replacement order")
	}
	if p := h.customerPage(t, code); !strings.Contains(p, "order #1009") {
		t.Error("the customer's page does not say the replacement is being packed")
	}

	// The warehouse ships #1009 with DPD.
	var f struct{ Number int64 }
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments", map[string]string{"company": "DPD", "number": "05212345678901"}, &f); st != http.StatusCreated {
		t.Fatalf("fulfil at the demo store: %d", st)
	}
	h.deliver()
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != returns.StatusReplacementShipped || len(r.Shipments) != 1 {
		t.Fatalf("after the fulfilment: %s with %d shipments", r.Status, len(r.Shipments))
	}
	sh := r.Shipments[0]
	if sh.Carrier != "dpd" || sh.Number != "05212345678901" || !strings.HasSuffix(sh.TrackingURL, "05212345678901") || sh.FulfillmentID == "" {
		t.Errorf("shipment %+v", sh)
	}
	m := h.emailOf(t, code, returns.EmailReplacementShipped)
	if !strings.Contains(m.Text, "05212345678901") || !strings.Contains(m.HTML, sh.TrackingURL) {
		t.Errorf("the shipped email lacks the number or the tracking link:\n%s", m.Text)
	}
	if p := h.customerPage(t, code); !strings.Contains(p, sh.TrackingURL) || !strings.Contains(p, "DPD 05212345678901") {
		t.Error("the customer's page lacks the tracking link")
	}
	orig, _ := h.shop.OrderByName("#1001")
	line := code + ": item damaged; replacement sent " + time.Now().UTC().Format(time.DateOnly) + " as order #1009, DPD 05212345678901"
	if !strings.Contains(orig.Note, line) {
		t.Errorf("#1001's note lacks %q:\n%s", line, orig.Note)
	}

	// A repeated webhook changes nothing; the delivery closes the return.
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments/"+strconv.FormatInt(f.Number, 10)+"/events", map[string]string{"status": "in_transit"}, nil); st != http.StatusOK {
		t.Fatalf("in transit: %d", st)
	}
	h.deliver()
	if r, _ := h.store.ReturnByCode(context.Background(), code); r.Status != returns.StatusReplacementShipped || len(r.Shipments) != 1 {
		t.Fatalf("after in transit: %s with %d shipments", r.Status, len(r.Shipments))
	}
	if st := h.devshopPost("/_devshop/orders/1009/fulfillments/"+strconv.FormatInt(f.Number, 10)+"/events", map[string]string{"status": "delivered"}, nil); st != http.StatusOK {
		t.Fatalf("delivered: %d", st)
	}
	h.deliver()
	if st := h.returnStatus(code); st != returns.StatusClosed {
		t.Errorf("after delivery: %s, want closed", st)
	}
}

// A replacement order whose completion's answer is lost is read back before
// it is completed again: one order, whether staff press again or the
// periodic pass carries on.
func TestReplacementOrderAfterALostAnswer(t *testing.T) {
	for _, resume := range []string{"press again", "periodic pass"} {
		t.Run(resume, func(t *testing.T) {
			var h *harness
			var dropped atomic.Int32
			h = newHarness(t, nil, func(cfg *shopify.Config) {
				// Shopify completes the draft; its answer never arrives.
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					if bytes.Contains(body, []byte("draftOrderComplete")) && dropped.Add(1) == 1 {
						h.shop.ServeHTTP(httptest.NewRecorder(), r)
						conn, _, err := http.NewResponseController(w).Hijack()
						if err == nil {
							conn.Close()
						}
						return
					}
					h.shop.ServeHTTP(w, r)
				}))
				t.Cleanup(srv.Close)
				cfg.Endpoint = srv.URL
			})
			c := h.staff("kim@example.com")
			code := h.damagedTowel()
			h.action(c, code, "approve", nil)
			if a := h.action(c, code, "replacement-order", nil); a.status < 500 {
				t.Fatalf("a lost answer: %d, want the page saying Shopify did not answer", a.status)
			}
			if _, ok := h.shop.OrderByName("#1009"); !ok {
				t.Fatal("the draft was not completed at the demo store")
			}
			if resume == "press again" {
				if a := h.action(c, code, "replacement-order", nil); a.status != http.StatusSeeOther {
					t.Fatalf("second press: %d\n%s", a.status, a.body)
				}
			} else {
				h.app.Replacements.Follow(context.Background())
			}
			if n := dropped.Load(); n != 1 {
				t.Errorf("draftOrderComplete sent %d times, want once", n)
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
		})
	}
}

// Out of stock: Shopify refuses the order, staff are told why and offered
// the product's other variants, and the return can still become a refund.
func TestReplacementOrderOutOfStock(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if st := h.devshopPost("/_devshop/variants/100101/stock", map[string]int{"available": 0}, nil); st != http.StatusOK {
		t.Fatalf("set stock: %d", st)
	}
	a := h.action(c, code, "replacement-order", nil)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "out of stock") {
		t.Fatalf("out of stock: %d\n%s", a.status, a.body)
	}
	if _, ok := h.shop.OrderByName("#1009"); ok {
		t.Fatal("an order was made")
	}
	page := h.get(c, "/admin/returns/"+code)
	if !strings.Contains(page.body, "out of stock") || !strings.Contains(page.body, "Grey") || !strings.Contains(page.body, `/switch-to-refund"`) {
		t.Fatalf("the page should say why, offer Grey and the switch:\n%s", page.body)
	}
	name := regexp.MustCompile(`name="(variant_[^"]+)"`).FindStringSubmatch(page.body)
	grey := regexp.MustCompile(`<option value="([^"]+)"[^>]*>Grey`).FindStringSubmatch(page.body)
	if name == nil || grey == nil {
		t.Fatal("no variant choice on the page")
	}
	if a := h.action(c, code, "replacement-order", url.Values{name[1]: {grey[1]}}); a.status != http.StatusSeeOther {
		t.Fatalf("with Grey: %d\n%s", a.status, a.body)
	}
	if o, ok := h.shop.OrderByName("#1009"); !ok || o.Refundable != "0.00" {
		t.Fatalf("the order with Grey: %+v %v", o, ok)
	}
}

// Only a replacement request is shipped a replacement by hand, and not one
// whose replacement is a Shopify order: the server refuses what the page
// does not offer (a stale tab, a crafted post), and stores nothing.
func TestHandShipmentOnlyForAReplacementRequest(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	dpd := url.Values{"carrier": {"dpd"}, "number": {"05212345678901"}}

	withdrawal := h.withdraw(scarf1002)
	switched := h.damagedTowel()
	h.action(c, switched, "approve", nil)
	h.action(c, switched, "switch-to-refund", url.Values{"switch_reason": {"Sold out."}})
	ordered := h.submitReturn("1001", "anna.berzina@example.lv", "Ceramic mug",
		field("kind", "damaged"), field("description", "Chipped."), field("resolution", "replacement"))
	h.action(c, ordered, "approve", nil)
	if a := h.action(c, ordered, "replacement-order", nil); a.status != http.StatusSeeOther {
		t.Fatalf("replacement order: %d\n%s", a.status, a.body)
	}
	for name, code := range map[string]string{"a withdrawal": withdrawal, "a return switched to a refund": switched, "a return with a replacement order": ordered} {
		if page := h.get(c, "/admin/returns/"+code); strings.Contains(page.body, `/ship"`) {
			t.Errorf("%s offers a hand shipment", name)
		}
		if a := h.action(c, code, "ship", dpd); a.status != http.StatusConflict {
			t.Errorf("hand shipment of %s: %d, want 409", name, a.status)
		}
		if r, _ := h.store.ReturnByCode(context.Background(), code); r.Status == returns.StatusReplacementShipped || len(r.Shipments) != 0 {
			t.Errorf("%s was shipped: %s, %d shipments", name, r.Status, len(r.Shipments))
		}
	}
}
