package handlers_test

import (
	"context"
	"testing"

	returns "github.com/returnsportal/returns"
)

// checkRefundKeys fails the test unless the return's ledger holds one refund,
// made with formKey, and the demo store's one refund of the order was asked
// for with that key alone, with no other key reaching the order. Exactly once
// rests on it: a retry with a fresh key (after a crash, by the reconciler)
// would be a second refund at Shopify as soon as the first answer is lost.
func checkRefundKeys(t *testing.T, h *harness, code, orderName, formKey string) {
	t.Helper()
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := h.store.RefundsByReturn(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].IdempotencyKey != formKey {
		t.Fatalf("ledger %+v, want one refund with the form's key %q", refs, formKey)
	}
	snap, _ := h.shop.OrderByName(orderName)
	if len(snap.Refunds) != 1 {
		t.Fatalf("%s has refunds %+v, want one", orderName, snap.Refunds)
	}
	if !onlyKey(snap.Refunds[0].Keys, formKey) || !onlyKey(snap.RefundKeys, formKey) {
		t.Fatalf("Shopify got keys %q for the refund and %q for %s, want only the ledger's %q",
			snap.Refunds[0].Keys, snap.RefundKeys, orderName, formKey)
	}
	if refs[0].State == returns.RefundSucceeded && refs[0].ShopifyID != snap.Refunds[0].ID {
		t.Fatalf("the ledger says %s, Shopify has %s", refs[0].ShopifyID, snap.Refunds[0].ID)
	}
}

// onlyKey reports whether keys holds key and nothing else.
func onlyKey(keys []string, key string) bool {
	if len(keys) == 0 {
		return false
	}
	for _, k := range keys {
		if k != key {
			return false
		}
	}
	return true
}
