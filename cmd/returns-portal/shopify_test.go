package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/returnsportal/returns/shopify/devshop"
)

// TestShopifyCheck runs `returns-portal shopify check` against the demo
// store as a Dev Dashboard app: a shop granting what the portal needs passes,
// one missing a scope fails naming it with its fix, and wrong credentials
// fail saying which settings to look at.
func TestShopifyCheck(t *testing.T) {
	shop := devshop.New(devshop.Options{ClientID: "check-id", ClientSecret: "check-secret"})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	defer shop.Close()
	env := map[string]string{
		"SHOPIFY_SHOP": "linen-co", "SHOPIFY_CLIENT_ID": "check-id", "SHOPIFY_CLIENT_SECRET": "check-secret",
		"SHOPIFY_ENDPOINT": srv.URL, "SESSION_KEYS": strings.Repeat("k", 32), "LINK_SECRET": "link-secret-0123456789",
		"BASE_URL": "https://returns.example.com",
	}
	check := func() (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"shopify", "check"}, envFunc(env), strings.NewReader(""), &out, &errOut)
		return out.String(), err
	}

	out, err := check()
	if err != nil {
		t.Fatalf("check of a good shop: %v\n%s", err, out)
	}
	for _, want := range []string{"Returns Demo Store (returns-demo.myshopify.com)", "client credentials grant", "expires", "The portal can work with this shop."} {
		if !strings.Contains(out, want) {
			t.Errorf("checklist does not say %q:\n%s", want, out)
		}
	}

	shop.SetScopes([]string{"read_orders", "write_orders", "read_all_orders"})
	out, err = check()
	if !errors.Is(err, errNotUsable) {
		t.Fatalf("check without read_products = %v, want errNotUsable\n%s", err, out)
	}
	if !strings.Contains(out, "[FAIL] Access scope read_products") || !strings.Contains(out, "fix: add read_products") {
		t.Errorf("checklist does not name the missing scope and its fix:\n%s", out)
	}

	env["SHOPIFY_CLIENT_SECRET"] = "wrong-secret"
	out, err = check()
	if !errors.Is(err, errNotUsable) || !strings.Contains(out, "[FAIL] Shop reached") || !strings.Contains(out, "SHOPIFY_CLIENT_SECRET") {
		t.Errorf("check with a wrong secret = %v:\n%s", err, out)
	}
	if strings.Contains(out, "wrong-secret") {
		t.Error("the checklist prints the client secret")
	}
}
