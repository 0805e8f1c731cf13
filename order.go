package returns

import (
	"strings"
	"time"
)

// Order is a Shopify order as the portal needs it, read fresh from the Admin API.
type Order struct {
	ID          string // Shopify GID, e.g. gid://shopify/Order/1001
	Name        string // as shown to people, e.g. "#1001"
	Email       string
	Locale      string // the customer's locale at checkout, e.g. "lv", "en-GB"; may be empty
	Currency    string // the currency the customer paid in (presentment currency)
	CreatedAt   time.Time
	CancelledAt time.Time // zero unless cancelled
	Note        string
	Tags        []string
	Lines       []LineItem
	// Received is what the customer paid (Shopify's totalReceivedSet) and
	// Refunded what was refunded so far (totalRefundedSet), both in Currency.
	Received Money
	Refunded Money
	// Shipping is what the customer paid for delivery: the order's shipping
	// lines after their discounts (Shopify's ShippingLine.discountedPriceSet),
	// removed lines left out; ShippingRefunded what of it was refunded so far
	// (totalRefundedShippingSet). Both in Currency; zero for an order without
	// delivery.
	Shipping         Money
	ShippingRefunded Money
	// ShippingTitle names the delivery the customer chose at checkout (the
	// first shipping line's title, e.g. "Standard"); "" for none.
	ShippingTitle string
	// Payments are the order's successful SALE and CAPTURE transactions: the
	// parents a refund goes back to.
	Payments []Payment
}

// Payment is a successful payment transaction of an order.
type Payment struct {
	ID      string // Shopify GID of the OrderTransaction
	Kind    string // "SALE" or "CAPTURE"
	Gateway string
	Amount  Money
}

// Refundable returns what can still be refunded on the order.
func (o *Order) Refundable() Money {
	return Money{Minor: max(o.Received.Minor-o.Refunded.Minor, 0), Currency: o.Currency}
}

// Cancelled reports whether the order was cancelled.
func (o *Order) Cancelled() bool { return !o.CancelledAt.IsZero() }

// Line returns the line item with the given id, or nil.
func (o *Order) Line(id string) *LineItem {
	for i := range o.Lines {
		if o.Lines[i].ID == id {
			return &o.Lines[i]
		}
	}
	return nil
}

// Number returns the order name without its leading "#", e.g. "1001".
func (o *Order) Number() string { return strings.TrimPrefix(o.Name, "#") }

// LineItem is one line of an order.
type LineItem struct {
	ID           string // Shopify GID of the LineItem
	Title        string
	VariantTitle string
	Quantity     int   // units still on the order (Shopify's currentQuantity)
	UnitPrice    Money // what the customer paid per unit, after all discounts
	GiftCard     bool
	ProductTags  []string
	// ProductGone is set when the line has no product any more: it was
	// deleted from the shop since the order (or the line was a custom item).
	// Its tags, such as final-sale, can no longer be read, so the portal does
	// not take it back.
	ProductGone bool
	ImageURL    string
	// Fulfilled is the number of units shipped by successful fulfillments, and
	// FulfilledAt when the last of them was delivered (or shipped, when no delivery
	// date is known). The return window counts from FulfilledAt.
	Fulfilled   int
	FulfilledAt time.Time
	// Delivered says FulfilledAt is Shopify's delivery date: every
	// fulfilment of the line has one. The withdrawal period counts from
	// delivery, and from a set number of days after the fulfilment when it
	// is unknown.
	Delivered bool
}

// HasProductTag reports whether the line's product carries tag, compared without
// regard to case or surrounding space, as Shopify treats tags.
func (l *LineItem) HasProductTag(tag string) bool {
	tag = strings.TrimSpace(tag)
	for _, t := range l.ProductTags {
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}
