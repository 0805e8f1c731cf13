// Package mail sends the emails of the transactional outbox (DESIGN.md, "Email")
// over SMTP with go-mail: a Sender delivers one message, and a Worker in the
// server process claims queued messages, sends them and records each outcome,
// retrying temporary failures with backoff.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/returnsportal/returns"
)

// Config is how to reach the SMTP server, from SMTP_HOST, SMTP_PORT,
// SMTP_USERNAME, SMTP_PASSWORD, SMTP_TLS and MAIL_FROM.
type Config struct {
	Host     string
	Port     int // 0: 587 for starttls, 465 for tls, 25 for none
	Username string
	Password string
	// TLS is "starttls" (STARTTLS required), "tls" (TLS from the first byte) or
	// "none".
	TLS string
	// From is the sender, e.g. "Linen & Co <returns@example.com>".
	From string
	// Timeout bounds connecting and each stage of the SMTP conversation; 0 means
	// 30 seconds. A shorter deadline on Send's context wins.
	Timeout time.Duration

	// tlsConfig replaces the default TLS configuration; tests trust their own
	// certificate with it.
	tlsConfig *tls.Config
}

// DefaultTimeout is the Timeout of a Config that sets none.
const DefaultTimeout = 30 * time.Second

// Sender sends outbox messages through one SMTP server. It opens a connection
// per message, so it is safe for concurrent use.
type Sender struct {
	cfg  Config
	from *mail.Address
}

// NewSender checks cfg and returns a Sender for it.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, "\r\n/ ") {
		return nil, fmt.Errorf("mail: bad SMTP host %q", cfg.Host)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: bad SMTP port %d", cfg.Port)
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[cfg.TLS]
	}
	switch cfg.TLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("mail: SMTP TLS mode must be starttls, tls or none, not %q", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil || strings.ContainsAny(cfg.From, "\r\n") || returns.NormalizeEmail(from.Address) == "" {
		return nil, fmt.Errorf("mail: bad sender address %q", cfg.From)
	}
	return &Sender{cfg: cfg, from: from}, nil
}

// Send delivers m. It checks every header first: a bad address or a header
// with a line break is a permanent error and no connection is made. The
// returned error is permanent (IsPermanent) when sending m again cannot help.
// ctx's deadline, when sooner than the Config's Timeout, bounds the attempt.
func (s *Sender) Send(ctx context.Context, m returns.OutboxMessage) error {
	msg, err := s.message(m)
	if err != nil {
		return &PermanentError{Err: err}
	}
	timeout := s.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if timeout <= 0 {
		return fmt.Errorf("send email %d: %w", m.ID, context.DeadlineExceeded)
	}
	client, err := gomail.NewClient(s.cfg.Host, s.options(timeout)...)
	if err != nil {
		return fmt.Errorf("send email %d: set up SMTP client: %w", m.ID, err)
	}

	// Dialling includes the greeting, EHLO, STARTTLS and AUTH: a failure there
	// says nothing about this message, so it is temporary whatever its code.
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("send email %d: connect to %s: %w", m.ID, client.ServerAddr(), err)
	}
	defer client.CloseWithSMTPClient(conn) // QUIT; its failure cannot undo a delivery
	err = client.SendWithSMTPClient(conn, msg)
	if msg.IsDelivered() {
		// The server took the message (250 after DATA); what failed after that
		// (RSET) must not make the worker send it again.
		return nil
	}
	if err != nil {
		return classify(fmt.Errorf("send email %d: %w", m.ID, err))
	}
	return nil
}

// options returns go-mail's options for the Config, with timeout for the
// connection and the conversation.
func (s *Sender) options(timeout time.Duration) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(timeout),
		// One message per connection: a NOOP before it and a RSET after it
		// would only cost round trips.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	switch s.cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.tlsConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.tlsConfig))
	}
	if s.cfg.Username != "" {
		// go-mail picks the strongest mechanism the server offers, and never
		// PLAIN or LOGIN on a connection without TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// message builds the multipart/alternative message of m, after checking its
// headers.
func (s *Sender) message(m returns.OutboxMessage) (*gomail.Msg, error) {
	if err := checkHeaders(m); err != nil {
		return nil, fmt.Errorf("email %d: %w", m.ID, err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("email %d: recipient: %w", m.ID, err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("email %d: reply-to: %w", m.ID, err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">"))
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// checkHeaders refuses what must never reach the SMTP conversation: a recipient
// or reply-to the portal would not accept from a customer, and a line break in
// any header, which would let a value add headers (or recipients) of its own.
func checkHeaders(m returns.OutboxMessage) error {
	for name, v := range map[string]string{"To": m.To, "Reply-To": m.ReplyTo, "Subject": m.Subject, "Message-ID": m.MessageID} {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("line break in the %s header", name)
		}
	}
	if returns.NormalizeEmail(m.To) == "" {
		return errors.New("bad recipient address")
	}
	if m.ReplyTo != "" && returns.NormalizeEmail(m.ReplyTo) == "" {
		return errors.New("bad reply-to address")
	}
	id := m.MessageID
	if len(id) < 5 || id[0] != '<' || id[len(id)-1] != '>' || strings.Count(id, "@") != 1 ||
		strings.ContainsAny(id[1:len(id)-1], "<> \t\"(),;:\\[]") {
		return fmt.Errorf("bad Message-ID %q", id)
	}
	return nil
}
