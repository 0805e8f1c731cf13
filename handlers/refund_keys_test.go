package handlers_test

import (
	"context"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// checkRefundKeys fails the test unless the return's ledger holds one refund,
// made with formKey, and the demo store's one refund of the order was asked
// for with that key alone, with no other key reaching the order. Exactly once
// rests on it: a retry with a fresh key (after a crash, by the reconciler)
// would be a second refund at Shopify as soon as the first answer is lost.
// A refund made by processing the return's Shopify return (returnProcess,
// which takes no idempotency key) must be the return's, with the return's
// units processed once and the key in its note.
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
	if len(snap.RefundDetails) == 1 && snap.RefundDetails[0].Return != "" {
		if len(snap.Refunds[0].Keys) != 0 || len(snap.RefundKeys) != 0 || !strings.Contains(snap.Refunds[0].Note, formKey) {
			t.Fatalf("the refund made by the return has keys %q (the order %q) and note %q, want no key and the ledger's %q in the note",
				snap.Refunds[0].Keys, snap.RefundKeys, snap.Refunds[0].Note, formKey)
		}
		if len(snap.Returns) != 1 || snap.Returns[0].ID != snap.RefundDetails[0].Return || len(snap.Returns[0].Refunds) != 1 {
			t.Fatalf("%s has returns %+v, want one, with the one refund", orderName, snap.Returns)
		}
		for _, l := range snap.Returns[0].Lines {
			if l.Processed != l.Quantity {
				t.Fatalf("return line %+v not processed once in full", l)
			}
		}
	} else if !onlyKey(snap.Refunds[0].Keys, formKey) || !onlyKey(snap.RefundKeys, formKey) {
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
