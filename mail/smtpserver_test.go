package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// testServer is a real SMTP server (go-smtp) on 127.0.0.1 that keeps what it
// receives, with knobs for the faults the worker must survive.
type testServer struct {
	tb   testing.TB
	addr string
	port int

	mu        sync.Mutex
	srv       *smtp.Server
	ln        net.Listener
	delivered []delivery
	sessions  int      // connections that reached EHLO
	mails     int      // MAIL FROM commands
	rcpts     []string // every RCPT TO, accepted or not
	tempFails int      // answer 421 to the next this many MAIL FROMs
	refuse    bool     // answer 550 to every RCPT TO
	dataDelay time.Duration
	authUser  string // the user who authenticated, if any
	password  string // when set, AUTH PLAIN is offered and required
	tlsConfig *testTLS
}

// delivery is one message the server accepted.
type delivery struct {
	From string
	To   []string
	Data []byte
}

// startServer starts a server on a free port of 127.0.0.1 and stops it when the
// test ends.
func startServer(tb testing.TB, configure ...func(*testServer)) *testServer {
	tb.Helper()
	s := &testServer{tb: tb}
	for _, c := range configure {
		c(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.serve(ln)
	tb.Cleanup(s.down)
	return s
}

func (s *testServer) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = s.tlsConfig == nil
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = quietLog{}
	if s.tlsConfig != nil {
		srv.TLSConfig = s.tlsConfig.server
	}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

// down stops the server: its port refuses connections until up.
func (s *testServer) down() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// Closed here too: Serve may not have taken the listener on yet.
		ln.Close()
		srv.Close()
	}
}

// up starts the server again on its port.
func (s *testServer) up() {
	s.tb.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.tb.Fatalf("listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

func (s *testServer) set(f func(s *testServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// messages returns what the server accepted so far.
func (s *testServer) messages() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.delivered...)
}

// stats returns the counts of sessions, MAIL FROMs and RCPT TOs.
func (s *testServer) stats() (sessions, mails int, rcpts []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions, s.mails, append([]string(nil), s.rcpts...)
}

func (s *testServer) newSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	return &testSession{s: s}, nil
}

type testSession struct {
	s      *testServer
	from   string
	to     []string
	authed bool
}

func (ss *testSession) AuthMechanisms() []string {
	if ss.s.password == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "portal" || password != ss.s.password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		ss.s.set(func(s *testServer) { s.authUser = username })
		return nil
	}), nil
}

func (ss *testSession) Mail(from string, _ *smtp.MailOptions) error {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mails++
	if s.password != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if s.tempFails > 0 {
		s.tempFails--
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Too busy, try again later"}
	}
	ss.from = from
	return nil
}

func (ss *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcpts = append(s.rcpts, to)
	if s.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: Recipient address rejected: User unknown"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	delay := s.dataDelay
	s.mu.Unlock()
	time.Sleep(delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivered = append(s.delivered, delivery{From: ss.from, To: ss.to, Data: b})
	return nil
}

func (ss *testSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *testSession) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

// config returns a Config for s, without TLS.
func (s *testServer) config() Config {
	return Config{Host: "127.0.0.1", Port: s.port, TLS: "none", From: "Linen & Co <returns@linen.example>", Timeout: 5 * time.Second}
}

// mustSender returns a Sender for cfg.
func mustSender(tb testing.TB, cfg Config) *Sender {
	tb.Helper()
	s, err := NewSender(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// parsed is a delivered message taken apart.
type parsed struct {
	Header netmail.Header
	Text   string
	HTML   string
}

// parse reads a delivered multipart/alternative message.
func parse(tb testing.TB, data []byte) parsed {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("parse message: %v\n%s", err, data)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		tb.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	p := parsed{Header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		var body io.Reader = part
		if part.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			tb.Fatal(err)
		}
		ct, cparams, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if cparams["charset"] != "UTF-8" && cparams["charset"] != "utf-8" {
			tb.Errorf("part %s: charset %q, want UTF-8", ct, cparams["charset"])
		}
		switch ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		default:
			tb.Errorf("unexpected part %s", ct)
		}
	}
	return p
}

// subject decodes the Subject header.
func (p parsed) subject(tb testing.TB) string {
	tb.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// openDB opens a database in a new file under tb.TempDir().
func openDB(tb testing.TB, path string) *db.DB {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "returns.db")
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	d.SetWithdrawalLogKey([]byte("test-log-key-0123456789"))
	return d
}

// newReturn returns a requested return for the tests.
func newReturn(n int) *returns.Return {
	return &returns.Return{
		SubmissionKey: fmt.Sprintf("key-%016d", n),
		Code:          returns.NewReturnCode(),
		OrderID:       fmt.Sprintf("gid://shopify/Order/%d", n),
		OrderName:     fmt.Sprintf("#%d", 1000+n),
		Email:         "anna.berzina@example.lv",
		Locale:        "lv",
		Kind:          returns.KindDamaged,
		Reason:        returns.ReasonDamaged,
		Resolution:    returns.ResolutionRefund,
		Status:        returns.StatusRequested,
		Currency:      "EUR",
		Items:         []returns.Item{{LineItemID: "L1", Title: "Linen towel", Quantity: 1, UnitPrice: returns.Money{Minor: 1450, Currency: "EUR"}}},
		CreatedAt:     time.Now(),
		UpdatedAt:     time.Now(),
	}
}

// outboxMessage returns a queued email of r.
func outboxMessage(r *returns.Return, kind returns.EmailKind, created time.Time) returns.OutboxMessage {
	return returns.OutboxMessage{
		DedupeKey: r.Code + ":" + string(kind) + ":customer",
		Kind:      kind,
		To:        r.Email,
		ReplyTo:   "staff@linen.example",
		Subject:   "Atgriešana " + r.Code + " — saņemta",
		Text:      "Labdien!\n\nJūsu atgriešana " + r.Code + " ir saņemta.\n",
		HTML:      "<p>Labdien!</p><p>Jūsu atgriešana <b>" + r.Code + "</b> ir saņemta.</p>",
		MessageID: "<" + returns.NewToken() + "@returns.linen.example>",
		Status:    returns.OutboxQueued,
		CreatedAt: created,
		NextAt:    created,
	}
}

// queue stores a new return with n emails made by outboxMessage and changed by
// edit, and returns them with their IDs.
func queue(tb testing.TB, d *db.DB, n int, created time.Time, edit func(i int, m *returns.OutboxMessage)) (*returns.Return, []returns.OutboxMessage) {
	tb.Helper()
	r := newReturn(int(time.Now().UnixNano() % 1e9))
	ms := make([]returns.OutboxMessage, n)
	for i := range ms {
		ms[i] = outboxMessage(r, returns.EmailKind(fmt.Sprintf("kind%04d", i)), created)
		if edit != nil {
			edit(i, &ms[i])
		}
	}
	ev := returns.Event{At: created, Actor: returns.ActorCustomer, Type: returns.EventRequested, Status: returns.StatusRequested}
	wb := &returns.Writeback{OrderID: r.OrderID, NoteLine: "requested", NextAt: created}
	created2, err := d.CreateReturn(context.Background(), r, map[string]int{"L1": 1}, ev, wb, ms)
	if err != nil || !created2 {
		tb.Fatalf("CreateReturn = %v, %v", created2, err)
	}
	return r, ms
}

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Millisecond)} }

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

// messageIDs counts the delivered messages by Message-ID.
func messageIDs(tb testing.TB, ds []delivery) map[string]int {
	tb.Helper()
	ids := map[string]int{}
	for _, d := range ds {
		msg, err := netmail.ReadMessage(bytes.NewReader(d.Data))
		if err != nil {
			tb.Fatal(err)
		}
		ids[strings.TrimSpace(msg.Header.Get("Message-ID"))]++
	}
	return ids
}
