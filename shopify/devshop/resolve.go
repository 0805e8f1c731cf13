package devshop

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Resolvers: one Go type per GraphQL object type, each answering its fields in a
// switch. A field that is in the schema but not answered here fails with a
// GraphQL error that names it, so a gap shows up in the test that hits it.

func notResolved(typ, field string) error {
	return fmt.Errorf("devshop does not resolve %s.%s yet", typ, field)
}

func gid(typ string, id int64) string {
	return "gid://shopify/" + typ + "/" + strconv.FormatInt(id, 10)
}

// parseGID returns the numeric id of a GID of the given type.
func parseGID(typ, s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "gid://shopify/"+typ+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

func dateTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// queryRoot answers QueryRoot.
type queryRoot struct{}

func (queryRoot) typeName() string { return "QueryRoot" }

func (queryRoot) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "order", "orders", "node":
		if err := x.shop.requireScope(field, "read_orders"); err != nil {
			return nil, err
		}
	case "draftOrder":
		if err := x.shop.requireScope(field, "read_draft_orders"); err != nil {
			return nil, err
		}
		id, _ := stringArg(args, "id")
		return nullIfNilDraft(x.shop.draftOrderByGID(id)), nil
	case "draftOrders":
		if err := x.shop.requireScope(field, "read_draft_orders"); err != nil {
			return nil, err
		}
		q, _ := stringArg(args, "query")
		drafts := x.shop.searchDrafts(q)
		nodes := make([]node, len(drafts))
		for i, d := range drafts {
			nodes[i] = d
		}
		return paginate("DraftOrder", nodes, args)
	}
	if v, ok, err := x.returnQuery(field, args); ok {
		return v, err
	}
	switch field {
	case "shop":
		return shopObject{}, nil
	case "currentAppInstallation":
		return appInstallation{}, nil
	case "webhookSubscriptions":
		return x.shop.webhookSubscriptions(args)
	case "metafieldDefinitions":
		return x.shop.metafieldDefinitions(args)
	case "order":
		id, _ := stringArg(args, "id")
		return x.shop.visibleOrder(id), nil
	case "node":
		id, _ := stringArg(args, "id")
		if o := x.shop.visibleOrder(id); o != nil {
			return o, nil
		}
		return nil, nil
	case "orders":
		q, _ := stringArg(args, "query")
		sortKey, _ := stringArg(args, "sortKey")
		orders := x.shop.searchOrders(q, sortKey)
		nodes := make([]node, len(orders))
		for i, o := range orders {
			nodes[i] = o
		}
		return paginate("Order", nodes, args)
	}
	return nil, notResolved("QueryRoot", field)
}

// mutationRoot answers Mutation.
type mutationRoot struct{}

func (mutationRoot) typeName() string { return "Mutation" }

func (mutationRoot) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "orderUpdate", "tagsAdd", "refundCreate", "metafieldsSet":
		if err := x.shop.requireScope(field, "write_orders"); err != nil {
			return nil, err
		}
	case "draftOrderCreate", "draftOrderComplete", "draftOrderDelete":
		if err := x.shop.requireScope(field, "write_draft_orders"); err != nil {
			return nil, err
		}
	}
	switch field {
	case "webhookSubscriptionCreate":
		return x.webhookSubscriptionCreate(args)
	case "webhookSubscriptionDelete":
		return x.webhookSubscriptionDelete(args)
	case "orderUpdate":
		input, _ := args["input"].(map[string]any)
		id, _ := input["id"].(string)
		o := x.shop.visibleOrder(id)
		if o == nil {
			return &payload{typ: "OrderUpdatePayload", userErrors: []userError{{field: []string{"id"}, message: "Order does not exist"}}}, nil
		}
		changed := false
		if note, ok := input["note"]; ok {
			s, _ := note.(string)
			changed = changed || s != o.note
			o.note = s
		}
		if tags, ok := input["tags"]; ok {
			tags := addTags(nil, stringsArg(map[string]any{"tags": tags}, "tags"))
			changed = changed || !slices.Equal(tags, o.tags)
			o.tags = tags
		}
		x.shop.committed = true
		if changed {
			x.shop.orderChanged(o)
		}
		return &payload{typ: "OrderUpdatePayload", result: o}, nil
	case "tagsAdd":
		id, _ := stringArg(args, "id")
		o := x.shop.visibleOrder(id)
		if o == nil {
			return &payload{typ: "TagsAddPayload", userErrors: []userError{{field: []string{"id"}, message: "Resource does not exist"}}}, nil
		}
		tags := addTags(o.tags, stringsArg(args, "tags"))
		changed := len(tags) != len(o.tags)
		o.tags = tags
		x.shop.committed = true
		if changed {
			x.shop.orderChanged(o)
		}
		return &payload{typ: "TagsAddPayload", result: o}, nil
	case "refundCreate":
		return x.refundCreate(args)
	case "draftOrderCreate":
		return x.draftOrderCreate(args)
	case "draftOrderComplete":
		return x.draftOrderComplete(args)
	case "draftOrderDelete":
		return x.draftOrderDelete(args)
	case "metafieldsSet":
		return x.metafieldsSet(args)
	case "metafieldDefinitionCreate":
		return x.metafieldDefinitionCreate(args)
	}
	if slices.Contains(returnMutations, field) {
		return x.returnMutation(field, args)
	}
	return nil, notResolved("Mutation", field)
}

// addTags returns tags with each of more added unless present already, compared
// without regard to case. Entries are trimmed, may hold several tags separated
// by commas, and empty ones are dropped.
func addTags(tags, more []string) []string {
	out := append([]string{}, tags...)
	for _, entry := range more {
		for _, t := range strings.Split(entry, ",") {
			t = strings.TrimSpace(t)
			if t == "" || containsFold(out, t) {
				continue
			}
			out = append(out, t)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// payload is a mutation's payload: the changed object under its own field name
// (order, node, …) and userErrors.
type payload struct {
	typ        string
	result     object
	userErrors []userError
}

func (p *payload) typeName() string { return p.typ }

func (p *payload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "userErrors":
		out := make([]any, len(p.userErrors))
		for i := range p.userErrors {
			out[i] = &p.userErrors[i]
		}
		return out, nil
	case "order", "node", "refund", "webhookSubscription", "draftOrder":
		return p.result, nil
	}
	return nil, notResolved(p.typ, field)
}

type userError struct {
	field   []string
	message string
}

func (*userError) typeName() string { return "UserError" }

func (e *userError) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "field":
		if e.field == nil {
			return nil, nil // an error about the input as a whole
		}
		return e.field, nil
	case "message":
		return e.message, nil
	}
	return nil, notResolved("UserError", field)
}

func (o *order) typeName() string { return "Order" }
func (o *order) gid() string      { return gid("Order", o.id) }

func (o *order) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return o.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(o.id, 10), nil
	case "name":
		return o.name, nil
	case "email":
		if x.shop.opts.HideEmails {
			return nil, nil // protected customer data the app is not granted
		}
		return nullIfEmpty(o.email), nil
	case "canNotifyCustomer":
		// True when the order has an email, whether or not the app may
		// read it: how a client tells a hidden email from a missing one.
		return o.email != "", nil
	case "customerLocale":
		return nullIfEmpty(o.locale), nil
	case "currencyCode":
		return o.currency, nil
	case "presentmentCurrencyCode":
		return o.presentment, nil
	case "createdAt":
		return dateTime(o.createdAt), nil
	case "processedAt":
		return dateTime(o.processedAt), nil
	case "updatedAt":
		return dateTime(o.updatedAt), nil
	case "cancelledAt":
		return dateTime(o.cancelledAt), nil
	case "closed":
		return o.closed, nil
	case "test":
		return false, nil
	case "note":
		x.noteRead(o)
		return nullIfEmpty(o.note), nil
	case "metafield":
		return x.shop.orderMetafield(o, args), nil
	case "tags":
		return append([]string{}, o.tags...), nil
	case "displayFinancialStatus":
		return o.financial, nil
	case "displayFulfillmentStatus":
		return o.fulfillmentStatus(), nil
	case "totalPriceSet":
		return o.bag(o.total()), nil
	case "totalReceivedSet":
		return o.bag(o.received()), nil
	case "totalRefundedSet":
		return o.bag(o.refunded()), nil
	case "totalShippingPriceSet", "totalShippingPriceAfterDiscountsSet":
		return o.bag(o.shippingPaid()), nil
	case "currentShippingPriceSet":
		return o.bag(o.shippingRefundable()), nil
	case "totalRefundedShippingSet":
		return o.bag(o.shippingRefunded()), nil
	case "shippingLines":
		nodes := make([]node, len(o.shippingLines))
		for i, l := range o.shippingLines {
			nodes[i] = l
		}
		return paginate("ShippingLine", nodes, args)
	case "netPaymentSet":
		return o.bag(o.received() - o.refunded()), nil
	case "refundable":
		return o.refundable() > 0, nil
	case "refunds":
		return firstOf(o.refunds, args), nil
	case "suggestedRefund":
		return o.suggestRefund(args)
	case "lineItems":
		nodes := make([]node, len(o.lines))
		for i, l := range o.lines {
			nodes[i] = l
		}
		return paginate("LineItem", nodes, args)
	case "fulfillments":
		return firstOf(o.fulfillments, args), nil
	case "transactions":
		return firstOf(o.transactions, args), nil
	case "returns":
		if err := x.shop.requireScope("returns", "read_returns"); err != nil {
			return nil, err
		}
		return o.returnsOf(args)
	case "returnStatus":
		return o.returnStatus(), nil
	case "customer":
		return o.customer, nil
	case "shippingAddress":
		// Shopify hides the address from an app without access to the
		// protected customer data fields Name and Address; that it answers
		// null then, as it does for a hidden email, is unverified.
		if o.shipping == nil || x.shop.opts.HideAddresses {
			return nil, nil
		}
		return o.shipping, nil
	case "shippingLine":
		if len(o.shippingLines) == 0 {
			return nil, nil
		}
		return o.shippingLines[0], nil
	}
	return nil, notResolved("Order", field)
}

// mailingAddress answers MailingAddress.
type mailingAddress struct {
	name, company, address1, address2, city, zip, province, country, countryCode string
}

func (*mailingAddress) typeName() string { return "MailingAddress" }

func (a *mailingAddress) resolve(x *execution, field string, args map[string]any) (any, error) {
	str := func(v string) (any, error) {
		if v == "" {
			return nil, nil
		}
		return v, nil
	}
	switch field {
	case "name":
		return str(a.name)
	case "firstName", "lastName":
		first, last, _ := strings.Cut(a.name, " ")
		if field == "firstName" {
			return str(first)
		}
		return str(last)
	case "company":
		return str(a.company)
	case "address1":
		return str(a.address1)
	case "address2":
		return str(a.address2)
	case "city":
		return str(a.city)
	case "zip":
		return str(a.zip)
	case "province", "provinceCode":
		return str(a.province)
	case "country":
		return str(a.country)
	case "countryCodeV2":
		return str(a.countryCode)
	case "phone", "latitude", "longitude", "timeZone":
		return nil, nil
	case "formatted":
		var out []any
		for _, v := range []string{a.name, a.company, a.address1, a.address2, strings.TrimSpace(a.zip + " " + a.city), a.country} {
			if v != "" {
				out = append(out, v)
			}
		}
		return out, nil
	}
	return nil, notResolved("MailingAddress", field)
}

func (o *order) fulfillmentStatus() string {
	shipped, total := 0, 0
	for _, l := range o.lines {
		total += l.quantity
	}
	for _, f := range o.fulfillments {
		if f.status != "SUCCESS" {
			continue
		}
		for _, fl := range f.lines {
			shipped += fl.quantity
		}
	}
	switch {
	case shipped == 0:
		return "UNFULFILLED"
	case shipped < total:
		return "PARTIALLY_FULFILLED"
	}
	return "FULFILLED"
}

func (l *lineItem) typeName() string { return "LineItem" }
func (l *lineItem) gid() string      { return gid("LineItem", l.id) }

func (l *lineItem) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "title":
		return l.title, nil
	case "name":
		if l.variantTitle == "" {
			return l.title, nil
		}
		return l.title + " - " + l.variantTitle, nil
	case "variantTitle":
		return nullIfEmpty(l.variantTitle), nil
	case "sku":
		return nullIfEmpty(l.sku), nil
	case "quantity":
		return l.quantity, nil
	case "currentQuantity":
		return l.current, nil
	case "refundableQuantity":
		return l.refundable, nil
	case "isGiftCard":
		return l.giftCard, nil
	case "originalUnitPriceSet":
		if l.originalPrice > 0 {
			return l.order.bag(l.originalPrice), nil
		}
		return l.order.bag(l.unitPrice), nil
	case "discountedUnitPriceSet", "discountedUnitPriceAfterAllDiscountsSet":
		return l.order.bag(l.unitPrice), nil
	case "product":
		if err := x.shop.requireScope("product", "read_products"); err != nil {
			return nil, err
		}
		return l.product, nil
	case "variant":
		if err := x.shop.requireScope("variant", "read_products"); err != nil {
			return nil, err
		}
		return l.variant, nil
	case "image":
		return l.image, nil
	}
	return nil, notResolved("LineItem", field)
}

func (p *product) typeName() string { return "Product" }

func (p *product) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return gid("Product", p.id), nil
	case "tags":
		return append([]string{}, p.tags...), nil
	case "title":
		return p.title, nil
	case "variants":
		nodes := make([]node, len(p.variants))
		for i, v := range p.variants {
			nodes[i] = v
		}
		return paginate("ProductVariant", nodes, args)
	}
	return nil, notResolved("Product", field)
}

func (i *image) typeName() string { return "Image" }

func (i *image) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "url":
		return i.url, nil
	case "altText":
		return nullIfEmpty(i.altText), nil
	}
	return nil, notResolved("Image", field)
}

func (f *fulfillment) typeName() string { return "Fulfillment" }
func (f *fulfillment) gid() string      { return gid("Fulfillment", f.id) }

func (f *fulfillment) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return f.gid(), nil
	case "status":
		return f.status, nil
	case "createdAt":
		return dateTime(f.createdAt), nil
	case "updatedAt":
		if f.updatedAt.IsZero() {
			return dateTime(f.createdAt), nil
		}
		return dateTime(f.updatedAt), nil
	case "deliveredAt":
		return dateTime(f.deliveredAt), nil
	case "inTransitAt":
		return dateTime(f.inTransitAt), nil
	case "displayStatus":
		return f.display(), nil
	case "name":
		for i, other := range f.order.fulfillments {
			if other == f {
				return f.order.name + "." + strconv.Itoa(i+1), nil
			}
		}
		return f.order.name, nil
	case "totalQuantity":
		n := 0
		for _, l := range f.lines {
			n += l.quantity
		}
		return n, nil
	case "location":
		return f.location, nil
	case "trackingInfo":
		if f.trackingNumber == "" && f.trackingCompany == "" {
			return []any{}, nil
		}
		return firstOf([]any{trackingInfo{f}}, args), nil
	case "fulfillmentLineItems":
		nodes := make([]node, len(f.lines))
		for i, l := range f.lines {
			nodes[i] = l
		}
		return paginate("FulfillmentLineItem", nodes, args)
	}
	return nil, notResolved("Fulfillment", field)
}

func (l *fulfillmentLine) typeName() string { return "FulfillmentLineItem" }
func (l *fulfillmentLine) gid() string      { return gid("FulfillmentLineItem", l.id) }

func (l *fulfillmentLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "quantity":
		return l.quantity, nil
	case "lineItem":
		return l.line, nil
	}
	return nil, notResolved("FulfillmentLineItem", field)
}

func (t *transaction) typeName() string { return "OrderTransaction" }
func (t *transaction) gid() string      { return gid("OrderTransaction", t.id) }

func (t *transaction) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return t.gid(), nil
	case "kind":
		return t.kind, nil
	case "status":
		return t.status, nil
	case "gateway":
		return t.gateway, nil
	case "amountSet":
		return t.order.bag(t.amount), nil
	case "parentTransaction":
		return t.parent, nil
	case "createdAt":
		return dateTime(t.createdAt), nil
	case "processedAt":
		// A pending refund is processed when its gateway settles it.
		switch {
		case t.status == "PENDING":
			return nil, nil
		case !t.processedAt.IsZero():
			return dateTime(t.processedAt), nil
		}
		return dateTime(t.createdAt), nil
	case "test":
		return t.gateway == "bogus", nil
	case "formattedGateway":
		return formattedGateway(t.gateway), nil
	case "manualPaymentGateway":
		return isManualGateway(t.gateway), nil
	case "errorCode":
		if t.status == "FAILURE" {
			return "GENERIC_ERROR", nil
		}
		return nil, nil
	case "order":
		return t.order, nil
	case "maximumRefundableV2":
		return nil, nil // only SUGGESTED_REFUND transactions carry it
	}
	return nil, notResolved("OrderTransaction", field)
}

// moneyBag answers MoneyBag.
type moneyBag struct {
	shop, presentment money
}

func (moneyBag) typeName() string { return "MoneyBag" }

func (b moneyBag) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "shopMoney":
		return moneyV2(b.shop), nil
	case "presentmentMoney":
		return moneyV2(b.presentment), nil
	}
	return nil, notResolved("MoneyBag", field)
}

// moneyV2 answers MoneyV2.
type moneyV2 money

func (moneyV2) typeName() string { return "MoneyV2" }

func (m moneyV2) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "amount":
		return money(m).decimal(), nil
	case "currencyCode":
		return m.currency, nil
	}
	return nil, notResolved("MoneyV2", field)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// firstOf returns the first `first` elements of a plain list field (Shopify's
// Order.fulfillments and Order.transactions are lists, not connections, but
// take a first argument).
func firstOf[T any](list []T, args map[string]any) []T {
	if n, ok := intArg(args, "first"); ok && n >= 0 && n < len(list) {
		return list[:n]
	}
	return list
}

// node is an object with a global id, which is what connections page over.
type node interface {
	object
	gid() string
}

// connection answers a …Connection type, its edges and its pageInfo.
type connection struct {
	typ         string // node type, e.g. "Order"
	nodes       []node
	hasNext     bool
	hasPrevious bool
}

// paginate applies first/after/last/before to nodes. Shopify requires first or
// last on every connection, and at most 250 of them.
func paginate(typ string, nodes []node, args map[string]any) (*connection, error) {
	first, hasFirst := intArg(args, "first")
	last, hasLast := intArg(args, "last")
	if !hasFirst && !hasLast {
		return nil, fmt.Errorf("you must provide one of first or last")
	}
	if (hasFirst && (first < 0 || first > 250)) || (hasLast && (last < 0 || last > 250)) {
		return nil, codedError{code: "BAD_REQUEST", message: "first and last must be between 0 and 250"}
	}
	if boolArg(args, "reverse") {
		rev := make([]node, len(nodes))
		for i, n := range nodes {
			rev[len(nodes)-1-i] = n
		}
		nodes = rev
	}
	c := &connection{typ: typ}
	if after, ok := stringArg(args, "after"); ok {
		for i, n := range nodes {
			if cursor(n) == after {
				nodes = nodes[i+1:]
				c.hasPrevious = true
				break
			}
		}
	}
	if before, ok := stringArg(args, "before"); ok {
		for i, n := range nodes {
			if cursor(n) == before {
				nodes = nodes[:i]
				c.hasNext = true
				break
			}
		}
	}
	if hasFirst && first < len(nodes) {
		nodes, c.hasNext = nodes[:first], true
	}
	if hasLast && last < len(nodes) {
		nodes, c.hasPrevious = nodes[len(nodes)-last:], true
	}
	c.nodes = nodes
	return c, nil
}

// cursor is opaque to clients, as Shopify's are.
func cursor(n node) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"gid":"` + n.gid() + `"}`))
}

func (c *connection) typeName() string { return c.typ + "Connection" }

func (c *connection) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "nodes":
		out := make([]any, len(c.nodes))
		for i, n := range c.nodes {
			out[i] = n
		}
		return out, nil
	case "edges":
		out := make([]any, len(c.nodes))
		for i, n := range c.nodes {
			out[i] = &edge{typ: c.typ, node: n}
		}
		return out, nil
	case "pageInfo":
		return &pageInfo{c: c}, nil
	}
	return nil, notResolved(c.typeName(), field)
}

type edge struct {
	typ  string
	node node
}

func (e *edge) typeName() string { return e.typ + "Edge" }

func (e *edge) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "cursor":
		return cursor(e.node), nil
	case "node":
		return e.node, nil
	}
	return nil, notResolved(e.typeName(), field)
}

type pageInfo struct{ c *connection }

func (*pageInfo) typeName() string { return "PageInfo" }

func (p *pageInfo) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "hasNextPage":
		return p.c.hasNext, nil
	case "hasPreviousPage":
		return p.c.hasPrevious, nil
	case "startCursor":
		if len(p.c.nodes) == 0 {
			return nil, nil
		}
		return cursor(p.c.nodes[0]), nil
	case "endCursor":
		if len(p.c.nodes) == 0 {
			return nil, nil
		}
		return cursor(p.c.nodes[len(p.c.nodes)-1]), nil
	}
	return nil, notResolved("PageInfo", field)
}
