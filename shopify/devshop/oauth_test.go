package devshop_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: now} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// appShop is a shop with a Dev Dashboard app: client id "client-1", secret
// "secret-1", tokens of 10 seconds, on a fake clock.
func appShop(t *testing.T, opts devshop.Options) (*devshop.Shop, *clock) {
	t.Helper()
	c := newClock()
	opts.Now = c.Now
	opts.AccessToken = "shpat_test"
	opts.ClientID, opts.ClientSecret = "client-1", "secret-1"
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 10 * time.Second
	}
	shop := devshop.New(opts)
	t.Cleanup(shop.Close)
	return shop, c
}

// grant asks the shop for a token with a form body and returns the status
// and the decoded body.
func grant(t *testing.T, h http.Handler, form url.Values) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/admin/oauth/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("answer is not JSON: %s", rec.Body)
	}
	return rec.Code, body
}

func credentials(id, secret string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
}

// gql sends a query with token and returns the status and the answer.
func gql(t *testing.T, h http.Handler, token, q string, vars map[string]any) (int, response, http.Header) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("answer is not JSON: %s", rec.Body)
		}
	}
	return rec.Code, r, rec.Header()
}

const nameOf1001 = `{ order(id: "gid://shopify/Order/1001") { name } }`

func TestAccessToken(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{Scopes: []string{"read_orders", "write_orders"}})

	status, body := grant(t, shop, credentials("client-1", "secret-1"))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	token, _ := body["access_token"].(string)
	if !strings.HasPrefix(token, "shpat_") || body["scope"] != "read_orders,write_orders" || body["expires_in"] != 10.0 {
		t.Fatalf("answer = %v", body)
	}
	if status, r, _ := gql(t, shop, token, nameOf1001, nil); status != http.StatusOK || string(r.Data) != `{"order":{"name":"#1001"}}` {
		t.Fatalf("the granted token: %d %s", status, r.Data)
	}

	// Shopify's own Node library sends the fields as JSON.
	req := httptest.NewRequest(http.MethodPost, "/admin/oauth/access_token",
		strings.NewReader(`{"grant_type":"client_credentials","client_id":"client-1","client_secret":"secret-1"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	shop.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"access_token":"shpat_`) {
		t.Fatalf("JSON body: %d %s", rec.Code, rec.Body)
	}

	refusals := []struct {
		name      string
		form      url.Values
		wantError string
	}{
		{"wrong secret", credentials("client-1", "secret-2"), "invalid_client"},
		{"unknown client", credentials("client-2", "secret-1"), "invalid_client"},
		{"no secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"client-1"}}, "invalid_request"},
		{"other grant", url.Values{"grant_type": {"authorization_code"}, "client_id": {"client-1"}, "client_secret": {"secret-1"}, "code": {"x"}}, "unsupported_grant_type"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			status, body := grant(t, shop, tt.form)
			if status != http.StatusBadRequest || body["error"] != tt.wantError || body["access_token"] != nil {
				t.Fatalf("answer = %d %v, want 400 %s", status, body, tt.wantError)
			}
		})
	}
	if got := shop.TokenRequests(); got != 2+len(refusals) {
		t.Fatalf("TokenRequests() = %d, want %d", got, 2+len(refusals))
	}

	t.Run("app without client credentials", func(t *testing.T) {
		legacy := devshop.New(devshop.Options{AccessToken: "shpat_test"})
		if status, body := grant(t, legacy, credentials("client-1", "secret-1")); status != http.StatusBadRequest || body["error"] != "invalid_client" {
			t.Fatalf("answer = %d %v", status, body)
		}
	})
}

func TestAccessToken_ExpiresAndIsRevoked(t *testing.T) {
	shop, clk := appShop(t, devshop.Options{})
	_, body := grant(t, shop, credentials("client-1", "secret-1"))
	token := body["access_token"].(string)

	clk.Add(9 * time.Second)
	if status, _, _ := gql(t, shop, token, nameOf1001, nil); status != http.StatusOK {
		t.Fatalf("after 9 s of 10: status %d", status)
	}
	clk.Add(time.Second)
	req := httptest.NewRequest(http.MethodPost, endpoint, strings.NewReader(`{"query":"`+strings.ReplaceAll(nameOf1001, `"`, `\"`)+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	rec := httptest.NewRecorder()
	shop.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Body.String() != `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}` {
		t.Fatalf("expired token: %d %s", rec.Code, rec.Body)
	}
	if status, _, _ := gql(t, shop, "shpat_test", nameOf1001, nil); status != http.StatusOK {
		t.Fatalf("the static token stopped working: %d", status)
	}

	_, body = grant(t, shop, credentials("client-1", "secret-1"))
	fresh := body["access_token"].(string)
	if status, _, _ := gql(t, shop, fresh, nameOf1001, nil); status != http.StatusOK {
		t.Fatalf("a new token: status %d", status)
	}
	shop.ExpireTokens()
	if status, _, _ := gql(t, shop, fresh, nameOf1001, nil); status != http.StatusUnauthorized {
		t.Fatalf("after ExpireTokens: status %d, want 401", status)
	}
}

func TestAnsweredVersion(t *testing.T) {
	shop := newShop(t)
	shop.SetAnsweredVersion("2026-07")
	_, _, h := gql(t, shop, "shpat_test", nameOf1001, nil)
	if got := h.Get("X-Shopify-API-Version"); got != "2026-07" {
		t.Fatalf("X-Shopify-API-Version = %q, want 2026-07", got)
	}
	shop.SetAnsweredVersion("")
	if _, _, h := gql(t, shop, "shpat_test", nameOf1001, nil); h.Get("X-Shopify-API-Version") != "2026-04" {
		t.Fatalf("X-Shopify-API-Version = %q, want the asked 2026-04", h.Get("X-Shopify-API-Version"))
	}
}

func TestAccessDenied(t *testing.T) {
	const lines = `{ order(id: "gid://shopify/Order/1001") { name lineItems(first: 5) { nodes { title product { tags } } } } }`
	const tag = `mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["x"]) { userErrors { message } } }`

	t.Run("product without read_products", func(t *testing.T) {
		shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test",
			Scopes: []string{"read_orders", "read_all_orders"}})
		r := query(t, shop, lines, nil)
		if len(r.Errors) != 2 {
			t.Fatalf("errors = %+v, want one per line", r.Errors)
		}
		e := r.Errors[0]
		if e.Extensions["code"] != "ACCESS_DENIED" || !strings.Contains(e.Message, "`read_products`") {
			t.Fatalf("error = %+v", e)
		}
		// The rest of the answer is served: the order, its lines, and null
		// where the product was.
		want := `{"order":{"name":"#1001","lineItems":{"nodes":[{"title":"Linen tea towel","product":null},{"title":"Ceramic mug","product":null}]}}}`
		if string(r.Data) != want {
			t.Fatalf("data = %s, want %s", r.Data, want)
		}
	})
	t.Run("orders without read_orders", func(t *testing.T) {
		shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test",
			Scopes: []string{"read_products"}})
		r := query(t, shop, `{ orders(first: 1) { nodes { id } } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "ACCESS_DENIED" || string(r.Data) != `{"orders":null}` {
			t.Fatalf("answer = %s %+v", r.Data, r.Errors)
		}
	})
	t.Run("tagsAdd without write_orders", func(t *testing.T) {
		shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test",
			Scopes: []string{"read_orders"}})
		r := query(t, shop, tag, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "ACCESS_DENIED" {
			t.Fatalf("answer = %s %+v", r.Data, r.Errors)
		}
		if snap, _ := shop.OrderByName("#1001"); len(snap.Tags) != 0 {
			t.Fatalf("tags = %v: the denied mutation ran", snap.Tags)
		}
	})
	t.Run("write_orders grants read_orders", func(t *testing.T) {
		shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test",
			Scopes: []string{"write_orders"}})
		if r := query(t, shop, nameOf1001, nil); len(r.Errors) != 0 {
			t.Fatalf("errors = %+v", r.Errors)
		}
		shop.SetScopes([]string{"read_orders"})
		if r := query(t, shop, tag, nil); len(r.Errors) != 1 {
			t.Fatalf("after SetScopes without write_orders: errors = %+v", r.Errors)
		}
	})
}

func TestHideEmails(t *testing.T) {
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", HideEmails: true})
	r := query(t, shop, `{ order(id: "gid://shopify/Order/1001") { email canNotifyCustomer } }`, nil)
	if len(r.Errors) != 0 || string(r.Data) != `{"order":{"email":null,"canNotifyCustomer":true}}` {
		t.Fatalf("answer = %s %+v", r.Data, r.Errors)
	}
	shop = newShop(t)
	r = query(t, shop, `{ order(id: "gid://shopify/Order/1001") { email canNotifyCustomer } }`, nil)
	if string(r.Data) != `{"order":{"email":"anna.berzina@example.lv","canNotifyCustomer":true}}` {
		t.Fatalf("answer = %s", r.Data)
	}
}

func TestShopAndInstallation(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{Scopes: []string{"read_orders", "write_orders"}, ShopName: "Linen & Co", ShopDomain: "linen-co.myshopify.com"})
	r := query(t, shop, `{
  shop { name myshopifyDomain primaryDomain { url host } currencyCode ianaTimezone }
  currentAppInstallation { accessScopes { handle } }
}`, nil)
	want := `{"shop":{"name":"Linen & Co","myshopifyDomain":"linen-co.myshopify.com","primaryDomain":{"url":"https://linen-co.example","host":"linen-co.example"},"currencyCode":"EUR","ianaTimezone":"Europe/Riga"},` +
		`"currentAppInstallation":{"accessScopes":[{"handle":"read_orders"},{"handle":"write_orders"}]}}`
	if len(r.Errors) != 0 || string(r.Data) != want {
		t.Fatalf("answer = %s %+v\nwant %s", r.Data, r.Errors, want)
	}
	// Neither needs an access scope.
	shop.SetScopes(nil)
	if r := query(t, shop, `{ shop { name } currentAppInstallation { accessScopes { handle } } }`, nil); len(r.Errors) != 0 ||
		string(r.Data) != `{"shop":{"name":"Linen & Co"},"currentAppInstallation":{"accessScopes":[]}}` {
		t.Fatalf("without scopes: %s %+v", r.Data, r.Errors)
	}
}
