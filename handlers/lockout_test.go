package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
)

// startLink is the signed link the store's emails carry for an order number
// and email.
func startLink(number, email string) string {
	return "/start?" + url.Values{"order": {number}, "email": {email}, "sig": {returns.LinkSignature(linkSecret, number, email)}}.Encode()
}

// TestSignedLinkIsNeverRateLimited: strangers' wrong lookups use up #1001's
// per-order limit, yet the signed link from the customer's email opens the
// order, every time it is clicked: a verified signature is proof, not a guess.
func TestSignedLinkIsNeverRateLimited(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 1000, PerIPHour: 1000, PerOrderHour: 10})
	stranger := h.client()
	for i := 0; i < 12; i++ {
		a := h.postForm(stranger, "/", url.Values{"order": {"1001"}, "email": {"eve@example.com"}})
		want := http.StatusUnprocessableEntity
		if i >= 10 {
			want = http.StatusTooManyRequests
		}
		if a.status != want {
			t.Fatalf("wrong lookup %d: status %d, want %d", i+1, a.status, want)
		}
	}
	customer := h.client()
	for i := 0; i < 3; i++ {
		a := h.get(customer, startLink("1001", "anna.berzina@example.lv"))
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/order" {
			t.Fatalf("signed link, click %d, after the order's limit was used up: status %d, location %q", i+1, a.status, a.header.Get("Location"))
		}
	}
	if a := h.get(customer, "/order"); a.status != http.StatusOK {
		t.Fatalf("order page after the signed link: status %d", a.status)
	}
}

// TestBadSignatureCountsAsALookup: a start link whose signature does not verify
// is a guess like a typed lookup, and uses up the same limits.
func TestBadSignatureCountsAsALookup(t *testing.T) {
	h := newHarness(t, &handlers.LookupLimits{PerIPMinute: 1000, PerIPHour: 1000, PerOrderHour: 3})
	c := h.client()
	for i := 0; i < 3; i++ {
		q := url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}, "sig": {returns.LinkSignature("another secret", "1001", "anna.berzina@example.lv")}}
		if a := h.get(c, "/start?"+q.Encode()); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad signature %d: status %d, want 422", i+1, a.status)
		}
	}
	a := h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("typed lookup after 3 bad signatures with a limit of 3: status %d, want 429", a.status)
	}
}

// signInServer serves h's service with the default sign-in limits and a Sleep
// that records each wait instead of waiting, or answers with sleepErr.
type signInServer struct {
	h        *harness
	srv      http.Handler
	mu       sync.Mutex
	waits    []time.Duration
	sleepErr error
}

func newSignInServer(t *testing.T) *signInServer {
	t.Helper()
	h := newHarness(t, nil)
	for _, email := range []string{"staff@example.com", "lee@example.com"} {
		if _, err := h.app.Accounts.CreateStaff(context.Background(), email, staffPassword); err != nil {
			t.Fatal(err)
		}
	}
	s := &signInServer{h: h}
	cfg := harnessConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.LoginLimits = nil // the defaults
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.waits = append(s.waits, d)
		return s.sleepErr
	}
	s.srv = handlers.NewServer(cfg, h.app.Services())
	return s
}

// signIn posts the sign-in form from a client address and returns the status.
func (s *signInServer) signIn(ip, email, password string) int {
	req := httptestPost("/admin/login", url.Values{"email": {email}, "password": {password}})
	req.RemoteAddr = ip + ":4000"
	return serve(s.srv, req).Code
}

// waitsSince returns the waits after the first n.
func (s *signInServer) waitsSince(n int) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits[n:])
}

func (s *signInServer) waitCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.waits)
}

// TestFailuresElsewhereNeverStopTheRightPassword: twenty wrong passwords for
// staff@example.com from five addresses, then the right one from a sixth: it
// signs in (after the account's slow-down), where a per-account limit used to
// answer 429.
func TestFailuresElsewhereNeverStopTheRightPassword(t *testing.T) {
	s := newSignInServer(t)
	for i := 0; i < 20; i++ {
		ip := "198.51.100." + strconv.Itoa(1+i%5)
		if st := s.signIn(ip, "staff@example.com", "not the password "+strconv.Itoa(i)); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d from %s: status %d, want 401", i+1, ip, st)
		}
	}
	if st := s.signIn("203.0.113.50", "staff@example.com", staffPassword); st != http.StatusSeeOther {
		t.Fatalf("right password from a new address after 20 failures elsewhere: status %d, want 303", st)
	}
	// A failing address that then gets it right is let in too: it had failed
	// four times, within its limit.
	if st := s.signIn("198.51.100.1", "staff@example.com", staffPassword); st != http.StatusSeeOther {
		t.Fatalf("right password from an address with 4 failures: status %d, want 303", st)
	}
}

// TestGuessingFromOneAddressIsRefused: past its failures on an account, an
// address is refused for that account, the right password too; other addresses
// and other accounts are not.
func TestGuessingFromOneAddressIsRefused(t *testing.T) {
	s := newSignInServer(t)
	limits := handlers.DefaultLoginLimits()
	guesser := "192.0.2.66"
	for i := 0; i < limits.FailuresPerAccountAddress; i++ {
		if st := s.signIn(guesser, "staff@example.com", "guess "+strconv.Itoa(i)); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i+1, st)
		}
	}
	if st := s.signIn(guesser, "staff@example.com", "guess again"); st != http.StatusTooManyRequests {
		t.Fatalf("guess past the address's limit on the account: status %d, want 429", st)
	}
	if st := s.signIn(guesser, "staff@example.com", staffPassword); st != http.StatusTooManyRequests {
		t.Fatalf("right password from the refused address: status %d, want 429", st)
	}
	if st := s.signIn(guesser, "lee@example.com", staffPassword); st != http.StatusSeeOther {
		t.Fatalf("another account from the guessing address: status %d, want 303", st)
	}
	if st := s.signIn("192.0.2.67", "staff@example.com", staffPassword); st != http.StatusSeeOther {
		t.Fatalf("right password from another address: status %d, want 303", st)
	}
}

// TestSignInLimitsPerAddress: one address may try so many sign-ins a minute, on
// any accounts; past them it is refused, and other addresses are not.
func TestSignInLimitsPerAddress(t *testing.T) {
	s := newSignInServer(t)
	limits := handlers.DefaultLoginLimits()
	ip := "192.0.2.80"
	for i := 0; i < limits.PerIPMinute; i++ {
		// A different account each time, so only the address's limit counts.
		if st := s.signIn(ip, "nobody"+strconv.Itoa(i)+"@example.com", "wrong password"); st != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, st)
		}
	}
	if st := s.signIn(ip, "staff@example.com", staffPassword); st != http.StatusTooManyRequests {
		t.Fatalf("attempt past the address's limit: status %d, want 429", st)
	}
	if st := s.signIn("192.0.2.81", "staff@example.com", staffPassword); st != http.StatusSeeOther {
		t.Fatalf("another address: status %d, want 303", st)
	}
}

// TestAccountSlowDownGrowsAndIsCapped: the first failures on an account cost
// nothing; then every attempt waits before its password is checked, twice as
// long after each further failure, up to the cap, whatever the address, and the
// right password waits the same and gets in. A wait cut short by the client
// leaving checks no password.
func TestAccountSlowDownGrowsAndIsCapped(t *testing.T) {
	s := newSignInServer(t)
	limits := handlers.DefaultLoginLimits()
	var want []time.Duration
	d := limits.SlowDownFirst
	for i := 0; i < limits.SlowDownAfter+8; i++ {
		if i < limits.SlowDownAfter {
			want = append(want, 0)
			continue
		}
		want = append(want, min(d, limits.SlowDownMax))
		d *= 2
	}
	var got []time.Duration
	for i := range want {
		before := s.waitCount()
		if st := s.signIn("198.51.100."+strconv.Itoa(10+i), "staff@example.com", "guess "+strconv.Itoa(i)); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i+1, st)
		}
		waited := s.waitsSince(before)
		switch len(waited) {
		case 0:
			got = append(got, 0)
		case 1:
			got = append(got, waited[0])
		default:
			t.Fatalf("guess %d waited %d times", i+1, len(waited))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("waits before each guess = %v, want %v", got, want)
	}
	if got[len(got)-1] != limits.SlowDownMax || got[len(got)-2] != limits.SlowDownMax {
		t.Fatalf("the waits did not reach the cap %v: %v", limits.SlowDownMax, got)
	}

	before := s.waitCount()
	if st := s.signIn("203.0.113.9", "staff@example.com", staffPassword); st != http.StatusSeeOther {
		t.Fatalf("right password on the slowed-down account: status %d, want 303", st)
	}
	if w := s.waitsSince(before); !slices.Equal(w, []time.Duration{limits.SlowDownMax}) {
		t.Fatalf("the right password waited %v, want %v", w, limits.SlowDownMax)
	}
	// The other account is not slowed down.
	before = s.waitCount()
	if st := s.signIn("203.0.113.9", "lee@example.com", staffPassword); st != http.StatusSeeOther || s.waitCount() != before {
		t.Fatalf("another account: status %d, waits %v", st, s.waitsSince(before))
	}

	s.mu.Lock()
	s.sleepErr = context.Canceled
	s.mu.Unlock()
	req := httptestPost("/admin/login", url.Values{"email": {"staff@example.com"}, "password": {staffPassword}})
	req.RemoteAddr = "203.0.113.10:4000"
	if rec := serve(s.srv, req); rec.Code == http.StatusSeeOther || cookieNamed(rec.Header(), "staff") != nil {
		t.Fatalf("a wait cut short still signed in: status %d", rec.Code)
	}
}
