package devshop

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Returns as Shopify models them: a Return of an order, with return line
// items on fulfillment line items, reverse fulfillment orders made when it
// is approved, reverse deliveries (the customer's parcel), dispositions of
// the units that came back, and refunds made by processing it.
//
// The states, from the Admin API's documentation:
//
//	returnRequest         → REQUESTED
//	returnApproveRequest  REQUESTED → OPEN (creates the reverse fulfillment order)
//	returnDeclineRequest  REQUESTED → DECLINED
//	returnCancel          REQUESTED or OPEN → CANCELED, before any work is done
//	                      (no unit processed, disposed or refunded)
//	returnClose           OPEN → CLOSED
//	returnReopen          CLOSED → OPEN
//	returnProcess         OPEN; confirms quantities, disposes them, refunds
//
// Every change is made by one function here, which the GraphQL mutations and
// the merchant's actions in admin (admin_returns.go) both call, so both
// answer and notify alike: Shopify fires the returns/* webhooks whoever made
// the change.
//
// What the documentation leaves open is decided here and marked so:
//
//   - userErrors' field paths start with the argument's name ("input",
//     "returnLineItems", "0", "quantity"), and their messages are devshop's
//     own. Codes follow the names of Rails' validations that ReturnErrorCode
//     mirrors: a quantity of 0 is GREATER_THAN, one above what is left is
//     LESS_THAN_OR_EQUAL_TO, an unknown id NOT_FOUND, a move the status does
//     not allow INVALID_STATE, a note too long TOO_LONG (unverified).
//   - returnProcess leaves the return OPEN: closing it is returnClose, as the
//     issue's flow and Shopify's "Return closed" being its own step in admin
//     suggest. A reverse fulfillment order is CLOSED once every unit of it is
//     processed, CANCELED with its return (unverified).
//   - Without dispositions a processed unit is recorded as processed and not
//     disposed; dispositions given must add up to the quantity processed.
//   - Order.returnStatus is one status for all of the order's returns, by
//     this priority: IN_PROGRESS (an open return with units not processed),
//     RETURN_REQUESTED (a requested one), INSPECTION_COMPLETE (an open one
//     with every unit processed), RETURNED (a closed one), RETURN_FAILED
//     (only declined ones), NO_RETURN (none, or only canceled ones). The
//     enum's descriptions are Shopify's; the priority is devshop's.
//   - returnableFulfillments answers, per fulfillment, the units shipped less
//     those on returns that are not declined or canceled; units refunded
//     outside a return are not subtracted (unverified).
//   - The carrier of a reverse delivery is named from its tracking URL's host
//     (DPD, DHL, UPS, USPS, FedEx, Omniva, Latvijas Pasts), else null.

// Return statuses (ReturnStatus).
const (
	returnRequested = "REQUESTED"
	returnOpen      = "OPEN"
	returnDeclined  = "DECLINED"
	returnCanceled  = "CANCELED"
	returnClosed    = "CLOSED"
)

type orderReturn struct {
	id         int64
	order      *order
	number     int // 1 for the order's first return: its name is "#1002-R1"
	status     string
	createdAt  time.Time
	approvedAt time.Time
	closedAt   time.Time
	// declineReason (ReturnDeclineReason) and declineNote are set when the
	// request was declined.
	declineReason, declineNote string
	lines                      []*returnLine
	rfos                       []*reverseFulfillmentOrder
	refunds                    []*refund
}

func (r *orderReturn) name() string { return r.order.name + "-R" + strconv.Itoa(r.number) }

// totalQuantity is the sum of the return's line quantities.
func (r *orderReturn) totalQuantity() int {
	n := 0
	for _, l := range r.lines {
		n += l.quantity
	}
	return n
}

// worked reports whether anything was done on the return that returnCancel
// cannot undo: a unit processed or disposed, or a refund.
func (r *orderReturn) worked() bool {
	if len(r.refunds) > 0 {
		return true
	}
	for _, l := range r.lines {
		if l.processed > 0 {
			return true
		}
	}
	for _, rfo := range r.rfos {
		for _, rl := range rfo.lines {
			if len(rl.dispositions) > 0 {
				return true
			}
		}
	}
	return false
}

// holds reports whether the return holds its units against another return:
// every return does but a declined or canceled one.
func (r *orderReturn) holds() bool { return r.status != returnDeclined && r.status != returnCanceled }

type returnLine struct {
	id           int64
	ret          *orderReturn
	fl           *fulfillmentLine
	quantity     int
	processed    int
	refunded     int
	reason       *returnReason // nil when none was given
	reasonNote   string
	customerNote string
}

func (l *returnLine) unprocessed() int { return l.quantity - l.processed }

// processable is what returnProcess may still confirm: the unprocessed units
// of an open return.
func (l *returnLine) processable() int {
	if l.ret.status != returnOpen {
		return 0
	}
	return l.unprocessed()
}

type reverseFulfillmentOrder struct {
	id         int64
	ret        *orderReturn
	status     string // OPEN, CLOSED, CANCELED
	lines      []*rfoLine
	deliveries []*reverseDelivery
}

type rfoLine struct {
	id           int64
	rfo          *reverseFulfillmentOrder
	line         *returnLine
	dispositions []*disposition
}

type disposition struct {
	id        int64
	typ       string // ReverseFulfillmentOrderDispositionType
	quantity  int
	location  *location
	createdAt time.Time
}

type reverseDelivery struct {
	id             int64
	rfo            *reverseFulfillmentOrder
	lines          []*reverseDeliveryLine
	trackingNumber string
	trackingURL    string
	carrierName    string
	createdAt      time.Time
}

type reverseDeliveryLine struct {
	id       int64
	delivery *reverseDelivery
	rfoLine  *rfoLine
	quantity int
}

// returnUserError is a ReturnUserError: a field path, a message and a
// ReturnErrorCode.
type returnUserError struct {
	field   []string
	message string
	code    string
}

// errPath builds a userError field path: the argument, then the input
// fields and list indexes below it.
func errPath(parts ...any) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, p)
		case int:
			out = append(out, strconv.Itoa(p))
		}
	}
	return out
}

// returnByID finds a return of an order the token may see, by GID or
// numeric id. The caller holds s.mu.
func (s *Shop) returnByID(id string) *orderReturn {
	n, ok := parseGID("Return", id)
	if !ok {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil || v <= 0 {
			return nil
		}
		n = v
	}
	for _, o := range s.orders {
		if !s.visible(o) {
			continue
		}
		for _, r := range o.returns {
			if r.id == n {
				return r
			}
		}
	}
	return nil
}

// fulfillmentLine returns the order's fulfillment line item with the given
// GID, or nil.
func (o *order) fulfillmentLine(id string) *fulfillmentLine {
	n, ok := parseGID("FulfillmentLineItem", id)
	if !ok {
		return nil
	}
	for _, f := range o.fulfillments {
		for _, fl := range f.lines {
			if fl.id == n {
				return fl
			}
		}
	}
	return nil
}

// returnable is how many units of fl may still go on a return: those
// shipped, less those on returns that hold them.
func (fl *fulfillmentLine) returnable() int {
	if fl.fulfillment.status != "SUCCESS" {
		return 0
	}
	n := fl.quantity
	for _, r := range fl.line.order.returns {
		if !r.holds() {
			continue
		}
		for _, l := range r.lines {
			if l.fl == fl {
				n -= l.quantity
			}
		}
	}
	return max(n, 0)
}

// returnStatus is Order.returnStatus; see the priority above.
func (o *order) returnStatus() string {
	has := map[string]bool{}
	for _, r := range o.returns {
		switch r.status {
		case returnOpen:
			done := true
			for _, l := range r.lines {
				if l.unprocessed() > 0 {
					done = false
				}
			}
			if done {
				has["INSPECTION_COMPLETE"] = true
			} else {
				has["IN_PROGRESS"] = true
			}
		case returnRequested:
			has["RETURN_REQUESTED"] = true
		case returnClosed:
			has["RETURNED"] = true
		case returnDeclined:
			has["RETURN_FAILED"] = true
		}
	}
	for _, s := range []string{"IN_PROGRESS", "RETURN_REQUESTED", "INSPECTION_COMPLETE", "RETURNED", "RETURN_FAILED"} {
		if has[s] {
			return s
		}
	}
	return "NO_RETURN"
}

// returnRequestLine is a line of a return request.
type returnRequestLine struct {
	fulfillmentLineID string
	quantity          int
	customerNote      string
	reasonID          string
}

// requestReturn makes a REQUESTED return of lines on o and fires
// returns/request. The caller holds s.mu.
func (s *Shop) requestReturn(o *order, lines []returnRequestLine) (*orderReturn, []returnUserError) {
	var errs []returnUserError
	fail := func(code, message string, field ...any) {
		errs = append(errs, returnUserError{field: errPath(field...), message: message, code: code})
	}
	if !o.cancelledAt.IsZero() {
		fail("INVALID", "A canceled order can't be returned", "input", "orderId")
	}
	if len(lines) == 0 {
		fail("BLANK", "Return line items can't be blank", "input", "returnLineItems")
	}
	r := &orderReturn{order: o, status: returnRequested}
	wanted := map[*fulfillmentLine]int{}
	for i, in := range lines {
		fl := o.fulfillmentLine(in.fulfillmentLineID)
		switch {
		case fl == nil:
			fail("NOT_FOUND", "Fulfillment line item does not exist", "input", "returnLineItems", i, "fulfillmentLineItemId")
			continue
		case in.quantity <= 0:
			fail("GREATER_THAN", "Quantity must be greater than 0", "input", "returnLineItems", i, "quantity")
			continue
		case wanted[fl]+in.quantity > fl.returnable():
			fail("LESS_THAN_OR_EQUAL_TO", "Quantity must be less than or equal to the returnable quantity ("+
				strconv.Itoa(fl.returnable()-wanted[fl])+")", "input", "returnLineItems", i, "quantity")
			continue
		case utf8.RuneCountInString(in.customerNote) > 300:
			fail("TOO_LONG", "Customer note is too long (maximum is 300 characters)", "input", "returnLineItems", i, "customerNote")
			continue
		}
		l := &returnLine{ret: r, fl: fl, quantity: in.quantity, customerNote: in.customerNote}
		if in.reasonID != "" {
			l.reason = reasonByID(in.reasonID)
			if l.reason == nil {
				fail("NOT_FOUND", "Return reason definition does not exist", "input", "returnLineItems", i, "returnReasonDefinitionId")
				continue
			}
		}
		wanted[fl] += in.quantity
		r.lines = append(r.lines, l)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	r.id = s.newID()
	r.number = len(o.returns) + 1
	r.createdAt = s.now().UTC().Truncate(time.Second)
	for _, l := range r.lines {
		l.id = s.newID()
	}
	o.returns = append(o.returns, r)
	s.trigger(topicReturnsRequest, returnPayload(r))
	return r, nil
}

// approveReturn opens a requested return, makes its reverse fulfillment
// order and fires returns/approve. The caller holds s.mu.
func (s *Shop) approveReturn(r *orderReturn) []returnUserError {
	if r.status != returnRequested {
		return stateError(r, "approved", "input", "id")
	}
	r.status = returnOpen
	r.approvedAt = s.now().UTC().Truncate(time.Second)
	rfo := &reverseFulfillmentOrder{id: s.newID(), ret: r, status: returnOpen}
	for _, l := range r.lines {
		rfo.lines = append(rfo.lines, &rfoLine{id: s.newID(), rfo: rfo, line: l})
	}
	r.rfos = append(r.rfos, rfo)
	s.trigger(topicReturnsApprove, returnPayload(r))
	return nil
}

// declineReturn declines a requested return and fires returns/decline. The
// caller holds s.mu.
func (s *Shop) declineReturn(r *orderReturn, reason, note string) []returnUserError {
	switch {
	case r.status != returnRequested:
		return stateError(r, "declined", "input", "id")
	case reason != "RETURN_PERIOD_ENDED" && reason != "FINAL_SALE" && reason != "OTHER":
		return []returnUserError{{field: errPath("input", "declineReason"), code: "INCLUSION",
			message: "Decline reason must be RETURN_PERIOD_ENDED, FINAL_SALE or OTHER"}}
	case utf8.RuneCountInString(note) > 500:
		return []returnUserError{{field: errPath("input", "declineNote"), code: "TOO_LONG",
			message: "Decline note is too long (maximum is 500 characters)"}}
	}
	r.status = returnDeclined
	r.declineReason, r.declineNote = reason, note
	s.trigger(topicReturnsDecline, returnDeclinePayload(r))
	return nil
}

// cancelReturn cancels a return on which no work was done and fires
// returns/cancel. The caller holds s.mu.
func (s *Shop) cancelReturn(r *orderReturn) []returnUserError {
	if (r.status != returnRequested && r.status != returnOpen) || r.worked() {
		return []returnUserError{{field: errPath("id"), code: "INVALID_STATE",
			message: "Return can't be canceled: it is " + strings.ToLower(r.status) + workedNote(r)}}
	}
	r.status = returnCanceled
	for _, rfo := range r.rfos {
		rfo.status = returnCanceled
	}
	s.trigger(topicReturnsCancel, returnStatusPayload(r))
	return nil
}

func workedNote(r *orderReturn) string {
	if r.worked() {
		return " and has processed items or refunds"
	}
	return ""
}

// closeReturn closes an open return and fires returns/close. The caller
// holds s.mu.
func (s *Shop) closeReturn(r *orderReturn) []returnUserError {
	if r.status != returnOpen {
		return stateError(r, "closed", "id")
	}
	r.status = returnClosed
	r.closedAt = s.now().UTC().Truncate(time.Second)
	for _, rfo := range r.rfos {
		if rfo.status == returnOpen {
			rfo.status = returnClosed
		}
	}
	s.trigger(topicReturnsClose, returnStatusPayload(r))
	return nil
}

// reopenReturn opens a closed return again and fires returns/reopen. The
// caller holds s.mu.
func (s *Shop) reopenReturn(r *orderReturn) []returnUserError {
	if r.status != returnClosed {
		return stateError(r, "reopened", "id")
	}
	r.status = returnOpen
	r.closedAt = time.Time{}
	for _, rfo := range r.rfos {
		if rfo.status == returnClosed && !rfo.done() {
			rfo.status = returnOpen
		}
	}
	s.trigger(topicReturnsReopen, returnStatusPayload(r))
	return nil
}

// done reports whether every unit of the reverse fulfillment order was
// processed.
func (rfo *reverseFulfillmentOrder) done() bool {
	for _, l := range rfo.lines {
		if l.line.unprocessed() > 0 {
			return false
		}
	}
	return true
}

func stateError(r *orderReturn, verb string, field ...any) []returnUserError {
	return []returnUserError{{field: errPath(field...), code: "INVALID_STATE",
		message: "Return can't be " + verb + ": it is " + strings.ToLower(r.status)}}
}

// reverseDeliveryLineInput is a line of reverseDeliveryCreateWithShipping.
type reverseDeliveryLineInput struct {
	rfoLineID string
	quantity  int
}

// createReverseDelivery records the customer's parcel for a reverse
// fulfillment order and fires reverse_deliveries/attach_deliverable. An
// empty lines takes every line of the order in full, as Shopify documents.
// The caller holds s.mu.
func (s *Shop) createReverseDelivery(rfo *reverseFulfillmentOrder, lines []reverseDeliveryLineInput, number, trackingURL string) (*reverseDelivery, []returnUserError) {
	if rfo.ret.status != returnOpen || rfo.status != returnOpen {
		return nil, []returnUserError{{field: errPath("reverseFulfillmentOrderId"), code: "INVALID_STATE",
			message: "Reverse fulfillment order is not open: its return is " + strings.ToLower(rfo.ret.status)}}
	}
	d := &reverseDelivery{rfo: rfo, trackingNumber: strings.TrimSpace(number), trackingURL: strings.TrimSpace(trackingURL)}
	var errs []returnUserError
	if len(lines) == 0 {
		for _, l := range rfo.lines {
			d.lines = append(d.lines, &reverseDeliveryLine{delivery: d, rfoLine: l, quantity: l.line.quantity})
		}
	}
	for i, in := range lines {
		var rl *rfoLine
		if n, ok := parseGID("ReverseFulfillmentOrderLineItem", in.rfoLineID); ok {
			for _, l := range rfo.lines {
				if l.id == n {
					rl = l
				}
			}
		}
		switch {
		case rl == nil:
			errs = append(errs, returnUserError{field: errPath("reverseDeliveryLineItems", i, "reverseFulfillmentOrderLineItemId"),
				code: "NOT_FOUND", message: "Reverse fulfillment order line item does not exist"})
		case in.quantity <= 0:
			errs = append(errs, returnUserError{field: errPath("reverseDeliveryLineItems", i, "quantity"),
				code: "GREATER_THAN", message: "Quantity must be greater than 0"})
		case in.quantity > rl.line.quantity:
			errs = append(errs, returnUserError{field: errPath("reverseDeliveryLineItems", i, "quantity"),
				code: "LESS_THAN_OR_EQUAL_TO", message: "Quantity must be less than or equal to " + strconv.Itoa(rl.line.quantity)})
		default:
			d.lines = append(d.lines, &reverseDeliveryLine{delivery: d, rfoLine: rl, quantity: in.quantity})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	d.id = s.newID()
	d.createdAt = s.now().UTC().Truncate(time.Second)
	d.carrierName = carrierFromURL(d.trackingURL)
	for _, l := range d.lines {
		l.id = s.newID()
	}
	rfo.deliveries = append(rfo.deliveries, d)
	if d.trackingNumber != "" || d.trackingURL != "" {
		s.trigger(topicReverseDeliveriesAttach, reverseDeliveryPayload(d))
	}
	return d, nil
}

// carriers name a carrier by a part of its tracking site's host.
var carriers = []struct{ host, name string }{
	{"dpd", "DPD"}, {"dhl", "DHL"}, {"ups", "UPS"}, {"usps", "USPS"}, {"fedex", "FedEx"},
	{"omniva", "Omniva"}, {"pasts.lv", "Latvijas Pasts"},
}

func carrierFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, c := range carriers {
		if strings.Contains(host, c.host) {
			return c.name
		}
	}
	return ""
}

// processLine is a return line item of returnProcess.
type processLine struct {
	returnLineID string
	quantity     int
	dispositions []processDisposition
}

// processDisposition is a ReverseFulfillmentOrderDisposeInput. An empty
// rfoLineID (from the merchant's admin) means the line's own.
type processDisposition struct {
	rfoLineID  string
	quantity   int
	typ        string
	locationID string
}

// processRefund is the financial transfer of returnProcess, or of a
// refundCreate: the payments to refund and store credit to issue.
type processRefund struct {
	transactions []refundMovementInput
	storeCredit  []moneyInput
	allowOver    bool
}

// refundMovementInput is money back to one payment.
type refundMovementInput struct {
	parentID string
	amount   moneyInput
	at       []any // its place in the input, for errors; nil: its index
}

// moneyInput is a MoneyInput: an amount with its currency.
type moneyInput struct {
	amount   string
	currency string
	at       []any // its place in the input, for errors
}

// processInput is a ReturnProcessInput.
type processInput struct {
	lines  []processLine
	refund *processRefund
	note   string
	// shippingAmount and shippingFull are refundShipping: the delivery
	// refunded with the units.
	shippingAmount moneyInput
	shippingFull   bool
	// unsupported holds the errors of inputs devshop does not emulate:
	// exchanges, duties, shipping, tips.
	unsupported []returnUserError
}

// processReturn confirms returned units of an open return, disposes of
// them (restocking at a location raises its inventory), and refunds them
// when asked: the refund is the return's, carries a refund line item per
// disposition kind, and fires refunds/create. Then returns/process, and
// orders/updated when money moved. Nothing is changed unless all of it is
// valid. The caller holds s.mu.
func (s *Shop) processReturn(r *orderReturn, in processInput) (*refund, []returnUserError) {
	o := r.order
	if r.status != returnOpen {
		return nil, stateError(r, "processed", "input", "returnId")
	}
	errs := append([]returnUserError{}, in.unsupported...)
	fail := func(code, message string, field ...any) {
		errs = append(errs, returnUserError{field: errPath(field...), message: message, code: code})
	}
	if len(in.lines) == 0 {
		fail("BLANK", "Return line items can't be blank", "input", "returnLineItems")
	}

	// A plan of what to do, made before anything changes.
	type plannedDisposition struct {
		rl       *rfoLine
		quantity int
		typ      string
		location *location
	}
	type plannedLine struct {
		line         *returnLine
		quantity     int
		dispositions []plannedDisposition
	}
	var plan []plannedLine
	taking := map[*returnLine]int{}
	for i, pl := range in.lines {
		at := []any{"input", "returnLineItems", i}
		line := r.line(pl.returnLineID)
		switch {
		case line == nil:
			fail("NOT_FOUND", "Return line item does not exist on this return", append(at, "id")...)
			continue
		case pl.quantity <= 0:
			fail("GREATER_THAN", "Quantity must be greater than 0", append(at, "quantity")...)
			continue
		case taking[line]+pl.quantity > line.processable():
			fail("LESS_THAN_OR_EQUAL_TO", "Quantity must be less than or equal to the processable quantity ("+
				strconv.Itoa(line.processable()-taking[line])+")", append(at, "quantity")...)
			continue
		}
		p := plannedLine{line: line, quantity: pl.quantity}
		sum, bad := 0, false
		for j, d := range pl.dispositions {
			dat := append(append([]any{}, at...), "dispositions", j)
			rl := r.rfoLineOf(line, d.rfoLineID)
			var loc *location
			switch {
			case rl == nil:
				fail("NOT_FOUND", "Reverse fulfillment order line item does not belong to this return line item", append(dat, "reverseFulfillmentOrderLineItemId")...)
				bad = true
				continue
			case d.quantity <= 0:
				fail("GREATER_THAN", "Quantity must be greater than 0", append(dat, "quantity")...)
				bad = true
				continue
			case d.typ == "RESTOCKED" && d.locationID == "":
				fail("BLANK", "Location is required to restock", append(dat, "locationId")...)
				bad = true
				continue
			case d.locationID != "":
				if loc = s.location(d.locationID); loc == nil {
					fail("NOT_FOUND", "Location does not exist", append(dat, "locationId")...)
					bad = true
					continue
				}
			}
			if d.typ == "RESTOCKED" && line.fl.line.variant == nil {
				fail("INVALID", "This item can't be restocked: its product was deleted", append(dat, "dispositionType")...)
				bad = true
				continue
			}
			sum += d.quantity
			p.dispositions = append(p.dispositions, plannedDisposition{rl: rl, quantity: d.quantity, typ: d.typ, location: loc})
		}
		if !bad && len(pl.dispositions) > 0 && sum != pl.quantity {
			fail("INVALID", "Dispositions must add up to the quantity processed ("+strconv.Itoa(pl.quantity)+")", append(at, "dispositions")...)
			continue
		}
		taking[line] += pl.quantity
		plan = append(plan, p)
	}

	var money *refundMoney
	if in.refund != nil {
		var merrs []returnUserError
		money, merrs = s.checkRefundMoney(o, *in.refund, []any{"input", "financialTransfer", "issueRefund"},
			"orderTransactions", "parentId", "transactionAmount")
		errs = append(errs, merrs...)
	}
	var shipping int64
	if in.shippingAmount.amount != "" || in.shippingFull {
		var msg string
		switch shipping, msg = o.shippingToRefund(in.shippingAmount.amount, in.shippingFull); {
		case in.shippingAmount.currency != "" && in.shippingAmount.currency != o.presentment:
			fail("INVALID", "Currency must match the order's presentment currency ("+o.presentment+")", "input", "refundShipping", "shippingRefundAmount", "currencyCode")
		case msg != "":
			fail("INVALID", msg, "input", "refundShipping", "shippingRefundAmount")
		case shipping > money.total():
			// Unverified: that Shopify takes the delivery out of the
			// refund's money rather than adding it.
			fail("INVALID", "Shipping refund amount exceeds the refund's transactions", "input", "refundShipping", "shippingRefundAmount")
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	now := s.now().UTC().Truncate(time.Second)
	var refundLines []*refundLine
	for _, p := range plan {
		p.line.processed += p.quantity
		restocked := map[*location]int{}
		for _, d := range p.dispositions {
			d.rl.dispositions = append(d.rl.dispositions, &disposition{id: s.newID(), typ: d.typ, quantity: d.quantity, location: d.location, createdAt: now})
			if d.typ == "RESTOCKED" {
				s.restock(p.line.fl.line, d.location, d.quantity)
				restocked[d.location] += d.quantity
			}
		}
		if money == nil {
			continue
		}
		// The refund's line items say what was restocked where, and the
		// rest as not restocked; inventory moved with the dispositions.
		left := p.quantity
		for _, d := range p.dispositions {
			if n := restocked[d.location]; d.typ == "RESTOCKED" && n > 0 {
				refundLines = append(refundLines, &refundLine{line: p.line.fl.line, quantity: n, restockType: "RETURN", location: d.location})
				left -= n
				restocked[d.location] = 0
			}
		}
		if left > 0 {
			refundLines = append(refundLines, &refundLine{line: p.line.fl.line, quantity: left, restockType: "NO_RESTOCK"})
		}
		p.line.refunded += p.quantity
	}
	for _, rfo := range r.rfos {
		if rfo.status == returnOpen && rfo.done() {
			rfo.status = returnClosed
		}
	}
	var made *refund
	if money != nil {
		money.shipping = shipping
		made = s.applyRefund(o, in.note, refundLines, money, r)
	}
	s.trigger(topicReturnsProcess, returnPayload(r))
	if made != nil {
		s.orderChanged(o)
	}
	return made, nil
}

// line returns the return's line with the given ReturnLineItem GID, or nil.
func (r *orderReturn) line(id string) *returnLine {
	n, ok := parseGID("ReturnLineItem", id)
	if !ok {
		return nil
	}
	for _, l := range r.lines {
		if l.id == n {
			return l
		}
	}
	return nil
}

// rfoLineOf returns the reverse fulfillment order line item of line with
// the given GID, or line's own when id is "".
func (r *orderReturn) rfoLineOf(line *returnLine, id string) *rfoLine {
	n, _ := parseGID("ReverseFulfillmentOrderLineItem", id)
	for _, rfo := range r.rfos {
		for _, rl := range rfo.lines {
			if rl.line == line && (id == "" || rl.id == n) {
				return rl
			}
		}
	}
	return nil
}

// rfoByID finds a reverse fulfillment order of a visible order. The caller
// holds s.mu.
func (s *Shop) rfoByID(id string) *reverseFulfillmentOrder {
	n, ok := parseGID("ReverseFulfillmentOrder", id)
	if !ok {
		return nil
	}
	for _, o := range s.orders {
		if !s.visible(o) {
			continue
		}
		for _, r := range o.returns {
			for _, rfo := range r.rfos {
				if rfo.id == n {
					return rfo
				}
			}
		}
	}
	return nil
}

// reverseDeliveryByID finds a reverse delivery of a visible order. The
// caller holds s.mu.
func (s *Shop) reverseDeliveryByID(id string) *reverseDelivery {
	n, ok := parseGID("ReverseDelivery", id)
	if !ok {
		return nil
	}
	for _, o := range s.orders {
		if !s.visible(o) {
			continue
		}
		for _, r := range o.returns {
			for _, rfo := range r.rfos {
				for _, d := range rfo.deliveries {
					if d.id == n {
						return d
					}
				}
			}
		}
	}
	return nil
}
