package photo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// These tests drive the gate with made-up costs and look at which tickets it
// has admitted after each step: admission happens inside enter, leave and
// endBatch, so no goroutine and no clock is needed.

func admitted(t *ticket) bool {
	select {
	case <-t.admitted:
		return true
	default:
		return false
	}
}

// checkAdmitted fails unless exactly the tickets named in want are admitted.
func checkAdmitted(tb testing.TB, step string, all map[string]*ticket, want ...string) {
	tb.Helper()
	in := map[string]bool{}
	for _, name := range want {
		in[name] = true
	}
	for name, t := range all {
		if admitted(t) != in[name] {
			tb.Errorf("%s: %s admitted = %v, want %v", step, name, admitted(t), in[name])
		}
	}
}

func TestGateServesCheapFirst(t *testing.T) {
	g := newGate(100)
	big := g.newBatch()
	t1 := g.enter(big, 90)
	// Three requests queue behind it: two with a large photo, then one from a
	// phone.
	b1, b2, phone := g.newBatch(), g.newBatch(), g.newBatch()
	all := map[string]*ticket{"t1": t1, "b1": g.enter(b1, 80), "b2": g.enter(b2, 80), "phone": g.enter(phone, 30)}
	checkAdmitted(t, "one large photo decoding", all, "t1")

	// The large request's next photo queues before its first leaves, as
	// Process does; the phone's photo goes first, though it came last.
	all["t2"] = g.enter(big, 80)
	g.leave(t1)
	checkAdmitted(t, "after the first photo", all, "t1", "phone")

	// Then the large request's next photo: equal in cost to the other two
	// requests' photos, it comes from the earliest request.
	g.leave(all["phone"])
	g.endBatch(phone)
	checkAdmitted(t, "after the phone's photo", all, "t1", "phone", "t2")

	g.leave(all["t2"])
	g.endBatch(big)
	checkAdmitted(t, "after the large request", all, "t1", "phone", "t2", "b1")
	g.leave(all["b1"])
	g.endBatch(b1)
	checkAdmitted(t, "after b1", all, "t1", "phone", "t2", "b1", "b2")
	g.leave(all["b2"])
	g.endBatch(b2)
	if g.used != 0 || len(g.queue) != 0 || g.inProgress != 0 {
		t.Errorf("gate not empty at the end: used %d, %d waiting, %d batches under way", g.used, len(g.queue), g.inProgress)
	}
}

func TestGateAdmitsWhatFits(t *testing.T) {
	g := newGate(100)
	a, b := g.newBatch(), g.newBatch()
	all := map[string]*ticket{"a": g.enter(a, 30), "b": g.enter(b, 70)}
	checkAdmitted(t, "30 and 70 of 100", all, "a", "b")

	// A cost above the capacity counts as the capacity: it waits for the
	// gate to empty, then goes alone.
	c := g.newBatch()
	g.endBatch(a) // a finished: make room for another request
	all["huge"] = g.enter(c, 1000)
	checkAdmitted(t, "huge queued", all, "a", "b")
	g.leave(all["a"])
	checkAdmitted(t, "70 still in use", all, "a", "b")
	g.leave(all["b"])
	checkAdmitted(t, "empty", all, "a", "b", "huge")
	if g.used != 100 {
		t.Errorf("used = %d, want the capacity, 100", g.used)
	}
}

func TestGateLimitsRequestsUnderWay(t *testing.T) {
	g := newGate(1000)
	batches := make([]*batch, maxBatches+1)
	all := map[string]*ticket{}
	for i := range batches {
		batches[i] = g.newBatch()
		all[fmt.Sprint("first of ", i)] = g.enter(batches[i], 10)
	}
	var want []string
	for i := range maxBatches {
		want = append(want, fmt.Sprint("first of ", i))
	}
	checkAdmitted(t, "room in memory for all", all, want...)

	// A request under way goes on, however many wait to start.
	all["second of 0"] = g.enter(batches[0], 10)
	checkAdmitted(t, "second photo of a request under way", all, append(want, "second of 0")...)

	g.endBatch(batches[0])
	checkAdmitted(t, "a request done", all, append(want, "second of 0", fmt.Sprint("first of ", maxBatches))...)
}

// A stream of cheap photos cannot hold an expensive one back for ever.
func TestGateExpensivePhotoIsNotStarved(t *testing.T) {
	g := newGate(100)
	holder := g.newBatch()
	hold := g.enter(holder, 50)
	expensive := g.newBatch()
	big := g.enter(expensive, 80)
	g.endBatch(holder) // its photo is still decoding; the batch slot is free

	// Cheap photos of later requests keep coming, each admitted beside the
	// one holding 50 while the expensive one waits for 80.
	for i := range maxOvertaken {
		cheap := g.newBatch()
		c := g.enter(cheap, 10)
		if !admitted(c) {
			t.Fatalf("cheap photo %d not admitted", i)
		}
		g.leave(c)
		g.endBatch(cheap)
	}
	if admitted(big) {
		t.Fatal("the expensive photo was admitted beside the holder")
	}
	// Now it has been overtaken enough: the next cheap photo waits behind it,
	// though it would fit beside the holder.
	late := g.newBatch()
	c := g.enter(late, 30)
	if admitted(c) {
		t.Fatalf("a cheap photo overtook the expensive one %d times", maxOvertaken+1)
	}
	g.leave(hold)
	if !admitted(big) {
		t.Fatal("the expensive photo was not admitted once there was room")
	}
	if admitted(c) {
		t.Fatal("the cheap photo was admitted beside the expensive one: 110 of 100")
	}
	g.leave(big)
	if !admitted(c) {
		t.Fatal("the cheap photo was not admitted after the expensive one")
	}
}

// An overtaken photo that may not start yet (too many requests under way)
// does not stop the requests under way, which would then never end.
func TestGateOvertakenWaiterDoesNotBlockRequestsUnderWay(t *testing.T) {
	g := newGate(100)
	under := make([]*batch, maxBatches)
	for i := range under {
		under[i] = g.newBatch()
		g.enter(under[i], 10)
	}
	waiting := g.newBatch()
	w := g.enter(waiting, 10) // not admitted: its batch may not start
	w.overtaken = maxOvertaken
	for i, b := range under {
		if tk := g.enter(b, 10); !admitted(tk) {
			t.Fatalf("photo of request %d under way not admitted", i)
		}
	}
	if admitted(w) {
		t.Fatal("a third request started")
	}
	g.endBatch(under[0])
	if !admitted(w) {
		t.Fatal("the waiting request did not start once one ended")
	}
}

func TestGateWaitEndsWithContext(t *testing.T) {
	g := newGate(100)
	a, b, c := g.newBatch(), g.newBatch(), g.newBatch()
	hold := g.enter(a, 100)
	waiter := g.enter(b, 60)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := waiter.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait() = %v, want context.Canceled", err)
	}
	// The request gone, its place in the queue goes too: a later photo is
	// not held behind it.
	g.leave(waiter)
	g.endBatch(b)
	later := g.enter(c, 50)
	g.leave(hold)
	if !admitted(later) || g.used != 50 {
		t.Errorf("later photo admitted = %v, used %d; want admitted, 50", admitted(later), g.used)
	}
	// An admitted ticket's wait returns at once, even with an ended context.
	if err := later.wait(ctx); err != nil {
		t.Errorf("wait() of an admitted ticket = %v", err)
	}
}

func TestGateIdle(t *testing.T) {
	g := newGate(100)
	idle := make(chan struct{}, 10)
	g.idle, g.idleAfter = func() { idle <- struct{}{} }, 50
	notIdle := func(step string) {
		t.Helper()
		select {
		case <-idle:
			t.Fatalf("%s: idle reported", step)
		default:
		}
	}

	b := g.newBatch()
	g.leave(g.enter(b, 20))
	g.endBatch(b)
	notIdle("after 20 bytes")

	b = g.newBatch()
	first := g.enter(b, 20)
	second := g.enter(b, 20)
	g.leave(first)
	notIdle("with a photo still decoding")
	g.leave(second)
	select {
	case <-idle:
	case <-time.After(10 * time.Second): // a liveness bound, not a timing
		t.Fatal("the gate did not report idle after 60 bytes")
	}

	// The count starts again.
	g.leave(g.enter(b, 20))
	g.endBatch(b)
	time.Sleep(10 * time.Millisecond) // a call made in error would have arrived by now
	notIdle("20 bytes after the last report")
}
