package returns_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeLinkStore is an AccessLinkStore that records what it is given; the …Fn
// fields, when set, answer instead of the defaults (a request is stored, and a
// link is found by its hash among those stored).
type fakeLinkStore struct {
	RecordFn func(r returns.AccessLinkRequest) (bool, error)
	UseFn    func(hash string, now time.Time) (*returns.AccessLink, error)

	mu       sync.Mutex
	requests []returns.AccessLinkRequest
	links    map[string]*returns.AccessLink
	reads    int
	uses     []time.Time
}

func (s *fakeLinkStore) RecordAccessLinkRequest(ctx context.Context, r returns.AccessLinkRequest) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	if s.RecordFn != nil {
		return s.RecordFn(r)
	}
	if r.Link == nil {
		return false, nil
	}
	if s.links == nil {
		s.links = map[string]*returns.AccessLink{}
	}
	s.links[r.Link.TokenHash] = r.Link
	return true, nil
}

func (s *fakeLinkStore) AccessLink(ctx context.Context, hash string) (*returns.AccessLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if l, ok := s.links[hash]; ok {
		c := *l
		return &c, nil
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "Link not found.")
}

func (s *fakeLinkStore) UseAccessLink(ctx context.Context, hash string, now time.Time) (*returns.AccessLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uses = append(s.uses, now)
	if s.UseFn != nil {
		return s.UseFn(hash, now)
	}
	if l, ok := s.links[hash]; ok {
		c := *l
		return &c, nil
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "Link not found.")
}

// fakeRenderer is an EmailRenderer that records what it renders.
type fakeRenderer struct {
	mu       sync.Mutex
	rendered []returns.EmailData
}

func (r *fakeRenderer) RenderEmail(d returns.EmailData) (returns.Email, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rendered = append(r.rendered, d)
	return returns.Email{Subject: "Link to " + d.AccessLink.OrderName, Text: d.AccessLink.Token, HTML: "<a>" + d.AccessLink.Token + "</a>"}, nil
}

// linkFixture is an AccessLinkService over fakes with the access link store and
// a renderer, at a clock the test can move (from serviceNow).
type linkFixture struct {
	*returns.AccessLinkService
	shop  *fakeShop
	now   time.Time
	woken int // times the mail worker was woken
}

func newLinkFixture(t *testing.T, orders ...*returns.Order) (*linkFixture, *fakeLinkStore, *fakeRenderer) {
	t.Helper()
	f := &linkFixture{shop: newFakeShop(orders...), now: serviceNow}
	now := func() time.Time { return f.now }
	links, emails := &fakeLinkStore{}, &fakeRenderer{}
	settings := returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }), now)
	mailer := returns.NewMailer(emails, settings, "https://returns.example.com", func() { f.woken++ }, now, quietLog)
	f.AccessLinkService = returns.NewAccessLinkService(f.shop, links, mailer, now, quietLog)
	return f, links, emails
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestRequestAccessLink(t *testing.T) {
	lvOrder := testOrder()
	lvOrder.Locale = "lv-LV"

	t.Run("MatchedEmailsTheOrdersAddress", func(t *testing.T) {
		f, links, emails := newLinkFixture(t, lvOrder)
		if err := f.RequestAccessLink(context.Background(), " #1001 ", "Anna.Berzina@Example.LV", "en"); err != nil {
			t.Fatal(err)
		}
		if len(links.requests) != 1 || len(emails.rendered) != 1 {
			t.Fatalf("%d requests recorded, %d emails rendered; want 1 and 1", len(links.requests), len(emails.rendered))
		}
		r, d := links.requests[0], emails.rendered[0]
		if r.Link == nil || r.Email == nil {
			t.Fatalf("request %+v without its link and email", r)
		}
		l := r.Link
		if l.OrderID != lvOrder.ID || l.OrderName != "#1001" || l.Email != "anna.berzina@example.lv" || l.Locale != "lv-LV" {
			t.Errorf("link %+v", l)
		}
		if !l.CreatedAt.Equal(serviceNow) || !l.ExpiresAt.Equal(serviceNow.Add(15*time.Minute)) {
			t.Errorf("link made %v, expires %v; want now and 15 minutes on", l.CreatedAt, l.ExpiresAt)
		}
		if !r.At.Equal(serviceNow) || !r.Since.Equal(serviceNow.Add(-time.Hour)) || r.PerOrder != returns.AccessLinksPerOrderHour || r.PerAddress != returns.AccessLinksPerAddressHour {
			t.Errorf("request bounds %+v", r)
		}
		// The token is in the email only; the store gets its SHA-256.
		token := d.AccessLink.Token
		if len(token) != 32 || l.TokenHash != sha256Hex(token) || strings.Contains(l.TokenHash, token) {
			t.Errorf("token %q, stored hash %q", token, l.TokenHash)
		}
		if d.BaseURL != "https://returns.example.com" || d.AccessLink.OrderName != "#1001" || d.AccessLink.ValidFor != 15*time.Minute {
			t.Errorf("email data %+v, base URL %q", d.AccessLink, d.BaseURL)
		}
		if d.Kind != returns.EmailAccessLink || d.Lang != "lv" || d.Return != nil {
			t.Errorf("email kind %q, language %q (want the order's, lv), return %v", d.Kind, d.Lang, d.Return)
		}
		m := r.Email
		if m.To != "anna.berzina@example.lv" || m.Kind != returns.EmailAccessLink || m.DedupeKey != "access-link:"+l.TokenHash || m.ReturnID != 0 || m.Status != returns.OutboxQueued {
			t.Errorf("outbox message %+v", m)
		}
	})

	t.Run("UnmatchedDoesTheSameWorkAndSendsNothing", func(t *testing.T) {
		for _, tc := range []struct{ name, number, email string }{
			{"WrongEmail", "1001", "eve@example.com"},
			{"UnknownOrder", "9999", "anna.berzina@example.lv"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f, links, emails := newLinkFixture(t, lvOrder)
				if err := f.RequestAccessLink(context.Background(), tc.number, tc.email, "en"); err != nil {
					t.Fatalf("RequestAccessLink() = %v, want nil as for a match", err)
				}
				if len(f.shop.findCalls) != 1 || len(emails.rendered) != 1 || len(links.requests) != 1 {
					t.Fatalf("%d Shopify searches, %d emails rendered, %d requests recorded; want one of each, as for a match",
						len(f.shop.findCalls), len(emails.rendered), len(links.requests))
				}
				if r := links.requests[0]; r.Link != nil || r.Email != nil {
					t.Fatalf("stored a link for an unmatched request: %+v", r)
				}
			})
		}
	})

	t.Run("MalformedInputAsksNothing", func(t *testing.T) {
		f, links, _ := newLinkFixture(t, lvOrder)
		for _, in := range [][2]string{{"1001; DROP", "anna.berzina@example.lv"}, {"1001", "no-at"}, {"", ""}} {
			if err := f.RequestAccessLink(context.Background(), in[0], in[1], "en"); err != nil {
				t.Errorf("%q: %v", in, err)
			}
		}
		if len(f.shop.findCalls) != 0 || len(links.requests) != 0 {
			t.Errorf("%d Shopify searches and %d requests for malformed input", len(f.shop.findCalls), len(links.requests))
		}
	})

	t.Run("ShopifyDownIsAnError", func(t *testing.T) {
		f, links, _ := newLinkFixture(t, lvOrder)
		f.shop.FindOrderFn = func(number, email string) (*returns.Order, error) {
			return nil, returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering. Please try again in a minute.")
		}
		err := f.RequestAccessLink(context.Background(), "1001", "anna.berzina@example.lv", "en")
		if returns.ErrorCode(err) != returns.EUNAVAILABLE || len(links.requests) != 0 {
			t.Errorf("err %v, %d requests recorded; want EUNAVAILABLE and none", err, len(links.requests))
		}
	})

	t.Run("BoundReachedAnswersAlike", func(t *testing.T) {
		f, links, _ := newLinkFixture(t, lvOrder)
		links.RecordFn = func(r returns.AccessLinkRequest) (bool, error) { return false, nil }
		if err := f.RequestAccessLink(context.Background(), "1001", "anna.berzina@example.lv", "en"); err != nil {
			t.Fatal(err)
		}
		if f.woken != 0 {
			t.Errorf("the mail worker was woken %d times for a link not stored", f.woken)
		}
	})
}

func TestEmailLanguage(t *testing.T) {
	f, _, emails := newLinkFixture(t)
	for _, tc := range []struct{ locale, page, want string }{
		{"lv", "en", "lv"},
		{"lv-LV", "en", "lv"},
		{"en-GB", "lv", "en"},
		{"de", "lv", "lv"},
		{"de", "en", "en"},
		{"", "lv", "lv"},
		{"", "xx", "en"},
	} {
		o := testOrder()
		o.Locale = tc.locale
		f.shop.FindOrderFn = func(number, email string) (*returns.Order, error) { return o, nil }
		if err := f.RequestAccessLink(context.Background(), "1001", "anna.berzina@example.lv", tc.page); err != nil {
			t.Fatal(err)
		}
		if got := emails.rendered[len(emails.rendered)-1].Lang; got != tc.want {
			t.Errorf("order locale %q, page %q: email in %q, want %q", tc.locale, tc.page, got, tc.want)
		}
	}
}

func TestUseAccessLink(t *testing.T) {
	f, links, emails := newLinkFixture(t, testOrder())
	ctx := context.Background()
	if err := f.RequestAccessLink(ctx, "1001", "anna.berzina@example.lv", "en"); err != nil {
		t.Fatal(err)
	}
	token := emails.rendered[0].AccessLink.Token

	if err := f.AccessLinkOpens(ctx, token); err != nil {
		t.Fatalf("AccessLinkOpens() = %v for a new link", err)
	}
	l, err := f.UseAccessLink(ctx, token)
	if err != nil || l.OrderID != "gid://shopify/Order/1001" || l.OrderName != "#1001" {
		t.Fatalf("UseAccessLink() = %+v, %v", l, err)
	}
	if len(links.uses) != 1 || !links.uses[0].Equal(serviceNow) {
		t.Errorf("the store was asked to use the link at %v, want the service's clock %v", links.uses, serviceNow)
	}

	gone := "This link has expired or was used already."
	check := func(name string, err error) {
		t.Helper()
		if returns.ErrorCode(err) != returns.ENOTFOUND || returns.ErrorMessage(err).String() != gone {
			t.Errorf("%s: err %v, want ENOTFOUND %q", name, err, gone)
		}
	}
	links.UseFn = func(hash string, now time.Time) (*returns.AccessLink, error) {
		return nil, returns.Errorf(returns.ENOTFOUND, "Link not found.")
	}
	_, err = f.UseAccessLink(ctx, token)
	check("used again", err)

	// AccessLinkOpens judges used and expired links by the service's clock.
	links.links[sha256Hex(token)].UsedAt = serviceNow
	check("opens after use", f.AccessLinkOpens(ctx, token))
	links.links[sha256Hex(token)].UsedAt = time.Time{}
	f.now = serviceNow.Add(15 * time.Minute)
	check("opens at its expiry", f.AccessLinkOpens(ctx, token))
	f.now = serviceNow.Add(15*time.Minute - time.Millisecond)
	if err := f.AccessLinkOpens(ctx, token); err != nil {
		t.Errorf("opens just before its expiry: %v", err)
	}

	// Strings that are no token never reach the store.
	reads, uses := links.reads, len(links.uses)
	for _, bad := range []string{"", "short", strings.ToUpper(token), token + "0", strings.Repeat("g", 32)} {
		check("AccessLinkOpens("+bad+")", f.AccessLinkOpens(ctx, bad))
		_, err := f.UseAccessLink(ctx, bad)
		check("UseAccessLink("+bad+")", err)
	}
	if links.reads != reads || len(links.uses) != uses {
		t.Errorf("malformed tokens reached the store")
	}
	check("unknown token", f.AccessLinkOpens(ctx, strings.Repeat("0", 32)))
}
