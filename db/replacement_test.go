package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// orderedReplacement stores an approved replacement request of orderID whose
// replacement order was made at at.
func orderedReplacement(t *testing.T, d *db.DB, orderID, key, order string, at time.Time) *returns.Return {
	t.Helper()
	ctx := context.Background()
	r := newReturn(orderID, key, item("L1", 1))
	r.Resolution = returns.ResolutionReplacement
	mustCreate(t, d, r, map[string]int{"L1": 5})
	if err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent()}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.StartReplacement(ctx, r.ID, []returns.ReplacementLine{{LineItemID: "L1", Quantity: 1}}, at); err != nil {
		t.Fatal(err)
	}
	draft := "gid://shopify/DraftOrder/" + key
	if err := d.ReplacementDrafted(ctx, r.ID, draft, at); err != nil {
		t.Fatal(err)
	}
	if err := d.ReplacementCompleting(ctx, r.ID, at); err != nil {
		t.Fatal(err)
	}
	ev := returns.Event{At: at, Actor: returns.ActorSystem, Type: returns.EventReplacementOrdered, Message: "made"}
	if err := d.ReplacementOrdered(ctx, r.ID, draft, returns.ShopOrderRef{ID: "gid://shopify/Order/" + order, Name: "#" + order}, ev); err != nil {
		t.Fatal(err)
	}
	return r
}

// A check sends the row to the back of the pass's queue, without changing
// the return's version: an old row checked every pass does not keep a newer
// one out of a batch.
func TestReplacementsToFollow_LeastRecentlyCheckedFirst(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	older := orderedReplacement(t, d, order1, "key-0000000000000001", "1009", now)
	newer := orderedReplacement(t, d, order2, "key-0000000000000002", "1010", now.Add(time.Hour))

	rs, err := d.ReplacementsToFollow(ctx, 1)
	if err != nil || len(rs) != 1 || rs[0].ID != older.ID {
		t.Fatalf("first batch %v, %v: want the older row", rs, err)
	}
	before := rs[0].Version
	if err := d.ReplacementChecked(ctx, older.ID, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rs, err = d.ReplacementsToFollow(ctx, 1)
	if err != nil || len(rs) != 1 || rs[0].ID != newer.ID {
		t.Fatalf("after checking the older row: %v, %v: want the newer row", rs, err)
	}
	if r, err := d.ReturnByID(ctx, older.ID); err != nil || r.Version != before {
		t.Errorf("a check moved the return's version from %d: %+v, %v", before, r, err)
	}
}
