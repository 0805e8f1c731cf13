package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

// TestRefunds_AsRefundsCreateTellsThem reads the refunds of orders back with
// Refunds and checks that each is what its refunds/create webhook said, read
// by ParseWebhook: the periodic pass, which reads them, takes a refund in as
// the webhook would have. The refunds are the three kinds the portal meets: a
// merchant's refund of money in admin, the portal's own (its key in the note),
// and a refund of line items.
func TestRefunds_AsRefundsCreateTellsThem(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	told := map[string]returns.ShopRefund{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := shopify.ParseWebhook(r.Header.Get(returns.HeaderWebhookTopic), body, returns.ReadWebhookHeaders(r.Header.Get))
		if err != nil {
			t.Errorf("parse webhook: %v", err)
			return
		}
		if ev.Refund != nil {
			mu.Lock()
			told[ev.Refund.ID] = *ev.Refund
			mu.Unlock()
		}
	}))
	defer receiver.Close()

	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, WebhookSecret: "webhook-secret"})
	t.Cleanup(shop.Close)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	c, err := shopify.New(shopify.Config{AccessToken: shop.Token(), Endpoint: srv.URL, RetryWait: time.Millisecond,
		Timeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsureWebhooks(ctx, receiver.URL+"/webhooks/shopify", []string{returns.TopicRefundsCreate}); err != nil {
		t.Fatal(err)
	}

	if _, err := shop.MerchantRefund("#1002", "10.00", "Goodwill"); err != nil {
		t.Fatal(err)
	}
	const key = "0123456789abcdef0123456789abcdef"
	if _, err := c.CreateRefund(ctx, refundOf1001(key, eur(1450))); err != nil {
		t.Fatal(err)
	}
	// The towel of #1001 refunded with its line, as a merchant may do in
	// admin: only Shopify's own GraphQL can say so, the adapter never does.
	rawRefund(t, srv.URL, shop.Token(), map[string]any{
		"orderId": order1001, "note": "Towel back",
		"refundLineItems": []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100101", "quantity": 1, "restockType": "NO_RESTOCK"}},
		"transactions":    []any{map[string]any{"orderId": order1001, "parentId": sale1001, "gateway": "bogus", "kind": "REFUND", "amount": "29.00"}},
	})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := shop.WaitWebhooks(wctx); err != nil {
		t.Fatal(err)
	}

	var read []returns.ShopRefund
	for _, order := range []string{order1001, "gid://shopify/Order/1002", "gid://shopify/Order/1005"} {
		refs, err := c.Refunds(ctx, order)
		if err != nil {
			t.Fatalf("Refunds(%s): %v", order, err)
		}
		read = append(read, refs...)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(read) != 3 || len(told) != 3 {
		t.Fatalf("read %d refunds, webhooks told of %d", len(read), len(told))
	}
	for _, r := range read {
		if !reflect.DeepEqual(r, told[r.ID]) {
			t.Errorf("Refunds read\n%+v\nrefunds/create told\n%+v", r, told[r.ID])
		}
	}
	byNote := map[string]returns.ShopRefund{}
	for _, r := range read {
		byNote[r.Note] = r
	}
	if r := byNote["Towel back"]; len(r.Lines) != 1 || r.Lines[0].LineItemID != "gid://shopify/LineItem/100101" || r.Amount != eur(2900) {
		t.Errorf("the refund of the towel reads %+v", r)
	}
	if r := byNote["Goodwill"]; r.OrderID != "gid://shopify/Order/1002" || r.Amount != eur(1000) || len(r.Lines) != 0 {
		t.Errorf("the merchant's refund reads %+v", r)
	}

	if _, err := c.Refunds(ctx, "gid://shopify/Order/999"); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("an unknown order: %v, want ENOTFOUND", err)
	}
	if _, err := c.Refunds(ctx, "1001"); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("a malformed order id: %v, want ENOTFOUND", err)
	}
}

// rawRefund makes a refund with Shopify's refundCreate as the adapter never
// sends it, and fails the test unless it is made.
func rawRefund(t *testing.T, base, token string, input map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation R($input: RefundInput!, $key: String!) { refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } } }`,
		"variables": map[string]any{"input": input, "key": "raw-" + time.Now().Format(time.RFC3339Nano)},
	})
	req, _ := http.NewRequest("POST", base+"/admin/api/2026-04/graphql.json", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			RefundCreate struct {
				Refund     *struct{ ID string } `json:"refund"`
				UserErrors []any                `json:"userErrors"`
			} `json:"refundCreate"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Data.RefundCreate.Refund == nil {
		t.Fatalf("refundCreate: %v %+v", err, out)
	}
}
