package handlers_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
)

// stateChangingRoutes returns every route of the URL table that is not a GET:
// a route added there is covered here without anyone remembering to add it.
func stateChangingRoutes(t *testing.T) [][2]string {
	t.Helper()
	var out [][2]string
	for _, p := range handlers.RoutePatterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			continue
		}
		switch method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			out = append(out, [2]string{method, path})
		}
	}
	if len(out) < 10 {
		t.Fatalf("found %d state-changing routes in the URL table: the scan is broken", len(out))
	}
	return out
}

// TestCrossSiteRequestsAreRefusedEverywhere posts to every state-changing route
// as a page of another site would, from a browser signed in as staff and holding
// a customer's session: each answer is 403, and nothing changes.
func TestCrossSiteRequestsAreRefusedEverywhere(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	h.lookup(c, "1002", "sam.taylor@example.com")
	code := h.dissatisfiedScarf()
	ctx := context.Background()
	outbox := func() int {
		ms, err := h.store.OutboxMessages(ctx, "", 0, 500)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	queued := outbox()
	params := regexp.MustCompile(`\{[a-z]+\}`)
	for _, route := range stateChangingRoutes(t) {
		path := strings.TrimSuffix(route[1], "{$}")
		path = params.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{code}" {
				return code
			}
			return "1"
		})
		for _, hdr := range []struct{ k, v string }{
			{"Sec-Fetch-Site", "cross-site"},
			{"Origin", "https://evil.example"},
		} {
			t.Run(route[0]+" "+route[1]+" "+hdr.k, func(t *testing.T) {
				req, _ := http.NewRequest(route[0], h.srv.URL+path, strings.NewReader("order=1002&email=sam.taylor%40example.com&message=hi&reason=no&amount=1.00&note=x"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set(hdr.k, hdr.v)
				a := h.do(c, req)
				if a.status != http.StatusForbidden || !strings.Contains(a.body, "sent from another site") {
					t.Errorf("status %d, want 403 with the cross-site page\n%s", a.status, a.body)
				}
			})
		}
	}
	if st := h.returnStatus(code); st != returns.StatusRequested {
		t.Errorf("the return is %s after the cross-site requests", st)
	}
	if n := outbox(); n != queued {
		t.Errorf("the outbox went from %d to %d messages", queued, n)
	}
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 0 {
		t.Errorf("refunds at the demo store: %+v", snap.Refunds)
	}
	// The same request from the portal's own page goes through: the refusal
	// above is the origin check, not something else.
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Errorf("same-site approve: status %d", a.status)
	}
}
