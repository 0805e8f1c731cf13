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
	// shipping is what of the refund's money was for delivery, in
	// presentment minor units.
	shipping int64
	// ret is the return the refund was made for by returnProcess, or nil.
	ret *orderReturn
	// keys are the idempotency keys of the requests answered with this
	// refund: the one that made it, then each replay; "" for a request
	// without a key (2026-01). Tests compare them with the portal's ledger.
	keys []string
}

// total is what the refund gave back, in presentment minor units: its
// successful transactions, store credit included; a pending one counts once
// it settles.
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
	location    *location // where RETURN or CANCEL restocked it
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

// makeRefund checks a RefundInput and, when it is good, makes the refund:
// line items refunded (and restocked where RETURN or CANCEL says), money
// back to payments, store credit to the customer. The caller holds s.mu.
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
	var shipping int64
	if v, _ := input["shipping"].(map[string]any); v != nil {
		amount, _ := v["amount"].(string)
		full, _ := v["fullRefund"].(bool)
		var msg string
		if shipping, msg = o.shippingToRefund(amount, full); msg != "" {
			fail(msg, "shipping", "amount")
		}
	}
	if v, _ := input["refundDuties"].([]any); len(v) > 0 {
		fail("devshop does not emulate duty refunds", "refundDuties")
	}

	// Line items: quantities within what is refundable, restock types
	// Shopify accepts for new refunds, restocking where units can be.
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
		locationID, _ := in["locationId"].(string)
		var loc *location
		if restock == "RETURN" || restock == "CANCEL" {
			// Without a location Shopify restocks at the shop's default
			// one (unverified): the warehouse here.
			loc = s.locations[0]
			if locationID != "" {
				loc = s.location(locationID)
			}
		}
		switch {
		case qty <= 0:
			fail("Quantity must be greater than 0", "refundLineItems", at, "quantity")
		case wanted[l]+qty > l.refundable:
			fail("Quantity cannot refund more items than were purchased", "refundLineItems", at, "quantity")
		case restock == "LEGACY_RESTOCK":
			fail("Restock type LEGACY_RESTOCK is not supported", "refundLineItems", at, "restockType")
		case (restock == "RETURN" || restock == "CANCEL") && loc == nil:
			fail("Location does not exist", "refundLineItems", at, "locationId")
		case (restock == "RETURN" || restock == "CANCEL") && l.variant == nil:
			fail("Line item can't be restocked: its product was deleted", "refundLineItems", at, "restockType")
		case restock == "RETURN" && wanted[l]+qty > o.fulfilled(l):
			fail("Only fulfilled items can be restocked as returned", "refundLineItems", at, "restockType")
		case restock == "CANCEL" && wanted[l]+qty > l.quantity-o.fulfilled(l):
			fail("Only unfulfilled items can be restocked as canceled", "refundLineItems", at, "restockType")
		default:
			wanted[l] += qty
			lines = append(lines, &refundLine{line: l, quantity: qty, restockType: restock, location: loc})
		}
	}

	// Transactions: REFUNDs of a successful payment of this order, through
	// its gateway; store credit; within what is left to refund.
	var money processRefund
	money.allowOver, _ = input["allowOverRefunding"].(bool)
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
		amount, _ := in["amount"].(string)
		money.transactions = append(money.transactions, refundMovementInput{parentID: parentID, amount: moneyInput{amount: amount}, at: []any{"transactions", i}})
	}
	rawMethods, _ := input["refundMethods"].([]any)
	money.storeCredit = storeCreditInputs(rawMethods)
	checked, merrs := s.checkRefundMoney(o, money, nil, "", "parentId", "amount")
	for _, e := range merrs {
		fail(e.message, e.field...)
	}
	if len(errs) == 0 && shipping > checked.total() {
		// The delivery refunded is part of the refund's money (unverified
		// wording).
		fail("Shipping refund amount exceeds the refund's transactions", "shipping", "amount")
	}
	if len(errs) == 0 && checked.empty() && len(lines) == 0 {
		fail("A refund needs line items or transactions")
	}
	if len(errs) > 0 {
		return nil, errs
	}

	for _, rl := range lines {
		if rl.location != nil {
			s.restock(rl.line, rl.location, rl.quantity)
		}
	}
	note, _ := input["note"].(string)
	checked.shipping = shipping
	r := s.applyRefund(o, note, lines, checked, nil)
	// Whoever made it (the app, or the merchant in admin), Shopify tells
	// the app's subscriptions of the refund and of the order it changed.
	s.orderChanged(o)
	return r, nil
}

// storeCreditInputs reads RefundMethodInput entries: their store credit
// amounts, each with its place for errors.
func storeCreditInputs(methods []any) []moneyInput {
	var out []moneyInput
	for i, raw := range methods {
		m, _ := raw.(map[string]any)
		sc, _ := m["storeCreditRefund"].(map[string]any)
		if sc == nil {
			continue
		}
		amt, _ := sc["amount"].(map[string]any)
		a, _ := amt["amount"].(string)
		c, _ := amt["currencyCode"].(string)
		out = append(out, moneyInput{amount: a, currency: c, at: []any{"refundMethods", i, "storeCreditRefund"}})
	}
	return out
}

// refundMoney is the checked money of a refund: what goes back to each
// payment and what becomes store credit.
type refundMoney struct {
	moves       []movement
	storeCredit int64
	// shipping is what of it is for delivery.
	shipping int64
}

// total is all the money of the refund.
func (m *refundMoney) total() int64 {
	if m == nil {
		return 0
	}
	sum := m.storeCredit
	for _, mv := range m.moves {
		sum += mv.amount
	}
	return sum
}

type movement struct {
	parent *transaction
	amount int64
}

func (m *refundMoney) empty() bool { return m == nil || (len(m.moves) == 0 && m.storeCredit == 0) }

// checkRefundMoney checks the money of a refund of o: each payment given
// is one of the order's, each amount a valid amount in the presentment
// currency, and all of it within what is refundable, on each payment and
// on the order, unless over-refunding is allowed. Store credit needs a
// customer and a shop that issues it, and never goes beyond what is
// refundable. Errors' field paths start with at, each entry's own place,
// and the field names given. The caller holds s.mu.
func (s *Shop) checkRefundMoney(o *order, in processRefund, at []any, listField, parentField, amountField string) (*refundMoney, []returnUserError) {
	var errs []returnUserError
	fail := func(code, message string, field ...any) {
		errs = append(errs, returnUserError{field: errPath(append(append([]any{}, at...), field...)...), message: message, code: code})
	}
	out := &refundMoney{}
	taken := map[*transaction]int64{}
	var total int64
	for i, mv := range in.transactions {
		place := mv.at
		if place == nil {
			place = []any{listField, i}
		}
		parent := o.transaction(mv.parentID)
		if parent == nil || !parent.isPayment() {
			fail("NOT_FOUND", "Parent transaction must be a successful sale or capture of this order", append(place, parentField)...)
			continue
		}
		amount, ok := parseMoney(mv.amount.amount)
		switch {
		case !ok:
			fail("INVALID", "Amount is not a valid amount", append(place, amountField)...)
			continue
		case amount <= 0:
			fail("GREATER_THAN", "Amount must be greater than 0", append(place, amountField)...)
			continue
		case mv.amount.currency != "" && mv.amount.currency != o.presentment:
			fail("INVALID", "Currency must be the order's presentment currency ("+o.presentment+")", append(place, amountField)...)
			continue
		case !in.allowOver && (taken[parent]+amount > parent.refundable() || total+amount > o.refundable()):
			fail("INVALID", "Refund amount exceeds the maximum refundable amount", append(place, amountField)...)
			continue
		}
		taken[parent] += amount
		total += amount
		out.moves = append(out.moves, movement{parent: parent, amount: amount})
	}
	for _, sc := range in.storeCredit {
		if why := s.storeCreditRefusal(o); why != "" {
			fail("INVALID", why, sc.at...)
			continue
		}
		amount, ok := parseMoney(sc.amount)
		switch {
		case !ok:
			fail("INVALID", "Amount is not a valid amount", append(sc.at, "amount")...)
			continue
		case amount <= 0:
			fail("GREATER_THAN", "Amount must be greater than 0", append(sc.at, "amount")...)
			continue
		case sc.currency != o.presentment:
			fail("INVALID", "Currency must be the order's presentment currency ("+o.presentment+")", append(sc.at, "amount")...)
			continue
		case out.storeCredit+amount > max(o.refundable()-total, 0):
			fail("INVALID", "Store credit can't exceed the maximum refundable amount", append(sc.at, "amount")...)
			continue
		}
		out.storeCredit += amount
	}
	return out, errs
}

// applyRefund makes a refund of o: its transactions (PENDING through a
// gateway SetPendingRefundGateways names), store credit, its line items
// taken off what is refundable, linked to ret when a return made it. It
// fires refunds/create; the caller fires orders/updated when it is done.
// The caller holds s.mu.
func (s *Shop) applyRefund(o *order, note string, lines []*refundLine, money *refundMoney, ret *orderReturn) *refund {
	now := s.now().UTC().Truncate(time.Second)
	r := &refund{id: s.newID(), order: o, createdAt: now, note: note, ret: ret, shipping: money.shipping}
	for _, m := range money.moves {
		t := &transaction{
			id: s.newID(), order: o, kind: "REFUND", status: s.refundStatus(m.parent.gateway),
			gateway: m.parent.gateway, amount: m.amount, parent: m.parent, createdAt: now, refund: r,
		}
		o.transactions = append(o.transactions, t)
		r.transactions = append(r.transactions, t)
	}
	if money.storeCredit > 0 {
		t := &transaction{id: s.newID(), order: o, kind: "REFUND", status: "SUCCESS", gateway: gatewayStoreCredit,
			amount: money.storeCredit, createdAt: now, refund: r}
		o.transactions = append(o.transactions, t)
		r.transactions = append(r.transactions, t)
		s.storeCredit[o.customer.id] += money.storeCredit
	}
	for _, rl := range lines {
		rl.id = s.newID()
		rl.line.refundable -= rl.quantity
		rl.line.current -= rl.quantity
		r.lines = append(r.lines, rl)
	}
	o.refunds = append(o.refunds, r)
	if ret != nil {
		ret.refunds = append(ret.refunds, r)
	}
	o.updateFinancialStatus()
	s.trigger(topicRefundsCreate, refundPayload(r))
	return r
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
	case "return":
		if err := x.shop.requireScope("return", "read_returns"); err != nil {
			return nil, err
		}
		if r.ret == nil {
			return nil, nil
		}
		return r.ret, nil
	case "duties":
		return []any{}, nil
	case "staffMember":
		return nil, nil
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
		if l.location == nil {
			return nil, nil
		}
		return l.location, nil
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
