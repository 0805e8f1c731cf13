package db_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// newRefund returns a pending refund of r's order with an idempotency key.
func newRefund(r *returns.Return, key string, minor int64) *returns.Refund {
	return &returns.Refund{
		ReturnID: r.ID, OrderID: r.OrderID, Amount: returns.Money{Minor: minor, Currency: "EUR"},
		IdempotencyKey: key, State: returns.RefundPending, StaffID: 7, CreatedAt: now, UpdatedAt: now,
	}
}

func mustCreateRefund(t *testing.T, d *db.DB, ref *returns.Refund, lim returns.RefundLimits) {
	t.Helper()
	created, err := d.CreateRefund(context.Background(), ref, lim)
	if err != nil || !created || ref.ID == 0 {
		t.Fatalf("CreateRefund = %v, %v (id %d); want created", created, err, ref.ID)
	}
}

const key1, key2, key3 = "00000000000000000000000000000001", "00000000000000000000000000000002", "00000000000000000000000000000003"

var (
	paid = returns.Money{Minor: 58_00, Currency: "EUR"}
	// limits lets a return be refunded up to all the customer paid; tests of
	// the return's own limit set a lower one.
	limits = returns.RefundLimits{Return: paid, Paid: paid}
)

func TestCreateRefund(t *testing.T) {
	ctx := context.Background()

	t.Run("same key twice stores one", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		first := newRefund(r, key1, 29_00)
		first.Reason = "the return postage"
		mustCreateRefund(t, d, first, limits)

		again := newRefund(r, key1, 29_00)
		again.CreatedAt = now.Add(time.Minute)
		created, err := d.CreateRefund(ctx, again, limits)
		if err != nil || created {
			t.Fatalf("again = %v, %v; want not created", created, err)
		}
		if !reflect.DeepEqual(*again, *first) {
			t.Errorf("loaded %+v\nwant   %+v", *again, *first)
		}
		if n := count(t, d, "refunds"); n != 1 {
			t.Errorf("%d refunds", n)
		}
		// Loaded, not checked again: the first refund does not block itself.
		full := newRefund(r, key1, 29_00)
		if created, err := d.CreateRefund(ctx, full, limits); err != nil || created {
			t.Errorf("the same key again = %v, %v", created, err)
		}
	})

	t.Run("same key at the same time stores one", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		const n = 8
		var wg sync.WaitGroup
		refs := make([]*returns.Refund, n)
		createdN := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			refs[i] = newRefund(r, key1, 40_00)
			wg.Go(func() { createdN[i], errs[i] = d.CreateRefund(ctx, refs[i], limits) })
		}
		wg.Wait()
		made := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
			if createdN[i] {
				made++
			}
			if refs[i].ID != refs[0].ID {
				t.Errorf("goroutine %d has refund %d, goroutine 0 has %d", i, refs[i].ID, refs[0].ID)
			}
		}
		if made != 1 || count(t, d, "refunds") != 1 {
			t.Errorf("%d created, %d rows; want 1", made, count(t, d, "refunds"))
		}
	})

	t.Run("different keys on one return at the same time store one", func(t *testing.T) {
		// Two tabs, two staff members: each form has a key of its own, and
		// each amount alone is within every limit.
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = d.CreateRefund(ctx, newRefund(r, fmt.Sprintf("%032x", i), 5_00), limits) })
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch returns.ErrorCode(err) {
			case "":
				ok++
			case returns.ECONFLICT:
				if msg := returns.ErrorMessage(err).String(); !strings.Contains(msg, "A refund of 5.00 EUR for this return is being made already") {
					t.Errorf("goroutine %d: message %q", i, msg)
				}
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		if ok != 1 || count(t, d, "refunds") != 1 {
			t.Errorf("%d created, %d rows; want 1", ok, count(t, d, "refunds"))
		}
	})

	t.Run("different returns of one order at the same time stay within what was paid", func(t *testing.T) {
		d := MustOpenDB(t)
		const n = 5
		rs := make([]*returns.Return, n)
		for i := range n {
			rs[i] = approved(t, d, order1, fmt.Sprintf("key-%016d", i))
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = d.CreateRefund(ctx, newRefund(rs[i], fmt.Sprintf("%032x", i), 20_00), limits) })
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch returns.ErrorCode(err) {
			case "":
				ok++
			case returns.ECONFLICT:
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		// 58.00 paid: two of 20.00 fit, a third does not.
		if ok != 2 || count(t, d, "refunds") != 2 {
			t.Errorf("%d created, %d rows; want 2", ok, count(t, d, "refunds"))
		}
	})

	t.Run("a succeeded refund blocks another of the same return", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		first := newRefund(r, key1, 6_50)
		mustCreateRefund(t, d, first, limits)
		// Settled without moving the return (the settling change conflicted):
		// the money went out all the same.
		if err := d.SettleRefund(ctx, first.ID, returns.RefundSucceeded, "gid://shopify/Refund/1", "", nil); err != nil {
			t.Fatal(err)
		}
		_, err := d.CreateRefund(ctx, newRefund(r, key2, 1_00), limits)
		if returns.ErrorCode(err) != returns.ECONFLICT || !strings.Contains(returns.ErrorMessage(err).String(), "This return was refunded already: 6.50 EUR") {
			t.Fatalf("err = %v, want ECONFLICT naming the refund", err)
		}
	})

	t.Run("the return's status is read inside the transaction", func(t *testing.T) {
		d := MustOpenDB(t)
		r := newReturn(order1, "key-0000000000000001", item("L1", 1))
		mustCreate(t, d, r, map[string]int{"L1": 5}) // requested, never approved
		_, err := d.CreateRefund(ctx, newRefund(r, key1, 1_00), limits)
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("refund of a requested return: %v, want ECONFLICT", err)
		}
		if n := count(t, d, "refunds"); n != 0 {
			t.Errorf("%d refunds", n)
		}
	})

	t.Run("the return's limit", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		lim := returns.RefundLimits{Return: returns.Money{Minor: 6_50, Currency: "EUR"}, Paid: paid}
		_, err := d.CreateRefund(ctx, newRefund(r, key1, 6_51), lim)
		if returns.ErrorCode(err) != returns.EINVALID {
			t.Fatalf("over the return's limit: %v, want EINVALID", err)
		}
		mustCreateRefund(t, d, newRefund(r, key2, 6_50), lim)
	})

	t.Run("what was paid", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		other := approved(t, d, order1, "key-0000000000000002") // the same order
		mustCreateRefund(t, d, newRefund(r, key1, 40_00), limits)

		_, err := d.CreateRefund(ctx, newRefund(other, key2, 18_01), limits)
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("over the limit: %v, want ECONFLICT", err)
		}
		if msg := returns.ErrorMessage(err).String(); msg != "This would refund more than the customer paid." {
			t.Errorf("message = %q", msg)
		}
		mustCreateRefund(t, d, newRefund(other, key2, 18_00), limits) // exactly up to it

		// Another order has a limit of its own.
		third := approved(t, d, "gid://shopify/Order/2", "key-0000000000000003")
		mustCreateRefund(t, d, newRefund(third, key3, 58_00), limits)
	})

	t.Run("failed refunds do not count", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		failed := newRefund(r, key1, 58_00)
		mustCreateRefund(t, d, failed, limits)
		if _, err := d.CreateRefund(ctx, newRefund(r, key2, 1), limits); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("pending counts: %v, want ECONFLICT", err)
		}
		if err := d.SettleRefund(ctx, failed.ID, returns.RefundFailed, "", "Refund amount exceeds", nil); err != nil {
			t.Fatal(err)
		}
		mustCreateRefund(t, d, newRefund(r, key2, 58_00), limits)
	})

	t.Run("unknown refunds count", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		lost := newRefund(r, key1, 58_00)
		mustCreateRefund(t, d, lost, limits)
		if err := d.SettleRefund(ctx, lost.ID, returns.RefundUnknown, "", "", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := d.CreateRefund(ctx, newRefund(r, key2, 1), limits); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("err = %v, want ECONFLICT", err)
		}
	})

	t.Run("bad input stores nothing", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		usd := newRefund(r, key2, 10_00)
		usd.Amount.Currency = "USD"
		other := approved(t, d, "gid://shopify/Order/2", "key-0000000000000002")
		otherOrder := newRefund(r, key2, 1_00)
		otherOrder.OrderID = "gid://shopify/Order/2"
		mustCreateRefund(t, d, newRefund(other, key3, 1_00), limits)
		for name, ref := range map[string]*returns.Refund{
			"zero":                    newRefund(r, key1, 0),
			"negative":                newRefund(r, key1, -1),
			"wrong currency":          usd,
			"no key":                  newRefund(r, "", 1_00),
			"key of another return's": newRefund(r, key3, 1_00),
			"order not the return's":  otherOrder,
		} {
			t.Run(name, func(t *testing.T) {
				if created, err := d.CreateRefund(ctx, ref, limits); err == nil || created {
					t.Errorf("= %v, %v; want an error", created, err)
				}
			})
		}
		if n := count(t, d, "refunds"); n != 1 {
			t.Errorf("%d refunds", n)
		}
	})
}

func refundedChange(r *returns.Return, from returns.Status) *returns.Change {
	return &returns.Change{
		ReturnID: r.ID, From: from, To: returns.StatusRefunded,
		Event:     returns.Event{At: now.Add(3 * time.Hour), Actor: returns.StaffActor(7), Type: returns.EventRefunded, Status: returns.StatusRefunded, Message: "29.00 EUR"},
		Writeback: &returns.Writeback{OrderID: r.OrderID, NoteLine: r.Code + ": refunded 29.00 EUR", Tags: []string{"returns:refunded"}, NextAt: now},
	}
}

func refundByID(t *testing.T, d *db.DB, r *returns.Return, id int64) returns.Refund {
	t.Helper()
	refs, err := d.RefundsByReturn(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		if ref.ID == id {
			return ref
		}
	}
	t.Fatalf("refund %d not found", id)
	return returns.Refund{}
}

func TestSettleRefund(t *testing.T) {
	ctx := context.Background()

	t.Run("succeeded with the change", func(t *testing.T) {
		d := MustOpenDB(t)
		d.Now = func() time.Time { return now.Add(3 * time.Hour) }
		r := approved(t, d, order1, "key-0000000000000001")
		ref := newRefund(r, key1, 29_00)
		mustCreateRefund(t, d, ref, limits)
		before := counts(t, d)
		change := refundedChange(r, returns.StatusApproved)
		if err := d.SettleRefund(ctx, ref.ID, returns.RefundSucceeded, "gid://shopify/Refund/9", "", change); err != nil {
			t.Fatal(err)
		}
		got := refundByID(t, d, r, ref.ID)
		if got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/9" || !got.UpdatedAt.Equal(now.Add(3*time.Hour)) || !got.CreatedAt.Equal(now) {
			t.Errorf("refund = %+v", got)
		}
		ret, err := d.ReturnByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ret.Status != returns.StatusRefunded || ret.Refunded != (returns.Money{Minor: 29_00, Currency: "EUR"}) {
			t.Errorf("return status %s, refunded %v", ret.Status, ret.Refunded)
		}
		after := counts(t, d)
		if after["events"] != before["events"]+1 || after["writebacks"] != before["writebacks"]+1 || change.Writeback.ID == 0 {
			t.Errorf("rows before %v, after %v", before, after)
		}

		t.Run("settling again conflicts", func(t *testing.T) {
			for _, state := range []returns.RefundState{returns.RefundSucceeded, returns.RefundFailed, returns.RefundUnknown} {
				err := d.SettleRefund(ctx, ref.ID, state, "gid://shopify/Refund/10", "", nil)
				if returns.ErrorCode(err) != returns.ECONFLICT {
					t.Errorf("%s: err = %v, want ECONFLICT", state, err)
				}
			}
			if got := refundByID(t, d, r, ref.ID); got.ShopifyID != "gid://shopify/Refund/9" {
				t.Errorf("refund = %+v", got)
			}
		})
	})

	t.Run("a failing change rolls the refund back too", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		ref := newRefund(r, key1, 29_00)
		mustCreateRefund(t, d, ref, limits)
		// Someone moved the return on meanwhile.
		if err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusApproved, To: returns.StatusItemReceived, Event: approveEvent()}); err != nil {
			t.Fatal(err)
		}
		before := counts(t, d)
		err := d.SettleRefund(ctx, ref.ID, returns.RefundSucceeded, "gid://shopify/Refund/9", "", refundedChange(r, returns.StatusApproved))
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
		if got := refundByID(t, d, r, ref.ID); got.State != returns.RefundPending || got.ShopifyID != "" {
			t.Errorf("refund = %+v, want still pending", got)
		}
		if after := counts(t, d); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("rows before %v, after %v", before, after)
		}
		// An illegal change is refused before anything is written.
		err = d.SettleRefund(ctx, ref.ID, returns.RefundSucceeded, "x", "", refundedChange(r, returns.StatusRequested))
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("illegal change: %v, want ECONFLICT", err)
		}
		if got := refundByID(t, d, r, ref.ID); got.State != returns.RefundPending {
			t.Errorf("refund = %+v, want still pending", got)
		}
	})

	t.Run("pending, unknown, unknown again, then failed", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		ref := newRefund(r, key1, 29_00)
		mustCreateRefund(t, d, ref, limits)
		for _, state := range []returns.RefundState{returns.RefundUnknown, returns.RefundUnknown} {
			if err := d.SettleRefund(ctx, ref.ID, state, "", "", nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.SettleRefund(ctx, ref.ID, returns.RefundFailed, "", "Amount too large", nil); err != nil {
			t.Fatal(err)
		}
		if got := refundByID(t, d, r, ref.ID); got.State != returns.RefundFailed || got.Error != "Amount too large" {
			t.Errorf("refund = %+v", got)
		}
		ret, err := d.ReturnByID(ctx, r.ID)
		if err != nil || ret.Status != returns.StatusApproved || ret.Refunded.Minor != 0 {
			t.Errorf("return = %+v, %v", ret, err)
		}
	})

	t.Run("unknown refund", func(t *testing.T) {
		d := MustOpenDB(t)
		if err := d.SettleRefund(ctx, 999, returns.RefundSucceeded, "x", "", nil); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("back to pending refused", func(t *testing.T) {
		d := MustOpenDB(t)
		r := approved(t, d, order1, "key-0000000000000001")
		ref := newRefund(r, key1, 29_00)
		mustCreateRefund(t, d, ref, limits)
		if err := d.SettleRefund(ctx, ref.ID, returns.RefundPending, "", "", nil); err == nil {
			t.Error("settled as pending")
		}
	})
}

func TestUnsettledRefunds(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	// One return per refund: a return has one refund that has not failed.
	returnN := 0
	mk := func(key string, created time.Time, state returns.RefundState) *returns.Refund {
		returnN++
		r := approved(t, d, fmt.Sprintf("gid://shopify/Order/%d", returnN), fmt.Sprintf("key-%016d", returnN))
		ref := newRefund(r, key, 1_00)
		ref.CreatedAt, ref.UpdatedAt = created, created
		mustCreateRefund(t, d, ref, limits)
		if state != returns.RefundPending {
			if err := d.SettleRefund(ctx, ref.ID, state, "", "", nil); err != nil {
				t.Fatal(err)
			}
		}
		return ref
	}
	cutoff := now.Add(-2 * time.Minute)
	unknownNew := mk("k1", now, returns.RefundUnknown)                    // unknown: always
	pendingOld := mk("k2", cutoff.Add(-time.Hour), returns.RefundPending) // cut off by a crash
	mk("k3", cutoff, returns.RefundPending)                               // still in flight
	mk("k4", now.Add(-time.Hour), returns.RefundSucceeded)
	mk("k5", now.Add(-time.Hour), returns.RefundFailed)
	unknownOld := mk("k6", now.Add(-3*time.Hour), returns.RefundUnknown)

	got, err := d.UnsettledRefunds(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ref := range got {
		keys = append(keys, ref.IdempotencyKey)
	}
	want := []string{unknownOld.IdempotencyKey, pendingOld.IdempotencyKey, unknownNew.IdempotencyKey}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v (oldest first)", keys, want)
	}
	if got[1].State != returns.RefundPending || got[1].ReturnID != pendingOld.ReturnID || got[1].Amount != (returns.Money{Minor: 1_00, Currency: "EUR"}) || got[1].StaffID != 7 {
		t.Errorf("refund = %+v", got[1])
	}
}

func TestRefundsByReturn(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := approved(t, d, order1, "key-0000000000000001")
	other := approved(t, d, order1, "key-0000000000000002")
	a, b := newRefund(r, key1, 1_00), newRefund(r, key2, 2_00)
	mustCreateRefund(t, d, a, limits)
	mustCreateRefund(t, d, newRefund(other, key3, 3_00), limits)
	// A second refund of r once the first failed.
	if err := d.SettleRefund(ctx, a.ID, returns.RefundFailed, "", "Refused", nil); err != nil {
		t.Fatal(err)
	}
	failed := refundByID(t, d, r, a.ID)
	mustCreateRefund(t, d, b, limits)
	got, err := d.RefundsByReturn(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []returns.Refund{failed, *b}) {
		t.Errorf("got  %+v\nwant %+v", got, []returns.Refund{failed, *b})
	}
	if none, err := d.RefundsByReturn(ctx, 999); err != nil || len(none) != 0 {
		t.Errorf("unknown return: %v, %v", none, err)
	}
}

// TestPartialRefundKept: a partial refund's reason and what the items were
// worth are stored with it, and the return shows its newest succeeded one;
// one still pending, or failed, is not shown.
func TestPartialRefundKept(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	r := approved(t, d, order1, "key-0000000000000001")
	ref := newRefund(r, key1, 29_00)
	ref.PartialReason, ref.Worth = "The scarf came back worn.", returns.Money{Minor: 49_00, Currency: "EUR"}
	mustCreateRefund(t, d, ref, limits)
	refs, err := d.RefundsByReturn(ctx, r.ID)
	if err != nil || len(refs) != 1 || refs[0].PartialReason != ref.PartialReason || refs[0].Worth != ref.Worth || !refs[0].Partial() {
		t.Fatalf("RefundsByReturn = %+v, %v; want the reason and the worth kept", refs, err)
	}
	got, err := d.ReturnByID(ctx, r.ID)
	if err != nil || got.PartialRefund != nil {
		t.Fatalf("pending: PartialRefund %+v, %v; want none yet", got.PartialRefund, err)
	}
	if err := d.SettleRefund(ctx, ref.ID, returns.RefundSucceeded, "gid://shopify/Refund/1", "", nil); err != nil {
		t.Fatal(err)
	}
	got, err = d.ReturnByID(ctx, r.ID)
	want := &returns.PartialRefund{Amount: ref.Amount, Of: ref.Worth, Reason: ref.PartialReason}
	if err != nil || !reflect.DeepEqual(got.PartialRefund, want) || got.Refunded.Minor != 29_00 {
		t.Fatalf("succeeded: PartialRefund %+v, refunded %v, %v; want %+v", got.PartialRefund, got.Refunded, err, want)
	}
}
