package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

const (
	teaTowel   = "gid://shopify/LineItem/100101"
	teaNatural = "gid://shopify/ProductVariant/100101"
	teaGrey    = "gid://shopify/ProductVariant/100151"
)

// openShop serves a devshop and returns a client of it with the shop's base
// URL, for its /_devshop/ API.
func openShop(t *testing.T, opts devshop.Options) (*shopify.Client, *devshop.Shop, string) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	shop := devshop.New(opts)
	t.Cleanup(shop.Close)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	c, err := shopify.New(shopify.Config{Shop: "returns-demo", AccessToken: shop.Token(), Endpoint: srv.URL,
		RetryWait: time.Millisecond, MaxRetryWait: 10 * time.Millisecond, Timeout: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c, shop, srv.URL
}

// towelDraft is the replacement of #1001's damaged tea towel.
func towelDraft() returns.ReplacementDraft {
	return returns.ReplacementDraft{
		OrderID: order1001, ReturnCode: "R-7KQ9X2MD", Email: "anna.berzina@example.lv",
		Lines: []returns.ReplacementLine{{LineItemID: teaTowel, Quantity: 1}},
		Note:  "Replacement for R-7KQ9X2MD (order #1001)",
		Tags:  []string{returns.TagReplacementOrder},
	}
}

// adminPost posts body to the shop's /_devshop/ API and decodes the answer
// into out.
func adminPost(t *testing.T, base, path string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func warehouseStock(snap devshop.OrderSnapshot, sku string) int {
	for _, inv := range snap.Inventory {
		if inv.SKU == sku && strings.Contains(inv.LocationName, "warehouse") {
			return inv.Available
		}
	}
	return -1
}

func TestReplacementOrder(t *testing.T) {
	ctx := context.Background()
	c, shop, _ := openShop(t, devshop.Options{})
	draftID, err := c.CreateReplacementDraft(ctx, towelDraft())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.DraftOrder(ctx, draftID); err != nil || st.Completed || st.Order.ID != "" {
		t.Fatalf("new draft %+v, %v: want open", st, err)
	}
	ref, err := c.CompleteDraftOrder(ctx, draftID)
	if err != nil {
		t.Fatal(err)
	}
	if ref != (returns.ShopOrderRef{ID: "gid://shopify/Order/1009", Name: "#1009"}) {
		t.Fatalf("completed into %+v, want #1009", ref)
	}
	o, ok := shop.OrderByName("#1009")
	if !ok {
		t.Fatal("no order #1009 at the shop")
	}
	if o.TotalReceived != "0.00" || o.FinancialStatus != "PAID" || !slices.Contains(o.Tags, returns.TagReplacementOrder) ||
		o.Note != "Replacement for R-7KQ9X2MD (order #1001)" || o.Email != "anna.berzina@example.lv" || o.Locale != "lv" {
		t.Fatalf("order #1009 = %+v", o)
	}
	orig, _ := shop.OrderByName("#1001")
	if !slices.Equal(o.ShippingAddress, orig.ShippingAddress) || o.ShippingLine != orig.ShippingLine || o.ShippingLine == "" {
		t.Fatalf("shipping %q %q, want #1001's %q %q", o.ShippingAddress, o.ShippingLine, orig.ShippingAddress, orig.ShippingLine)
	}
	if got := warehouseStock(o, "LTT-NAT"); got != 11 {
		t.Fatalf("tea towels available at the warehouse: %d, want 12 - 1", got)
	}
	if len(o.Fulfillments) != 0 {
		t.Fatalf("a new order is unfulfilled: %+v", o.Fulfillments)
	}
	st, err := c.DraftOrder(ctx, draftID)
	if err != nil || !st.Completed || st.Order != ref {
		t.Fatalf("completed draft %+v, %v: want completed into #1009", st, err)
	}
	// Completing it again is refused, and makes no second order.
	if _, err := c.CompleteDraftOrder(ctx, draftID); returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("second completion: %v, want EINVALID", err)
	}
	if _, ok := shop.OrderByName("#1010"); ok {
		t.Fatal("a second order was made")
	}
}

func TestReplacementOrder_OutOfStock(t *testing.T) {
	ctx := context.Background()
	c, shop, base := openShop(t, devshop.Options{})
	if code := adminPost(t, base, "/_devshop/variants/100101/stock", map[string]any{"available": 0}, nil); code != http.StatusOK {
		t.Fatalf("set stock: HTTP %d", code)
	}
	draftID, err := c.CreateReplacementDraft(ctx, towelDraft())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteDraftOrder(ctx, draftID)
	if returns.ErrorCode(err) != returns.EINVALID || !strings.Contains(returns.ErrorMessage(err).String(), "Linen tea towel - Natural is out of stock") {
		t.Fatalf("err = %v (%q), want EINVALID naming the tea towel out of stock", err, returns.ErrorMessage(err))
	}
	if _, ok := shop.OrderByName("#1009"); ok {
		t.Fatal("an order was made")
	}
	// Another variant in stock goes.
	variants, err := c.LineVariants(ctx, order1001, teaTowel)
	if err != nil || len(variants) != 2 || variants[0].ID != teaNatural || variants[0].Available != 0 ||
		variants[1].ID != teaGrey || variants[1].Title != "Grey" || variants[1].Available != 16 {
		t.Fatalf("variants %+v, %v: want Natural with none and Grey with 12 + 4", variants, err)
	}
	d := towelDraft()
	d.Lines[0].VariantID = teaGrey
	draftID, err = c.CreateReplacementDraft(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if ref, err := c.CompleteDraftOrder(ctx, draftID); err != nil || ref.Name != "#1009" {
		t.Fatalf("grey towel: %+v, %v", ref, err)
	}
	// A variant that keeps selling when out of stock is completed.
	shop.SetVariantStock(teaNatural, 0, true)
	draftID, _ = c.CreateReplacementDraft(ctx, towelDraft())
	if ref, err := c.CompleteDraftOrder(ctx, draftID); err != nil || ref.Name != "#1010" {
		t.Fatalf("continue selling: %+v, %v", ref, err)
	}
}

func TestReplacementOrder_DeletedVariant(t *testing.T) {
	ctx := context.Background()
	c, shop, base := openShop(t, devshop.Options{})
	if code := adminPost(t, base, "/_devshop/variants/100101/delete", nil, nil); code != http.StatusOK {
		t.Fatalf("delete variant: HTTP %d", code)
	}
	_, err := c.CreateReplacementDraft(ctx, towelDraft())
	if returns.ErrorCode(err) != returns.EINVALID || !strings.Contains(returns.ErrorMessage(err).String(), "Linen tea towel - Natural") {
		t.Fatalf("err = %v, want EINVALID naming the item", err)
	}
	// The product's other variant is still offered.
	variants, err := c.LineVariants(ctx, order1001, teaTowel)
	if err != nil || len(variants) != 1 || variants[0].ID != teaGrey {
		t.Fatalf("variants %+v, %v: want Grey only", variants, err)
	}
	if _, ok := shop.OrderByName("#1009"); ok {
		t.Fatal("an order was made")
	}
}

// TestCompleteDraftOrderIsNotSentTwice: draftOrderComplete takes no
// idempotency key, so an answer lost after Shopify made the order is EUNKNOWN
// and the adapter does not send it again; the draft then tells.
func TestCompleteDraftOrderIsNotSentTwice(t *testing.T) {
	ctx := context.Background()
	c, shop, _ := openShop(t, devshop.Options{})
	draftID, err := c.CreateReplacementDraft(ctx, towelDraft())
	if err != nil {
		t.Fatal(err)
	}
	calls := shop.Calls()
	shop.DropAfterCommit(1)
	if _, err := c.CompleteDraftOrder(ctx, draftID); returns.ErrorCode(err) != returns.EUNKNOWN {
		t.Fatalf("err = %v, want EUNKNOWN", err)
	}
	if n := shop.Calls() - calls; n != 1 {
		t.Fatalf("draftOrderComplete sent %d times, want once", n)
	}
	st, err := c.DraftOrder(ctx, draftID)
	if err != nil || !st.Completed || st.Order.Name != "#1009" {
		t.Fatalf("draft %+v, %v: want completed into #1009", st, err)
	}
	if _, ok := shop.OrderByName("#1010"); ok {
		t.Fatal("a second order was made")
	}
	// draftOrderCreate is sent once too.
	calls = shop.Calls()
	shop.DropAfterCommit(1)
	if _, err := c.CreateReplacementDraft(ctx, towelDraft()); returns.ErrorCode(err) != returns.EUNKNOWN {
		t.Fatalf("create: %v, want EUNKNOWN", err)
	}
	if n := shop.Calls() - calls; n != 2 { // the order read, then the mutation
		t.Fatalf("%d calls, want the read and one draftOrderCreate", n)
	}
}

// webhookReceiver records the bodies of the webhooks delivered to it.
type webhookReceiver struct {
	mu     sync.Mutex
	topics []string
	bodies [][]byte
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	wr.mu.Lock()
	wr.topics = append(wr.topics, r.Header.Get("X-Shopify-Topic"))
	wr.bodies = append(wr.bodies, b)
	wr.mu.Unlock()
}

func TestReplacementFulfillment(t *testing.T) {
	ctx := context.Background()
	c, shop, base := openShop(t, devshop.Options{WebhookSecret: "hook-secret"})
	wr := &webhookReceiver{}
	hooks := httptest.NewServer(wr)
	t.Cleanup(hooks.Close)
	if _, err := c.EnsureWebhooks(ctx, hooks.URL, []string{returns.TopicFulfillmentsCreate, returns.TopicFulfillmentsUpdate}); err != nil {
		t.Fatal(err)
	}
	draftID, _ := c.CreateReplacementDraft(ctx, towelDraft())
	ref, err := c.CompleteDraftOrder(ctx, draftID)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.OrderFulfillments(ctx, ref.ID); err != nil || len(st.Fulfillments) != 0 || !st.CancelledAt.IsZero() {
		t.Fatalf("fulfilments before shipping: %+v, %v", st, err)
	}

	var made devshop.FulfillmentSnapshot
	if code := adminPost(t, base, "/_devshop/orders/1009/fulfillments", map[string]string{"company": "DPD", "number": "05212345678901"}, &made); code != http.StatusCreated {
		t.Fatalf("fulfil: HTTP %d", code)
	}
	st, err := c.OrderFulfillments(ctx, ref.ID)
	fs := st.Fulfillments
	if err != nil || len(fs) != 1 {
		t.Fatalf("fulfilments %+v, %v", fs, err)
	}
	f := fs[0]
	if f.ID != made.ID || f.Status != "SUCCESS" || f.TrackingCompany != "DPD" || f.TrackingNumber != "05212345678901" ||
		!strings.HasSuffix(f.TrackingURL, "05212345678901") || f.DisplayStatus != "FULFILLED" || f.CreatedAt.IsZero() || !f.DeliveredAt.IsZero() {
		t.Fatalf("fulfilment %+v: want DPD's number with the URL Shopify fills", f)
	}
	// Nothing is left to fulfil.
	if code := adminPost(t, base, "/_devshop/orders/1009/fulfillments", map[string]string{"company": "DPD", "number": "1"}, nil); code != http.StatusUnprocessableEntity {
		t.Fatalf("second fulfilment: HTTP %d, want 422", code)
	}
	path := "/_devshop/orders/1009/fulfillments/" + strconv.FormatInt(made.Number, 10)
	if code := adminPost(t, base, path+"/events", map[string]string{"status": "in_transit"}, nil); code != http.StatusOK {
		t.Fatalf("in transit: HTTP %d", code)
	}
	if code := adminPost(t, base, path+"/events", map[string]string{"status": "delivered"}, nil); code != http.StatusOK {
		t.Fatalf("delivered: HTTP %d", code)
	}
	st, err = c.OrderFulfillments(ctx, ref.ID)
	fs = st.Fulfillments
	if err != nil || fs[0].DisplayStatus != "DELIVERED" || !fs[0].DeliveredAt.Equal(now.UTC().Truncate(time.Second)) {
		t.Fatalf("after delivery %+v, %v", fs, err)
	}

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := shop.WaitWebhooks(wctx); err != nil {
		t.Fatal(err)
	}
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if want := []string{"fulfillments/create", "fulfillments/update", "fulfillments/update"}; !slices.Equal(wr.topics, want) {
		t.Fatalf("topics %q, want %q", wr.topics, want)
	}
	var events []returns.ShopFulfillmentEvent
	for i, b := range wr.bodies {
		ev, err := shopify.ParseWebhook(wr.topics[i], b, returns.WebhookHeaders{WebhookID: strconv.Itoa(i)})
		if err != nil {
			t.Fatalf("parse %s: %v", b, err)
		}
		if ev.Fulfillment == nil || ev.OrderID != ref.ID || ev.OccurredAt.IsZero() {
			t.Fatalf("event %+v", ev)
		}
		events = append(events, *ev.Fulfillment)
	}
	created := events[0].Fulfillment
	if events[0].OrderID != ref.ID || created.ID != made.ID || created.TrackingCompany != "DPD" || created.TrackingNumber != "05212345678901" ||
		created.TrackingURL != f.TrackingURL || created.Status != "SUCCESS" || created.DisplayStatus != "" {
		t.Fatalf("fulfillments/create read as %+v", events[0])
	}
	if events[1].Fulfillment.DisplayStatus != "IN_TRANSIT" || events[2].Fulfillment.DisplayStatus != "DELIVERED" ||
		events[2].Fulfillment.DeliveredAt.IsZero() || events[2].Fulfillment.TrackingNumber != "05212345678901" {
		t.Fatalf("fulfillments/update read as %+v", events[1:])
	}
}

// A return's drafts are found by its tag alone (a code that merely starts
// with it is another return), with the lines as asked for; an open one is
// deleted, one gone is ENOTFOUND, and a completed one is never deleted.
func TestReplacementDraftsFoundAndDeleted(t *testing.T) {
	ctx := context.Background()
	c, _, _ := openShop(t, devshop.Options{})
	mine := towelDraft()
	mine.Tags = append(mine.Tags, returns.TagReplacementFor("R-7KQ9X2MD"))
	grey := mine
	grey.Lines = []returns.ReplacementLine{{LineItemID: teaTowel, VariantID: teaGrey, Quantity: 1}}
	other := towelDraft()
	other.Tags = append(other.Tags, returns.TagReplacementFor("R-7KQ9X2MDX"))
	var ids []string
	for _, d := range []returns.ReplacementDraft{mine, grey, other} {
		id, err := c.CreateReplacementDraft(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	found, err := c.FindReplacementDrafts(ctx, "R-7KQ9X2MD")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].ID != ids[0] || found[1].ID != ids[1] {
		t.Fatalf("found %+v, want the first two drafts", found)
	}
	if !slices.Equal(found[0].Lines, mine.Lines) || !slices.Equal(found[1].Lines, grey.Lines) || found[0].Completed {
		t.Fatalf("lines %+v and %+v, want %+v and %+v", found[0].Lines, found[1].Lines, mine.Lines, grey.Lines)
	}

	if _, err := c.CompleteDraftOrder(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteDraftOrder(ctx, ids[0]); err != nil {
		t.Fatalf("delete an open draft: %v", err)
	}
	if err := c.DeleteDraftOrder(ctx, ids[0]); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Fatalf("delete it again: %v, want ENOTFOUND", err)
	}
	if err := c.DeleteDraftOrder(ctx, ids[1]); returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("delete a completed draft: %v, want EINVALID", err)
	}
	found, err = c.FindReplacementDrafts(ctx, "R-7KQ9X2MD")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || !found[0].Completed || found[0].Order.Name != "#1009" || found[0].OrderCancelled {
		t.Fatalf("after the delete: %+v, want the completed draft as #1009", found)
	}
}
