package shopify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
)

// The payloads in testdata/webhooks are in the shape Shopify sends:
// refunds_create.json is the refund of Shopify's REST reference example
// (order 450789469), refunds_create_return.json a refund from a return with
// ids beyond 2^53 and a pending transaction, orders_updated.json an order
// with the ids of Shopify's webhook samples, app_uninstalled.json Shopify's
// shop sample, and the compliance ones the samples of Shopify's privacy
// compliance page.

func readPayload(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func usd(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "USD"} }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseWebhook(t *testing.T) {
	headers := returns.WebhookHeaders{WebhookID: "b54557e4-8a5f-4f7d-9b1c-d043aa0f5a01", EventID: "98880550-7158-44d4-b7cd-2c97c8a091b5",
		TriggeredAt: at("2026-11-25T07:12:45Z"), ShopDomain: "linen-co.myshopify.com", APIVersion: "2026-04"}
	tests := []struct {
		topic, file string
		want        returns.ShopEvent
	}{
		{returns.TopicRefundsCreate, "refunds_create.json", returns.ShopEvent{
			OrderID:    "gid://shopify/Order/450789469",
			OccurredAt: at("2025-10-01T14:53:52-04:00"),
			Refund: &returns.ShopRefund{
				ID: "gid://shopify/Refund/929361462", OrderID: "gid://shopify/Order/450789469", Note: "wrong size",
				CreatedAt: at("2025-10-01T14:53:52-04:00"), ProcessedAt: at("2025-10-01T14:53:52-04:00"),
				Amount: usd(4194), Pending: usd(0),
				Transactions: []returns.ShopRefundTransaction{{
					ID: "gid://shopify/OrderTransaction/1068278463", ParentID: "gid://shopify/OrderTransaction/801038806",
					Kind: "REFUND", Status: "SUCCESS", Gateway: "bogus", Amount: usd(4194),
				}},
				Lines: []returns.ShopRefundLine{{LineItemID: "gid://shopify/LineItem/518995019", Quantity: 1, RestockType: "NO_RESTOCK"}},
			},
		}},
		{returns.TopicRefundsCreate, "refunds_create_return.json", returns.ShopEvent{
			OrderID:    "gid://shopify/Order/820982911946154508",
			OccurredAt: at("2026-11-25T09:12:44+02:00"),
			Refund: &returns.ShopRefund{
				ID: "gid://shopify/Refund/890088186047892319", OrderID: "gid://shopify/Order/820982911946154508",
				CreatedAt: at("2026-11-25T09:12:44+02:00"), ProcessedAt: at("2026-11-25T09:12:44+02:00"),
				Amount: returns.Money{Minor: 2000, Currency: "EUR"}, Pending: returns.Money{Minor: 900, Currency: "EUR"},
				ReturnID: "gid://shopify/Return/945000954",
				Transactions: []returns.ShopRefundTransaction{
					{ID: "gid://shopify/OrderTransaction/245135173", ParentID: "gid://shopify/OrderTransaction/245135170",
						Kind: "REFUND", Status: "SUCCESS", Gateway: "shopify_payments", Amount: returns.Money{Minor: 2000, Currency: "EUR"}},
					{ID: "gid://shopify/OrderTransaction/245135174", ParentID: "gid://shopify/OrderTransaction/245135171",
						Kind: "REFUND", Status: "PENDING", Gateway: "gift_card", Amount: returns.Money{Minor: 900, Currency: "EUR"}},
				},
				Lines: []returns.ShopRefundLine{{LineItemID: "gid://shopify/LineItem/866550311766439020", Quantity: 2, RestockType: "RETURN"}},
			},
		}},
		{returns.TopicOrdersUpdated, "orders_updated.json", returns.ShopEvent{
			OrderID:    "gid://shopify/Order/820982911946154508",
			OccurredAt: at("2026-11-25T09:12:45+02:00"),
			Order: &returns.ShopOrderUpdate{
				ID: "gid://shopify/Order/820982911946154508", Name: "#9999",
				Note:            "Return R-7KQ9X2MD: Ceramic mug × 2 damaged, refund requested",
				Tags:            []string{"returns-portal", "R-7KQ9X2MD", "vip"},
				UpdatedAt:       at("2026-11-25T09:12:45+02:00"),
				FinancialStatus: "PARTIALLY_REFUNDED",
			},
		}},
		{returns.TopicAppUninstalled, "app_uninstalled.json", returns.ShopEvent{
			Uninstalled: &returns.ShopUninstall{Name: "Super Toys", MyshopifyDomain: "super-toys.myshopify.com"},
		}},
		{returns.TopicCustomersRedact, "customers_redact.json", returns.ShopEvent{
			Redact: &returns.ShopRedact{ShopDomain: "{shop}.myshopify.com", CustomerID: "gid://shopify/Customer/191167",
				CustomerEmail: "john@example.com",
				OrderIDs:      []string{"gid://shopify/Order/299938", "gid://shopify/Order/280263", "gid://shopify/Order/220458"}},
		}},
		{returns.TopicCustomersDataRequest, "customers_data_request.json", returns.ShopEvent{
			Redact: &returns.ShopRedact{ShopDomain: "{shop}.myshopify.com", CustomerID: "gid://shopify/Customer/191167",
				CustomerEmail: "john@example.com", DataRequestID: "9999",
				OrderIDs: []string{"gid://shopify/Order/299938", "gid://shopify/Order/280263", "gid://shopify/Order/220458"}},
		}},
		{returns.TopicShopRedact, "shop_redact.json", returns.ShopEvent{
			Redact: &returns.ShopRedact{ShopDomain: "{shop}.myshopify.com"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := shopify.ParseWebhook(tt.topic, readPayload(t, tt.file), headers)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Topic, tt.want.WebhookHeaders = tt.topic, headers
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseWebhook() =\n%+v\nwant\n%+v", describeEvent(got), describeEvent(tt.want))
			}
		})
	}
}

// describeEvent spells out an event's pointers for a failure message.
func describeEvent(ev returns.ShopEvent) string {
	s := fmt.Sprintf("%s %s %s", ev.Topic, ev.OrderID, ev.OccurredAt)
	if ev.Refund != nil {
		s += fmt.Sprintf(" refund %+v", *ev.Refund)
	}
	if ev.Order != nil {
		s += fmt.Sprintf(" order %+v", *ev.Order)
	}
	if ev.Uninstalled != nil {
		s += fmt.Sprintf(" uninstalled %+v", *ev.Uninstalled)
	}
	if ev.Redact != nil {
		s += fmt.Sprintf(" redact %+v", *ev.Redact)
	}
	return s
}

func TestParseWebhook_Refusals(t *testing.T) {
	tests := []struct {
		name, topic, body string
	}{
		{"unknown topic", "products/create", `{}`},
		{"not JSON", returns.TopicRefundsCreate, `{"id":`},
		{"refund without order", returns.TopicRefundsCreate, `{"id":1,"transactions":[]}`},
		{"amount as a float is read as a decimal string only", returns.TopicRefundsCreate, `{"id":1,"order_id":2,"transactions":[{"id":3,"kind":"refund","status":"success","amount":41.94,"currency":"USD"}]}`},
		{"transaction without currency", returns.TopicRefundsCreate, `{"id":1,"order_id":2,"transactions":[{"id":3,"kind":"refund","status":"success","amount":"1.00"}]}`},
		{"transactions in two currencies", returns.TopicRefundsCreate, `{"id":1,"order_id":2,"transactions":[{"id":3,"amount":"1.00","currency":"EUR"},{"id":4,"amount":"1.00","currency":"USD"}]}`},
		{"negative id", returns.TopicOrdersUpdated, `{"id":-5}`},
		{"id as a float", returns.TopicOrdersUpdated, `{"id":1.5}`},
		{"order without id", returns.TopicOrdersUpdated, `{"name":"#1"}`},
		{"bad time", returns.TopicOrdersUpdated, `{"id":5,"updated_at":"yesterday"}`},
		{"redact without customer", returns.TopicCustomersRedact, `{"shop_domain":"s.myshopify.com","orders_to_redact":[1]}`},
		{"redact without shop", returns.TopicShopRedact, `{"shop_id":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shopify.ParseWebhook(tt.topic, []byte(tt.body), returns.WebhookHeaders{})
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
}

func FuzzParseWebhook(f *testing.F) {
	topics := []string{returns.TopicRefundsCreate, returns.TopicOrdersUpdated, returns.TopicAppUninstalled,
		returns.TopicCustomersRedact, returns.TopicCustomersDataRequest, returns.TopicShopRedact}
	entries, err := os.ReadDir(filepath.Join("testdata", "webhooks"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b := readPayload(f, e.Name())
		for i := range topics {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, topic uint8, body []byte) {
		ev, err := shopify.ParseWebhook(topics[int(topic)%len(topics)], body, returns.WebhookHeaders{})
		if err != nil {
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			return
		}
		if r := ev.Refund; r != nil {
			for _, tx := range r.Transactions {
				if tx.Amount.Currency != r.Amount.Currency {
					t.Fatalf("a transaction in %s of a refund in %s", tx.Amount.Currency, r.Amount.Currency)
				}
			}
			if !strings.HasPrefix(r.OrderID, "gid://shopify/Order/") {
				t.Fatalf("order id %q", r.OrderID)
			}
		}
	})
}
