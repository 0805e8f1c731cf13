package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsportal/returns/app"
	"github.com/returnsportal/returns/db"
	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/password"
	"github.com/returnsportal/returns/photo"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
	"github.com/returnsportal/returns/views/email"
)

const linkSecret = "test-link-secret-0123456789"

// webhookSecret signs the demo store's webhooks in the harness.
const webhookSecret = "test-webhook-secret-0123456789"

// harness is the portal's HTTP handler over the real services (wired by
// app.New, as the server wires them), a real SQLite file and the demo store.
// A test that changes deps or cfg calls rebuild to serve the change.
type harness struct {
	t     testing.TB
	srv   *httptest.Server
	shop  *devshop.Shop
	store *db.DB
	// dbPath is the database file, for a test that opens it again.
	dbPath string
	// shopRequests counts every request that reaches the demo store,
	// whether or not it lets it in (its Calls counts only those it does).
	shopRequests *atomic.Int64
	deps         app.Deps
	cfg          handlers.Config
	app          *app.App

	mu      sync.Mutex
	handler http.Handler
}

func newHarness(t testing.TB, limits *handlers.LookupLimits, opts ...func(*shopify.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	// The demo store signs its webhooks with the secret the portal checks
	// them with, and retries a failed delivery at once.
	shop := devshop.New(devshop.Options{WebhookSecret: webhookSecret,
		Webhooks: devshop.WebhookOptions{RetryDelays: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}}})
	t.Cleanup(shop.Close)
	shopRequests := &atomic.Int64{}
	shopSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shopRequests.Add(1)
		shop.ServeHTTP(w, r)
	}))
	t.Cleanup(shopSrv.Close)
	cfg := shopify.Config{Shop: "demo-store", AccessToken: shop.Token(), Endpoint: shopSrv.URL, Timeout: 5 * time.Second, RetryWait: time.Millisecond, MaxAttempts: 2,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(&cfg)
	}
	client, err := shopify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "portal.db")
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.SetWithdrawalLogKey([]byte("test-log-key-0123456789"))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &harness{t: t, shop: shop, store: store, dbPath: dbPath, shopRequests: shopRequests, cfg: harnessConfig()}
	h.cfg.Logger = log
	if limits != nil {
		h.cfg.LookupLimits = limits
	}
	h.serve()
	photos := photo.New()
	h.deps = app.Deps{
		Store: store, Shop: client, Refunder: client, ShopRefunds: client, Webhooks: client, ShopReturns: client, Replacements: client, History: client, ParseWebhook: shopify.ParseWebhook,
		Photos: photos, Logos: photos, Passwords: password.Hasher{}, Emails: email.Renderer{StoreName: "Linen & Co"}, BaseURL: h.srv.URL, Log: log,
	}
	h.rebuild()
	return h
}

// serve starts the test server, which serves whatever handler the harness has.
func (h *harness) serve() {
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		handler := h.handler
		h.mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	h.t.Cleanup(h.srv.Close)
}

// rebuild wires the services again from h.deps and serves them with h.cfg, over
// the same database and demo store.
func (h *harness) rebuild() {
	h.app = app.New(h.deps)
	handler := handlers.NewServer(h.cfg, h.app.Services())
	h.mu.Lock()
	h.handler = handler
	h.mu.Unlock()
}

// client is a browser: it keeps cookies and does not follow redirects, so tests
// see each answer.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	// English pages, whatever the order's language, so tests can match messages.
	jar.SetCookies(mustURL(h.srv.URL), []*http.Cookie{{Name: "lang", Value: "en"}})
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(c *http.Client, req *http.Request) answer {
	h.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (h *harness) get(c *http.Client, path string) answer {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
	return h.do(c, req)
}

func (h *harness) postForm(c *http.Client, path string, v url.Values) answer {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(c, req)
}

// lookup proves an order for c and fails the test when it does not work.
func (h *harness) lookup(c *http.Client, order, email string) {
	h.t.Helper()
	a := h.postForm(c, "/", url.Values{"order": {order}, "email": {email}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
		h.t.Fatalf("lookup %s %s: status %d, location %q", order, email, a.status, a.header.Get("Location"))
	}
}

// orderForm reads the order page and returns the submission key and the line
// item ids shown with a checkbox, by title.
func (h *harness) orderForm(c *http.Client) (key string, lines map[string]string) {
	h.t.Helper()
	a := h.get(c, "/order")
	if a.status != http.StatusOK {
		h.t.Fatalf("order page: status %d", a.status)
	}
	lines = map[string]string{}
	m := regexp.MustCompile(`name="key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="key"`).FindStringSubmatch(a.body)
	if m == nil {
		return "", lines // nothing on the order can be returned
	}
	key = m[1] + m[2]
	for _, l := range h.lineIDs(a.body) {
		lines[l.title] = l.id
	}
	return key, lines
}

type shownLine struct{ id, title string }

// lineIDs finds the line checkboxes and the title in their label.
func (h *harness) lineIDs(body string) []shownLine {
	var out []shownLine
	re := regexp.MustCompile(`(?s)<input[^>]*name="line"[^>]*value="([^"]+)"`)
	for _, m := range re.FindAllStringSubmatchIndex(body, -1) {
		id := body[m[2]:m[3]]
		rest := body[m[1]:]
		title := ""
		for _, t := range []string{"Linen tea towel", "Ceramic mug", "Wool scarf", "Sale socks", "Canvas tote", "Wool blanket", "Desk lamp", "Bulb", "Merino beanie", "Linen napkins", "Ceramic bowl"} {
			if i := strings.Index(rest, t); i >= 0 && (title == "" || i < strings.Index(rest, title)) {
				title = t
			}
		}
		out = append(out, shownLine{id: id, title: title})
	}
	return out
}

// part is one field of a multipart form; a part with a file name is a file.
type part struct {
	name, filename string
	data           []byte
}

func field(name, value string) part { return part{name: name, data: []byte(value)} }

func (h *harness) postMultipart(c *http.Client, path string, parts []part) answer {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		if p.filename != "" {
			w, _ := mw.CreateFormFile(p.name, p.filename)
			w.Write(p.data)
			continue
		}
		mw.WriteField(p.name, string(p.data))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.do(c, req)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// jpegBytes makes a small photo.
func jpegBytes(t testing.TB, w, hgt int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, hgt))
	for y := 0; y < hgt; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func httptestPost(path string, v url.Values) *http.Request {
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "192.0.2.1:1234"
	return req
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// linkToken returns the access token of the newest customer email of a return,
// as the customer would find it in the email's link to the status page.
func (h *harness) linkToken(code string) string {
	h.t.Helper()
	ms, err := h.store.OutboxMessages(context.Background(), "", 0, 500)
	if err != nil {
		h.t.Fatal(err)
	}
	re := regexp.MustCompile(`/returns/` + regexp.QuoteMeta(code) + `\?t=([0-9a-f]{32})`)
	for _, m := range ms { // newest first
		if sub := re.FindStringSubmatch(m.Text); sub != nil {
			return sub[1]
		}
	}
	h.t.Fatalf("no email links to %s", code)
	return ""
}
