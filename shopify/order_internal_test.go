package shopify

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestSearchValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1001", `"1001"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{`\"`, `"\\\""`},
	}
	for _, tt := range tests {
		if got := searchValue(tt.in); got != tt.want {
			t.Errorf("searchValue(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSameOrderName(t *testing.T) {
	tests := []struct {
		name, number string
		want         bool
	}{
		{"#1001", "1001", true},
		{"#1001", "#1001", true},
		{" #1001 ", "1001", true},
		{"EN1001", "en1001", true},
		{"#1001", "100", false},
		{"#1001", "10011", false},
		{"##1001", "1001", false},
		{"1001-A", "1001-a", true},
	}
	for _, tt := range tests {
		if got := sameOrderName(tt.name, tt.number); got != tt.want {
			t.Errorf("sameOrderName(%q, %q) = %v, want %v", tt.name, tt.number, got, tt.want)
		}
	}
}

// FuzzDecodeOrder feeds arbitrary answers to the decoding and mapping of an
// order: it must never panic, and what it accepts must be a usable order.
func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(`{"order":{"id":"gid://shopify/Order/1","name":"#1","presentmentCurrencyCode":"EUR","createdAt":"2026-01-01T00:00:00Z",` +
		`"lineItems":{"nodes":[{"id":"gid://shopify/LineItem/1","title":"T","currentQuantity":1,` +
		`"discountedUnitPriceAfterAllDiscountsSet":{"presentmentMoney":{"amount":"29.0","currencyCode":"EUR"}},"product":null,"image":null}],` +
		`"pageInfo":{"hasNextPage":false}},"fulfillments":[{"status":"SUCCESS","createdAt":"2026-01-02T00:00:00Z","deliveredAt":null,` +
		`"fulfillmentLineItems":{"nodes":[{"quantity":1,"lineItem":{"id":"gid://shopify/LineItem/1"}}]}}]}}`))
	f.Add([]byte(`{"order":null}`))
	f.Add([]byte(`{"order":{"id":"x","name":"y","presentmentCurrencyCode":"JPY","lineItems":{"nodes":[{"discountedUnitPriceAfterAllDiscountsSet":{"presentmentMoney":{"amount":"-1e9"}}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp orderResponse
		if json.Unmarshal(data, &resp) != nil || resp.Order == nil {
			return
		}
		o, err := resp.Order.toOrder()
		if err != nil {
			return
		}
		if o.ID == "" || o.Name == "" || o.Currency == "" {
			t.Fatalf("accepted an order without id, name or currency: %+v", o)
		}
		for _, l := range o.Lines {
			if l.UnitPrice.Currency == "" {
				t.Fatalf("line without currency: %+v", l)
			}
		}
	})
}

// TestProductGone: a line whose product Shopify answers null (deleted since
// the order) is marked so, and is not mistaken for one without tags; a gift
// card is left to its own rule.
func TestProductGone(t *testing.T) {
	line := func(id, product string, giftCard bool) string {
		return `{"id":"gid://shopify/LineItem/` + id + `","title":"T","currentQuantity":1,"isGiftCard":` + fmt.Sprint(giftCard) + `,` +
			`"discountedUnitPriceAfterAllDiscountsSet":{"presentmentMoney":{"amount":"9.0","currencyCode":"EUR"}},"product":` + product + `}`
	}
	data := `{"order":{"id":"gid://shopify/Order/1","name":"#1","presentmentCurrencyCode":"EUR","createdAt":"2026-01-01T00:00:00Z",` +
		`"totalReceivedSet":{"presentmentMoney":{"amount":"27.0","currencyCode":"EUR"}},"totalRefundedSet":{"presentmentMoney":{"amount":"0.0","currencyCode":"EUR"}},` +
		`"lineItems":{"nodes":[` + line("1", `{"tags":[]}`, false) + `,` + line("2", `null`, false) + `,` + line("3", `null`, true) + `]}}}`
	var resp orderResponse
	if err := json.Unmarshal([]byte(data), &resp); err != nil {
		t.Fatal(err)
	}
	o, err := resp.Order.toOrder()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{false, true, false} {
		if o.Lines[i].ProductGone != want {
			t.Errorf("line %d: ProductGone = %v, want %v", i+1, o.Lines[i].ProductGone, want)
		}
	}
}
