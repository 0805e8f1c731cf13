package handlers_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/shopify"
)

// sessionSecret is the cookie secret newHarness configures.
const sessionSecret = "session-key-0123456789-0123456789-abcdef"

// harnessConfig is the handler configuration newHarness builds its server with,
// for tests that serve the same service under another configuration.
func harnessConfig() handlers.Config {
	return handlers.Config{
		SessionKeys:   [][]byte{[]byte(sessionSecret)},
		LinkSecret:    linkSecret,
		WebhookSecret: webhookSecret,
		DemoMode:      true,
		LookupLimits:  &handlers.LookupLimits{PerIPMinute: 1000, PerIPHour: 1000, PerOrderHour: 1000},
		LoginLimits:   &handlers.LoginLimits{PerIPMinute: 1000, PerIPHour: 1000, FailuresPerAccountAddress: 1000, SlowDownAfter: 1000},
	}
}

// reconfigured returns a harness over the same service, database and demo store
// whose portal is served with harnessConfig changed by change: other session
// keys, Secure cookies, Fly's client address, a log to read.
func (h *harness) reconfigured(change func(*handlers.Config)) *harness {
	h.t.Helper()
	c := &harness{t: h.t, shop: h.shop, store: h.store, deps: h.deps, cfg: harnessConfig(), app: h.app}
	c.cfg.Logger = slog.New(slog.DiscardHandler)
	change(&c.cfg)
	c.serve()
	c.handler = handlers.NewServer(c.cfg, c.app.Services())
	return c
}

// logBuffer collects log lines from concurrent requests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLoggedHarness is newHarness whose handler, service and Shopify adapter all
// log, at every level, into the returned buffer.
func newLoggedHarness(t *testing.T, limits *handlers.LookupLimits, opts ...func(*shopify.Config)) (*harness, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append(opts, func(c *shopify.Config) { c.Logger = log })
	h := newHarness(t, limits, opts...)
	h.deps.Log = log
	h.rebuild()
	return h.reconfigured(func(c *handlers.Config) {
		c.Logger = log
		if limits != nil {
			c.LookupLimits = limits
		}
	}), logs
}

// cookieKey is the key session.go derives from a secret for one purpose
// ("cookie-hash", "staff-cookie-hash"): tests use it to re-sign a real cookie,
// never to make one from nothing.
func cookieKey(secret, purpose string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// cookieNamed returns the cookie called name that a response set, or nil.
func cookieNamed(header http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// withCookie returns a client whose only cookies are the language and c.
func (h *harness) withCookie(c *http.Cookie) *http.Client {
	h.t.Helper()
	cl := h.client()
	cl.Jar.SetCookies(mustURL(h.srv.URL), []*http.Cookie{{Name: c.Name, Value: c.Value}})
	return cl
}

// sessionCookie returns the cookie called name in a client's jar, or fails.
func (h *harness) sessionCookie(c *http.Client, name string) *http.Cookie {
	h.t.Helper()
	for _, ck := range c.Jar.Cookies(mustURL(h.srv.URL)) {
		if ck.Name == name {
			return ck
		}
	}
	h.t.Fatalf("no %s cookie", name)
	return nil
}

// goText are fragments of Go errors, stacks and adapter internals that no page
// may show.
var goText = []string{"goroutine ", "panic", ".go:", "runtime.", "context deadline", "EOF", "json", "THROTTLED", "Throttled", "HTTP 5", "shopify ", "graphql", "request_id", "dial tcp", "connection reset", "returns error"}

// leaksGoText returns the first fragment of goText in body, or "".
func leaksGoText(body string) string {
	for _, s := range goText {
		if strings.Contains(body, s) {
			return s
		}
	}
	return ""
}

// returnCount is the number of returns of an order, by its number and email.
func returnCount(t *testing.T, h *harness, number, email string) int {
	t.Helper()
	return countReturns(t, h, orderID(t, h, number, email))
}
