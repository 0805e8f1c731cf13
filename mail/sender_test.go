package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// testMessage returns a queued message of a made-up return, not stored.
func testMessage() returns.OutboxMessage {
	r := newReturn(1)
	m := outboxMessage(r, returns.EmailApproved, time.Now())
	m.ID = 1
	return m
}

func TestSend_Message(t *testing.T) {
	srv := startServer(t)
	s := mustSender(t, srv.config())
	m := testMessage()
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	ds := srv.messages()
	if len(ds) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(ds))
	}
	d := ds[0]
	if d.From != "returns@linen.example" || len(d.To) != 1 || d.To[0] != m.To {
		t.Errorf("envelope from %q to %q", d.From, d.To)
	}
	p := parse(t, d.Data)
	for header, want := range map[string]string{
		"From":       `"Linen & Co" <returns@linen.example>`,
		"To":         "<" + m.To + ">",
		"Reply-To":   "<" + m.ReplyTo + ">",
		"Message-Id": m.MessageID,
	} {
		if got := p.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if got := p.subject(t); got != m.Subject {
		t.Errorf("Subject = %q, want %q", got, m.Subject)
	}
	if date, err := p.Header.Date(); err != nil || time.Since(date) > time.Minute {
		t.Errorf("Date = %v, %v", date, err)
	}
	// Lines end in CRLF on the wire.
	if strings.ReplaceAll(p.Text, "\r\n", "\n") != m.Text {
		t.Errorf("text part = %q, want %q", p.Text, m.Text)
	}
	if strings.ReplaceAll(p.HTML, "\r\n", "\n") != m.HTML {
		t.Errorf("HTML part = %q, want %q", p.HTML, m.HTML)
	}
	if bcc := p.Header.Get("Bcc"); bcc != "" {
		t.Errorf("Bcc = %q", bcc)
	}

	t.Run("without reply-to", func(t *testing.T) {
		m := testMessage()
		m.ReplyTo = ""
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		ds := srv.messages()
		if p := parse(t, ds[len(ds)-1].Data); p.Header.Get("Reply-To") != "" {
			t.Errorf("Reply-To = %q, want none", p.Header.Get("Reply-To"))
		}
	})
}

func TestSend_BadHeadersNeverReachTheServer(t *testing.T) {
	srv := startServer(t)
	s := mustSender(t, srv.config())
	for _, tc := range []struct {
		name string
		edit func(m *returns.OutboxMessage)
	}{
		{"no @", func(m *returns.OutboxMessage) { m.To = "anna.berzina.example.lv" }},
		{"empty recipient", func(m *returns.OutboxMessage) { m.To = "" }},
		{"two recipients", func(m *returns.OutboxMessage) { m.To = "a@example.lv, b@example.lv" }},
		{"display name", func(m *returns.OutboxMessage) { m.To = "Anna <anna@example.lv>" }},
		{"CRLF Bcc in recipient", func(m *returns.OutboxMessage) { m.To = "anna@example.lv\r\nBcc: victim@example.com" }},
		{"LF in recipient", func(m *returns.OutboxMessage) { m.To = "anna@example.lv\nBcc: victim@example.com" }},
		{"CR in recipient", func(m *returns.OutboxMessage) { m.To = "anna@example.lv\rBcc: victim@example.com" }},
		{"CRLF in reply-to", func(m *returns.OutboxMessage) { m.ReplyTo = "staff@linen.example\r\nBcc: victim@example.com" }},
		{"bad reply-to", func(m *returns.OutboxMessage) { m.ReplyTo = "staff" }},
		{"CRLF in subject", func(m *returns.OutboxMessage) { m.Subject = "Hello\r\nBcc: victim@example.com" }},
		{"LF in subject", func(m *returns.OutboxMessage) { m.Subject = "Hello\nBcc: victim@example.com" }},
		{"CRLF in Message-ID", func(m *returns.OutboxMessage) { m.MessageID = "<x@y>\r\nBcc: victim@example.com" }},
		{"bad Message-ID", func(m *returns.OutboxMessage) { m.MessageID = "no brackets" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage()
			tc.edit(&m)
			err := s.Send(context.Background(), m)
			if !IsPermanent(err) {
				t.Errorf("err = %v, want a permanent error", err)
			}
		})
	}
	if sessions, mails, rcpts := srv.stats(); sessions != 0 || mails != 0 || len(rcpts) != 0 {
		t.Errorf("the server saw %d sessions, %d MAIL FROM, RCPT TO %q; want none", sessions, mails, rcpts)
	}
}

func TestNewSender(t *testing.T) {
	ok := Config{Host: "smtp.example.com", TLS: "starttls", From: "Linen & Co <returns@example.com>"}
	for _, tc := range []struct {
		name     string
		edit     func(c *Config)
		wantPort int // 0: NewSender fails
	}{
		{"starttls", func(c *Config) {}, 587},
		{"tls", func(c *Config) { c.TLS = "tls" }, 465},
		{"none", func(c *Config) { c.TLS = "none" }, 25},
		{"port", func(c *Config) { c.Port = 1025 }, 1025},
		{"no host", func(c *Config) { c.Host = "" }, 0},
		{"bad TLS mode", func(c *Config) { c.TLS = "ssl" }, 0},
		{"empty TLS mode", func(c *Config) { c.TLS = "" }, 0},
		{"bad port", func(c *Config) { c.Port = 70000 }, 0},
		{"no sender", func(c *Config) { c.From = "" }, 0},
		{"sender without @", func(c *Config) { c.From = "returns" }, 0},
		{"sender with a header", func(c *Config) { c.From = "returns@example.com\r\nBcc: x@example.com" }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			s, err := NewSender(cfg)
			if tc.wantPort == 0 {
				if err == nil {
					t.Errorf("NewSender(%+v) succeeded", cfg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.cfg.Port != tc.wantPort || s.cfg.Timeout != DefaultTimeout {
				t.Errorf("port %d, timeout %v; want %d, %v", s.cfg.Port, s.cfg.Timeout, tc.wantPort, DefaultTimeout)
			}
		})
	}
}

// TestSend_Classification sends to servers that fail in each way and checks
// which failures are permanent.
func TestSend_Classification(t *testing.T) {
	ctx := context.Background()
	t.Run("421 is temporary", func(t *testing.T) {
		srv := startServer(t, func(s *testServer) { s.tempFails = 1 })
		err := mustSender(t, srv.config()).Send(ctx, testMessage())
		if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "421") {
			t.Errorf("err = %v, want a temporary 421", err)
		}
	})
	t.Run("550 is permanent", func(t *testing.T) {
		srv := startServer(t, func(s *testServer) { s.refuse = true })
		err := mustSender(t, srv.config()).Send(ctx, testMessage())
		if !IsPermanent(err) || !strings.Contains(err.Error(), "550") {
			t.Errorf("err = %v, want a permanent 550", err)
		}
	})
	t.Run("refused connection is temporary", func(t *testing.T) {
		srv := startServer(t)
		srv.down()
		err := mustSender(t, srv.config()).Send(ctx, testMessage())
		if err == nil || IsPermanent(err) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("err = %v, want a temporary refused connection", err)
		}
	})
	t.Run("a silent server times out, temporarily", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close() // never greets
			}
		}()
		cfg := Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: "none", From: "returns@linen.example", Timeout: 10 * time.Second}
		sendCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = mustSender(t, cfg).Send(sendCtx, testMessage())
		if err == nil || IsPermanent(err) {
			t.Errorf("err = %v, want a temporary timeout", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("err = %v, want a timeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v; the context's deadline was 300ms", d)
		}
	})
	t.Run("TLS handshake failure is temporary", func(t *testing.T) {
		srv := startServer(t)
		cfg := srv.config()
		cfg.TLS = "tls" // the server speaks plain SMTP
		err := mustSender(t, cfg).Send(ctx, testMessage())
		if err == nil || IsPermanent(err) {
			t.Errorf("err = %v, want a temporary TLS failure", err)
		}
	})
	t.Run("STARTTLS required but not offered is temporary", func(t *testing.T) {
		srv := startServer(t)
		cfg := srv.config()
		cfg.TLS = "starttls"
		err := mustSender(t, cfg).Send(ctx, testMessage())
		if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("err = %v, want a temporary STARTTLS failure", err)
		}
		if _, mails, _ := srv.stats(); mails != 0 {
			t.Error("the message went out without TLS")
		}
	})
	t.Run("wrong password is temporary", func(t *testing.T) {
		tl := newTestTLS(t)
		srv := startServer(t, func(s *testServer) { s.tlsConfig, s.password = tl, "secret" })
		cfg := srv.config()
		cfg.TLS, cfg.tlsConfig, cfg.Username, cfg.Password = "starttls", tl.client, "portal", "wrong"
		err := mustSender(t, cfg).Send(ctx, testMessage())
		if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "535") {
			t.Errorf("err = %v, want a temporary 535", err)
		}
	})
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		permanent bool
	}{
		{"550 reply", &textproto.Error{Code: 550, Msg: "no such user"}, true},
		{"554 reply, wrapped", fmt.Errorf("send: %w", &textproto.Error{Code: 554, Msg: "rejected"}), true},
		{"421 reply", &textproto.Error{Code: 421, Msg: "busy"}, false},
		{"451 reply", &textproto.Error{Code: 451, Msg: "local error"}, false},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"permanent already", &PermanentError{Err: errors.New("bad address")}, true},
		{"other", errors.New("connection reset by peer"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPermanent(classify(tc.err)); got != tc.permanent {
				t.Errorf("permanent = %v, want %v", got, tc.permanent)
			}
		})
	}
}

// TestSend_STARTTLSWithAuth sends over STARTTLS with AUTH PLAIN, as to a
// provider's submission port.
func TestSend_STARTTLSWithAuth(t *testing.T) {
	tl := newTestTLS(t)
	srv := startServer(t, func(s *testServer) { s.tlsConfig, s.password = tl, "secret" })
	cfg := srv.config()
	cfg.TLS, cfg.tlsConfig, cfg.Username, cfg.Password = "starttls", tl.client, "portal", "secret"
	if err := mustSender(t, cfg).Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.messages()); n != 1 || srv.authUser != "portal" {
		t.Errorf("%d messages, authenticated as %q", n, srv.authUser)
	}
}

func TestRedact(t *testing.T) {
	got := redact("550 5.1.1 <anna.berzina@example.lv>: Recipient address rejected, also bob@x.io")
	if strings.Contains(got, "anna.berzina") || strings.Contains(got, "bob@") || !strings.Contains(got, "@example.lv") {
		t.Errorf("redact = %q", got)
	}
}

// testTLS is a self-signed certificate for 127.0.0.1, as a server and a client
// that trusts it use it.
type testTLS struct {
	server, client *tls.Config
}

func newTestTLS(tb testing.TB) *testTLS {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testTLS{
		server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		client: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
	}
}
