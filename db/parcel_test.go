package db_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

func parcelOf(r *returns.Return) (*returns.Parcel, returns.Event) {
	p := &returns.Parcel{ReturnID: r.ID, Carrier: "dpd", CarrierName: "DPD", Number: "05212345678901",
		TrackingURL: "https://tracking.dpd.de/status/en_US/parcel/05212345678901", SentAt: now.Add(time.Hour)}
	return p, returns.Event{ReturnID: r.ID, At: p.SentAt, Actor: returns.ActorCustomer, Type: returns.EventParcelSent, Message: "DPD 05212345678901"}
}

// dueSync returns the return's row to sync with Shopify, if it has one.
func dueSync(t *testing.T, d *db.DB, returnID int64) (returns.ShopReturnSync, bool) {
	t.Helper()
	due, err := d.DueShopReturnSyncs(context.Background(), now.Add(24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range due {
		if s.ReturnID == returnID {
			return s, true
		}
	}
	return returns.ShopReturnSync{}, false
}

// TestAddParcel: a customer's parcel is stored with its event, moves the
// return's version on and makes it due for its Shopify sync, in one
// transaction; once per return, and only in the status the service checked.
func TestAddParcel(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	r := approved(t, d, order1, "key-0000000000000001")
	before, _ := d.ReturnByID(ctx, r.ID)
	if s, ok := dueSync(t, d, r.ID); ok {
		if err := d.ShopReturnSynced(ctx, r.ID, s.Seq); err != nil {
			t.Fatal(err)
		}
	}
	p, ev := parcelOf(r)
	if err := d.AddParcel(ctx, p, returns.StatusApproved, ev); err != nil {
		t.Fatalf("AddParcel = %v", err)
	}
	got, err := d.ReturnByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Parcel, p) {
		t.Errorf("parcel %+v, want %+v", got.Parcel, p)
	}
	if got.Version <= before.Version {
		t.Errorf("version %d, want above %d: the status page shows the parcel", got.Version, before.Version)
	}
	if _, ok := dueSync(t, d, r.ID); !ok {
		t.Error("the return is not due for its Shopify sync")
	}
	evs, _ := d.Events(ctx, r.ID)
	if last := evs[len(evs)-1]; last.Type != returns.EventParcelSent || last.Message != "DPD 05212345678901" || last.Actor != returns.ActorCustomer {
		t.Errorf("last event %+v, want the parcel's", last)
	}

	again, ev2 := parcelOf(r)
	again.Number = "99"
	if err := d.AddParcel(ctx, again, returns.StatusApproved, ev2); err != returns.ErrParcelTold {
		t.Errorf("a second parcel = %v, want ErrParcelTold", err)
	}
	moved := approved(t, d, order1, "key-0000000000000002")
	if err := d.Transition(ctx, returns.Change{ReturnID: moved.ID, From: returns.StatusApproved, To: returns.StatusItemReceived,
		Event: returns.Event{At: now, Actor: returns.StaffActor(7), Type: returns.EventItemReceived, Status: returns.StatusItemReceived}}); err != nil {
		t.Fatal(err)
	}
	late, ev3 := parcelOf(moved)
	if err := d.AddParcel(ctx, late, returns.StatusApproved, ev3); err != returns.ErrParcelNotNow {
		t.Errorf("a parcel of a return received meanwhile = %v, want ErrParcelNotNow", err)
	}
	if n := count(t, d, "return_parcels"); n != 1 {
		t.Errorf("%d parcels stored, want 1", n)
	}
	evs2, _ := d.Events(ctx, r.ID)
	if len(evs2) != len(evs) {
		t.Errorf("refused parcels added events: %d, want %d", len(evs2), len(evs))
	}

	if err := d.SetParcelInShopify(ctx, r.ID, "gid://shopify/ReverseDelivery/9", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.ReturnByID(ctx, r.ID); got.Parcel.ReverseDeliveryID != "gid://shopify/ReverseDelivery/9" || !got.Parcel.InShopify() {
		t.Errorf("parcel %+v, want it in Shopify", got.Parcel)
	}

	// Erasing the customer's data erases the parcel's number and link.
	if _, err := d.ErasePersonalData(ctx, returns.Erasure{OrderIDs: []string{order1}, At: now, Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.ReturnByID(ctx, r.ID); got.Parcel.Number != "" || got.Parcel.TrackingURL != "" {
		t.Errorf("parcel after erasure %+v, want no number or link", got.Parcel)
	}
}
