package handlers

import (
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

// DefaultLookupLimits are SECURITY.md's: 5 a minute and 20 an hour per client
// address, 10 an hour per order number.
func DefaultLookupLimits() LookupLimits {
	return LookupLimits{PerIPMinute: 5, PerIPHour: 20, PerOrderHour: 10}
}

// LoginLimits are the most staff sign-in attempts allowed per client address and
// per account.
type LoginLimits struct {
	PerIPMinute    int
	PerIPHour      int
	PerAccountHour int
}

// DefaultLoginLimits allow a person who mistypes a few times, not a guesser.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{PerIPMinute: 10, PerIPHour: 50, PerAccountHour: 20}
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

// allowLogin counts a sign-in attempt by a client address for an account.
func (s *Server) allowLogin(ip, email string) (bool, time.Duration) {
	ls := []limit{
		{"login-ip-m:" + ip, s.loginLimits.PerIPMinute, time.Minute},
		{"login-ip-h:" + ip, s.loginLimits.PerIPHour, time.Hour},
	}
	if email != "" {
		ls = append(ls, limit{"login-account:" + email, s.loginLimits.PerAccountHour, time.Hour})
	}
	return s.limits.allow(ls...)
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
