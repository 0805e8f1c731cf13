package devshop_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// refundWithLines sends DevshopRefundWithLines and returns its payload.
func refundWithLines(t *testing.T, shop http.Handler, key string, input map[string]any) any {
	t.Helper()
	return dig(op(t, shop, "DevshopRefundWithLines", map[string]any{"input": input, "key": key}), "refundCreate")
}

// messages returns a refundCreate payload's userErrors as "field.path:
// message".
func messages(payload any) []string {
	var out []string
	for _, e := range list(payload, "userErrors") {
		var field []string
		for _, f := range list(e, "field") {
			field = append(field, f.(string))
		}
		out = append(out, strings.Join(field, ".")+": "+str(e, "message"))
	}
	return out
}

func TestRefundCreate_LinesTransactionsStoreCredit(t *testing.T) {
	shop := newShop(t)
	beanie := "gid://shopify/InventoryItem/100601"
	before := available(t, shop, beanie, oldTownShop)
	p := refundWithLines(t, shop, "k-lines", map[string]any{
		"orderId": order1006, "currency": "EUR", "note": "Returned in the shop",
		"refundLineItems": []any{
			map[string]any{"lineItemId": "gid://shopify/LineItem/100601", "quantity": 1, "restockType": "RETURN", "locationId": oldTownShop},
			map[string]any{"lineItemId": "gid://shopify/LineItem/100602", "quantity": 1, "restockType": "NO_RESTOCK"},
		},
		"transactions": []any{
			map[string]any{"orderId": order1006, "parentId": gift1006, "gateway": "gift_card", "kind": "REFUND", "amount": "20.00"},
			map[string]any{"orderId": order1006, "parentId": card1006, "gateway": "shopify_payments", "kind": "REFUND", "amount": "30.00"},
		},
		"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("10.00")}}},
	})
	if errs := messages(p); len(errs) > 0 {
		t.Fatalf("userErrors: %v", errs)
	}
	rf := dig(p, "refund")
	if str(rf, "totalRefundedSet", "presentmentMoney", "amount") != "60.0" || dig(rf, "return") != nil {
		t.Fatalf("refund = %v", rf)
	}
	l0, l1 := dig(rf, "refundLineItems", "nodes", 0), dig(rf, "refundLineItems", "nodes", 1)
	if str(l0, "restockType") != "RETURN" || dig(l0, "restocked") != true || str(l0, "location", "id") != oldTownShop ||
		str(l1, "restockType") != "NO_RESTOCK" || dig(l1, "restocked") != false || dig(l1, "location") != nil {
		t.Fatalf("refund line items = %v", list(rf, "refundLineItems", "nodes"))
	}
	var gateways []string
	for _, x := range list(rf, "transactions", "nodes") {
		gateways = append(gateways, str(x, "gateway")+" "+str(x, "amountSet", "presentmentMoney", "amount"))
	}
	if want := []string{"gift_card 20.0", "shopify_payments 30.0", "shopify_store_credit 10.0"}; !reflect.DeepEqual(gateways, want) {
		t.Fatalf("transactions = %v, want %v", gateways, want)
	}
	if got := available(t, shop, beanie, oldTownShop); got != before+1 {
		t.Fatalf("beanie at the shop: %d, want %d", got, before+1)
	}
	if got := shop.StoreCredit("jamie.rivera@example.com"); got != "10.00" {
		t.Fatalf("store credit = %s", got)
	}
	// The same key replays the refund and changes nothing.
	again := refundWithLines(t, shop, "k-lines", map[string]any{
		"orderId": order1006, "currency": "EUR", "note": "Returned in the shop",
		"refundLineItems": []any{
			map[string]any{"lineItemId": "gid://shopify/LineItem/100601", "quantity": 1, "restockType": "RETURN", "locationId": oldTownShop},
			map[string]any{"lineItemId": "gid://shopify/LineItem/100602", "quantity": 1, "restockType": "NO_RESTOCK"},
		},
		"transactions": []any{
			map[string]any{"orderId": order1006, "parentId": gift1006, "gateway": "gift_card", "kind": "REFUND", "amount": "20.00"},
			map[string]any{"orderId": order1006, "parentId": card1006, "gateway": "shopify_payments", "kind": "REFUND", "amount": "30.00"},
		},
		"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("10.00")}}},
	})
	if str(again, "refund", "id") != str(rf, "id") || available(t, shop, beanie, oldTownShop) != before+1 || shop.StoreCredit("jamie.rivera@example.com") != "10.00" {
		t.Fatalf("replay: %v", again)
	}
}

func TestRefundCreate_LinesUserErrors(t *testing.T) {
	tx1001 := func(amount string) map[string]any {
		return map[string]any{"orderId": order1001, "parentId": "gid://shopify/OrderTransaction/1001", "gateway": "bogus", "kind": "REFUND", "amount": amount}
	}
	tests := []struct {
		name  string
		opts  devshop.Options
		input map[string]any
		want  []string
	}{
		{"store credit without a customer", devshop.Options{}, map[string]any{"orderId": order1001, "currency": "EUR",
			"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("5.00")}}}},
			[]string{"refundMethods.0.storeCreditRefund: Store credit can only be issued to an order with a customer"}},
		{"store credit in a shop without it", devshop.Options{StoreCreditDisabled: true}, map[string]any{"orderId": order1006, "currency": "EUR",
			"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("5.00")}}}},
			[]string{"refundMethods.0.storeCreditRefund: Store credit is not available: the shop does not use new customer accounts"}},
		{"store credit beyond what is refundable", devshop.Options{}, map[string]any{"orderId": order1006, "currency": "EUR",
			"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("60.01")}}}},
			[]string{"refundMethods.0.storeCreditRefund.amount: Store credit can't exceed the maximum refundable amount"}},
		{"two transactions beyond the payment", devshop.Options{}, map[string]any{"orderId": order1001, "currency": "EUR",
			"transactions": []any{tx1001("30.00"), tx1001("28.01")}},
			[]string{"transactions.1.amount: Refund amount exceeds the maximum refundable amount"}},
		{"restocked as returned but not fulfilled", devshop.Options{}, map[string]any{"orderId": "gid://shopify/Order/1004", "currency": "EUR",
			"refundLineItems": []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100401", "quantity": 1, "restockType": "RETURN"}}},
			[]string{"refundLineItems.0.restockType: Only fulfilled items can be restocked as returned"}},
		{"restocked at an unknown location", devshop.Options{}, map[string]any{"orderId": order1001, "currency": "EUR",
			"refundLineItems": []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100101", "quantity": 1, "restockType": "RETURN", "locationId": "gid://shopify/Location/9"}}},
			[]string{"refundLineItems.0.locationId: Location does not exist"}},
		{"a deleted product restocked", devshop.Options{}, map[string]any{"orderId": "gid://shopify/Order/1008", "currency": "EUR",
			"refundLineItems": []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100801", "quantity": 1, "restockType": "RETURN"}}},
			[]string{"refundLineItems.0.restockType: Line item can't be restocked: its product was deleted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now, tt.opts.AccessToken = func() time.Time { return now }, "shpat_test"
			shop := devshop.New(tt.opts)
			p := refundWithLines(t, shop, "k", tt.input)
			if got := messages(p); !reflect.DeepEqual(got, tt.want) || dig(p, "refund") != nil {
				t.Fatalf("userErrors = %v, want %v", got, tt.want)
			}
		})
	}
	// Restocked as returned without a location: the primary location.
	shop := newShop(t)
	before := available(t, shop, "gid://shopify/InventoryItem/100101", warehouse)
	p := refundWithLines(t, shop, "k", map[string]any{"orderId": order1001, "currency": "EUR",
		"refundLineItems": []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100101", "quantity": 1, "restockType": "RETURN"}}})
	if errs := messages(p); len(errs) > 0 || str(p, "refund", "refundLineItems", "nodes", 0, "location", "id") != warehouse ||
		available(t, shop, "gid://shopify/InventoryItem/100101", warehouse) != before+1 {
		t.Fatalf("restock without a location: %v %v", errs, p)
	}
}

func TestReverseDelivery(t *testing.T) {
	rc := newReceiver(t)
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", ClientSecret: "s", Webhooks: fastRetries})
	t.Cleanup(shop.Close)
	mustSubscribe(t, shop, rc.URL, "REVERSE_DELIVERIES_ATTACH_DELIVERABLE")
	id, _, rfoLines := openReturn(t, shop, order1001, returnLine(fli100101, 1), returnLine(fli100102, 2))
	ret := op(t, shop, "DevshopReturn", map[string]any{"id": id})
	rfoID := str(ret, "return", "reverseFulfillmentOrders", "nodes", 0, "id")

	data := op(t, shop, "DevshopReverseDelivery", map[string]any{"rfoId": rfoID, "lines": []any{},
		"tracking": map[string]any{"number": " 05212345678901 ", "url": "https://tracking.dpd.de/status/en_US/parcel/05212345678901"}})
	p := dig(data, "reverseDeliveryCreateWithShipping")
	if errs := userErrors(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	d := dig(p, "reverseDelivery")
	tr := dig(d, "deliverable", "tracking")
	if str(tr, "number") != "05212345678901" || str(tr, "carrierName") != "DPD" || str(tr, "url") == "" ||
		str(d, "reverseFulfillmentOrder", "id") != rfoID {
		t.Fatalf("delivery = %v", d)
	}
	got := map[string]int{}
	for _, l := range list(d, "reverseDeliveryLineItems", "nodes") {
		got[str(l, "reverseFulfillmentOrderLineItem", "id")] = num(l, "quantity")
	}
	if want := map[string]int{rfoLines[0]: 1, rfoLines[1]: 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("lines = %v, want %v (every line in full)", got, want)
	}
	// A second parcel with one mug and no tracking yet.
	data = op(t, shop, "DevshopReverseDelivery", map[string]any{"rfoId": rfoID,
		"lines": []any{map[string]any{"reverseFulfillmentOrderLineItemId": rfoLines[1], "quantity": 1}}})
	if errs := userErrors(dig(data, "reverseDeliveryCreateWithShipping")); len(errs) > 0 ||
		dig(data, "reverseDeliveryCreateWithShipping", "reverseDelivery", "deliverable") != nil {
		t.Fatalf("second parcel: %v %v", errs, data)
	}
	for _, tt := range []struct {
		vars map[string]any
		want string
	}{
		{map[string]any{"rfoId": "gid://shopify/ReverseFulfillmentOrder/1", "lines": []any{}}, "NOT_FOUND reverseFulfillmentOrderId"},
		{map[string]any{"rfoId": rfoID, "lines": []any{map[string]any{"reverseFulfillmentOrderLineItemId": rfoLines[1], "quantity": 3}}},
			"LESS_THAN_OR_EQUAL_TO reverseDeliveryLineItems.0.quantity"},
		{map[string]any{"rfoId": rfoID, "lines": []any{map[string]any{"reverseFulfillmentOrderLineItemId": "gid://shopify/ReverseFulfillmentOrderLineItem/5", "quantity": 1}}},
			"NOT_FOUND reverseDeliveryLineItems.0.reverseFulfillmentOrderLineItemId"},
	} {
		data := op(t, shop, "DevshopReverseDelivery", tt.vars)
		if got := codes(dig(data, "reverseDeliveryCreateWithShipping")); !reflect.DeepEqual(got, []string{tt.want}) {
			t.Fatalf("%v: %v, want %s", tt.vars, userErrors(dig(data, "reverseDeliveryCreateWithShipping")), tt.want)
		}
	}
	op(t, shop, "DevshopReturnClose", map[string]any{"id": id})
	data = op(t, shop, "DevshopReverseDelivery", map[string]any{"rfoId": rfoID, "lines": []any{}})
	if got := codes(dig(data, "reverseDeliveryCreateWithShipping")); !reflect.DeepEqual(got, []string{"INVALID_STATE reverseFulfillmentOrderId"}) {
		t.Fatalf("closed return: %v", userErrors(dig(data, "reverseDeliveryCreateWithShipping")))
	}

	snap, _ := shop.OrderByName("#1001")
	if len(snap.Returns[0].Deliveries) != 2 || snap.Returns[0].Deliveries[0].CarrierName != "DPD" || snap.Returns[0].Deliveries[1].Lines[rfoLines[1]] != 1 {
		t.Fatalf("snapshot deliveries = %+v", snap.Returns[0].Deliveries)
	}
	waitWebhooks(t, shop)
	// Only the parcel with tracking attached a deliverable.
	if got := rc.topics(); !reflect.DeepEqual(got, []string{"reverse_deliveries/attach_deliverable"}) {
		t.Fatalf("topics = %v", got)
	}
	var hook map[string]any
	_ = json.Unmarshal(rc.deliveries()[0].Body, &hook)
	if str(hook, "return", "admin_graphql_api_id") != id || str(hook, "shipping_deliverable", "tracking", "carrier_name") != "DPD" {
		t.Fatalf("payload = %s", rc.deliveries()[0].Body)
	}
}
