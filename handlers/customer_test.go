package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
)

func TestLookupFindsOrderWithAnyFormOfNumberAndEmailCase(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct{ name, order, email string }{
		{"plain", "1001", "anna.berzina@example.lv"},
		{"hash", "#1001", "anna.berzina@example.lv"},
		{"spaces", "  #1001 ", "  anna.berzina@example.lv  "},
		{"upper-case email", "#1001", "ANNA.BERZINA@example.lv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := h.client()
			h.lookup(c, tc.order, tc.email)
			a := h.get(c, "/order")
			if a.status != http.StatusOK || !strings.Contains(a.body, "#1001") || !strings.Contains(a.body, "Linen tea towel") {
				t.Fatalf("order page: status %d\n%s", a.status, a.body)
			}
		})
	}
}

// valueAttrs removes echoed form values, so that failed lookups for different
// inputs can be compared.
var valueAttrs = regexp.MustCompile(`value="[^"]*"`)

func TestFailedLookupsAnswerIdentically(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	wrongEmail := h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"sam.taylor@example.com"}})
	unknownOrder := h.postForm(c, "/", url.Values{"order": {"9999"}, "email": {"sam.taylor@example.com"}})
	malformed := h.postForm(c, "/", url.Values{"order": {"1001; drop"}, "email": {"sam.taylor@example.com"}})
	q := url.Values{"order": {"1001"}, "email": {"sam.taylor@example.com"}, "sig": {strings.Repeat("ab", 32)}}
	badSig := h.get(c, "/start?"+q.Encode())

	want := wrongEmail
	if want.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong email: status %d, want 422", want.status)
	}
	if !strings.Contains(want.body, "We could not find an order") {
		t.Fatalf("wrong email: no message:\n%s", want.body)
	}
	for name, a := range map[string]answer{"unknown order": unknownOrder, "malformed number": malformed, "bad signature": badSig} {
		if a.status != want.status {
			t.Errorf("%s: status %d, want %d", name, a.status, want.status)
		}
		if valueAttrs.ReplaceAllString(a.body, "") != valueAttrs.ReplaceAllString(want.body, "") {
			t.Errorf("%s: page differs from the wrong-email page", name)
		}
	}
	// None of them proved an order.
	if a := h.get(c, "/order"); a.status != http.StatusSeeOther {
		t.Errorf("order page after failed lookups: status %d, want a redirect to the lookup", a.status)
	}
}

func TestLookupFormIsPrefilledFromQuery(t *testing.T) {
	h := newHarness(t, nil)
	a := h.get(h.client(), "/?order=1001&email=anna%40example.lv")
	if a.status != http.StatusOK || !strings.Contains(a.body, `value="1001"`) || !strings.Contains(a.body, `value="anna@example.lv"`) {
		t.Fatalf("status %d, body:\n%s", a.status, a.body)
	}
}

func TestStartLink(t *testing.T) {
	h := newHarness(t, nil)
	sig := returns.LinkSignature(linkSecret, "1001", "anna.berzina@example.lv")
	for _, tc := range []struct {
		name, order, email, sig string
		ok                      bool
	}{
		{"signed", "1001", "anna.berzina@example.lv", sig, true},
		{"signed, email in other case", "1001", "Anna.Berzina@example.lv", sig, true},
		{"signed, upper-case hex", "1001", "anna.berzina@example.lv", strings.ToUpper(sig), true},
		{"tampered order", "1002", "anna.berzina@example.lv", sig, false},
		{"tampered signature", "1001", "anna.berzina@example.lv", sig[:63] + "0", false},
		{"missing signature", "1001", "anna.berzina@example.lv", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := h.client()
			q := url.Values{"order": {tc.order}, "email": {tc.email}, "sig": {tc.sig}}
			a := h.get(c, "/start?"+q.Encode())
			if tc.ok {
				if a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
					t.Fatalf("status %d location %q", a.status, a.header.Get("Location"))
				}
				return
			}
			if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `value="`+tc.order+`"`) {
				t.Fatalf("status %d; want the lookup form pre-filled:\n%s", a.status, a.body)
			}
		})
	}
}

func TestLookupRateLimits(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 5, PerIPHour: 20, PerOrderHour: 10})
	c := h.client()
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader("order=1001&email=x%40example.com"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+i)))
		if a := h.do(c, req); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d", i+1, a.status)
		}
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader("order=1001&email=anna.berzina%40example.lv"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	a := h.do(c, req)
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with a spoofed X-Forwarded-For: status %d, want 429", a.status)
	}
	if a.header.Get("Retry-After") == "" || !strings.Contains(a.body, "<html") {
		t.Fatalf("429 without Retry-After or page: %v\n%s", a.header, a.body)
	}
}

func TestLanguage(t *testing.T) {
	h := newHarness(t, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	en := h.get(c, "/")
	lv := h.get(c, "/?lang=lv")
	if !strings.Contains(en.body, `lang="en"`) || !strings.Contains(lv.body, `lang="lv"`) {
		t.Fatalf("html lang: en page %v, lv page %v", strings.Contains(en.body, `lang="en"`), strings.Contains(lv.body, `lang="lv"`))
	}
	// The choice sticks through the cookie.
	if again := h.get(c, "/"); !strings.Contains(again.body, `lang="lv"`) {
		t.Fatal("language choice not kept")
	}
	// Accept-Language decides for a new visitor.
	req, _ := http.NewRequest("GET", h.srv.URL+"/", nil)
	req.Header.Set("Accept-Language", "lv-LV,lv;q=0.9,en;q=0.5")
	if a := h.do(h.client(), req); !strings.Contains(a.body, `lang="lv"`) {
		t.Fatal("Accept-Language lv not honoured")
	}
	// The order's locale comes before Accept-Language: #1001 is a Latvian order.
	jar2, _ := cookiejar.New(nil)
	c2 := &http.Client{Jar: jar2, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	h.lookup(c2, "1001", "anna.berzina@example.lv")
	if a := h.get(c2, "/order"); !strings.Contains(a.body, `lang="lv"`) {
		t.Fatal("order locale not honoured")
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, nil)
	a := h.get(h.client(), "/")
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if !strings.Contains(a.header.Get(k), want) {
			t.Errorf("%s = %q, want %q", k, a.header.Get(k), want)
		}
	}
	if a := h.get(h.client(), "/no/such/page"); a.status != http.StatusNotFound || !strings.Contains(a.body, "<html") {
		t.Errorf("unknown page: status %d", a.status)
	}
	if a := h.get(h.client(), "/healthz"); a.status != http.StatusOK {
		t.Errorf("healthz: %d", a.status)
	}
}

// TestLookupPageWeight keeps the lookup page and its stylesheet small: the target
// is well under 30 KB for HTML and CSS together.
func TestLookupPageWeight(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	page := h.get(c, "/")
	css := regexp.MustCompile(`href="(/static/[^"]+\.css)"`).FindStringSubmatch(page.body)
	if css == nil {
		t.Fatal("no stylesheet link")
	}
	style := h.get(c, css[1])
	if style.status != http.StatusOK {
		t.Fatalf("stylesheet: %d", style.status)
	}
	if total := len(page.body) + len(style.body); total > 30*1024 {
		t.Fatalf("lookup page %d B + CSS %d B = %d B, want ≤ 30 KB", len(page.body), len(style.body), total)
	}
}

func orderID(t *testing.T, h *harness, number, email string) string {
	t.Helper()
	o, err := h.app.Customers.LookupOrder(context.Background(), number, email)
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func countReturns(t *testing.T, h *harness, orderID string) int {
	t.Helper()
	rs, err := h.store.ReturnsByOrder(context.Background(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

func TestSubmitReturnRejectsBadInput(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(c)
	towel, mug := lines["Linen tea towel"], lines["Ceramic mug"]
	if towel == "" || mug == "" {
		t.Fatalf("lines shown: %v", lines)
	}
	// A line of another order: #1002's scarf.
	c2 := h.client()
	h.lookup(c2, "1002", "sam.taylor@example.com")
	_, lines2 := h.orderForm(c2)
	scarf := lines2["Wool scarf"]

	damaged := func(extra ...part) []part {
		return append([]part{field("key", key), field("kind", "damaged"), field("resolution", "replacement")}, extra...)
	}
	text := field("description", "The towel arrived torn.")
	towelOne := []part{field("line", towel), field("qty-"+towel, "1")}
	photo := part{name: "photos", filename: "towel.jpg", data: jpegBytes(t, 64, 48)}

	for _, tc := range []struct {
		name  string
		parts []part
		want  string // text expected on the page
	}{
		{"no item", damaged(text), "Choose at least one item"},
		{"quantity 0", damaged(text, field("line", towel), field("qty-"+towel, "0")), "Choose between 1 and 1"},
		{"quantity -1", damaged(text, field("line", mug), field("qty-"+mug, "-1")), "Choose between 1 and 2"},
		{"quantity too many", damaged(text, field("line", mug), field("qty-"+mug, "3")), "Choose between 1 and 2"},
		{"quantity not a number", damaged(text, field("line", mug), field("qty-"+mug, "two")), "Enter a whole number"},
		{"line of another order", damaged(text, field("line", scarf), field("qty-"+scarf, "1")), "not on this order"},
		{"no description", damaged(towelOne...), "Tell us what is wrong"},
		{"over-long description", damaged(append(towelOne, field("description", strings.Repeat("x", returns.MaxNoteRunes+1)))...), "at most 2000 characters"},
		{"control characters", damaged(append(towelOne, field("description", "torn\x00\x1b[31m"))...), "control characters"},
		{"bidi override", damaged(append(towelOne, field("description", "torn \u202egnp.exe"))...), "invisible formatting"},
		{"not UTF-8", damaged(append(towelOne, field("description", "torn \xff\xfe"))...), "cannot read"},
		{"text file named .jpg", damaged(append(towelOne, text, part{name: "photos", filename: "towel.jpg", data: []byte("just some text, not a photo")})...), "not a JPEG, PNG or WebP"},
		{"20 MB photo", damaged(append(towelOne, text, part{name: "photos", filename: "big.jpg", data: append(jpegBytes(t, 8, 8), bytes.Repeat([]byte{0}, 20<<20)...)})...), "too large"},
		{"six photos", damaged(append(towelOne, text, photo, photo, photo, photo, photo, photo)...), "at most 5 photos"},
		{"no kind", []part{field("key", key), field("line", towel), field("qty-"+towel, "1")}, "Choose what happened"},
		{"dissatisfied without reason", []part{field("key", key), field("kind", "dissatisfied"), field("line", towel), field("qty-"+towel, "1")}, "Choose a reason"},
		{"other reason without text", []part{field("key", key), field("kind", "dissatisfied"), field("reason", "other"), field("line", towel), field("qty-"+towel, "1")}, "Tell us the reason"},
		{"no submission key", []part{field("kind", "damaged"), text, field("resolution", "refund"), field("line", towel), field("qty-"+towel, "1")}, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := h.postMultipart(c, "/order/returns", tc.parts)
			if a.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", a.status, a.body)
			}
			if !strings.Contains(a.body, tc.want) {
				t.Fatalf("page does not say %q:\n%s", tc.want, a.body)
			}
			if n := countReturns(t, h, orderID(t, h, "1001", "anna.berzina@example.lv")); n != 0 {
				t.Fatalf("%d returns stored, want none", n)
			}
		})
	}
}

func TestSubmitReturnEndToEnd(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(c)
	towel := lines["Linen tea towel"]
	form := []part{
		field("key", key), field("kind", "damaged"), field("resolution", "replacement"),
		field("description", "Torn along the hem <b>badly</b>."),
		field("line", towel), field("qty-"+towel, "1"),
		{name: "photos", filename: "../../x.jpg.html", data: jpegBytes(t, 64, 48)},
	}
	a := h.postMultipart(c, "/order/returns", form)
	if a.status != http.StatusSeeOther {
		t.Fatalf("submit: status %d\n%s", a.status, a.body)
	}
	loc := a.header.Get("Location")
	code := regexp.MustCompile(`/returns/(R-[0-9A-Z]{8})/confirmation`).FindStringSubmatch(loc)
	if code == nil {
		t.Fatalf("redirect to %q", loc)
	}

	// Submitting the same form again (double click, back button) gives the same return.
	again := h.postMultipart(c, "/order/returns", form)
	if again.status != http.StatusSeeOther || again.header.Get("Location") != loc {
		t.Fatalf("second submit: status %d location %q, want %q", again.status, again.header.Get("Location"), loc)
	}
	id := orderID(t, h, "1001", "anna.berzina@example.lv")
	if n := countReturns(t, h, id); n != 1 {
		t.Fatalf("%d returns stored, want 1", n)
	}

	conf := h.get(c, loc)
	if conf.status != http.StatusOK || !strings.Contains(conf.body, code[1]) || !strings.Contains(conf.body, "Brīvības iela 1") {
		t.Fatalf("confirmation: status %d\n%s", conf.status, conf.body)
	}

	status := h.get(c, "/returns/"+code[1])
	if status.status != http.StatusOK || !strings.Contains(status.body, "Linen tea towel") {
		t.Fatalf("status page: %d\n%s", status.status, status.body)
	}
	if strings.Contains(status.body, "<b>badly</b>") || !strings.Contains(status.body, "&lt;b&gt;badly&lt;/b&gt;") {
		t.Fatal("customer text not escaped on the status page")
	}
	img := regexp.MustCompile(`src="(/returns/` + code[1] + `/photos/\d+)"`).FindStringSubmatch(status.body)
	if img == nil {
		t.Fatalf("no photo on the status page:\n%s", status.body)
	}
	ph := h.get(c, img[1])
	if ph.status != http.StatusOK || ph.header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(ph.header.Get("Content-Disposition"), "inline") {
		t.Fatalf("photo: status %d, headers %v", ph.status, ph.header)
	}

	// The Shopify order tells the story.
	snap, ok := h.shop.OrderByName("#1001")
	if !ok {
		t.Fatal("demo store has no #1001")
	}
	wantLine := "Return " + code[1] + " requested: 1 × Linen tea towel — damaged, wants a replacement"
	if !strings.Contains(snap.Note, wantLine) {
		t.Errorf("order note %q does not contain %q", snap.Note, wantLine)
	}
	if !contains(snap.Tags, "returns:requested") {
		t.Errorf("order tags %v lack returns:requested", snap.Tags)
	}

	// Another order's session sees none of it, exactly as for a return that does not exist.
	other := h.client()
	h.lookup(other, "1002", "sam.taylor@example.com")
	for _, path := range []string{"/returns/" + code[1], img[1], "/returns/" + code[1] + "/confirmation"} {
		if a := h.get(other, path); a.status != http.StatusNotFound {
			t.Errorf("other order's session, %s: status %d, want 404", path, a.status)
		}
	}
	if a := h.get(h.client(), img[1]); a.status != http.StatusNotFound {
		t.Errorf("no session, photo: status %d, want 404", a.status)
	}
	if a := h.get(other, "/returns/R-ZZZZZZZZ"); a.status != http.StatusNotFound {
		t.Errorf("unknown return: status %d", a.status)
	}
	if a := h.postForm(other, "/returns/"+code[1]+"/cancel", url.Values{"confirm": {"yes"}}); a.status != http.StatusNotFound {
		t.Errorf("other order's session cancelling: status %d, want 404", a.status)
	}

	// The token in an email opens the return in a fresh browser, then the clean URL.
	fresh := h.client()
	tok := h.get(fresh, "/returns/"+code[1]+"?t="+h.linkToken(code[1]))
	if tok.status != http.StatusSeeOther || tok.header.Get("Location") != "/returns/"+code[1] || tok.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("token link: status %d, headers %v", tok.status, tok.header)
	}
	if a := h.get(fresh, "/returns/"+code[1]); a.status != http.StatusOK {
		t.Fatalf("after token trade: status %d", a.status)
	}
	if a := h.get(h.client(), "/returns/"+code[1]+"?t="+strings.Repeat("0", 32)); a.status != http.StatusNotFound {
		t.Fatalf("wrong token: status %d, want 404", a.status)
	}

	// The customer cancels while it is still requested; then the units are free again.
	if a := h.postForm(c, "/returns/"+code[1]+"/cancel", url.Values{"confirm": {"yes"}}); a.status != http.StatusSeeOther {
		t.Fatalf("cancel: status %d\n%s", a.status, a.body)
	}
	if a := h.postForm(c, "/returns/"+code[1]+"/cancel", url.Values{"confirm": {"yes"}}); a.status != http.StatusConflict {
		t.Fatalf("cancel twice: status %d, want 409", a.status)
	}
	_, lines = h.orderForm(c)
	if lines["Linen tea towel"] == "" {
		t.Fatal("after cancelling, the towel cannot be chosen again")
	}
}

func TestFinalSaleAndIneligibleLinesCannotBeChosen(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		order, email string
		choosable    []string
		notChoosable []string
	}{
		{"1002", "sam.taylor@example.com", []string{"Wool scarf"}, []string{"Sale socks"}},
		{"1003", "sam.taylor@example.com", nil, []string{"Canvas tote"}},
		{"1004", "anna.berzina@example.lv", nil, []string{"Wool blanket"}},
	} {
		t.Run(tc.order, func(t *testing.T) {
			c := h.client()
			h.lookup(c, tc.order, tc.email)
			_, lines := h.orderForm(c)
			for _, title := range tc.choosable {
				if lines[title] == "" {
					t.Errorf("%s cannot be chosen", title)
				}
			}
			for _, title := range tc.notChoosable {
				if lines[title] != "" {
					t.Errorf("%s can be chosen", title)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestWritebackFailureKeepsTheReturn: Shopify fails while the order is being
// annotated; the return is stored all the same, the failure is on its timeline,
// and the retry writes the note once.
func TestWritebackFailureKeepsTheReturn(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	key, lines := h.orderForm(c)
	scarf := lines["Wool scarf"]

	// The submission's read of the order goes through; every write fails.
	h.shop.FailMutations(100, http.StatusServiceUnavailable)
	a := h.postMultipart(c, "/order/returns", []part{
		field("key", key), field("kind", "dissatisfied"), field("reason", "doesnt_fit"),
		field("line", scarf), field("qty-"+scarf, "1"),
	})
	if a.status != http.StatusSeeOther {
		t.Fatalf("submit while Shopify fails writes: status %d, want the confirmation\n%s", a.status, a.body)
	}
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatalf("the return was not stored: %v", err)
	}
	events, err := h.store.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !hasEvent(events, returns.EventShopifyDeferred) {
		t.Fatalf("timeline %+v has no deferred write-back", events)
	}
	if snap, _ := h.shop.OrderByName("#1002"); strings.Contains(snap.Note, code) {
		t.Fatal("the note was written although every write failed")
	}

	// Shopify is back; the retry (due after its backoff) writes the note once.
	h.shop.FailMutations(0, 0)
	h.deps.Now = func() time.Time { return time.Now().Add(time.Hour) }
	h.rebuild()
	h.app.Writer.Flush(ctx)
	h.app.Writer.Flush(ctx)
	snap, _ := h.shop.OrderByName("#1002")
	if n := strings.Count(snap.Note, "Return "+code+" requested"); n != 1 {
		t.Fatalf("note has the line %d times, want once: %q", n, snap.Note)
	}
	if !contains(snap.Tags, "returns:requested") {
		t.Fatalf("tags %v", snap.Tags)
	}
	events, _ = h.store.Events(ctx, r.ID)
	if !hasEvent(events, returns.EventShopifyUpdated) {
		t.Fatalf("timeline %+v does not record the write-back", events)
	}
}

func hasEvent(evs []returns.Event, typ returns.EventType) bool {
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}
