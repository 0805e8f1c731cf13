package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkStatusPage serves a customer's status page in process, with the
// session cookie a browser would send: the portal's own cost for its most viewed
// page, without the network (docs/BENCHMARKS.md has the load test).
func BenchmarkStatusPage(b *testing.B) {
	h := newHarness(b, nil)
	code := h.dissatisfiedScarf()
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	req := httptest.NewRequest("GET", "/returns/"+code, nil)
	for _, ck := range c.Jar.Cookies(mustURL(h.srv.URL)) {
		req.AddCookie(ck)
	}
	srv := h.srv.Config.Handler
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
