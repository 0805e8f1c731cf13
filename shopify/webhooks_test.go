package shopify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
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

// TestWebhooks_EndToEnd subscribes with EnsureWebhooks, lets devshop deliver
// what a merchant does in admin, and reads each delivery as the portal will:
// the HMAC checked on the raw body, then the payload parsed.
func TestWebhooks_EndToEnd(t *testing.T) {
	type delivery struct {
		topic  string
		ok     bool
		event  returns.ShopEvent
		parseE error
	}
	var mu sync.Mutex
	var got []delivery
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := delivery{topic: r.Header.Get(returns.HeaderWebhookTopic),
			ok: returns.VerifyWebhookHMAC("secret-1", body, r.Header.Get(returns.HeaderWebhookHMAC))}
		d.event, d.parseE = shopify.ParseWebhook(d.topic, body, returns.ReadWebhookHeaders(r.Header.Get))
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
	}))
	defer receiver.Close()

	a := openApp(t, devshop.Options{}, "secret-1", nil)
	ctx := context.Background()
	if _, err := a.client.EnsureWebhooks(ctx, receiver.URL+"/webhooks/shopify", portalTopics); err != nil {
		t.Fatal(err)
	}
	refund, err := a.shop.MerchantRefund("#1001", "10.00", "Goodwill")
	if err != nil {
		t.Fatal(err)
	}
	a.clock.Add(time.Second)
	if err := a.shop.SetNote("#1001", "Call the customer"); err != nil {
		t.Fatal(err)
	}
	a.shop.Uninstall()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.shop.WaitWebhooks(wctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	var topics []string
	for _, d := range got {
		topics = append(topics, d.topic)
		if !d.ok || d.parseE != nil {
			t.Fatalf("%s: signature ok %v, parse %v", d.topic, d.ok, d.parseE)
		}
		if d.event.WebhookID == "" || d.event.TriggeredAt.IsZero() || d.event.ShopDomain != "returns-demo.myshopify.com" || d.event.APIVersion != "2026-04" {
			t.Fatalf("%s headers = %+v", d.topic, d.event.WebhookHeaders)
		}
	}
	if want := []string{"refunds/create", "orders/updated", "orders/updated", "app/uninstalled"}; !slices.Equal(topics, want) {
		t.Fatalf("topics = %v, want %v", topics, want)
	}
	r := got[0].event.Refund
	if r.ID != refund.ID || r.OrderID != "gid://shopify/Order/1001" || r.Amount != (returns.Money{Minor: 1000, Currency: "EUR"}) ||
		r.Note != "Goodwill" || len(r.Transactions) != 1 || r.Transactions[0].ParentID != "gid://shopify/OrderTransaction/1001" {
		t.Fatalf("refund = %+v", r)
	}
	o := got[2].event.Order
	if o.Note != "Call the customer" || o.FinancialStatus != "PARTIALLY_REFUNDED" || !o.UpdatedAt.Equal(now.Add(time.Second)) {
		t.Fatalf("order = %+v", o)
	}
	if !got[2].event.OccurredAt.After(got[1].event.OccurredAt) {
		t.Fatal("the later change does not have the later time")
	}
	if u := got[3].event.Uninstalled; u.MyshopifyDomain != "returns-demo.myshopify.com" {
		t.Fatalf("uninstalled = %+v", u)
	}
}
