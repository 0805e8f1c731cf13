package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// badText is hostile free text: each kind, given the field's length limit.
// None holds a space, so that a field refusing spaces still has to notice.
var badText = []struct {
	name  string
	value func(max int) string
	want  string // what the generic text check says
}{
	{"over-long", func(max int) string { return strings.Repeat("é", max+1) }, "at most"},
	{"not UTF-8", func(int) string { return "Torn\xff\xfeseam" }, "cannot read"},
	{"control characters", func(int) string { return "Torn\x00\x1b[31mseam\x07" }, "control characters"},
	{"bidi override", func(int) string { return "Torn\u202eseam" }, "invisible formatting"},
}

// TestStaffTextFieldsRefuseBadText: every free-text field staff fill in —
// approval message, decline reason, note, the settings, a replacement's
// carrier and tracking — refuses over-long, non-UTF-8, control and bidi text
// with a clear message on the form, never a 500, and changes nothing; a form
// beyond the size limit is refused as unreadable.
func TestStaffTextFieldsRefuseBadText(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	c := h.staff("kim@example.com")
	requested := h.dissatisfiedScarf()
	approved := h.damagedTowel()
	if a := h.action(c, approved, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	settings := url.Values{
		"return_address": {"Returns, Elizabetes iela 2, Rīga"}, "window_days": {"30"}, "non_returnable_tag": {"final-sale"},
		"instructions_en": {"Pack it well."}, "instructions_lv": {"Iepakojiet rūpīgi."}, "staff_email": {"shop@example.com"},
	}
	if a := h.postForm(c, "/admin/settings", settings); a.status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", a.status, a.body)
	}
	saved, _ := h.app.Settings.Settings(ctx)
	ship := url.Values{"carrier": {"other"}, "carrier_name": {"Omniva"}, "number": {"CC123456789EE"}, "tracking_url": {"https://www.omniva.ee/track"}}

	for _, f := range []struct {
		field, path string
		base        url.Values
		max         int
		want        string // the field's own message, when it has one instead of the generic ones
	}{
		{"message", "/admin/returns/" + requested + "/approve", nil, 2000, ""},
		{"reason", "/admin/returns/" + requested + "/decline", nil, 2000, ""},
		{"note", "/admin/returns/" + requested + "/note", nil, 2000, ""},
		{"return_address", "/admin/settings", settings, 500, ""},
		{"instructions_en", "/admin/settings", settings, 4000, ""},
		{"instructions_lv", "/admin/settings", settings, 4000, ""},
		{"non_returnable_tag", "/admin/settings", settings, 255, "Enter one product tag"},
		{"staff_email", "/admin/settings", settings, 254, "Enter a valid email address"},
		{"carrier_name", "/admin/returns/" + approved + "/ship", ship, 64, "name."},
		{"tracking_url", "/admin/returns/" + approved + "/ship", ship, 500, "Enter the tracking page"},
	} {
		for _, bad := range badText {
			t.Run(f.field+"/"+bad.name, func(t *testing.T) {
				v := url.Values{}
				for k, vs := range f.base {
					v[k] = vs
				}
				v.Set(f.field, bad.value(f.max))
				a := h.postForm(c, f.path, v)
				want := bad.want
				if f.want != "" {
					want = f.want
				}
				if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, want) {
					t.Errorf("status %d, want 422 saying %q\n%s", a.status, want, a.body)
				}
			})
		}
		t.Run(f.field+"/beyond the form limit", func(t *testing.T) {
			v := url.Values{}
			for k, vs := range f.base {
				v[k] = vs
			}
			v.Set(f.field, strings.Repeat("x", 70<<10))
			a := h.postForm(c, f.path, v)
			if a.status != http.StatusBadRequest || !strings.Contains(a.body, "could not be read") {
				t.Errorf("status %d, want 400 saying the form could not be read", a.status)
			}
		})
	}

	if st := h.returnStatus(requested); st != returns.StatusRequested {
		t.Errorf("status %s after refused actions", st)
	}
	if st := h.returnStatus(approved); st != returns.StatusApproved {
		t.Errorf("status %s after refused shipments", st)
	}
	r, _ := h.store.ReturnByCode(ctx, requested)
	if evs, _ := h.store.Events(ctx, r.ID); hasEvent(evs, returns.EventNote) {
		t.Error("a refused note was stored")
	}
	now, _ := h.app.Settings.Settings(ctx)
	now.UpdatedAt, saved.UpdatedAt = time.Time{}, time.Time{}
	if now.ReturnAddress != saved.ReturnAddress || now.InstructionsEN != saved.InstructionsEN || now.InstructionsLV != saved.InstructionsLV ||
		now.NonReturnableTag != saved.NonReturnableTag || now.StaffEmail != saved.StaffEmail {
		t.Errorf("settings changed by refused forms: %+v", now)
	}
}

// TestTrackingNumberRefusesBadText: the tracking number goes into the
// customer's page and email and the Shopify order's note, so it must be
// readable text like every other field.
func TestTrackingNumberRefusesBadText(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	for _, bad := range badText {
		a := h.action(c, code, "ship", url.Values{"carrier": {"dpd"}, "number": {bad.value(64)}})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Enter the tracking number") {
			t.Errorf("%s: status %d, want 422 asking for the tracking number", bad.name, a.status)
		}
	}
	if st := h.returnStatus(code); st != returns.StatusApproved {
		t.Errorf("status %s after refused shipments", st)
	}
}

// TestStaffEmailRefusesInvisibleCharacters: the staff address becomes every
// customer email's Reply-To, so an address that reads differently from what it
// is must be refused like bidi text anywhere else.
func TestStaffEmailRefusesInvisibleCharacters(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	for _, email := range []string{"shop\u202e@example.com", "sh\u200bop@example.com", "shop@exa\u202emple.com"} {
		a := h.postForm(c, "/admin/settings", url.Values{"return_address": {"Returns, Rīga"}, "window_days": {"30"}, "staff_email": {email}})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Enter a valid email address") {
			t.Errorf("%q: status %d, want 422", email, a.status)
		}
	}
}

// TestStaffTextIsShownEscaped: markup in what staff write reaches pages as text.
func TestStaffTextIsShownEscaped(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	const markup = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	h.action(c, code, "note", url.Values{"note": {"Note " + markup}})
	if a := h.action(c, code, "decline", url.Values{"reason": {"Reason " + markup}}); a.status != http.StatusSeeOther {
		t.Fatalf("decline: %d", a.status)
	}
	cust := h.client()
	h.lookup(cust, "1002", "sam.taylor@example.com")
	for who, page := range map[string]answer{"staff": h.get(c, "/admin/returns/"+code), "customer": h.get(cust, "/returns/"+code)} {
		if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<img src=x") {
			t.Errorf("%s page shows staff markup unescaped", who)
		}
		if !strings.Contains(page.body, "Reason &lt;img src=x") {
			t.Errorf("%s page lacks the escaped reason", who)
		}
	}
}

// TestBadInputElsewhereIsNeverA500: the lookup, the emailed links, sign-in and
// queue search take hostile text without an internal error.
func TestBadInputElsewhereIsNeverA500(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	long := strings.Repeat("é", 5000)
	for _, v := range []string{long, "1001\xff\xfe", "1001\x00\x1b", "\u202e1001", "#１００１"} {
		for _, tc := range []struct {
			name string
			a    answer
			want int
		}{
			{"lookup order", h.postForm(h.client(), "/", url.Values{"order": {v}, "email": {"anna.berzina@example.lv"}}), http.StatusUnprocessableEntity},
			{"lookup email", h.postForm(h.client(), "/", url.Values{"order": {"1001"}, "email": {v + "@example.lv"}}), http.StatusUnprocessableEntity},
			{"start link", h.get(h.client(), "/start?"+url.Values{"order": {v}, "email": {v}, "sig": {v}}.Encode()), http.StatusUnprocessableEntity},
			{"link request order", h.postForm(h.client(), "/link", url.Values{"order": {v}, "email": {"anna.berzina@example.lv"}}), http.StatusOK},
			{"link request email", h.postForm(h.client(), "/link", url.Values{"order": {"1001"}, "email": {v + "@example.lv"}}), http.StatusOK},
			{"link token", h.get(h.client(), "/link?"+url.Values{"t": {v}}.Encode()), http.StatusGone},
			{"link open", h.postForm(h.client(), "/link/open", url.Values{"t": {v}}), http.StatusGone},
			{"sign-in email", h.postForm(h.client(), "/admin/login", url.Values{"email": {v}, "password": {staffPassword}}), http.StatusUnauthorized},
			{"sign-in password", h.postForm(h.client(), "/admin/login", url.Values{"email": {"kim@example.com"}, "password": {v}}), http.StatusUnauthorized},
			{"queue search", h.get(staff, "/admin?"+url.Values{"q": {v}, "status": {v}, "before": {v}}.Encode()), http.StatusOK},
			{"outbox filter", h.get(staff, "/admin/outbox?"+url.Values{"status": {v}, "before": {v}}.Encode()), http.StatusOK},
		} {
			if tc.a.status != tc.want {
				t.Errorf("%s %q: status %d, want %d", tc.name, truncateForLog(v), tc.a.status, tc.want)
			}
		}
	}
	// A lookup form beyond the size limit is refused like any failed lookup.
	if a := h.postForm(h.client(), "/", url.Values{"order": {"1001"}, "email": {strings.Repeat("x", 70<<10)}}); a.status != http.StatusBadRequest || !strings.Contains(a.body, "We could not find an order") {
		t.Errorf("oversized lookup: status %d", a.status)
	}
	// The customer's other free-text field, the "other" reason.
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	key, lines := h.orderForm(c)
	scarf := lines["Wool scarf"]
	for _, bad := range badText {
		a := h.postMultipart(c, "/order/returns", []part{
			field("key", key), field("kind", "dissatisfied"), field("reason", "other"), field("other_reason", bad.value(returns.MaxNoteRunes)),
			field("line", scarf), field("qty-"+scarf, "1"),
		})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, bad.want) {
			t.Errorf("other reason %s: status %d, want 422 saying %q", bad.name, a.status, bad.want)
		}
	}
}

func truncateForLog(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
