package devshop

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Refunds: refundCreate with @idempotent(key:), and the Refund, RefundLineItem
// and RefundCreatePayload types.
//
// What SHOPIFY-API.md marks unverified is a documented guess here, and the
// adapter must not branch on any of these messages:
//
//   - A missing @idempotent on 2026-04 and later, or a blank key on any version,
//     is a top-level error on the refundCreate field (data.refundCreate null)
//     with extensions.code IDEMPOTENCY_KEY_REQUIRED or BAD_REQUEST. Shopify
//     says only that it "results in an error at runtime".
//   - The same key with a different input is a top-level error with
//     extensions.code IDEMPOTENCY_KEY_PARAMETER_MISMATCH (the name Shopify's
//     idempotent inventory mutations use) and the message "idempotency key
//     reused with different parameters"; RefundCreatePayload's UserError has
//     no code to carry it.
//   - The same key with the same input answers the first result, rebuilt from
//     the current state: the same refund, and no second one. Only a refund
//     that was made is remembered; a refusal is not, so asking again with the
//     same key is judged afresh. Keys do not expire (Shopify keeps them 24 h).
//   - Requests run one at a time under the shop's lock, so a second request
//     with a key whose first is still running cannot happen here; Shopify
//     answers it IDEMPOTENCY_CONCURRENT_REQUEST.
//   - userErrors messages are devshop's own wording.

// idempotentResult is what a key made.
type idempotentResult struct {
	input  string // the canonical JSON of the first input
	refund *refund
}

type refund struct {
	id           int64
	order        *order
	note         string
	createdAt    time.Time
	transactions []*transaction
	lines        []*refundLine
	// keys are the idempotency keys of the requests answered with this
	// refund: the one that made it, then each replay; "" for a request
	// without a key (2026-01). Tests compare them with the portal's ledger.
	keys []string
}

// total is what the refund gave back, in presentment minor units.
func (r *refund) total() int64 {
	var sum int64
	for _, t := range r.transactions {
		if t.status == "SUCCESS" {
			sum += t.amount
		}
	}
	return sum
}

// refundLine is a RefundLineItem: of a refund (id set) or of a suggestion (id 0).
type refundLine struct {
	id          int64
	line        *lineItem
	quantity    int
	restockType string
}

// newID returns an id for a new object. The seed's ids stay below it.
func (s *Shop) newID() int64 {
	s.lastID++
	return s.lastID
}

// refundCreate runs the mutation. The caller holds s.mu.
func (x *execution) refundCreate(args map[string]any) (any, error) {
	s := x.shop
	key, hasKey := "", false
	if x.field != nil {
		if d := x.field.Directives.ForName("idempotent"); d != nil {
			key, hasKey = d.ArgumentMap(x.vars)["key"].(string)
		}
	}
	// Every key that reaches the order is recorded, whatever the answer, so
	// that a test can tell that no other key than its ledger's ever came.
	input, _ := args["input"].(map[string]any)
	orderID, _ := input["orderId"].(string)
	if o := s.visibleOrder(orderID); o != nil {
		o.refundKeys = append(o.refundKeys, key)
	}
	switch {
	case !hasKey && x.version != "2026-01":
		return nil, codedError{code: "IDEMPOTENCY_KEY_REQUIRED",
			message: "refundCreate requires an idempotency key: add @idempotent(key: \"<uuid>\") to the field"}
	case hasKey && strings.TrimSpace(key) == "":
		return nil, codedError{code: "BAD_REQUEST", message: "The idempotency key cannot be an empty string or whitespace only"}
	}

	canonical, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	if hasKey {
		if prev := s.idempotency[key]; prev != nil {
			if prev.input != string(canonical) {
				return nil, codedError{code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", message: "idempotency key reused with different parameters"}
			}
			prev.refund.keys = append(prev.refund.keys, key)
			return &refundCreatePayload{refund: prev.refund, order: prev.refund.order}, nil
		}
	}

	r, userErrors := s.makeRefund(input)
	if len(userErrors) > 0 {
		return &refundCreatePayload{userErrors: userErrors}, nil
	}
	r.keys = []string{key}
	if hasKey {
		s.idempotency[key] = &idempotentResult{input: string(canonical), refund: r}
	}
	s.committed = true
	return &refundCreatePayload{refund: r, order: r.order}, nil
}

// makeRefund checks a RefundInput and, when it is good, makes the refund. The
// caller holds s.mu.
func (s *Shop) makeRefund(input map[string]any) (*refund, []userError) {
	orderID, _ := input["orderId"].(string)
	o := s.visibleOrder(orderID)
	if o == nil {
		return nil, []userError{{field: []string{"orderId"}, message: "Order does not exist"}}
	}
	var errs []userError
	fail := func(message string, field ...string) {
		errs = append(errs, userError{field: field, message: message})
	}

	currency, hasCurrency := input["currency"].(string)
	switch {
	case hasCurrency && currency != o.presentment:
		fail("Currency must match the order's presentment currency ("+o.presentment+")", "currency")
	case !hasCurrency && o.presentment != o.currency:
		fail("Currency is required when the order's presentment currency differs from the shop currency", "currency")
	}
	if v, ok := input["shipping"]; ok && v != nil {
		fail("devshop does not emulate shipping refunds", "shipping")
	}
	if v, _ := input["refundDuties"].([]any); len(v) > 0 {
		fail("devshop does not emulate duty refunds", "refundDuties")
	}
	if v, _ := input["refundMethods"].([]any); len(v) > 0 {
		fail("devshop does not emulate store credit refunds", "refundMethods")
	}

	// Line items: quantities within what is refundable, restock types
	// Shopify accepts for new refunds.
	var lines []*refundLine
	wanted := map[*lineItem]int{}
	rawLines, _ := input["refundLineItems"].([]any)
	for i, raw := range rawLines {
		in, _ := raw.(map[string]any)
		at := strconv.Itoa(i)
		id, _ := in["lineItemId"].(string)
		l := o.line(id)
		if l == nil {
			fail("Line item does not exist", "refundLineItems", at, "lineItemId")
			continue
		}
		qty, _ := intArg(in, "quantity")
		restock, _ := in["restockType"].(string)
		if restock == "" {
			restock = "NO_RESTOCK" // REST's default; GraphQL's is unverified
		}
		switch {
		case qty <= 0:
			fail("Quantity must be greater than 0", "refundLineItems", at, "quantity")
		case wanted[l]+qty > l.refundable:
			fail("Quantity cannot refund more items than were purchased", "refundLineItems", at, "quantity")
		case restock == "LEGACY_RESTOCK":
			fail("Restock type LEGACY_RESTOCK is not supported", "refundLineItems", at, "restockType")
		default:
			wanted[l] += qty
			lines = append(lines, &refundLine{line: l, quantity: qty, restockType: restock})
		}
	}

	// Transactions: REFUNDs of a successful payment of this order, through
	// its gateway, within what is left to refund.
	type movement struct {
		parent *transaction
		amount int64
	}
	var moves []movement
	allowOver, _ := input["allowOverRefunding"].(bool)
	taken := map[*transaction]int64{}
	var total int64
	rawTxs, _ := input["transactions"].([]any)
	for i, raw := range rawTxs {
		in, _ := raw.(map[string]any)
		at := strconv.Itoa(i)
		if id, _ := in["orderId"].(string); id != o.gid() {
			fail("Transaction must belong to the refunded order", "transactions", at, "orderId")
			continue
		}
		if kind, _ := in["kind"].(string); kind != "REFUND" {
			fail("Kind must be REFUND", "transactions", at, "kind")
			continue
		}
		parentID, _ := in["parentId"].(string)
		parent := o.transaction(parentID)
		if parent == nil || !parent.isPayment() {
			fail("Parent transaction must be a successful sale or capture of this order", "transactions", at, "parentId")
			continue
		}
		if gateway, _ := in["gateway"].(string); gateway != parent.gateway {
			fail("Gateway must match the parent transaction's gateway", "transactions", at, "gateway")
			continue
		}
		s, _ := in["amount"].(string)
		amount, ok := parseMoney(s)
		switch {
		case !ok:
			fail("Amount is not a valid amount", "transactions", at, "amount")
			continue
		case amount <= 0:
			fail("Amount must be greater than 0", "transactions", at, "amount")
			continue
		case !allowOver && (taken[parent]+amount > parent.refundable() || total+amount > o.refundable()):
			fail("Refund amount exceeds the maximum refundable amount", "transactions", at, "amount")
			continue
		}
		taken[parent] += amount
		total += amount
		moves = append(moves, movement{parent: parent, amount: amount})
	}
	if len(errs) == 0 && len(moves) == 0 && len(lines) == 0 {
		fail("A refund needs line items or transactions")
	}
	if len(errs) > 0 {
		return nil, errs
	}

	now := s.now().UTC().Truncate(time.Second)
	r := &refund{id: s.newID(), order: o, createdAt: now}
	r.note, _ = input["note"].(string)
	for _, m := range moves {
		t := &transaction{
			id: s.newID(), order: o, kind: "REFUND", status: "SUCCESS",
			gateway: m.parent.gateway, amount: m.amount, parent: m.parent, createdAt: now,
		}
		o.transactions = append(o.transactions, t)
		r.transactions = append(r.transactions, t)
	}
	for _, rl := range lines {
		rl.id = s.newID()
		rl.line.refundable -= rl.quantity
		rl.line.current -= rl.quantity
		r.lines = append(r.lines, rl)
	}
	o.refunds = append(o.refunds, r)
	if o.refundable() == 0 && o.refunded() > 0 {
		o.financial = "REFUNDED"
	} else if o.refunded() > 0 {
		o.financial = "PARTIALLY_REFUNDED"
	}
	// Whoever made it (the app, or the merchant in admin), Shopify tells
	// the app's subscriptions of the refund and of the order it changed.
	s.trigger(topicRefundsCreate, refundPayload(r))
	s.orderChanged(o)
	return r, nil
}

// line returns the order's line item with the given GID, or nil.
func (o *order) line(id string) *lineItem {
	n, ok := parseGID("LineItem", id)
	if !ok {
		return nil
	}
	for _, l := range o.lines {
		if l.id == n {
			return l
		}
	}
	return nil
}

// transaction returns the order's transaction with the given GID, or nil.
func (o *order) transaction(id string) *transaction {
	n, ok := parseGID("OrderTransaction", id)
	if !ok {
		return nil
	}
	for _, t := range o.transactions {
		if t.id == n {
			return t
		}
	}
	return nil
}

// refundCreatePayload answers RefundCreatePayload.
type refundCreatePayload struct {
	refund     *refund
	order      *order
	userErrors []userError
}

func (*refundCreatePayload) typeName() string { return "RefundCreatePayload" }

func (p *refundCreatePayload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "refund":
		return p.refund, nil
	case "order":
		return p.order, nil
	case "userErrors":
		out := make([]any, len(p.userErrors))
		for i := range p.userErrors {
			out[i] = &p.userErrors[i]
		}
		return out, nil
	}
	return nil, notResolved("RefundCreatePayload", field)
}

func (r *refund) typeName() string { return "Refund" }
func (r *refund) gid() string      { return gid("Refund", r.id) }

func (r *refund) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return r.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(r.id, 10), nil
	case "note":
		return nullIfEmpty(r.note), nil
	case "createdAt", "processedAt", "updatedAt":
		return dateTime(r.createdAt), nil
	case "order":
		return r.order, nil
	case "totalRefundedSet":
		return r.order.bag(r.total()), nil
	case "transactions":
		nodes := make([]node, len(r.transactions))
		for i, t := range r.transactions {
			nodes[i] = t
		}
		return paginate("OrderTransaction", nodes, args)
	case "refundLineItems":
		nodes := make([]node, len(r.lines))
		for i, l := range r.lines {
			nodes[i] = l
		}
		return paginate("RefundLineItem", nodes, args)
	}
	return nil, notResolved("Refund", field)
}

func (l *refundLine) typeName() string { return "RefundLineItem" }
func (l *refundLine) gid() string      { return gid("RefundLineItem", l.id) }

func (l *refundLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	o := l.line.order
	switch field {
	case "id":
		if l.id == 0 {
			return nil, nil // a suggestion's line has no id yet
		}
		return l.gid(), nil
	case "lineItem":
		return l.line, nil
	case "quantity":
		return l.quantity, nil
	case "restockType":
		return l.restockType, nil
	case "restocked":
		return l.id != 0 && (l.restockType == "RETURN" || l.restockType == "CANCEL"), nil
	case "location":
		return nil, nil
	case "priceSet":
		return o.bag(l.line.unitPrice), nil
	case "subtotalSet":
		return o.bag(l.line.unitPrice * int64(l.quantity)), nil
	case "totalTaxSet":
		return o.bag(0), nil
	case "price":
		return o.bag(l.line.unitPrice).presentment.decimal(), nil
	case "subtotal":
		return o.bag(l.line.unitPrice * int64(l.quantity)).presentment.decimal(), nil
	case "totalTax":
		return "0.0", nil
	}
	return nil, notResolved("RefundLineItem", field)
}
