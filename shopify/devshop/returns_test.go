package devshop_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// returnsDoc is testdata/returns.graphql: the operations a client sends for
// returns, payments and inventory. Tests send the whole document with an
// operationName, so every operation in it is validated against the schema.
var returnsDoc = func() string {
	b, err := os.ReadFile("testdata/returns.graphql")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// runOp sends the operation name of returnsDoc and returns the decoded data
// and the errors.
func runOp(t *testing.T, h http.Handler, name string, vars map[string]any) (map[string]any, []gqlError) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": returnsDoc, "operationName": name, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", "shpat_test")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status %d: %s", name, rec.Code, rec.Body)
	}
	var r struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("%s: %v: %s", name, err, rec.Body)
	}
	return r.Data, r.Errors
}

// op is runOp for an operation that must answer without errors.
func op(t *testing.T, h http.Handler, name string, vars map[string]any) map[string]any {
	t.Helper()
	data, errs := runOp(t, h, name, vars)
	if len(errs) > 0 {
		t.Fatalf("%s: errors %+v", name, errs)
	}
	return data
}

// dig walks v by map keys and list indexes; nil when a step is missing.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := dig(v, path...).(string)
	return s
}

func num(v any, path ...any) int {
	f, _ := dig(v, path...).(float64)
	return int(f)
}

func list(v any, path ...any) []any {
	l, _ := dig(v, path...).([]any)
	return l
}

// userErrors returns a payload's userErrors as "code field.path: message"
// lines.
func userErrors(payload any) []string {
	var out []string
	for _, e := range list(payload, "userErrors") {
		var field []string
		for _, f := range list(e, "field") {
			field = append(field, f.(string))
		}
		out = append(out, fmt.Sprintf("%s %s: %s", str(e, "code"), strings.Join(field, "."), str(e, "message")))
	}
	return out
}

// codes returns the codes and field paths of a payload's userErrors.
func codes(payload any) []string {
	var out []string
	for _, e := range userErrors(payload) {
		code, _, _ := strings.Cut(e, ":")
		out = append(out, code)
	}
	return out
}

// reasonID looks a return reason up by handle, as a client does.
func reasonID(t *testing.T, shop http.Handler, handle string) string {
	t.Helper()
	data := op(t, shop, "DevshopReturnReasons", map[string]any{"handles": []string{handle}})
	nodes := list(data, "returnReasonDefinitions", "nodes")
	if len(nodes) != 1 {
		t.Fatalf("reason %q: %v", handle, nodes)
	}
	return str(nodes[0], "id")
}

// requestReturn requests a return of lines (fulfillment line item id →
// quantity) and returns the return, failing on userErrors.
func requestReturn(t *testing.T, shop http.Handler, orderID string, lines ...map[string]any) map[string]any {
	t.Helper()
	data := op(t, shop, "DevshopReturnRequest", map[string]any{"input": map[string]any{"orderId": orderID, "returnLineItems": lines}})
	if errs := userErrors(dig(data, "returnRequest")); len(errs) > 0 {
		t.Fatalf("returnRequest: %v", errs)
	}
	ret, _ := dig(data, "returnRequest", "return").(map[string]any)
	return ret
}

func returnLine(flID string, qty int) map[string]any {
	return map[string]any{"fulfillmentLineItemId": flID, "quantity": qty}
}

// approve approves a return and returns it, failing on userErrors.
func approve(t *testing.T, shop http.Handler, id string) map[string]any {
	t.Helper()
	data := op(t, shop, "DevshopReturnApprove", map[string]any{"input": map[string]any{"id": id}})
	if errs := userErrors(dig(data, "returnApproveRequest")); len(errs) > 0 {
		t.Fatalf("returnApproveRequest: %v", errs)
	}
	ret, _ := dig(data, "returnApproveRequest", "return").(map[string]any)
	return ret
}

// returnable returns what returnableFulfillments answers for an order:
// fulfillment line item id → quantity.
func returnable(t *testing.T, shop http.Handler, orderID string) map[string]int {
	t.Helper()
	data := op(t, shop, "DevshopReturnableFulfillments", map[string]any{"orderId": orderID})
	out := map[string]int{}
	for _, f := range list(data, "returnableFulfillments", "nodes") {
		for _, l := range list(f, "returnableFulfillmentLineItems", "nodes") {
			out[str(l, "fulfillmentLineItem", "id")] = num(l, "quantity")
		}
	}
	return out
}

const (
	order1001 = "gid://shopify/Order/1001"
	fli100101 = "gid://shopify/FulfillmentLineItem/100101" // Linen tea towel × 1
	fli100102 = "gid://shopify/FulfillmentLineItem/100102" // Ceramic mug × 2
)

func TestReturnReasonDefinitions(t *testing.T) {
	shop := newShop(t)
	data := op(t, shop, "DevshopReturnReasons", nil)
	var handles []string
	for _, n := range list(data, "returnReasonDefinitions", "nodes") {
		handles = append(handles, str(n, "handle"))
		if !strings.HasPrefix(str(n, "id"), "gid://shopify/ReturnReasonDefinition/") || str(n, "name") == "" || dig(n, "deleted") != false {
			t.Errorf("reason %v", n)
		}
	}
	for _, want := range []string{"size-too-small", "size-too-large", "defective", "unwanted", "not-as-described", "wrong-item", "color", "style", "other"} {
		if !slices.Contains(handles, want) {
			t.Errorf("handles %v lack %q", handles, want)
		}
	}
	data = op(t, shop, "DevshopReturnReasons", map[string]any{"handles": []string{"defective"}})
	if n := list(data, "returnReasonDefinitions", "nodes"); len(n) != 1 || str(n[0], "name") != "Damaged or defective" {
		t.Errorf("defective = %v", n)
	}
}

func TestReturnableFulfillments(t *testing.T) {
	shop := newShop(t)
	if got, want := returnable(t, shop, order1001), map[string]int{fli100101: 1, fli100102: 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("returnable = %v, want %v", got, want)
	}
	// #1004 is not fulfilled: nothing to return.
	if got := returnable(t, shop, "gid://shopify/Order/1004"); len(got) != 0 {
		t.Fatalf("#1004 returnable = %v, want none", got)
	}
	_, errs := runOp(t, shop, "DevshopReturnableFulfillments", map[string]any{"orderId": "gid://shopify/Order/999"})
	if len(errs) != 1 {
		t.Fatalf("unknown order: errors %+v", errs)
	}
}

func TestReturnRequest(t *testing.T) {
	shop := newShop(t)
	defective := reasonID(t, shop, "defective")
	ret := requestReturn(t, shop, order1001, map[string]any{
		"fulfillmentLineItemId": fli100102, "quantity": 1, "returnReasonDefinitionId": defective, "customerNote": "Chipped rim",
	})
	if str(ret, "status") != "REQUESTED" || str(ret, "name") != "#1001-R1" || num(ret, "totalQuantity") != 1 ||
		str(ret, "order", "returnStatus") != "RETURN_REQUESTED" || dig(ret, "requestApprovedAt") != nil || dig(ret, "decline") != nil {
		t.Fatalf("return = %v", ret)
	}
	line := dig(ret, "returnLineItems", "nodes", 0)
	if str(line, "returnReasonDefinition", "handle") != "defective" || str(line, "customerNote") != "Chipped rim" ||
		str(line, "fulfillmentLineItem", "id") != fli100102 || str(line, "fulfillmentLineItem", "lineItem", "id") != "gid://shopify/LineItem/100102" ||
		num(line, "quantity") != 1 || num(line, "unprocessedQuantity") != 1 || num(line, "processableQuantity") != 0 ||
		str(line, "withCodeDiscountedTotalPriceSet", "presentmentMoney", "amount") != "14.5" {
		t.Fatalf("line = %v", line)
	}
	if list(ret, "reverseFulfillmentOrders", "nodes") == nil || len(list(ret, "reverseFulfillmentOrders", "nodes")) != 0 {
		t.Fatalf("a requested return has no reverse fulfillment order: %v", dig(ret, "reverseFulfillmentOrders"))
	}
	// The unit is held: one mug is left to return, and a second request
	// for two is refused.
	if got := returnable(t, shop, order1001); got[fli100102] != 1 || got[fli100101] != 1 {
		t.Fatalf("returnable after the request = %v", got)
	}
	data := op(t, shop, "DevshopReturn", map[string]any{"id": str(ret, "id")})
	if str(data, "return", "id") != str(ret, "id") || str(data, "return", "status") != "REQUESTED" {
		t.Fatalf("return(id:) = %v", data)
	}
	data = op(t, shop, "DevshopOrderReturns", map[string]any{"id": order1001})
	if str(data, "order", "returnStatus") != "RETURN_REQUESTED" || str(data, "order", "returns", "nodes", 0, "id") != str(ret, "id") {
		t.Fatalf("order = %v", data)
	}
}

func TestReturnRequest_UserErrors(t *testing.T) {
	shop := newShop(t)
	long := strings.Repeat("é", 301)
	tests := []struct {
		name  string
		input map[string]any
		want  []string
	}{
		{"unknown order", map[string]any{"orderId": "gid://shopify/Order/999", "returnLineItems": []any{returnLine(fli100101, 1)}},
			[]string{"NOT_FOUND input.orderId"}},
		{"no lines", map[string]any{"orderId": order1001, "returnLineItems": []any{}},
			[]string{"BLANK input.returnLineItems"}},
		{"a line of another order", map[string]any{"orderId": order1001, "returnLineItems": []any{returnLine("gid://shopify/FulfillmentLineItem/100201", 1)}},
			[]string{"NOT_FOUND input.returnLineItems.0.fulfillmentLineItemId"}},
		{"quantity 0", map[string]any{"orderId": order1001, "returnLineItems": []any{returnLine(fli100101, 0)}},
			[]string{"GREATER_THAN input.returnLineItems.0.quantity"}},
		{"more than shipped", map[string]any{"orderId": order1001, "returnLineItems": []any{returnLine(fli100102, 3)}},
			[]string{"LESS_THAN_OR_EQUAL_TO input.returnLineItems.0.quantity"}},
		{"the same line twice beyond what was shipped", map[string]any{"orderId": order1001, "returnLineItems": []any{returnLine(fli100102, 2), returnLine(fli100102, 1)}},
			[]string{"LESS_THAN_OR_EQUAL_TO input.returnLineItems.1.quantity"}},
		{"note too long", map[string]any{"orderId": order1001, "returnLineItems": []any{map[string]any{"fulfillmentLineItemId": fli100101, "quantity": 1, "customerNote": long}}},
			[]string{"TOO_LONG input.returnLineItems.0.customerNote"}},
		{"unknown reason", map[string]any{"orderId": order1001, "returnLineItems": []any{map[string]any{"fulfillmentLineItemId": fli100101, "quantity": 1, "returnReasonDefinitionId": "gid://shopify/ReturnReasonDefinition/1"}}},
			[]string{"NOT_FOUND input.returnLineItems.0.returnReasonDefinitionId"}},
		{"unfulfilled order", map[string]any{"orderId": "gid://shopify/Order/1004", "returnLineItems": []any{returnLine("gid://shopify/FulfillmentLineItem/100401", 1)}},
			[]string{"NOT_FOUND input.returnLineItems.0.fulfillmentLineItemId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := op(t, shop, "DevshopReturnRequest", map[string]any{"input": tt.input})
			if got := codes(dig(data, "returnRequest")); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("userErrors = %v, want %v", userErrors(dig(data, "returnRequest")), tt.want)
			}
			if dig(data, "returnRequest", "return") != nil {
				t.Fatalf("a refused request made a return: %v", data)
			}
		})
	}
	// A note of exactly 300 characters is taken.
	requestReturn(t, shop, order1001, map[string]any{"fulfillmentLineItemId": fli100101, "quantity": 1, "customerNote": strings.Repeat("é", 300)})
	if snap, _ := shop.OrderByName("#1001"); len(snap.Returns) != 1 {
		t.Fatalf("returns = %+v, want the one good request only", snap.Returns)
	}
}

func TestReturn_States(t *testing.T) {
	shop := newShop(t)
	ret := requestReturn(t, shop, order1001, returnLine(fli100101, 1), returnLine(fli100102, 2))
	id := str(ret, "id")

	// Close, reopen and process need an open return.
	for _, name := range []string{"DevshopReturnClose", "DevshopReturnReopen"} {
		data := op(t, shop, name, map[string]any{"id": id})
		for _, payload := range data {
			if got := codes(payload); !reflect.DeepEqual(got, []string{"INVALID_STATE id"}) {
				t.Fatalf("%s of a requested return: %v", name, userErrors(payload))
			}
		}
	}

	ret = approve(t, shop, id)
	if str(ret, "status") != "OPEN" || str(ret, "requestApprovedAt") != "2026-11-26T12:00:00Z" || str(ret, "order", "returnStatus") != "IN_PROGRESS" {
		t.Fatalf("approved = %v", ret)
	}
	rfos := list(ret, "reverseFulfillmentOrders", "nodes")
	if len(rfos) != 1 || str(rfos[0], "status") != "OPEN" || len(list(rfos[0], "lineItems", "nodes")) != 2 ||
		num(rfos[0], "lineItems", "nodes", 1, "totalQuantity") != 2 || str(rfos[0], "lineItems", "nodes", 1, "fulfillmentLineItem", "id") != fli100102 {
		t.Fatalf("reverse fulfillment orders = %v", rfos)
	}
	for _, l := range list(ret, "returnLineItems", "nodes") {
		if num(l, "processableQuantity") != num(l, "quantity") {
			t.Fatalf("an open return's line is processable in full: %v", l)
		}
	}
	data := op(t, shop, "DevshopReturnApprove", map[string]any{"input": map[string]any{"id": id}})
	if got := codes(dig(data, "returnApproveRequest")); !reflect.DeepEqual(got, []string{"INVALID_STATE input.id"}) {
		t.Fatalf("approving twice: %v", userErrors(dig(data, "returnApproveRequest")))
	}
	data = op(t, shop, "DevshopReturnDecline", map[string]any{"input": map[string]any{"id": id, "declineReason": "OTHER"}})
	if got := codes(dig(data, "returnDeclineRequest")); !reflect.DeepEqual(got, []string{"INVALID_STATE input.id"}) {
		t.Fatalf("declining an open return: %v", userErrors(dig(data, "returnDeclineRequest")))
	}

	data = op(t, shop, "DevshopReturnClose", map[string]any{"id": id})
	if errs := userErrors(dig(data, "returnClose")); len(errs) > 0 || str(data, "returnClose", "return", "status") != "CLOSED" ||
		str(data, "returnClose", "return", "closedAt") == "" {
		t.Fatalf("close: %v", data)
	}
	if got := orderReturnStatus(t, shop, order1001); got != "RETURNED" {
		t.Fatalf("returnStatus after close = %s", got)
	}
	// A closed return still holds its units.
	if got := returnable(t, shop, order1001); len(got) != 0 {
		t.Fatalf("returnable after close = %v", got)
	}
	data = op(t, shop, "DevshopReturnReopen", map[string]any{"id": id})
	if errs := userErrors(dig(data, "returnReopen")); len(errs) > 0 || str(data, "returnReopen", "return", "status") != "OPEN" ||
		dig(data, "returnReopen", "return", "closedAt") != nil {
		t.Fatalf("reopen: %v", data)
	}

	// Nothing was done on it: it may be canceled, and its units are free
	// again.
	data = op(t, shop, "DevshopReturnCancel", map[string]any{"id": id})
	if errs := userErrors(dig(data, "returnCancel")); len(errs) > 0 || str(data, "returnCancel", "return", "status") != "CANCELED" {
		t.Fatalf("cancel: %v", data)
	}
	if got := returnable(t, shop, order1001); got[fli100101] != 1 || got[fli100102] != 2 {
		t.Fatalf("returnable after cancel = %v", got)
	}
	if got := orderReturnStatus(t, shop, order1001); got != "NO_RETURN" {
		t.Fatalf("returnStatus after cancel = %s", got)
	}
	data = op(t, shop, "DevshopReturnCancel", map[string]any{"id": id})
	if got := codes(dig(data, "returnCancel")); !reflect.DeepEqual(got, []string{"INVALID_STATE id"}) {
		t.Fatalf("canceling twice: %v", userErrors(dig(data, "returnCancel")))
	}
	data = op(t, shop, "DevshopReturnCancel", map[string]any{"id": "gid://shopify/Return/1"})
	if got := codes(dig(data, "returnCancel")); !reflect.DeepEqual(got, []string{"NOT_FOUND id"}) {
		t.Fatalf("canceling an unknown return: %v", userErrors(dig(data, "returnCancel")))
	}
}

func orderReturnStatus(t *testing.T, shop http.Handler, orderID string) string {
	t.Helper()
	return str(op(t, shop, "DevshopOrderReturns", map[string]any{"id": orderID}), "order", "returnStatus")
}

func TestReturnDecline(t *testing.T) {
	shop := newShop(t)
	ret := requestReturn(t, shop, order1001, returnLine(fli100102, 2))
	id := str(ret, "id")
	for _, tt := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{"id": id, "declineReason": "FINAL_SALE", "declineNote": strings.Repeat("x", 501)}, "TOO_LONG input.declineNote"},
		{map[string]any{"id": "gid://shopify/Return/42", "declineReason": "FINAL_SALE"}, "NOT_FOUND input.id"},
	} {
		data := op(t, shop, "DevshopReturnDecline", map[string]any{"input": tt.input})
		if got := codes(dig(data, "returnDeclineRequest")); !reflect.DeepEqual(got, []string{tt.want}) {
			t.Fatalf("decline %v: %v, want %s", tt.input, userErrors(dig(data, "returnDeclineRequest")), tt.want)
		}
	}
	data := op(t, shop, "DevshopReturnDecline", map[string]any{"input": map[string]any{
		"id": id, "declineReason": "RETURN_PERIOD_ENDED", "declineNote": "Past 30 days", "notifyCustomer": true}})
	got := dig(data, "returnDeclineRequest", "return")
	if errs := userErrors(dig(data, "returnDeclineRequest")); len(errs) > 0 || str(got, "status") != "DECLINED" ||
		str(got, "decline", "reason") != "RETURN_PERIOD_ENDED" || str(got, "decline", "note") != "Past 30 days" ||
		str(got, "order", "returnStatus") != "RETURN_FAILED" {
		t.Fatalf("declined = %v", data)
	}
	// The units may go on a new return.
	if r := returnable(t, shop, order1001); r[fli100102] != 2 {
		t.Fatalf("returnable after decline = %v", r)
	}
	requestReturn(t, shop, order1001, returnLine(fli100102, 2))
	if got := orderReturnStatus(t, shop, order1001); got != "RETURN_REQUESTED" {
		t.Fatalf("returnStatus with a declined and a requested return = %s", got)
	}
	data = op(t, shop, "DevshopReturnCancel", map[string]any{"id": id})
	if got := codes(dig(data, "returnCancel")); !reflect.DeepEqual(got, []string{"INVALID_STATE id"}) {
		t.Fatalf("canceling a declined return: %v", userErrors(dig(data, "returnCancel")))
	}
}

func TestReturns_AccessDenied(t *testing.T) {
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test",
		Scopes: []string{"read_orders", "write_orders", "read_products"}})
	data, errs := runOp(t, shop, "DevshopReturnRequest", map[string]any{"input": map[string]any{
		"orderId": order1001, "returnLineItems": []any{returnLine(fli100101, 1)}}})
	if len(errs) != 1 || errs[0].Extensions["code"] != "ACCESS_DENIED" || dig(data, "returnRequest") != nil {
		t.Fatalf("returnRequest without write_returns: %v %+v", data, errs)
	}
	if snap, _ := shop.OrderByName("#1001"); len(snap.Returns) != 0 {
		t.Fatal("a refused request made a return")
	}
	_, errs = runOp(t, shop, "DevshopReturnableFulfillments", map[string]any{"orderId": order1001})
	if len(errs) != 1 || errs[0].Extensions["code"] != "ACCESS_DENIED" {
		t.Fatalf("returnableFulfillments without read_returns: %+v", errs)
	}
	_, errs = runOp(t, shop, "DevshopLocations", nil)
	if len(errs) != 1 || errs[0].Extensions["code"] != "ACCESS_DENIED" {
		t.Fatalf("locations without read_locations: %+v", errs)
	}
}

func TestReturnWebhooks_Request(t *testing.T) {
	rc := newReceiver(t)
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", ClientSecret: "s", Webhooks: fastRetries})
	t.Cleanup(shop.Close)
	mustSubscribe(t, shop, rc.URL, "RETURNS_REQUEST", "RETURNS_APPROVE", "RETURNS_DECLINE", "RETURNS_CANCEL", "RETURNS_CLOSE", "RETURNS_REOPEN")
	unwanted := reasonID(t, shop, "unwanted")
	ret := requestReturn(t, shop, order1001, map[string]any{"fulfillmentLineItemId": fli100102, "quantity": 2, "returnReasonDefinitionId": unwanted})
	id := str(ret, "id")
	approve(t, shop, id)
	op(t, shop, "DevshopReturnClose", map[string]any{"id": id})
	op(t, shop, "DevshopReturnReopen", map[string]any{"id": id})
	op(t, shop, "DevshopReturnCancel", map[string]any{"id": id})
	second := requestReturn(t, shop, order1001, returnLine(fli100101, 1))
	op(t, shop, "DevshopReturnDecline", map[string]any{"input": map[string]any{"id": str(second, "id"), "declineReason": "FINAL_SALE", "declineNote": "Final sale"}})
	waitWebhooks(t, shop)

	want := []string{"returns/request", "returns/approve", "returns/close", "returns/reopen", "returns/cancel", "returns/request", "returns/decline"}
	if got := rc.topics(); !reflect.DeepEqual(got, want) {
		t.Fatalf("topics = %v, want %v", got, want)
	}
	var req map[string]any
	if err := json.Unmarshal(rc.deliveries()[0].Body, &req); err != nil {
		t.Fatal(err)
	}
	if str(req, "admin_graphql_api_id") != id || str(req, "name") != "#1001-R1" || str(req, "status") != "requested" ||
		str(req, "order", "admin_graphql_api_id") != order1001 || num(req, "total_return_line_items") != 2 ||
		str(req, "return_line_items", 0, "return_reason") != "unwanted" ||
		str(req, "return_line_items", 0, "return_reason_definition", "handle") != "unwanted" ||
		str(req, "return_line_items", 0, "fulfillment_line_item", "admin_graphql_api_id") != fli100102 ||
		str(req, "return_line_items", 0, "fulfillment_line_item", "line_item", "admin_graphql_api_id") != "gid://shopify/LineItem/100102" {
		t.Fatalf("returns/request payload = %s", rc.deliveries()[0].Body)
	}
	var approved map[string]any
	_ = json.Unmarshal(rc.deliveries()[1].Body, &approved)
	if str(approved, "status") != "open" || len(list(approved, "reverse_fulfillment_orders")) != 1 {
		t.Fatalf("returns/approve payload = %s", rc.deliveries()[1].Body)
	}
	var declined map[string]any
	_ = json.Unmarshal(rc.deliveries()[6].Body, &declined)
	if str(declined, "status") != "declined" || str(declined, "decline", "reason") != "final_sale" || str(declined, "decline", "note") != "Final sale" {
		t.Fatalf("returns/decline payload = %s", rc.deliveries()[6].Body)
	}
	var canceled map[string]any
	_ = json.Unmarshal(rc.deliveries()[4].Body, &canceled)
	if str(canceled, "status") != "canceled" || str(canceled, "admin_graphql_api_id") != id {
		t.Fatalf("returns/cancel payload = %s", rc.deliveries()[4].Body)
	}
}

func TestSeed_PaymentsAndDeletedProduct(t *testing.T) {
	shop := newShop(t)
	data := op(t, shop, "DevshopPayments", map[string]any{"id": "gid://shopify/Order/1006"})
	txs := list(data, "order", "transactions")
	if len(txs) != 2 ||
		str(txs[0], "gateway") != "shopify_payments" || str(txs[0], "amountSet", "presentmentMoney", "amount") != "40.0" || dig(txs[0], "manualPaymentGateway") != false ||
		str(txs[1], "gateway") != "gift_card" || str(txs[1], "amountSet", "presentmentMoney", "amount") != "20.0" || str(txs[1], "formattedGateway") != "Gift card" {
		t.Fatalf("#1006 transactions = %v", txs)
	}
	data = op(t, shop, "DevshopPayments", map[string]any{"id": "gid://shopify/Order/1007"})
	if tx := dig(data, "order", "transactions", 0); dig(tx, "manualPaymentGateway") != true || str(tx, "gateway") != "Cash on Delivery (COD)" ||
		str(tx, "formattedGateway") != "Cash on Delivery (COD)" {
		t.Fatalf("#1007 transaction = %v", tx)
	}
	data = op(t, shop, "DevshopOrderReturns", map[string]any{"id": "gid://shopify/Order/1006"})
	if str(data, "order", "customer", "displayName") != "Jamie Rivera" || str(data, "order", "returnStatus") != "NO_RETURN" {
		t.Fatalf("#1006 = %v", data)
	}
	data = op(t, shop, "DevshopOrderReturns", map[string]any{"id": "gid://shopify/Order/1008"})
	lines := list(data, "order", "lineItems", "nodes")
	if len(lines) != 2 || dig(lines[0], "product") != nil || dig(lines[0], "variant") != nil ||
		str(lines[1], "product", "id") == "" || str(lines[1], "variant", "inventoryItem", "id") != "gid://shopify/InventoryItem/100802" ||
		dig(data, "order", "customer") != nil {
		t.Fatalf("#1008 = %v", data)
	}
	// The deleted product's line can still be returned: it was shipped.
	if got := returnable(t, shop, "gid://shopify/Order/1008"); got["gid://shopify/FulfillmentLineItem/100801"] != 1 {
		t.Fatalf("#1008 returnable = %v", got)
	}
}
