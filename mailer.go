package returns

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// EmailRenderer renders emails from templates.
type EmailRenderer interface {
	RenderEmail(d EmailData) (Email, error)
}

// SettingsReader gives the settings in effect.
type SettingsReader interface {
	Settings(ctx context.Context) (Settings, error)
}

// Mailer makes the outbox messages of the portal's emails: it renders them in
// the recipient's language, gives each its Message-ID, dedupe key and, for a
// customer, the link token that opens the return, and wakes the mail worker once
// they are committed. It sends nothing itself: the mail worker does, and it
// builds no URL: the renderer makes the links of the tokens and the base URL.
type Mailer struct {
	renderer EmailRenderer // nil renders no email
	settings SettingsReader
	baseURL  string // the portal's public address, for the renderer's links
	host     string // for Message-IDs
	wake     func() // wakes the mail worker; nil for none
	now      func() time.Time
	log      *slog.Logger
	// identity tells the store's name, storefront, contact address, logo and
	// time zone to the emails; nil leaves them to the renderer.
	identity StoreIdentitySource
	// staff finds the account an email to staff goes to, for its language;
	// nil writes every staff email in English.
	staff StaffFinder
}

// StaffFinder finds a staff account by its email address (lower case), or
// answers ENOTFOUND; StaffStore is one.
type StaffFinder interface {
	StaffByEmail(ctx context.Context, email string) (*Staff, error)
}

// UseStaffAccounts makes the emails to staff speak the language of the
// account they are sent to: its own choice, else the store's (the settings'
// StaffLanguage). An address without an account reads English.
func (m *Mailer) UseStaffAccounts(staff StaffFinder) { m.staff = staff }

// staffLanguage is the language of an email to the staff address to.
func (m *Mailer) staffLanguage(ctx context.Context, settings Settings, to string) (string, error) {
	if m.staff == nil {
		return StaffLanguages[0], nil
	}
	st, err := m.staff.StaffByEmail(ctx, to)
	if ErrorCode(err) == ENOTFOUND {
		return StaffLanguages[0], nil
	}
	if err != nil {
		return "", fmt.Errorf("find the staff account of %s: %w", to, err)
	}
	if ValidStaffLanguage(st.Lang) {
		return st.Lang, nil
	}
	if ValidStaffLanguage(settings.StaffLanguage) {
		return settings.StaffLanguage, nil
	}
	return StaffLanguages[0], nil
}

// StoreIdentitySource tells the store's identity; StoreIdentityService is one.
type StoreIdentitySource interface {
	StoreIdentity(ctx context.Context) StoreIdentity
}

// UseIdentity makes the emails name the store as id tells it, and tell dates
// in its time zone. The identity service is built after the mailer (it reads
// the settings and the shop's identity the mailer's users keep), hence a
// setter, called once while the services are wired.
func (m *Mailer) UseIdentity(id StoreIdentitySource) { m.identity = id }

// NewMailer returns a Mailer. renderer nil makes no emails at all (a tool that
// changes nothing customers hear of); wake, when set, is called after emails
// were committed.
func NewMailer(renderer EmailRenderer, settings SettingsReader, baseURL string, wake func(), now func() time.Time, log *slog.Logger) *Mailer {
	host := "returns.invalid"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return &Mailer{renderer: renderer, settings: settings, baseURL: baseURL, host: host, wake: wake, now: now, log: log}
}

// ForChange returns the outbox messages of a change of r: the customer's email
// of kind ("" for none) and, for a new request, the notice to the store's staff
// address.
func (m *Mailer) ForChange(ctx context.Context, kind EmailKind, r *Return, d EmailData) ([]OutboxMessage, error) {
	if m.renderer == nil || kind == "" {
		return nil, nil
	}
	var out []OutboxMessage
	msg, err := m.customerEmail(ctx, kind, r, d)
	if err != nil {
		return nil, err
	}
	if msg != nil {
		out = append(out, *msg)
	}
	if kind == EmailRequestReceived || kind == EmailWithdrawalAcknowledged {
		if msg, err = m.staffEmail(ctx, r, d.AutoApprovalRule); err != nil {
			return nil, err
		}
		if msg != nil {
			out = append(out, *msg)
		}
	}
	return out, nil
}

// Queued wakes the mail worker after emails were committed.
func (m *Mailer) Queued(emails []OutboxMessage) {
	if len(emails) > 0 && m.wake != nil {
		m.wake()
	}
}

// customerEmail renders an email to the return's customer in the return's
// language, or returns nil when the return has no usable address.
func (m *Mailer) customerEmail(ctx context.Context, kind EmailKind, r *Return, d EmailData) (*OutboxMessage, error) {
	// A return whose personal data was erased has no customer to write to.
	if r.Redacted() || r.Email == RedactedEmail {
		return nil, nil
	}
	to := NormalizeEmail(r.Email)
	if kind == EmailWithdrawalAcknowledged && r.Withdrawal != nil {
		// The acknowledgement goes to the electronic contact the consumer
		// gave in the statement (Article 11a), which may not be the
		// order's address.
		if given := NormalizeEmail(r.Withdrawal.Email); given != "" {
			to = given
		}
	}
	if to == "" {
		m.log.Warn("return has no usable email address; no email queued", "code", r.Code, "kind", kind)
		return nil, nil
	}
	settings, err := m.settings.Settings(ctx)
	if err != nil {
		return nil, err
	}
	d.Kind, d.Lang, d.Return, d.Settings = kind, r.Locale, r, settings
	// Each email carries a token of its own: the database keeps only hashes,
	// so a token cannot be read back for a later email.
	token := NewToken()
	d.StatusToken = token
	msg, err := m.message(ctx, d, r.Code+":"+string(kind)+":customer", to, NormalizeEmail(settings.StaffEmail))
	if msg != nil {
		msg.LinkTokenHash = HashToken(token)
	}
	return msg, err
}

// staffEmail renders the staff notice of a new return, saying the
// auto-approval rule that matched it (rule, "" for none), or nil when no staff
// address is set.
func (m *Mailer) staffEmail(ctx context.Context, r *Return, rule string) (*OutboxMessage, error) {
	replyTo := NormalizeEmail(r.Email)
	if r.Redacted() || replyTo == RedactedEmail {
		replyTo = ""
	}
	d := EmailData{Kind: EmailStaffNewReturn, Return: r, AutoApprovalRule: rule}
	return m.toStaff(ctx, d, r.Code+":"+string(EmailStaffNewReturn)+":staff", replyTo)
}

// toStaff renders d to the store's staff address under dedupeKey, in the
// language of the address's account, with the settings in effect; nil when
// no staff address is set.
func (m *Mailer) toStaff(ctx context.Context, d EmailData, dedupeKey, replyTo string) (*OutboxMessage, error) {
	settings, to, err := m.staffAddress(ctx)
	if err != nil || to == "" {
		return nil, err
	}
	if d.Lang, err = m.staffLanguage(ctx, settings, to); err != nil {
		return nil, err
	}
	d.Settings = settings
	return m.message(ctx, d, dedupeKey, to, replyTo)
}

// StaffNotice renders a notice about the shop (kind EmailStaffAppUninstalled or
// EmailStaffDataRequest, saying n) to the store's staff address, in the
// language of its account (English for an address without one), under
// dedupeKey. It returns nil when no email is rendered or no staff address
// is set.
func (m *Mailer) StaffNotice(ctx context.Context, kind EmailKind, dedupeKey string, n StaffNotice) (*OutboxMessage, error) {
	if m.renderer == nil {
		return nil, nil
	}
	return m.toStaff(ctx, EmailData{Kind: kind, Notice: &n}, dedupeKey, "")
}

// StaffWithdrawalDeadline renders the reminder to the store's staff address
// that the refund deadline of r, a withdrawal, is near, with the deadline
// and the amount due (w), in the language of the address's account; nil when
// no email is rendered or no staff address is set.
func (m *Mailer) StaffWithdrawalDeadline(ctx context.Context, r *Return, w *StaffWithdrawal) (*OutboxMessage, error) {
	if m.renderer == nil {
		return nil, nil
	}
	d := EmailData{Kind: EmailStaffWithdrawalDeadline, Return: r, Withdrawal: w}
	return m.toStaff(ctx, d, r.Code+":"+string(EmailStaffWithdrawalDeadline)+":staff", "")
}

// staffAddress returns the settings in effect and the store's staff address
// in them, "" when none is set.
func (m *Mailer) staffAddress(ctx context.Context) (Settings, string, error) {
	settings, err := m.settings.Settings(ctx)
	if err != nil {
		return Settings{}, "", err
	}
	return settings, NormalizeEmail(settings.StaffEmail), nil
}

// AccessLink renders the email of an access link, in lang, to the address the
// link was asked for, or returns nil when no email is rendered.
func (m *Mailer) AccessLink(ctx context.Context, l *AccessLink, token, lang string) (*OutboxMessage, error) {
	if m.renderer == nil {
		return nil, nil
	}
	settings, err := m.settings.Settings(ctx)
	if err != nil {
		return nil, err
	}
	d := EmailData{
		Kind:     EmailAccessLink,
		Lang:     lang,
		Settings: settings,
		AccessLink: &AccessLinkEmail{
			OrderName: l.OrderName,
			Token:     token,
			ValidFor:  AccessLinkTTL,
		},
	}
	return m.message(ctx, d, "access-link:"+l.TokenHash, l.Email, NormalizeEmail(settings.StaffEmail))
}

// message renders d into an outbox message, queued to be sent now.
func (m *Mailer) message(ctx context.Context, d EmailData, dedupeKey, to, replyTo string) (*OutboxMessage, error) {
	d.BaseURL = m.baseURL
	if m.identity != nil {
		d.Store = m.identity.StoreIdentity(ctx)
	}
	e, err := m.renderer.RenderEmail(d)
	if err != nil {
		return nil, fmt.Errorf("render %s email: %w", d.Kind, err)
	}
	now := m.now()
	return &OutboxMessage{
		DedupeKey: dedupeKey,
		Kind:      d.Kind,
		To:        to,
		ReplyTo:   replyTo,
		Subject:   e.Subject,
		Text:      e.Text,
		HTML:      e.HTML,
		// Made now, so every attempt to send it, even after a crash,
		// carries the same one.
		MessageID: "<" + NewToken() + "@" + m.host + ">",
		Status:    OutboxQueued,
		CreatedAt: now,
		NextAt:    now,
	}, nil
}
