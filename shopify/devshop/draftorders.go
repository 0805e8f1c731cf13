package devshop

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Draft orders: draftOrderCreate, draftOrderComplete and the draftOrder
// query, as a replacement order uses them. Completing a draft makes a real
// order with the next number (#1009 after the seed's #1008), unfulfilled and
// so ready for the warehouse, and takes its units off the variants'
// available stock; a variant without enough stock that does not continue
// selling makes completion fail, as at Shopify, which reserves the inventory
// when a draft is completed.
//
// Both mutations need write_draft_orders and the query read_draft_orders.
// Neither takes an @idempotent key in 2026-04: a repeated draftOrderCreate
// makes a second draft, and completing a completed draft is refused.
//
// What is not verified: the words of Shopify's userErrors (the out of stock
// one is modelled on its checkout's "… is out of stock"); that a draft
// completed without payment terms or gateway is marked paid (the schema's
// description of payment scenarios says so); the draft names "#D1", "#D2".

type draftOrder struct {
	id            int64
	name          string // "#D1"
	status        string // OPEN or COMPLETED
	email         string
	note          string
	tags          []string
	customer      *customer
	shipping      *mailingAddress
	shippingTitle string
	shippingPrice int64 // presentment minor units
	hasShipping   bool
	presentment   string
	lines         []*draftLine
	createdAt     time.Time
	updatedAt     time.Time
	completedAt   time.Time
	order         *order // the order it became
}

type draftLine struct {
	id       int64
	variant  *variant
	attrs    []attribute // the line's customAttributes
	quantity int
	// unitPrice is the variant's price, and discount what the applied
	// discount takes off each unit, in presentment minor units.
	unitPrice int64
	discount  int64
}

// draftOrderByGID returns the draft with the given GID, or nil. The caller
// holds s.mu.
func (s *Shop) draftOrderByGID(id string) *draftOrder {
	n, ok := parseGID("DraftOrder", id)
	if !ok {
		return nil
	}
	for _, d := range s.drafts {
		if d.id == n {
			return d
		}
	}
	return nil
}

// variantByGID returns the variant with the given GID, or nil when there is
// none (or it was deleted). The caller holds s.mu.
func (s *Shop) variantByGID(id string) *variant {
	n, ok := parseGID("ProductVariant", id)
	if !ok {
		return nil
	}
	for _, it := range s.items {
		if it.variant != nil && it.variant.id == n {
			return it.variant
		}
	}
	return nil
}

// draftOrderCreate runs the mutation. The caller holds s.mu.
func (x *execution) draftOrderCreate(args map[string]any) (any, error) {
	s := x.shop
	in, _ := args["input"].(map[string]any)
	fail := func(message string, field ...string) (any, error) {
		return &payload{typ: "DraftOrderCreatePayload", userErrors: []userError{{field: field, message: message}}}, nil
	}
	d := &draftOrder{status: "OPEN", presentment: shopCurrency, tags: []string{}}
	if c, ok := in["presentmentCurrencyCode"].(string); ok && c != "" {
		d.presentment = c
	}
	lines, _ := in["lineItems"].([]any)
	if len(lines) == 0 {
		return fail("Add at least 1 product", "lineItems")
	}
	for i, raw := range lines {
		li, _ := raw.(map[string]any)
		path := []string{"lineItems", strconv.Itoa(i)}
		vid, _ := li["variantId"].(string)
		v := s.variantByGID(vid)
		if v == nil {
			return fail("Product with ID "+vid+" is no longer available.", append(path, "variantId")...)
		}
		qty, _ := intArg(li, "quantity")
		if qty < 1 {
			return fail("Quantity must be greater than or equal to 1", append(path, "quantity")...)
		}
		// A price in another currency than the draft's is converted at
		// the demo's fixed rate, as the seed orders' are.
		price := v.price
		if v.currency != d.presentment {
			price = convert(price, v.currency, d.presentment)
		}
		dl := &draftLine{id: s.newID(), variant: v, quantity: qty, unitPrice: price}
		if raw, ok := li["customAttributes"].([]any); ok {
			for _, a := range raw {
				am, _ := a.(map[string]any)
				k, _ := am["key"].(string)
				v, _ := am["value"].(string)
				dl.attrs = append(dl.attrs, attribute{key: k, value: v})
			}
		}
		if disc, ok := li["appliedDiscount"].(map[string]any); ok {
			off, msg := discountOff(disc, price)
			if msg != "" {
				return fail(msg, append(path, "appliedDiscount", "value")...)
			}
			dl.discount = off
		}
		d.lines = append(d.lines, dl)
	}
	if sl, ok := in["shippingLine"].(map[string]any); ok {
		d.hasShipping = true
		d.shippingTitle, _ = sl["title"].(string)
		if p, ok := sl["priceWithCurrency"].(map[string]any); ok {
			amount, _ := p["amount"].(string)
			minor, ok := parseMoney(amount)
			if !ok {
				return fail("Shipping line price is invalid", "shippingLine", "priceWithCurrency", "amount")
			}
			if c, _ := p["currencyCode"].(string); c != d.presentment {
				return fail("Shipping line currency must match the draft order's currency", "shippingLine", "priceWithCurrency", "currencyCode")
			}
			d.shippingPrice = minor
		}
	}
	if a, ok := in["shippingAddress"].(map[string]any); ok {
		d.shipping = addressFromInput(a)
	}
	d.email, _ = in["email"].(string)
	d.note, _ = in["note"].(string)
	d.tags = addTags(nil, stringsArg(in, "tags"))
	if pe, ok := in["purchasingEntity"].(map[string]any); ok {
		cid, _ := pe["customerId"].(string)
		if d.customer = s.customerByGID(cid); d.customer == nil {
			return fail("Customer does not exist", "purchasingEntity", "customerId")
		}
	}
	now := s.now().UTC().Truncate(time.Second)
	d.id = s.newID()
	s.draftsMade++
	d.name = "#D" + strconv.Itoa(s.draftsMade)
	d.createdAt, d.updatedAt = now, now
	s.drafts = append(s.drafts, d)
	s.committed = true
	return &payload{typ: "DraftOrderCreatePayload", result: d}, nil
}

// discountOff returns what a DraftOrderAppliedDiscountInput takes off a unit
// of price, or Shopify's refusal.
func discountOff(in map[string]any, price int64) (int64, string) {
	typ, _ := in["valueType"].(string)
	var value float64
	switch v := in["value"].(type) {
	case float64:
		value = v
	case int:
		value = float64(v)
	case int64:
		value = float64(v)
	case json.Number:
		value, _ = v.Float64()
	}
	switch typ {
	case "PERCENTAGE":
		if value < 0 || value > 100 {
			return 0, "Value must be between 0 and 100 for a percentage discount"
		}
		return int64(math.Round(float64(price) * value / 100)), ""
	case "FIXED_AMOUNT":
		if value < 0 {
			return 0, "Value must be greater than or equal to 0"
		}
		return min(int64(math.Round(value*100)), price), ""
	}
	return 0, "Value type is invalid"
}

// convert converts minor units between the demo's currencies at its fixed
// rate (1.00 USD = 0.92 EUR).
func convert(minor int64, from, to string) int64 {
	switch {
	case from == "USD" && to == "EUR":
		return (minor*92 + 50) / 100
	case from == "EUR" && to == "USD":
		return (minor*100 + 46) / 92
	}
	return minor
}

// countryNames are the names of the countries the demo ships to.
var countryNames = map[string]string{"LV": "Latvia", "GB": "United Kingdom", "US": "United States", "ES": "Spain", "SE": "Sweden"}

// addressFromInput reads a MailingAddressInput.
func addressFromInput(in map[string]any) *mailingAddress {
	str := func(k string) string { v, _ := in[k].(string); return strings.TrimSpace(v) }
	a := &mailingAddress{
		name:     strings.TrimSpace(str("firstName") + " " + str("lastName")),
		company:  str("company"),
		address1: str("address1"), address2: str("address2"),
		city: str("city"), zip: str("zip"), province: str("provinceCode"),
		countryCode: str("countryCode"),
	}
	a.country = countryNames[a.countryCode]
	if a.country == "" {
		a.country = a.countryCode
	}
	return a
}

// customerByGID returns the customer of an order with the given GID, or nil.
// The caller holds s.mu.
func (s *Shop) customerByGID(id string) *customer {
	n, ok := parseGID("Customer", id)
	if !ok {
		return nil
	}
	for _, o := range s.orders {
		if o.customer != nil && o.customer.id == n {
			return o.customer
		}
	}
	return nil
}

// draftOrderComplete runs the mutation. The caller holds s.mu.
func (x *execution) draftOrderComplete(args map[string]any) (any, error) {
	s := x.shop
	id, _ := stringArg(args, "id")
	fail := func(d *draftOrder, message string) (any, error) {
		p := &payload{typ: "DraftOrderCompletePayload", userErrors: []userError{{field: []string{"id"}, message: message}}}
		if d != nil {
			p.result = d
		}
		return p, nil
	}
	d := s.draftOrderByGID(id)
	if d == nil {
		return fail(nil, "Draft order does not exist")
	}
	if d.status == "COMPLETED" {
		return fail(d, "This order has already been completed")
	}
	// Inventory is reserved when a draft is completed: every line must
	// have its units available, unless its variant keeps selling.
	for _, l := range d.lines {
		if s.variantByGID(l.variant.gid()) == nil {
			return fail(d, l.variant.displayName()+" is no longer available")
		}
		if !l.variant.continueSelling && l.variant.available() < l.quantity {
			return fail(d, fmt.Sprintf("%s is out of stock (%d available, %d requested)", l.variant.displayName(), max(l.variant.available(), 0), l.quantity))
		}
	}
	o := s.orderFromDraft(d)
	for _, l := range d.lines {
		l.variant.take(l.quantity, s.now())
	}
	d.status, d.order = "COMPLETED", o
	d.completedAt, d.updatedAt = o.createdAt, o.createdAt
	s.committed = true
	return &payload{typ: "DraftOrderCompletePayload", result: d}, nil
}

// orderFromDraft makes the order a completed draft becomes: the next number,
// paid (its total is what is left after the discounts, nothing for a
// replacement), unfulfilled. The caller holds s.mu.
func (s *Shop) orderFromDraft(d *draftOrder) *order {
	number := int64(0)
	for _, o := range s.orders {
		number = max(number, o.id)
	}
	number++
	now := s.now().UTC().Truncate(time.Second)
	o := &order{
		id: number, name: "#" + strconv.FormatInt(number, 10), email: d.email, currency: shopCurrency,
		presentment: d.presentment, rate: 100, createdAt: now, processedAt: now, updatedAt: now,
		note: d.note, tags: slices.Clone(d.tags), financial: "PAID", customer: d.customer, shipping: d.shipping,
	}
	if d.shippingTitle != "" {
		o.shippingLines = append(o.shippingLines, &shippingLine{id: s.newID(), order: o, title: d.shippingTitle, code: d.shippingTitle, price: d.shippingPrice})
	}
	if d.presentment != shopCurrency {
		o.rate = 92
	}
	// The customer's language is that of their other orders.
	for _, other := range s.orders {
		if d.email != "" && strings.EqualFold(other.email, d.email) {
			o.locale = other.locale
			break
		}
	}
	for _, dl := range d.lines {
		v := dl.variant
		l := &lineItem{
			id: s.newID(), order: o, title: v.product.title, variantTitle: v.title, sku: v.sku,
			quantity: dl.quantity, current: dl.quantity, refundable: dl.quantity,
			unitPrice: dl.unitPrice - dl.discount, originalPrice: dl.unitPrice,
			product: v.product, variant: v,
			image: &image{url: "https://cdn.example.com/devshop/" + strings.ToLower(v.sku) + ".jpg", altText: v.product.title},
		}
		o.lines = append(o.lines, l)
	}
	if total := o.total() + o.shippingPaid(); total > 0 {
		o.transactions = append(o.transactions, &transaction{id: s.newID(), order: o, kind: "SALE", status: "SUCCESS",
			gateway: "manual", amount: total, createdAt: now})
	}
	s.orders = append(s.orders, o)
	return o
}

// displayName is "Linen tea towel - Natural", as Shopify names a variant.
func (v *variant) displayName() string {
	if v.title == "" {
		return v.product.title
	}
	return v.product.title + " - " + v.title
}

// take takes qty units off the variant's available stock, from the location
// that fulfils online orders first: the units are committed to an order. A
// variant that keeps selling may go below zero there.
func (v *variant) take(qty int, now time.Time) {
	at := now.UTC().Truncate(time.Second)
	for _, lvl := range v.item.levels {
		if qty == 0 {
			return
		}
		part := min(qty, max(lvl.available, 0))
		lvl.available -= part
		qty -= part
		lvl.updatedAt = at
	}
	if qty > 0 && len(v.item.levels) > 0 {
		v.item.levels[0].available -= qty
	}
}

func (d *draftOrder) typeName() string { return "DraftOrder" }
func (d *draftOrder) gid() string      { return gid("DraftOrder", d.id) }

func (d *draftOrder) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return d.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(d.id, 10), nil
	case "name":
		return d.name, nil
	case "status":
		return d.status, nil
	case "email":
		return nullIfEmpty(d.email), nil
	case "note2":
		return nullIfEmpty(d.note), nil
	case "tags":
		return slices.Clone(d.tags), nil
	case "createdAt":
		return dateTime(d.createdAt), nil
	case "updatedAt":
		return dateTime(d.updatedAt), nil
	case "completedAt":
		return dateTime(d.completedAt), nil
	case "order":
		if d.order == nil {
			return nil, nil
		}
		return d.order, nil
	case "customer":
		return d.customer, nil
	case "lineItems":
		nodes := make([]node, len(d.lines))
		for i, l := range d.lines {
			nodes[i] = l
		}
		return paginate("DraftOrderLineItem", nodes, args)
	case "shippingAddress":
		return d.shipping, nil
	}
	return nil, notResolved("DraftOrder", field)
}

// DeleteVariant deletes a product variant, as a merchant does in Shopify
// admin: the line items that bought it answer variant null from then on, and
// it can be put on no new order. It reports false when there is no such
// variant.
func (s *Shop) DeleteVariant(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.variantByGID(id)
	if v == nil {
		return false
	}
	for _, o := range s.orders {
		for _, l := range o.lines {
			if l.variant == v {
				l.variant = nil
			}
		}
	}
	v.product.variants = slices.DeleteFunc(v.product.variants, func(e *variant) bool { return e == v })
	s.items = slices.DeleteFunc(s.items, func(it *inventoryItem) bool { return it == v.item })
	return true
}

// SetVariantStock sets what a variant has available at the location that
// fulfils online orders to n and at the others to 0, and whether it keeps
// selling when out of stock, as a merchant does in Shopify admin. It reports
// false when there is no such variant.
func (s *Shop) SetVariantStock(id string, n int, continueSelling bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.variantByGID(id)
	if v == nil {
		return false
	}
	at := s.now().UTC().Truncate(time.Second)
	for i, lvl := range v.item.levels {
		delta := -lvl.available
		if i == 0 {
			delta += n
		}
		lvl.available += delta
		lvl.onHand += delta
		lvl.updatedAt = at
	}
	v.continueSelling = continueSelling
	return true
}

func (l *draftLine) typeName() string { return "DraftOrderLineItem" }
func (l *draftLine) gid() string      { return gid("DraftOrderLineItem", l.id) }

func (l *draftLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "quantity":
		return l.quantity, nil
	case "variant":
		if x.shop.variantByGID(l.variant.gid()) == nil {
			return nil, nil // deleted since
		}
		return l.variant, nil
	case "customAttributes":
		out := make([]any, len(l.attrs))
		for i := range l.attrs {
			out[i] = &l.attrs[i]
		}
		return out, nil
	}
	return nil, notResolved("DraftOrderLineItem", field)
}

// attribute is a custom attribute (key and value) of a draft's line.
type attribute struct{ key, value string }

func (*attribute) typeName() string { return "Attribute" }

func (a *attribute) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "key":
		return a.key, nil
	case "value":
		return nullIfEmpty(a.value), nil
	}
	return nil, notResolved("Attribute", field)
}

// searchDrafts answers the draftOrders query: the drafts matching every
// tag: and status: term of query, oldest first (sortKey ID); other terms are
// ignored, matching every draft, as Shopify ignores what it does not know.
// A tag term matches a tag it is a prefix of, without regard to case: the
// looser choice, since Shopify's matching of tags with colons is not
// verified here, so the adapter's exact comparison is what keeps a near miss
// out. The caller holds s.mu.
func (s *Shop) searchDrafts(query string) []*draftOrder {
	var out []*draftOrder
drafts:
	for _, d := range s.drafts {
		for _, t := range parseSearch(query) {
			switch t.field {
			case "tag":
				if !slices.ContainsFunc(d.tags, func(tag string) bool {
					return strings.HasPrefix(strings.ToLower(tag), strings.ToLower(t.value))
				}) {
					continue drafts
				}
			case "status":
				if !strings.EqualFold(d.status, t.value) {
					continue drafts
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// draftOrderDelete runs the mutation: an open draft is gone from then on; a
// completed one is refused (its words are not verified). The caller holds
// s.mu.
func (x *execution) draftOrderDelete(args map[string]any) (any, error) {
	s := x.shop
	in, _ := args["input"].(map[string]any)
	id, _ := in["id"].(string)
	fail := func(message string) (any, error) {
		return &draftDeletePayload{userErrors: []userError{{field: []string{"id"}, message: message}}}, nil
	}
	d := s.draftOrderByGID(id)
	if d == nil {
		return fail("Draft order does not exist")
	}
	if d.status == "COMPLETED" {
		return fail("Cannot delete a completed draft order")
	}
	s.drafts = slices.DeleteFunc(s.drafts, func(e *draftOrder) bool { return e == d })
	s.committed = true
	return &draftDeletePayload{deletedID: d.gid()}, nil
}

// draftDeletePayload answers DraftOrderDeletePayload.
type draftDeletePayload struct {
	deletedID  string
	userErrors []userError
}

func (*draftDeletePayload) typeName() string { return "DraftOrderDeletePayload" }

func (p *draftDeletePayload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "deletedId":
		return nullIfEmpty(p.deletedID), nil
	case "userErrors":
		out := make([]any, len(p.userErrors))
		for i := range p.userErrors {
			out[i] = &p.userErrors[i]
		}
		return out, nil
	}
	return nil, notResolved("DraftOrderDeletePayload", field)
}

// nullIfNilDraft keeps a nil *draftOrder from becoming a non-nil any.
func nullIfNilDraft(d *draftOrder) any {
	if d == nil {
		return nil
	}
	return d
}

// DraftSnapshot is a copy of a draft order, for tests and for people trying
// the demo.
type DraftSnapshot struct {
	ID     string // e.g. "gid://shopify/DraftOrder/1000123"
	Name   string // e.g. "#D1"
	Status string // OPEN or COMPLETED
	Tags   []string
	Order  string // the name of the order it became, "" while open
}

// Drafts returns copies of the draft orders the shop holds (deleted ones are
// gone), oldest first.
func (s *Shop) Drafts() []DraftSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DraftSnapshot, 0, len(s.drafts))
	for _, d := range s.drafts {
		ds := DraftSnapshot{ID: d.gid(), Name: d.name, Status: d.status, Tags: slices.Clone(d.tags)}
		if d.order != nil {
			ds.Order = d.order.name
		}
		out = append(out, ds)
	}
	return out
}
