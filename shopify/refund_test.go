package shopify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

// MustOpenShop starts a devshop behind httptest and returns it with a function
// that makes Clients reaching it, each configured by cfg after the test
// defaults.
func MustOpenShop(tb testing.TB) (*devshop.Shop, func(cfg func(*shopify.Config)) *shopify.Client) {
	tb.Helper()
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }})
	srv := httptest.NewServer(shop)
	tb.Cleanup(srv.Close)
	return shop, func(cfg func(*shopify.Config)) *shopify.Client {
		tb.Helper()
		c := shopify.Config{
			AccessToken:  shop.Token(),
			Endpoint:     srv.URL,
			RetryWait:    time.Millisecond,
			MaxRetryWait: 10 * time.Millisecond,
			Timeout:      5 * time.Second,
			Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		if cfg != nil {
			cfg(&c)
		}
		client, err := shopify.New(c)
		if err != nil {
			tb.Fatal(err)
		}
		return client
	}
}

func eur(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }

const (
	order1001 = "gid://shopify/Order/1001"
	sale1001  = "gid://shopify/OrderTransaction/1001"
)

// refundOf1001 is a refund request on #1001 to its sale.
func refundOf1001(key string, amount returns.Money) returns.RefundRequest {
	return returns.RefundRequest{
		OrderID: order1001, Key: key, Amount: amount,
		Note:         "Return R-7KQ9X2MD (refund " + key + ")",
		Transactions: []returns.RefundTransaction{{ParentID: sale1001, Gateway: "bogus", Amount: amount}},
	}
}

func TestSuggestRefund(t *testing.T) {
	ctx := context.Background()
	c, _ := MustOpen(t)
	tests := []struct {
		name    string
		order   string
		items   []returns.Item
		want    returns.Money
		wantErr string // error code, "" for success
	}{
		{"the scarf of #1002", "gid://shopify/Order/1002",
			[]returns.Item{{LineItemID: "gid://shopify/LineItem/100201", Quantity: 1}}, eur(4900), ""},
		{"towel and two mugs", order1001,
			[]returns.Item{{LineItemID: "gid://shopify/LineItem/100101", Quantity: 1}, {LineItemID: "gid://shopify/LineItem/100102", Quantity: 2}}, eur(5800), ""},
		{"the same line twice", order1001,
			[]returns.Item{{LineItemID: "gid://shopify/LineItem/100102", Quantity: 1}, {LineItemID: "gid://shopify/LineItem/100102", Quantity: 1}}, eur(2900), ""},
		{"presentment currency", "gid://shopify/Order/1005",
			[]returns.Item{{LineItemID: "gid://shopify/LineItem/100502", Quantity: 2}}, returns.Money{Minor: 1300, Currency: "USD"}, ""},
		{"no items", order1001, nil, eur(0), ""},
		{"unknown order", "gid://shopify/Order/42",
			[]returns.Item{{LineItemID: "gid://shopify/LineItem/100101", Quantity: 1}}, returns.Money{}, returns.ENOTFOUND},
		{"not an order id", "1001", nil, returns.Money{}, returns.ENOTFOUND},
		{"line of another order", order1001,
			[]returns.Item{{LineItemID: "gid://shopify/LineItem/100201", Quantity: 1}}, returns.Money{}, returns.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.SuggestRefund(ctx, tt.order, tt.items)
			if code := returns.ErrorCode(err); code != tt.wantErr {
				t.Fatalf("err = %v (code %q), want code %q", err, code, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Fatalf("suggested %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("capped by what is left", func(t *testing.T) {
		c, _ := MustOpen(t)
		if _, err := c.CreateRefund(ctx, refundOf1001("k-cap", eur(4000))); err != nil {
			t.Fatal(err)
		}
		got, err := c.SuggestRefund(ctx, order1001, []returns.Item{{LineItemID: "gid://shopify/LineItem/100101", Quantity: 1}})
		if err != nil || got != eur(1800) {
			t.Fatalf("suggested %v, %v; want 18.00 EUR (58.00 received - 40.00 refunded)", got, err)
		}
	})
}

func TestCreateRefund(t *testing.T) {
	ctx := context.Background()
	c, shop := MustOpen(t)

	id, err := c.CreateRefund(ctx, refundOf1001("k-1", eur(2900)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "gid://shopify/Refund/") {
		t.Fatalf("id = %q", id)
	}
	snap, _ := shop.OrderByName("#1001")
	want := devshop.RefundSnapshot{ID: id, Amount: "29.00", Currency: "EUR", Note: "Return R-7KQ9X2MD (refund k-1)", Keys: []string{"k-1"}}
	if len(snap.Refunds) != 1 || !reflect.DeepEqual(snap.Refunds[0], want) || snap.TotalRefunded != "29.00" || snap.FinancialStatus != "PARTIALLY_REFUNDED" {
		t.Fatalf("order after the refund: %+v", snap)
	}
	o, err := c.Order(ctx, order1001)
	if err != nil {
		t.Fatal(err)
	}
	if o.Refunded != eur(2900) || o.Received != eur(5800) || o.Refundable() != eur(2900) {
		t.Fatalf("received %v refunded %v refundable %v", o.Received, o.Refunded, o.Refundable())
	}

	t.Run("same key again", func(t *testing.T) {
		again, err := c.CreateRefund(ctx, refundOf1001("k-1", eur(2900)))
		if err != nil || again != id {
			t.Fatalf("CreateRefund = %q, %v; want the first refund %q", again, err, id)
		}
		snap, _ := shop.OrderByName("#1001")
		if len(snap.Refunds) != 1 || !reflect.DeepEqual(snap.Refunds[0].Keys, []string{"k-1", "k-1"}) {
			t.Fatalf("refunds %+v, want one, asked for twice with k-1", snap.Refunds)
		}
	})

	t.Run("over-refund", func(t *testing.T) {
		_, err := c.CreateRefund(ctx, refundOf1001("k-2", eur(2901)))
		if code := returns.ErrorCode(err); code != returns.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if msg := returns.ErrorMessage(err).String(); msg != "Refund amount exceeds the maximum refundable amount" {
			t.Fatalf("message = %q, want Shopify's", msg)
		}
		if n := shop.RefundCount("#1001"); n != 1 {
			t.Fatalf("%d refunds, want 1", n)
		}
	})

	t.Run("wrong parent", func(t *testing.T) {
		req := refundOf1001("k-3", eur(100))
		req.Transactions[0].ParentID = "gid://shopify/OrderTransaction/1002" // the sale of #1002
		_, err := c.CreateRefund(ctx, req)
		if code := returns.ErrorCode(err); code != returns.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if n := shop.RefundCount("#1001"); n != 1 {
			t.Fatalf("%d refunds, want 1", n)
		}
	})

	t.Run("the rest", func(t *testing.T) {
		if _, err := c.CreateRefund(ctx, refundOf1001("k-4", eur(2900))); err != nil {
			t.Fatal(err)
		}
		snap, _ := shop.OrderByName("#1001")
		if snap.TotalRefunded != "58.00" || snap.FinancialStatus != "REFUNDED" || len(snap.Refunds) != 2 {
			t.Fatalf("order after refunding everything: %+v", snap)
		}
	})

	t.Run("presentment currency", func(t *testing.T) {
		id, err := c.CreateRefund(ctx, returns.RefundRequest{
			OrderID: "gid://shopify/Order/1005", Key: "k-usd", Amount: returns.Money{Minor: 650, Currency: "USD"},
			Note: "bulb", Transactions: []returns.RefundTransaction{{ParentID: "gid://shopify/OrderTransaction/1005", Gateway: "bogus", Amount: returns.Money{Minor: 650, Currency: "USD"}}},
		})
		if err != nil || id == "" {
			t.Fatalf("CreateRefund = %q, %v", id, err)
		}
		if snap, _ := shop.OrderByName("#1005"); snap.TotalRefunded != "6.50" {
			t.Fatalf("total refunded %q, want 6.50", snap.TotalRefunded)
		}
	})
}

// TestCreateRefund_NotSent checks requests the adapter refuses without asking
// Shopify.
func TestCreateRefund_NotSent(t *testing.T) {
	c, shop := MustOpen(t)
	tests := []struct {
		name   string
		change func(*returns.RefundRequest)
	}{
		{"no key", func(r *returns.RefundRequest) { r.Key = " " }},
		{"zero amount", func(r *returns.RefundRequest) { r.Amount = eur(0) }},
		{"negative amount", func(r *returns.RefundRequest) { r.Amount = eur(-100) }},
		{"no currency", func(r *returns.RefundRequest) { r.Amount.Currency = "" }},
		{"no parent", func(r *returns.RefundRequest) { r.Transactions[0].ParentID = "" }},
		{"no gateway", func(r *returns.RefundRequest) { r.Transactions[0].Gateway = "" }},
		{"no payment", func(r *returns.RefundRequest) { r.Transactions = nil }},
		{"parts not adding up", func(r *returns.RefundRequest) { r.Transactions[0].Amount = eur(99) }},
		{"part in another currency", func(r *returns.RefundRequest) { r.Transactions[0].Amount.Currency = "USD" }},
		{"not an order", func(r *returns.RefundRequest) { r.OrderID = "1001" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := refundOf1001("k", eur(100))
			tt.change(&req)
			_, err := c.CreateRefund(context.Background(), req)
			if code := returns.ErrorCode(err); code != returns.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
	if n := shop.Calls(); n != 0 {
		t.Fatalf("%d calls, want none", n)
	}
}

// TestCreateRefund_LostAnswer is the exactly-once protocol's hard case: Shopify
// made the refund and the answer was lost.
func TestCreateRefund_LostAnswer(t *testing.T) {
	ctx := context.Background()

	t.Run("dropped after commit, no retries left", func(t *testing.T) {
		shop, open := MustOpenShop(t)
		c := open(func(cfg *shopify.Config) { cfg.MaxAttempts = 1 })
		shop.DropAfterCommit(1)
		_, err := c.CreateRefund(ctx, refundOf1001("k-lost", eur(2900)))
		if code := returns.ErrorCode(err); code != returns.EUNKNOWN {
			t.Fatalf("err = %v (code %q), want EUNKNOWN", err, code)
		}
		if n := shop.RefundCount("#1001"); n != 1 {
			t.Fatalf("%d refunds, want the one committed before the drop", n)
		}

		found, ok, err := c.FindRefund(ctx, order1001, "k-lost")
		if err != nil || !ok {
			t.Fatalf("FindRefund = %q, %v, %v", found, ok, err)
		}
		id, err := c.CreateRefund(ctx, refundOf1001("k-lost", eur(2900)))
		if err != nil {
			t.Fatal(err)
		}
		snap, _ := shop.OrderByName("#1001")
		if id != found || len(snap.Refunds) != 1 || snap.Refunds[0].ID != id || snap.TotalRefunded != "29.00" {
			t.Fatalf("retry gave %q, FindRefund %q; order %+v: want one refund of 29.00", id, found, snap)
		}
		if want := []string{"k-lost", "k-lost"}; !reflect.DeepEqual(snap.RefundKeys, want) {
			t.Fatalf("the store got keys %q, want %q", snap.RefundKeys, want)
		}
	})

	t.Run("dropped after commit, retried inside the call", func(t *testing.T) {
		shop, open := MustOpenShop(t)
		c := open(nil)
		shop.DropAfterCommit(1)
		id, err := c.CreateRefund(ctx, refundOf1001("k-retry", eur(2900)))
		if err != nil {
			t.Fatal(err)
		}
		snap, _ := shop.OrderByName("#1001")
		if len(snap.Refunds) != 1 || snap.Refunds[0].ID != id || shop.Calls() != 2 {
			t.Fatalf("refunds %+v after %d calls: want one, made by the first of two calls", snap.Refunds, shop.Calls())
		}
		if want := []string{"k-retry", "k-retry"}; !reflect.DeepEqual(snap.RefundKeys, want) {
			t.Fatalf("the store got keys %q, want %q", snap.RefundKeys, want)
		}
	})

	t.Run("deadline while Shopify answers slowly", func(t *testing.T) {
		shop, open := MustOpenShop(t)
		c := open(nil)
		shop.SetDelay(10 * time.Second) // after the refund is made
		tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := c.CreateRefund(tctx, refundOf1001("k-slow", eur(1000)))
		if returns.ErrorCode(err) != returns.EUNKNOWN || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want EUNKNOWN wrapping the deadline", err)
		}
		shop.SetDelay(0)
		if _, err := c.CreateRefund(ctx, refundOf1001("k-slow", eur(1000))); err != nil {
			t.Fatal(err)
		}
		if snap, _ := shop.OrderByName("#1001"); snap.TotalRefunded != "10.00" {
			t.Fatalf("total refunded %q, want 10.00 once", snap.TotalRefunded)
		}
	})
}

func TestCreateRefund_Failures(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(*devshop.Shop)
		wantCode    string // "" for success
		wantCalls   int
		wantRefunds int
	}{
		{"503 once then made", func(s *devshop.Shop) { s.FailNext(1, http.StatusServiceUnavailable) }, "", 2, 1},
		{"500 for good", func(s *devshop.Shop) { s.FailNext(100, http.StatusInternalServerError) }, returns.EUNKNOWN, 4, 0},
		{"502 on mutations for good", func(s *devshop.Shop) { s.FailMutations(100, http.StatusBadGateway) }, returns.EUNKNOWN, 4, 0},
		{"throttled for good", func(s *devshop.Shop) { s.SetThrottled(true) }, returns.EUNKNOWN, 4, 0},
		{"429 once then made", func(s *devshop.Shop) { s.FailNext(1, http.StatusTooManyRequests) }, "", 2, 1},
		{"malformed for good", func(s *devshop.Shop) { s.SetMalformed(100) }, returns.EUNKNOWN, 4, 0},
		{"dropped four times", func(s *devshop.Shop) { s.DropAfterCommit(100) }, "", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, shop := MustOpen(t)
			tt.setup(shop)
			_, err := c.CreateRefund(context.Background(), refundOf1001("k-fail", eur(2900)))
			if code := returns.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("err = %v (code %q), want code %q", err, code, tt.wantCode)
			}
			if got := shop.Calls(); got != tt.wantCalls {
				t.Fatalf("calls = %d, want %d", got, tt.wantCalls)
			}
			if n := shop.RefundCount("#1001"); n != tt.wantRefunds {
				t.Fatalf("%d refunds, want %d", n, tt.wantRefunds)
			}
		})
	}
}

// TestCreateRefund_KeyReused checks that a key used with other input is not
// taken for a refusal: the refund the key made stands, so the outcome is
// unknown and FindRefund settles it.
func TestCreateRefund_KeyReused(t *testing.T) {
	ctx := context.Background()
	c, shop := MustOpen(t)
	first, err := c.CreateRefund(ctx, refundOf1001("k-same", eur(1000)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRefund(ctx, refundOf1001("k-same", eur(2000)))
	if code := returns.ErrorCode(err); code != returns.EUNKNOWN {
		t.Fatalf("err = %v, want EUNKNOWN", err)
	}
	if n := shop.RefundCount("#1001"); n != 1 {
		t.Fatalf("%d refunds, want 1", n)
	}
	if id, ok, err := c.FindRefund(ctx, order1001, "k-same"); err != nil || !ok || id != first {
		t.Fatalf("FindRefund = %q, %v, %v; want %q", id, ok, err, first)
	}
}

// TestCreateRefund_Concurrent sends the same refund at once, through one
// client and through several; run it with -race.
func TestCreateRefund_Concurrent(t *testing.T) {
	for _, shared := range []bool{true, false} {
		name := "one client"
		if !shared {
			name = "a client each"
		}
		t.Run(name, func(t *testing.T) {
			shop, open := MustOpenShop(t)
			one := open(nil)
			var wg sync.WaitGroup
			ids := make([]string, 8)
			errs := make([]error, 8)
			for i := range ids {
				c := one
				if !shared {
					c = open(nil)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					ids[i], errs[i] = c.CreateRefund(context.Background(), refundOf1001("k-race", eur(2900)))
				}()
			}
			wg.Wait()
			for i := range ids {
				if errs[i] != nil || ids[i] != ids[0] {
					t.Fatalf("call %d = %q, %v; want %q", i, ids[i], errs[i], ids[0])
				}
			}
			if snap, _ := shop.OrderByName("#1001"); len(snap.Refunds) != 1 || snap.TotalRefunded != "29.00" {
				t.Fatalf("order %+v, want one refund of 29.00", snap)
			}
		})
	}
}

func TestFindRefund(t *testing.T) {
	ctx := context.Background()
	c, _ := MustOpen(t)
	made, err := c.CreateRefund(ctx, refundOf1001("0123456789abcdef0123456789abcdef", eur(500)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRefund(ctx, refundOf1001("fedcba9876543210fedcba9876543210", eur(500))); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, order, key string
		wantID           string
		wantFound        bool
		wantCode         string
	}{
		{"by key", order1001, "0123456789abcdef0123456789abcdef", made, true, ""},
		{"other key", order1001, "00000000000000000000000000000000", "", false, ""},
		{"other order", "gid://shopify/Order/1002", "0123456789abcdef0123456789abcdef", "", false, ""},
		{"unknown order", "gid://shopify/Order/42", "0123456789abcdef0123456789abcdef", "", false, returns.ENOTFOUND},
		{"empty key", order1001, " ", "", false, returns.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, found, err := c.FindRefund(ctx, tt.order, tt.key)
			if code := returns.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if id != tt.wantID || found != tt.wantFound {
				t.Fatalf("FindRefund = %q, %v; want %q, %v", id, found, tt.wantID, tt.wantFound)
			}
		})
	}
}
