package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/returnsportal/returns/paths"
)

// TestShopifyPage shows staff the checklist against the demo store, and the
// missing scope by name once the merchant took it away.
func TestShopifyPage(t *testing.T) {
	h := newHarness(t, nil)
	kate := h.staff("kate@shop.example")

	if a := h.get(h.client(), paths.AdminShopifyURL()); a.status == http.StatusOK {
		t.Fatal("the checklist is shown to someone not signed in")
	}
	a := h.get(kate, paths.AdminShopifyURL())
	if a.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", paths.AdminShopifyURL(), a.status, a.body)
	}
	for _, want := range []string{"Returns Demo Store", "returns-demo.myshopify.com", "The portal can work with this shop.", "Order emails"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("checklist does not show %q", want)
		}
	}

	h.shop.SetScopes([]string{"read_orders", "write_orders", "read_products"})
	calls := h.shop.Calls()
	a = h.postForm(kate, paths.AdminShopifyCheckURL(), url.Values{})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != paths.WithDone(paths.AdminShopifyURL(), "checked") {
		t.Fatalf("check again: %d %q", a.status, a.header.Get("Location"))
	}
	if h.shop.Calls() == calls {
		t.Error("check again did not ask the shop")
	}
	a = h.get(kate, paths.WithDone(paths.AdminShopifyURL(), "checked"))
	for _, want := range []string{"Access scope read_all_orders", "Must be fixed", "To fix: add read_all_orders", "cannot work with this shop"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("checklist after the scope was removed does not show %q", want)
		}
	}
}
