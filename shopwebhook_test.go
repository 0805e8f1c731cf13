package returns_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

func TestVerifyWebhookHMAC(t *testing.T) {
	// RFC 4231, test case 2: key "Jefe", its HMAC-SHA256 is
	// 5bdcc146…64ec3843 in hex, this in base64.
	const (
		secret = "Jefe"
		body   = "what do ya want for nothing?"
		good   = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
	)
	tests := []struct {
		name   string
		secret string
		body   string
		header string
		want   bool
	}{
		{"good", secret, body, good, true},
		{"good with surrounding space", secret, body, " " + good + "\n", true},
		{"bad signature", secret, body, "AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKK=", false},
		{"tampered body", secret, body + " ", good, false},
		{"other secret", "jefe", body, good, false},
		{"missing header", secret, body, "", false},
		{"not base64", secret, body, "not base64!", false},
		{"hex instead of base64", secret, body, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", false},
		{"empty secret", "", body, good, false},
		{"truncated signature", secret, body, good[:20], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := returns.VerifyWebhookHMAC(tt.secret, []byte(tt.body), tt.header); got != tt.want {
				t.Fatalf("VerifyWebhookHMAC() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadWebhookHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("X-Shopify-Webhook-Id", "b54557e4-8a5f-4f7d-9b1c-d043aa0f5a01")
	h.Set("X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set("X-Shopify-Triggered-At", "2026-11-26T12:00:00.123456789Z")
	h.Set("X-Shopify-Shop-Domain", "linen-co.myshopify.com")
	h.Set("X-Shopify-API-Version", "2026-04")
	got := returns.ReadWebhookHeaders(h.Get)
	want := returns.WebhookHeaders{
		WebhookID:   "b54557e4-8a5f-4f7d-9b1c-d043aa0f5a01",
		EventID:     "98880550-7158-44d4-b7cd-2c97c8a091b5",
		TriggeredAt: time.Date(2026, 11, 26, 12, 0, 0, 123456789, time.UTC),
		ShopDomain:  "linen-co.myshopify.com",
		APIVersion:  "2026-04",
	}
	if !got.TriggeredAt.Equal(want.TriggeredAt) {
		t.Fatalf("TriggeredAt = %v, want %v", got.TriggeredAt, want.TriggeredAt)
	}
	got.TriggeredAt = want.TriggeredAt
	if got != want {
		t.Fatalf("ReadWebhookHeaders() = %+v, want %+v", got, want)
	}

	h.Set("X-Shopify-Triggered-At", "yesterday")
	if got := returns.ReadWebhookHeaders(h.Get); !got.TriggeredAt.IsZero() {
		t.Fatalf("an unreadable time gave %v, want zero", got.TriggeredAt)
	}
}

func TestComplianceTopic(t *testing.T) {
	for topic, want := range map[string]bool{
		returns.TopicCustomersRedact:      true,
		returns.TopicCustomersDataRequest: true,
		returns.TopicShopRedact:           true,
		returns.TopicRefundsCreate:        false,
		returns.TopicAppUninstalled:       false,
	} {
		if got := returns.ComplianceTopic(topic); got != want {
			t.Errorf("ComplianceTopic(%q) = %v, want %v", topic, got, want)
		}
	}
}

func TestShopCheck_Scopes(t *testing.T) {
	c := &returns.ShopCheck{Scopes: []string{"write_orders", "read_all_orders", "read_returns"}}
	for handle, want := range map[string]bool{
		"write_orders":    true,
		"read_orders":     true, // granted by write_orders
		"read_all_orders": true,
		"read_products":   false,
		"write_returns":   false, // read does not grant write
		"orders":          false,
	} {
		if got := c.HasScope(handle); got != want {
			t.Errorf("HasScope(%q) = %v, want %v", handle, got, want)
		}
	}
	var missing []string
	for _, r := range c.MissingScopes(returns.RequiredScopes) {
		missing = append(missing, r.Handle)
	}
	want := []string{"read_products", "write_returns", "read_locations", "write_draft_orders", "read_fulfillments", "read_inventory"}
	if len(missing) != len(want) {
		t.Fatalf("MissingScopes = %v, want %v", missing, want)
	}
	for i := range want {
		if missing[i] != want[i] {
			t.Fatalf("MissingScopes = %v, want %v", missing, want)
		}
	}
	for _, r := range returns.RequiredScopes {
		if r.Reason == "" {
			t.Errorf("scope %s has no reason", r.Handle)
		}
	}
}
