package photo

import (
	"context"
	"sync"
)

// gate admits photos to be decoded while the memory they take together stays
// within its capacity: a semaphore weighted by bytes.
//
// Waiters are served cheapest first, not in their order of arrival: with a
// first-come queue one decode at a time, a customer's 2 MB photo would wait
// behind every 50-megapixel photo sent before it, while serving the cheap one
// first delays the expensive ones by little. Between photos of the same cost,
// the request (batch) that came first goes first, so that a request's photos
// are done one after the other and its processed photos, which it holds until
// it has all of them, are not held while other requests' photos are decoded.
// For the same reason at most maxBatches requests have photos under way at
// once. So that a stream of cheap photos cannot hold an expensive one back for
// ever, a waiter that photos of later requests have overtaken maxOvertaken
// times is served next, and nothing is admitted past it until it fits.
type gate struct {
	mu         sync.Mutex
	capacity   int64
	used       int64
	queue      []*ticket // waiting, in order of arrival
	arrivals   uint64
	batches    uint64 // batches made so far
	inProgress int    // batches with a photo admitted that have not ended

	// idle, when set, is called (in a goroutine of its own) when the gate
	// empties after at least idleAfter bytes were given back since it last
	// did; see Processor.
	idle      func()
	idleAfter int64
	released  int64
}

const (
	// maxOvertaken is how many photos of later requests may be admitted
	// before a waiting one.
	maxOvertaken = 16
	// maxBatches is how many requests may have photos under way at once:
	// one with large photos and one with a photo or two from a phone.
	maxBatches = 2
)

// batch is the photos of one request.
type batch struct {
	arrival uint64
	started bool // a photo of it was admitted; guarded by the gate's mu
}

// ticket is a photo's place at the gate: waiting until admitted is closed,
// then holding cost bytes until it leaves.
type ticket struct {
	batch     *batch
	cost      int64
	arrival   uint64
	overtaken int
	admitted  chan struct{}
	isIn      bool // admitted; guarded by the gate's mu
}

func newGate(capacity int64) *gate {
	return &gate{capacity: capacity}
}

// newBatch returns a batch for one request's photos; end it when they are done.
func (g *gate) newBatch() *batch {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := &batch{arrival: g.batches}
	g.batches++
	return b
}

// endBatch makes room for another batch once b's photos are done.
func (g *gate) endBatch(b *batch) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if b.started {
		b.started = false
		g.inProgress--
	}
	g.admitLocked()
}

// enter queues a photo of b that needs cost bytes and admits whoever fits. A
// cost above the capacity counts as the capacity: such a photo is decoded
// alone.
func (g *gate) enter(b *batch, cost int64) *ticket {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := &ticket{batch: b, cost: min(max(cost, 0), g.capacity), arrival: g.arrivals, admitted: make(chan struct{})}
	g.arrivals++
	g.queue = append(g.queue, t)
	g.admitLocked()
	return t
}

// wait returns once t is admitted, or ctx's error when ctx ends first; t has
// then still to leave the gate.
func (t *ticket) wait(ctx context.Context) error {
	select {
	case <-t.admitted:
		return nil
	default:
	}
	select {
	case <-t.admitted:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave gives back t's bytes if it was admitted, or takes it out of the queue
// if it was still waiting, and admits whoever fits now.
func (g *gate) leave(t *ticket) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.isIn {
		t.isIn = false
		g.used -= t.cost
		g.released += t.cost
	} else {
		for i, q := range g.queue {
			if q == t {
				g.queue = append(g.queue[:i], g.queue[i+1:]...)
				break
			}
		}
	}
	g.admitLocked()
	if g.used == 0 && len(g.queue) == 0 && g.idle != nil && g.released >= g.idleAfter {
		g.released = 0
		go g.idle()
	}
}

// admitLocked admits waiters while the next one fits.
func (g *gate) admitLocked() {
	for {
		i := g.nextLocked()
		if i < 0 {
			return
		}
		t := g.queue[i]
		if g.used+t.cost > g.capacity {
			return
		}
		g.queue = append(g.queue[:i], g.queue[i+1:]...)
		g.used += t.cost
		t.isIn = true
		if !t.batch.started {
			t.batch.started = true
			g.inProgress++
		}
		close(t.admitted)
		for _, q := range g.queue {
			if q.arrival < t.arrival && q.batch.arrival < t.batch.arrival {
				q.overtaken++
			}
		}
	}
}

// nextLocked returns the index of the waiter to admit next, or -1 when none
// may be: of the waiters whose batch is under way or may start, the first to
// have been overtaken maxOvertaken times, or else the cheapest, the one of
// the earliest batch among equals, the earliest of its batch.
func (g *gate) nextLocked() int {
	next := -1
	for i, t := range g.queue {
		if !t.batch.started && g.inProgress >= maxBatches {
			continue
		}
		if t.overtaken >= maxOvertaken {
			return i
		}
		if next < 0 || before(t, g.queue[next]) {
			next = i
		}
	}
	return next
}

// before reports whether a goes before b when neither was overtaken too often.
func before(a, b *ticket) bool {
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	if a.batch.arrival != b.batch.arrival {
		return a.batch.arrival < b.batch.arrival
	}
	return a.arrival < b.arrival
}
