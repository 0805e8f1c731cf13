package returns

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatedShop is a Shopify whose UpdateOrder stops, after announcing itself on
// entered, until the order's gate is opened; it keeps each order's note and
// the calls it got, per order, in order.
type gatedShop struct {
	entered chan string // the order of each UpdateOrder that started

	mu    sync.Mutex
	notes map[string]string
	calls map[string][]string // order id → "Order", "UpdateOrder", …
	gates map[string]chan struct{}
}

func newGatedShop() *gatedShop {
	return &gatedShop{entered: make(chan string, 16), notes: map[string]string{}, calls: map[string][]string{}, gates: map[string]chan struct{}{}}
}

func (s *gatedShop) gate(id string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gates[id] == nil {
		s.gates[id] = make(chan struct{})
	}
	return s.gates[id]
}

func (s *gatedShop) open(id string) { close(s.gate(id)) }

func (s *gatedShop) callsOf(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls[id])
}

func (s *gatedShop) FindOrder(ctx context.Context, number, email string) (*Order, error) {
	return nil, Errorf(ENOTFOUND, "Order not found.")
}

func (s *gatedShop) Order(ctx context.Context, id string) (*Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[id] = append(s.calls[id], "Order")
	return &Order{ID: id, Note: s.notes[id]}, nil
}

func (s *gatedShop) UpdateOrder(ctx context.Context, id, note string, tags []string) error {
	s.mu.Lock()
	s.calls[id] = append(s.calls[id], "UpdateOrder")
	s.mu.Unlock()
	s.entered <- id
	select {
	case <-s.gate(id):
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes[id] = note
	return nil
}

// doneWritebacks is a WritebackStore that records which write-backs are done.
type doneWritebacks struct {
	mu   sync.Mutex
	done []int64
}

func (d *doneWritebacks) DueWritebacks(ctx context.Context, now time.Time, limit int) ([]Writeback, error) {
	return nil, nil
}

func (d *doneWritebacks) WritebackDone(ctx context.Context, id int64, ev Event) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done = append(d.done, id)
	return nil
}

func (d *doneWritebacks) WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *Event) error {
	return errors.New("write-back failed in a test where none may: " + lastErr)
}

func newWritebackService(shop OrderNotes) (*OrderWriter, *doneWritebacks) {
	store := &doneWritebacks{}
	now := func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	return NewOrderWriter(shop, store, NewOrderCache(), now, slog.New(slog.NewTextHandler(io.Discard, nil))), store
}

// startWriteback runs WriteNow in a goroutine; the channel closes when it
// returns.
func startWriteback(w *OrderWriter, wb Writeback) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.WriteNow(context.Background(), wb)
	}()
	return done
}

// await fails the test unless ch yields within a generous cap: a check of
// liveness, not of timing.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting until %s", what)
		panic("unreachable")
	}
}

// TestWritebacksToOtherOrdersRunSideBySide: a write-back held at Shopify does
// not hold up one to another order.
func TestWritebacksToOtherOrdersRunSideBySide(t *testing.T) {
	shop := newGatedShop()
	s, store := newWritebackService(shop)
	a := startWriteback(s, Writeback{ID: 1, OrderID: "gid://shopify/Order/1", NoteLine: "line a"})
	if id := await(t, shop.entered, "the first write-back reaches Shopify"); id != "gid://shopify/Order/1" {
		t.Fatalf("first UpdateOrder for %s", id)
	}
	b := startWriteback(s, Writeback{ID: 2, OrderID: "gid://shopify/Order/2", NoteLine: "line b"})
	if id := await(t, shop.entered, "the write-back to another order reaches Shopify while the first is held"); id != "gid://shopify/Order/2" {
		t.Fatalf("second UpdateOrder for %s", id)
	}
	shop.open("gid://shopify/Order/2")
	await(t, b, "the second write-back finishes while the first is held")
	shop.open("gid://shopify/Order/1")
	await(t, a, "the first write-back finishes")
	if !slices.Equal(store.done, []int64{2, 1}) {
		t.Fatalf("done %v, want 2 then 1", store.done)
	}
	if n := len(s.writing.held); n != 0 {
		t.Fatalf("%d order locks kept after the write-backs, want none", n)
	}
}

// TestWritebacksToOneOrderTakeTurns: a second write-back to an order waits for
// the first to finish before it reads the note, so the note keeps both lines.
func TestWritebacksToOneOrderTakeTurns(t *testing.T) {
	const order = "gid://shopify/Order/1"
	shop := newGatedShop()
	s, store := newWritebackService(shop)
	first := startWriteback(s, Writeback{ID: 1, OrderID: order, NoteLine: "first line"})
	await(t, shop.entered, "the first write-back reaches Shopify")
	second := startWriteback(s, Writeback{ID: 2, OrderID: order, NoteLine: "second line"})

	// Wait until the second write-back waits for the order, or (were it not
	// kept out) reaches Shopify.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.writing.mu.Lock()
		waiting := s.writing.held[order] != nil && s.writing.held[order].users == 2
		s.writing.mu.Unlock()
		if waiting || len(shop.callsOf(order)) > 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the second write-back to start")
		}
		time.Sleep(time.Millisecond)
	}
	if got := shop.callsOf(order); !slices.Equal(got, []string{"Order", "UpdateOrder"}) {
		t.Fatalf("calls %v while the first write-back is held, want only the first's read and update", got)
	}

	shop.open(order)
	await(t, first, "the first write-back finishes")
	await(t, second, "the second write-back finishes")
	// Each write-back reads the note, writes it and reads it back.
	if got, want := shop.callsOf(order), []string{"Order", "UpdateOrder", "Order", "Order", "UpdateOrder", "Order"}; !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if note := shop.notes[order]; !strings.Contains(note, "first line") || !strings.Contains(note, "second line") {
		t.Fatalf("note %q, want both lines", note)
	}
	if !slices.Equal(store.done, []int64{1, 2}) {
		t.Fatalf("done %v, want 1 then 2", store.done)
	}
	if n := len(s.writing.held); n != 0 {
		t.Fatalf("%d order locks kept after the write-backs, want none", n)
	}
}

// TestOrderLocks: a waiter gives up when its context ends, leaving the lock as
// it was; the last to leave drops the order's entry.
func TestOrderLocks(t *testing.T) {
	var l keyedLocks
	unlock, err := l.lock(context.Background(), "A")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := l.lock(ctx, "A")
		gaveUp <- err
	}()
	// Another order's lock is free meanwhile.
	unlockB, err := l.lock(context.Background(), "B")
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	cancel()
	if err := await(t, gaveUp, "the waiter gives up"); !errors.Is(err, context.Canceled) {
		t.Fatalf("lock = %v, want context.Canceled", err)
	}
	l.mu.Lock()
	users := l.held["A"].users
	_, hasB := l.held["B"]
	l.mu.Unlock()
	if users != 1 || hasB {
		t.Fatalf("A has %d users, B an entry %v; want the holder alone and no B", users, hasB)
	}
	unlock()
	unlock() // a second unlock frees nothing more
	if len(l.held) != 0 {
		t.Fatalf("entries %v after every unlock, want none", l.held)
	}
	// Free again: taken at once.
	done := make(chan struct{})
	go func() {
		defer close(done)
		if u, err := l.lock(context.Background(), "A"); err == nil {
			u()
		}
	}()
	await(t, done, "the freed lock is taken again")
}
