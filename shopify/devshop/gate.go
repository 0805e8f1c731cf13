package devshop

import (
	"context"
	"sync"
)

// gate holds mutations before they run, for tests that need a client to be
// stopped between sending a mutation and Shopify carrying it out.
type gate struct {
	mu      sync.Mutex
	closed  chan struct{} // nil: mutations pass
	waiting int
}

// HoldMutations makes every request holding a mutation wait, before it runs,
// until release is called. A request whose client goes away while it waits is
// dropped without running: to the client it is a call that never reached
// Shopify. Waiting reports how many are held.
func (s *Shop) HoldMutations() (release func()) {
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	ch := make(chan struct{})
	s.gate.closed = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			s.gate.mu.Lock()
			s.gate.closed = nil
			s.gate.mu.Unlock()
			close(ch)
		})
	}
}

// Waiting returns how many mutations HoldMutations holds now.
func (s *Shop) Waiting() int {
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	return s.gate.waiting
}

// passGate waits while mutations are held and reports whether the request may
// run: false when its client went away meanwhile.
func (s *Shop) passGate(ctx context.Context, body []byte) bool {
	s.gate.mu.Lock()
	ch := s.gate.closed
	if ch == nil || !isMutation(body) {
		s.gate.mu.Unlock()
		return true
	}
	s.gate.waiting++
	s.gate.mu.Unlock()
	defer func() {
		s.gate.mu.Lock()
		s.gate.waiting--
		s.gate.mu.Unlock()
	}()
	select {
	case <-ch:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
