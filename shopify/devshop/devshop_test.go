package devshop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// now is the fixed clock the tests seed the shop with.
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const endpoint = "/admin/api/2026-04/graphql.json"

func newShop(t testing.TB) *devshop.Shop {
	t.Helper()
	return devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test"})
}

// response is a decoded GraphQL answer.
type response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost struct {
			RequestedQueryCost int  `json:"requestedQueryCost"`
			ActualQueryCost    *int `json:"actualQueryCost"`
			ThrottleStatus     struct {
				MaximumAvailable   float64 `json:"maximumAvailable"`
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

type gqlError struct {
	Message   string `json:"message"`
	Locations []struct {
		Line, Column int
	} `json:"locations"`
	Extensions map[string]any `json:"extensions"`
}

// post sends a GraphQL request to the shop and returns the status and raw body.
func post(t testing.TB, h http.Handler, query string, vars map[string]any) (int, []byte) {
	t.Helper()
	status, body, err := send(h, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

// send is post for goroutines, which must not call t.Fatal: it reports a
// request it could not make as an error.
func send(h http.Handler, query string, vars map[string]any) (int, []byte, error) {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return 0, nil, fmt.Errorf("encode request: %w", err)
	}
	req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", "shpat_test")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), nil
}

// query sends a GraphQL request that must answer 200 with valid JSON.
func query(t testing.TB, h http.Handler, q string, vars map[string]any) response {
	t.Helper()
	r, err := tryQuery(h, q, vars)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryQuery is query for goroutines: an answer that is not 200 with valid JSON
// is an error, for the caller to report with t.Error.
func tryQuery(h http.Handler, q string, vars map[string]any) (response, error) {
	status, body, err := send(h, q, vars)
	if err != nil {
		return response{}, err
	}
	if status != http.StatusOK {
		return response{}, fmt.Errorf("status %d: %s", status, body)
	}
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return response{}, fmt.Errorf("answer is not JSON: %v: %s", err, body)
	}
	return r, nil
}

func TestServeHTTP_Refusals(t *testing.T) {
	shop := newShop(t)
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		token       string
		wantStatus  int
		wantBody    string
	}{
		{"unknown version", "POST", "/admin/api/2025-13/graphql.json", "application/json", "shpat_test", 404, ""},
		{"version after 2026-10", "POST", "/admin/api/2026-11/graphql.json", "application/json", "shpat_test", 404, ""},
		{"other path", "POST", "/admin/api/2026-04/orders.json", "application/json", "shpat_test", 404, ""},
		{"GET", "GET", endpoint, "application/json", "shpat_test", 405, ""},
		{"form content type", "POST", endpoint, "application/x-www-form-urlencoded", "shpat_test", 400, ""},
		{"no token", "POST", endpoint, "application/json", "", 401,
			`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`},
		{"wrong token", "POST", endpoint, "application/json", "shpat_wrong", 401,
			`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(`{"query":"{ orders(first: 1) { nodes { id } } }"}`))
			req.Header.Set("Content-Type", tt.contentType)
			if tt.token != "" {
				req.Header.Set("X-Shopify-Access-Token", tt.token)
			}
			rec := httptest.NewRecorder()
			shop.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Fatalf("body = %s, want %s", rec.Body, tt.wantBody)
			}
		})
	}
	if got := shop.Calls(); got != 0 {
		t.Fatalf("Calls() = %d after refused requests, want 0", got)
	}
}

func TestServeHTTP_Versions(t *testing.T) {
	shop := newShop(t)
	for _, v := range []string{"2026-01", "2026-04", "2026-10", "unstable"} {
		req := httptest.NewRequest("POST", "/admin/api/"+v+"/graphql.json", strings.NewReader(`{"query":"{ order(id: \"gid://shopify/Order/1001\") { name } }"}`))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("X-Shopify-Access-Token", "shpat_test")
		rec := httptest.NewRecorder()
		shop.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"#1001"`) {
			t.Errorf("version %s: %d %s", v, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("X-Shopify-API-Version"); got != v {
			t.Errorf("version %s: X-Shopify-API-Version = %q", v, got)
		}
	}
}

func TestNew_RandomToken(t *testing.T) {
	a, b := devshop.New(devshop.Options{}), devshop.New(devshop.Options{})
	if a.Token() == "" || a.Token() == b.Token() {
		t.Fatalf("tokens %q and %q: want two different non-empty tokens", a.Token(), b.Token())
	}
}

func TestValidation(t *testing.T) {
	shop := newShop(t)
	tests := []struct {
		name, query string
		wantMessage string
	}{
		{"misspelled field", `{ order(id: "gid://shopify/Order/1001") { nmae } }`,
			`Cannot query field "nmae" on type "Order".`},
		{"field from another type", `{ order(id: "gid://shopify/Order/1001") { amount } }`,
			`Cannot query field "amount" on type "Order".`},
		{"unknown argument", `{ orders(first: 1, search: "x") { nodes { id } } }`,
			`Unknown argument "search" on field "QueryRoot.orders".`},
		{"missing required argument", `{ order { id } }`,
			`Field "order" argument "id" of type "ID!" is required, but it was not provided.`},
		{"object without selection", `{ order(id: "gid://shopify/Order/1001") { totalPriceSet } }`,
			`Field "totalPriceSet" of type "MoneyBag!" must have a selection of subfields. Did you mean "totalPriceSet { ... }"?`},
		{"wrong enum", `{ orders(first: 1, sortKey: NEWEST) { nodes { id } } }`,
			`Value "NEWEST" does not exist in "OrderSortKeys" enum.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := query(t, shop, tt.query, nil)
			if r.Data != nil {
				t.Errorf("data = %s, want none", r.Data)
			}
			if len(r.Errors) == 0 {
				t.Fatal("no errors")
			}
			e := r.Errors[0]
			if !strings.HasPrefix(e.Message, strings.TrimSuffix(tt.wantMessage, ".")) {
				t.Errorf("message = %q, want %q", e.Message, tt.wantMessage)
			}
			if e.Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("code = %v", e.Extensions["code"])
			}
			if len(e.Locations) == 0 || e.Locations[0].Line != 1 {
				t.Errorf("locations = %+v", e.Locations)
			}
			if r.Extensions.Cost.ActualQueryCost != nil {
				t.Errorf("actualQueryCost = %d, want null", *r.Extensions.Cost.ActualQueryCost)
			}
		})
	}
}

// orderNames returns the names in an orders answer.
func orderNames(t *testing.T, r response) []string {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var data struct {
		Orders struct {
			Nodes []struct{ Name string }
		}
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, n := range data.Orders.Nodes {
		names = append(names, n.Name)
	}
	return names
}

func TestOrders_Search(t *testing.T) {
	const q = `query($q: String) { orders(first: 10, query: $q, sortKey: PROCESSED_AT, reverse: true) { nodes { name } } }`
	all := []string{"#1004", "#1005", "#1006", "#1001", "#1007", "#1008", "#1002", "#1003"}
	tests := []struct {
		name   string
		search string
		scopes []string
		want   []string
	}{
		{"name without #", `name:1001`, nil, []string{"#1001"}},
		{"name with #", `name:#1001`, nil, []string{"#1001"}},
		{"quoted name and email, other case", `name:"1001" email:"ANNA.BERZINA@example.lv"`, nil, []string{"#1001"}},
		{"single quotes", `name:'1001'  EMAIL:'anna.berzina@example.lv'`, nil, []string{"#1001"}},
		{"another's email", `name:"1001" email:"sam.taylor@example.com"`, nil, []string{}},
		{"email only, newest first", `email:sam.taylor@example.com`, nil, []string{"#1002", "#1003"}},
		// Shopify's search is loose; these near misses are what the adapter's
		// exact comparison has to drop.
		{"name prefix", `name:100`, nil, all},
		{"name prefix and email", `name:100 email:anna.berzina@example.lv`, nil, []string{"#1004", "#1001"}},
		{"part of the email", `name:"1001" email:"anna@example.lv"`, nil, []string{"#1001"}},
		{"the email's domain", `email:"example.lv"`, nil, []string{"#1004", "#1001", "#1007"}},
		{"the email's first letters", `name:1001 email:"ann"`, nil, []string{"#1001"}},
		{"email tokens in another order", `email:"example.lv@anna"`, nil, []string{"#1004", "#1001"}},
		{"an email without letters or digits is ignored", `name:1001 email:"@."`, nil, []string{"#1001"}},
		{"bare word", `berzina`, nil, []string{"#1004", "#1001"}},
		{"bare number", `1005`, nil, []string{"#1005"}},
		{"unknown field is ignored", `status:open`, nil, all},
		{"unknown field beside a known one", `status:open name:1002`, nil, []string{"#1002"}},
		{"a token that is nowhere", `name:1001 email:"anna.berzina@example.com.evil"`, nil, []string{}},
		{"old order with read_all_orders", `name:1003`, nil, []string{"#1003"}},
		{"old order without read_all_orders", `name:1003`, []string{"read_orders"}, []string{}},
		{"no query", ``, []string{"read_orders"}, []string{"#1004", "#1005", "#1006", "#1001", "#1007", "#1008", "#1002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", Scopes: tt.scopes})
			got := orderNames(t, query(t, shop, q, map[string]any{"q": tt.search}))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("search %q = %v, want %v", tt.search, got, tt.want)
			}
		})
	}
}

func TestOrder_WindowHidesOldOrders(t *testing.T) {
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", Scopes: []string{"read_orders"}})
	r := query(t, shop, `{ old: order(id: "gid://shopify/Order/1003") { name } recent: order(id: "gid://shopify/Order/1001") { name } }`, nil)
	if got, want := string(r.Data), `{"old":null,"recent":{"name":"#1001"}}`; got != want {
		t.Fatalf("data = %s, want %s", got, want)
	}
}

// TestOrder_Shape checks the exact JSON of a read that uses aliases, fragments,
// inline fragments, __typename, variables with defaults, and connections.
func TestOrder_Shape(t *testing.T) {
	shop := newShop(t)
	const q = `
query Read($id: ID!, $lines: Int = 1) {
  order(id: $id) {
    __typename
    id
    number: name
    ...Money
    lineItems(first: $lines) {
      edges { cursor node { title ... on LineItem { currentQuantity } product { tags } image { url } } }
      pageInfo { hasNextPage hasPreviousPage }
    }
    fulfillments(first: 5) { status deliveredAt fulfillmentLineItems(first: 5) { nodes { quantity lineItem { id } } } }
    transactions(first: 5) { kind status gateway amountSet { shopMoney { amount currencyCode } } parentTransaction { id } }
  }
  missing: order(id: "gid://shopify/Order/999") { id }
}
fragment Money on Order {
  presentmentCurrencyCode
  totalPriceSet { presentmentMoney { amount currencyCode } shopMoney { amount } }
}`
	r := query(t, shop, q, map[string]any{"id": "gid://shopify/Order/1005"})
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	want := `{"order":{"__typename":"Order","id":"gid://shopify/Order/1005","number":"#1005",` +
		`"presentmentCurrencyCode":"USD","totalPriceSet":{"presentmentMoney":{"amount":"77.0","currencyCode":"USD"},"shopMoney":{"amount":"70.84"}},` +
		`"lineItems":{"edges":[{"cursor":"eyJnaWQiOiJnaWQ6Ly9zaG9waWZ5L0xpbmVJdGVtLzEwMDUwMSJ9","node":{"title":"Desk lamp","currentQuantity":1,"product":{"tags":["lighting"]},"image":{"url":"https://cdn.example.com/devshop/lamp-blk.jpg"}}}],` +
		`"pageInfo":{"hasNextPage":true,"hasPreviousPage":false}},` +
		`"fulfillments":[{"status":"SUCCESS","deliveredAt":null,"fulfillmentLineItems":{"nodes":[{"quantity":1,"lineItem":{"id":"gid://shopify/LineItem/100501"}},{"quantity":2,"lineItem":{"id":"gid://shopify/LineItem/100502"}}]}}],` +
		`"transactions":[{"kind":"SALE","status":"SUCCESS","gateway":"bogus","amountSet":{"shopMoney":{"amount":"70.84","currencyCode":"EUR"}},"parentTransaction":null}]},` +
		`"missing":null}`
	if string(r.Data) != want {
		t.Fatalf("data =\n%s\nwant\n%s", r.Data, want)
	}
	if r.Extensions.Cost.RequestedQueryCost <= 0 || r.Extensions.Cost.ActualQueryCost == nil {
		t.Fatalf("cost = %+v", r.Extensions.Cost)
	}
}

func TestOrders_ConnectionPaging(t *testing.T) {
	shop := newShop(t)
	const q = `query($after: String) { orders(first: 2, after: $after, sortKey: ID) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`
	var names []string
	var after any
	for page := 0; page < 5; page++ {
		r := query(t, shop, q, map[string]any{"after": after})
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		var data struct {
			Orders struct {
				Edges []struct {
					Node struct{ Name string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		for _, e := range data.Orders.Edges {
			names = append(names, e.Node.Name)
		}
		if !data.Orders.PageInfo.HasNextPage {
			break
		}
		after = data.Orders.PageInfo.EndCursor
	}
	if want := []string{"#1001", "#1002", "#1003", "#1004", "#1005", "#1006", "#1007", "#1008"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("pages = %v, want %v", names, want)
	}
}

func TestOrders_FirstRequired(t *testing.T) {
	r := query(t, newShop(t), `{ orders { nodes { id } } }`, nil)
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "first or last") {
		t.Fatalf("errors = %+v", r.Errors)
	}
	if string(r.Data) != `{"orders":null}` {
		t.Fatalf("data = %s", r.Data)
	}
}

func TestMutations(t *testing.T) {
	const update = `mutation($input: OrderInput!) { orderUpdate(input: $input) { order { id note tags } userErrors { field message } } }`
	const add = `mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }`
	const id = "gid://shopify/Order/1001"

	t.Run("orderUpdate overwrites note and tags", func(t *testing.T) {
		shop := newShop(t)
		r := query(t, shop, update, map[string]any{"input": map[string]any{"id": id, "note": "first", "tags": []string{"a", "b"}}})
		want := `{"orderUpdate":{"order":{"id":"gid://shopify/Order/1001","note":"first","tags":["a","b"]},"userErrors":[]}}`
		if string(r.Data) != want {
			t.Fatalf("data = %s, want %s", r.Data, want)
		}
		query(t, shop, update, map[string]any{"input": map[string]any{"id": id, "tags": []string{"c"}}})
		o, _ := shop.OrderByName("#1001")
		if o.Note != "first" || !reflect.DeepEqual(o.Tags, []string{"c"}) {
			t.Fatalf("after a tags-only update: note %q tags %v, want note kept and tags replaced", o.Note, o.Tags)
		}
		query(t, shop, update, map[string]any{"input": map[string]any{"id": id, "note": "second"}})
		o, _ = shop.OrderByName("#1001")
		if o.Note != "second" || !reflect.DeepEqual(o.Tags, []string{"c"}) {
			t.Fatalf("after a note-only update: note %q tags %v", o.Note, o.Tags)
		}
	})

	t.Run("orderUpdate unknown order", func(t *testing.T) {
		r := query(t, newShop(t), update, map[string]any{"input": map[string]any{"id": "gid://shopify/Order/42", "note": "x"}})
		want := `{"orderUpdate":{"order":null,"userErrors":[{"field":["id"],"message":"Order does not exist"}]}}`
		if string(r.Data) != want {
			t.Fatalf("data = %s, want %s", r.Data, want)
		}
	})

	t.Run("tagsAdd unions, trims and dedupes", func(t *testing.T) {
		shop := newShop(t)
		query(t, shop, add, map[string]any{"id": id, "tags": []string{"returns:requested", " VIP "}})
		r := query(t, shop, add, map[string]any{"id": id, "tags": []string{"Returns:Requested", "vip", "returns:refunded, extra"}})
		if want := `{"tagsAdd":{"node":{"id":"gid://shopify/Order/1001"},"userErrors":[]}}`; string(r.Data) != want {
			t.Fatalf("data = %s, want %s", r.Data, want)
		}
		o, _ := shop.OrderByName("#1001")
		if want := []string{"returns:requested", "VIP", "returns:refunded", "extra"}; !reflect.DeepEqual(o.Tags, want) {
			t.Fatalf("tags = %q, want %q", o.Tags, want)
		}
	})

	t.Run("two mutations in one request", func(t *testing.T) {
		shop := newShop(t)
		r := query(t, shop, `mutation($input: OrderInput!, $id: ID!, $tags: [String!]!) {
			u: orderUpdate(input: $input) { order { note } userErrors { message } }
			t: tagsAdd(id: $id, tags: $tags) { node { ... on Order { tags } } userErrors { message } }
		}`, map[string]any{"input": map[string]any{"id": id, "note": "n"}, "id": id, "tags": []string{"x"}})
		want := `{"u":{"order":{"note":"n"},"userErrors":[]},"t":{"node":{"tags":["x"]},"userErrors":[]}}`
		if string(r.Data) != want {
			t.Fatalf("data = %s, want %s", r.Data, want)
		}
	})
}

func TestThrottling(t *testing.T) {
	const q = `{ order(id: "gid://shopify/Order/1001") { name } }`
	isThrottled := func(r response) bool {
		return len(r.Errors) == 1 && r.Errors[0].Message == "Throttled" && r.Errors[0].Extensions["code"] == "THROTTLED" &&
			r.Data == nil && r.Extensions.Cost.ActualQueryCost == nil
	}

	t.Run("SetThrottled", func(t *testing.T) {
		shop := newShop(t)
		shop.SetThrottled(true)
		r := query(t, shop, q, nil)
		if !isThrottled(r) || r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable != 0 || r.Extensions.Cost.ThrottleStatus.MaximumAvailable != 2000 {
			t.Fatalf("answer = %+v", r)
		}
		shop.SetThrottled(false)
		if r := query(t, shop, q, nil); isThrottled(r) {
			t.Fatal("still throttled")
		}
	})

	t.Run("ThrottleNext", func(t *testing.T) {
		shop := newShop(t)
		shop.ThrottleNext(2)
		got := []bool{isThrottled(query(t, shop, q, nil)), isThrottled(query(t, shop, q, nil)), isThrottled(query(t, shop, q, nil))}
		if want := []bool{true, true, false}; !reflect.DeepEqual(got, want) {
			t.Fatalf("throttled = %v, want %v", got, want)
		}
	})

	t.Run("bucket empties", func(t *testing.T) {
		shop := newShop(t)
		// A read of 200 lines requests 1 + 2 + 200×4 = 803 points, but the
		// order has 2 lines, so it is charged 1 + 2 + 2×(1+4) = 13. It runs
		// while 803 points are left: about (2000-803)/13 = 92 times in a row.
		const big = `{ order(id: "gid://shopify/Order/1001") { lineItems(first: 200) { nodes { product { id } image { url } originalUnitPriceSet { shopMoney { amount } } } } } }`
		r := query(t, shop, big, nil)
		if isThrottled(r) || r.Extensions.Cost.RequestedQueryCost != 803 || *r.Extensions.Cost.ActualQueryCost != 13 {
			t.Fatalf("cost = %+v, want requested 803, actual 13", r.Extensions.Cost)
		}
		if got := r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable; got < 1980 || got > 1987 {
			t.Fatalf("currentlyAvailable = %v, want about 2000 - 13", got)
		}
		runs := 1
		for ; runs < 1000; runs++ {
			if isThrottled(query(t, shop, big, nil)) {
				break
			}
		}
		// The bucket refills 100 points a second while the loop runs, so allow
		// some slack above 92.
		if runs < 90 || runs > 150 {
			t.Fatalf("throttled after %d reads, want about 92", runs)
		}
	})

	t.Run("max cost", func(t *testing.T) {
		r := query(t, newShop(t), `{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "MAX_COST_EXCEEDED" || r.Data != nil {
			t.Fatalf("answer = %+v", r)
		}
	})
}

func TestFaults(t *testing.T) {
	const q = `{ order(id: "gid://shopify/Order/1001") { name } }`

	t.Run("FailNext", func(t *testing.T) {
		shop := newShop(t)
		shop.FailNext(1, http.StatusServiceUnavailable)
		status, body := post(t, shop, q, nil)
		if status != 503 || !strings.Contains(string(body), `"code":"INTERNAL_SERVER_ERROR"`) || !strings.Contains(string(body), `"requestId":`) {
			t.Fatalf("answer = %d %s", status, body)
		}
		if status, _ := post(t, shop, q, nil); status != 200 {
			t.Fatalf("second answer = %d, want 200", status)
		}
		if got := shop.Calls(); got != 2 {
			t.Fatalf("Calls() = %d, want 2", got)
		}
	})

	t.Run("SetMalformed", func(t *testing.T) {
		shop := newShop(t)
		shop.SetMalformed(1)
		_, body := post(t, shop, q, nil)
		if json.Valid(body) {
			t.Fatalf("body is valid JSON: %s", body)
		}
		if _, body := post(t, shop, q, nil); !json.Valid(body) {
			t.Fatalf("second body is not JSON: %s", body)
		}
	})

	t.Run("DropAfterCommit", func(t *testing.T) {
		shop := newShop(t)
		srv := httptest.NewServer(shop)
		defer srv.Close()
		shop.DropAfterCommit(1)

		send := func(q string) error {
			b, _ := json.Marshal(map[string]any{"query": q})
			req, _ := http.NewRequest("POST", srv.URL+endpoint, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Shopify-Access-Token", "shpat_test")
			resp, err := srv.Client().Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.ReadAll(resp.Body)
			return err
		}
		// A query commits nothing, so it is answered.
		if err := send(q); err != nil {
			t.Fatalf("query: %v", err)
		}
		if err := send(`mutation { orderUpdate(input: {id: "gid://shopify/Order/1001", note: "kept"}) { userErrors { message } } }`); err == nil {
			t.Fatal("mutation was answered, want a dropped connection")
		}
		if o, _ := shop.OrderByName("#1001"); o.Note != "kept" {
			t.Fatalf("note = %q, want the dropped mutation committed", o.Note)
		}
	})

	t.Run("SetDelay ends when the client goes away", func(t *testing.T) {
		shop := newShop(t)
		shop.SetDelay(10 * time.Second)
		b, _ := json.Marshal(map[string]any{"query": q})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req := httptest.NewRequest("POST", endpoint, bytes.NewReader(b)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Access-Token", "shpat_test")
		start := time.Now()
		shop.ServeHTTP(httptest.NewRecorder(), req)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("ServeHTTP took %v", d)
		}
	})
}

func TestStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	shop := newShop(t)
	base, stop, err := shop.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	req, _ := http.NewRequest("POST", base+endpoint, strings.NewReader(`{"query":"{ order(id: \"gid://shopify/Order/1002\") { email } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", shop.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"email":"sam.taylor@example.com"`) {
		t.Fatalf("body = %s", body)
	}
	stop()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("server still answers after stop")
	}
}

func TestConcurrentUse(t *testing.T) {
	shop := newShop(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// t.Fatal stops only the goroutine that calls it, so errors here
			// are reported with t.Error.
			if _, err := tryQuery(shop, `mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }`,
				map[string]any{"id": "gid://shopify/Order/1001", "tags": []string{"t" + string(rune('a'+i))}}); err != nil {
				t.Errorf("tagsAdd: %v", err)
				return
			}
			if _, err := tryQuery(shop, `{ orders(first: 5) { nodes { tags } } }`, nil); err != nil {
				t.Errorf("orders: %v", err)
				return
			}
			shop.OrderByName("#1001")
		}()
	}
	wg.Wait()
	if o, _ := shop.OrderByName("#1001"); len(o.Tags) != 8 {
		t.Fatalf("tags = %v, want 8", o.Tags)
	}
}

// TestSchemaUpToDate regenerates the pruned schema and compares it with the
// committed one, so a changed operation document cannot go unnoticed.
func TestSchemaUpToDate(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(root, "../shared/shopify/admin-2026-04.graphql")
	if _, err := os.Stat(full); err != nil {
		t.Skipf("Shopify's full schema is not at %s; cannot check schema.graphql is current", full)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator")
	}
	out := filepath.Join(t.TempDir(), "schema.graphql")
	cmd := exec.Command(goTool, "run", "./internal/schemagen", "-root", root, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("schemagen: %v\n%s", err, b)
		}
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatal("schema.graphql is out of date: run go generate ./shopify/devshop")
	}
}

func TestFailMutationsLetsQueriesThrough(t *testing.T) {
	shop := devshop.New(devshop.Options{})
	shop.FailMutations(1, http.StatusBadGateway)
	post := func(q string) int {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": q})
		req := httptest.NewRequest("POST", "/admin/api/2026-04/graphql.json", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Access-Token", shop.Token())
		rec := httptest.NewRecorder()
		shop.ServeHTTP(rec, req)
		return rec.Code
	}
	const mutation = `mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["x"]) { userErrors { message } } }`
	if code := post(`{ order(id: "gid://shopify/Order/1001") { id } }`); code != http.StatusOK {
		t.Fatalf("query: %d, want 200", code)
	}
	if code := post(mutation); code != http.StatusBadGateway {
		t.Fatalf("first mutation: %d, want 502", code)
	}
	if code := post(mutation); code != http.StatusOK {
		t.Fatalf("second mutation: %d, want 200", code)
	}
	if snap, _ := shop.OrderByName("#1001"); !slices.Contains(snap.Tags, "x") {
		t.Fatalf("tags %v: the second mutation did not run", snap.Tags)
	}
}
