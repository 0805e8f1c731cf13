package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
	"github.com/returnsportal/returns/handlers"
)

// clock is a time tests move while the portal reads it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

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

// useClock makes the service tell time by a clock starting now.
func (h *harness) useClock() *clock {
	c := &clock{t: time.Now()}
	h.deps.Now = c.Now
	h.rebuild()
	return c
}

// linkEmails returns the access link emails in the outbox, newest first.
func (h *harness) linkEmails() []returns.OutboxMessage {
	h.t.Helper()
	ms, err := h.store.OutboxMessages(context.Background(), "", 0, 500)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []returns.OutboxMessage
	for _, m := range ms {
		if m.Kind == returns.EmailAccessLink {
			out = append(out, m)
		}
	}
	return out
}

var linkRe = regexp.MustCompile(`/link\?t=([0-9a-f]{32})`)

// askForLink asks for a link to order for email and returns the answer.
func (h *harness) askForLink(c *http.Client, order, email string) answer {
	h.t.Helper()
	return h.postForm(c, "/link", url.Values{"order": {order}, "email": {email}})
}

// emailedToken asks for a link to #1001 with its address and returns the token
// from the email that was queued.
func (h *harness) emailedToken() string {
	h.t.Helper()
	before := len(h.linkEmails())
	if a := h.askForLink(h.client(), "1001", "anna.berzina@example.lv"); a.status != http.StatusOK {
		h.t.Fatalf("ask for a link: status %d", a.status)
	}
	ms := h.linkEmails()
	if len(ms) != before+1 {
		h.t.Fatalf("%d link emails queued, want %d", len(ms), before+1)
	}
	m := linkRe.FindStringSubmatch(ms[0].Text)
	if m == nil || !strings.Contains(ms[0].HTML, m[0]) {
		h.t.Fatalf("no link in the email:\n%s", ms[0].Text)
	}
	return m[1]
}

// TestLimitedLookupOffersAnEmailedLink: once the order's limit is used up, the
// right email gets the limited page, whose form asks for a link emailed to the
// order's address, pre-filled with what was typed.
func TestLimitedLookupOffersAnEmailedLink(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 1000, PerIPHour: 1000, PerOrderHour: 3})
	c := h.client()
	for i := 0; i < 3; i++ {
		h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"eve@example.com"}})
	}
	a := h.postForm(c, "/", url.Values{"order": {"#1001"}, "email": {"anna.berzina@example.lv"}})
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 429 with it", a.status, a.header.Get("Retry-After"))
	}
	for _, want := range []string{`action="/link"`, `value="#1001"`, `value="anna.berzina@example.lv"`, "Email me a link", "Too many attempts"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("limited page without %q:\n%s", want, a.body)
		}
	}
	// The way it offers works: the link arrives and opens the order.
	token := h.emailedToken()
	if a := h.postForm(c, "/link/open", url.Values{"t": {token}}); a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
		t.Fatalf("open the link: status %d, location %q", a.status, a.header.Get("Location"))
	}
	if a := h.get(c, "/order"); a.status != http.StatusOK || !strings.Contains(a.body, "Linen tea towel") {
		t.Fatalf("order page after the link: status %d", a.status)
	}
}

// TestAskingForALinkAnswersAlike: the right email, a wrong one, an unknown
// order and nonsense get the same status and the very same page; only the
// right one queues an email, to the order's address.
func TestAskingForALinkAnswersAlike(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	right := h.askForLink(c, "#1001", "Anna.Berzina@Example.LV")
	if right.status != http.StatusOK || !strings.Contains(right.body, "Check your email") {
		t.Fatalf("right email: status %d\n%s", right.status, right.body)
	}
	if cookieNamed(right.header, "portal") != nil {
		t.Error("asking for a link started a session")
	}
	for name, a := range map[string]answer{
		"wrong email":   h.askForLink(c, "1001", "sam.taylor@example.com"),
		"unknown order": h.askForLink(c, "9999", "anna.berzina@example.lv"),
		"malformed":     h.askForLink(c, "1001; drop", "not an address"),
	} {
		if a.status != right.status || a.body != right.body {
			t.Errorf("%s: status %d and its page differ from the right email's", name, a.status)
		}
	}
	ms := h.linkEmails()
	if len(ms) != 1 || ms[0].To != "anna.berzina@example.lv" || ms[0].ReturnID != 0 {
		t.Fatalf("link emails queued: %+v; want one, to the order's address", ms)
	}
	// The email is in the order's language (Latvian for #1001).
	if !strings.Contains(ms[0].Subject, "Saite uz pasūtījumu #1001") {
		t.Errorf("subject %q", ms[0].Subject)
	}
	if a := h.get(c, "/order"); a.status != http.StatusSeeOther {
		t.Errorf("order page after asking for links: status %d, want a redirect", a.status)
	}
}

// TestLinksPerOrderAreBoundedSilently: past a few links an hour for an order,
// asking again answers the same and sends nothing.
func TestLinksPerOrderAreBoundedSilently(t *testing.T) {
	h := newHarness(t, nil)
	clk := h.useClock()
	c := h.client()
	first := h.askForLink(c, "1001", "anna.berzina@example.lv")
	for i := 1; i < returns.AccessLinksPerOrderHour+2; i++ {
		if a := h.askForLink(c, "1001", "anna.berzina@example.lv"); a.status != first.status || a.body != first.body {
			t.Fatalf("request %d answers differently", i+1)
		}
	}
	if n := len(h.linkEmails()); n != returns.AccessLinksPerOrderHour {
		t.Fatalf("%d link emails, want %d", n, returns.AccessLinksPerOrderHour)
	}
	clk.Add(time.Hour + time.Second)
	h.askForLink(c, "1001", "anna.berzina@example.lv")
	if n := len(h.linkEmails()); n != returns.AccessLinksPerOrderHour+1 {
		t.Fatalf("an hour later: %d link emails, want %d", n, returns.AccessLinksPerOrderHour+1)
	}
}

// TestLinkRequestsPerAddressAreLimited: one client address asks for so many
// links a minute; past them it is refused, and that refusal is about the asker.
func TestLinkRequestsPerAddressAreLimited(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 2, PerIPHour: 100, PerOrderHour: 100})
	c := h.client()
	for i := 0; i < 2; i++ {
		if a := h.askForLink(c, "9999", "x@example.com"); a.status != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, a.status)
		}
	}
	calls := h.shop.Calls()
	if a := h.askForLink(c, "1001", "anna.berzina@example.lv"); a.status != http.StatusTooManyRequests {
		t.Fatalf("3rd request in a minute: status %d, want 429", a.status)
	}
	if h.shop.Calls() != calls || len(h.linkEmails()) != 0 {
		t.Error("a refused request asked Shopify or queued an email")
	}
	// Lookups from that address are counted apart.
	if a := h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}}); a.status != http.StatusSeeOther {
		t.Errorf("lookup after the link requests: status %d, want 303", a.status)
	}
}

// TestEmailedLinkOpensTheOrderOnce: the link lands on a page whose button opens
// the order (so that a mail filter's visit uses nothing up); opening it proves
// the order as a lookup does; a second use is refused with the page that offers
// a new link.
func TestEmailedLinkOpensTheOrderOnce(t *testing.T) {
	h := newHarness(t, nil)
	token := h.emailedToken()
	c := h.client()
	for i := 0; i < 2; i++ { // visiting twice uses nothing up
		a := h.get(c, "/link?t="+token)
		if a.status != http.StatusOK || a.header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("visit %d: status %d, Referrer-Policy %q", i+1, a.status, a.header.Get("Referrer-Policy"))
		}
		if !strings.Contains(a.body, `action="/link/open"`) || !strings.Contains(a.body, `value="`+token+`"`) {
			t.Fatalf("visit %d: no button that opens the order:\n%s", i+1, a.body)
		}
	}
	if a := h.get(c, "/order"); a.status != http.StatusSeeOther {
		t.Fatalf("order page before the button: status %d, want a redirect", a.status)
	}
	a := h.postForm(c, "/link/open", url.Values{"t": {token}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" || cookieNamed(a.header, "portal") == nil {
		t.Fatalf("open: status %d, location %q", a.status, a.header.Get("Location"))
	}
	if a := h.get(c, "/order"); a.status != http.StatusOK || !strings.Contains(a.body, "#1001") {
		t.Fatalf("order page: status %d", a.status)
	}

	other := h.client()
	for name, a := range map[string]answer{
		"second use":      h.postForm(other, "/link/open", url.Values{"t": {token}}),
		"visit after use": h.get(other, "/link?t="+token),
		"unknown token":   h.get(other, "/link?t="+strings.Repeat("0", 32)),
		"no token":        h.postForm(other, "/link/open", nil),
	} {
		if a.status != http.StatusGone || cookieNamed(a.header, "portal") != nil {
			t.Errorf("%s: status %d, want 410 and no session", name, a.status)
		}
		for _, want := range []string{"This link has expired or was used already.", `action="/link"`, "Email me a link"} {
			if !strings.Contains(a.body, want) {
				t.Errorf("%s: page without %q", name, want)
			}
		}
	}
	if a := h.get(other, "/order"); a.status != http.StatusSeeOther {
		t.Errorf("order page for the second user: status %d, want a redirect", a.status)
	}
}

// TestEmailedLinkExpires: fifteen minutes after it was made, a link opens
// nothing.
func TestEmailedLinkExpires(t *testing.T) {
	h := newHarness(t, nil)
	clk := h.useClock()
	token := h.emailedToken()
	clk.Add(returns.AccessLinkTTL - time.Second)
	c := h.client()
	if a := h.get(c, "/link?t="+token); a.status != http.StatusOK {
		t.Fatalf("a second before it expires: status %d", a.status)
	}
	clk.Add(time.Second)
	if a := h.get(c, "/link?t="+token); a.status != http.StatusGone {
		t.Fatalf("visit when it expires: status %d, want 410", a.status)
	}
	if a := h.postForm(c, "/link/open", url.Values{"t": {token}}); a.status != http.StatusGone {
		t.Fatalf("open when it expires: status %d, want 410", a.status)
	}
	if a := h.get(c, "/order"); a.status != http.StatusSeeOther {
		t.Errorf("order page: status %d, want a redirect", a.status)
	}
}

// slowDisk is an access link store on a disk where every commit takes delay, as
// an fsync may on a network volume.
type slowDisk struct {
	*db.DB
	delay time.Duration
}

func (d slowDisk) RecordAccessLinkRequest(ctx context.Context, r returns.AccessLinkRequest) (bool, error) {
	time.Sleep(d.delay)
	return d.DB.RecordAccessLinkRequest(ctx, r)
}

// TestAskingForALinkTakesAlikeOverManyTries: asking with the right email (a
// link made and queued) and with a wrong one take the same time: their median
// durations over 30 tries each differ by less than half a commit. The portal
// runs on a slow disk, where a commit costs 100 ms, so that a path that
// skipped the other's commit would show as 100 ms, far above what a busy
// machine's noise does to a median (a shared CI machine's has reached 20 ms
// with a 40 ms commit). Each right request is an hour after the last, so
// that every one sends a link.
func TestAskingForALinkTakesAlikeOverManyTries(t *testing.T) {
	const tries = 30
	const commit = 100 * time.Millisecond
	const tolerance = commit / 2
	h := newHarness(t, nil)
	h.deps.Store = slowDisk{h.store, commit}
	h.rebuild()
	clk := h.useClock()
	c := h.client()
	right := url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}}
	wrong := url.Values{"order": {"1001"}, "email": {"sam.taylor@example.com"}}
	h.postForm(c, "/link", wrong) // warm up
	durations := map[string][]time.Duration{}
	for i := 0; i < tries; i++ {
		clk.Add(time.Hour + time.Second)
		names := []string{"right", "wrong"}
		if i%2 == 1 {
			names = []string{"wrong", "right"}
		}
		for _, name := range names {
			v := right
			if name == "wrong" {
				v = wrong
			}
			start := time.Now()
			h.postForm(c, "/link", v)
			durations[name] = append(durations[name], time.Since(start))
		}
	}
	if n := len(h.linkEmails()); n != tries {
		t.Fatalf("%d links sent, want %d: the right requests did not all send one", n, tries)
	}
	a, b := median(durations["right"]), median(durations["wrong"])
	t.Logf("median request for a link: right email %v, wrong email %v", a, b)
	if d := (a - b).Abs(); d > tolerance {
		t.Errorf("median times differ by %v (right %v, wrong %v), want under %v", d, a, b, tolerance)
	}
}

// TestEmailedLinkSettingForcesTheLink: with the store's setting on, the lookup
// form says a link will be emailed and asks for one; a typed lookup, even with
// the right email and even posted to the old form's address, never opens the
// order: it answers as a link request does and queues the link. The signed link
// from the store's emails still opens the order. Turned off, lookups open
// orders again.
func TestEmailedLinkSettingForcesTheLink(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	save := func(on bool) {
		t.Helper()
		v := url.Values{
			"return_address": {"Returns, Elizabetes iela 2, Rīga"}, "window_days": {"30"}, "non_returnable_tag": {"final-sale"},
			"instructions_en": {"Pack it well."}, "instructions_lv": {"Iepakojiet rūpīgi."},
		}
		if on {
			v.Set("require_emailed_link", "on")
		}
		if a := h.postForm(staff, "/admin/settings", v); a.status != http.StatusSeeOther {
			t.Fatalf("save settings: status %d\n%s", a.status, a.body)
		}
		form := h.get(staff, "/admin/settings")
		if checked := regexp.MustCompile(`<input[^>]*id="require_emailed_link"[^>]*checked`).MatchString(form.body); checked != on {
			t.Fatalf("settings page: checkbox checked %v, want %v", checked, on)
		}
	}
	save(true)

	c := h.client()
	form := h.get(c, "/")
	if form.status != http.StatusOK || !strings.Contains(form.body, `action="/link"`) || !strings.Contains(form.body, "Email me a link") ||
		!strings.Contains(form.body, "We email a link that opens your order") {
		t.Fatalf("lookup form with the setting on:\n%s", form.body)
	}
	typed := h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	asked := h.askForLink(c, "1001", "sam.taylor@example.com")
	if typed.status != http.StatusOK || typed.body != asked.body || cookieNamed(typed.header, "portal") != nil {
		t.Fatalf("typed lookup with the setting on: status %d; want the link request's page and no session\n%s", typed.status, typed.body)
	}
	if a := h.get(c, "/order"); a.status != http.StatusSeeOther {
		t.Fatalf("order page after a typed lookup with the setting on: status %d, want a redirect", a.status)
	}
	if n := len(h.linkEmails()); n != 1 {
		t.Fatalf("%d link emails, want 1 (for the right email)", n)
	}
	if a := h.get(h.client(), startLink("1001", "anna.berzina@example.lv")); a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
		t.Fatalf("signed link with the setting on: status %d, location %q", a.status, a.header.Get("Location"))
	}

	save(false)
	h.lookup(h.client(), "1001", "anna.berzina@example.lv")
	if a := h.get(h.client(), "/"); strings.Contains(a.body, `action="/link"`) {
		t.Error("lookup form still asks for a link with the setting off")
	}
}
