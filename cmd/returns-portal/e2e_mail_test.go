package main

import (
	"database/sql"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// inbox is a real SMTP server on loopback that keeps what it is given.
type inbox struct {
	mu sync.Mutex
	// delay is how long the server takes over each message's data: a slow
	// server keeps a message in flight.
	delay    time.Duration
	messages []string // raw messages
	rcpts    []string
	// receiving gets a value (when there is room) each time a message's data
	// starts to arrive: a test can act while a message is in flight.
	receiving chan struct{}
}

func startInbox(t *testing.T) (*inbox, string) {
	return startInboxOn(t, "127.0.0.1:0", 0)
}

// startInboxOn starts an inbox on addr whose server takes delay over each message.
func startInboxOn(t *testing.T, addr string, delay time.Duration) (*inbox, string) {
	t.Helper()
	in := &inbox{delay: delay, receiving: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &inboxSession{in: in}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return in, port
}

type inboxSession struct {
	in    *inbox
	rcpts []string
}

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	select {
	case s.in.receiving <- struct{}{}:
	default:
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.in.mu.Lock()
	delay := s.in.delay
	s.in.mu.Unlock()
	time.Sleep(delay)
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	s.in.messages = append(s.in.messages, string(b))
	s.in.rcpts = append(s.in.rcpts, s.rcpts...)
	return nil
}
func (s *inboxSession) Reset()        { s.rcpts = nil }
func (s *inboxSession) Logout() error { return nil }

func (in *inbox) snapshot() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.messages...)
}

// TestEmailsArriveOnceEach runs the portal with an SMTP server configured: a
// return submitted and approved sends the customer two emails and the staff one,
// each once.
func TestEmailsArriveOnceEach(t *testing.T) {
	in, port := startInbox(t)
	dir := t.TempDir()
	base, password := startPortalStaff(t, map[string]string{
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none", "MAIL_FROM": "Linen & Co <returns@example.com>",
		"DATA_DIR": dir,
	})

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, v url.Values) *http.Response {
		t.Helper()
		res, err := c.PostForm(base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	get := func(path string) string {
		t.Helper()
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	post("/", url.Values{"order": {"1002"}, "email": {"sam.taylor@example.com"}})
	order := get("/order?lang=en")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(order)
	line := regexp.MustCompile(`name="line" value="([^"]+)"`).FindStringSubmatch(order)
	if key == nil || line == nil {
		t.Fatalf("order page:\n%s", order)
	}
	res := postMultipartForm(t, c, base+"/order/returns", map[string]string{
		"key": key[1], "kind": "dissatisfied", "reason": "doesnt_fit", "line": line[1], "qty-" + line[1]: "1",
	})
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(res.Request.URL.Path)
	if code == "" {
		t.Fatalf("submit ended at %s", res.Request.URL)
	}
	post("/admin/login", url.Values{"email": {"staff@example.com"}, "password": {password}})
	if res := post("/admin/returns/"+code+"/approve", url.Values{"message": {"Please send it back."}}); !strings.Contains(res.Request.URL.RawQuery, "done=approved") {
		t.Fatalf("approve ended at %s", res.Request.URL)
	}

	waitOutboxIdle(t, filepath.Join(dir, "portal.db"), 3)
	msgs := in.snapshot()
	if len(msgs) != 3 {
		t.Fatalf("%d messages arrived, want 3", len(msgs))
	}
	count := func(subject string) int {
		n := 0
		for _, m := range msgs {
			if strings.Contains(m, subject) {
				n++
			}
		}
		return n
	}
	for _, want := range []string{"Subject: Return " + code + ": request received", "Subject: Return " + code + ": approved", "Subject: New return " + code} {
		if n := count(want); n != 1 {
			t.Errorf("%q arrived %d times, want once\n%s", want, n, strings.Join(msgs, "\n-----\n"))
		}
	}
}

// waitOutboxIdle waits until the portal's outbox (in the database at dbPath)
// holds want messages, every one sent, and no worker holds a lease on any: a
// message is sent only under a lease and marked sent after the SMTP server took
// it, so from then on nothing more can arrive, and counting what arrived is
// final however slow the machine is.
func waitOutboxIdle(t *testing.T, dbPath string, want int) {
	t.Helper()
	db, err := sql.Open("sqlite3", dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitUntil(t, fmt.Sprintf("the outbox holds %d messages, all sent, none leased", want), func() bool {
		var total, sent, leased int
		err := db.QueryRow(`SELECT count(*), coalesce(sum(status = 'sent'), 0), coalesce(sum(lease_until IS NOT NULL), 0) FROM outbox`).Scan(&total, &sent, &leased)
		return err == nil && total == want && sent == want && leased == 0
	})
}

// postMultipartForm posts fields as multipart/form-data and follows redirects.
func postMultipartForm(t *testing.T, c *http.Client, u string, fields map[string]string) *http.Response {
	t.Helper()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	res, err := c.Post(u, mw.FormDataContentType(), strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
