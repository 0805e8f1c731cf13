package returns_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{1000, time.Hour},
	} {
		if got := returns.Backoff(tc.attempt, 30*time.Second, time.Hour); got != tc.want {
			t.Errorf("Backoff(%d, 30s, 1h) = %v, want %v", tc.attempt, got, tc.want)
		}
	}
	if got := returns.Backoff(3, 2*time.Hour, time.Hour); got != time.Hour {
		t.Errorf("Backoff with a first wait above the limit = %v, want the limit", got)
	}
}

// dueWriteback queues a write-back of a line to order #1001 that failed
// attempts times and is due now.
func (f *changesFixture) dueWriteback(attempts int, line string) *memWriteback {
	f.store.mu.Lock()
	defer f.store.mu.Unlock()
	w := &memWriteback{Writeback: returns.Writeback{ID: f.store.id(), ReturnID: 1, OrderID: "gid://shopify/Order/1001", NoteLine: line, Tags: []string{"returns:approved"}, Attempts: attempts, NextAt: f.now}}
	f.store.writebacks = append(f.store.writebacks, w)
	return w
}

// TestWritebackBacksOff: a failed write-back is tried again after Backoff of
// its failures; only the first failure goes on the timeline.
func TestWritebackBacksOff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		next     time.Duration
		event    bool
	}{
		{0, 30 * time.Second, true},
		{1, time.Minute, false},
		{3, 4 * time.Minute, false},
		{10, time.Hour, false},
	} {
		f := newChangesFixture(t)
		f.shop.UpdateOrderFn = func(id, note string, tags []string) error {
			return returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering right now.")
		}
		w := f.dueWriteback(tc.attempts, "R-7KQ9X2MD: item damaged approved")
		f.writer.Flush(context.Background())
		if w.Done || w.Attempts != tc.attempts+1 || !w.NextAt.Equal(serviceNow.Add(tc.next)) || !strings.Contains(w.LastErr, "Shopify is not answering") {
			t.Errorf("after failure %d: %+v, want the next attempt in %v", tc.attempts+1, w, tc.next)
		}
		evs := f.store.eventTypes(1)
		if got := len(evs) == 1 && evs[0] == returns.EventShopifyDeferred; got != tc.event || (!tc.event && len(evs) != 0) {
			t.Errorf("after failure %d: timeline %v, want shopify_deferred %v", tc.attempts+1, evs, tc.event)
		}
	}
}

// TestWritebackNote: the line is appended on a line of its own, once; the tags
// are added even when the line was there already.
func TestWritebackNote(t *testing.T) {
	const line = "R-7KQ9X2MD: item damaged approved"
	for _, tc := range []struct{ name, note, want string }{
		{"EmptyNote", "", line},
		{"NoteWithoutNewline", "Leave at the door", "Leave at the door\n" + line},
		{"NoteWithNewline", "Leave at the door\n", "Leave at the door\n" + line},
		{"LineThereAlready", "Leave at the door\n" + line + "\nCalled", "Leave at the door\n" + line + "\nCalled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newChangesFixture(t)
			f.shop.orders["gid://shopify/Order/1001"].Note = tc.note
			w := f.dueWriteback(0, line)
			f.writer.Flush(context.Background())
			u := f.orderUpdates()
			if len(u) != 1 || u[0].Note != tc.want || strings.Join(u[0].Tags, ",") != "returns:approved" {
				t.Fatalf("updates %+v, want note %q and the tag", u, tc.want)
			}
			if !w.Done {
				t.Errorf("write-back not done")
			}
		})
	}
}

// fakeWritebacks is a WritebackStore whose …Fn fields answer.
type fakeWritebacks struct {
	DueWritebacksFn   func(now time.Time, limit int) ([]returns.Writeback, error)
	WritebackDoneFn   func(id int64, ev returns.Event) error
	WritebackFailedFn func(id int64, next time.Time, lastErr string, ev *returns.Event) error
}

func (s *fakeWritebacks) DueWritebacks(ctx context.Context, now time.Time, limit int) ([]returns.Writeback, error) {
	return s.DueWritebacksFn(now, limit)
}

func (s *fakeWritebacks) WritebackDone(ctx context.Context, id int64, ev returns.Event) error {
	return s.WritebackDoneFn(id, ev)
}

func (s *fakeWritebacks) WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *returns.Event) error {
	return s.WritebackFailedFn(id, next, lastErr, ev)
}

// TestWritebackStoreFailuresAreLogged: what the writer cannot record is
// logged, not lost silently.
func TestWritebackStoreFailuresAreLogged(t *testing.T) {
	f := newChangesFixture(t)
	var limits []int
	store := &fakeWritebacks{
		DueWritebacksFn: func(now time.Time, limit int) ([]returns.Writeback, error) {
			limits = append(limits, limit)
			return []returns.Writeback{
				{ID: 1, OrderID: "gid://shopify/Order/1001", NoteLine: "line one"},
				{ID: 2, OrderID: "gid://shopify/Order/9999", NoteLine: "line two"},
			}, nil
		},
		WritebackDoneFn:   func(int64, returns.Event) error { return errors.New("done: database is locked") },
		WritebackFailedFn: func(int64, time.Time, string, *returns.Event) error { return errors.New("failed: database is locked") },
	}
	w := returns.NewOrderWriter(f.shop, store, returns.NewOrderCache(), f.clock, f.log)
	w.Flush(context.Background())
	log := f.logs.String()
	for _, want := range []string{"mark write-back done", "done: database is locked", "record failed write-back", "failed: database is locked"} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q, want %q", log, want)
		}
	}
	if len(limits) != 1 || limits[0] != 50 {
		t.Errorf("asked for %v due write-backs, want 50", limits)
	}

	store.DueWritebacksFn = func(time.Time, int) ([]returns.Writeback, error) { return nil, errors.New("disk I/O error") }
	w.Flush(context.Background())
	if log := f.logs.String(); !strings.Contains(log, "read due write-backs") || !strings.Contains(log, "disk I/O error") {
		t.Errorf("log %q, want the failed read", log)
	}
}

// TestWritebackFlushStopsWithItsContext: a flush ends between write-backs
// when its context ends.
func TestWritebackFlushStopsWithItsContext(t *testing.T) {
	f := newChangesFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := f.dueWriteback(0, "line one")
	second := f.dueWriteback(0, "line two")
	f.shop.UpdateOrderFn = func(id, note string, tags []string) error {
		cancel() // the process stops during the first write-back
		return nil
	}
	f.writer.Flush(ctx)
	if !first.Done || second.Done || len(f.shop.updates) != 1 {
		t.Errorf("first done %v, second done %v, %d updates; want the first alone", first.Done, second.Done, len(f.shop.updates))
	}
	// The flush stops: it does not go on to the next write-back only to give
	// up waiting for its order.
	if log := f.logs.String(); strings.Contains(log, "left to the retry loop") {
		t.Errorf("log %q, want no write-back tried after the context ended", log)
	}
}

// TestWritebackRun: Run retries due write-backs until its context ends.
func TestWritebackRun(t *testing.T) {
	f := newChangesFixture(t)
	f.dueWriteback(1, "line one")
	written := make(chan string, 1)
	f.shop.UpdateOrderFn = func(id, note string, tags []string) error {
		select {
		case written <- note:
		default:
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		f.writer.Run(ctx, time.Millisecond)
	}()
	if note := waitFor(t, written, "a tick writes the due write-back"); !strings.HasSuffix(note, "\nline one") {
		t.Errorf("note %q", note)
	}
	cancel()
	waitFor(t, stopped, "Run returns after its context ended")
}
