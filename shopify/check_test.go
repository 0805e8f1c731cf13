package shopify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

func TestCheck(t *testing.T) {
	a := openApp(t, devshop.Options{ShopName: "Linen & Co", ShopDomain: "linen-co.myshopify.com"}, "secret-1", nil)
	ctx := context.Background()
	const uri = "https://returns.linen.example/webhooks/shopify"
	if _, err := a.client.EnsureWebhooks(ctx, uri, []string{returns.TopicRefundsCreate}); err != nil {
		t.Fatal(err)
	}

	chk, err := a.client.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantShop := returns.ShopIdentity{Name: "Linen & Co", MyshopifyDomain: "linen-co.myshopify.com",
		PrimaryDomainURL: "https://linen-co.example", PrimaryDomainHost: "linen-co.example", Currency: "EUR", TimeZone: "Europe/Riga"}
	if chk.Shop != wantShop {
		t.Errorf("Shop = %+v, want %+v", chk.Shop, wantShop)
	}
	if chk.Token.Kind != returns.TokenClientCredentials || !chk.Token.ExpiresAt.Equal(now.Add(10*time.Second)) ||
		!slices.Equal(chk.Token.Scopes, devshop.DefaultScopes) {
		t.Errorf("Token = %+v", chk.Token)
	}
	if !slices.Equal(chk.Scopes, devshop.DefaultScopes) {
		t.Errorf("Scopes = %v", chk.Scopes)
	}
	if missing := chk.MissingScopes(returns.RequiredScopes); len(missing) != 0 {
		t.Errorf("MissingScopes = %+v, want none: the demo store grants what the portal needs", missing)
	}
	// The newest order is #1004, two days old.
	if chk.Emails != returns.EmailsVisible || chk.EmailsOrder != "#1004" || chk.EmailsProblem != "" {
		t.Errorf("Emails = %q from %q (%q)", chk.Emails, chk.EmailsOrder, chk.EmailsProblem)
	}
	if chk.APIVersionRequested != "2026-04" || chk.APIVersionAnswered != "2026-04" {
		t.Errorf("versions = %q asked, %q answered", chk.APIVersionRequested, chk.APIVersionAnswered)
	}
	if len(chk.Webhooks) != 1 || chk.Webhooks[0].Topic != returns.TopicRefundsCreate || chk.Webhooks[0].URI != uri ||
		!strings.HasPrefix(chk.Webhooks[0].ID, "gid://shopify/WebhookSubscription/") {
		t.Errorf("Webhooks = %+v", chk.Webhooks)
	}
	if !chk.CheckedAt.Equal(now) {
		t.Errorf("CheckedAt = %v", chk.CheckedAt)
	}
}

func TestCheck_MissingScopes(t *testing.T) {
	a := openApp(t, devshop.Options{Scopes: []string{"read_orders", "write_orders", "write_returns", "read_locations", "write_draft_orders", "read_fulfillments", "read_inventory"}}, "secret-1", nil)
	ctx := context.Background()
	chk, err := a.client.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, r := range chk.MissingScopes(returns.RequiredScopes) {
		missing = append(missing, r.Handle)
	}
	if !slices.Equal(missing, []string{"read_all_orders", "read_products"}) {
		t.Fatalf("missing = %v, want read_all_orders and read_products", missing)
	}

	// A lookup says which scope stopped it, instead of failing as if
	// Shopify were down.
	_, err = a.client.FindOrder(ctx, "1001", "anna.berzina@example.lv")
	var denied *returns.ShopDenied
	if returns.ErrorCode(err) != returns.EUNAVAILABLE || !errors.As(err, &denied) ||
		denied.Cause != returns.DeniedScope || denied.Scope != "read_products" || denied.Field != "product" {
		t.Fatalf("err = %v, want the missing read_products named", err)
	}
	if msg := returns.ErrorMessage(err).String(); !strings.Contains(msg, "read_products") {
		t.Fatalf("message = %q", msg)
	}
	if calls := a.shop.Calls(); calls != 3 {
		t.Fatalf("%d calls: a refusal is not retried (2 for the check, 1 for the lookup)", calls)
	}
}

func TestCheck_NoOrderAccess(t *testing.T) {
	a := openApp(t, devshop.Options{Scopes: []string{"read_products"}}, "secret-1", nil)
	chk, err := a.client.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if chk.Emails != returns.EmailsUnknown || !strings.Contains(chk.EmailsProblem, "read_orders") {
		t.Fatalf("Emails = %q (%q), want unknown, naming read_orders", chk.Emails, chk.EmailsProblem)
	}
	if chk.Shop.Name == "" {
		t.Fatal("the shop was not read")
	}
}

func TestCheck_EmailsHidden(t *testing.T) {
	a := openApp(t, devshop.Options{HideEmails: true}, "secret-1", nil)
	ctx := context.Background()
	chk, err := a.client.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Emails != returns.EmailsHidden || chk.EmailsOrder != "#1004" {
		t.Fatalf("Emails = %q from %q, want hidden", chk.Emails, chk.EmailsOrder)
	}

	// The customer's lookup fails as any other, with the cause in the
	// chain for the log.
	_, err = a.client.FindOrder(ctx, "1001", "anna.berzina@example.lv")
	var denied *returns.ShopDenied
	if returns.ErrorCode(err) != returns.ENOTFOUND || !errors.As(err, &denied) || denied.Cause != returns.DeniedEmailHidden {
		t.Fatalf("err = %v, want ENOTFOUND caused by a hidden email", err)
	}
	// The adapter's not-found is the plain one of every miss; the domain
	// answers the customer with the lookup's one failure.
	if got, want := returns.ErrorMessage(err).String(), "Order not found."; got != want {
		t.Fatalf("message = %q, want the adapter's plain %q", got, want)
	}
}

func TestCheck_VersionFellForward(t *testing.T) {
	a := openApp(t, devshop.Options{}, "secret-1", nil)
	a.shop.SetAnsweredVersion("2026-07")
	chk, err := a.client.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if chk.APIVersionRequested != "2026-04" || chk.APIVersionAnswered != "2026-07" {
		t.Fatalf("versions = %q asked, %q answered", chk.APIVersionRequested, chk.APIVersionAnswered)
	}
}

func TestCheck_StaticToken(t *testing.T) {
	c, _ := MustOpen(t)
	chk, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if chk.Token.Kind != returns.TokenStatic || !chk.Token.ExpiresAt.IsZero() || chk.Token.Scopes != nil {
		t.Fatalf("Token = %+v", chk.Token)
	}
}

func TestCheck_ShopUnreachable(t *testing.T) {
	shop := devshop.New(devshop.Options{})
	srv := httptest.NewServer(shop)
	srv.Close()
	c, err := shopify.New(shopify.Config{AccessToken: shop.Token(), Endpoint: srv.URL, RetryWait: time.Millisecond,
		MaxAttempts: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Check(context.Background()); returns.ErrorCode(err) != returns.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
}
