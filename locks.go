package returns

import (
	"context"
	"fmt"
	"sync"
)

// keyedLocks is a lock per key: per Shopify order for the write-backs that read
// and replace an order's note, per refund for the reconciler. It holds an entry
// only while a key is held or waited for, so it keeps no memory of the keys it
// has seen; waiting honours the context. The zero value is ready to use.
type keyedLocks struct {
	mu   sync.Mutex
	held map[string]*keyedLock
}

type keyedLock struct {
	// token holds one value while the lock is held: taking it is a send, so a
	// waiter can give up when its context ends.
	token chan struct{}
	users int // holders and waiters; the entry goes when it falls to zero
}

// lock waits until key's lock is free or ctx ends, and returns the function that
// frees it, or ctx's error.
func (l *keyedLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*keyedLock{}
	}
	e := l.held[key]
	if e == nil {
		e = &keyedLock{token: make(chan struct{}, 1)}
		l.held[key] = e
	}
	e.users++
	l.mu.Unlock()

	select {
	case e.token <- struct{}{}:
		var once sync.Once
		return func() {
			once.Do(func() {
				<-e.token
				l.leave(key, e)
			})
		}, nil
	case <-ctx.Done():
		l.leave(key, e)
		return nil, fmt.Errorf("wait for %s: %w", key, ctx.Err())
	}
}

// leave counts a holder or waiter of e out, dropping the entry after the last.
func (l *keyedLocks) leave(key string, e *keyedLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.users--
	if e.users == 0 {
		delete(l.held, key)
	}
}
