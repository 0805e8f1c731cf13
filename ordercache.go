package returns

import (
	"sync"
	"time"
)

// OrderCache keeps orders read from Shopify for a short time, so that the pages
// a customer opens right after a lookup do not ask Shopify again, and a
// write-back right after a submission writes on the note it read. Submissions
// always read the order fresh. Make one with NewOrderCache.
type OrderCache struct {
	mu sync.Mutex
	m  map[string]cachedOrder
}

type cachedOrder struct {
	order *Order
	at    time.Time
}

// NewOrderCache returns an empty OrderCache.
func NewOrderCache() *OrderCache { return &OrderCache{m: make(map[string]cachedOrder)} }

const (
	orderCacheTTL  = 2 * time.Minute
	orderCacheSize = 1000
)

func (c *OrderCache) put(o *Order, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]cachedOrder)
	}
	if len(c.m) >= orderCacheSize {
		for id, e := range c.m {
			if now.Sub(e.at) > orderCacheTTL || len(c.m) >= orderCacheSize {
				delete(c.m, id)
			}
		}
	}
	c.m[o.ID] = cachedOrder{order: o, at: now}
}

func (c *OrderCache) get(id string, now time.Time) *Order {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || now.Sub(e.at) > orderCacheTTL {
		return nil
	}
	return e.order
}

func (c *OrderCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// clear forgets every order.
func (c *OrderCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// noted records a note and tags just written to a cached order, keeping the time it
// was read. The cached *Order is shared with readers, so it is copied, not changed.
func (c *OrderCache) noted(id, note string, tags []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok {
		return
	}
	o := *e.order
	o.Note = note
	o.Tags = append(append([]string(nil), o.Tags...), tags...)
	c.m[id] = cachedOrder{order: &o, at: e.at}
}
