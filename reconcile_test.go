package returns_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// TestReconcileRefunds covers the background pass over unsettled refunds.
func TestReconcileRefunds(t *testing.T) {
	ctx := context.Background()
	found := func(id string) func(context.Context, string, string) (string, bool, error) {
		return func(context.Context, string, string) (string, bool, error) { return id, true, nil }
	}

	t.Run("FoundByKey", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
		f.refunder.FindRefundFn = found("gid://shopify/Refund/900")
		f.ReconcileRefunds(ctx)
		created, keys := f.refunder.calls()
		if len(created) != 0 || !slices.Equal(keys, []string{testKey}) {
			t.Errorf("Shopify asked for %d refunds and looked for %q; want it found by its key alone", len(created), keys)
		}
		if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/900" {
			t.Errorf("ledger %+v", got)
		}
		f.checkRefunded(t, r, eur(2400))
	})

	t.Run("NotFoundAsksAgainWithTheSameKey", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
		f.ReconcileRefunds(ctx)
		created, keys := f.refunder.calls()
		if !slices.Equal(keys, []string{testKey}) || len(created) != 1 {
			t.Fatalf("looked for %q, asked %+v; want one look and one request", keys, created)
		}
		if req := created[0]; req.Key != testKey || req.Amount != eur(2400) || !strings.Contains(req.Note, testKey) || len(req.Transactions) != 1 || req.Transactions[0].ParentID != "gid://shopify/OrderTransaction/71" {
			t.Errorf("asked again with %+v, want the stored key and amount", req)
		}
		if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/501" {
			t.Errorf("ledger %+v", got)
		}
		f.checkRefunded(t, r, eur(2400))
	})

	t.Run("NotFoundAndRefused", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
		f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
			return "", returns.Errorf(returns.EINVALID, "Card expired.")
		}
		f.ReconcileRefunds(ctx)
		if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundFailed || got.Error != "Card expired." {
			t.Errorf("ledger %+v, want failed", got)
		}
		if got := f.store.eventTypes(r.ID); !slices.Equal(got, []returns.EventType{returns.EventRefundFailed}) {
			t.Errorf("timeline %v", got)
		}
		if !strings.Contains(f.logs.String(), "reconcile refund") {
			t.Errorf("log %q, want the failed reconciliation logged", f.logs.String())
		}
	})

	t.Run("NoPaymentLeftSettlesFailed", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
		f.shop.orders["gid://shopify/Order/1001"].Payments = nil
		f.refunder.NoPayments = true
		f.ReconcileRefunds(ctx)
		if created, _ := f.refunder.calls(); len(created) != 0 {
			t.Errorf("Shopify asked %d times without a payment to refund", len(created))
		}
		if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundFailed || got.Error != "The order has no payment that can be refunded." {
			t.Errorf("ledger %+v, want failed", got)
		}
	})

	t.Run("ReturnMovedOnSettlesTheMoneyAlone", func(t *testing.T) {
		f := newRefundFixture(t)
		r := f.addReturn(returns.StatusReplacementShipped)
		ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
		f.refunder.FindRefundFn = found("gid://shopify/Refund/900")
		f.ReconcileRefunds(ctx)
		if got := f.ledger.byID(t, ref.ID); got.State != returns.RefundSucceeded || got.ShopifyID != "gid://shopify/Refund/900" {
			t.Errorf("ledger %+v, want the money recorded", got)
		}
		if got := f.status(t, r.ID); got != returns.StatusReplacementShipped {
			t.Errorf("status %s, want replacement_shipped", got)
		}
		f.checkNothingWritten(t, r.ID)
	})

	t.Run("PendingOnlyAfterItsGrace", func(t *testing.T) {
		f := newRefundFixture(t)
		fresh := f.addReturn(returns.StatusApproved)
		cutOff := f.addReturn(returns.StatusApproved)
		settled := f.addReturn(returns.StatusRefunded)
		f.ledger.add(unsettled(fresh, testKey, returns.RefundPending, time.Minute))
		f.ledger.add(unsettled(cutOff, otherKey, returns.RefundPending, 3*time.Minute))
		f.ledger.add(unsettled(settled, fmt.Sprintf("%032x", 3), returns.RefundSucceeded, time.Hour))
		f.ledger.add(unsettled(settled, fmt.Sprintf("%032x", 4), returns.RefundFailed, time.Hour))
		f.ReconcileRefunds(ctx)
		if _, keys := f.refunder.calls(); !slices.Equal(keys, []string{otherKey}) {
			t.Errorf("looked for %q, want only the refund pending for longer than the grace", keys)
		}
	})

	t.Run("HonoursTheContext", func(t *testing.T) {
		f := newRefundFixture(t)
		a := f.addReturn(returns.StatusApproved)
		f.ledger.add(unsettled(a, testKey, returns.RefundUnknown, 20*time.Minute))
		for i := range 3 {
			f.ledger.add(unsettled(f.addReturn(returns.StatusApproved), fmt.Sprintf("%032x", i+1), returns.RefundUnknown, 10*time.Minute))
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		f.refunder.FindRefundFn = func(context.Context, string, string) (string, bool, error) {
			cancel() // the process stops while the first refund is settled
			return "gid://shopify/Refund/900", true, nil
		}
		f.ReconcileRefunds(ctx)
		if _, keys := f.refunder.calls(); !slices.Equal(keys, []string{testKey}) {
			t.Errorf("looked for %q after the context ended, want the first refund's key alone", keys)
		}
		// The pass stops: it does not go on to the next refunds only to
		// give up waiting for each.
		if log := f.logs.String(); strings.Contains(log, "reconcile refund") {
			t.Errorf("log %q, want no reconciliation tried after the context ended", log)
		}
	})

	t.Run("LedgerUnreadableIsLogged", func(t *testing.T) {
		f := newRefundFixture(t)
		f.ledger.UnsettledRefundsFn = func(time.Time) ([]returns.Refund, error) { return nil, errors.New("disk I/O error") }
		f.ReconcileRefunds(ctx)
		if log := f.logs.String(); !strings.Contains(log, "read unsettled refunds") || !strings.Contains(log, "disk I/O error") {
			t.Errorf("log %q, want the failed read", log)
		}
	})
}

// TestReconcileRefund covers the staff's button that settles one refund now.
func TestReconcileRefund(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	other := f.addReturn(returns.StatusApproved)
	done := f.ledger.add(unsettled(r, fmt.Sprintf("%032x", 1), returns.RefundFailed, time.Hour))
	unknown := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, time.Minute))
	ofOther := f.ledger.add(unsettled(other, otherKey, returns.RefundUnknown, time.Minute))

	for _, tc := range []struct {
		name string
		code string
		id   int64
	}{
		{"UnknownReturn", "R-22222222", unknown.ID},
		{"NoSuchRefund", r.Code, 999},
		{"RefundOfAnotherReturn", r.Code, ofOther.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := f.ReconcileRefund(ctx, tc.code, tc.id); got != nil || returns.ErrorCode(err) != returns.ENOTFOUND {
				t.Errorf("ReconcileRefund() = %+v, %v; want ENOTFOUND", got, err)
			}
		})
	}

	t.Run("SettledIsAnsweredAsItStands", func(t *testing.T) {
		got, err := f.ReconcileRefund(ctx, r.Code, done.ID)
		if err != nil || got.ID != done.ID || got.State != returns.RefundFailed {
			t.Errorf("ReconcileRefund() = %+v, %v", got, err)
		}
		if created, keys := f.refunder.calls(); len(created) != 0 || len(keys) != 0 {
			t.Errorf("Shopify asked about a settled refund")
		}
	})

	t.Run("Unknown", func(t *testing.T) {
		got, err := f.ReconcileRefund(ctx, strings.ToLower(r.Code), unknown.ID)
		if err != nil || got.ID != unknown.ID || got.State != returns.RefundSucceeded {
			t.Fatalf("ReconcileRefund() = %+v, %v; want it succeeded", got, err)
		}
		if got := f.ledger.byID(t, ofOther.ID); got.State != returns.RefundUnknown {
			t.Errorf("another return's refund was settled too: %+v", got)
		}
	})
}

// TestRunFirstPassTakesEveryPendingRefund: at start no refund can be in
// flight, so the first pass takes the pending ones within their grace too;
// Run returns when its context ends.
func TestRunFirstPassTakesEveryPendingRefund(t *testing.T) {
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	ref := f.ledger.add(unsettled(r, testKey, returns.RefundPending, time.Second))

	f.ReconcileRefunds(context.Background())
	if _, keys := f.refunder.calls(); len(keys) != 0 {
		t.Fatalf("a later pass looked for %q, a refund within its grace", keys)
	}

	asked := make(chan string, 1)
	f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
		asked <- key
		return "gid://shopify/Refund/900", true, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		f.Run(ctx, time.Hour)
	}()
	if key := waitFor(t, asked, "the first pass looks for the pending refund"); key != testKey {
		t.Errorf("looked for %q", key)
	}
	eventually(t, "the first pass settles the refund", func() bool {
		got := f.ledger.byID(t, ref.ID)
		return got.Settled()
	})
	cancel()
	waitFor(t, stopped, "Run returns after its context ended")
}

// TestReconcilesOfOneRefundTakeTurns: the staff's button and the background
// pass meeting on one refund do not ask Shopify about it at once, and its
// outcome is recorded once.
func TestReconcilesOfOneRefundTakeTurns(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
	entered, release := make(chan struct{}, 4), make(chan struct{})
	var inFlight, most atomic.Int32
	f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		entered <- struct{}{}
		<-release
		return "gid://shopify/Refund/900", true, nil
	}
	button := goErr(func() error { _, err := f.ReconcileRefund(ctx, r.Code, ref.ID); return err })
	waitFor(t, entered, "the staff's reconciliation asks Shopify")
	pass := goErr(func() error { f.ReconcileRefunds(ctx); return nil })
	eventually(t, "the background pass waits for the refund, or asks Shopify too", func() bool {
		return returns.ReconcilersOf(f.RefundService, testKey) == 2 || len(entered) > 0
	})
	if len(entered) > 0 {
		t.Fatal("the background pass asked Shopify while the staff's reconciliation was asking")
	}
	close(release)
	if err := waitFor(t, button, "the staff's reconciliation ends"); err != nil {
		t.Errorf("ReconcileRefund() = %v", err)
	}
	waitFor(t, pass, "the background pass ends")
	if n := most.Load(); n != 1 {
		t.Errorf("%d calls about the refund at once, want 1", n)
	}
	if created, _ := f.refunder.calls(); len(created) != 0 {
		t.Errorf("Shopify asked for %d refunds, want none: it was found", len(created))
	}
	f.checkRefunded(t, r, eur(2400))
	if n := returns.ReconcilersOf(f.RefundService, testKey); n != 0 {
		t.Errorf("%d holders of the refund's lock after both ended, want none", n)
	}
}

// TestReconcileAfterWaitingAsksNothingOfASettledRefund: a reconciliation that
// waited for the refund while another settled it finds the outcome in the
// ledger and asks Shopify nothing more: not even with the same key may a
// refused refund be asked for again, since the ledger says it failed.
func TestReconcileAfterWaitingAsksNothingOfASettledRefund(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer error
		want   returns.RefundState
	}{
		{"Refused", returns.Errorf(returns.EINVALID, "Card expired."), returns.RefundFailed},
		{"Made", nil, returns.RefundSucceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newRefundFixture(t)
			r := f.addReturn(returns.StatusApproved)
			ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
			entered, release := make(chan struct{}, 4), make(chan struct{})
			f.refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
				entered <- struct{}{}
				<-release
				return "gid://shopify/Refund/900", tc.answer
			}
			button := goErr(func() error { _, err := f.ReconcileRefund(ctx, r.Code, ref.ID); return err })
			waitFor(t, entered, "the staff's reconciliation asks Shopify again")
			pass := goErr(func() error { f.ReconcileRefunds(ctx); return nil })
			eventually(t, "the background pass waits for the refund", func() bool {
				return returns.ReconcilersOf(f.RefundService, testKey) == 2
			})
			close(release)
			waitFor(t, button, "the staff's reconciliation ends")
			waitFor(t, pass, "the background pass ends")

			created, keys := f.refunder.calls()
			if len(created) != 1 || len(keys) != 1 {
				t.Errorf("Shopify asked for %d refunds and looked for %d; want one of each, by the first reconciliation", len(created), len(keys))
			}
			if got := f.ledger.byID(t, ref.ID); got.State != tc.want {
				t.Errorf("ledger %+v, want %s", got, tc.want)
			}
			if log := f.logs.String(); strings.Contains(log, "reconcile refund") {
				t.Errorf("log %q: the second reconciliation failed", log)
			}
		})
	}
}

// TestReconcilesOfTwoRefundsRunSideBySide: the lock is per refund: one held at
// Shopify does not hold up another's.
func TestReconcilesOfTwoRefundsRunSideBySide(t *testing.T) {
	ctx := context.Background()
	f := newRefundFixture(t)
	a, b := f.addReturn(returns.StatusApproved), f.addReturn(returns.StatusApproved)
	refA := f.ledger.add(unsettled(a, testKey, returns.RefundUnknown, 10*time.Minute))
	refB := f.ledger.add(unsettled(b, otherKey, returns.RefundUnknown, 10*time.Minute))
	entered, release := make(chan string, 4), make(chan struct{})
	f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
		entered <- key
		if key == testKey {
			<-release
		}
		return "gid://shopify/Refund/" + key, true, nil
	}
	first := goErr(func() error { _, err := f.ReconcileRefund(ctx, a.Code, refA.ID); return err })
	waitFor(t, entered, "the first refund is looked for")
	if err := waitFor(t, goErr(func() error { _, err := f.ReconcileRefund(ctx, b.Code, refB.ID); return err }), "the other refund is settled while the first is held"); err != nil {
		t.Errorf("ReconcileRefund(b) = %v", err)
	}
	close(release)
	if err := waitFor(t, first, "the first refund is settled"); err != nil {
		t.Errorf("ReconcileRefund(a) = %v", err)
	}
}

// TestReconcileWaitEndsWithTheRequest: staff waiting for a refund another
// reconciliation holds stop waiting when their request ends.
func TestReconcileWaitEndsWithTheRequest(t *testing.T) {
	f := newRefundFixture(t)
	r := f.addReturn(returns.StatusApproved)
	ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, 10*time.Minute))
	entered, release := make(chan struct{}, 4), make(chan struct{})
	f.refunder.FindRefundFn = func(ctx context.Context, orderID, key string) (string, bool, error) {
		entered <- struct{}{}
		<-release
		return "gid://shopify/Refund/900", true, nil
	}
	pass := goErr(func() error { f.ReconcileRefunds(context.Background()); return nil })
	waitFor(t, entered, "the background pass asks Shopify")
	ctx, cancel := context.WithCancel(context.Background())
	button := goErr(func() error { _, err := f.ReconcileRefund(ctx, r.Code, ref.ID); return err })
	eventually(t, "the staff's request waits for the refund", func() bool {
		return returns.ReconcilersOf(f.RefundService, testKey) == 2
	})
	cancel()
	if err := waitFor(t, button, "the staff's request gives up"); !errors.Is(err, context.Canceled) {
		t.Errorf("ReconcileRefund() = %v, want context.Canceled", err)
	}
	close(release)
	waitFor(t, pass, "the background pass ends")
	if _, keys := f.refunder.calls(); len(keys) != 1 {
		t.Errorf("looked for the refund %d times, want once", len(keys))
	}
}
