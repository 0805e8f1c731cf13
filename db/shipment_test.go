package db_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// approved stores a return and approves it.
func approved(t *testing.T, d *db.DB, orderID, key string) *returns.Return {
	t.Helper()
	r := newReturn(orderID, key, item("L1", 1))
	// Room for a few returns of the same order.
	mustCreate(t, d, r, map[string]int{"L1": 5})
	if err := d.Transition(context.Background(), returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent()}); err != nil {
		t.Fatal(err)
	}
	r.Status = returns.StatusApproved
	return r
}

func shipChange(r *returns.Return, from returns.Status) returns.Change {
	return returns.Change{
		ReturnID: r.ID, From: from, To: returns.StatusReplacementShipped,
		Event:     returns.Event{At: now.Add(2 * time.Hour), Actor: returns.StaffActor(7), Type: returns.EventReplacementShipped, Status: returns.StatusReplacementShipped, Message: "DPD 05212345678901"},
		Writeback: &returns.Writeback{OrderID: r.OrderID, NoteLine: r.Code + ": replacement shipped", Tags: []string{"returns:replacement-shipped"}, NextAt: now},
	}
}

func shipment(at time.Time, number string) *returns.Shipment {
	return &returns.Shipment{Carrier: "dpd", CarrierName: "DPD", Number: number, TrackingURL: "https://tracking.dpd.de/status/en_US/parcel/" + number, ShippedAt: at}
}

func TestShipReplacement(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := approved(t, d, order1, "key-0000000000000001")

	sh := shipment(now.Add(2*time.Hour), "05212345678901")
	change := shipChange(r, returns.StatusApproved)
	before := counts(t, d)
	if err := d.ShipReplacement(ctx, sh, change); err != nil {
		t.Fatal(err)
	}
	if sh.ID == 0 || sh.ReturnID != r.ID || change.Writeback.ID == 0 || change.Writeback.ReturnID != r.ID {
		t.Errorf("ids not filled: shipment %+v, write-back %+v", sh, change.Writeback)
	}
	after := counts(t, d)
	if after["events"] != before["events"]+1 || after["writebacks"] != before["writebacks"]+1 || count(t, d, "shipments") != 1 {
		t.Errorf("rows before %v, after %v", before, after)
	}

	got, err := d.ReturnByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != returns.StatusReplacementShipped || !got.UpdatedAt.Equal(now.Add(2*time.Hour)) {
		t.Errorf("status %s, updated %v", got.Status, got.UpdatedAt)
	}
	if !reflect.DeepEqual(got.Shipments, []returns.Shipment{*sh}) {
		t.Errorf("shipments = %+v, want %+v", got.Shipments, *sh)
	}
	evs, err := d.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Type != returns.EventReplacementShipped || last.Status != returns.StatusReplacementShipped {
		t.Errorf("last event = %+v", last)
	}

	for _, tc := range []struct {
		name   string
		change returns.Change
		code   string
	}{
		// The return is replacement_shipped now: shipping again from approved
		// loses the compare-and-set.
		{"the return moved on", shipChange(r, returns.StatusApproved), returns.ECONFLICT},
		{"illegal transition", shipChange(r, returns.StatusRequested), returns.ECONFLICT},
		{"unknown return", shipChange(&returns.Return{ID: 999, OrderID: order1}, returns.StatusApproved), returns.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := counts(t, d)
			shipments := count(t, d, "shipments")
			sh := shipment(now, "1")
			err := d.ShipReplacement(ctx, sh, tc.change)
			if returns.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if after := counts(t, d); fmt.Sprint(after) != fmt.Sprint(before) || count(t, d, "shipments") != shipments || sh.ID != 0 {
				t.Errorf("stored something: before %v, after %v, shipment %+v", before, after, sh)
			}
		})
	}
}

func TestReturnLoads_ShipmentsAndRefunded(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := approved(t, d, order1, "key-0000000000000001")
	other := approved(t, d, order1, "key-0000000000000002")

	// Two shipments (a second parcel), the later one stored first.
	first, second := shipment(now.Add(time.Hour), "1111"), shipment(now.Add(2*time.Hour), "2222")
	if err := d.ShipReplacement(ctx, first, shipChange(r, returns.StatusApproved)); err != nil {
		t.Fatal(err)
	}
	w, _ := d.Pools()
	if _, err := w.Exec(`INSERT INTO shipments (return_id, carrier, carrier_name, number, tracking_url, shipped_at) VALUES (?, 'dpd', 'DPD', '2222', ?, ?)`,
		r.ID, second.TrackingURL, second.ShippedAt.UnixMilli()); err != nil {
		t.Fatal(err)
	}

	// Refunds of other: 10.00 succeeded, 5.00 succeeded, 3.00 failed, 2.00
	// pending. CreateRefund allows one refund of a return that has not failed,
	// so the rows go in directly, as a ledger of several refunds of one return
	// would hold them.
	for i, tc := range []struct {
		minor int64
		state returns.RefundState
	}{{10_00, returns.RefundSucceeded}, {5_00, returns.RefundSucceeded}, {3_00, returns.RefundFailed}, {2_00, returns.RefundPending}} {
		if _, err := w.Exec(`INSERT INTO refunds (return_id, order_id, amount_minor, currency, idempotency_key, state, staff_id, created_at, updated_at)
			VALUES (?, ?, ?, 'EUR', ?, ?, 7, ?, ?)`, other.ID, other.OrderID, tc.minor, fmt.Sprintf("%032x", i+1), tc.state, now.UnixMilli(), now.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}

	check := func(t *testing.T, got *returns.Return) {
		t.Helper()
		switch got.ID {
		case r.ID:
			if len(got.Shipments) != 2 || got.Shipments[0].Number != "1111" || got.Shipments[1].Number != "2222" {
				t.Errorf("shipments = %+v", got.Shipments)
			}
			if got.Refunded != (returns.Money{Currency: "EUR"}) {
				t.Errorf("refunded = %+v, want 0 EUR", got.Refunded)
			}
		case other.ID:
			if got.Shipments != nil {
				t.Errorf("shipments = %+v", got.Shipments)
			}
			if got.Refunded != (returns.Money{Minor: 15_00, Currency: "EUR"}) {
				t.Errorf("refunded = %+v, want 15.00 EUR", got.Refunded)
			}
		default:
			t.Errorf("unexpected return %d", got.ID)
		}
	}
	for _, x := range []*returns.Return{r, other} {
		for name, read := range map[string]func() (*returns.Return, error){
			"ReturnByID":         func() (*returns.Return, error) { return d.ReturnByID(ctx, x.ID) },
			"ReturnByCode":       func() (*returns.Return, error) { return d.ReturnByCode(ctx, x.Code) },
			"ReturnBySubmission": func() (*returns.Return, error) { return d.ReturnBySubmission(ctx, order1, x.SubmissionKey) },
		} {
			t.Run(name, func(t *testing.T) {
				got, err := read()
				if err != nil {
					t.Fatal(err)
				}
				check(t, got)
			})
		}
	}
	t.Run("ReturnsByOrder", func(t *testing.T) {
		rs, err := d.ReturnsByOrder(ctx, order1)
		if err != nil || len(rs) != 2 {
			t.Fatalf("= %v, %v", rs, err)
		}
		for i := range rs {
			check(t, &rs[i])
		}
	})
	t.Run("Queue", func(t *testing.T) {
		rs, err := d.Queue(ctx, returns.QueueFilter{})
		if err != nil || len(rs) != 2 {
			t.Fatalf("= %v, %v", rs, err)
		}
		for i := range rs {
			check(t, &rs[i])
		}
	})
}
