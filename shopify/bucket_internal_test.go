package shopify

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock whose waits pass at once, moving it on, and are
// recorded. onWait, when set, runs at each wait, before the clock moves.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	waits  []time.Duration
	onWait func(n int, d time.Duration)
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) wait(ctx context.Context, d time.Duration, _ <-chan struct{}) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	n, on := len(c.waits), c.onWait
	c.mu.Unlock()
	if on != nil {
		on(n, d)
	}
	c.advance(d)
	return ctx.Err()
}

func (c *fakeClock) waited() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// newTestBucket returns a bucket on a fake clock that lets a call wait up to a
// minute.
func newTestBucket() (*costBucket, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	return &costBucket{now: clock.now, wait: clock.wait, maxWait: time.Minute}, clock
}

func mustTake(t *testing.T, b *costBucket, cost float64) func() {
	t.Helper()
	release, err := b.take(context.Background(), cost)
	if err != nil {
		t.Fatalf("take(%v): %v", cost, err)
	}
	return release
}

func TestCostBucket(t *testing.T) {
	tests := []struct {
		name string
		// arrange observes and moves the clock; the bucket then takes cost.
		arrange   func(b *costBucket, c *fakeClock)
		cost      float64
		wantWaits []time.Duration
	}{
		{"unknown before the first answer: no wait", func(*costBucket, *fakeClock) {}, 500, nil},
		{"an answer without cost changes nothing", func(b *costBucket, _ *fakeClock) { b.observe(0, 0, 0) }, 500, nil},
		{"enough points", func(b *costBucket, _ *fakeClock) { b.observe(1000, 400, 50) }, 300, nil},
		{"waits for the shortfall at the restore rate", func(b *costBucket, _ *fakeClock) { b.observe(1000, 100, 50) }, 300,
			[]time.Duration{4 * time.Second}},
		{"points restored since the answer count", func(b *costBucket, c *fakeClock) {
			b.observe(1000, 100, 50)
			c.advance(3 * time.Second) // 250 by now
		}, 300, []time.Duration{time.Second}},
		{"never more than the bucket's size", func(b *costBucket, c *fakeClock) {
			b.observe(1000, 1000, 50)
			c.advance(time.Hour)
			b.reserved = 600            // a call in flight, never answered here
			b.maxWait = 4 * time.Second // so the second call goes after one wait
		}, 600, []time.Duration{4 * time.Second}},
		{"a cost above the size waits for a full bucket", func(b *costBucket, _ *fakeClock) { b.observe(1000, 0, 50) }, 5000,
			[]time.Duration{20 * time.Second}},
		{"the wait is capped at maxWait", func(b *costBucket, _ *fakeClock) {
			b.maxWait = 3 * time.Second
			b.observe(1000, 0, 50)
		}, 300, []time.Duration{3 * time.Second}},
		{"the latest answer wins", func(b *costBucket, _ *fakeClock) {
			b.observe(1000, 1000, 50)
			b.observe(1000, 0, 100)
		}, 200, []time.Duration{2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clock := newTestBucket()
			tt.arrange(b, clock)
			before := b.reserved
			release := mustTake(t, b, tt.cost)
			if got := clock.waited(); !slices.Equal(got, tt.wantWaits) {
				t.Fatalf("waits %v, want %v", got, tt.wantWaits)
			}
			if b.reserved != before+tt.cost {
				t.Fatalf("reserved %v while the call is in flight, want %v", b.reserved, before+tt.cost)
			}
			release()
			release() // a second release gives back nothing more
			if b.reserved != before {
				t.Fatalf("reserved %v after release, want %v", b.reserved, before)
			}
		})
	}
}

// TestCostBucket_CallsInFlight: the points a call in flight asked for are not
// there for the next one until it is answered.
func TestCostBucket_CallsInFlight(t *testing.T) {
	b, clock := newTestBucket()
	b.observe(1000, 1000, 50)
	first := mustTake(t, b, 600)
	if w := clock.waited(); len(w) != 0 {
		t.Fatalf("the first call waited %v", w)
	}
	// The second call lacks 200 points while the first is in flight; the
	// first is answered during the second's first wait.
	clock.onWait = func(n int, _ time.Duration) {
		if n == 1 {
			b.observe(1000, 990, 50) // the first call's answer: it cost 10
			first()
		}
	}
	second := mustTake(t, b, 600)
	defer second()
	if got, want := clock.waited(), []time.Duration{4 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("second call waited %v, want %v", got, want)
	}
	if b.reserved != 600 {
		t.Fatalf("reserved %v, want the second call's 600", b.reserved)
	}
}

// TestCostBucket_WakesOnRelease: a call waiting for points that a call in
// flight holds goes as soon as they are given back, not when the refill would
// have restored them (20 s here). Liveness, not timing: the cap is 10 s.
func TestCostBucket_WakesOnRelease(t *testing.T) {
	for _, tc := range []struct {
		name string
		land func(b *costBucket, first func())
	}{
		{"released", func(_ *costBucket, first func()) { first() }},
		{"answered, then released", func(b *costBucket, first func()) { b.observe(1000, 1000, 50); first() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newCostBucket(time.Minute)
			b.observe(1000, 1000, 50)
			first := mustTake(t, b, 1000)
			took := make(chan error, 1)
			go func() {
				release, err := b.take(context.Background(), 1000)
				if err == nil {
					release()
				}
				took <- err
			}()
			// Let the second call start waiting; were it not waiting yet, it
			// would find the points free, and the test would pass
			// vacuously, never slowly.
			deadline := time.Now().Add(10 * time.Second)
			for {
				b.mu.Lock()
				waiting := b.changed != nil
				b.mu.Unlock()
				if waiting || time.Now().After(deadline) {
					break
				}
				time.Sleep(time.Millisecond)
			}
			tc.land(b, first)
			select {
			case err := <-took:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the waiting call did not go when the points came back")
			}
		})
	}
}

// TestCostBucket_Context: a call whose context ends while it waits gives up
// at once, holding nothing; one whose context has ended does not wait.
func TestCostBucket_Context(t *testing.T) {
	t.Run("ends while waiting", func(t *testing.T) {
		b, _ := newTestBucket()
		b.wait = sleepCtx // a real wait, of 20 s here, that only ctx can end
		b.observe(1000, 0, 50)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := b.take(ctx, 1000)
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("take = %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("take did not return after its context ended")
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.reserved != 0 {
			t.Fatalf("reserved %v by a call that gave up", b.reserved)
		}
	})
	t.Run("already ended", func(t *testing.T) {
		b, clock := newTestBucket()
		b.observe(1000, 1000, 50)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := b.take(ctx, 10); !errors.Is(err, context.Canceled) {
			t.Fatalf("take = %v, want context.Canceled", err)
		}
		if w := clock.waited(); len(w) != 0 || b.reserved != 0 {
			t.Fatalf("waits %v, reserved %v", w, b.reserved)
		}
	})
}

// TestCostBucket_Concurrent runs takes, answers and releases from many
// goroutines at once, for the race detector; every reservation is given
// back.
func TestCostBucket_Concurrent(t *testing.T) {
	b, _ := newTestBucket()
	b.observe(1000, 1000, 50)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := b.take(context.Background(), float64(100+i))
			if err != nil {
				t.Errorf("take: %v", err)
				return
			}
			b.observe(1000, float64(900-i), 50)
			release()
		}()
	}
	wg.Wait()
	if b.reserved != 0 {
		t.Fatalf("reserved %v after every call, want 0", b.reserved)
	}
}
