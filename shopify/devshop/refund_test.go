package devshop_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/returnsportal/returns/shopify/devshop"
)

const refundCreate = `mutation($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id note totalRefundedSet { presentmentMoney { amount currencyCode } } }
    order { displayFinancialStatus totalRefundedSet { presentmentMoney { amount } } }
    userErrors { field message }
  }
}`

// refundInput is a money-only refund of amount on #1001 to its sale.
func refundInput(amount string) map[string]any {
	return map[string]any{
		"orderId": "gid://shopify/Order/1001",
		"note":    "Return R-1",
		"notify":  false,
		"transactions": []any{map[string]any{
			"orderId": "gid://shopify/Order/1001", "parentId": "gid://shopify/OrderTransaction/1001",
			"gateway": "bogus", "kind": "REFUND", "amount": amount,
		}},
	}
}

type refundCreateData struct {
	RefundCreate *struct {
		Refund *struct {
			ID               string
			Note             string
			TotalRefundedSet struct {
				PresentmentMoney struct{ Amount, CurrencyCode string }
			}
		}
		Order *struct {
			DisplayFinancialStatus string
		}
		UserErrors []struct {
			Field   []string
			Message string
		}
	}
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
	return v
}

// createRefund sends refundCreate and returns the refund id, failing the test
// on any error.
func createRefund(t *testing.T, shop *devshop.Shop, key string, input map[string]any) string {
	t.Helper()
	r := query(t, shop, refundCreate, map[string]any{"input": input, "key": key})
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	d := decode[refundCreateData](t, r)
	if d.RefundCreate == nil || d.RefundCreate.Refund == nil {
		t.Fatalf("no refund: %s", r.Data)
	}
	return d.RefundCreate.Refund.ID
}

func TestRefundCreate(t *testing.T) {
	shop := newShop(t)
	r := query(t, shop, refundCreate, map[string]any{"input": refundInput("29.00"), "key": "k1"})
	want := `{"refundCreate":{"refund":{"id":"gid://shopify/Refund/1000001","note":"Return R-1","totalRefundedSet":{"presentmentMoney":{"amount":"29.0","currencyCode":"EUR"}}},` +
		`"order":{"displayFinancialStatus":"PARTIALLY_REFUNDED","totalRefundedSet":{"presentmentMoney":{"amount":"29.0"}}},"userErrors":[]}}`
	if len(r.Errors) > 0 || string(r.Data) != want {
		t.Fatalf("data =\n%s\nwant\n%s\nerrors %+v", r.Data, want, r.Errors)
	}

	const read = `{ order(id: "gid://shopify/Order/1001") {
  displayFinancialStatus refundable
  totalReceivedSet { presentmentMoney { amount } } netPaymentSet { presentmentMoney { amount } }
  transactions(first: 5) { id kind status gateway amountSet { presentmentMoney { amount } } parentTransaction { id } }
  refunds(first: 5) { id note createdAt totalRefundedSet { presentmentMoney { amount } }
    transactions(first: 5) { nodes { id kind status amountSet { presentmentMoney { amount } } parentTransaction { id } } } }
} }`
	got := string(query(t, shop, read, nil).Data)
	want = `{"order":{"displayFinancialStatus":"PARTIALLY_REFUNDED","refundable":true,` +
		`"totalReceivedSet":{"presentmentMoney":{"amount":"58.0"}},"netPaymentSet":{"presentmentMoney":{"amount":"29.0"}},` +
		`"transactions":[{"id":"gid://shopify/OrderTransaction/1001","kind":"SALE","status":"SUCCESS","gateway":"bogus","amountSet":{"presentmentMoney":{"amount":"58.0"}},"parentTransaction":null},` +
		`{"id":"gid://shopify/OrderTransaction/1000002","kind":"REFUND","status":"SUCCESS","gateway":"bogus","amountSet":{"presentmentMoney":{"amount":"29.0"}},"parentTransaction":{"id":"gid://shopify/OrderTransaction/1001"}}],` +
		`"refunds":[{"id":"gid://shopify/Refund/1000001","note":"Return R-1","createdAt":"2026-11-26T12:00:00Z","totalRefundedSet":{"presentmentMoney":{"amount":"29.0"}},` +
		`"transactions":{"nodes":[{"id":"gid://shopify/OrderTransaction/1000002","kind":"REFUND","status":"SUCCESS","amountSet":{"presentmentMoney":{"amount":"29.0"}},"parentTransaction":{"id":"gid://shopify/OrderTransaction/1001"}}]}}]}}`
	if got != want {
		t.Fatalf("order =\n%s\nwant\n%s", got, want)
	}

	createRefund(t, shop, "k2", refundInput("29"))
	snap, _ := shop.OrderByName("#1001")
	wantRefunds := []devshop.RefundSnapshot{
		{ID: "gid://shopify/Refund/1000001", Amount: "29.00", Currency: "EUR", Note: "Return R-1", Keys: []string{"k1"}},
		{ID: "gid://shopify/Refund/1000003", Amount: "29.00", Currency: "EUR", Note: "Return R-1", Keys: []string{"k2"}},
	}
	if snap.FinancialStatus != "REFUNDED" || snap.TotalRefunded != "58.00" || !reflect.DeepEqual(snap.Refunds, wantRefunds) {
		t.Fatalf("after refunding everything: %+v", snap)
	}
	if got := string(query(t, shop, `{ order(id: "gid://shopify/Order/1001") { refundable } }`, nil).Data); got != `{"order":{"refundable":false}}` {
		t.Fatalf("refundable: %s", got)
	}
}

// TestRefundCreate_RecordsKeys: the store remembers which idempotency keys
// each refund was asked with, and every key that came for the order, so that
// tests of the portal can check that a retry carried the ledger's key.
func TestRefundCreate_RecordsKeys(t *testing.T) {
	shop := newShop(t)
	first := createRefund(t, shop, "key-1", refundInput("10.00"))
	createRefund(t, shop, "key-1", refundInput("10.00"))                                         // a replay
	query(t, shop, refundCreate, map[string]any{"input": refundInput("11.00"), "key": "key-1"})  // other input
	query(t, shop, refundCreate, map[string]any{"input": refundInput("100.00"), "key": "key-2"}) // refused
	second := createRefund(t, shop, "key-3", refundInput("5.00"))
	// A request for another order is not #1001's.
	other := refundInput("1.00")
	other["orderId"] = "gid://shopify/Order/1002"
	query(t, shop, refundCreate, map[string]any{"input": other, "key": "key-4"})

	snap, _ := shop.OrderByName("#1001")
	if want := []string{"key-1", "key-1", "key-1", "key-2", "key-3"}; !reflect.DeepEqual(snap.RefundKeys, want) {
		t.Errorf("order's keys = %q, want %q", snap.RefundKeys, want)
	}
	if len(snap.Refunds) != 2 || snap.Refunds[0].ID != first || snap.Refunds[1].ID != second {
		t.Fatalf("refunds %+v, want %s and %s", snap.Refunds, first, second)
	}
	if want := []string{"key-1", "key-1"}; !reflect.DeepEqual(snap.Refunds[0].Keys, want) {
		t.Errorf("first refund's keys = %q, want %q", snap.Refunds[0].Keys, want)
	}
	if want := []string{"key-3"}; !reflect.DeepEqual(snap.Refunds[1].Keys, want) {
		t.Errorf("second refund's keys = %q, want %q", snap.Refunds[1].Keys, want)
	}
	// The snapshot is a copy.
	snap.RefundKeys[0], snap.Refunds[0].Keys[0] = "changed", "changed"
	if again, _ := shop.OrderByName("#1001"); again.RefundKeys[0] != "key-1" || again.Refunds[0].Keys[0] != "key-1" {
		t.Error("changing a snapshot changed the store")
	}
}

func TestRefundCreate_Idempotency(t *testing.T) {
	t.Run("same key and input replays the first refund", func(t *testing.T) {
		shop := newShop(t)
		first := createRefund(t, shop, "key-1", refundInput("10.00"))
		again := createRefund(t, shop, "key-1", refundInput("10.00"))
		if again != first || shop.RefundCount("#1001") != 1 {
			t.Fatalf("replay gave %s (first %s), %d refunds", again, first, shop.RefundCount("#1001"))
		}
		if snap, _ := shop.OrderByName("#1001"); snap.TotalRefunded != "10.00" {
			t.Fatalf("total refunded %s", snap.TotalRefunded)
		}
	})

	t.Run("same key with other input", func(t *testing.T) {
		shop := newShop(t)
		createRefund(t, shop, "key-1", refundInput("10.00"))
		r := query(t, shop, refundCreate, map[string]any{"input": refundInput("11.00"), "key": "key-1"})
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" ||
			r.Errors[0].Message != "idempotency key reused with different parameters" || string(r.Data) != `{"refundCreate":null}` {
			t.Fatalf("answer: data %s errors %+v", r.Data, r.Errors)
		}
		if n := shop.RefundCount("#1001"); n != 1 {
			t.Fatalf("%d refunds", n)
		}
	})

	t.Run("a refusal is not remembered", func(t *testing.T) {
		shop := newShop(t)
		r := query(t, shop, refundCreate, map[string]any{"input": refundInput("100.00"), "key": "key-1"})
		if d := decode[refundCreateData](t, r); d.RefundCreate == nil || len(d.RefundCreate.UserErrors) != 1 {
			t.Fatalf("answer %s", r.Data)
		}
		createRefund(t, shop, "key-1", refundInput("10.00"))
	})

	for _, tt := range []struct {
		name, query, version, code string
	}{
		{"no key on 2026-04", `mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }`, "2026-04", "IDEMPOTENCY_KEY_REQUIRED"},
		{"no key on 2026-10", `mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }`, "2026-10", "IDEMPOTENCY_KEY_REQUIRED"},
		{"no key on 2026-01", `mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }`, "2026-01", ""},
		{"blank key", `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "  ") { refund { id } userErrors { message } } }`, "2026-04", "BAD_REQUEST"},
		{"blank key on 2026-01", `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "") { refund { id } userErrors { message } } }`, "2026-01", "BAD_REQUEST"},
		{"literal key", `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "k") { refund { id } userErrors { message } } }`, "2026-04", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			shop := newShop(t)
			r := queryVersion(t, shop, tt.version, tt.query, map[string]any{"input": refundInput("5.00")})
			if tt.code == "" {
				if len(r.Errors) > 0 || shop.RefundCount("#1001") != 1 {
					t.Fatalf("answer: data %s errors %+v", r.Data, r.Errors)
				}
				return
			}
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tt.code || string(r.Data) != `{"refundCreate":null}` {
				t.Fatalf("answer: data %s errors %+v", r.Data, r.Errors)
			}
			if n := shop.RefundCount("#1001"); n != 0 {
				t.Fatalf("%d refunds", n)
			}
		})
	}

	t.Run("concurrent requests with one key make one refund", func(t *testing.T) {
		shop := newShop(t)
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, body, err := send(shop, refundCreate, map[string]any{"input": refundInput("29.00"), "key": "race"})
				if err != nil {
					t.Errorf("refundCreate: %v", err)
					return
				}
				var r struct{ Data refundCreateData }
				if json.Unmarshal(body, &r) == nil && r.Data.RefundCreate != nil && r.Data.RefundCreate.Refund != nil {
					ids[i] = r.Data.RefundCreate.Refund.ID
				}
			}()
		}
		wg.Wait()
		for i := range ids {
			if ids[i] == "" || ids[i] != ids[0] {
				t.Fatalf("ids = %q, want one refund id everywhere", ids)
			}
		}
		if n := shop.RefundCount("#1001"); n != 1 {
			t.Fatalf("%d refunds", n)
		}
	})
}

// queryVersion is query on another API version's endpoint.
func queryVersion(t *testing.T, h http.Handler, version, q string, vars map[string]any) response {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/admin/api/"+version+"/graphql.json", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", "shpat_test")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &r) != nil {
		t.Fatalf("answer %d: %s", rec.Code, rec.Body)
	}
	return r
}

func TestRefundCreate_UserErrors(t *testing.T) {
	tx := func(change func(map[string]any)) func(map[string]any) {
		return func(in map[string]any) { change(in["transactions"].([]any)[0].(map[string]any)) }
	}
	tests := []struct {
		name      string
		change    func(map[string]any)
		wantField []string
		wantMsg   string // "" to skip
	}{
		{"unknown order", func(in map[string]any) { in["orderId"] = "gid://shopify/Order/42" }, []string{"orderId"}, "Order does not exist"},
		{"over-refund", tx(func(t map[string]any) { t["amount"] = "58.01" }),
			[]string{"transactions", "0", "amount"}, "Refund amount exceeds the maximum refundable amount"},
		{"zero amount", tx(func(t map[string]any) { t["amount"] = "0.00" }), []string{"transactions", "0", "amount"}, ""},
		{"three decimals", tx(func(t map[string]any) { t["amount"] = "1.005" }), []string{"transactions", "0", "amount"}, ""},
		{"negative amount", tx(func(t map[string]any) { t["amount"] = "-1.00" }), []string{"transactions", "0", "amount"}, ""},
		{"kind SALE", tx(func(t map[string]any) { t["kind"] = "SALE" }), []string{"transactions", "0", "kind"}, ""},
		{"parent of another order", tx(func(t map[string]any) { t["parentId"] = "gid://shopify/OrderTransaction/1002" }),
			[]string{"transactions", "0", "parentId"}, ""},
		{"no parent", tx(func(t map[string]any) { delete(t, "parentId") }), []string{"transactions", "0", "parentId"}, ""},
		{"other gateway", tx(func(t map[string]any) { t["gateway"] = "shopify_payments" }), []string{"transactions", "0", "gateway"}, ""},
		{"transaction of another order", tx(func(t map[string]any) { t["orderId"] = "gid://shopify/Order/1002" }),
			[]string{"transactions", "0", "orderId"}, ""},
		{"other currency", func(in map[string]any) { in["currency"] = "USD" }, []string{"currency"}, ""},
		{"legacy restock", func(in map[string]any) {
			in["refundLineItems"] = []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100101", "quantity": 1, "restockType": "LEGACY_RESTOCK"}}
		}, []string{"refundLineItems", "0", "restockType"}, ""},
		{"too many items", func(in map[string]any) {
			in["refundLineItems"] = []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100102", "quantity": 3}}
		}, []string{"refundLineItems", "0", "quantity"}, ""},
		{"line of another order", func(in map[string]any) {
			in["refundLineItems"] = []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100201", "quantity": 1}}
		}, []string{"refundLineItems", "0", "lineItemId"}, ""},
		{"nothing to refund", func(in map[string]any) { delete(in, "transactions") }, nil, "A refund needs line items or transactions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shop := newShop(t)
			in := refundInput("29.00")
			tt.change(in)
			r := query(t, shop, refundCreate, map[string]any{"input": in, "key": "k"})
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			d := decode[refundCreateData](t, r)
			p := d.RefundCreate
			if p == nil || p.Refund != nil || p.Order != nil || len(p.UserErrors) != 1 {
				t.Fatalf("answer %s, want refund null and one userError", r.Data)
			}
			if e := p.UserErrors[0]; !reflect.DeepEqual(e.Field, tt.wantField) || (tt.wantMsg != "" && e.Message != tt.wantMsg) {
				t.Fatalf("userError %+v, want field %q message %q", e, tt.wantField, tt.wantMsg)
			}
			if n := shop.RefundCount("#1001"); n != 0 {
				t.Fatalf("%d refunds", n)
			}
		})
	}

	t.Run("over-refund allowed", func(t *testing.T) {
		shop := newShop(t)
		in := refundInput("60.00")
		in["allowOverRefunding"] = true
		createRefund(t, shop, "k", in)
		if snap, _ := shop.OrderByName("#1001"); snap.TotalRefunded != "60.00" || snap.FinancialStatus != "REFUNDED" {
			t.Fatalf("%+v", snap)
		}
	})

	t.Run("presentment currency required", func(t *testing.T) {
		usd := func(currency string) map[string]any {
			in := map[string]any{"orderId": "gid://shopify/Order/1005", "transactions": []any{map[string]any{
				"orderId": "gid://shopify/Order/1005", "parentId": "gid://shopify/OrderTransaction/1005",
				"gateway": "bogus", "kind": "REFUND", "amount": "6.50",
			}}}
			if currency != "" {
				in["currency"] = currency
			}
			return in
		}
		shop := newShop(t)
		for _, c := range []string{"", "EUR"} {
			d := decode[refundCreateData](t, query(t, shop, refundCreate, map[string]any{"input": usd(c), "key": "k" + c}))
			if p := d.RefundCreate; p == nil || p.Refund != nil || len(p.UserErrors) != 1 || p.UserErrors[0].Field[0] != "currency" {
				t.Fatalf("currency %q: %+v", c, p)
			}
		}
		createRefund(t, shop, "kUSD", usd("USD"))
		if snap, _ := shop.OrderByName("#1005"); snap.TotalRefunded != "6.50" || snap.Refunds[0].Currency != "USD" {
			t.Fatalf("%+v", snap)
		}
	})

	t.Run("line items", func(t *testing.T) {
		shop := newShop(t)
		in := refundInput("14.50")
		in["refundLineItems"] = []any{map[string]any{"lineItemId": "gid://shopify/LineItem/100102", "quantity": 1, "restockType": "NO_RESTOCK"}}
		createRefund(t, shop, "k", in)
		got := string(query(t, shop, `{ order(id: "gid://shopify/Order/1001") { lineItems(first: 5) { nodes { currentQuantity refundableQuantity } }
			refunds(first: 1) { refundLineItems(first: 5) { nodes { quantity restockType lineItem { id } } } } } }`, nil).Data)
		want := `{"order":{"lineItems":{"nodes":[{"currentQuantity":1,"refundableQuantity":1},{"currentQuantity":1,"refundableQuantity":1}]},` +
			`"refunds":[{"refundLineItems":{"nodes":[{"quantity":1,"restockType":"NO_RESTOCK","lineItem":{"id":"gid://shopify/LineItem/100102"}}]}}]}}`
		if got != want {
			t.Fatalf("order =\n%s\nwant\n%s", got, want)
		}
	})
}

func TestRefundCreate_DropAfterCommit(t *testing.T) {
	shop := newShop(t)
	srv := httptest.NewServer(shop)
	defer srv.Close()
	send := func() (string, error) {
		b, _ := json.Marshal(map[string]any{"query": refundCreate, "variables": map[string]any{"input": refundInput("29.00"), "key": "lost"}})
		req, _ := http.NewRequest("POST", srv.URL+endpoint, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Access-Token", "shpat_test")
		resp, err := srv.Client().Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return string(body), err
	}
	shop.DropAfterCommit(1)
	if _, err := send(); err == nil {
		t.Fatal("refundCreate was answered, want a dropped connection")
	}
	if n := shop.RefundCount("#1001"); n != 1 {
		t.Fatalf("%d refunds after the drop, want the committed one", n)
	}
	body, err := send()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `"id":"gid://shopify/Refund/1000001"`) {
		t.Fatalf("replay = %s, want the first refund", body)
	}
	if snap, _ := shop.OrderByName("#1001"); len(snap.Refunds) != 1 || snap.TotalRefunded != "29.00" {
		t.Fatalf("%+v", snap)
	}
}

func TestSuggestedRefund(t *testing.T) {
	const q = `query($id: ID!, $lines: [RefundLineItemInput!], $full: Boolean) { order(id: $id) {
  suggestedRefund(refundLineItems: $lines, suggestFullRefund: $full, refundShipping: true) {
    amountSet { presentmentMoney { amount } } subtotalSet { presentmentMoney { amount } }
    maximumRefundableSet { presentmentMoney { amount } } shipping { amountSet { presentmentMoney { amount } } }
    suggestedTransactions { kind gateway amountSet { presentmentMoney { amount } } maximumRefundableSet { presentmentMoney { amount } } parentTransaction { id } }
    refundLineItems { id quantity restockType lineItem { id } subtotalSet { presentmentMoney { amount } } }
  } } }`
	line := func(id string, qty int) map[string]any {
		return map[string]any{"lineItemId": "gid://shopify/LineItem/" + id, "quantity": qty, "restockType": "NO_RESTOCK"}
	}

	t.Run("the scarf of #1002", func(t *testing.T) {
		r := query(t, newShop(t), q, map[string]any{"id": "gid://shopify/Order/1002", "lines": []any{line("100201", 1)}})
		// refundShipping: true adds #1002's standard delivery, 3.90.
		want := `{"order":{"suggestedRefund":{"amountSet":{"presentmentMoney":{"amount":"52.9"}},"subtotalSet":{"presentmentMoney":{"amount":"49.0"}},` +
			`"maximumRefundableSet":{"presentmentMoney":{"amount":"61.9"}},"shipping":{"amountSet":{"presentmentMoney":{"amount":"3.9"}}},` +
			`"suggestedTransactions":[{"kind":"SUGGESTED_REFUND","gateway":"bogus","amountSet":{"presentmentMoney":{"amount":"52.9"}},"maximumRefundableSet":{"presentmentMoney":{"amount":"61.9"}},"parentTransaction":{"id":"gid://shopify/OrderTransaction/1002"}}],` +
			`"refundLineItems":[{"id":null,"quantity":1,"restockType":"NO_RESTOCK","lineItem":{"id":"gid://shopify/LineItem/100201"},"subtotalSet":{"presentmentMoney":{"amount":"49.0"}}}]}}}`
		if len(r.Errors) > 0 || string(r.Data) != want {
			t.Fatalf("data =\n%s\nwant\n%s\nerrors %+v", r.Data, want, r.Errors)
		}
	})

	amount := func(t *testing.T, shop *devshop.Shop, vars map[string]any) string {
		t.Helper()
		r := query(t, shop, q, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		var d struct {
			Order struct {
				SuggestedRefund struct {
					AmountSet struct{ PresentmentMoney struct{ Amount string } }
				}
			}
		}
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		return d.Order.SuggestedRefund.AmountSet.PresentmentMoney.Amount
	}
	tests := []struct {
		name string
		vars map[string]any
		want string
	}{
		{"quantity above refundable is clamped", map[string]any{"id": "gid://shopify/Order/1001", "lines": []any{line("100102", 5)}}, "29.0"},
		{"full refund ignores lines", map[string]any{"id": "gid://shopify/Order/1001", "lines": []any{line("100102", 1)}, "full": true}, "58.0"},
		{"no lines", map[string]any{"id": "gid://shopify/Order/1001"}, "0.0"},
		{"presentment currency", map[string]any{"id": "gid://shopify/Order/1005", "lines": []any{line("100501", 1)}}, "64.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := amount(t, newShop(t), tt.vars); got != tt.want {
				t.Fatalf("amount %s, want %s", got, tt.want)
			}
		})
	}

	t.Run("capped by what is left", func(t *testing.T) {
		shop := newShop(t)
		createRefund(t, shop, "k", refundInput("40.00"))
		if got := amount(t, shop, map[string]any{"id": "gid://shopify/Order/1001", "full": true}); got != "18.0" {
			t.Fatalf("amount %s, want 18.0", got)
		}
	})

	t.Run("line of another order", func(t *testing.T) {
		r := query(t, newShop(t), q, map[string]any{"id": "gid://shopify/Order/1001", "lines": []any{line("100201", 1)}})
		if len(r.Errors) != 1 || string(r.Data) != `{"order":{"suggestedRefund":null}}` {
			t.Fatalf("data %s errors %+v", r.Data, r.Errors)
		}
	})
}
