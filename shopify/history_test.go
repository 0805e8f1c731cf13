package shopify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/returnsportal/returns"
)

// TestOrderHistoryCompareDigest: the history metafield is written over the
// digest read; a write made meanwhile makes the next one ErrStaleHistory
// (STALE_OBJECT), as does a first write (no digest) when one exists; read
// back, the metafield is what was written.
func TestOrderHistoryCompareDigest(t *testing.T) {
	c, shop := MustOpen(t)
	ctx := context.Background()
	const order = "gid://shopify/Order/1001"

	doc, err := c.OrderHistory(ctx, order)
	if err != nil || doc.Value != nil || doc.Digest != "" {
		t.Fatalf("OrderHistory before any = %+v, %v; want none", doc, err)
	}
	first := []byte(`{"version":1,"returns":{"R-A":[]}}`)
	if err := c.SetOrderHistory(ctx, order, first, ""); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if err := c.SetOrderHistory(ctx, order, first, ""); !errors.Is(err, returns.ErrStaleHistory) {
		t.Fatalf("a second first write = %v, want ErrStaleHistory", err)
	}
	doc, err = c.OrderHistory(ctx, order)
	if err != nil || string(doc.Value) != string(first) || doc.Digest == "" {
		t.Fatalf("OrderHistory = %+v, %v; want the first write with a digest", doc, err)
	}

	// Another writer (staff's app, another portal instance) writes meanwhile.
	if err := shop.SetOrderMetafield("1001", returns.HistoryNamespace, returns.HistoryKey, "json", `{"version":1,"returns":{"R-B":[]}}`); err != nil {
		t.Fatal(err)
	}
	if err := c.SetOrderHistory(ctx, order, []byte(`{"version":1,"returns":{"R-C":[]}}`), doc.Digest); !errors.Is(err, returns.ErrStaleHistory) {
		t.Fatalf("write over a stale digest = %v, want ErrStaleHistory", err)
	}
	fresh, err := c.OrderHistory(ctx, order)
	if err != nil || string(fresh.Value) != `{"version":1,"returns":{"R-B":[]}}` || fresh.Digest == doc.Digest {
		t.Fatalf("OrderHistory after the refused write = %+v, %v; want the other writer's", fresh, err)
	}
	if err := c.SetOrderHistory(ctx, order, []byte(`{"version":1,"returns":{"R-B":[],"R-C":[]}}`), fresh.Digest); err != nil {
		t.Fatalf("write over the fresh digest: %v", err)
	}
	if v, _ := shop.OrderMetafield("1001", "app--5551234--returns", returns.HistoryKey); v != `{"version":1,"returns":{"R-B":[],"R-C":[]}}` {
		t.Fatalf("stored under the app's resolved namespace: %q", v)
	}
}
