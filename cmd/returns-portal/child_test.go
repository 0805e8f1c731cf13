package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// These tests run the portal as a child process, to stop it the hard way
// (kill -9) or the polite way (SIGTERM) at chosen moments, against a demo store
// in the test process whose state outlives the portal's restarts.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// portalBinary builds the portal once per test run.
func portalBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portal-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "returns-portal")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// childPortal is a portal process with its data folder and the demo store it
// talks to as if it were Shopify.
type childPortal struct {
	t    *testing.T
	shop *devshop.Shop
	env  []string
	dir  string
	port string
	base string
	cmd  *exec.Cmd
	// exited is closed when the process has exited, and exitErr then says
	// how: one goroutine calls cmd.Wait, however many want the exit.
	exited  chan struct{}
	exitErr error
	logs    *syncBuffer
}

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

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// childWebhookSecret signs the webhooks of the child portals' demo store.
const childWebhookSecret = "crash-test-webhook-secret"

// newChildPortal prepares a portal configured for "Shopify" at a demo store run
// by the test, with a staff account kim@example.com, and starts it.
func newChildPortal(t *testing.T, extraEnv ...string) *childPortal {
	t.Helper()
	// The demo store signs its webhooks with the secret the portal checks
	// them with, as Shopify signs them with the app's. A delivery that fails
	// (a portal slow to answer under the race detector, on a busy machine)
	// is retried within a second, not after Shopify's 10 s, so that it lands
	// within the tests' waits.
	shop := devshop.New(devshop.Options{WebhookSecret: childWebhookSecret,
		Webhooks: devshop.WebhookOptions{RetryDelays: []time.Duration{200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}}})
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	shopEnv := []string{"SHOPIFY_SHOP=crash-test", "SHOPIFY_ACCESS_TOKEN=" + shop.Token(),
		"SHOPIFY_WEBHOOK_SECRET=" + childWebhookSecret, "SHOPIFY_ENDPOINT=" + srv.URL}
	p := startChildPortal(t, shopEnv, extraEnv...)
	p.shop = shop
	return p
}

// startChildPortal starts a portal with the Shopify settings shopEnv, after
// creating its staff account kim@example.com.
func startChildPortal(t *testing.T, shopEnv []string, extraEnv ...string) *childPortal {
	t.Helper()
	p := &childPortal{t: t, dir: t.TempDir(), port: freePort(t), logs: &syncBuffer{}}
	p.base = "http://127.0.0.1:" + p.port
	p.env = append(os.Environ(),
		"PORT="+p.port, "DATA_DIR="+p.dir, "BASE_URL="+p.base,
		"SESSION_KEYS="+strings.Repeat("s", 40), "LINK_SECRET="+strings.Repeat("l", 20),
		"LOOKUP_RATE_LIMITS=1000,1000,1000",
	)
	p.env = append(p.env, shopEnv...)
	p.env = append(p.env, extraEnv...)
	create := exec.Command(portalBinary(t), "admin", "create", "--email", "kim@example.com")
	create.Env = p.env
	create.Stdin = strings.NewReader("a long staff password\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	p.start()
	t.Cleanup(func() {
		if p.cmd != nil {
			// A test that failed midway may have a stop still waiting: kill
			// and take the exit from the one waiter.
			p.cmd.Process.Kill()
			p.wait()
		}
		if t.Failed() {
			t.Logf("portal log:\n%s", p.logs.String())
		}
	})
	return p
}

// start runs the portal and waits until /healthz answers.
func (p *childPortal) start() {
	p.t.Helper()
	p.cmd = exec.Command(portalBinary(p.t))
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	exited := make(chan struct{})
	p.exited = exited
	go func(cmd *exec.Cmd) {
		p.exitErr = cmd.Wait()
		close(exited)
	}(p.cmd)
	waitHealthy(p.t, p.base)
}

// wait waits for the process to exit and returns how it exited; it may be
// called any number of times, from any goroutine.
func (p *childPortal) wait() error {
	<-p.exited
	return p.exitErr
}

// kill stops the portal with SIGKILL: no deferred function, no shutdown.
func (p *childPortal) kill() {
	p.t.Helper()
	p.cmd.Process.Kill()
	p.wait()
}

// stop sends SIGTERM and waits for the process to exit.
func (p *childPortal) stop() error {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait()
}

// browser is an HTTP client with cookies that does not follow redirects.
func (p *childPortal) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (p *childPortal) do(c *http.Client, req *http.Request) (*http.Response, string) {
	p.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (p *childPortal) get(c *http.Client, path string) (*http.Response, string) {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.base+path, nil)
	return p.do(c, req)
}

func (p *childPortal) post(c *http.Client, path string, v url.Values) (*http.Response, string) {
	p.t.Helper()
	req, _ := http.NewRequest("POST", p.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(c, req)
}

// returnScarf makes #1002's scarf return as a customer and returns its code.
func (p *childPortal) returnScarf() string {
	p.t.Helper()
	c := p.browser()
	if res, _ := p.post(c, "/", url.Values{"order": {"1002"}, "email": {"sam.taylor@example.com"}}); res.StatusCode != http.StatusSeeOther {
		p.t.Fatalf("lookup: %d", res.StatusCode)
	}
	_, order := p.get(c, "/order?lang=en")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(order)
	line := regexp.MustCompile(`name="line" value="([^"]+)"`).FindStringSubmatch(order)
	if key == nil || line == nil {
		p.t.Fatalf("order page:\n%s", order)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"key": key[1], "kind": "dissatisfied", "reason": "doesnt_fit", "line": line[1], "qty-" + line[1]: "1"} {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", p.base+"/order/returns", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, body := p.do(c, req)
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || code == "" {
		p.t.Fatalf("submit: %d\n%s", res.StatusCode, body)
	}
	return code
}

// staff signs in as kim@example.com.
func (p *childPortal) staff() *http.Client {
	p.t.Helper()
	c := p.browser()
	if res, body := p.post(c, "/admin/login", url.Values{"email": {"kim@example.com"}, "password": {"a long staff password"}}); res.StatusCode != http.StatusSeeOther {
		p.t.Fatalf("sign in: %d\n%s", res.StatusCode, body)
	}
	return c
}

// refundKey reads the refund form's idempotency key from a return's page.
func (p *childPortal) refundKey(c *http.Client, code string) string {
	p.t.Helper()
	_, page := p.get(c, "/admin/returns/"+code)
	m := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(page)
	if m == nil {
		p.t.Fatalf("no refund form:\n%s", page)
	}
	return m[1]
}
