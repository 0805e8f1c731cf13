package devshop

import (
	"slices"
	"strings"
)

// The GraphQL side of returns (returns.go holds the state and its moves):
// the return mutations, the queries that read returns, locations and
// inventory, and the objects they answer.
//
// Scopes, as Shopify documents them: the return mutations need
// write_returns; QueryRoot.return, returnableFulfillments,
// reverseFulfillmentOrder, reverseDelivery and Order.returns need
// read_returns; locations need read_locations; inventory read_inventory.
// Without one the field answers null with ACCESS_DENIED, as every other
// field here does. Order.returnStatus and returnReasonDefinitions need no
// more than the order's scope (unverified).

// returnMutations are the mutations of returns, which need write_returns.
var returnMutations = []string{"returnRequest", "returnApproveRequest", "returnDeclineRequest", "returnCancel",
	"returnClose", "returnReopen", "returnProcess", "reverseDeliveryCreateWithShipping"}

// returnMutation runs one of returnMutations. The caller holds s.mu.
func (x *execution) returnMutation(field string, args map[string]any) (any, error) {
	if err := x.shop.requireScope(field, "write_returns"); err != nil {
		return nil, err
	}
	s := x.shop
	input, _ := args["input"].(map[string]any)
	p := &returnMutationPayload{typ: strings.ToUpper(field[:1]) + field[1:] + "Payload"}
	// find looks up the return a mutation names; a return of an order the
	// token may not see does not exist for it.
	find := func(id string, at ...any) *orderReturn {
		r := s.returnByID(id)
		if r == nil || !strings.HasPrefix(id, "gid://shopify/Return/") {
			p.errs = append(p.errs, returnUserError{field: errPath(at...), code: "NOT_FOUND", message: "Return does not exist"})
			return nil
		}
		return r
	}
	switch field {
	case "returnRequest":
		orderID, _ := input["orderId"].(string)
		o := s.visibleOrder(orderID)
		if o == nil {
			p.errs = append(p.errs, returnUserError{field: errPath("input", "orderId"), code: "NOT_FOUND", message: "Order does not exist"})
			break
		}
		var lines []returnRequestLine
		raw, _ := input["returnLineItems"].([]any)
		for _, e := range raw {
			in, _ := e.(map[string]any)
			l := returnRequestLine{}
			l.fulfillmentLineID, _ = in["fulfillmentLineItemId"].(string)
			l.quantity, _ = intArg(in, "quantity")
			l.customerNote, _ = in["customerNote"].(string)
			l.reasonID, _ = in["returnReasonDefinitionId"].(string)
			lines = append(lines, l)
		}
		if _, ok := input["returnShippingFee"].(map[string]any); ok {
			p.errs = append(p.errs, returnUserError{field: errPath("input", "returnShippingFee"), code: "INVALID",
				message: "devshop does not emulate return shipping fees"})
			break
		}
		p.ret, p.errs = s.requestReturn(o, lines)
	case "returnApproveRequest":
		id, _ := input["id"].(string)
		if p.ret = find(id, "input", "id"); p.ret != nil {
			p.errs = s.approveReturn(p.ret)
		}
	case "returnDeclineRequest":
		id, _ := input["id"].(string)
		if p.ret = find(id, "input", "id"); p.ret != nil {
			reason, _ := input["declineReason"].(string)
			note, _ := input["declineNote"].(string)
			p.errs = s.declineReturn(p.ret, reason, note)
		}
	case "returnCancel", "returnClose", "returnReopen":
		id, _ := stringArg(args, "id")
		if p.ret = find(id, "id"); p.ret != nil {
			switch field {
			case "returnCancel":
				p.errs = s.cancelReturn(p.ret)
			case "returnClose":
				p.errs = s.closeReturn(p.ret)
			default:
				p.errs = s.reopenReturn(p.ret)
			}
		}
	case "returnProcess":
		id, _ := input["returnId"].(string)
		if p.ret = find(id, "input", "returnId"); p.ret != nil {
			_, p.errs = s.processReturn(p.ret, processInputFrom(input))
		}
	case "reverseDeliveryCreateWithShipping":
		id, _ := stringArg(args, "reverseFulfillmentOrderId")
		rfo := s.rfoByID(id)
		if rfo == nil {
			p.errs = append(p.errs, returnUserError{field: errPath("reverseFulfillmentOrderId"), code: "NOT_FOUND",
				message: "Reverse fulfillment order does not exist"})
			break
		}
		var lines []reverseDeliveryLineInput
		raw, _ := args["reverseDeliveryLineItems"].([]any)
		for _, e := range raw {
			in, _ := e.(map[string]any)
			l := reverseDeliveryLineInput{}
			l.rfoLineID, _ = in["reverseFulfillmentOrderLineItemId"].(string)
			l.quantity, _ = intArg(in, "quantity")
			lines = append(lines, l)
		}
		tracking, _ := args["trackingInput"].(map[string]any)
		number, _ := tracking["number"].(string)
		url, _ := tracking["url"].(string)
		if label, ok := args["labelInput"].(map[string]any); ok && label != nil {
			p.errs = append(p.errs, returnUserError{field: errPath("labelInput"), code: "INVALID",
				message: "devshop does not emulate return labels"})
			break
		}
		p.delivery, p.errs = s.createReverseDelivery(rfo, lines, number, url)
	}
	if len(p.errs) > 0 {
		// A refused mutation answers its return as it is, as Shopify
		// answers the payload's object next to userErrors (unverified);
		// returnRequest has none to answer.
		if field == "returnRequest" {
			p.ret = nil
		}
		p.delivery = nil
		return p, nil
	}
	s.committed = true
	return p, nil
}

// processInputFrom reads a ReturnProcessInput.
func processInputFrom(input map[string]any) processInput {
	var in processInput
	in.note, _ = input["note"].(string)
	raw, _ := input["returnLineItems"].([]any)
	for _, e := range raw {
		m, _ := e.(map[string]any)
		var pl processLine
		pl.returnLineID, _ = m["id"].(string)
		pl.quantity, _ = intArg(m, "quantity")
		ds, _ := m["dispositions"].([]any)
		for _, d := range ds {
			dm, _ := d.(map[string]any)
			var pd processDisposition
			pd.rfoLineID, _ = dm["reverseFulfillmentOrderLineItemId"].(string)
			pd.quantity, _ = intArg(dm, "quantity")
			pd.typ, _ = dm["dispositionType"].(string)
			pd.locationID, _ = dm["locationId"].(string)
			pl.dispositions = append(pl.dispositions, pd)
		}
		in.lines = append(in.lines, pl)
	}
	if ft, _ := input["financialTransfer"].(map[string]any); ft != nil {
		if ir, _ := ft["issueRefund"].(map[string]any); ir != nil {
			ref := &processRefund{}
			ref.allowOver, _ = ir["allowOverRefunding"].(bool)
			txs, _ := ir["orderTransactions"].([]any)
			for i, t := range txs {
				tm, _ := t.(map[string]any)
				mv := refundMovementInput{at: []any{"orderTransactions", i}}
				mv.parentID, _ = tm["parentId"].(string)
				amt, _ := tm["transactionAmount"].(map[string]any)
				mv.amount.amount, _ = amt["amount"].(string)
				mv.amount.currency, _ = amt["currencyCode"].(string)
				ref.transactions = append(ref.transactions, mv)
			}
			methods, _ := ir["refundMethods"].([]any)
			ref.storeCredit = storeCreditInputs(methods)
			in.refund = ref
		}
	}
	unsupported := func(field, what string) {
		in.unsupported = append(in.unsupported, returnUserError{field: errPath("input", field), code: "INVALID",
			message: "devshop does not emulate " + what})
	}
	if v, _ := input["exchangeLineItems"].([]any); len(v) > 0 {
		unsupported("exchangeLineItems", "exchanges")
	}
	if v, _ := input["refundDuties"].([]any); len(v) > 0 {
		unsupported("refundDuties", "duty refunds")
	}
	if v, _ := input["refundShipping"].(map[string]any); v != nil {
		in.shippingFull, _ = v["fullRefund"].(bool)
		if amt, _ := v["shippingRefundAmount"].(map[string]any); amt != nil {
			in.shippingAmount.amount, _ = amt["amount"].(string)
			in.shippingAmount.currency, _ = amt["currencyCode"].(string)
		}
	}
	if v, _ := input["tipLineId"].(string); v != "" {
		unsupported("tipLineId", "tips")
	}
	return in
}

// returnMutationPayload answers the payloads of the return mutations.
type returnMutationPayload struct {
	typ      string
	ret      *orderReturn
	delivery *reverseDelivery
	errs     []returnUserError
}

func (p *returnMutationPayload) typeName() string { return p.typ }

func (p *returnMutationPayload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "return":
		return p.ret, nil
	case "reverseDelivery":
		return p.delivery, nil
	case "userErrors":
		out := make([]any, len(p.errs))
		for i := range p.errs {
			out[i] = &p.errs[i]
		}
		return out, nil
	}
	return nil, notResolved(p.typ, field)
}

func (*returnUserError) typeName() string { return "ReturnUserError" }

func (e *returnUserError) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "field":
		if e.field == nil {
			return nil, nil
		}
		return e.field, nil
	case "message":
		return e.message, nil
	case "code":
		return nullIfEmpty(e.code), nil
	}
	return nil, notResolved("ReturnUserError", field)
}

// returnQuery answers the QueryRoot fields of returns, locations and
// inventory; ok is false for another field.
func (x *execution) returnQuery(field string, args map[string]any) (v any, ok bool, err error) {
	s := x.shop
	scope := map[string]string{
		"return": "read_returns", "returnableFulfillments": "read_returns", "returnableFulfillment": "read_returns",
		"reverseFulfillmentOrder": "read_returns", "reverseDelivery": "read_returns",
		"locations": "read_locations", "location": "read_locations",
		"inventoryItem": "read_inventory", "inventoryLevel": "read_inventory",
		"returnReasonDefinitions": "",
	}
	need, known := scope[field]
	if !known {
		return nil, false, nil
	}
	if need != "" {
		if err := s.requireScope(field, need); err != nil {
			return nil, true, err
		}
	}
	id, _ := stringArg(args, "id")
	switch field {
	case "return":
		if !strings.HasPrefix(id, "gid://shopify/Return/") {
			return nil, true, nil
		}
		return s.returnByID(id), true, nil
	case "returnableFulfillments":
		orderID, _ := stringArg(args, "orderId")
		o := s.visibleOrder(orderID)
		if o == nil {
			return nil, true, codedError{code: "NOT_FOUND", message: "Order does not exist"}
		}
		var nodes []node
		for _, f := range o.fulfillments {
			if rf := (&returnableFulfillment{f: f}); len(rf.lines()) > 0 {
				nodes = append(nodes, rf)
			}
		}
		c, err := paginate("ReturnableFulfillment", nodes, args)
		return c, true, err
	case "returnableFulfillment":
		n, ok := parseGID("ReturnableFulfillment", id)
		if !ok {
			return nil, true, nil
		}
		for _, o := range s.orders {
			if !s.visible(o) {
				continue
			}
			for _, f := range o.fulfillments {
				if f.id == n {
					return &returnableFulfillment{f: f}, true, nil
				}
			}
		}
		return nil, true, nil
	case "reverseFulfillmentOrder":
		return s.rfoByID(id), true, nil
	case "reverseDelivery":
		return s.reverseDeliveryByID(id), true, nil
	case "returnReasonDefinitions":
		c, err := returnReasonDefinitions(args)
		return c, true, err
	case "locations":
		list := slices.Clone(s.locations)
		if key, _ := stringArg(args, "sortKey"); key == "" || key == "NAME" {
			slices.SortStableFunc(list, func(a, b *location) int { return strings.Compare(a.name, b.name) })
		}
		nodes := make([]node, len(list))
		for i, l := range list {
			nodes[i] = l
		}
		c, err := paginate("Location", nodes, args)
		return c, true, err
	case "location":
		if id == "" {
			return s.locations[0], true, nil // the shop's primary location
		}
		return s.location(id), true, nil
	case "inventoryItem":
		return s.inventoryItem(id), true, nil
	case "inventoryLevel":
		return s.inventoryLevelByGID(id), true, nil
	}
	return nil, false, nil
}

// returnableFulfillment answers ReturnableFulfillment: a fulfillment with
// the units of each of its lines that may still go on a return.
type returnableFulfillment struct{ f *fulfillment }

func (rf *returnableFulfillment) typeName() string { return "ReturnableFulfillment" }
func (rf *returnableFulfillment) gid() string      { return gid("ReturnableFulfillment", rf.f.id) }

// lines are the fulfillment's lines with a unit left to return.
func (rf *returnableFulfillment) lines() []node {
	var out []node
	for _, fl := range rf.f.lines {
		if n := fl.returnable(); n > 0 {
			out = append(out, &returnableLine{fl: fl, quantity: n})
		}
	}
	return out
}

func (rf *returnableFulfillment) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return rf.gid(), nil
	case "fulfillment":
		return rf.f, nil
	case "returnableFulfillmentLineItems":
		return paginate("ReturnableFulfillmentLineItem", rf.lines(), args)
	}
	return nil, notResolved("ReturnableFulfillment", field)
}

// returnableLine answers ReturnableFulfillmentLineItem. It has no id at
// Shopify; gid is only its cursor.
type returnableLine struct {
	fl       *fulfillmentLine
	quantity int
}

func (*returnableLine) typeName() string { return "ReturnableFulfillmentLineItem" }
func (l *returnableLine) gid() string    { return l.fl.gid() }

func (l *returnableLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "fulfillmentLineItem":
		return l.fl, nil
	case "quantity":
		return l.quantity, nil
	}
	return nil, notResolved("ReturnableFulfillmentLineItem", field)
}

func (r *orderReturn) typeName() string { return "Return" }
func (r *orderReturn) gid() string      { return gid("Return", r.id) }

func (r *orderReturn) resolve(x *execution, field string, args map[string]any) (any, error) {
	o := r.order
	switch field {
	case "id":
		return r.gid(), nil
	case "name":
		return r.name(), nil
	case "status":
		return r.status, nil
	case "createdAt":
		return dateTime(r.createdAt), nil
	case "requestApprovedAt":
		return dateTime(r.approvedAt), nil
	case "closedAt":
		return dateTime(r.closedAt), nil
	case "decline":
		if r.status != returnDeclined {
			return nil, nil
		}
		return &returnDecline{reason: r.declineReason, note: r.declineNote}, nil
	case "order":
		return o, nil
	case "totalQuantity":
		return r.totalQuantity(), nil
	case "returnLineItems":
		nodes := make([]node, len(r.lines))
		for i, l := range r.lines {
			nodes[i] = l
		}
		return paginate("ReturnLineItemType", nodes, args)
	case "reverseFulfillmentOrders":
		nodes := make([]node, len(r.rfos))
		for i, rfo := range r.rfos {
			nodes[i] = rfo
		}
		return paginate("ReverseFulfillmentOrder", nodes, args)
	case "refunds":
		nodes := make([]node, len(r.refunds))
		for i, rf := range r.refunds {
			nodes[i] = rf
		}
		return paginate("Refund", nodes, args)
	case "transactions":
		var nodes []node
		for _, rf := range r.refunds {
			for _, t := range rf.transactions {
				nodes = append(nodes, t)
			}
		}
		return paginate("OrderTransaction", nodes, args)
	case "exchangeLineItems":
		return paginate("ExchangeLineItem", nil, args)
	case "returnShippingFees":
		return []any{}, nil
	case "staffMember":
		return nil, nil
	}
	return nil, notResolved("Return", field)
}

// returnDecline answers ReturnDecline.
type returnDecline struct{ reason, note string }

func (*returnDecline) typeName() string { return "ReturnDecline" }

func (d *returnDecline) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "reason":
		return d.reason, nil
	case "note":
		return nullIfEmpty(d.note), nil
	}
	return nil, notResolved("ReturnDecline", field)
}

func (l *returnLine) typeName() string { return "ReturnLineItem" }
func (l *returnLine) gid() string      { return gid("ReturnLineItem", l.id) }

// legacyReason is the deprecated ReturnReason of the line: its
// definition's enum value, UNKNOWN without one.
func (l *returnLine) legacyReason() string {
	if l.reason == nil {
		return "UNKNOWN"
	}
	return l.reason.legacy
}

func (l *returnLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	o := l.ret.order
	switch field {
	case "id":
		return l.gid(), nil
	case "quantity":
		return l.quantity, nil
	case "customerNote":
		return nullIfEmpty(l.customerNote), nil
	case "returnReason":
		return l.legacyReason(), nil
	case "returnReasonNote":
		return l.reasonNote, nil
	case "returnReasonDefinition":
		return l.reason, nil
	case "processedQuantity":
		return l.processed, nil
	case "unprocessedQuantity":
		return l.unprocessed(), nil
	case "processableQuantity":
		return l.processable(), nil
	case "refundedQuantity":
		return l.refunded, nil
	case "refundableQuantity":
		// What was processed and not refunded yet (unverified).
		return max(l.processed-l.refunded, 0), nil
	case "fulfillmentLineItem":
		return l.fl, nil
	case "withCodeDiscountedTotalPriceSet":
		return o.bag(l.fl.line.unitPrice * int64(l.quantity)), nil
	case "restockingFee", "totalWeight":
		return nil, nil
	}
	return nil, notResolved("ReturnLineItem", field)
}

func (rfo *reverseFulfillmentOrder) typeName() string { return "ReverseFulfillmentOrder" }
func (rfo *reverseFulfillmentOrder) gid() string      { return gid("ReverseFulfillmentOrder", rfo.id) }

func (rfo *reverseFulfillmentOrder) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return rfo.gid(), nil
	case "status":
		return rfo.status, nil
	case "order":
		return rfo.ret.order, nil
	case "lineItems":
		nodes := make([]node, len(rfo.lines))
		for i, l := range rfo.lines {
			nodes[i] = l
		}
		return paginate("ReverseFulfillmentOrderLineItem", nodes, args)
	case "reverseDeliveries":
		nodes := make([]node, len(rfo.deliveries))
		for i, d := range rfo.deliveries {
			nodes[i] = d
		}
		return paginate("ReverseDelivery", nodes, args)
	case "thirdPartyConfirmation":
		return nil, nil
	}
	return nil, notResolved("ReverseFulfillmentOrder", field)
}

func (l *rfoLine) typeName() string { return "ReverseFulfillmentOrderLineItem" }
func (l *rfoLine) gid() string      { return gid("ReverseFulfillmentOrderLineItem", l.id) }

func (l *rfoLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "totalQuantity":
		return l.line.quantity, nil
	case "fulfillmentLineItem":
		return l.line.fl, nil
	case "dispositions":
		out := make([]any, len(l.dispositions))
		for i, d := range l.dispositions {
			out[i] = d
		}
		return out, nil
	}
	return nil, notResolved("ReverseFulfillmentOrderLineItem", field)
}

func (d *disposition) typeName() string { return "ReverseFulfillmentOrderDisposition" }
func (d *disposition) gid() string      { return gid("ReverseFulfillmentOrderDisposition", d.id) }

func (d *disposition) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return d.gid(), nil
	case "type":
		return d.typ, nil
	case "quantity":
		return d.quantity, nil
	case "location":
		return d.location, nil
	case "createdAt":
		return dateTime(d.createdAt), nil
	}
	return nil, notResolved("ReverseFulfillmentOrderDisposition", field)
}

func (d *reverseDelivery) typeName() string { return "ReverseDelivery" }
func (d *reverseDelivery) gid() string      { return gid("ReverseDelivery", d.id) }

func (d *reverseDelivery) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return d.gid(), nil
	case "reverseFulfillmentOrder":
		return d.rfo, nil
	case "deliverable":
		if d.trackingNumber == "" && d.trackingURL == "" {
			return nil, nil
		}
		return &shippingDeliverable{d: d}, nil
	case "reverseDeliveryLineItems":
		nodes := make([]node, len(d.lines))
		for i, l := range d.lines {
			nodes[i] = l
		}
		return paginate("ReverseDeliveryLineItem", nodes, args)
	}
	return nil, notResolved("ReverseDelivery", field)
}

func (l *reverseDeliveryLine) typeName() string { return "ReverseDeliveryLineItem" }
func (l *reverseDeliveryLine) gid() string      { return gid("ReverseDeliveryLineItem", l.id) }

func (l *reverseDeliveryLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "quantity":
		return l.quantity, nil
	case "reverseFulfillmentOrderLineItem":
		return l.rfoLine, nil
	case "dispositions":
		// Dispositions are recorded on the reverse fulfillment order's
		// line; which of them belong to one delivery devshop does not
		// track.
		return []any{}, nil
	}
	return nil, notResolved("ReverseDeliveryLineItem", field)
}

// shippingDeliverable answers ReverseDeliveryShippingDeliverable and its
// tracking.
type shippingDeliverable struct{ d *reverseDelivery }

func (*shippingDeliverable) typeName() string { return "ReverseDeliveryShippingDeliverable" }

func (s *shippingDeliverable) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "tracking":
		return &deliveryTracking{d: s.d}, nil
	case "label":
		return nil, nil
	}
	return nil, notResolved("ReverseDeliveryShippingDeliverable", field)
}

type deliveryTracking struct{ d *reverseDelivery }

func (*deliveryTracking) typeName() string { return "ReverseDeliveryTrackingV2" }

func (t *deliveryTracking) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "number":
		return nullIfEmpty(t.d.trackingNumber), nil
	case "url":
		return nullIfEmpty(t.d.trackingURL), nil
	case "carrierName":
		return nullIfEmpty(t.d.carrierName), nil
	}
	return nil, notResolved("ReverseDeliveryTrackingV2", field)
}

// returnsOf answers Order.returns.
func (o *order) returnsOf(args map[string]any) (*connection, error) {
	nodes := make([]node, len(o.returns))
	for i, r := range o.returns {
		nodes[i] = r
	}
	return paginate("Return", nodes, args)
}
