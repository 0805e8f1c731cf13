package devshop_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

const (
	order1006   = "gid://shopify/Order/1006"
	card1006    = "gid://shopify/OrderTransaction/1006"  // shopify_payments, 40.00
	gift1006    = "gid://shopify/OrderTransaction/10062" // gift_card, 20.00
	warehouse   = "gid://shopify/Location/7001"
	oldTownShop = "gid://shopify/Location/7002"
)

// openReturn requests and approves a return of each fulfillment line item
// given in full, and returns the return's id, its line ids and its reverse
// fulfillment order's line ids, in the order given.
func openReturn(t *testing.T, shop http.Handler, orderID string, lines ...map[string]any) (id string, returnLines, rfoLines []string) {
	t.Helper()
	ret := approve(t, shop, str(requestReturn(t, shop, orderID, lines...), "id"))
	for _, l := range list(ret, "returnLineItems", "nodes") {
		returnLines = append(returnLines, str(l, "id"))
	}
	for _, l := range list(ret, "reverseFulfillmentOrders", "nodes", 0, "lineItems", "nodes") {
		rfoLines = append(rfoLines, str(l, "id"))
	}
	return str(ret, "id"), returnLines, rfoLines
}

func eur(amount string) map[string]any {
	return map[string]any{"amount": amount, "currencyCode": "EUR"}
}

// available reads an inventory item's available units at a location
// through the schema.
func available(t *testing.T, shop http.Handler, itemID, locationID string) int {
	t.Helper()
	data := op(t, shop, "DevshopInventory", map[string]any{"itemId": itemID, "locationId": locationID})
	for _, q := range list(data, "inventoryItem", "inventoryLevel", "quantities") {
		if str(q, "name") == "available" {
			return num(q, "quantity")
		}
	}
	t.Fatalf("no available quantity: %v", data)
	return 0
}

func TestSuggestedRefund_GiftCardFirst(t *testing.T) {
	shop := newShop(t)
	data := op(t, shop, "DevshopSuggestedRefund", map[string]any{"id": order1006, "lines": []any{
		map[string]any{"lineItemId": "gid://shopify/LineItem/100601", "quantity": 1},
		map[string]any{"lineItemId": "gid://shopify/LineItem/100602", "quantity": 1},
	}})
	s := dig(data, "order", "suggestedRefund")
	txs := list(s, "suggestedTransactions")
	if str(s, "amountSet", "presentmentMoney", "amount") != "60.0" || len(txs) != 2 ||
		str(txs[0], "parentTransaction", "id") != gift1006 || str(txs[0], "gateway") != "gift_card" ||
		str(txs[0], "amountSet", "presentmentMoney", "amount") != "20.0" || str(txs[0], "maximumRefundableSet", "presentmentMoney", "amount") != "20.0" ||
		str(txs[1], "parentTransaction", "id") != card1006 || str(txs[1], "formattedGateway") != "Shopify Payments" ||
		str(txs[1], "amountSet", "presentmentMoney", "amount") != "40.0" {
		t.Fatalf("suggestedRefund = %v", s)
	}
	// One item: all of it from the gift card.
	data = op(t, shop, "DevshopSuggestedRefund", map[string]any{"id": order1006, "lines": []any{
		map[string]any{"lineItemId": "gid://shopify/LineItem/100601", "quantity": 1}}})
	if txs := list(data, "order", "suggestedRefund", "suggestedTransactions"); len(txs) != 2 ||
		str(txs[0], "amountSet", "presentmentMoney", "amount") != "20.0" || str(txs[1], "amountSet", "presentmentMoney", "amount") != "5.0" {
		t.Fatalf("one item: %v", txs)
	}
}

func TestReturnProcess(t *testing.T) {
	rc := newReceiver(t)
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", ClientSecret: "s", Webhooks: fastRetries})
	t.Cleanup(shop.Close)
	id, lines, rfoLines := openReturn(t, shop, order1006,
		returnLine("gid://shopify/FulfillmentLineItem/100601", 1), returnLine("gid://shopify/FulfillmentLineItem/100602", 1))
	mustSubscribe(t, shop, rc.URL, "RETURNS_PROCESS", "REFUNDS_CREATE", "ORDERS_UPDATED")
	beanie := "gid://shopify/InventoryItem/100601"
	before := available(t, shop, beanie, warehouse)

	// The beanie comes back as new and is restocked at the warehouse; the
	// napkins are stained. 20.00 back to the gift card, 30.00 to the card
	// and 10.00 as store credit.
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{
		"returnId": id,
		"returnLineItems": []any{
			map[string]any{"id": lines[0], "quantity": 1, "dispositions": []any{map[string]any{
				"reverseFulfillmentOrderLineItemId": rfoLines[0], "quantity": 1, "dispositionType": "RESTOCKED", "locationId": warehouse}}},
			map[string]any{"id": lines[1], "quantity": 1, "dispositions": []any{map[string]any{
				"reverseFulfillmentOrderLineItemId": rfoLines[1], "quantity": 1, "dispositionType": "NOT_RESTOCKED"}}},
		},
		"financialTransfer": map[string]any{"issueRefund": map[string]any{
			"orderTransactions": []any{
				map[string]any{"parentId": gift1006, "transactionAmount": eur("20.00")},
				map[string]any{"parentId": card1006, "transactionAmount": eur("30.00")},
			},
			"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("10.00")}}},
		}},
		"note":           "Return #1006-R1",
		"notifyCustomer": false,
	}})
	payload := dig(data, "returnProcess")
	if errs := userErrors(payload); len(errs) > 0 {
		t.Fatalf("returnProcess: %v", errs)
	}
	ret := dig(payload, "return")
	if str(ret, "status") != "OPEN" || str(ret, "order", "returnStatus") != "INSPECTION_COMPLETE" ||
		str(ret, "reverseFulfillmentOrders", "nodes", 0, "status") != "CLOSED" {
		t.Fatalf("processed return = %v", ret)
	}
	for _, l := range list(ret, "returnLineItems", "nodes") {
		if num(l, "processedQuantity") != 1 || num(l, "unprocessedQuantity") != 0 || num(l, "processableQuantity") != 0 || num(l, "refundedQuantity") != 1 {
			t.Fatalf("line = %v", l)
		}
	}
	d0 := dig(ret, "reverseFulfillmentOrders", "nodes", 0, "lineItems", "nodes", 0, "dispositions", 0)
	d1 := dig(ret, "reverseFulfillmentOrders", "nodes", 0, "lineItems", "nodes", 1, "dispositions", 0)
	if str(d0, "type") != "RESTOCKED" || num(d0, "quantity") != 1 || str(d0, "location", "id") != warehouse ||
		str(d1, "type") != "NOT_RESTOCKED" || dig(d1, "location") != nil {
		t.Fatalf("dispositions = %v, %v", d0, d1)
	}
	refunds := list(ret, "refunds", "nodes")
	if len(refunds) != 1 {
		t.Fatalf("refunds = %v", refunds)
	}
	rf := refunds[0]
	if str(rf, "totalRefundedSet", "presentmentMoney", "amount") != "60.0" {
		t.Fatalf("refund total = %v", rf)
	}
	type rli struct{ Line, Restock, Location string }
	var gotLines []rli
	for _, l := range list(rf, "refundLineItems", "nodes") {
		gotLines = append(gotLines, rli{str(l, "lineItem", "id"), str(l, "restockType"), str(l, "location", "id")})
	}
	wantLines := []rli{{"gid://shopify/LineItem/100601", "RETURN", warehouse}, {"gid://shopify/LineItem/100602", "NO_RESTOCK", ""}}
	if !reflect.DeepEqual(gotLines, wantLines) {
		t.Fatalf("refund line items = %v, want %v", gotLines, wantLines)
	}
	type tx struct{ Gateway, Status, Amount, Parent string }
	var gotTxs []tx
	for _, x := range list(rf, "transactions", "nodes") {
		gotTxs = append(gotTxs, tx{str(x, "gateway"), str(x, "status"), str(x, "amountSet", "presentmentMoney", "amount"), str(x, "parentTransaction", "id")})
	}
	wantTxs := []tx{{"gift_card", "SUCCESS", "20.0", gift1006}, {"shopify_payments", "SUCCESS", "30.0", card1006}, {"shopify_store_credit", "SUCCESS", "10.0", ""}}
	if !reflect.DeepEqual(gotTxs, wantTxs) {
		t.Fatalf("refund transactions = %v, want %v", gotTxs, wantTxs)
	}
	if got := available(t, shop, beanie, warehouse); got != before+1 {
		t.Fatalf("beanie at the warehouse: %d, want %d", got, before+1)
	}
	if got := available(t, shop, "gid://shopify/InventoryItem/100602", warehouse); got != 12 {
		t.Fatalf("napkins at the warehouse: %d, want 12 (not restocked)", got)
	}
	pay := op(t, shop, "DevshopPayments", map[string]any{"id": order1006})
	if str(pay, "order", "displayFinancialStatus") != "REFUNDED" || str(pay, "order", "totalRefundedSet", "presentmentMoney", "amount") != "60.0" {
		t.Fatalf("order after the refund = %v", pay)
	}
	snap, _ := shop.OrderByName("#1006")
	if len(snap.RefundDetails) != 1 || snap.RefundDetails[0].Return != id || len(snap.RefundDetails[0].Lines) != 2 ||
		len(snap.Returns) != 1 || snap.Returns[0].Lines[0].Dispositions[0].Location != warehouse || snap.Returns[0].Refunds[0] != snap.RefundDetails[0].ID {
		t.Fatalf("snapshot = %+v", snap)
	}
	if got := shop.StoreCredit("jamie.rivera@example.com"); got != "10.00" {
		t.Fatalf("store credit = %s, want 10.00", got)
	}

	// Nothing is left to process, and worked-on returns cannot be
	// canceled; closing it is what is left.
	data = op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}}}})
	if got := codes(dig(data, "returnProcess")); !reflect.DeepEqual(got, []string{"LESS_THAN_OR_EQUAL_TO input.returnLineItems.0.quantity"}) {
		t.Fatalf("processing twice: %v", userErrors(dig(data, "returnProcess")))
	}
	data = op(t, shop, "DevshopReturnCancel", map[string]any{"id": id})
	if got := codes(dig(data, "returnCancel")); !reflect.DeepEqual(got, []string{"INVALID_STATE id"}) {
		t.Fatalf("canceling a processed return: %v", userErrors(dig(data, "returnCancel")))
	}
	data = op(t, shop, "DevshopReturnClose", map[string]any{"id": id})
	if str(data, "returnClose", "return", "status") != "CLOSED" || orderReturnStatus(t, shop, order1006) != "RETURNED" {
		t.Fatalf("close: %v", data)
	}

	waitWebhooks(t, shop)
	if got, want := rc.topics(), []string{"refunds/create", "returns/process", "orders/updated"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("topics = %v, want %v", got, want)
	}
	var refundHook, processHook map[string]any
	_ = json.Unmarshal(rc.deliveries()[0].Body, &refundHook)
	_ = json.Unmarshal(rc.deliveries()[1].Body, &processHook)
	if str(refundHook, "return", "admin_graphql_api_id") != id || len(list(refundHook, "refund_line_items")) != 2 ||
		str(refundHook, "refund_line_items", 0, "restock_type") != "return" || num(refundHook, "refund_line_items", 0, "location_id") != 7001 ||
		len(list(refundHook, "transactions")) != 3 || !dig(refundHook, "restock").(bool) {
		t.Fatalf("refunds/create = %s", rc.deliveries()[0].Body)
	}
	if str(processHook, "status") != "open" || num(processHook, "return_line_items", 0, "processed_quantity") != 1 ||
		str(processHook, "reverse_fulfillment_orders", 0, "line_items", 0, "dispositions", 0, "type") != "restocked" ||
		len(list(processHook, "refunds")) != 1 {
		t.Fatalf("returns/process = %s", rc.deliveries()[1].Body)
	}
}

func TestReturnProcess_Partly(t *testing.T) {
	shop := newShop(t)
	id, lines, rfoLines := openReturn(t, shop, order1001, returnLine(fli100102, 2))
	// One mug is inspected now, without a refund; it needs repair.
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1, "dispositions": []any{map[string]any{
			"reverseFulfillmentOrderLineItemId": rfoLines[0], "quantity": 1, "dispositionType": "PROCESSING_REQUIRED"}}}}}})
	ret := dig(data, "returnProcess", "return")
	if errs := userErrors(dig(data, "returnProcess")); len(errs) > 0 || str(ret, "order", "returnStatus") != "IN_PROGRESS" ||
		num(ret, "returnLineItems", "nodes", 0, "processedQuantity") != 1 || num(ret, "returnLineItems", "nodes", 0, "processableQuantity") != 1 ||
		num(ret, "returnLineItems", "nodes", 0, "refundedQuantity") != 0 || len(list(ret, "refunds", "nodes")) != 0 ||
		str(ret, "reverseFulfillmentOrders", "nodes", 0, "status") != "OPEN" {
		t.Fatalf("after one mug: %v %v", userErrors(dig(data, "returnProcess")), ret)
	}
	// The second went missing in the post.
	data = op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1, "dispositions": []any{map[string]any{
			"reverseFulfillmentOrderLineItemId": rfoLines[0], "quantity": 1, "dispositionType": "MISSING"}}}}}})
	ret = dig(data, "returnProcess", "return")
	if str(ret, "order", "returnStatus") != "INSPECTION_COMPLETE" || len(list(ret, "reverseFulfillmentOrders", "nodes", 0, "lineItems", "nodes", 0, "dispositions")) != 2 {
		t.Fatalf("after both: %v", ret)
	}
}

func TestReturnProcess_UserErrors(t *testing.T) {
	shop := newShop(t)
	id, lines, rfoLines := openReturn(t, shop, order1001, returnLine(fli100101, 1), returnLine(fli100102, 2))
	requested := str(requestReturn(t, shop, "gid://shopify/Order/1002", returnLine("gid://shopify/FulfillmentLineItem/100201", 1)), "id")
	sale1001 := "gid://shopify/OrderTransaction/1001"
	dispose := func(rfoLine string, qty int, typ, loc string) map[string]any {
		d := map[string]any{"reverseFulfillmentOrderLineItemId": rfoLine, "quantity": qty, "dispositionType": typ}
		if loc != "" {
			d["locationId"] = loc
		}
		return d
	}
	refund := func(amount string, allowOver bool) map[string]any {
		return map[string]any{"issueRefund": map[string]any{"allowOverRefunding": allowOver,
			"orderTransactions": []any{map[string]any{"parentId": sale1001, "transactionAmount": eur(amount)}}}}
	}
	tests := []struct {
		name  string
		input map[string]any
		want  []string
	}{
		{"a requested return", map[string]any{"returnId": requested, "returnLineItems": []any{}},
			[]string{"INVALID_STATE input.returnId"}},
		{"an unknown return", map[string]any{"returnId": "gid://shopify/Return/5", "returnLineItems": []any{}},
			[]string{"NOT_FOUND input.returnId"}},
		{"no lines", map[string]any{"returnId": id},
			[]string{"BLANK input.returnLineItems"}},
		{"an unknown line", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": "gid://shopify/ReturnLineItem/3", "quantity": 1}}},
			[]string{"NOT_FOUND input.returnLineItems.0.id"}},
		{"quantity 0", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 0}}},
			[]string{"GREATER_THAN input.returnLineItems.0.quantity"}},
		{"more than returned", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[1], "quantity": 3}}},
			[]string{"LESS_THAN_OR_EQUAL_TO input.returnLineItems.0.quantity"}},
		{"restocked without a location", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1,
			"dispositions": []any{dispose(rfoLines[0], 1, "RESTOCKED", "")}}}},
			[]string{"BLANK input.returnLineItems.0.dispositions.0.locationId"}},
		{"an unknown location", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1,
			"dispositions": []any{dispose(rfoLines[0], 1, "RESTOCKED", "gid://shopify/Location/1")}}}},
			[]string{"NOT_FOUND input.returnLineItems.0.dispositions.0.locationId"}},
		{"another line's reverse line", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1,
			"dispositions": []any{dispose(rfoLines[1], 1, "NOT_RESTOCKED", "")}}}},
			[]string{"NOT_FOUND input.returnLineItems.0.dispositions.0.reverseFulfillmentOrderLineItemId"}},
		{"dispositions that do not add up", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[1], "quantity": 2,
			"dispositions": []any{dispose(rfoLines[1], 1, "NOT_RESTOCKED", "")}}}},
			[]string{"INVALID input.returnLineItems.0.dispositions"}},
		{"more than was paid", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
			"financialTransfer": refund("58.01", false)},
			[]string{"INVALID input.financialTransfer.issueRefund.orderTransactions.0.transactionAmount"}},
		{"another currency", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
			"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{
				map[string]any{"parentId": sale1001, "transactionAmount": map[string]any{"amount": "10.00", "currencyCode": "USD"}}}}}},
			[]string{"INVALID input.financialTransfer.issueRefund.orderTransactions.0.transactionAmount"}},
		{"another order's payment", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
			"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{
				map[string]any{"parentId": "gid://shopify/OrderTransaction/1002", "transactionAmount": eur("10.00")}}}}},
			[]string{"NOT_FOUND input.financialTransfer.issueRefund.orderTransactions.0.parentId"}},
		{"store credit without a customer", map[string]any{"returnId": id, "returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
			"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{},
				"refundMethods": []any{map[string]any{"storeCreditRefund": map[string]any{"amount": eur("5.00")}}}}}},
			[]string{"INVALID input.financialTransfer.issueRefund.refundMethods.0.storeCreditRefund"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": tt.input})
			if got := codes(dig(data, "returnProcess")); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("userErrors = %v, want %v", userErrors(dig(data, "returnProcess")), tt.want)
			}
		})
	}
	// None of it changed anything.
	snap, _ := shop.OrderByName("#1001")
	if len(snap.Refunds) != 0 || snap.Returns[0].Lines[0].Processed != 0 || snap.Returns[0].Lines[1].Processed != 0 {
		t.Fatalf("a refused process changed the order: %+v", snap)
	}
	// allowOverRefunding lets a refund go beyond what was paid.
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems":   []any{map[string]any{"id": lines[0], "quantity": 1}},
		"financialTransfer": refund("60.00", true)}})
	if errs := userErrors(dig(data, "returnProcess")); len(errs) > 0 ||
		str(data, "returnProcess", "return", "refunds", "nodes", 0, "totalRefundedSet", "presentmentMoney", "amount") != "60.0" {
		t.Fatalf("over-refund allowed: %v %v", errs, data)
	}
}

func TestReturnProcess_DeletedProduct(t *testing.T) {
	shop := newShop(t)
	id, lines, rfoLines := openReturn(t, shop, "gid://shopify/Order/1008", returnLine("gid://shopify/FulfillmentLineItem/100801", 1))
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1, "dispositions": []any{map[string]any{
			"reverseFulfillmentOrderLineItemId": rfoLines[0], "quantity": 1, "dispositionType": "RESTOCKED", "locationId": warehouse}}}}}})
	if got := codes(dig(data, "returnProcess")); !reflect.DeepEqual(got, []string{"INVALID input.returnLineItems.0.dispositions.0.dispositionType"}) {
		t.Fatalf("restocking a deleted product: %v", userErrors(dig(data, "returnProcess")))
	}
	data = op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1, "dispositions": []any{map[string]any{
			"reverseFulfillmentOrderLineItemId": rfoLines[0], "quantity": 1, "dispositionType": "NOT_RESTOCKED"}}}},
		"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{
			map[string]any{"parentId": "gid://shopify/OrderTransaction/1008", "transactionAmount": eur("18.00")}}}}}})
	if errs := userErrors(dig(data, "returnProcess")); len(errs) > 0 {
		t.Fatalf("not restocked: %v", errs)
	}
}

func TestPendingRefund_Settles(t *testing.T) {
	rc := newReceiver(t)
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", ClientSecret: "s",
		Webhooks: fastRetries, PendingRefundGateways: []string{"shopify_payments"}})
	t.Cleanup(shop.Close)
	id, lines, _ := openReturn(t, shop, order1006, returnLine("gid://shopify/FulfillmentLineItem/100602", 1))
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
		"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{
			map[string]any{"parentId": card1006, "transactionAmount": eur("35.00")}}}}}})
	if errs := userErrors(dig(data, "returnProcess")); len(errs) > 0 {
		t.Fatal(errs)
	}
	tx := dig(data, "returnProcess", "return", "refunds", "nodes", 0, "transactions", "nodes", 0)
	txID := str(tx, "id")
	if str(tx, "status") != "PENDING" {
		t.Fatalf("transaction = %v, want PENDING", tx)
	}
	pay := op(t, shop, "DevshopPayments", map[string]any{"id": order1006})
	if str(pay, "order", "displayFinancialStatus") != "PAID" || str(pay, "order", "totalRefundedSet", "presentmentMoney", "amount") != "0.0" ||
		dig(pay, "order", "transactions", 2, "processedAt") != nil {
		t.Fatalf("while pending: %v", pay)
	}
	// The pending refund holds its money: only 5.00 is left on the card.
	data = op(t, shop, "DevshopSuggestedRefund", map[string]any{"id": order1006, "lines": []any{
		map[string]any{"lineItemId": "gid://shopify/LineItem/100601", "quantity": 1}}})
	if txs := list(data, "order", "suggestedRefund", "suggestedTransactions"); len(txs) != 2 ||
		str(txs[1], "maximumRefundableSet", "presentmentMoney", "amount") != "5.0" {
		t.Fatalf("suggestion while pending: %v", txs)
	}
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")
	got, err := shop.SettleTransaction(txID, "SUCCESS")
	if err != nil || got.Status != "SUCCESS" {
		t.Fatalf("settle: %+v %v", got, err)
	}
	pay = op(t, shop, "DevshopPayments", map[string]any{"id": order1006})
	if str(pay, "order", "displayFinancialStatus") != "PARTIALLY_REFUNDED" || str(pay, "order", "totalRefundedSet", "presentmentMoney", "amount") != "35.0" ||
		str(pay, "order", "transactions", 2, "processedAt") == "" {
		t.Fatalf("after settling: %v", pay)
	}
	if _, err := shop.SettleTransaction(txID, "FAILURE"); err == nil {
		t.Fatal("a settled transaction settled again")
	}
	if _, err := shop.SettleTransaction(card1006, "SUCCESS"); err == nil {
		t.Fatal("a sale settled as a refund")
	}
	waitWebhooks(t, shop)
	if got := rc.topics(); !reflect.DeepEqual(got, []string{"orders/updated"}) {
		t.Fatalf("topics = %v", got)
	}
	var hook map[string]any
	_ = json.Unmarshal(rc.deliveries()[0].Body, &hook)
	if str(hook, "financial_status") != "partially_refunded" {
		t.Fatalf("orders/updated = %s", rc.deliveries()[0].Body)
	}
}

func TestPendingRefund_Fails(t *testing.T) {
	shop := newShop(t)
	shop.SetPendingRefundGateways("gift_card")
	id, lines, _ := openReturn(t, shop, order1006, returnLine("gid://shopify/FulfillmentLineItem/100601", 1))
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
		"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{
			map[string]any{"parentId": gift1006, "transactionAmount": eur("20.00")}}}}}})
	txID := str(data, "returnProcess", "return", "refunds", "nodes", 0, "transactions", "nodes", 0, "id")
	if _, err := shop.SettleTransaction(txID, "FAILURE"); err != nil {
		t.Fatal(err)
	}
	pay := op(t, shop, "DevshopPayments", map[string]any{"id": order1006})
	tx := dig(pay, "order", "transactions", 2)
	if str(tx, "status") != "FAILURE" || str(tx, "errorCode") != "GENERIC_ERROR" || str(pay, "order", "displayFinancialStatus") != "PAID" {
		t.Fatalf("after failing: %v", pay)
	}
	// The money is free again.
	data = op(t, shop, "DevshopSuggestedRefund", map[string]any{"id": order1006, "lines": []any{
		map[string]any{"lineItemId": "gid://shopify/LineItem/100602", "quantity": 1}}})
	if txs := list(data, "order", "suggestedRefund", "suggestedTransactions"); str(txs[0], "maximumRefundableSet", "presentmentMoney", "amount") != "20.0" {
		t.Fatalf("after a failed refund: %v", txs)
	}
}

func TestManualGatewayRefund(t *testing.T) {
	shop := newShop(t)
	id, lines, _ := openReturn(t, shop, "gid://shopify/Order/1007", returnLine("gid://shopify/FulfillmentLineItem/100701", 1))
	shop.SetPendingRefundGateways("shopify_payments") // not this order's gateway
	data := op(t, shop, "DevshopReturnProcess", map[string]any{"input": map[string]any{"returnId": id,
		"returnLineItems": []any{map[string]any{"id": lines[0], "quantity": 1}},
		"financialTransfer": map[string]any{"issueRefund": map[string]any{"orderTransactions": []any{
			map[string]any{"parentId": "gid://shopify/OrderTransaction/1007", "transactionAmount": eur("24.00")}}}}}})
	if errs := userErrors(dig(data, "returnProcess")); len(errs) > 0 {
		t.Fatal(errs)
	}
	pay := op(t, shop, "DevshopPayments", map[string]any{"id": "gid://shopify/Order/1007"})
	tx := dig(pay, "order", "transactions", 1)
	if str(tx, "kind") != "REFUND" || str(tx, "status") != "SUCCESS" || dig(tx, "manualPaymentGateway") != true ||
		str(tx, "gateway") != "Cash on Delivery (COD)" || str(pay, "order", "displayFinancialStatus") != "REFUNDED" {
		t.Fatalf("manual refund: %v", pay)
	}
	snap, _ := shop.OrderByName("#1007")
	if i := slices.IndexFunc(snap.Transactions, func(t devshop.TransactionSnapshot) bool { return t.Kind == "REFUND" }); i < 0 || !snap.Transactions[i].Manual {
		t.Fatalf("snapshot = %+v", snap.Transactions)
	}
}
