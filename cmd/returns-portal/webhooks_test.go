package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDemoModeWebhooks: in demo mode the portal subscribes to the demo
// store's webhooks at its own address at start, and the demo store's signed
// deliveries are accepted: the secret and the route are wired.
func TestDemoModeWebhooks(t *testing.T) {
	startPortal(t, nil)
	shop := demoShop.Load()
	deadline := time.Now().Add(10 * time.Second)
	for len(shop.WebhookSubscriptions()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions at the demo store: %+v", shop.WebhookSubscriptions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, sub := range shop.WebhookSubscriptions() {
		if !strings.HasPrefix(sub.URI, "http://localhost:") || !strings.HasSuffix(sub.URI, "/webhooks/shopify") {
			t.Errorf("subscription %+v", sub)
		}
	}
	if _, err := shop.MerchantRefund("#1001", "5.00", "Goodwill"); err != nil {
		t.Fatal(err)
	}
	for {
		for _, d := range shop.WebhookDeliveries() {
			if d.Topic == "refunds/create" && d.Status == http.StatusOK {
				return
			}
			if d.Status != 0 && d.Status != http.StatusOK {
				t.Fatalf("a delivery was answered %d", d.Status)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refunds/create accepted: %+v", shop.WebhookDeliveries())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
