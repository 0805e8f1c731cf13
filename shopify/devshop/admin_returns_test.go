package devshop_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/returnsportal/returns/shopify/devshop"
)

// numericID is the last part of a GID, as the inspection API's paths take
// it.
func numericID(gid string) string { return gid[strings.LastIndex(gid, "/")+1:] }

func TestAdmin_ReturnActions(t *testing.T) {
	rc := newReceiver(t)
	shop, _ := appShop(t, devshop.Options{Webhooks: fastRetries})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	mustSubscribe(t, shop, rc.URL, "RETURNS_APPROVE", "RETURNS_PROCESS", "RETURNS_CLOSE", "REFUNDS_CREATE")

	// The customer asks through the app; staff take it from there.
	ret := requestReturn(t, shop, order1006, returnLine("gid://shopify/FulfillmentLineItem/100601", 1))
	id := numericID(str(ret, "id"))
	lineID := numericID(str(ret, "returnLineItems", "nodes", 0, "id"))

	status, body := admin(t, srv.URL, "POST", "/_devshop/returns/"+id+"/approve", "")
	var snap devshop.ReturnSnapshot
	if err := json.Unmarshal(body, &snap); status != http.StatusOK || err != nil || snap.Status != "OPEN" || snap.Lines[0].ReverseLineItem == "" {
		t.Fatalf("approve: %d %s", status, body)
	}
	if status, body := admin(t, srv.URL, "POST", "/_devshop/returns/"+id+"/approve", ""); status != http.StatusUnprocessableEntity {
		t.Fatalf("approving twice: %d %s", status, body)
	}

	status, body = admin(t, srv.URL, "POST", "/_devshop/returns/"+id+"/process",
		`{"lines":[{"return_line_item_id":"`+lineID+`","quantity":1,"disposition":"RESTOCKED"}],"refund":{"suggested":true},"note":"Checked by Ilze"}`)
	snap = devshop.ReturnSnapshot{}
	if err := json.Unmarshal(body, &snap); status != http.StatusOK || err != nil || snap.Lines[0].Processed != 1 || snap.Lines[0].Refunded != 1 ||
		len(snap.Refunds) != 1 || !reflect.DeepEqual(snap.Lines[0].Dispositions, []devshop.DispositionSnapshot{{Type: "RESTOCKED", Quantity: 1, Location: warehouse}}) {
		t.Fatalf("process: %d %s", status, body)
	}

	status, body = admin(t, srv.URL, "GET", "/_devshop/orders/1006", "")
	var o devshop.OrderSnapshot
	if err := json.Unmarshal(body, &o); status != http.StatusOK || err != nil {
		t.Fatalf("order: %d %s", status, body)
	}
	if len(o.RefundDetails) != 1 || o.RefundDetails[0].Return != str(ret, "id") ||
		!reflect.DeepEqual(o.RefundDetails[0].Lines, []devshop.RefundLineSnapshot{{LineItem: "gid://shopify/LineItem/100601", Quantity: 1, RestockType: "RETURN", Location: warehouse}}) ||
		len(o.RefundDetails[0].Transactions) != 2 || o.RefundDetails[0].Transactions[0].Gateway != "gift_card" || o.RefundDetails[0].Transactions[0].Amount != "20.00" ||
		o.RefundDetails[0].Transactions[1].Gateway != "shopify_payments" || o.RefundDetails[0].Transactions[1].Amount != "5.00" || o.TotalRefunded != "25.00" {
		t.Fatalf("refund details = %s", body)
	}
	stock := map[string]int{}
	for _, inv := range o.Inventory {
		stock[inv.InventoryItem+" "+inv.Location] = inv.Available
	}
	if stock["gid://shopify/InventoryItem/100601 "+warehouse] != 13 || stock["gid://shopify/InventoryItem/100601 "+oldTownShop] != 4 {
		t.Fatalf("inventory = %+v", o.Inventory)
	}
	if len(o.Returns) != 1 || o.Returns[0].Status != "OPEN" {
		t.Fatalf("returns = %+v", o.Returns)
	}

	status, body = admin(t, srv.URL, "POST", "/_devshop/returns/"+id+"/close", "{}")
	if snap = (devshop.ReturnSnapshot{}); json.Unmarshal(body, &snap) != nil || status != http.StatusOK || snap.Status != "CLOSED" {
		t.Fatalf("close: %d %s", status, body)
	}
	if status, _ := admin(t, srv.URL, "POST", "/_devshop/returns/424242/close", "{}"); status != http.StatusNotFound {
		t.Fatalf("unknown return: %d", status)
	}
	waitWebhooks(t, shop)
	if got, want := rc.topics(), []string{"returns/approve", "refunds/create", "returns/process", "returns/close"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("topics = %v, want %v", got, want)
	}
}

func TestAdmin_DeclineAndRefusals(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	ret := requestReturn(t, shop, "gid://shopify/Order/1002", returnLine("gid://shopify/FulfillmentLineItem/100202", 1))
	id := numericID(str(ret, "id"))
	if status, body := admin(t, srv.URL, "POST", "/_devshop/returns/"+id+"/decline", `{"reason":"TOO_LATE"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown reason: %d %s", status, body)
	}
	if status, body := admin(t, srv.URL, "POST", "/_devshop/returns/"+id+"/process", `{"lines":[]}`); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(body), "requested") {
		t.Fatalf("processing a requested return: %d %s", status, body)
	}
	snap, err := shop.DeclineReturn(str(ret, "id"), "FINAL_SALE", "Socks are final sale")
	if err != nil || snap.Status != "DECLINED" || snap.DeclineReason != "FINAL_SALE" || snap.DeclineNote != "Socks are final sale" {
		t.Fatalf("decline: %+v %v", snap, err)
	}
	if got := orderReturnStatus(t, shop, "gid://shopify/Order/1002"); got != "RETURN_FAILED" {
		t.Fatalf("returnStatus = %s", got)
	}
	if _, err := shop.CloseReturn(id); err == nil {
		t.Fatal("a declined return closed")
	}
}

func TestAdmin_SettleTransaction(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{PendingRefundGateways: []string{"shopify_payments"}})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	ret := requestReturn(t, shop, order1006, returnLine("gid://shopify/FulfillmentLineItem/100602", 1))
	if _, err := shop.ApproveReturn(str(ret, "id")); err != nil {
		t.Fatal(err)
	}
	snap, err := shop.ProcessReturn(str(ret, "id"), devshop.MerchantProcess{
		Lines:  []devshop.MerchantProcessLine{{ReturnLineItem: str(ret, "returnLineItems", "nodes", 0, "id"), Quantity: 1, Disposition: "NOT_RESTOCKED"}},
		Refund: &devshop.MerchantReturnRefund{Transactions: []devshop.MerchantRefundTransaction{{Parent: "1006", Amount: "35.00"}}},
	})
	if err != nil || len(snap.Refunds) != 1 {
		t.Fatalf("process: %+v %v", snap, err)
	}
	o, _ := shop.OrderByName("#1006")
	pending := o.RefundDetails[0].Transactions[0]
	if pending.Status != "PENDING" || o.TotalRefunded != "0.00" || o.Refundable != "25.00" {
		t.Fatalf("before settling: %+v", o)
	}
	if status, body := admin(t, srv.URL, "POST", "/_devshop/transactions/"+numericID(pending.ID)+"/settle", `{"status":"MAYBE"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad status: %d %s", status, body)
	}
	if status, _ := admin(t, srv.URL, "POST", "/_devshop/transactions/99/settle", `{"status":"SUCCESS"}`); status != http.StatusNotFound {
		t.Fatalf("an unknown transaction: %d", status)
	}
	status, body := admin(t, srv.URL, "POST", "/_devshop/transactions/"+numericID(pending.ID)+"/settle", `{"status":"SUCCESS"}`)
	var tx devshop.TransactionSnapshot
	if err := json.Unmarshal(body, &tx); status != http.StatusOK || err != nil || tx.Status != "SUCCESS" {
		t.Fatalf("settle: %d %s", status, body)
	}
	if o, _ := shop.OrderByName("#1006"); o.TotalRefunded != "35.00" || o.FinancialStatus != "PARTIALLY_REFUNDED" {
		t.Fatalf("after settling: %+v", o)
	}
}
