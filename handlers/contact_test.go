package handlers_test

import (
	"context"
	"strings"
	"testing"
)

// TestReturnPageShowsTheCustomerAndShopifyAdmin: the staff's return page
// shows the customer's name and shipping address, read from Shopify, and a
// link to the order in Shopify admin once the shop's identity is known.
func TestReturnPageShowsTheCustomerAndShopifyAdmin(t *testing.T) {
	h := newHarness(t, nil)
	if _, err := h.app.Connection.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	page := h.get(c, "/admin/returns/"+code)
	for _, want := range []string{
		"Anna Bērziņa", "Tērbatas iela 14-3", "LV-1011 Rīga", "Latvia",
		`href="https://admin.shopify.com/store/returns-demo/orders/1001"`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the return page lacks %q", want)
		}
	}
}
