package shopify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
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

// clock is a fake clock shared by the client and devshop, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a log destination safe for the client's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// appSetup is a devshop with a Dev Dashboard app (client-1 / secret-1,
// tokens of 10 seconds) and a client that gets its tokens from it, both on
// one fake clock. handler, when set, wraps the shop's handler.
type appSetup struct {
	shop   *devshop.Shop
	client *shopify.Client
	clock  *clock
	logs   *syncBuffer
}

func openApp(t *testing.T, opts devshop.Options, secret string, wrap func(http.Handler) http.Handler) *appSetup {
	t.Helper()
	clk := &clock{t: now}
	opts.Now = clk.Now
	opts.ClientID, opts.ClientSecret = "client-1", "secret-1"
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 10 * time.Second
	}
	shop := devshop.New(opts)
	t.Cleanup(shop.Close)
	var h http.Handler = shop
	if wrap != nil {
		h = wrap(shop)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	c, err := shopify.New(shopify.Config{
		Shop:         "returns-demo",
		ClientID:     "client-1",
		ClientSecret: secret,
		Endpoint:     srv.URL,
		Now:          clk.Now,
		RetryWait:    time.Millisecond,
		MaxRetryWait: 10 * time.Millisecond,
		Timeout:      5 * time.Second,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &appSetup{shop: shop, client: c, clock: clk, logs: logs}
}

// readOrders reads #1002 n times at once and fails the test on any error.
func readOrders(t *testing.T, c *shopify.Client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := c.Order(ctx, "gid://shopify/Order/1002"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a read failed: %v", err)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10 s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClientCredentials_TokenStatus(t *testing.T) {
	a := openApp(t, devshop.Options{Scopes: []string{"read_orders", "write_orders", "read_products"}}, "secret-1", nil)
	if st := a.client.TokenStatus(); st.Kind != returns.TokenClientCredentials || !st.ExpiresAt.IsZero() {
		t.Fatalf("before the first call: %+v", st)
	}
	readOrders(t, a.client, 1)
	st := a.client.TokenStatus()
	if !st.ObtainedAt.Equal(now) || !st.ExpiresAt.Equal(now.Add(10*time.Second)) || !slices.Equal(st.Scopes, []string{"read_orders", "write_orders", "read_products"}) {
		t.Fatalf("status = %+v", st)
	}
	if got := a.shop.TokenRequests(); got != 1 {
		t.Fatalf("TokenRequests() = %d, want 1", got)
	}
}

func TestClientCredentials_RenewedBeforeExpiry(t *testing.T) {
	a := openApp(t, devshop.Options{}, "secret-1", nil)
	readOrders(t, a.client, 1)

	// 9.5 s into a 10 s token: inside the last tenth of its life. Many calls
	// at once go on with the token they have while one renewal runs.
	a.clock.Add(9500 * time.Millisecond)
	readOrders(t, a.client, 20)
	waitFor(t, "renewed", func() bool { return a.client.TokenStatus().ObtainedAt.Equal(now.Add(9500 * time.Millisecond)) })
	if got := a.shop.TokenRequests(); got != 2 {
		t.Fatalf("TokenRequests() = %d after the renewal window, want 2", got)
	}

	// Past the first token's expiry, which devshop enforces on the same
	// clock: the calls use the new token and need no other.
	a.clock.Add(time.Second)
	readOrders(t, a.client, 10) // 31 reads in all fit the bucket of 2000 points, which the fake clock never refills
	if got := a.shop.TokenRequests(); got != 2 {
		t.Fatalf("TokenRequests() = %d after the first token expired, want 2 (no 401, no renewal)", got)
	}
}

func TestClientCredentials_ExpiredWaitsForOneRenewal(t *testing.T) {
	a := openApp(t, devshop.Options{}, "secret-1", nil)
	readOrders(t, a.client, 1)
	a.clock.Add(11 * time.Second)
	readOrders(t, a.client, 20)
	if got := a.shop.TokenRequests(); got != 2 {
		t.Fatalf("TokenRequests() = %d, want 2: one renewal for twenty calls", got)
	}
}

func TestClientCredentials_RenewedOnceOn401(t *testing.T) {
	a := openApp(t, devshop.Options{}, "secret-1", nil)
	readOrders(t, a.client, 1)
	calls := a.shop.Calls()

	// Shopify considers the token expired while the client does not: every
	// call gets a 401, and one new token serves them all.
	a.shop.ExpireTokens()
	readOrders(t, a.client, 20)
	if got := a.shop.TokenRequests(); got != 2 {
		t.Fatalf("TokenRequests() = %d, want 2: one renewal after the 401s", got)
	}
	// Refused requests do not count as calls; each read ran once.
	if got := a.shop.Calls() - calls; got != 20 {
		t.Fatalf("%d calls ran, want 20", got)
	}

	logs := a.logs.String()
	if strings.Contains(logs, "shpat_") || strings.Contains(logs, "secret-1") {
		t.Fatalf("a token or the secret is in the log:\n%s", logs)
	}
	if !strings.Contains(logs, "shopify access token granted") {
		t.Fatalf("the grants are not logged:\n%s", logs)
	}
}

func TestClientCredentials_Refused(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		a := openApp(t, devshop.Options{}, "secret-2", nil)
		_, err := a.client.Order(context.Background(), "gid://shopify/Order/1002")
		var denied *returns.ShopDenied
		if returns.ErrorCode(err) != returns.EUNAVAILABLE || !errors.As(err, &denied) || denied.Cause != returns.DeniedToken {
			t.Fatalf("err = %v, want EUNAVAILABLE with a refused token", err)
		}
		if msg := returns.ErrorMessage(err).String(); !strings.Contains(msg, "client credentials") {
			t.Fatalf("message = %q", msg)
		}
		if got := a.shop.TokenRequests(); got != 1 {
			t.Fatalf("TokenRequests() = %d, want 1: a refusal is not retried", got)
		}
		if strings.Contains(a.logs.String(), "secret-2") {
			t.Fatal("the secret is in the log")
		}
	})
	t.Run("app uninstalled", func(t *testing.T) {
		a := openApp(t, devshop.Options{}, "secret-1", nil)
		readOrders(t, a.client, 1)
		a.shop.Uninstall()
		_, err := a.client.Order(context.Background(), "gid://shopify/Order/1002")
		var denied *returns.ShopDenied
		if !errors.As(err, &denied) || denied.Cause != returns.DeniedUninstalled {
			t.Fatalf("err = %v, want app_not_installed", err)
		}
		// The 401 dropped the token, and the one renewal it allows was
		// refused.
		if got := a.shop.TokenRequests(); got != 2 {
			t.Fatalf("TokenRequests() = %d, want 2", got)
		}
	})
	t.Run("static token refused", func(t *testing.T) {
		shop := devshop.New(devshop.Options{})
		srv := httptest.NewServer(shop)
		defer srv.Close()
		c, err := shopify.New(shopify.Config{AccessToken: "shpat_wrong", Endpoint: srv.URL, RetryWait: time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Order(context.Background(), "gid://shopify/Order/1002")
		var denied *returns.ShopDenied
		if returns.ErrorCode(err) != returns.EUNAVAILABLE || !errors.As(err, &denied) || denied.Cause != returns.DeniedToken {
			t.Fatalf("err = %v", err)
		}
		if shop.TokenRequests() != 0 {
			t.Fatal("a static token was renewed")
		}
	})
}

func TestClientCredentials_WaitHonoursContext(t *testing.T) {
	release := make(chan struct{})
	var held sync.Once
	hold := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/admin/oauth/access_token" {
				held.Do(func() { <-release })
			}
			h.ServeHTTP(w, r)
		})
	}
	a := openApp(t, devshop.Options{}, "secret-1", hold)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.client.Order(ctx, "gid://shopify/Order/1002")
	if !errors.Is(err, context.DeadlineExceeded) || returns.ErrorCode(err) != returns.EUNAVAILABLE {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the call waited %v for a held token request", d)
	}
	// The token request goes on without the caller that started it, and
	// serves the next calls: no second request.
	done := make(chan struct{})
	go func() {
		defer close(done)
		readOrders(t, a.client, 5)
	}()
	close(release)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("calls still waiting 10 s after the token request was released")
	}
	if got := a.shop.TokenRequests(); got != 1 {
		t.Fatalf("TokenRequests() = %d, want 1", got)
	}
}

func TestNew_Credentials(t *testing.T) {
	tests := []struct {
		name    string
		cfg     shopify.Config
		wantErr bool
	}{
		{"client credentials", shopify.Config{Shop: "s", ClientID: "id", ClientSecret: "secret"}, false},
		{"both kinds", shopify.Config{Shop: "s", AccessToken: "shpat_x", ClientID: "id", ClientSecret: "secret"}, true},
		{"id without secret", shopify.Config{Shop: "s", ClientID: "id"}, true},
		{"secret without id", shopify.Config{Shop: "s", ClientSecret: "secret"}, true},
		{"neither", shopify.Config{Shop: "s"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := shopify.New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && c.TokenStatus().Kind != returns.TokenClientCredentials {
				t.Fatalf("kind = %q", c.TokenStatus().Kind)
			}
		})
	}
}

// TestClientCredentials_SeveralRenewals runs on the real clock with tokens of
// one second: calls keep working across renewals, before expiry or after.
func TestClientCredentials_SeveralRenewals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 3.5 s")
	}
	shop := devshop.New(devshop.Options{ClientID: "client-1", ClientSecret: "secret-1", TokenTTL: time.Second})
	t.Cleanup(shop.Close)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	c, err := shopify.New(shopify.Config{ClientID: "client-1", ClientSecret: "secret-1", Endpoint: srv.URL,
		RetryWait: time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for start := time.Now(); time.Since(start) < 3500*time.Millisecond; calls++ {
		readOrders(t, c, 3)
		time.Sleep(20 * time.Millisecond)
	}
	if got := shop.TokenRequests(); got < 3 {
		t.Fatalf("TokenRequests() = %d over 3.5 s of one-second tokens, want at least 3", got)
	}
	t.Logf("%d rounds of calls, %d token requests", calls, shop.TokenRequests())
}
