package devshop_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/returnsportal/returns/shopify/devshop"
)

// admin calls the inspection API of a shop served on loopback and returns
// the status and body.
func admin(t *testing.T, base, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestAdmin_Order(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	createRefund(t, shop, "k1", refundInput("10"))

	status, body := admin(t, srv.URL, "GET", "/_devshop/orders/1001", "")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var o devshop.OrderSnapshot
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	if o.Name != "#1001" || o.TotalReceived != "58.00" || o.TotalRefunded != "10.00" || o.Refundable != "48.00" ||
		len(o.Refunds) != 1 || !slices.Equal(o.Refunds[0].Keys, []string{"k1"}) || len(o.Transactions) != 2 ||
		o.Transactions[1].Kind != "REFUND" || o.Transactions[1].ParentID != "gid://shopify/OrderTransaction/1001" {
		t.Fatalf("order = %s", body)
	}
	if status, _ := admin(t, srv.URL, "GET", "/_devshop/orders/9999", ""); status != http.StatusNotFound {
		t.Fatalf("unknown order: %d", status)
	}
}

func TestAdmin_MerchantRefund(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{Webhooks: fastRetries})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "REFUNDS_CREATE", "ORDERS_UPDATED")

	status, body := admin(t, srv.URL, "POST", "/_devshop/orders/1001/refunds", `{"amount":"12.50","note":"Goodwill"}`)
	if status != http.StatusCreated {
		t.Fatalf("status %d: %s", status, body)
	}
	var refund devshop.RefundSnapshot
	if err := json.Unmarshal(body, &refund); err != nil {
		t.Fatal(err)
	}
	if refund.Amount != "12.50" || refund.Note != "Goodwill" || len(refund.Keys) != 0 {
		t.Fatalf("refund = %s", body)
	}
	if o, _ := shop.OrderByName("#1001"); o.Refundable != "45.50" || o.FinancialStatus != "PARTIALLY_REFUNDED" {
		t.Fatalf("order after the refund: %+v", o)
	}
	waitWebhooks(t, shop)
	if got := rc.topics(); !slices.Equal(got, []string{"refunds/create", "orders/updated"}) {
		t.Fatalf("webhooks = %v", got)
	}
	var payload struct {
		AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
		Transactions      []struct{ Amount string }
	}
	if err := json.Unmarshal(rc.deliveries()[0].Body, &payload); err != nil {
		t.Fatal(err)
	}
	if payload.AdminGraphqlAPIID != refund.ID || len(payload.Transactions) != 1 || payload.Transactions[0].Amount != "12.50" {
		t.Fatalf("payload = %s", rc.deliveries()[0].Body)
	}

	for _, tt := range []struct{ name, body string }{
		{"more than is left", `{"amount":"45.51"}`},
		{"zero", `{"amount":"0"}`},
		{"not an amount", `{"amount":"ten"}`},
	} {
		if status, body := admin(t, srv.URL, "POST", "/_devshop/orders/1001/refunds", tt.body); status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", tt.name, status, body)
		}
	}
	if o, _ := shop.OrderByName("#1001"); len(o.Refunds) != 1 {
		t.Fatalf("%d refunds after refusals, want 1", len(o.Refunds))
	}
}

func TestAdmin_Note(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")

	status, body := admin(t, srv.URL, "POST", "/_devshop/orders/1002/note", `{"note":"Customer called"}`)
	if status != http.StatusOK || !strings.Contains(string(body), `"note": "Customer called"`) {
		t.Fatalf("status %d: %s", status, body)
	}
	waitWebhooks(t, shop)
	got := rc.deliveries()
	if len(got) != 1 || !strings.Contains(string(got[0].Body), `"note":"Customer called"`) {
		t.Fatalf("webhooks = %v", rc.topics())
	}
}

func TestAdmin_Uninstall(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "APP_UNINSTALLED", "ORDERS_UPDATED")
	_, tok := grant(t, shop, credentials("client-1", "secret-1"))
	token := tok["access_token"].(string)

	var app devshop.AppSnapshot
	if status, body := admin(t, srv.URL, "GET", "/_devshop/app", ""); status != http.StatusOK || json.Unmarshal(body, &app) != nil ||
		!app.Installed || app.TokenRequests != 1 || app.ValidTokens != 1 || !slices.Equal(app.Scopes, devshop.DefaultScopes) {
		t.Fatalf("app before uninstall: %d %s", status, body)
	}
	if status, body := admin(t, srv.URL, "POST", "/_devshop/uninstall", ""); status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if status, body := admin(t, srv.URL, "GET", "/_devshop/app", ""); status != http.StatusOK || json.Unmarshal(body, &app) != nil || app.Installed {
		t.Fatalf("app after uninstall: %d %s", status, body)
	}
	waitWebhooks(t, shop)
	got := rc.deliveries()
	if len(got) != 1 || got[0].Header.Get("X-Shopify-Topic") != "app/uninstalled" || !strings.Contains(string(got[0].Body), `"myshopify_domain":"returns-demo.myshopify.com"`) {
		t.Fatalf("webhooks = %v", rc.topics())
	}
	for _, tok := range []string{token, "shpat_test"} {
		if status, _, _ := gql(t, shop, tok, nameOf1001, nil); status != http.StatusUnauthorized {
			t.Fatalf("a token after uninstall: status %d, want 401", status)
		}
	}
	if status, body := grant(t, shop, credentials("client-1", "secret-1")); status != http.StatusBadRequest || body["error"] != "app_not_installed" {
		t.Fatalf("grant after uninstall: %d %v", status, body)
	}
	if subs := shop.WebhookSubscriptions(); len(subs) != 0 {
		t.Fatalf("subscriptions after uninstall: %+v", subs)
	}

	if status, _ := admin(t, srv.URL, "POST", "/_devshop/install", "{}"); status != http.StatusOK {
		t.Fatal("install")
	}
	if status, _ := grant(t, shop, credentials("client-1", "secret-1")); status != http.StatusOK {
		t.Fatalf("grant after install: %d", status)
	}
}

func TestAdmin_Compliance(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	if status, _ := admin(t, srv.URL, "POST", "/_devshop/compliance/shop/redact", ""); status != http.StatusUnprocessableEntity {
		t.Fatalf("with nowhere to deliver: %d, want 422", status)
	}
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "APP_UNINSTALLED")

	for _, c := range []struct{ path, body string }{
		{"/_devshop/compliance/customers/redact", `{"email":"Anna.Berzina@example.lv"}`},
		{"/_devshop/compliance/customers/data_request", `{"email":"sam.taylor@example.com"}`},
		{"/_devshop/compliance/shop/redact", ``},
	} {
		if status, body := admin(t, srv.URL, "POST", c.path, c.body); status != http.StatusAccepted {
			t.Fatalf("%s: %d %s", c.path, status, body)
		}
	}
	if status, _ := admin(t, srv.URL, "POST", "/_devshop/compliance/customers/redact", `{}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("customers/redact without email: %d", status)
	}
	if status, _ := admin(t, srv.URL, "POST", "/_devshop/compliance/orders/create", `{}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("not a compliance topic: %d", status)
	}
	waitWebhooks(t, shop)
	got := rc.deliveries()
	if topics := rc.topics(); !slices.Equal(topics, []string{"customers/redact", "customers/data_request", "shop/redact"}) {
		t.Fatalf("topics = %v", topics)
	}
	var redact struct {
		ShopDomain string `json:"shop_domain"`
		Customer   struct {
			ID    int64
			Email string
		}
		OrdersToRedact []int64 `json:"orders_to_redact"`
	}
	if err := json.Unmarshal(got[0].Body, &redact); err != nil {
		t.Fatal(err)
	}
	if redact.ShopDomain != "returns-demo.myshopify.com" || redact.Customer.Email != "Anna.Berzina@example.lv" ||
		redact.Customer.ID == 0 || !slices.Equal(redact.OrdersToRedact, []int64{1001, 1004}) {
		t.Fatalf("customers/redact = %s", got[0].Body)
	}
	var request struct {
		OrdersRequested []int64            `json:"orders_requested"`
		DataRequest     struct{ ID int64 } `json:"data_request"`
	}
	if err := json.Unmarshal(got[1].Body, &request); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(request.OrdersRequested, []int64{1002, 1003}) || request.DataRequest.ID == 0 {
		t.Fatalf("customers/data_request = %s", got[1].Body)
	}
	if string(got[2].Body) != `{"shop_id":548380009,"shop_domain":"returns-demo.myshopify.com"}` {
		t.Fatalf("shop/redact = %s", got[2].Body)
	}
	for _, d := range got {
		if d.Header.Get("X-Shopify-Hmac-Sha256") != signature("secret-1", d.Body) {
			t.Fatalf("%s is not signed with the client secret", d.Header.Get("X-Shopify-Topic"))
		}
	}
}

func TestAdmin_Guard(t *testing.T) {
	shop := newShop(t)
	tests := []struct {
		name        string
		remote      string
		host        string
		contentType string
		method      string
		want        int
	}{
		{"loopback peer and host", "127.0.0.1:5555", "127.0.0.1:9090", "application/json", "POST", http.StatusOK},
		{"localhost", "[::1]:5555", "localhost:9090", "application/json", "POST", http.StatusOK},
		{"peer off loopback", "192.0.2.1:5555", "127.0.0.1:9090", "application/json", "POST", http.StatusForbidden},
		{"host off loopback (DNS rebinding)", "127.0.0.1:5555", "evil.example:9090", "application/json", "POST", http.StatusForbidden},
		{"a form post", "127.0.0.1:5555", "127.0.0.1:9090", "application/x-www-form-urlencoded", "POST", http.StatusUnsupportedMediaType},
		{"a read from off loopback", "192.0.2.1:5555", "127.0.0.1:9090", "", "GET", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/_devshop/orders/1001/note"
			if tt.method == "GET" {
				path = "/_devshop/orders/1001"
			}
			req := httptest.NewRequest(tt.method, path, strings.NewReader(`{"note":"x"}`))
			req.RemoteAddr, req.Host = tt.remote, tt.host
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			shop.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
	if o, _ := shop.OrderByName("#1001"); o.Note != "x" {
		t.Fatalf("note = %q: the allowed requests did not run", o.Note)
	}
}
