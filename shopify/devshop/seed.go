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
	id           int64
	name         string // "#1001"
	email        string
	locale       string
	currency     string // shop currency
	presentment  string // what the customer paid in
	rate         int64  // shop minor units per 100 presentment minor units
	createdAt    time.Time
	processedAt  time.Time
	updatedAt    time.Time // the last change: a refund, the note or the tags
	cancelledAt  time.Time
	closed       bool
	note         string
	tags         []string
	financial    string
	lines        []*lineItem
	fulfillments []*fulfillment
	transactions []*transaction
	refunds      []*refund
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
	unitPrice    int64 // presentment minor units, before and after discounts (no discounts in the demo)
	giftCard     bool
	product      *product
	image        *image
}

type product struct {
	id   int64
	tags []string
}

type image struct {
	url     string
	altText string
}

type fulfillment struct {
	id          int64
	order       *order
	status      string
	createdAt   time.Time
	deliveredAt time.Time
	lines       []*fulfillmentLine
}

type fulfillmentLine struct {
	id       int64
	line     *lineItem
	quantity int
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

// refunded is what the order's successful REFUND transactions gave back.
func (o *order) refunded() int64 {
	var sum int64
	for _, t := range o.transactions {
		if t.kind == "REFUND" && t.status == "SUCCESS" {
			sum += t.amount
		}
	}
	return sum
}

// refundable is what can still be refunded on the order: received − refunded.
func (o *order) refundable() int64 { return max(o.received()-o.refunded(), 0) }

// isPayment reports whether t is money received: a successful SALE or CAPTURE,
// the only kinds a refund may name as its parent.
func (t *transaction) isPayment() bool {
	return t.status == "SUCCESS" && (t.kind == "SALE" || t.kind == "CAPTURE")
}

// refundable is what can still be refunded against payment p.
func (p *transaction) refundable() int64 {
	left := p.amount
	for _, t := range p.order.transactions {
		if t.parent == p && t.kind == "REFUND" && t.status == "SUCCESS" {
			left -= t.amount
		}
	}
	return max(left, 0)
}

func (o *order) total() int64 {
	var sum int64
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
}

// seedOrder describes one demo order. Ages are in days before now.
type seedOrder struct {
	number                int
	email, locale, curr   string
	createdAgo            int
	fulfilledAgo          int // 0 when not fulfilled
	deliveredAfterShipped int // days from shipping to delivery; 0 when unknown
	lines                 []seedLine
}

var seedOrders = []seedOrder{
	{1001, "anna.berzina@example.lv", "lv", "EUR", 8, 5, 2, []seedLine{
		{"Linen tea towel", "Natural", "LTT-NAT", 1, 2900, []string{"kitchen", "linen"}},
		{"Ceramic mug", "Blue", "MUG-BLU", 2, 1450, []string{"kitchen"}},
	}},
	{1002, "sam.taylor@example.com", "en", "EUR", 14, 10, 0, []seedLine{
		{"Wool scarf", "Grey", "SCF-GRY", 1, 4900, []string{"wool"}},
		{"Sale socks", "One size", "SCK-SALE", 1, 900, []string{"final-sale"}},
	}},
	{1003, "sam.taylor@example.com", "en", "EUR", 92, 90, 0, []seedLine{
		{"Canvas tote", "", "TOTE-CNV", 1, 1900, []string{"bags"}},
	}},
	{1004, "anna.berzina@example.lv", "lv", "EUR", 2, 0, 0, []seedLine{
		{"Wool blanket", "Oatmeal", "BLK-OAT", 1, 8900, []string{"wool", "home"}},
	}},
	{1005, "lee.jordan@example.com", "en", "USD", 6, 3, 0, []seedLine{
		{"Desk lamp", "Black", "LAMP-BLK", 1, 6400, []string{"lighting"}},
		{"Bulb", "E27 warm", "BULB-E27", 2, 650, []string{"lighting"}},
	}},
}

// seed builds the demo orders relative to now. Ids are derived from the order
// number so they stay stable across restarts: LineItem 100101 is the first line
// of #1001, Fulfillment 1001 and Transaction 1001 belong to #1001.
func seed(now time.Time) []*order {
	day := 24 * time.Hour
	now = now.UTC().Truncate(time.Second)
	var orders []*order
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
		for i, sl := range s.lines {
			id := int64(s.number*100 + i + 1)
			o.lines = append(o.lines, &lineItem{
				id:           id,
				order:        o,
				title:        sl.title,
				variantTitle: sl.variant,
				sku:          sl.sku,
				quantity:     sl.qty,
				current:      sl.qty,
				refundable:   sl.qty,
				unitPrice:    sl.price,
				product:      &product{id: id, tags: sl.productTags},
				image: &image{
					url:     "https://cdn.example.com/devshop/" + strings.ToLower(sl.sku) + ".jpg",
					altText: sl.title,
				},
			})
		}
		o.transactions = append(o.transactions, &transaction{
			id:        int64(s.number),
			order:     o,
			kind:      "SALE",
			status:    "SUCCESS",
			gateway:   "bogus",
			amount:    o.total(),
			createdAt: created,
		})
		if s.fulfilledAgo > 0 {
			f := &fulfillment{
				id:        int64(s.number),
				order:     o,
				status:    "SUCCESS",
				createdAt: now.Add(-time.Duration(s.fulfilledAgo) * day),
			}
			if s.deliveredAfterShipped > 0 {
				f.deliveredAt = f.createdAt.Add(time.Duration(s.deliveredAfterShipped) * day)
			}
			for _, l := range o.lines {
				f.lines = append(f.lines, &fulfillmentLine{id: l.id, line: l, quantity: l.quantity})
			}
			o.fulfillments = append(o.fulfillments, f)
			o.closed = true
		}
		orders = append(orders, o)
	}
	return orders
}
