package shopify_test

import (
	"context"
	"testing"
	"time"
)

// TestHeldRefundDoesNotHoldLookups: while a refund is held at Shopify, a
// customer's lookup of another order through the same Client completes. The
// check is one of liveness, not of timing: the lookup must finish while the
// refund is still held, within a generous cap.
func TestHeldRefundDoesNotHoldLookups(t *testing.T) {
	ctx := context.Background()
	c, shop := MustOpen(t)
	release := shop.HoldMutations()
	defer release()

	refunded := make(chan error, 1)
	go func() {
		_, err := c.CreateRefund(ctx, refundOf1001("k-held", eur(1000)))
		refunded <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for shop.Waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the refund never reached the demo store")
		}
		time.Sleep(time.Millisecond)
	}

	looked := make(chan error, 1)
	go func() {
		o, err := c.FindOrder(ctx, "1002", "sam.taylor@example.com")
		if err == nil && o.Name != "#1002" {
			t.Errorf("FindOrder found %s, want #1002", o.Name)
		}
		looked <- err
	}()
	select {
	case err := <-looked:
		if err != nil {
			t.Fatalf("lookup while a refund is held: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lookup did not finish while a refund was held")
	}
	if shop.Waiting() != 1 {
		t.Fatalf("%d mutations held after the lookup, want the refund still held", shop.Waiting())
	}

	release()
	select {
	case err := <-refunded:
		if err != nil {
			t.Fatalf("the refund after release: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the refund did not finish after release")
	}
	if snap, _ := shop.OrderByName("#1001"); len(snap.Refunds) != 1 {
		t.Fatalf("refunds %+v, want one", snap.Refunds)
	}
}
