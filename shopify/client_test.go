package shopify_test

import (
	"context"
	"errors"
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

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// MustOpen starts a devshop behind httptest and returns it with a Client that
// reaches it through the real go-shopify client.
func MustOpen(tb testing.TB) (*shopify.Client, *devshop.Shop) {
	tb.Helper()
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }})
	srv := httptest.NewServer(shop)
	tb.Cleanup(srv.Close)
	c, err := shopify.New(shopify.Config{
		Shop:         "returns-demo",
		AccessToken:  shop.Token(),
		Endpoint:     srv.URL,
		RetryWait:    time.Millisecond,
		MaxRetryWait: 10 * time.Millisecond,
		Timeout:      5 * time.Second,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c, shop
}

func TestNew_Config(t *testing.T) {
	tests := []struct {
		name    string
		cfg     shopify.Config
		wantErr bool
	}{
		{"shop and token", shopify.Config{Shop: "my-store", AccessToken: "t"}, false},
		{"full shop domain", shopify.Config{Shop: "https://my-store.myshopify.com/", AccessToken: "t"}, false},
		{"endpoint without shop", shopify.Config{AccessToken: "t", Endpoint: "http://127.0.0.1:1"}, false},
		{"no token", shopify.Config{Shop: "my-store"}, true},
		{"no shop", shopify.Config{AccessToken: "t"}, true},
		{"bad version", shopify.Config{Shop: "my-store", AccessToken: "t", APIVersion: "april"}, true},
		{"bad endpoint", shopify.Config{AccessToken: "t", Endpoint: "127.0.0.1:80"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shopify.New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestFindOrder(t *testing.T) {
	c, _ := MustOpen(t)
	tests := []struct {
		name, number, email string
		want                string // order name, or "" for ENOTFOUND
	}{
		{"exact", "1001", "anna.berzina@example.lv", "#1001"},
		{"email in other case", "1001", "ANNA.BERZINA@example.lv", "#1001"},
		{"with #", "#1001", "anna.berzina@example.lv", "#1001"},
		{"with spaces", " 1001 ", " anna.berzina@example.lv ", "#1001"},
		{"old order", "1003", "sam.taylor@example.com", "#1003"},
		{"wrong email", "1001", "sam.taylor@example.com", ""},
		// Shopify's search finds these (devshop's does, as loosely); only the
		// adapter's exact comparison keeps them out.
		{"part of the email", "1001", "anna@example.lv", ""},
		{"the email's domain", "1001", "example.lv", ""},
		{"the email's first letters", "1001", "anna.b", ""},
		{"the email's tokens in another order", "1001", "example.lv@anna.berzina", ""},
		{"no letter or digit in the email", "1001", "@", ""},
		{"part of the number", "100", "anna.berzina@example.lv", ""},
		{"unknown order", "9999", "anna.berzina@example.lv", ""},
		{"empty number", " # ", "anna.berzina@example.lv", ""},
		{"empty email", "1001", "", ""},
		{"quotes in input", `1001" OR name:"1002`, "anna.berzina@example.lv", ""},
	}
	// Every miss is the same plain not-found: the one answer customers get
	// for a failed lookup is the domain's to give (returns.ErrLookupFailed),
	// not spelled again here.
	var notFound string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := c.FindOrder(context.Background(), tt.number, tt.email)
			if tt.want == "" {
				if code := returns.ErrorCode(err); code != returns.ENOTFOUND {
					t.Fatalf("err = %v (code %q), want ENOTFOUND", err, code)
				}
				msg := returns.ErrorMessage(err).String()
				if msg == returns.ErrorMessage(returns.ErrLookupFailed).String() {
					t.Errorf("the adapter answers with the domain's lookup failure %q", msg)
				}
				if notFound == "" {
					notFound = msg
				}
				if msg != notFound {
					t.Errorf("miss answered %q, another %q", msg, notFound)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Name != tt.want {
				t.Fatalf("name = %q, want %q", o.Name, tt.want)
			}
		})
	}
}

// TestFindOrder_NearMiss checks that the adapter's exact filter drops what a
// loose search returns: name:100 matches #1001 and #1004.
func TestFindOrder_NearMiss(t *testing.T) {
	c, _ := MustOpen(t)
	_, err := c.FindOrder(context.Background(), "100", "anna.berzina@example.lv")
	if code := returns.ErrorCode(err); code != returns.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
	o, err := c.FindOrder(context.Background(), "1004", "anna.berzina@example.lv")
	if err != nil || o.Name != "#1004" {
		t.Fatalf("FindOrder(1004) = %v, %v", o, err)
	}
}

func TestOrder_Mapping(t *testing.T) {
	c, _ := MustOpen(t)
	day := 24 * time.Hour
	o, err := c.FindOrder(context.Background(), "1001", "anna.berzina@example.lv")
	if err != nil {
		t.Fatal(err)
	}
	want := &returns.Order{
		ID:        "gid://shopify/Order/1001",
		Name:      "#1001",
		Email:     "anna.berzina@example.lv",
		Locale:    "lv",
		Currency:  "EUR",
		CreatedAt: now.Add(-8 * day),
		Tags:      []string{},
		Lines: []returns.LineItem{
			{
				ID: "gid://shopify/LineItem/100101", Title: "Linen tea towel", VariantTitle: "Natural",
				Quantity: 1, UnitPrice: returns.Money{Minor: 2900, Currency: "EUR"},
				ProductTags: []string{"kitchen", "linen"}, ImageURL: "https://cdn.example.com/devshop/ltt-nat.jpg",
				Fulfilled: 1, FulfilledAt: now.Add(-3 * day), Delivered: true, // shipped 5 days ago, delivered 2 days later
			},
			{
				ID: "gid://shopify/LineItem/100102", Title: "Ceramic mug", VariantTitle: "Blue",
				Quantity: 2, UnitPrice: returns.Money{Minor: 1450, Currency: "EUR"},
				ProductTags: []string{"kitchen"}, ImageURL: "https://cdn.example.com/devshop/mug-blu.jpg",
				Fulfilled: 2, FulfilledAt: now.Add(-3 * day), Delivered: true,
			},
		},
		Received: returns.Money{Minor: 5800, Currency: "EUR"},
		Refunded: returns.Money{Minor: 0, Currency: "EUR"},
		// #1001 was sent with free standard shipping.
		Shipping:         returns.Money{Minor: 0, Currency: "EUR"},
		ShippingRefunded: returns.Money{Minor: 0, Currency: "EUR"},
		ShippingTitle:    "Free standard shipping",
		Payments: []returns.Payment{
			{ID: "gid://shopify/OrderTransaction/1001", Kind: "SALE", Gateway: "bogus", Amount: returns.Money{Minor: 5800, Currency: "EUR"}},
		},
	}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("order =\n%+v\nwant\n%+v", o, want)
	}

	t.Run("delivery paid and refunded", func(t *testing.T) {
		ctx := context.Background()
		o, err := c.FindOrder(ctx, "1002", "sam.taylor@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if want := (returns.Money{Minor: 390, Currency: "EUR"}); o.Shipping != want || o.ShippingTitle != "Standard" || o.Received.Minor != 4900+900+390 {
			t.Fatalf("shipping %v %q, received %v; want %v Standard, 62.90", o.Shipping, o.ShippingTitle, o.Received, want)
		}
		sugg, err := c.SuggestTransactions(ctx, o.ID, []returns.Item{{LineItemID: "gid://shopify/LineItem/100202", Quantity: 1}})
		if err != nil {
			t.Fatal(err)
		}
		txs, err := returns.SplitRefund(returns.Money{Minor: 490, Currency: "EUR"}, sugg.Transactions)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateRefund(ctx, returns.RefundRequest{OrderID: o.ID, Key: "delivery-key", Amount: returns.Money{Minor: 490, Currency: "EUR"},
			Note: "delivery", Transactions: txs, Shipping: returns.Money{Minor: 390, Currency: "EUR"}}); err != nil {
			t.Fatal(err)
		}
		again, err := c.Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.ShippingRefunded.Minor != 390 || again.Refunded.Minor != 490 {
			t.Fatalf("refunded %v, of it shipping %v; want 4.90 and 3.90", again.Refunded, again.ShippingRefunded)
		}
		// Delivery cannot be refunded twice.
		_, err = c.CreateRefund(ctx, returns.RefundRequest{OrderID: o.ID, Key: "delivery-key-2", Amount: returns.Money{Minor: 100, Currency: "EUR"},
			Note: "delivery", Transactions: []returns.RefundTransaction{{ParentID: txs[0].ParentID, Gateway: txs[0].Gateway, Amount: returns.Money{Minor: 100, Currency: "EUR"}}},
			Shipping: returns.Money{Minor: 100, Currency: "EUR"}})
		if returns.ErrorCode(err) != returns.EINVALID {
			t.Fatalf("second delivery refund: %v, want EINVALID", err)
		}
	})

	t.Run("presentment currency and unfulfilled", func(t *testing.T) {
		usd, err := c.Order(context.Background(), "gid://shopify/Order/1005")
		if err != nil {
			t.Fatal(err)
		}
		if usd.Currency != "USD" || usd.Lines[1].UnitPrice != (returns.Money{Minor: 650, Currency: "USD"}) {
			t.Fatalf("currency %q, bulb price %v", usd.Currency, usd.Lines[1].UnitPrice)
		}
		if usd.Received != (returns.Money{Minor: 7700, Currency: "USD"}) || usd.Payments[0].Amount != usd.Received {
			t.Fatalf("received %v, payments %+v: want the presentment amounts", usd.Received, usd.Payments)
		}
		if got := usd.Lines[0].FulfilledAt; !got.Equal(now.Add(-3 * day)) {
			t.Fatalf("FulfilledAt without delivery = %v, want the shipping date", got)
		}
		open, err := c.Order(context.Background(), "gid://shopify/Order/1004")
		if err != nil {
			t.Fatal(err)
		}
		if l := open.Lines[0]; l.Fulfilled != 0 || !l.FulfilledAt.IsZero() {
			t.Fatalf("unfulfilled line: %+v", l)
		}
		sale, err := c.Order(context.Background(), "gid://shopify/Order/1002")
		if err != nil {
			t.Fatal(err)
		}
		if !sale.Lines[1].HasProductTag("final-sale") {
			t.Fatalf("product tags = %v", sale.Lines[1].ProductTags)
		}
	})
}

func TestOrder_NotFound(t *testing.T) {
	c, shop := MustOpen(t)
	for _, id := range []string{"gid://shopify/Order/42", "gid://shopify/LineItem/100101", "1001", ""} {
		_, err := c.Order(context.Background(), id)
		if code := returns.ErrorCode(err); code != returns.ENOTFOUND {
			t.Errorf("Order(%q) err = %v, want ENOTFOUND", id, err)
		}
	}
	if got := shop.Calls(); got != 1 {
		t.Errorf("Calls() = %d, want 1 (ids that are not Order GIDs need no call)", got)
	}
}

func TestUpdateOrder(t *testing.T) {
	ctx := context.Background()
	c, shop := MustOpen(t)
	const id = "gid://shopify/Order/1001"

	if err := c.UpdateOrder(ctx, id, "Return R-1 requested", []string{"returns:requested", " "}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateOrder(ctx, id, "Return R-1 requested\nReturn R-1 approved", []string{"RETURNS:REQUESTED", "returns:approved"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateOrder(ctx, id, "note only", nil); err != nil {
		t.Fatal(err)
	}
	o, _ := shop.OrderByName("#1001")
	if o.Note != "note only" || !reflect.DeepEqual(o.Tags, []string{"returns:requested", "returns:approved"}) {
		t.Fatalf("note %q tags %q", o.Note, o.Tags)
	}
	if got := shop.Calls(); got != 3 {
		t.Fatalf("Calls() = %d, want one per update", got)
	}

	t.Run("unknown order", func(t *testing.T) {
		err := c.UpdateOrder(ctx, "gid://shopify/Order/42", "x", []string{"t"})
		if code := returns.ErrorCode(err); code != returns.ENOTFOUND {
			t.Fatalf("err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("answer lost after commit", func(t *testing.T) {
		shop.DropAfterCommit(1)
		before := shop.Calls()
		if err := c.UpdateOrder(ctx, id, "after a lost answer", []string{"returns:refunded"}); err != nil {
			t.Fatal(err)
		}
		o, _ := shop.OrderByName("#1001")
		if o.Note != "after a lost answer" || !reflect.DeepEqual(o.Tags, []string{"returns:requested", "returns:approved", "returns:refunded"}) {
			t.Fatalf("note %q tags %q", o.Note, o.Tags)
		}
		if got := shop.Calls() - before; got != 2 {
			t.Fatalf("calls = %d, want 2 (one lost, one retried)", got)
		}
	})
}

func TestFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		setup     func(*devshop.Shop)
		wantCode  string // "" for success
		wantCalls int
	}{
		{"throttled once then OK", func(s *devshop.Shop) { s.ThrottleNext(1) }, "", 2},
		{"throttled for good", func(s *devshop.Shop) { s.SetThrottled(true) }, returns.EUNAVAILABLE, 4},
		{"503 once then OK", func(s *devshop.Shop) { s.FailNext(1, 503) }, "", 2},
		{"500 for good", func(s *devshop.Shop) { s.FailNext(100, 500) }, returns.EUNAVAILABLE, 4},
		{"429", func(s *devshop.Shop) { s.FailNext(1, 429) }, "", 2},
		{"malformed once then OK", func(s *devshop.Shop) { s.SetMalformed(1) }, "", 2},
		{"malformed for good", func(s *devshop.Shop) { s.SetMalformed(100) }, returns.EUNAVAILABLE, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, shop := MustOpen(t)
			tt.setup(shop)
			o, err := c.Order(ctx, "gid://shopify/Order/1002")
			if code := returns.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("err = %v (code %q), want code %q", err, code, tt.wantCode)
			}
			if err == nil && o.Name != "#1002" {
				t.Fatalf("order = %+v", o)
			}
			if err != nil && returns.ErrorMessage(err).String() != "Shopify is not answering right now. Please try again shortly." {
				t.Fatalf("message = %q", returns.ErrorMessage(err))
			}
			if got := shop.Calls(); got != tt.wantCalls {
				t.Fatalf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestWrongToken(t *testing.T) {
	shop := devshop.New(devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	c, err := shopify.New(shopify.Config{AccessToken: "shpat_wrong", Endpoint: srv.URL, RetryWait: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FindOrder(context.Background(), "1001", "anna.berzina@example.lv")
	if code := returns.ErrorCode(err); code != returns.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
}

func TestContext(t *testing.T) {
	t.Run("deadline during a slow answer", func(t *testing.T) {
		c, shop := MustOpen(t)
		shop.SetDelay(10 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Order(ctx, "gid://shopify/Order/1001")
		if !errors.Is(err, context.DeadlineExceeded) || returns.ErrorCode(err) != returns.EUNAVAILABLE {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("took %v", d)
		}
	})

	t.Run("cancelled while waiting to retry", func(t *testing.T) {
		shop := devshop.New(devshop.Options{})
		srv := httptest.NewServer(shop)
		defer srv.Close()
		c, err := shopify.New(shopify.Config{AccessToken: shop.Token(), Endpoint: srv.URL, RetryWait: time.Minute,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		shop.SetThrottled(true)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err = c.Order(ctx, "gid://shopify/Order/1001")
		if !errors.Is(err, context.Canceled) || returns.ErrorCode(err) != returns.EUNAVAILABLE {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// TestConcurrent runs lookups and updates at once; run it with -race.
func TestConcurrent(t *testing.T) {
	c, shop := MustOpen(t)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := c.FindOrder(context.Background(), "1002", "sam.taylor@example.com"); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			if err := c.UpdateOrder(context.Background(), "gid://shopify/Order/1005", "n", []string{"tag" + string(rune('a'+i))}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if o, _ := shop.OrderByName("#1005"); len(o.Tags) != 8 {
		t.Fatalf("tags = %v, want 8", o.Tags)
	}
}

// TestDemoMode wires the adapter to devshop.Start the way the portal's demo mode
// does.
func TestDemoMode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	shop := devshop.New(devshop.Options{})
	base, stop, err := shop.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c, err := shopify.New(shopify.Config{AccessToken: shop.Token(), Endpoint: base})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindOrder(ctx, "#1005", "lee.jordan@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := shop.Calls(); got != 1 {
		t.Fatalf("a lookup took %d calls, want 1 (the search's hit comes with the whole order)", got)
	}
}

// TestFindOrder_Calls checks what a lookup costs in calls: one when the search's
// first hit is named as typed or there is no hit, and a cheap search more (and
// a read of the order named as typed, were there one) when the hit is a near
// miss on the name. The email never changes the count: a wrong one, near or
// far, costs what the right one does, so the time of a failed lookup says
// nothing about it.
func TestFindOrder_Calls(t *testing.T) {
	tests := []struct {
		name, number, email string
		wantOrder           string // "" for ENOTFOUND
		wantCalls           int
	}{
		{"exact", "1001", "anna.berzina@example.lv", "#1001", 1},
		{"no hit", "9999", "anna.berzina@example.lv", "", 1},
		{"wrong email", "1001", "sam.taylor@example.com", "", 1},
		{"exact among loose hits", "1004", "anna.berzina@example.lv", "#1004", 1},
		{"near miss only", "100", "anna.berzina@example.lv", "", 2},
		{"near miss on the email", "1001", "anna@example.lv", "", 1},
		{"far miss on the email", "1001", "nobody@example.org", "", 1},
		{"near miss on the name, right email", "100", "sam.taylor@example.com", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, shop := MustOpen(t)
			o, err := c.FindOrder(context.Background(), tt.number, tt.email)
			switch {
			case tt.wantOrder == "" && returns.ErrorCode(err) != returns.ENOTFOUND:
				t.Fatalf("FindOrder = %v, %v; want ENOTFOUND", o, err)
			case tt.wantOrder != "" && (err != nil || o.Name != tt.wantOrder):
				t.Fatalf("FindOrder = %v, %v; want %s", o, err, tt.wantOrder)
			}
			if got := shop.Calls(); got != tt.wantCalls {
				t.Fatalf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

var _ http.Handler = (*devshop.Shop)(nil)
