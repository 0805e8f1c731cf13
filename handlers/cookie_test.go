package handlers_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/returnsportal/returns/handlers"
)

// TestSessionCookieAttributes: both session cookies are HttpOnly, SameSite=Lax,
// Path=/, with a short Max-Age, and Secure (with HSTS) when the portal is
// served over https.
func TestSessionCookieAttributes(t *testing.T) {
	base := newHarness(t, nil)
	if _, err := base.app.Accounts.CreateStaff(t.Context(), "kim@example.com", staffPassword); err != nil {
		t.Fatal(err)
	}
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("Secure=%v", secure), func(t *testing.T) {
			h := base.reconfigured(func(c *handlers.Config) { c.Secure = secure })
			lookup := h.postForm(h.client(), "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
			login := h.postForm(h.client(), "/admin/login", url.Values{"email": {"kim@example.com"}, "password": {staffPassword}})
			for _, tc := range []struct {
				name   string
				header http.Header
				maxAge time.Duration
			}{
				{"portal", lookup.header, 4 * time.Hour},
				{"staff", login.header, 12 * time.Hour},
			} {
				c := cookieNamed(tc.header, tc.name)
				if c == nil {
					t.Fatalf("no %s cookie set", tc.name)
				}
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure {
					t.Errorf("%s cookie: HttpOnly %v, SameSite %v, Path %q, Secure %v", tc.name, c.HttpOnly, c.SameSite, c.Path, c.Secure)
				}
				if age := time.Duration(c.MaxAge) * time.Second; age <= 0 || age > tc.maxAge {
					t.Errorf("%s cookie: Max-Age %v, want up to %v", tc.name, age, tc.maxAge)
				}
			}
			if hsts := lookup.header.Get("Strict-Transport-Security"); (hsts != "") != secure {
				t.Errorf("Strict-Transport-Security %q with Secure=%v", hsts, secure)
			}
			lang := cookieNamed(h.get(h.client(), "/?lang=lv").header, "lang")
			if lang == nil || !lang.HttpOnly || lang.SameSite != http.SameSiteLaxMode || lang.Secure != secure {
				t.Errorf("lang cookie: %+v", lang)
			}
		})
	}
}

// TestTamperedCookieIsNoSession: a session cookie with any byte changed, cut
// short or made up proves nothing, and never makes an error page.
func TestTamperedCookieIsNoSession(t *testing.T) {
	h := newHarness(t, nil)
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	staff := h.staff("kim@example.com")
	for _, tc := range []struct {
		cookie  *http.Cookie
		path    string
		refused string // where a refused session is sent
	}{
		{h.sessionCookie(cust, "portal"), "/order", "/"},
		{h.sessionCookie(staff, "staff"), "/admin", "/admin/login?next=%2Fadmin"},
	} {
		t.Run(tc.cookie.Name, func(t *testing.T) {
			if a := h.get(h.withCookie(tc.cookie), tc.path); a.status != http.StatusOK {
				t.Fatalf("the untouched cookie: status %d", a.status)
			}
			v := tc.cookie.Value
			variants := map[string]string{
				"cut short":  v[:len(v)/2],
				"empty":      "",
				"made up":    base64.URLEncoding.EncodeToString([]byte("1700000000|bm90IGEgc2Vzc2lvbg==|" + string(make([]byte, 32)))),
				"not base64": "%%%" + v,
			}
			for _, i := range []int{0, 12, len(v) / 2, len(v) - 5} {
				variants[fmt.Sprintf("byte %d flipped", i)] = flip(v, i)
			}
			for name, value := range variants {
				a := h.get(h.withCookie(&http.Cookie{Name: tc.cookie.Name, Value: value}), tc.path)
				if a.status != http.StatusSeeOther || a.header.Get("Location") != tc.refused {
					t.Errorf("%s: status %d location %q, want a redirect to %s", name, a.status, a.header.Get("Location"), tc.refused)
				}
			}
		})
	}
}

// flip changes the base64 character at i into another one.
func flip(v string, i int) string {
	b := []byte(v)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// resign returns a cookie value the server issued signed again as if at at:
// the encrypted session stays as it is, the timestamp and its MAC change. This
// is how a cookie the server made long ago looks.
func resign(t *testing.T, name, value string, hashKey []byte, at time.Time) string {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(raw, []byte("|"), 3) // date|value|mac
	if len(parts) != 3 {
		t.Fatalf("cookie %q is not date|value|mac", raw)
	}
	mac := hmac.New(sha256.New, hashKey)
	fmt.Fprintf(mac, "%s|%d|%s", name, at.Unix(), parts[1])
	return base64.URLEncoding.EncodeToString(fmt.Appendf(nil, "%d|%s|%s", at.Unix(), parts[1], mac.Sum(nil)))
}

// TestExpiredCookieIsRefused: a cookie older than its Max-Age is refused by its
// signature's age, even while the session it names is still valid on the
// server (staff) or the order is still there (customers).
func TestExpiredCookieIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	staff := h.staff("kim@example.com")
	now := time.Now()
	for _, tc := range []struct {
		cookie  *http.Cookie
		purpose string
		path    string
		ok      []time.Duration // ages that are accepted
		expired time.Duration
	}{
		{h.sessionCookie(cust, "portal"), "cookie-hash", "/order", []time.Duration{0, time.Hour}, 2*time.Hour + time.Minute},
		{h.sessionCookie(staff, "staff"), "staff-cookie-hash", "/admin", []time.Duration{0, 11 * time.Hour}, 12*time.Hour + time.Minute},
	} {
		t.Run(tc.cookie.Name, func(t *testing.T) {
			key := cookieKey(sessionSecret, tc.purpose)
			for _, age := range tc.ok {
				// The control: re-signing itself works, so a refusal below is the age.
				v := resign(t, tc.cookie.Name, tc.cookie.Value, key, now.Add(-age))
				if a := h.get(h.withCookie(&http.Cookie{Name: tc.cookie.Name, Value: v}), tc.path); a.status != http.StatusOK {
					t.Fatalf("cookie re-signed %v ago: status %d, want it accepted", age, a.status)
				}
			}
			v := resign(t, tc.cookie.Name, tc.cookie.Value, key, now.Add(-tc.expired))
			if a := h.get(h.withCookie(&http.Cookie{Name: tc.cookie.Name, Value: v}), tc.path); a.status != http.StatusSeeOther {
				t.Errorf("cookie signed %v ago: status %d, want a redirect", tc.expired, a.status)
			}
		})
	}
}

// TestSessionKeyRotation: a cookie signed with a key the server no longer has
// is refused; while the old key is kept as the second one, its cookies still
// work, and new cookies are signed with the new key.
func TestSessionKeyRotation(t *testing.T) {
	base := newHarness(t, nil)
	oldKey, newKey := []byte("old-session-key-0123456789-0123456789"), []byte("new-session-key-0123456789-0123456789")
	before := base.reconfigured(func(c *handlers.Config) { c.SessionKeys = [][]byte{oldKey} })
	rotating := base.reconfigured(func(c *handlers.Config) { c.SessionKeys = [][]byte{newKey, oldKey} })
	retired := base.reconfigured(func(c *handlers.Config) { c.SessionKeys = [][]byte{newKey} })

	cust := before.client()
	before.lookup(cust, "1001", "anna.berzina@example.lv")
	staff := before.staff("kim@example.com")
	oldCookies := []*http.Cookie{before.sessionCookie(cust, "portal"), before.sessionCookie(staff, "staff")}
	paths := map[string]string{"portal": "/order", "staff": "/admin"}

	for _, c := range oldCookies {
		if a := rotating.get(rotating.withCookie(c), paths[c.Name]); a.status != http.StatusOK {
			t.Errorf("%s cookie of the previous key during rotation: status %d, want it accepted", c.Name, a.status)
		}
		if a := retired.get(retired.withCookie(c), paths[c.Name]); a.status != http.StatusSeeOther {
			t.Errorf("%s cookie of a retired key: status %d, want a redirect", c.Name, a.status)
		}
	}

	// What the rotating server issues is signed with the new key.
	cust = rotating.client()
	rotating.lookup(cust, "1001", "anna.berzina@example.lv")
	login := rotating.postForm(rotating.client(), "/admin/login", url.Values{"email": {"kim@example.com"}, "password": {staffPassword}})
	for _, c := range []*http.Cookie{rotating.sessionCookie(cust, "portal"), cookieNamed(login.header, "staff")} {
		if c == nil {
			t.Fatal("no cookie from the rotating server")
		}
		if a := retired.get(retired.withCookie(c), paths[c.Name]); a.status != http.StatusOK {
			t.Errorf("%s cookie issued during rotation, after the old key is retired: status %d", c.Name, a.status)
		}
	}
}
