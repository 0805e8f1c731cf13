package devshop

import (
	"strconv"
	"strings"
	"time"
)

// The shop's own currency. Orders may be paid in another (presentment) currency;
// their shop amounts are then converted at a fixed demo rate.
const shopCurrency = "EUR"

// money is an amount in minor units (cents) of a currency with two decimals, the
// only kind the seed data uses.
type money struct {
	minor    int64
	currency string
}

// decimal formats m the way Shopify's Decimal scalar appears on the wire: the
// shortest form with at least one fraction digit, e.g. "29.0", "14.5", "29.99".
// Captures of Shopify's Admin GraphQL answers show amounts such as "29.0"; the
// adapter must accept any decimal form, so this is the stricter test.
func (m money) decimal() string {
	n := m.minor
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	whole := strconv.FormatInt(n/100, 10)
	frac := strings.TrimRight(strconv.FormatInt(100+n%100, 10)[1:], "0")
	if frac == "" {
		frac = "0"
	}
	return sign + whole + "." + frac
}

// fixed formats m with exactly two fraction digits, e.g. "29.00", the form
// tests compare with.
func (m money) fixed() string {
	n := m.minor
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return sign + strconv.FormatInt(n/100, 10) + "." + strconv.FormatInt(100+n%100, 10)[1:]
}

// parseMoney parses a Money input ("29", "29.5", "29.00") into minor units of
// a two-decimal currency. Signs, exponents and a third decimal are refused.
func parseMoney(s string) (int64, bool) {
	whole, frac, hasFrac := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || !digitsOnly(whole) || len(whole) > 13 || (hasFrac && (frac == "" || len(frac) > 2 || !digitsOnly(frac))) {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type order struct {
	id          int64
	name        string // "#1001"
	email       string
	locale      string
	currency    string // shop currency
	presentment string // what the customer paid in
	rate        int64  // shop minor units per 100 presentment minor units
	createdAt   time.Time
	processedAt time.Time
	updatedAt   time.Time // the last change: a refund, the note or the tags
	cancelledAt time.Time
	closed      bool
	note        string
	tags        []string
	financial   string
	customer    *customer // nil for a guest checkout
	// shipping is where the order was sent; nil for none.
	shipping *mailingAddress
	lines    []*lineItem
	// shippingLines are the delivery the customer chose and paid for.
	shippingLines []*shippingLine
	fulfillments  []*fulfillment
	transactions  []*transaction
	refunds       []*refund
	returns       []*orderReturn
	// refundKeys are the idempotency keys of every refundCreate that named
	// this order, in arrival order, repeats kept: those that made a refund,
	// replayed one, or were refused; "" for one without a key.
	refundKeys []string
}

type lineItem struct {
	id           int64
	order        *order
	title        string
	variantTitle string
	sku          string
	quantity     int
	current      int
	refundable   int
	unitPrice    int64 // presentment minor units, after discounts
	// originalPrice is the unit price before discounts when one applied
	// (a replacement order's lines); 0 means unitPrice.
	originalPrice int64
	giftCard      bool
	// product is nil once the product was deleted, and so are variant and
	// its inventory item: Shopify answers LineItem.product and .variant
	// null then.
	product *product
	variant *variant
	image   *image
}

type product struct {
	id       int64
	title    string
	tags     []string
	variants []*variant // the line's own first; a deleted one is removed
}

// variant is a product variant: the one a seed line item bought, or another
// of its product. Its inventory item has the same numeric id in the demo.
type variant struct {
	id       int64
	product  *product
	title    string // "" for a product without options ("Default Title")
	sku      string
	price    int64  // minor units of currency
	currency string // the presentment currency of the seed order it came from
	item     *inventoryItem
	// continueSelling is inventoryPolicy CONTINUE: Shopify sells the variant
	// when it is out of stock.
	continueSelling bool
}

type image struct {
	url     string
	altText string
}

type fulfillment struct {
	id          int64
	order       *order
	status      string
	location    *location
	createdAt   time.Time
	updatedAt   time.Time // zero for a seed fulfilment: createdAt
	inTransitAt time.Time
	deliveredAt time.Time
	lines       []*fulfillmentLine
	// The warehouse's tracking (fulfillments.go): "" when none was given.
	trackingCompany, trackingNumber, trackingURL string
	// shipmentStatus is the carrier's last event as REST names it, e.g.
	// "in_transit"; displayStatus the FulfillmentDisplayStatus it shows,
	// "" for a seed fulfilment (see display).
	shipmentStatus, displayStatus string
}

type fulfillmentLine struct {
	id          int64
	fulfillment *fulfillment
	line        *lineItem
	quantity    int
}

type transaction struct {
	id        int64
	order     *order
	kind      string
	status    string
	gateway   string
	amount    int64 // presentment minor units
	parent    *transaction
	createdAt time.Time
	// processedAt is when a pending transaction settled; zero until then,
	// and for those that never waited.
	processedAt time.Time
	// refund is the refund a REFUND transaction belongs to.
	refund *refund
}

// bag returns the MoneyBag of a presentment amount of o.
func (o *order) bag(presentmentMinor int64) moneyBag {
	return moneyBag{
		shop:        money{minor: (presentmentMinor*o.rate + 50) / 100, currency: o.currency},
		presentment: money{minor: presentmentMinor, currency: o.presentment},
	}
}

// received is what the customer paid: the order's successful SALE and CAPTURE
// transactions, in presentment minor units.
func (o *order) received() int64 {
	var sum int64
	for _, t := range o.transactions {
		if t.isPayment() {
			sum += t.amount
		}
	}
	return sum
}

// refunded is what the order's successful REFUND transactions gave back,
// store credit included.
func (o *order) refunded() int64 {
	var sum int64
	for _, t := range o.transactions {
		if t.kind == "REFUND" && t.status == "SUCCESS" {
			sum += t.amount
		}
	}
	return sum
}

// pendingRefunds is what REFUND transactions still waiting for their
// gateway hold back.
func (o *order) pendingRefunds() int64 {
	var sum int64
	for _, t := range o.transactions {
		if t.kind == "REFUND" && t.status == "PENDING" {
			sum += t.amount
		}
	}
	return sum
}

// refundable is what can still be refunded on the order: received − refunded,
// less what pending refunds hold back, so that a refund waiting for its
// gateway cannot be paid a second time meanwhile.
func (o *order) refundable() int64 { return max(o.received()-o.refunded()-o.pendingRefunds(), 0) }

// updateFinancialStatus sets displayFinancialStatus from the money moved so
// far: a refund that is still pending, or failed, changes nothing yet.
func (o *order) updateFinancialStatus() {
	switch refunded := o.refunded(); {
	case refunded == 0:
		o.financial = "PAID"
	case refunded >= o.received():
		o.financial = "REFUNDED"
	default:
		o.financial = "PARTIALLY_REFUNDED"
	}
}

// isPayment reports whether t is money received: a successful SALE or CAPTURE,
// the only kinds a refund may name as its parent.
func (t *transaction) isPayment() bool {
	return t.status == "SUCCESS" && (t.kind == "SALE" || t.kind == "CAPTURE")
}

// refundable is what can still be refunded against payment p: its amount
// less its successful and pending refunds.
func (p *transaction) refundable() int64 {
	left := p.amount
	for _, t := range p.order.transactions {
		if t.parent == p && t.kind == "REFUND" && (t.status == "SUCCESS" || t.status == "PENDING") {
			left -= t.amount
		}
	}
	return max(left, 0)
}

// total is the order's total price: its lines and its delivery.
func (o *order) total() int64 {
	sum := o.shippingPaid()
	for _, l := range o.lines {
		sum += l.unitPrice * int64(l.quantity)
	}
	return sum
}

// seedLine describes one line of a seed order.
type seedLine struct {
	title, variant, sku string
	qty                 int
	price               int64
	productTags         []string
	// otherVariants are the titles of the product's other variants, which
	// no seed order bought; each is stocked as the line's own is.
	otherVariants []string
	// productDeleted makes a line whose product the merchant deleted after
	// the order: no product, variant or inventory item any more.
	productDeleted bool
}

// seedPayment is a payment of a seed order: a gateway and an amount in
// presentment minor units.
type seedPayment struct {
	gateway string
	amount  int64
}

// seedOrder describes one demo order. Ages are in days before now.
type seedOrder struct {
	number                int
	email, locale, curr   string
	createdAgo            int
	fulfilledAgo          int // 0 when not fulfilled
	deliveredAfterShipped int // days from shipping to delivery; 0 when unknown
	lines                 []seedLine
	// payments are the order's SALE transactions in order of creation;
	// nil means one payment of the whole total through the bogus gateway.
	payments []seedPayment
	// customerName is the first and last name of the order's customer
	// account; "" for a guest checkout, as every order before #1006 is.
	customerName string
	// shipping is the delivery the customer chose and paid at checkout.
	shipping seedShipping
}

// Payment gateways of the demo orders, as Shopify names them in
// OrderTransaction.gateway.
const (
	gatewayBogus           = "bogus"                  // Shopify's test gateway
	gatewayShopifyPayments = "shopify_payments"       // a card
	gatewayGiftCard        = "gift_card"              // a Shopify gift card
	gatewayCashOnDelivery  = "Cash on Delivery (COD)" // a manual payment method
	gatewayStoreCredit     = "shopify_store_credit"   // refunds to store credit
)

// seedAddresses are where the demo orders were shipped, by order number.
var seedAddresses = map[int]mailingAddress{
	1001: {name: "Anna Bērziņa", address1: "Tērbatas iela 14-3", city: "Rīga", zip: "LV-1011", country: "Latvia", countryCode: "LV"},
	1002: {name: "Sam Taylor", address1: "12 Harbour Street", city: "Brighton", zip: "BN1 1AA", country: "United Kingdom", countryCode: "GB"},
	1003: {name: "Sam Taylor", address1: "12 Harbour Street", city: "Brighton", zip: "BN1 1AA", country: "United Kingdom", countryCode: "GB"},
	1004: {name: "Anna Bērziņa", address1: "Tērbatas iela 14-3", city: "Rīga", zip: "LV-1011", country: "Latvia", countryCode: "LV"},
	1005: {name: "Lee Jordan", address1: "400 Pine Street", address2: "Apt 5", city: "Seattle", zip: "98101", country: "United States", countryCode: "US"},
	1006: {name: "Jamie Rivera", address1: "Calle Mayor 7", city: "Madrid", zip: "28013", country: "Spain", countryCode: "ES"},
	1007: {name: "Ilze Kalniņa", address1: "Rīgas iela 2", city: "Cēsis", zip: "LV-4101", country: "Latvia", countryCode: "LV"},
	1008: {name: "Alex Berg", address1: "Storgatan 3", city: "Stockholm", zip: "111 51", country: "Sweden", countryCode: "SE"},
}

var seedOrders = []seedOrder{
	{number: 1001, shipping: seedShipping{"Free standard shipping", 0}, email: "anna.berzina@example.lv", locale: "lv", curr: "EUR", createdAgo: 8, fulfilledAgo: 5, deliveredAfterShipped: 2, lines: []seedLine{
		{title: "Linen tea towel", variant: "Natural", sku: "LTT-NAT", qty: 1, price: 2900, productTags: []string{"kitchen", "linen"}, otherVariants: []string{"Grey"}},
		{title: "Ceramic mug", variant: "Blue", sku: "MUG-BLU", qty: 2, price: 1450, productTags: []string{"kitchen"}},
	}},
	{number: 1002, shipping: seedShipping{"Standard", 390}, email: "sam.taylor@example.com", locale: "en", curr: "EUR", createdAgo: 14, fulfilledAgo: 10, lines: []seedLine{
		{title: "Wool scarf", variant: "Grey", sku: "SCF-GRY", qty: 1, price: 4900, productTags: []string{"wool"}},
		{title: "Sale socks", variant: "One size", sku: "SCK-SALE", qty: 1, price: 900, productTags: []string{"final-sale"}},
	}},
	{number: 1003, shipping: seedShipping{"Free standard shipping", 0}, email: "sam.taylor@example.com", locale: "en", curr: "EUR", createdAgo: 92, fulfilledAgo: 90, lines: []seedLine{
		{title: "Canvas tote", sku: "TOTE-CNV", qty: 1, price: 1900, productTags: []string{"bags"}},
	}},
	{number: 1004, shipping: seedShipping{"Free standard shipping", 0}, email: "anna.berzina@example.lv", locale: "lv", curr: "EUR", createdAgo: 2, lines: []seedLine{
		{title: "Wool blanket", variant: "Oatmeal", sku: "BLK-OAT", qty: 1, price: 8900, productTags: []string{"wool", "home"}},
	}},
	{number: 1005, shipping: seedShipping{"Free standard shipping", 0}, email: "lee.jordan@example.com", locale: "en", curr: "USD", createdAgo: 6, fulfilledAgo: 3, lines: []seedLine{
		{title: "Desk lamp", variant: "Black", sku: "LAMP-BLK", qty: 1, price: 6400, productTags: []string{"lighting"}},
		{title: "Bulb", variant: "E27 warm", sku: "BULB-E27", qty: 2, price: 650, productTags: []string{"lighting"}},
	}},
	// #1006 was paid 40.00 by card and 20.00 by gift card. The card's
	// payment comes first, so that a refund split gift card first (as
	// Shopify suggests) differs from one split in order of payment.
	{number: 1006, shipping: seedShipping{"Free standard shipping", 0}, email: "jamie.rivera@example.com", locale: "en", curr: "EUR", createdAgo: 7, fulfilledAgo: 4, lines: []seedLine{
		{title: "Merino beanie", variant: "Moss", sku: "BEA-MOS", qty: 1, price: 2500, productTags: []string{"wool"}},
		{title: "Linen napkins", variant: "Set of 4", sku: "NAP-LIN4", qty: 1, price: 3500, productTags: []string{"kitchen", "linen"}},
	}, payments: []seedPayment{{gatewayShopifyPayments, 4000}, {gatewayGiftCard, 2000}}, customerName: "Jamie Rivera"},
	// #1007 was paid cash on delivery: a manual payment method.
	{number: 1007, shipping: seedShipping{"Pickup in store", 0}, email: "ilze.kalnina@example.lv", locale: "lv", curr: "EUR", createdAgo: 9, fulfilledAgo: 6, lines: []seedLine{
		{title: "Ceramic bowl", variant: "Sand", sku: "BWL-SND", qty: 1, price: 2400, productTags: []string{"kitchen"}},
	}, payments: []seedPayment{{gatewayCashOnDelivery, 2400}}, customerName: "Ilze Kalnina"},
	// #1008 has a line whose product was deleted after the order.
	{number: 1008, shipping: seedShipping{"Free standard shipping", 0}, email: "alex.berg@example.com", locale: "en", curr: "EUR", createdAgo: 11, fulfilledAgo: 8, lines: []seedLine{
		{title: "Birch candle", variant: "Large", sku: "CND-BRC", qty: 1, price: 1800, productTags: []string{"home"}, productDeleted: true},
		{title: "Beeswax wrap", variant: "Set of 3", sku: "WRP-BEE3", qty: 1, price: 1200, productTags: []string{"kitchen"}},
	}},
}

// seed builds the demo orders relative to now, their fulfillments from the
// warehouse and the inventory of their products. Ids are derived from the
// order number so they stay stable across restarts: LineItem 100101 is the
// first line of #1001 (and so are its Product, ProductVariant, InventoryItem
// and FulfillmentLineItem), Fulfillment 1001 and Transaction 1001 belong to
// #1001; a second payment of #1006 is Transaction 10062. Every id stays below
// firstNewID.
func seed(now time.Time, locations []*location) ([]*order, []*inventoryItem) {
	day := 24 * time.Hour
	now = now.UTC().Truncate(time.Second)
	var orders []*order
	var items []*inventoryItem
	for _, s := range seedOrders {
		created := now.Add(-time.Duration(s.createdAgo) * day)
		o := &order{
			id:          int64(s.number),
			name:        "#" + strconv.Itoa(s.number),
			email:       s.email,
			locale:      s.locale,
			currency:    shopCurrency,
			presentment: s.curr,
			rate:        100,
			createdAt:   created,
			processedAt: created,
			updatedAt:   created,
			financial:   "PAID",
			tags:        []string{},
		}
		if s.curr != shopCurrency {
			o.rate = 92 // 1.00 USD = 0.92 EUR in the demo
		}
		if a, ok := seedAddresses[s.number]; ok {
			a := a
			o.shipping = &a
		}
		if s.customerName != "" {
			first, last, _ := strings.Cut(s.customerName, " ")
			o.customer = &customer{id: customerID(s.email), firstName: first, lastName: last, email: s.email, createdAt: created}
		}
		for i, sl := range s.lines {
			id := int64(s.number*100 + i + 1)
			l := &lineItem{
				id:           id,
				order:        o,
				title:        sl.title,
				variantTitle: sl.variant,
				sku:          sl.sku,
				quantity:     sl.qty,
				current:      sl.qty,
				refundable:   sl.qty,
				unitPrice:    sl.price,
				image: &image{
					url:     "https://cdn.example.com/devshop/" + strings.ToLower(sl.sku) + ".jpg",
					altText: sl.title,
				},
			}
			if !sl.productDeleted {
				l.product = &product{id: id, title: sl.title, tags: sl.productTags}
				l.variant = &variant{id: id, product: l.product, title: sl.variant, sku: sl.sku, price: sl.price, currency: s.curr}
				l.product.variants = []*variant{l.variant}
				items = append(items, seedInventory(l.variant, locations, created))
				// Other variants' ids follow the line's in steps of 50,
				// clear of every line's id.
				for k, title := range sl.otherVariants {
					v := &variant{id: id + int64(50*(k+1)), product: l.product, title: title,
						sku: sl.sku[:strings.LastIndex(sl.sku, "-")+1] + strings.ToUpper(title[:3]), price: sl.price, currency: s.curr}
					l.product.variants = append(l.product.variants, v)
					items = append(items, seedInventory(v, locations, created))
				}
			}
			o.lines = append(o.lines, l)
		}
		if s.shipping.title != "" {
			o.shippingLines = append(o.shippingLines, &shippingLine{id: shippingLineID(s.number), order: o,
				title: s.shipping.title, code: s.shipping.title, price: s.shipping.price})
		}
		payments := s.payments
		if payments == nil {
			payments = []seedPayment{{gatewayBogus, o.total()}}
		}
		for i, p := range payments {
			id := int64(s.number)
			if i > 0 {
				id = int64(s.number*10 + i + 1)
			}
			o.transactions = append(o.transactions, &transaction{
				id: id, order: o, kind: "SALE", status: "SUCCESS", gateway: p.gateway, amount: p.amount, createdAt: created,
			})
		}
		if s.fulfilledAgo > 0 {
			f := &fulfillment{
				id:        int64(s.number),
				order:     o,
				status:    "SUCCESS",
				location:  locations[0],
				createdAt: now.Add(-time.Duration(s.fulfilledAgo) * day),
			}
			if s.deliveredAfterShipped > 0 {
				f.deliveredAt = f.createdAt.Add(time.Duration(s.deliveredAfterShipped) * day)
			}
			for _, l := range o.lines {
				f.lines = append(f.lines, &fulfillmentLine{id: l.id, fulfillment: f, line: l, quantity: l.quantity})
			}
			o.fulfillments = append(o.fulfillments, f)
			o.closed = true
		}
		orders = append(orders, o)
	}
	return orders, items
}
