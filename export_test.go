package returns

import "time"

// ReconcilersOf reports how many reconciliations of the refund with an
// idempotency key hold or wait for its lock, so that a test can tell that a
// second one waits rather than has not started yet.
func ReconcilersOf(s *RefundService, key string) int {
	s.reconciling.mu.Lock()
	defer s.reconciling.mu.Unlock()
	if e := s.reconciling.held[key]; e != nil {
		return e.users
	}
	return 0
}

// CacheOrder keeps o in c as read at now, as a lookup does.
func CacheOrder(c *OrderCache, o *Order, now time.Time) { c.put(o, now) }

// CachedOrder returns the order c keeps with id at now, or nil.
func CachedOrder(c *OrderCache, id string, now time.Time) *Order { return c.get(id, now) }
