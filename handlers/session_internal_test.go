package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestVerifiedCookieKeptNoLongerThanItLives: a customer cookie that verified is
// kept decoded, but never past its own Max-Age: one signed 1 h 59 min 30 s ago
// is kept for 30 s, not a minute.
func TestVerifiedCookieKeptNoLongerThanItLives(t *testing.T) {
	store := newSessionStore([][]byte{[]byte("session-key-0123456789-0123456789-abcdef")}, false)
	rec := httptest.NewRecorder()
	want := customerSession{OrderID: "gid://shopify/Order/1001", OrderName: "#1001", OrderLocale: "lv"}
	if err := store.setCustomer(rec, httptest.NewRequest("GET", "/", nil), want); err != nil {
		t.Fatal(err)
	}
	ck := rec.Result().Cookies()[0]
	signed, ok := cookieSignedAt(ck.Value)
	if !ok || time.Since(signed) > time.Minute || time.Since(signed) < -time.Minute {
		t.Fatalf("cookieSignedAt = %v, %v; want about now", signed, ok)
	}
	req := httptest.NewRequest("GET", "/order", nil)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	if got := store.customer(req); got != want {
		t.Fatalf("customer = %+v, want %+v", got, want)
	}
	e, ok := store.verified.m[ck.Value]
	if !ok || e.until.After(time.Now().Add(verifiedFor)) {
		t.Fatalf("kept %+v, %v; want until at most a minute from now", e, ok)
	}

	// The limit by age: the entry of a cookie about to expire runs out with it.
	var v verifiedCookies
	now := time.Now()
	v.put("x", want, now.Add(30*time.Second))
	if _, ok := v.get("x", now.Add(29*time.Second)); !ok {
		t.Error("not kept within its time")
	}
	if _, ok := v.get("x", now.Add(31*time.Second)); ok {
		t.Error("kept past its time")
	}
	if _, ok := cookieSignedAt("not base64 |||"); ok {
		t.Error("a value of another format has a signing time")
	}
}
