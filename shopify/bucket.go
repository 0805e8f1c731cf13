package shopify

import (
	"context"
	"math"
	"sync"
	"time"
)

// costBucket is the client's picture of Shopify's leaky bucket of query points
// (extensions.cost.throttleStatus in every answer): how many points it held at
// the last answer, how fast it refills and how big it is. Calls run
// concurrently; each first waits until the bucket is estimated to hold what
// it will ask for, beyond what the calls still in flight asked for, so that
// many customers at once queue here, each for as long as its own context
// allows, instead of being throttled by Shopify one after the other.
//
// The estimate errs on the side of waiting: an answer's currentlyAvailable
// may already have been charged for a call whose own answer is still on its
// way, which then counts twice until it lands. So a call waits at most
// maxWait (Config.MaxRetryWait) and then goes anyway, leaving the last word to
// Shopify, whose THROTTLED answer the retry loop waits out. Until the first
// answer the bucket is unknown and nobody waits, for the same reason.
type costBucket struct {
	now func() time.Time
	// wait sleeps for d, or until changed is closed (the bucket's picture
	// changed) or ctx ends, and returns ctx's error then.
	wait    func(ctx context.Context, d time.Duration, changed <-chan struct{}) error
	maxWait time.Duration

	mu          sync.Mutex
	known       bool
	maximum     float64   // throttleStatus.maximumAvailable
	available   float64   // throttleStatus.currentlyAvailable at updated
	restoreRate float64   // throttleStatus.restoreRate, points a second
	updated     time.Time // when the answer that said so arrived
	reserved    float64   // what the calls in flight asked for
	// changed is closed, and then replaced, when an answer or a release
	// changes the picture, so that waiting calls look again at once rather
	// than sleep out an estimate made when the points were still reserved.
	changed chan struct{}
}

func newCostBucket(maxWait time.Duration) *costBucket {
	return &costBucket{now: time.Now, wait: sleepCtx, maxWait: maxWait}
}

// sleepCtx sleeps for d, or until changed is closed or ctx ends.
func sleepCtx(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
		return nil
	case <-t.C:
		return nil
	}
}

// changedLocked returns the channel closed at the next change. The caller
// holds b.mu.
func (b *costBucket) changedLocked() chan struct{} {
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.changed
}

// announceLocked wakes the calls waiting for a change. The caller holds b.mu.
func (b *costBucket) announceLocked() {
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
}

// take waits until the bucket is estimated to hold cost points beyond those
// of the calls in flight, or maxWait has passed, and reserves them. It returns
// the function that gives them back, to be called once the call's answer (or
// failure) is in, after observe; or ctx's error, having reserved nothing, when
// ctx ends first.
func (b *costBucket) take(ctx context.Context, cost float64) (release func(), err error) {
	start := b.now()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.mu.Lock()
		short, rate := b.shortfall(cost)
		waited := b.now().Sub(start)
		if short <= 0 || waited >= b.maxWait {
			b.reserved += cost
			b.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					b.mu.Lock()
					b.reserved -= cost
					b.announceLocked()
					b.mu.Unlock()
				})
			}, nil
		}
		changed := b.changedLocked()
		b.mu.Unlock()
		// The wait is for the shortfall to be restored, or for another call
		// to land or give its points back, whichever comes first; then the
		// bucket is looked at again.
		d := min(time.Duration(math.Ceil(short/rate*float64(time.Second))), b.maxWait-waited)
		if err := b.wait(ctx, d, changed); err != nil {
			return nil, err
		}
	}
}

// shortfall returns how many points are missing for a call asking for cost
// now, and the rate at which they come back. The caller holds b.mu.
func (b *costBucket) shortfall(cost float64) (short, rate float64) {
	if !b.known || b.restoreRate <= 0 || b.maximum <= 0 {
		return 0, 0
	}
	// A call may ask for more than the bucket holds (Shopify refuses it as
	// MAX_COST_EXCEEDED): waiting for a full bucket is the most that helps.
	cost = min(cost, b.maximum)
	elapsed := max(b.now().Sub(b.updated).Seconds(), 0)
	estimate := min(b.maximum, b.available+elapsed*b.restoreRate) - b.reserved
	return cost - estimate, b.restoreRate
}

// observe records the bucket's state that an answer reported.
func (b *costBucket) observe(maximum, available, restoreRate float64) {
	if maximum <= 0 || restoreRate <= 0 {
		return // no cost in the answer: an HTTP error, or not Shopify's shape
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.known = true
	b.maximum, b.available, b.restoreRate = maximum, available, restoreRate
	b.updated = b.now()
	b.announceLocked()
}
