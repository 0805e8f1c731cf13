package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestAnotherOrdersReturnLooksLikeNoReturn: a session that proved order #1002
// asks for everything of a return of #1001 — its page, confirmation, photo, a
// cancel, its token on another URL — and gets exactly the 404 a return that
// does not exist gets; nothing changes.
func TestAnotherOrdersReturnLooksLikeNoReturn(t *testing.T) {
	h := newHarness(t, nil)
	// B: a damaged towel on #1001, with a photo.
	owner := h.client()
	h.lookup(owner, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(owner)
	towel := lines["Linen tea towel"]
	a := h.postMultipart(owner, "/order/returns", []part{
		field("key", key), field("kind", "damaged"), field("description", "Torn."), field("resolution", "refund"),
		field("line", towel), field("qty-"+towel, "1"),
		{name: "photos", filename: "towel.jpg", data: jpegBytes(t, 64, 48)},
	})
	theirs := returnCodeRe.FindString(a.header.Get("Location"))
	if a.status != http.StatusSeeOther || theirs == "" {
		t.Fatalf("submit: %d", a.status)
	}
	page := h.get(owner, "/returns/"+theirs)
	m := regexp.MustCompile(`/returns/` + theirs + `/photos/(\d+)`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no photo on the owner's page")
	}
	theirPhoto := m[1]

	// A: the scarf on #1002, seen by its own session.
	mine := h.dissatisfiedScarf()
	other := h.client()
	h.lookup(other, "1002", "sam.taylor@example.com")
	if a := h.get(other, "/returns/"+mine); a.status != http.StatusOK {
		t.Fatalf("own return: %d", a.status)
	}
	unknown := returns.NewReturnCode()

	// same reports whether two answers are the same but for the code in the URL.
	same := func(a, b answer, codeA, codeB string) bool {
		return a.status == b.status && strings.ReplaceAll(a.body, codeA, "CODE") == strings.ReplaceAll(b.body, codeB, "CODE")
	}
	for _, tc := range []struct {
		name        string
		method, url string // with CODE for the return
	}{
		{"status page", "GET", "/returns/CODE"},
		{"confirmation", "GET", "/returns/CODE/confirmation"},
		{"photo", "GET", "/returns/CODE/photos/" + theirPhoto},
		{"cancel asked", "GET", "/returns/CODE/cancel"},
		{"cancel", "POST", "/returns/CODE/cancel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ask := func(c *http.Client, code string) answer {
				req, _ := http.NewRequest(tc.method, h.srv.URL+strings.ReplaceAll(tc.url, "CODE", code), nil)
				if tc.method == "POST" {
					req, _ = http.NewRequest(tc.method, h.srv.URL+strings.ReplaceAll(tc.url, "CODE", code), strings.NewReader("confirm=yes"))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				return h.do(c, req)
			}
			want := ask(other, unknown)
			if want.status != http.StatusNotFound {
				t.Fatalf("unknown return: status %d, want 404", want.status)
			}
			if got := ask(other, theirs); !same(got, want, theirs, unknown) {
				t.Errorf("another order's return: status %d, and the page differs from an unknown return's:\n%s", got.status, got.body)
			}
			if got := ask(h.client(), theirs); !same(got, ask(h.client(), unknown), theirs, unknown) {
				t.Errorf("no session: status %d, and the page differs from an unknown return's", got.status)
			}
		})
	}

	// B's photo id under A's own return is no photo either.
	noPhoto := h.get(other, "/returns/"+mine+"/photos/999999")
	got := h.get(other, "/returns/"+mine+"/photos/"+theirPhoto)
	if got.status != http.StatusNotFound || strings.ReplaceAll(got.body, "/photos/"+theirPhoto, "/photos/ID") != strings.ReplaceAll(noPhoto.body, "/photos/999999", "/photos/ID") {
		t.Errorf("another return's photo id under one's own return: status %d, or a page unlike a missing photo's", got.status)
	}
	// So is it for staff: a photo is reached through its own return only.
	staff := h.staff("kim@example.com")
	if got := h.get(staff, "/admin/returns/"+mine+"/photos/"+theirPhoto); got.status != http.StatusNotFound {
		t.Errorf("staff, another return's photo id: status %d, want 404", got.status)
	}
	if got := h.get(staff, "/admin/returns/"+theirs+"/photos/"+theirPhoto); got.status != http.StatusOK {
		t.Errorf("staff, the photo under its return: status %d", got.status)
	} else if cc := got.header.Get("Cache-Control"); cc != "no-store" {
		// A shared computer's cache must not keep it after sign-out.
		t.Errorf("staff photo Cache-Control %q, want no-store", cc)
	}

	// B's access token on A's URL opens nothing and proves nothing.
	fresh := h.client()
	if got := h.get(fresh, "/returns/"+mine+"?t="+h.linkToken(theirs)); got.status != http.StatusNotFound {
		t.Errorf("token of another return: status %d, want 404", got.status)
	}
	if got := h.get(fresh, "/returns/"+theirs); got.status != http.StatusNotFound {
		t.Errorf("after a mismatched token, the token's return opens: %d", got.status)
	}

	if st := h.returnStatus(theirs); st != returns.StatusRequested {
		t.Errorf("B's return is %s after A's cancel", st)
	}
}

// TestCustomerSessionIsNoStaffSession: a customer's session opens no backoffice
// page and carries out no action, not even with its cookie under the staff
// cookie's name.
func TestCustomerSessionIsNoStaffSession(t *testing.T) {
	h := newHarness(t, nil)
	code := h.damagedTowel()
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	portal := h.sessionCookie(cust, "portal")
	renamed := h.withCookie(&http.Cookie{Name: "staff", Value: portal.Value})

	for name, c := range map[string]*http.Client{"customer session": cust, "customer cookie as staff cookie": renamed} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/admin", "/admin/returns/" + code, "/admin/settings", "/admin/outbox", "/admin/returns/" + code + "/photos/1"} {
				a := h.get(c, path)
				if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/admin/login") {
					t.Errorf("GET %s: status %d location %q, want the sign-in form", path, a.status, a.header.Get("Location"))
				}
			}
			for _, tc := range []struct {
				path string
				v    url.Values
			}{
				{"/admin/returns/" + code + "/approve", url.Values{"message": {"ok"}}},
				{"/admin/returns/" + code + "/decline", url.Values{"reason": {"no"}}},
				{"/admin/returns/" + code + "/note", url.Values{"note": {"customer wrote this"}}},
				{"/admin/settings", url.Values{"return_address": {"Elsewhere 1"}, "window_days": {"365"}}},
			} {
				if a := h.postForm(c, tc.path, tc.v); a.status != http.StatusForbidden {
					t.Errorf("POST %s: status %d, want 403", tc.path, a.status)
				}
			}
		})
	}
	if st := h.returnStatus(code); st != returns.StatusRequested {
		t.Fatalf("status %s after a customer's staff actions", st)
	}
	r, _ := h.store.ReturnByCode(context.Background(), code)
	if evs, _ := h.store.Events(context.Background(), r.ID); hasEvent(evs, returns.EventNote) {
		t.Fatal("a customer added a staff note")
	}
	if st, _ := h.app.Settings.Settings(context.Background()); st.ReturnAddress == "Elsewhere 1" {
		t.Fatal("a customer changed the settings")
	}
}

// TestDisabledStaffCanDoNothing: once an account is disabled, its session opens
// no page and carries out no action, and enabling the account again does not
// bring the old session back.
func TestDisabledStaffCanDoNothing(t *testing.T) {
	h := newHarness(t, nil)
	code := h.dissatisfiedScarf()
	c := h.staff("kim@example.com")
	key := returns.NewToken()
	ctx := context.Background()
	if err := h.app.Accounts.SetStaffDisabled(ctx, "kim@example.com", true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		action string
		v      url.Values
	}{
		{"approve", nil},
		{"decline", url.Values{"reason": {"No."}}},
		{"note", url.Values{"note": {"Written by a disabled account."}}},
		{"refund", url.Values{"amount": {"10.00"}, "key": {key}}},
	} {
		if a := h.action(c, code, tc.action, tc.v); a.status != http.StatusForbidden {
			t.Errorf("%s by a disabled account: status %d, want 403", tc.action, a.status)
		}
	}
	if a := h.postForm(c, "/admin/settings", url.Values{"return_address": {"Elsewhere 1"}, "window_days": {"365"}}); a.status != http.StatusForbidden {
		t.Errorf("settings by a disabled account: status %d, want 403", a.status)
	}
	for _, path := range []string{"/admin/returns/" + code, "/admin/outbox", "/admin/settings"} {
		if a := h.get(c, path); a.status != http.StatusSeeOther {
			t.Errorf("GET %s by a disabled account: status %d", path, a.status)
		}
	}
	if err := h.app.Accounts.SetStaffDisabled(ctx, "kim@example.com", false); err != nil {
		t.Fatal(err)
	}
	if a := h.get(c, "/admin"); a.status != http.StatusSeeOther {
		t.Errorf("the session of before the account was disabled works again after enabling it: %d", a.status)
	}

	if st := h.returnStatus(code); st != returns.StatusRequested {
		t.Errorf("status %s", st)
	}
	r, _ := h.store.ReturnByCode(ctx, code)
	if evs, _ := h.store.Events(ctx, r.ID); hasEvent(evs, returns.EventNote) {
		t.Error("a disabled account added a note")
	}
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 0 {
		t.Error("a disabled account made a refund")
	}
}
