package handlers_test

import (
	"context"
	"io"

	returns "github.com/returnsportal/returns"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// available is what the demo store's warehouse holds of #1002's scarf.
func scarvesAtWarehouse(h *harness) int {
	snap, _ := h.shop.OrderByName("#1002")
	for _, inv := range snap.Inventory {
		if inv.LineItem == "gid://shopify/LineItem/100201" && inv.Location == "gid://shopify/Location/7001" {
			return inv.Available
		}
	}
	return -1
}

// TestRefundRestocksAsStaffChoose: the refund form offers, per returned
// item, to put it back into stock, ticked for an item the customer did not
// want; what staff leave ticked or untick is what the refund's processing of
// the Shopify return does.
func TestRefundRestocksAsStaffChoose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		restock bool
		want    string // the disposition at Shopify
	}{
		{"as offered", true, "RESTOCKED"},
		{"unticked: it came back worn", false, "NOT_RESTOCKED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			c := h.staff("kim@example.com")
			code := h.dissatisfiedScarf()
			if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
				t.Fatalf("approve: %d\n%s", a.status, a.body)
			}
			page := h.get(c, "/admin/returns/"+code)
			if !strings.Contains(page.body, `name="restock" value="gid://shopify/LineItem/100201" checked`) {
				t.Fatalf("the refund form does not offer the scarf back into stock, ticked:\n%s", page.body)
			}
			key, _ := refundKey(t, h, c, code)
			before := scarvesAtWarehouse(h)
			form := url.Values{"amount": {"49.00"}, "key": {key}, "restock_shown": {"1"}}
			if tc.restock {
				form.Set("restock", "gid://shopify/LineItem/100201")
			}
			if a := h.action(c, code, "refund", form); a.status != http.StatusSeeOther {
				t.Fatalf("refund: %d\n%s", a.status, a.body)
			}
			snap, _ := h.shop.OrderByName("#1002")
			if len(snap.Returns) != 1 || len(snap.Returns[0].Lines) != 1 || len(snap.Returns[0].Lines[0].Dispositions) != 1 ||
				snap.Returns[0].Lines[0].Dispositions[0].Type != tc.want {
				t.Fatalf("Shopify returns %+v, want the scarf %s", snap.Returns, tc.want)
			}
			wantStock := before
			if tc.restock {
				wantStock++
			}
			if got := scarvesAtWarehouse(h); got != wantStock {
				t.Fatalf("scarves at the warehouse %d, want %d", got, wantStock)
			}
		})
	}
}

// TestRefundAfterTheShopifyReturnWasClosedUnprocessed: staff closed the
// Shopify return in Shopify admin before its units were processed, so the
// refund cannot process them; it goes through refundCreate with the units as
// refund line items (restocked as offered), once, with its key.
func TestRefundAfterTheShopifyReturnWasClosedUnprocessed(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	h.app.ShopReturns.Flush(context.Background())
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Returns) != 1 || snap.Returns[0].Status != "OPEN" {
		t.Fatalf("Shopify returns %+v, want one open", snap.Returns)
	}
	if _, err := h.shop.CloseReturn(snap.Returns[0].ID); err != nil {
		t.Fatal(err)
	}
	key, _ := refundKey(t, h, c, code)
	before := scarvesAtWarehouse(h)
	form := url.Values{"amount": {"49.00"}, "key": {key}, "restock_shown": {"1"}, "restock": {"gid://shopify/LineItem/100201"}}
	if a := h.action(c, code, "refund", form); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	snap, _ = h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 || !onlyKey(snap.Refunds[0].Keys, key) || len(snap.RefundDetails) != 1 || snap.RefundDetails[0].Return != "" {
		t.Fatalf("refunds %+v %+v, want one refundCreate with the form's key", snap.Refunds, snap.RefundDetails)
	}
	if l := snap.RefundDetails[0].Lines; len(l) != 1 || l[0].LineItem != "gid://shopify/LineItem/100201" || l[0].Quantity != 1 || l[0].RestockType != "RETURN" {
		t.Fatalf("refund lines %+v, want the scarf, returned to stock", l)
	}
	if got := scarvesAtWarehouse(h); got != before+1 {
		t.Fatalf("scarves at the warehouse %d, want %d", got, before+1)
	}
}

// TestRefundAsStoreCredit: #1006 has a customer and the demo store can issue
// store credit, so the refund form offers it; chosen, the return's Shopify
// return is processed with the refund as store credit (no money back to the
// card or the gift card), the customer's balance grows, and the customer is
// told so. #1002, without a customer, is not offered it, and a forged form
// asking for it is refused.
func TestRefundAsStoreCredit(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.submitReturn("1006", "jamie.rivera@example.com", "Merino beanie",
		field("kind", "dissatisfied"), field("reason", "no_longer_needed"))
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	page := h.get(c, "/admin/returns/"+code)
	if !strings.Contains(page.body, `value="store_credit"`) {
		t.Fatalf("the refund form does not offer store credit:\n%s", page.body)
	}
	key, suggested := refundKey(t, h, c, code)
	if a := h.action(c, code, "refund", url.Values{"amount": {suggested}, "key": {key}, "refund_method": {"store_credit"}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	snap, _ := h.shop.OrderByName("#1006")
	if len(snap.RefundDetails) != 1 || snap.RefundDetails[0].Return == "" {
		t.Fatalf("refunds %+v, want one made by the return", snap.RefundDetails)
	}
	for _, tx := range snap.RefundDetails[0].Transactions {
		if tx.ParentID != "" {
			t.Fatalf("money went back to a payment: %+v", tx)
		}
	}
	if bal := h.shop.StoreCredit(snap.Email); bal == "" || bal == "0.00" {
		t.Fatalf("the customer's store credit is %q", bal)
	}
	if e := h.emailOf(t, code, returns.EmailRefunded); !strings.Contains(e.Text, "store credit") {
		t.Fatalf("the customer's email does not say store credit:\n%s", e.Text)
	}

	// #1002 has no customer: no store credit.
	scarf := h.dissatisfiedScarf()
	h.action(c, scarf, "approve", nil)
	if page := h.get(c, "/admin/returns/"+scarf); strings.Contains(page.body, `value="store_credit"`) {
		t.Fatalf("store credit offered on an order without a customer")
	}
	key, _ = refundKey(t, h, c, scarf)
	if a := h.action(c, scarf, "refund", url.Values{"amount": {"49.00"}, "key": {key}, "refund_method": {"store_credit"}}); a.status != http.StatusUnprocessableEntity ||
		!strings.Contains(a.body, "cannot issue store credit") {
		t.Fatalf("a forged store credit refund: %d\n%s", a.status, a.body)
	}
}

// TestRestockLocationInSettings: staff choose in settings, among the shop's
// locations read from Shopify, where returned items are restocked; a refund
// then restocks there.
func TestRestockLocationInSettings(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	page := h.get(c, "/admin/settings")
	for _, want := range []string{`name="restock_location_id"`, "Riga warehouse", `value="gid://shopify/Location/7002"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the settings page lacks %q:\n%s", want, page.body)
		}
	}
	form := url.Values{"return_address": {"Returns, Rīga"}, "window_days": {"30"}, "photo_retention_days": {"180"},
		"restock_location_id": {"not a location"}}
	if a := h.postForm(c, "/admin/settings", form); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Choose one of the shop") {
		t.Fatalf("a bad location: %d\n%s", a.status, a.body)
	}
	form.Set("restock_location_id", "gid://shopify/Location/7002")
	if a := h.postForm(c, "/admin/settings", form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", a.status, a.body)
	}

	code := h.dissatisfiedScarf()
	h.action(c, code, "approve", nil)
	key, _ := refundKey(t, h, c, code)
	if a := h.action(c, code, "refund", url.Values{"amount": {"49.00"}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	snap, _ := h.shop.OrderByName("#1002")
	if d := snap.Returns[0].Lines[0].Dispositions; len(d) != 1 || d[0].Type != "RESTOCKED" || d[0].Location != "gid://shopify/Location/7002" {
		t.Fatalf("dispositions %+v, want restocked at the Old Town shop", d)
	}
}

// countingBody counts what the client sent of a request's body. The
// transport reads it in a goroutine of its own, which may still be at it
// when the answer comes: the count is atomic.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestCancelFormIsReadWithTheCap: the cancel route reads its form with the
// portal's cap on bodies, before it looks at the session: a stranger's large
// multipart body is refused after the cap, never read whole.
func TestCancelFormIsReadWithTheCap(t *testing.T) {
	h := newHarness(t, nil)
	const fileSize = 8 << 20
	head := "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n"
	tail := "\r\n--x--\r\n"
	size := int64(len(head)) + fileSize + int64(len(tail))
	body := &countingBody{r: io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, fileSize), strings.NewReader(tail))}
	req, _ := http.NewRequest("POST", h.srv.URL+"/returns/R-ABCDEFGH/cancel", body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.ContentLength = size
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
	}
	if n := body.n.Load(); n >= size {
		t.Fatalf("the server read the whole %d-byte body", n)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
