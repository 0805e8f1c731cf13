package handlers

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// LookupLimits are the most lookups allowed per client address and per order
// number in each window.
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

// lookupLimiter counts lookups in fixed windows. Counters live in memory: the
// portal runs as one process, and a restart forgetting them is acceptable.
type lookupLimiter struct {
	limits LookupLimits
	now    func() time.Time

	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLookupLimiter(l LookupLimits, now func() time.Time) *lookupLimiter {
	return &lookupLimiter{limits: l, now: now, windows: make(map[string]*window)}
}

// allow counts one lookup by ip for order and reports whether it is within every
// limit, and if not, how long until it would be.
func (l *lookupLimiter) allow(ip, order string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	checks := []struct {
		key   string
		max   int
		every time.Duration
	}{
		{"ip-m:" + ip, l.limits.PerIPMinute, time.Minute},
		{"ip-h:" + ip, l.limits.PerIPHour, time.Hour},
	}
	if order != "" {
		checks = append(checks, struct {
			key   string
			max   int
			every time.Duration
		}{"order:" + order, l.limits.PerOrderHour, time.Hour})
	}
	// Count the attempt in every window first, so that hammering one limit also
	// uses up the others, then refuse if any is exceeded.
	var wait time.Duration
	for _, c := range checks {
		w := l.windows[c.key]
		if w == nil || now.Sub(w.start) >= c.every {
			w = &window{start: now}
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
func (l *lookupLimiter) sweep(now time.Time) {
	for k, w := range l.windows {
		if now.Sub(w.start) >= time.Hour {
			delete(l.windows, k)
		}
	}
	l.swept = now
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
