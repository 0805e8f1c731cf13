package devshop

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Webhook payloads in Shopify's REST shape: snake_case, numeric ids beside
// admin_graphql_api_id GIDs, money as decimal strings with a currency, and
// MoneyBag-like *_set objects. The field lists follow Shopify's published
// REST examples and the captures in SHOPIFY-API.md §8; they hold what the
// portal could read and a little more, not every field Shopify sends. Times
// are in UTC here, where Shopify writes the shop's own offset: both are RFC
// 3339.

type restMoney struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currency_code"`
}

type restMoneySet struct {
	ShopMoney        restMoney `json:"shop_money"`
	PresentmentMoney restMoney `json:"presentment_money"`
}

// restSet returns the *_set of a presentment amount of o.
func (o *order) restSet(presentmentMinor int64) restMoneySet {
	b := o.bag(presentmentMinor)
	return restMoneySet{
		ShopMoney:        restMoney{Amount: b.shop.fixed(), CurrencyCode: b.shop.currency},
		PresentmentMoney: restMoney{Amount: b.presentment.fixed(), CurrencyCode: b.presentment.currency},
	}
}

// restTime formats a time as REST payloads do; nil for the zero time.
func restTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

type restRef struct {
	ID                int64  `json:"id"`
	AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
}

type restLineItem struct {
	ID                  int64        `json:"id"`
	AdminGraphqlAPIID   string       `json:"admin_graphql_api_id"`
	Title               string       `json:"title"`
	VariantTitle        *string      `json:"variant_title"`
	Name                string       `json:"name"`
	SKU                 *string      `json:"sku"`
	Quantity            int          `json:"quantity"`
	CurrentQuantity     int          `json:"current_quantity"`
	FulfillableQuantity int          `json:"fulfillable_quantity"`
	Price               string       `json:"price"`
	PriceSet            restMoneySet `json:"price_set"`
	GiftCard            bool         `json:"gift_card"`
	ProductID           *int64       `json:"product_id"`
	ProductExists       bool         `json:"product_exists"`
}

func (l *lineItem) rest() restLineItem {
	name := l.title
	if l.variantTitle != "" {
		name += " - " + l.variantTitle
	}
	out := restLineItem{
		ID: l.id, AdminGraphqlAPIID: l.gid(), Title: l.title, VariantTitle: stringOrNil(l.variantTitle),
		Name: name, SKU: stringOrNil(l.sku), Quantity: l.quantity, CurrentQuantity: l.current,
		Price: money{minor: l.unitPrice, currency: l.order.presentment}.fixed(), PriceSet: l.order.restSet(l.unitPrice),
		GiftCard: l.giftCard, ProductExists: l.product != nil,
	}
	if l.product != nil {
		id := l.product.id
		out.ProductID = &id
	}
	return out
}

type restTransaction struct {
	ID                int64          `json:"id"`
	AdminGraphqlAPIID string         `json:"admin_graphql_api_id"`
	OrderID           int64          `json:"order_id"`
	Kind              string         `json:"kind"`
	Gateway           string         `json:"gateway"`
	Status            string         `json:"status"`
	Message           *string        `json:"message"`
	CreatedAt         *string        `json:"created_at"`
	Test              bool           `json:"test"`
	Authorization     *string        `json:"authorization"`
	LocationID        *int64         `json:"location_id"`
	UserID            *int64         `json:"user_id"`
	ParentID          *int64         `json:"parent_id"`
	ProcessedAt       *string        `json:"processed_at"`
	DeviceID          *int64         `json:"device_id"`
	ErrorCode         *string        `json:"error_code"`
	SourceName        string         `json:"source_name"`
	Receipt           map[string]any `json:"receipt"`
	Amount            string         `json:"amount"`
	Currency          string         `json:"currency"`
}

func (t *transaction) rest() restTransaction {
	out := restTransaction{
		ID: t.id, AdminGraphqlAPIID: t.gid(), OrderID: t.order.id,
		Kind: strings.ToLower(t.kind), Gateway: t.gateway, Status: strings.ToLower(t.status),
		CreatedAt: restTime(t.createdAt), ProcessedAt: restTime(t.createdAt), Test: t.gateway == "bogus",
		SourceName: "web", Receipt: map[string]any{},
		Amount: money{minor: t.amount, currency: t.order.presentment}.fixed(), Currency: t.order.presentment,
	}
	if t.parent != nil {
		id := t.parent.id
		out.ParentID = &id
	}
	return out
}

type restRefundLine struct {
	ID          int64        `json:"id"`
	LineItemID  int64        `json:"line_item_id"`
	LocationID  *int64       `json:"location_id"`
	Quantity    int          `json:"quantity"`
	RestockType string       `json:"restock_type"`
	Subtotal    json.Number  `json:"subtotal"`
	SubtotalSet restMoneySet `json:"subtotal_set"`
	TotalTax    json.Number  `json:"total_tax"`
	TotalTaxSet restMoneySet `json:"total_tax_set"`
	LineItem    restLineItem `json:"line_item"`
}

type restRefund struct {
	ID                  int64             `json:"id"`
	AdminGraphqlAPIID   string            `json:"admin_graphql_api_id"`
	OrderID             int64             `json:"order_id"`
	CreatedAt           *string           `json:"created_at"`
	Note                *string           `json:"note"`
	UserID              *int64            `json:"user_id"`
	ProcessedAt         *string           `json:"processed_at"`
	Restock             bool              `json:"restock"`
	Return              *restRef          `json:"return"`
	Duties              []any             `json:"duties"`
	TotalDutiesSet      restMoneySet      `json:"total_duties_set"`
	RefundShippingLines []any             `json:"refund_shipping_lines"`
	OrderAdjustments    []any             `json:"order_adjustments"`
	RefundLineItems     []restRefundLine  `json:"refund_line_items"`
	Transactions        []restTransaction `json:"transactions"`
}

// refundPayload is the refunds/create payload of r.
func refundPayload(r *refund) restRefund {
	o := r.order
	out := restRefund{
		ID: r.id, AdminGraphqlAPIID: r.gid(), OrderID: o.id,
		CreatedAt: restTime(r.createdAt), Note: stringOrNil(r.note), ProcessedAt: restTime(r.createdAt),
		Duties: []any{}, TotalDutiesSet: o.restSet(0), RefundShippingLines: []any{}, OrderAdjustments: []any{},
		RefundLineItems: []restRefundLine{}, Transactions: []restTransaction{},
	}
	if r.ret != nil {
		out.Return = &restRef{ID: r.ret.id, AdminGraphqlAPIID: r.ret.gid()}
	}
	for _, l := range r.lines {
		subtotal := l.line.unitPrice * int64(l.quantity)
		var locationID *int64
		if l.location != nil {
			id := l.location.id
			locationID = &id
		}
		out.Restock = out.Restock || l.restockType == "RETURN" || l.restockType == "CANCEL"
		out.RefundLineItems = append(out.RefundLineItems, restRefundLine{
			ID: l.id, LineItemID: l.line.id, LocationID: locationID, Quantity: l.quantity, RestockType: strings.ToLower(l.restockType),
			Subtotal:    json.Number(money{minor: subtotal, currency: o.presentment}.decimal()),
			SubtotalSet: o.restSet(subtotal), TotalTax: "0.0", TotalTaxSet: o.restSet(0),
			LineItem: l.line.rest(),
		})
	}
	for _, t := range r.transactions {
		out.Transactions = append(out.Transactions, t.rest())
	}
	return out
}

type restOrder struct {
	ID                  int64          `json:"id"`
	AdminGraphqlAPIID   string         `json:"admin_graphql_api_id"`
	Name                string         `json:"name"`
	OrderNumber         int64          `json:"order_number"`
	Email               *string        `json:"email"`
	ContactEmail        *string        `json:"contact_email"`
	CustomerLocale      *string        `json:"customer_locale"`
	Note                *string        `json:"note"`
	Tags                string         `json:"tags"`
	CreatedAt           *string        `json:"created_at"`
	UpdatedAt           *string        `json:"updated_at"`
	ProcessedAt         *string        `json:"processed_at"`
	CancelledAt         *string        `json:"cancelled_at"`
	Currency            string         `json:"currency"`
	PresentmentCurrency string         `json:"presentment_currency"`
	FinancialStatus     string         `json:"financial_status"`
	FulfillmentStatus   *string        `json:"fulfillment_status"`
	TotalPrice          string         `json:"total_price"`
	TotalPriceSet       restMoneySet   `json:"total_price_set"`
	Test                bool           `json:"test"`
	LineItems           []restLineItem `json:"line_items"`
	Refunds             []restRefund   `json:"refunds"`
}

// orderPayload is the orders/updated payload of o. hideEmail leaves the
// email out, as Shopify does for an app without protected customer data.
func orderPayload(o *order, hideEmail bool) restOrder {
	out := restOrder{
		ID: o.id, AdminGraphqlAPIID: o.gid(), Name: o.name, CustomerLocale: stringOrNil(o.locale),
		Note: stringOrNil(o.note), Tags: strings.Join(o.tags, ", "),
		CreatedAt: restTime(o.createdAt), UpdatedAt: restTime(o.updatedAt), ProcessedAt: restTime(o.processedAt),
		CancelledAt: restTime(o.cancelledAt), Currency: o.currency, PresentmentCurrency: o.presentment,
		FinancialStatus: strings.ToLower(o.financial),
		TotalPrice:      money{minor: o.total(), currency: o.presentment}.fixed(), TotalPriceSet: o.restSet(o.total()),
		LineItems: []restLineItem{}, Refunds: []restRefund{},
	}
	if n, err := strconv.ParseInt(strings.TrimPrefix(o.name, "#"), 10, 64); err == nil {
		out.OrderNumber = n
	}
	if !hideEmail {
		out.Email, out.ContactEmail = stringOrNil(o.email), stringOrNil(o.email)
	}
	switch o.fulfillmentStatus() {
	case "FULFILLED":
		s := "fulfilled"
		out.FulfillmentStatus = &s
	case "PARTIALLY_FULFILLED":
		s := "partial"
		out.FulfillmentStatus = &s
	}
	for _, l := range o.lines {
		r := l.rest()
		r.FulfillableQuantity = max(l.current-o.fulfilled(l), 0)
		out.LineItems = append(out.LineItems, r)
	}
	for _, r := range o.refunds {
		out.Refunds = append(out.Refunds, refundPayload(r))
	}
	return out
}

// fulfilled returns how many units of l successful fulfillments shipped.
func (o *order) fulfilled(l *lineItem) int {
	n := 0
	for _, f := range o.fulfillments {
		if f.status != "SUCCESS" {
			continue
		}
		for _, fl := range f.lines {
			if fl.line == l {
				n += fl.quantity
			}
		}
	}
	return n
}

// restShop is the app/uninstalled payload: the shop.
type restShop struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Email           string  `json:"email"`
	Domain          string  `json:"domain"`
	MyshopifyDomain string  `json:"myshopify_domain"`
	Currency        string  `json:"currency"`
	IanaTimezone    string  `json:"iana_timezone"`
	PrimaryLocale   string  `json:"primary_locale"`
	CountryCode     string  `json:"country_code"`
	PlanName        string  `json:"plan_name"`
	CreatedAt       *string `json:"created_at"`
	UpdatedAt       *string `json:"updated_at"`
}

func (s *Shop) shopPayload() restShop {
	now := s.now()
	return restShop{
		ID: shopID, Name: s.opts.ShopName, Email: "owner@" + s.primaryHost(), Domain: s.primaryHost(),
		MyshopifyDomain: s.opts.ShopDomain, Currency: shopCurrency, IanaTimezone: shopTimeZone,
		PrimaryLocale: "en", CountryCode: "LV", PlanName: "basic",
		CreatedAt: restTime(now.AddDate(-1, 0, 0)), UpdatedAt: restTime(now),
	}
}

// restCustomer is the customer of a compliance payload.
type restCustomer struct {
	ID    int64   `json:"id"`
	Email string  `json:"email"`
	Phone *string `json:"phone"`
}

type customersRedactPayload struct {
	ShopID         int64        `json:"shop_id"`
	ShopDomain     string       `json:"shop_domain"`
	Customer       restCustomer `json:"customer"`
	OrdersToRedact []int64      `json:"orders_to_redact"`
}

type dataRequestPayload struct {
	ShopID          int64        `json:"shop_id"`
	ShopDomain      string       `json:"shop_domain"`
	OrdersRequested []int64      `json:"orders_requested"`
	Customer        restCustomer `json:"customer"`
	DataRequest     struct {
		ID int64 `json:"id"`
	} `json:"data_request"`
}

type shopRedactPayload struct {
	ShopID     int64  `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
}

func stringOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
