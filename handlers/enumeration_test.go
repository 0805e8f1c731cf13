package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns/handlers"
)

// TestLookupFailuresAnswerAlikeOverManyTries: a wrong email for a real order and
// an order that does not exist give the same status and page on every try, and
// take the same time: their median durations over 40 tries each differ by less
// than a few milliseconds, so timing does not tell which order numbers exist.
func TestLookupFailuresAnswerAlikeOverManyTries(t *testing.T) {
	const tries = 40
	// tolerance is generous: the property is "no extra Shopify call or hash for
	// one of them", which would show as a whole round trip, not a hair.
	const tolerance = 5 * time.Millisecond
	h := newHarness(t, nil)
	c := h.client()
	wrongEmail := url.Values{"order": {"1001"}, "email": {"sam.taylor@example.com"}}
	unknownOrder := url.Values{"order": {"9999"}, "email": {"sam.taylor@example.com"}}
	// Warm up connections and caches before timing.
	h.postForm(c, "/", wrongEmail)
	h.postForm(c, "/", unknownOrder)

	var want string
	durations := map[string][]time.Duration{}
	for i := 0; i < tries; i++ {
		order := []string{"wrong email", "unknown order"}
		if i%2 == 1 {
			order = []string{"unknown order", "wrong email"} // neither always goes first
		}
		for _, name := range order {
			v := wrongEmail
			if name == "unknown order" {
				v = unknownOrder
			}
			start := time.Now()
			a := h.postForm(c, "/", v)
			durations[name] = append(durations[name], time.Since(start))
			if a.status != http.StatusUnprocessableEntity {
				t.Fatalf("%s, try %d: status %d, want 422", name, i+1, a.status)
			}
			body := valueAttrs.ReplaceAllString(a.body, "")
			if want == "" {
				want = body
			}
			if body != want {
				t.Fatalf("%s, try %d: the page differs from the first failed lookup's", name, i+1)
			}
		}
	}
	a, b := median(durations["wrong email"]), median(durations["unknown order"])
	t.Logf("median lookup: wrong email %v, unknown order %v", a, b)
	if d := a - b; d > tolerance || -d > tolerance {
		t.Errorf("median lookup times differ by %v (wrong email %v, unknown order %v), want under %v", d.Abs(), a, b, tolerance)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestRateLimitedLookupsRevealNothing: over the limit, the right email, a wrong
// one, an unknown and a malformed order all get the same 429 page with a
// Retry-After; the right one proves no order, and Shopify is not asked.
func TestRateLimitedLookupsRevealNothing(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 3, PerIPHour: 100, PerOrderHour: 100})
	c := h.client()
	for i := 0; i < 3; i++ {
		if a := h.postForm(c, "/", url.Values{"order": {"9999"}, "email": {"x@example.com"}}); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("try %d within the limit: status %d", i+1, a.status)
		}
	}
	calls := h.shop.Calls()
	var want string
	for i := 0; i < 5; i++ {
		for name, v := range map[string]url.Values{
			"right email":     {"order": {"1001"}, "email": {"anna.berzina@example.lv"}},
			"wrong email":     {"order": {"1001"}, "email": {"sam.taylor@example.com"}},
			"unknown order":   {"order": {"9999"}, "email": {"sam.taylor@example.com"}},
			"malformed order": {"order": {"1001; drop"}, "email": {"anna.berzina@example.lv"}},
		} {
			a := h.postForm(c, "/", v)
			if a.status != http.StatusTooManyRequests {
				t.Fatalf("%s over the limit: status %d, want 429", name, a.status)
			}
			if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
				t.Errorf("%s: Retry-After %q, want seconds up to a minute", name, a.header.Get("Retry-After"))
			}
			if cookieNamed(a.header, "portal") != nil {
				t.Errorf("%s: a session cookie came with the 429", name)
			}
			body := valueAttrs.ReplaceAllString(a.body, "")
			if want == "" {
				want = body
				if !strings.Contains(body, "Too many attempts") {
					t.Fatalf("429 page without its message:\n%s", body)
				}
			}
			if body != want {
				t.Errorf("%s: the 429 page differs:\n%s", name, body)
			}
		}
	}
	if a := h.get(c, "/order"); a.status != http.StatusSeeOther {
		t.Errorf("order page after rate-limited lookups: status %d, want a redirect", a.status)
	}
	if n := h.shop.Calls() - calls; n != 0 {
		t.Errorf("%d Shopify calls for rate-limited lookups, want none", n)
	}
}

// TestLookupLimitsKeyOnTheRightAddress: without TrustFlyClientIP neither
// X-Forwarded-For nor Fly-Client-IP gives a fresh limit; with it, Fly-Client-IP
// is the client (and X-Forwarded-For still is not), a header that is no address
// falls back to the connection's, and the per-order limit holds across
// addresses.
func TestLookupLimitsKeyOnTheRightAddress(t *testing.T) {
	limits := &handlers.LookupLimits{PerIPMinute: 2, PerIPHour: 100, PerOrderHour: 100}
	base := newHarness(t, nil)
	lookup := func(h *harness, order string, hdr map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader(url.Values{"order": {order}, "email": {"x@example.com"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return h.do(h.client(), req).status
	}

	t.Run("untrusted headers", func(t *testing.T) {
		h := base.reconfigured(func(c *handlers.Config) { c.LookupLimits = limits })
		lookup(h, "9999", nil)
		lookup(h, "9999", nil)
		for i, hdr := range []map[string]string{
			{"X-Forwarded-For": "203.0.113.9"},
			{"Fly-Client-IP": "203.0.113.10"},
			{"X-Forwarded-For": "203.0.113.11, 10.0.0.1", "Fly-Client-IP": "203.0.113.12", "X-Real-IP": "203.0.113.13"},
		} {
			if st := lookup(h, "9999", hdr); st != http.StatusTooManyRequests {
				t.Errorf("spoofed headers %d: status %d, want 429", i+1, st)
			}
		}
	})

	t.Run("behind Fly", func(t *testing.T) {
		h := base.reconfigured(func(c *handlers.Config) { c.LookupLimits = limits; c.TrustFlyClientIP = true })
		a := map[string]string{"Fly-Client-IP": "198.51.100.1"}
		lookup(h, "9999", a)
		lookup(h, "9999", a)
		if st := lookup(h, "9999", map[string]string{"Fly-Client-IP": "198.51.100.1", "X-Forwarded-For": "203.0.113.20"}); st != http.StatusTooManyRequests {
			t.Errorf("same Fly-Client-IP, new X-Forwarded-For: status %d, want 429", st)
		}
		if st := lookup(h, "9999", map[string]string{"Fly-Client-IP": "198.51.100.2"}); st != http.StatusUnprocessableEntity {
			t.Errorf("another Fly-Client-IP: status %d, want its own limit (422)", st)
		}
		// Not an address: the connection's address counts, and garbage of every
		// kind shares it.
		lookup(h, "9999", map[string]string{"Fly-Client-IP": "not-an-ip"})
		lookup(h, "9999", map[string]string{"Fly-Client-IP": "999.1.1.1"})
		if st := lookup(h, "9999", map[string]string{"Fly-Client-IP": "also garbage"}); st != http.StatusTooManyRequests {
			t.Errorf("a third malformed Fly-Client-IP: status %d, want 429", st)
		}
	})

	t.Run("per order across addresses", func(t *testing.T) {
		h := base.reconfigured(func(c *handlers.Config) {
			c.LookupLimits = &handlers.LookupLimits{PerIPMinute: 100, PerIPHour: 100, PerOrderHour: 3}
			c.TrustFlyClientIP = true
		})
		for i := 0; i < 3; i++ {
			if st := lookup(h, "#1001", map[string]string{"Fly-Client-IP": "192.0.2." + strconv.Itoa(10+i)}); st != http.StatusUnprocessableEntity {
				t.Fatalf("try %d: status %d", i+1, st)
			}
		}
		// The number in another spelling is the same order.
		if st := lookup(h, " 1001 ", map[string]string{"Fly-Client-IP": "192.0.2.99"}); st != http.StatusTooManyRequests {
			t.Errorf("4th try on #1001 from a 4th address: status %d, want 429", st)
		}
		if st := lookup(h, "1002", map[string]string{"Fly-Client-IP": "192.0.2.99"}); st != http.StatusUnprocessableEntity {
			t.Errorf("another order from that address: status %d, want 422", st)
		}
	})
}
