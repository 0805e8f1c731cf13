package shopify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
)

const order1002 = "gid://shopify/Order/1002"

// requestScarf asks for a return of #1002's scarf, as the portal does.
func requestScarf(t *testing.T, c *shopify.Client) *returns.ShopReturn {
	t.Helper()
	ctx := context.Background()
	units, err := c.ReturnableUnits(ctx, order1002)
	if err != nil {
		t.Fatal(err)
	}
	var fl string
	for _, u := range units {
		if u.LineItemID == "gid://shopify/LineItem/100201" && u.Quantity == 1 {
			fl = u.FulfillmentLineItemID
		}
	}
	if fl == "" {
		t.Fatalf("returnable units %+v, want the scarf's one", units)
	}
	reasons, err := c.ReturnReasons(ctx, []string{"other", "no-such-reason"})
	if err != nil || len(reasons) != 1 || reasons[0].Handle != "other" {
		t.Fatalf("reasons %+v, %v", reasons, err)
	}
	sr, err := c.RequestReturn(ctx, returns.ShopReturnRequest{OrderID: order1002, Lines: []returns.ShopReturnRequestLine{
		{FulfillmentLineItemID: fl, Quantity: 1, ReasonID: reasons[0].ID, CustomerNote: "R-7KQ9X2MD: " + strings.Repeat("too long ", 50)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

func TestShopReturnLifecycle(t *testing.T) {
	ctx := context.Background()
	c, shop := MustOpen(t)
	sr := requestScarf(t, c)
	if sr.Status != returns.ShopReturnRequested || len(sr.Lines) != 1 || sr.Lines[0].LineItemID != "gid://shopify/LineItem/100201" ||
		!sr.CarriesCode("R-7KQ9X2MD") || len([]rune(sr.Lines[0].CustomerNote)) != 300 {
		t.Fatalf("requested %+v, want the scarf with the code, the note cut to Shopify's 300 characters", sr)
	}
	// Units on a return are not returnable again.
	units, _ := c.ReturnableUnits(ctx, order1002)
	for _, u := range units {
		if u.LineItemID == "gid://shopify/LineItem/100201" && u.Quantity != 0 {
			t.Fatalf("the scarf is still returnable: %+v", u)
		}
	}
	if err := c.ApproveReturn(ctx, sr.ID); err != nil {
		t.Fatal(err)
	}
	// Approving twice is a move the status does not allow: ECONFLICT.
	if err := c.ApproveReturn(ctx, sr.ID); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Fatalf("second approval: %v, want ECONFLICT", err)
	}
	open, err := c.ShopReturn(ctx, sr.ID)
	if err != nil || open.Status != returns.ShopReturnOpen || len(open.Lines[0].DispositionLines) != 1 {
		t.Fatalf("approved %+v, %v: want OPEN with its reverse fulfillment order line", open, err)
	}
	locs, err := c.Locations(ctx)
	if err != nil || len(locs) != 2 || locs[0].Name != "Riga warehouse" {
		t.Fatalf("locations %+v, %v: want the warehouse (it fulfils online orders) first", locs, err)
	}
	suggestion, err := c.SuggestTransactions(ctx, order1002, []returns.Item{{LineItemID: "gid://shopify/LineItem/100201", Quantity: 1}})
	sugg := suggestion.Transactions
	if err != nil || len(sugg) != 1 || sugg[0].Amount != eur(4900) || sugg[0].ParentID != "gid://shopify/OrderTransaction/1002" || sugg[0].Manual {
		t.Fatalf("suggested %+v, %v", sugg, err)
	}
	refundID, err := c.ProcessReturn(ctx, returns.ProcessRequest{
		ReturnID: sr.ID, OrderID: order1002, Note: "Return R-7KQ9X2MD (refund 0123456789abcdef0123456789abcdef)",
		Lines: []returns.ProcessLine{{ReturnLineItemID: open.Lines[0].ID, Quantity: 1, Dispositions: []returns.Disposition{
			{LineID: open.Lines[0].DispositionLines[0], Quantity: 1, Restock: true, LocationID: locs[0].ID},
		}}},
		Transactions: []returns.RefundTransaction{{ParentID: sugg[0].ParentID, Gateway: sugg[0].Gateway, Amount: eur(2900)}},
	})
	if err != nil || refundID == "" {
		t.Fatalf("process: %q, %v", refundID, err)
	}
	// Processed units cannot be processed again: a repeat is refused, and
	// refunds nothing.
	_, err = c.ProcessReturn(ctx, returns.ProcessRequest{
		ReturnID: sr.ID, OrderID: order1002, Note: "again",
		Lines:        []returns.ProcessLine{{ReturnLineItemID: open.Lines[0].ID, Quantity: 1}},
		Transactions: []returns.RefundTransaction{{ParentID: sugg[0].ParentID, Gateway: sugg[0].Gateway, Amount: eur(2900)}},
	})
	if returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("second process: %v, want Shopify's refusal", err)
	}
	if err := c.CloseReturn(ctx, sr.ID); err != nil {
		t.Fatal(err)
	}
	all, err := c.OrderReturns(ctx, order1002)
	if err != nil || len(all) != 1 || all[0].Status != returns.ShopReturnClosed || len(all[0].Refunds) != 1 || all[0].Refunds[0].ID != refundID ||
		!strings.Contains(all[0].Refunds[0].Note, "0123456789abcdef0123456789abcdef") || all[0].Lines[0].Processed != 1 {
		t.Fatalf("order's returns %+v, %v", all, err)
	}
	snap, _ := shop.OrderByName("#1002")
	if snap.ReturnStatus != "RETURNED" || len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "29.00" {
		t.Fatalf("#1002: return status %q, refunds %+v", snap.ReturnStatus, snap.Refunds)
	}
}

func TestShopReturnDeclinedAndCancelled(t *testing.T) {
	ctx := context.Background()
	c, _ := MustOpen(t)
	sr := requestScarf(t, c)
	if err := c.DeclineReturn(ctx, sr.ID, "Worn and washed."); err != nil {
		t.Fatal(err)
	}
	got, err := c.ShopReturn(ctx, sr.ID)
	if err != nil || got.Status != returns.ShopReturnDeclined || got.DeclineNote != "Worn and washed." {
		t.Fatalf("declined %+v, %v", got, err)
	}
	if err := c.CancelReturn(ctx, sr.ID); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Fatalf("cancel a declined return: %v, want ECONFLICT", err)
	}
	if _, err := c.ShopReturn(ctx, "gid://shopify/Return/999999"); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Fatalf("unknown return: %v, want ENOTFOUND", err)
	}
}

// TestRequestReturnIsNotSentTwice: returnRequest takes no idempotency key, so
// an answer lost after Shopify made the return is EUNKNOWN and the request is
// not sent again by the adapter's retries; the order's returns then show it,
// with the code that finds it.
func TestRequestReturnIsNotSentTwice(t *testing.T) {
	ctx := context.Background()
	c, shop := MustOpen(t)
	units, err := c.ReturnableUnits(ctx, order1002)
	if err != nil {
		t.Fatal(err)
	}
	shop.DropAfterCommit(1)
	_, err = c.RequestReturn(ctx, returns.ShopReturnRequest{OrderID: order1002, Lines: []returns.ShopReturnRequestLine{
		{FulfillmentLineItemID: units[0].FulfillmentLineItemID, Quantity: 1, CustomerNote: "R-7KQ9X2MD:"},
	}})
	if returns.ErrorCode(err) != returns.EUNKNOWN {
		t.Fatalf("err = %v, want EUNKNOWN", err)
	}
	all, err := c.OrderReturns(ctx, order1002)
	if err != nil || len(all) != 1 || !all[0].CarriesCode("R-7KQ9X2MD") {
		t.Fatalf("order's returns %+v, %v: want exactly the one made", all, err)
	}

	// A 5xx answer before anything ran is retried as any read is.
	shop.FailNext(1, http.StatusServiceUnavailable)
	if _, err := c.ShopReturn(ctx, all[0].ID); err != nil {
		t.Fatalf("read after a 503: %v", err)
	}
}
