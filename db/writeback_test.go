package db_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

func TestWritebacks(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	a := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreate(t, d, a, map[string]int{"L1": 1})
	b := newReturn("gid://shopify/Order/2", "key-0000000000000002", item("L2", 1))
	mustCreate(t, d, b, map[string]int{"L2": 1})
	later := &returns.Writeback{OrderID: order1, NoteLine: "later", Tags: nil, NextAt: now.Add(time.Hour)}
	setStatusWith(t, d, a.ID, returns.StatusCancelled, later)

	due := func(at time.Time, limit int) []returns.Writeback {
		t.Helper()
		wbs, err := d.DueWritebacks(ctx, at, limit)
		if err != nil {
			t.Fatal(err)
		}
		return wbs
	}
	returnIDs := func(wbs []returns.Writeback) []int64 {
		var ids []int64
		for _, wb := range wbs {
			ids = append(ids, wb.ReturnID)
		}
		return ids
	}

	t.Run("due now, oldest first", func(t *testing.T) {
		if got := returnIDs(due(now, 10)); !reflect.DeepEqual(got, []int64{a.ID, b.ID}) {
			t.Errorf("due = %v, want %v", got, []int64{a.ID, b.ID})
		}
		if got := due(now, 1); len(got) != 1 || got[0].ReturnID != a.ID {
			t.Errorf("limit 1: %+v", got)
		}
		if got := due(now.Add(-time.Second), 10); len(got) != 0 {
			t.Errorf("due before NextAt: %+v", got)
		}
		all := due(now.Add(time.Hour), 10)
		if len(all) != 3 || all[2].NoteLine != "later" || all[2].Tags == nil || len(all[2].Tags) != 0 {
			t.Errorf("due in an hour = %+v", all)
		}
	})

	first := due(now, 10)
	wa, wb := first[0], first[1]

	t.Run("failed", func(t *testing.T) {
		ev := &returns.Event{At: now, Actor: returns.ActorSystem, Type: returns.EventShopifyDeferred, Message: "will retry"}
		if err := d.WritebackFailed(ctx, wb.ID, now.Add(30*time.Second), "shopify: 502", ev); err != nil {
			t.Fatal(err)
		}
		if got := returnIDs(due(now, 10)); !reflect.DeepEqual(got, []int64{a.ID}) {
			t.Errorf("due after failure = %v", got)
		}
		retry := due(now.Add(30*time.Second), 10)
		if len(retry) != 2 || retry[1].ID != wb.ID || retry[1].Attempts != 1 || !retry[1].NextAt.Equal(now.Add(30*time.Second)) {
			t.Errorf("due at retry = %+v", retry)
		}
		evs, _ := d.Events(ctx, b.ID)
		if len(evs) != 2 || evs[1].Type != returns.EventShopifyDeferred || evs[1].ReturnID != b.ID {
			t.Errorf("events of b = %+v", evs)
		}

		// Later failures need not add an event.
		if err := d.WritebackFailed(ctx, wb.ID, now.Add(time.Minute), "shopify: 502", nil); err != nil {
			t.Fatal(err)
		}
		if evs, _ := d.Events(ctx, b.ID); len(evs) != 2 {
			t.Errorf("%d events after silent failure, want 2", len(evs))
		}
		if got := due(now.Add(time.Minute), 10); got[len(got)-1].Attempts != 2 {
			t.Errorf("attempts = %d, want 2", got[len(got)-1].Attempts)
		}
		var lastErr string
		_, rp := d.Pools()
		if err := rp.QueryRow(`SELECT last_error FROM writebacks WHERE id = ?`, wb.ID).Scan(&lastErr); err != nil || lastErr != "shopify: 502" {
			t.Errorf("last_error = %q, %v", lastErr, err)
		}
	})

	t.Run("done", func(t *testing.T) {
		ev := returns.Event{At: now, Actor: returns.ActorSystem, Type: returns.EventShopifyUpdated, Message: wa.NoteLine}
		if err := d.WritebackDone(ctx, wa.ID, ev); err != nil {
			t.Fatal(err)
		}
		for _, w := range due(now.Add(24*time.Hour), 10) {
			if w.ID == wa.ID {
				t.Error("done write-back still due")
			}
		}
		evs, _ := d.Events(ctx, a.ID)
		if last := evs[len(evs)-1]; last.Type != returns.EventShopifyUpdated || last.ReturnID != a.ID {
			t.Errorf("last event of a = %+v", last)
		}
		if err := d.WritebackDone(ctx, wa.ID, ev); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("done twice: %v, want ECONFLICT", err)
		}
		if err := d.WritebackFailed(ctx, wa.ID, now, "x", nil); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("failed after done: %v, want ECONFLICT", err)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		ev := returns.Event{At: now, Actor: returns.ActorSystem, Type: returns.EventShopifyUpdated}
		if err := d.WritebackDone(ctx, 9999, ev); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("done: %v, want ENOTFOUND", err)
		}
		if err := d.WritebackFailed(ctx, 9999, now, "x", &ev); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("failed: %v, want ENOTFOUND", err)
		}
	})
}

// setStatusWith makes one transition from requested to st and queues wb with it.
func setStatusWith(tb testing.TB, d interface {
	Transition(context.Context, returns.Change) error
}, id int64, st returns.Status, wb *returns.Writeback) {
	tb.Helper()
	ev := returns.Event{At: now, Actor: returns.ActorCustomer, Type: returns.EventType(st)}
	if err := d.Transition(context.Background(), returns.Change{ReturnID: id, From: returns.StatusRequested, To: st, Event: ev, Writeback: wb}); err != nil {
		tb.Fatal(err)
	}
}
