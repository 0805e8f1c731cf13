package shopify_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify/devshop"
)

var portalTopics = []string{returns.TopicRefundsCreate, returns.TopicOrdersUpdated, returns.TopicAppUninstalled}

func topicsOf(subs []returns.ShopWebhook) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Topic)
	}
	slices.Sort(out)
	return out
}

func TestEnsureWebhooks(t *testing.T) {
	a := openApp(t, devshop.Options{}, "secret-1", nil)
	ctx := context.Background()
	const uri = "https://returns.linen.example/webhooks/shopify"

	setup, err := a.client.EnsureWebhooks(ctx, uri, portalTopics)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"app/uninstalled", "orders/updated", "refunds/create"}
	if got := topicsOf(setup.Created); !slices.Equal(got, want) || len(setup.Existing) != 0 || len(setup.Elsewhere) != 0 {
		t.Fatalf("first setup = %+v", setup)
	}

	// A restart makes none twice.
	setup, err = a.client.EnsureWebhooks(ctx, uri, append(portalTopics, returns.TopicRefundsCreate))
	if err != nil {
		t.Fatal(err)
	}
	if got := topicsOf(setup.Existing); !slices.Equal(got, want) || len(setup.Created) != 0 {
		t.Fatalf("second setup = %+v", setup)
	}
	if n := len(a.shop.WebhookSubscriptions()); n != 3 {
		t.Fatalf("%d subscriptions at the shop, want 3", n)
	}

	// The portal moved: the old subscriptions are reported, not deleted,
	// and the new address gets its own.
	const moved = "https://returns2.linen.example/webhooks/shopify"
	setup, err = a.client.EnsureWebhooks(ctx, moved, []string{returns.TopicRefundsCreate})
	if err != nil {
		t.Fatal(err)
	}
	if len(setup.Created) != 1 || len(setup.Elsewhere) != 1 || setup.Elsewhere[0].URI != uri {
		t.Fatalf("after moving = %+v", setup)
	}
	if n := len(a.shop.WebhookSubscriptions()); n != 4 {
		t.Fatalf("%d subscriptions at the shop, want 4", n)
	}
}

func TestEnsureWebhooks_Refusals(t *testing.T) {
	ctx := context.Background()
	t.Run("compliance topic", func(t *testing.T) {
		a := openApp(t, devshop.Options{}, "secret-1", nil)
		_, err := a.client.EnsureWebhooks(ctx, "https://x.example/w", []string{returns.TopicCustomersRedact})
		if returns.ErrorCode(err) != returns.EINVALID || a.shop.Calls() != 0 {
			t.Fatalf("err = %v after %d calls, want EINVALID and none", err, a.shop.Calls())
		}
	})
	t.Run("no address", func(t *testing.T) {
		a := openApp(t, devshop.Options{}, "secret-1", nil)
		if _, err := a.client.EnsureWebhooks(ctx, " ", portalTopics); returns.ErrorCode(err) != returns.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("topic needing a missing scope", func(t *testing.T) {
		a := openApp(t, devshop.Options{Scopes: []string{"read_products"}}, "secret-1", nil)
		setup, err := a.client.EnsureWebhooks(ctx, "https://x.example/w", portalTopics)
		if returns.ErrorCode(err) != returns.EUNAVAILABLE {
			t.Fatalf("err = %v, want Shopify's refusal", err)
		}
		if msg := returns.ErrorMessage(err).String(); !strings.Contains(msg, "orders/updated") || !strings.Contains(msg, "read_orders") {
			t.Fatalf("message = %q, want the topic and Shopify's reason", msg)
		}
		if got := topicsOf(setup.Created); !slices.Equal(got, []string{"app/uninstalled"}) {
			t.Fatalf("created = %v, want the one before the refusal", got)
		}
	})
}

func TestEnsureWebhooks_TwoInstancesAtOnce(t *testing.T) {
	a := openApp(t, devshop.Options{}, "secret-1", nil)
	const uri = "https://returns.linen.example/webhooks/shopify"
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.client.EnsureWebhooks(context.Background(), uri, portalTopics)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.shop.WebhookSubscriptions()); n != 3 {
		t.Fatalf("%d subscriptions, want 3", n)
	}
}
