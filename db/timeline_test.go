package db_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

func approveEvent() returns.Event {
	return returns.Event{At: now.Add(time.Hour), Actor: returns.StaffActor(7), Type: "approved", Message: "ok"}
}

func TestTransition(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreate(t, d, r, map[string]int{"L1": 1})
	wb := &returns.Writeback{OrderID: order1, NoteLine: "Return approved", Tags: []string{"returns:approved"}, NextAt: now}

	if err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent(), Writeback: wb}); err != nil {
		t.Fatal(err)
	}
	got, err := d.ReturnByCode(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != returns.StatusApproved || !got.UpdatedAt.Equal(now.Add(time.Hour)) || !got.CreatedAt.Equal(now) {
		t.Errorf("after transition: status %s, updated %v, created %v", got.Status, got.UpdatedAt, got.CreatedAt)
	}
	evs, err := d.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Type != returns.EventRequested || evs[1].Type != "approved" ||
		evs[1].Status != returns.StatusApproved || evs[1].Actor != "staff:7" || evs[1].ReturnID != r.ID {
		t.Errorf("events = %+v", evs)
	}
	if got := count(t, d, "writebacks"); got != 2 {
		t.Errorf("%d write-backs, want 2", got)
	}

	t.Run("same transition again conflicts", func(t *testing.T) {
		before := counts(t, d)
		err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent(), Writeback: wb})
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
		if msg := returns.ErrorMessage(err).String(); msg != "This return has changed in the meantime. Please reload the page." {
			t.Errorf("message = %q", msg)
		}
		if after := counts(t, d); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("rows = %v, want %v", after, before)
		}
	})
	t.Run("illegal transition refused", func(t *testing.T) {
		before := counts(t, d)
		err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusApproved, To: returns.StatusRequested, Event: approveEvent()})
		want := returns.StatusApproved.Transition(returns.StatusRequested)
		if returns.ErrorCode(err) != returns.ECONFLICT || err.Error() != want.Error() {
			t.Fatalf("err = %v, want %v", err, want)
		}
		if after := counts(t, d); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("rows = %v, want %v", after, before)
		}
		if got, _ := d.ReturnByCode(ctx, r.Code); got.Status != returns.StatusApproved {
			t.Errorf("status = %s, want approved", got.Status)
		}
	})
	t.Run("unknown return", func(t *testing.T) {
		err := d.Transition(ctx, returns.Change{ReturnID: r.ID + 100, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent()})
		if returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Fatalf("err = %v, want ENOTFOUND", err)
		}
	})
}

func TestTransition_Race(t *testing.T) {
	d := MustOpenDB(t)
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreate(t, d, r, map[string]int{"L1": 1})

	// Staff approve and decline while the customer cancels: exactly one wins.
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		to := []returns.Status{returns.StatusApproved, returns.StatusDeclined, returns.StatusCancelled}[i%3]
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := d.Transition(context.Background(), returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: to, Event: returns.Event{At: now, Actor: returns.ActorSystem, Type: returns.EventType(to)}})
			switch returns.ErrorCode(err) {
			case "":
				wins.Add(1)
			case returns.ECONFLICT:
				conflicts.Add(1)
			default:
				t.Errorf("transition: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != 29 {
		t.Errorf("wins %d, conflicts %d; want 1 and 29", wins.Load(), conflicts.Load())
	}
	if got := count(t, d, "events"); got != 2 {
		t.Errorf("%d events, want 2", got)
	}
}

// TestConcurrentWriters runs creates, transitions and reads from many goroutines
// at once on one DB: none may fail with "database is locked" and no row may be lost.
func TestConcurrentWriters(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	const workers, each = 20, 20

	var wg sync.WaitGroup
	errs := make(chan error, workers*each*4)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				orderID := fmt.Sprintf("gid://shopify/Order/%d", w)
				r := newReturn(orderID, fmt.Sprintf("key-%04d-%04d-xxxxxx", w, i), item("L1", 1))
				created, err := d.CreateReturn(ctx, r, map[string]int{"L1": each}, requestedEvent(), writeback(r), nil)
				if err != nil || !created {
					errs <- fmt.Errorf("create %d/%d: %v, %w", w, i, created, err)
					continue
				}
				wb := &returns.Writeback{OrderID: orderID, NoteLine: "approved", NextAt: now}
				if err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent(), Writeback: wb}); err != nil {
					errs <- fmt.Errorf("approve %d/%d: %w", w, i, err)
				}
				if _, err := d.ReturnsByOrder(ctx, orderID); err != nil {
					errs <- fmt.Errorf("read %d/%d: %w", w, i, err)
				}
				if _, err := d.DueWritebacks(ctx, now, 5); err != nil {
					errs <- fmt.Errorf("due %d/%d: %w", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			t.Error("a writer saw a locked database")
		}
		t.Fatal(err)
	}

	const n = workers * each
	for table, want := range map[string]int{"returns": n, "return_items": n, "events": 2 * n, "writebacks": 2 * n} {
		if got := count(t, d, table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	_, rp := d.Pools()
	var approved int
	if err := rp.QueryRow(`SELECT COUNT(*) FROM returns WHERE status = 'approved'`).Scan(&approved); err != nil || approved != n {
		t.Errorf("%d approved returns, want %d (%v)", approved, n, err)
	}
}

// TestTwoProcesses opens the file twice, as the server and an admin command
// would, and writes from both at once. Write transactions begin IMMEDIATE, so a
// transaction that reads before it writes waits for the lock (busy_timeout)
// instead of failing to upgrade it with "database is locked".
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	dbs := []*db.DB{mustOpenAt(t, path), mustOpenAt(t, path)}
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := dbs[w%2]
			for i := 0; i < 10; i++ {
				r := newReturn(order1, fmt.Sprintf("key-%04d-%04d-xxxxxx", w, i), item("L1", 1))
				if _, err := d.CreateReturn(ctx, r, map[string]int{"L1": 100}, requestedEvent(), writeback(r), nil); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := count(t, dbs[0], "returns"); got != 100 {
		t.Errorf("%d returns, want 100", got)
	}
}

func TestAddEvent(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreate(t, d, r, map[string]int{"L1": 1})

	note := returns.Event{ReturnID: r.ID, At: now.Add(time.Minute), Actor: returns.StaffActor(7), Type: returns.EventNote, Message: "Called the customer."}
	if err := d.AddEvent(ctx, note); err != nil {
		t.Fatal(err)
	}
	evs, err := d.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := evs[len(evs)-1]
	note.ID = got.ID
	if len(evs) != 2 || !reflect.DeepEqual(got, note) {
		t.Errorf("events = %+v, want the note last", evs)
	}
	if ret, err := d.ReturnByID(ctx, r.ID); err != nil || ret.Status != returns.StatusRequested || !ret.UpdatedAt.Equal(now) {
		t.Errorf("return changed: %+v, %v", ret, err)
	}

	t.Run("unknown return", func(t *testing.T) {
		ev := note
		ev.ReturnID = r.ID + 1
		if err := d.AddEvent(ctx, ev); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
	t.Run("an event with a status is refused", func(t *testing.T) {
		ev := note
		ev.Status = returns.StatusApproved
		if err := d.AddEvent(ctx, ev); err == nil {
			t.Error("stored a status change without its transition")
		}
	})
	if n := count(t, d, "events"); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
}

// An event the system writes keeps its message as a format and arguments of
// their domain types, so that staff's pages can show it in their language; the
// English text stays in Message for what reads it as stored.
func TestEventMessageRoundTrip(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreate(t, d, r, map[string]int{"L1": 1})

	eur := func(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }
	cases := []struct {
		name string
		msg  returns.Message
	}{
		{"no arguments", returns.Msg("Approved in Shopify admin.")},
		{"amounts and text", returns.Msg("%s; %s to be paid to the customer by staff (%s)", eur(4900), eur(2400), "Cash on delivery")},
		{"a number", returns.Msg("Photos deleted after %d days", 90)},
		{"domain values", returns.Msg("%s %s %s %s", returns.StatusApproved, returns.KindDamaged, returns.Reason("too_small"), returns.Resolution("refund"))},
		{"a nested message", returns.Msg("Shopify order not updated yet, will retry: %s", returns.Msg("Shopify refused: %s", "busy"))},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := returns.Event{ReturnID: r.ID, At: now.Add(time.Duration(i+1) * time.Minute), Actor: returns.ActorSystem, Type: returns.EventRefundFailed,
				Message: tc.msg.String(), Msg: tc.msg}
			if err := d.AddEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			evs, err := d.Events(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := evs[len(evs)-1]
			ev.ID = got.ID
			if !reflect.DeepEqual(got, ev) {
				t.Errorf("read back\n%#v\nwant\n%#v", got, ev)
			}
		})
	}

	t.Run("an argument that cannot be read back", func(t *testing.T) {
		ev := returns.Event{ReturnID: r.ID, At: now.Add(time.Hour), Actor: returns.ActorSystem, Type: returns.EventRefundFailed,
			Msg: returns.Msg("%v", 1.5)}
		if err := d.AddEvent(ctx, ev); err == nil {
			t.Error("stored a message whose argument no page could render")
		}
	})
}
