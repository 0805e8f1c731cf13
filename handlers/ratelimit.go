package handlers

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// LookupLimits are the most order lookups allowed per client address and per
// order number in each window.
type LookupLimits struct {
	PerIPMinute  int
	PerIPHour    int
	PerOrderHour int
}

// DefaultLookupLimits are docs/SECURITY.md's: 5 a minute and 20 an hour per client
// address, 10 an hour per order number.
func DefaultLookupLimits() LookupLimits {
	return LookupLimits{PerIPMinute: 5, PerIPHour: 20, PerOrderHour: 10}
}

// LoginLimits bound staff sign-in attempts without letting anyone lock an account
// (docs/SECURITY.md, "Staff"): client addresses are refused, an account is only slowed
// down, so failures elsewhere never stop the right password from an address that
// has not failed.
type LoginLimits struct {
	// PerIPMinute and PerIPHour are the most attempts from one client address,
	// on any accounts, in a minute and an hour.
	PerIPMinute int
	PerIPHour   int
	// FailuresPerAccountAddress is the most failed attempts on one account from
	// one client address in an hour. Past it, that address is refused for that
	// account, and no other address is. A right password clears the count.
	FailuresPerAccountAddress int
	// SlowDownAfter is how many failed attempts on one account in an hour, from
	// any address, cost nothing. Past them, every attempt on the account waits
	// SlowDownFirst before its password is checked, twice as long for each
	// further failure, at most SlowDownMax.
	SlowDownAfter int
	SlowDownFirst time.Duration
	SlowDownMax   time.Duration
}

// DefaultLoginLimits allow a person who mistypes a few times, not a guesser: a
// guesser spreading attempts over many addresses waits up to 8 s for each, and
// the right password still gets in after the same wait.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		PerIPMinute:               10,
		PerIPHour:                 50,
		FailuresPerAccountAddress: 5,
		SlowDownAfter:             5,
		SlowDownFirst:             500 * time.Millisecond,
		SlowDownMax:               8 * time.Second,
	}
}

// limit is one rate limit: at most max attempts under key in each window.
type limit struct {
	key   string
	max   int
	every time.Duration
}

// limiter counts attempts in fixed windows. Counters live in memory: the portal
// runs as one process, and a restart forgetting them is acceptable.
type limiter struct {
	now func() time.Time

	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	every time.Duration
	n     int
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, windows: make(map[string]*window)}
}

// allow counts one attempt against every limit and reports whether all of them
// still hold, and if not, how long until they would. The attempt counts in every
// window even when refused, so hammering one limit uses up the others too.
func (l *limiter) allow(limits ...limit) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	var wait time.Duration
	for _, c := range limits {
		w := l.windows[c.key]
		if w == nil || now.Sub(w.start) >= c.every {
			w = &window{start: now, every: c.every}
			l.windows[c.key] = w
		}
		w.n++
		if w.n > c.max {
			wait = max(wait, w.start.Add(c.every).Sub(now))
		}
	}
	return wait == 0, wait
}

// count returns what was counted under key in its current window.
func (l *limiter) count(key string, every time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.windows[key]; w != nil && l.now().Sub(w.start) < every {
		return w.n
	}
	return 0
}

// add counts one more under key, in a window of every.
func (l *limiter) add(key string, every time.Duration) {
	l.allow(limit{key: key, max: int(^uint(0) >> 1), every: every})
}

// forget drops what was counted under key.
func (l *limiter) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.windows, key)
}

// sweep forgets windows that ended, so the map stays small.
func (l *limiter) sweep(now time.Time) {
	for k, w := range l.windows {
		if now.Sub(w.start) >= w.every {
			delete(l.windows, k)
		}
	}
	l.swept = now
}

// allowLookup counts an order lookup by a client address for an order number.
func (s *Server) allowLookup(ip, order string) (bool, time.Duration) {
	ls := []limit{
		{"lookup-ip-m:" + ip, s.lookupLimits.PerIPMinute, time.Minute},
		{"lookup-ip-h:" + ip, s.lookupLimits.PerIPHour, time.Hour},
	}
	if order != "" {
		ls = append(ls, limit{"lookup-order:" + order, s.lookupLimits.PerOrderHour, time.Hour})
	}
	return s.limits.allow(ls...)
}

// allowAccessLinkRequest counts a request for an emailed link by a client
// address, within the per-address lookup limits but counted apart from lookups.
func (s *Server) allowAccessLinkRequest(ip string) (bool, time.Duration) {
	return s.limits.allow(
		limit{"link-ip-m:" + ip, s.lookupLimits.PerIPMinute, time.Minute},
		limit{"link-ip-h:" + ip, s.lookupLimits.PerIPHour, time.Hour},
	)
}

// allowLogin counts a sign-in attempt by a client address and reports whether it
// may go on: the address is within its limits, and has not failed too often on
// this account (account is the normalized email, "" when it is none).
func (s *Server) allowLogin(ip, account string) bool {
	if ok, _ := s.limits.allow(
		limit{"login-ip-m:" + ip, s.loginLimits.PerIPMinute, time.Minute},
		limit{"login-ip-h:" + ip, s.loginLimits.PerIPHour, time.Hour},
	); !ok {
		return false
	}
	return account == "" || s.limits.count(loginFailuresKey(ip, account), time.Hour) < s.loginLimits.FailuresPerAccountAddress
}

// loginDelay is how long an attempt on account waits before its password is
// checked: nothing for the first failures of the hour, then twice as long for
// each further failure, up to the cap. Everyone waits alike, the right password
// too: it slows guessing down and locks no one out.
func (s *Server) loginDelay(account string) time.Duration {
	if account == "" {
		return 0
	}
	extra := s.limits.count("login-account-failures:"+account, time.Hour) - s.loginLimits.SlowDownAfter
	if extra < 0 {
		return 0
	}
	d := s.loginLimits.SlowDownFirst
	for i := 0; i < extra && d < s.loginLimits.SlowDownMax; i++ {
		d *= 2
	}
	return min(d, s.loginLimits.SlowDownMax)
}

// loginFailed counts a wrong password (or unknown account) against the account
// from an address and against the account as a whole.
func (s *Server) loginFailed(ip, account string) {
	if account == "" {
		return
	}
	s.limits.add(loginFailuresKey(ip, account), time.Hour)
	s.limits.add("login-account-failures:"+account, time.Hour)
}

// loginSucceeded clears the failures of the address that got the password
// right. The account's own count stays: a guesser elsewhere is not given a fresh
// start by the owner signing in.
func (s *Server) loginSucceeded(ip, account string) {
	s.limits.forget(loginFailuresKey(ip, account))
}

// loginFailuresKey keys the failures on one account from one address. An address
// holds no "|", so the key is unambiguous.
func loginFailuresKey(ip, account string) string {
	return "login-failures:" + account + "|" + ip
}

// sleep waits d before a sign-in is checked, or until the request is given up.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// clientIP is the address a request came from. Behind Fly's proxy it is the
// Fly-Client-IP header, which the proxy sets; X-Forwarded-For is never trusted,
// since its left part is whatever the client wrote.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustFlyClientIP {
		if ip := strings.TrimSpace(r.Header.Get("Fly-Client-IP")); net.ParseIP(ip) != nil {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
