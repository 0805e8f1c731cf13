package returns_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// mailerFixture is a Mailer over a recording renderer and settings the test
// sets, with a count of the mail worker's wake-ups and the mailer's log.
type mailerFixture struct {
	*returns.Mailer
	emails      *fakeEmails
	settings    returns.Settings
	settingsErr error
	woken       int
	logs        *logBuffer
}

func newMailerFixture(t *testing.T, baseURL string) *mailerFixture {
	t.Helper()
	f := &mailerFixture{emails: &fakeEmails{}, settings: returns.DefaultSettings(), logs: &logBuffer{}}
	settings := settingsFunc(func(context.Context) (returns.Settings, error) { return f.settings, f.settingsErr })
	f.Mailer = returns.NewMailer(f.emails, settings, baseURL, func() { f.woken++ }, func() time.Time { return serviceNow }, f.logs.logger())
	return f
}

// mailedReturn is a return of a Latvian customer, as the store keeps it.
func mailedReturn() *returns.Return {
	return &returns.Return{ID: 3, Code: testReturnCode, OrderID: "gid://shopify/Order/1001", Email: "anna.berzina@example.lv", Locale: "lv", Status: returns.StatusApproved}
}

var (
	messageIDRe = regexp.MustCompile(`^<[0-9a-f]{32}@returns\.example\.com>$`)
	hashRe      = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func TestMailerCustomerEmail(t *testing.T) {
	ctx := context.Background()
	f := newMailerFixture(t, "https://returns.example.com")
	f.settings.StaffEmail = " Returns@Example.COM "
	r := mailedReturn()
	ms, err := f.ForChange(ctx, returns.EmailDeclined, r, returns.EmailData{Message: "Worn."})
	if err != nil || len(ms) != 1 {
		t.Fatalf("ForChange() = %+v, %v; want one message", ms, err)
	}
	m := ms[0]
	if m.Kind != returns.EmailDeclined || m.To != "anna.berzina@example.lv" || m.ReplyTo != "returns@example.com" ||
		m.DedupeKey != testReturnCode+":declined:customer" || m.Status != returns.OutboxQueued ||
		!m.CreatedAt.Equal(serviceNow) || !m.NextAt.Equal(serviceNow) || m.ReturnID != 0 || m.ID != 0 {
		t.Errorf("message %+v", m)
	}
	if m.Subject != "declined" || m.Text != "declined" || m.HTML != "<p>declined</p>" {
		t.Errorf("message carries %q, %q, %q; want what was rendered", m.Subject, m.Text, m.HTML)
	}
	if !messageIDRe.MatchString(m.MessageID) || !hashRe.MatchString(m.LinkTokenHash) {
		t.Errorf("Message-ID %q, link token hash %q", m.MessageID, m.LinkTokenHash)
	}
	d := f.emails.rendered[0]
	if d.Kind != returns.EmailDeclined || d.Lang != "lv" || d.Return != r || d.Message != "Worn." || d.Settings.StaffEmail != f.settings.StaffEmail {
		t.Errorf("rendered %+v", d)
	}
	if f.woken != 0 {
		t.Errorf("the mail worker was woken before anything was committed")
	}

	// Each email carries a link token and a Message-ID of its own.
	again, err := f.ForChange(ctx, returns.EmailDeclined, r, returns.EmailData{Message: "Worn."})
	if err != nil || len(again) != 1 {
		t.Fatal(err)
	}
	if again[0].LinkTokenHash == m.LinkTokenHash || again[0].MessageID == m.MessageID {
		t.Errorf("two emails share token hash %q or Message-ID %q", m.LinkTokenHash, m.MessageID)
	}
	if again[0].DedupeKey != m.DedupeKey {
		t.Errorf("dedupe keys %q and %q, want the same for the same return and kind", again[0].DedupeKey, m.DedupeKey)
	}
}

// TestMailerStaffNotice: the store's staff address hears of new requests
// only, and only when it is set.
func TestMailerStaffNotice(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		staffEmail string
		kind       returns.EmailKind
		want       []returns.EmailKind
	}{
		{"NewRequest", "Returns@Example.com", returns.EmailRequestReceived, []returns.EmailKind{returns.EmailRequestReceived, returns.EmailStaffNewReturn}},
		{"NewRequestWithoutStaffAddress", "", returns.EmailRequestReceived, []returns.EmailKind{returns.EmailRequestReceived}},
		{"NewRequestWithABrokenStaffAddress", "returns at example.com", returns.EmailRequestReceived, []returns.EmailKind{returns.EmailRequestReceived}},
		{"Approval", "returns@example.com", returns.EmailApproved, []returns.EmailKind{returns.EmailApproved}},
		{"Cancellation", "returns@example.com", returns.EmailCancelled, []returns.EmailKind{returns.EmailCancelled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newMailerFixture(t, "https://returns.example.com")
			f.settings.StaffEmail = tc.staffEmail
			ms, err := f.ForChange(ctx, tc.kind, mailedReturn(), returns.EmailData{})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []returns.EmailKind
			for _, m := range ms {
				kinds = append(kinds, m.Kind)
			}
			if !slices.Equal(kinds, tc.want) {
				t.Fatalf("emails %v, want %v", kinds, tc.want)
			}
			if len(ms) < 2 {
				return
			}
			m := ms[1]
			if m.To != "returns@example.com" || m.ReplyTo != "anna.berzina@example.lv" || m.DedupeKey != testReturnCode+":staff_new_return:staff" ||
				m.LinkTokenHash != "" || !messageIDRe.MatchString(m.MessageID) {
				t.Errorf("staff notice %+v: want it to the staff address, replying to the customer, with no customer token", m)
			}
			if d := f.emails.rendered[1]; d.Kind != returns.EmailStaffNewReturn || d.Lang != "en" || d.Return == nil {
				t.Errorf("staff notice rendered as %q in %q", d.Kind, d.Lang)
			}
		})
	}
}

// staffByEmail is a StaffFinder over a map of accounts by address.
type staffByEmail map[string]*returns.Staff

func (s staffByEmail) StaffByEmail(ctx context.Context, email string) (*returns.Staff, error) {
	if st, ok := s[email]; ok {
		return st, nil
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "Staff member not found.")
}

// TestMailerStaffLanguage: an email to staff speaks the language of the
// account at the staff address — its own, else the store's — whatever the
// customer's; an address without an account reads English.
func TestMailerStaffLanguage(t *testing.T) {
	ctx := context.Background()
	accounts := staffByEmail{
		"ilze@example.lv": {Email: "ilze@example.lv", Lang: "lv"},
		"sam@example.com": {Email: "sam@example.com", Lang: "en"},
		"kim@example.com": {Email: "kim@example.com"},
	}
	for _, tc := range []struct {
		name, to, storeLang, want string
	}{
		{"AccountInLatvian", "Ilze@Example.lv", "en", "lv"},
		{"AccountInEnglishForALatvianCustomer", "sam@example.com", "lv", "en"},
		{"AccountWithoutItsOwnTakesTheStore's", "kim@example.com", "lv", "lv"},
		{"NoAccount", "team@example.com", "lv", "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newMailerFixture(t, "https://returns.example.com")
			f.UseStaffAccounts(accounts)
			f.settings.StaffEmail, f.settings.StaffLanguage = tc.to, tc.storeLang
			if _, err := f.ForChange(ctx, returns.EmailRequestReceived, mailedReturn(), returns.EmailData{}); err != nil {
				t.Fatal(err)
			}
			if d := f.emails.rendered[len(f.emails.rendered)-1]; d.Kind != returns.EmailStaffNewReturn || d.Lang != tc.want {
				t.Errorf("new-return notice rendered as %q in %q, want %q", d.Kind, d.Lang, tc.want)
			}
			if _, err := f.StaffNotice(ctx, returns.EmailStaffAppUninstalled, "uninstalled:1", returns.StaffNotice{ShopDomain: "x.myshopify.com"}); err != nil {
				t.Fatal(err)
			}
			if d := f.emails.rendered[len(f.emails.rendered)-1]; d.Lang != tc.want {
				t.Errorf("shop notice in %q, want %q", d.Lang, tc.want)
			}
		})
	}
}

// TestMailerNoAddress: a return without a usable address gets no email (the
// staff still hear of a new one), and the gap is logged.
func TestMailerNoAddress(t *testing.T) {
	for _, email := range []string{"", "anna at example.lv", "anna@example.lv\r\nBcc: eve@example.com"} {
		t.Run(email, func(t *testing.T) {
			f := newMailerFixture(t, "https://returns.example.com")
			f.settings.StaffEmail = "returns@example.com"
			r := mailedReturn()
			r.Email = email
			ms, err := f.ForChange(context.Background(), returns.EmailRequestReceived, r, returns.EmailData{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].Kind != returns.EmailStaffNewReturn || ms[0].ReplyTo != "" {
				t.Errorf("emails %+v, want the staff notice alone, with no reply address", ms)
			}
			if !strings.Contains(f.logs.String(), "no usable email address") {
				t.Errorf("log %q", f.logs.String())
			}
		})
	}
}

// TestMailerErasedCustomer: a return whose personal data was erased gets no
// customer email, whatever its address says, and a staff notice of it has no
// address to reply to.
func TestMailerErasedCustomer(t *testing.T) {
	for name, edit := range map[string]func(r *returns.Return){
		"erased":             func(r *returns.Return) { r.Email, r.RedactedAt = returns.RedactedEmail, serviceNow },
		"marker address":     func(r *returns.Return) { r.Email = returns.RedactedEmail },
		"erased, old record": func(r *returns.Return) { r.RedactedAt = serviceNow },
	} {
		t.Run(name, func(t *testing.T) {
			f := newMailerFixture(t, "https://returns.example.com")
			f.settings.StaffEmail = "returns@example.com"
			r := mailedReturn()
			edit(r)
			for _, kind := range []returns.EmailKind{returns.EmailApproved, returns.EmailClosed, returns.EmailRequestReceived} {
				ms, err := f.ForChange(context.Background(), kind, r, returns.EmailData{})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					if m.Kind != returns.EmailStaffNewReturn || m.ReplyTo != "" {
						t.Errorf("%s: email %+v to an erased customer", kind, m)
					}
				}
			}
		})
	}
}

func TestMailerRendersNothing(t *testing.T) {
	ctx := context.Background()
	t.Run("NoKind", func(t *testing.T) {
		f := newMailerFixture(t, "https://returns.example.com")
		if ms, err := f.ForChange(ctx, "", mailedReturn(), returns.EmailData{}); ms != nil || err != nil || f.emails.count() != 0 {
			t.Errorf("ForChange() = %+v, %v after %d renders", ms, err, f.emails.count())
		}
	})
	t.Run("NoRenderer", func(t *testing.T) {
		settings := settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil })
		m := returns.NewMailer(nil, settings, "https://returns.example.com", nil, time.Now, quietLog)
		if ms, err := m.ForChange(ctx, returns.EmailRequestReceived, mailedReturn(), returns.EmailData{}); ms != nil || err != nil {
			t.Errorf("ForChange() = %+v, %v", ms, err)
		}
		if msg, err := m.AccessLink(ctx, &returns.AccessLink{TokenHash: "h", Email: "anna.berzina@example.lv"}, returns.NewToken(), "en"); msg != nil || err != nil {
			t.Errorf("AccessLink() = %+v, %v", msg, err)
		}
		m.Queued([]returns.OutboxMessage{{}}) // no wake function: nothing to call
	})
}

func TestMailerFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("RenderFails", func(t *testing.T) {
		f := newMailerFixture(t, "https://returns.example.com")
		f.settings.StaffEmail = "returns@example.com"
		f.emails.RenderEmailFn = func(d returns.EmailData) (returns.Email, error) {
			if d.Kind == returns.EmailStaffNewReturn {
				return returns.Email{}, errors.New("template: missing key")
			}
			return returns.Email{Subject: "ok"}, nil
		}
		ms, err := f.ForChange(ctx, returns.EmailRequestReceived, mailedReturn(), returns.EmailData{})
		if ms != nil || err == nil || !strings.Contains(err.Error(), "render staff_new_return email: template: missing key") {
			t.Errorf("ForChange() = %+v, %v; want no messages and the render error with its kind", ms, err)
		}
	})
	t.Run("SettingsUnreadable", func(t *testing.T) {
		f := newMailerFixture(t, "https://returns.example.com")
		f.settingsErr = errors.New("database is locked")
		if ms, err := f.ForChange(ctx, returns.EmailApproved, mailedReturn(), returns.EmailData{}); ms != nil || !errors.Is(err, f.settingsErr) {
			t.Errorf("ForChange() = %+v, %v", ms, err)
		}
		if _, err := f.AccessLink(ctx, &returns.AccessLink{TokenHash: "h"}, returns.NewToken(), "en"); !errors.Is(err, f.settingsErr) {
			t.Errorf("AccessLink() = %v", err)
		}
	})
}

func TestMailerQueuedWakesTheWorker(t *testing.T) {
	f := newMailerFixture(t, "https://returns.example.com")
	f.Queued(nil)
	if f.woken != 0 {
		t.Errorf("woken for no emails")
	}
	f.Queued([]returns.OutboxMessage{{}, {}})
	if f.woken != 1 {
		t.Errorf("woken %d times for two emails of one change, want once", f.woken)
	}
}

func TestMailerMessageIDHost(t *testing.T) {
	for baseURL, host := range map[string]string{
		"https://shop.example.lv:8443/returns": "shop.example.lv",
		"":                                     "returns.invalid",
		"not a URL\x7f":                        "returns.invalid",
	} {
		f := newMailerFixture(t, baseURL)
		ms, err := f.ForChange(context.Background(), returns.EmailApproved, mailedReturn(), returns.EmailData{})
		if err != nil || len(ms) != 1 {
			t.Fatal(err)
		}
		if !strings.HasSuffix(ms[0].MessageID, "@"+host+">") {
			t.Errorf("base URL %q: Message-ID %q, want it at %s", baseURL, ms[0].MessageID, host)
		}
	}
}

func TestMailerAccessLink(t *testing.T) {
	f := newMailerFixture(t, "https://returns.example.com")
	f.settings.StaffEmail = "Returns@Example.com"
	l := &returns.AccessLink{TokenHash: strings.Repeat("ab", 32), OrderName: "#1001", Email: "anna.berzina@example.lv"}
	m, err := f.AccessLink(context.Background(), l, returns.NewToken(), "lv")
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != returns.EmailAccessLink || m.To != l.Email || m.ReplyTo != "returns@example.com" || m.DedupeKey != "access-link:"+l.TokenHash ||
		m.LinkTokenHash != "" || m.Status != returns.OutboxQueued || !messageIDRe.MatchString(m.MessageID) {
		t.Errorf("message %+v", m)
	}
	if d := f.emails.rendered[0]; d.Lang != "lv" || d.Return != nil || d.AccessLink == nil || d.AccessLink.OrderName != "#1001" || d.AccessLink.ValidFor != returns.AccessLinkTTL {
		t.Errorf("rendered %+v", d)
	}
}
