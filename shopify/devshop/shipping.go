package devshop

// Delivery as Shopify records it on an order: the shipping lines the
// customer chose at checkout (ShippingLine), and what refunds gave back of
// them (Order.totalRefundedShippingSet, RefundInput.shipping,
// ReturnProcessInput.refundShipping). The demo has no shipping discounts or
// taxes, so a line's original and discounted prices are the same.

// shippingLine is a ShippingLine of an order.
type shippingLine struct {
	id    int64
	order *order
	title string
	code  string
	price int64 // presentment minor units
}

// seedShipping is the delivery a seed order was bought with.
type seedShipping struct {
	title string
	price int64 // presentment minor units
}

// shippingPaid is what the customer paid for delivery.
func (o *order) shippingPaid() int64 {
	var sum int64
	for _, l := range o.shippingLines {
		sum += l.price
	}
	return sum
}

// shippingRefunded is what the order's refunds gave back for delivery.
func (o *order) shippingRefunded() int64 {
	var sum int64
	for _, r := range o.refunds {
		sum += r.shipping
	}
	return sum
}

// shippingRefundable is what is left to refund of delivery.
func (o *order) shippingRefundable() int64 {
	return max(o.shippingPaid()-o.shippingRefunded(), 0)
}

// shippingToRefund reads a refund's shipping input (ShippingRefundInput's
// amount and fullRefund, or RefundShippingInput's shippingRefundAmount and
// fullRefund): the amount overrides fullRefund, as the schema says, and may
// not exceed what is left to refund of delivery. msg is "" when it is good.
func (o *order) shippingToRefund(amount string, full bool) (minor int64, msg string) {
	if amount == "" {
		if full {
			return o.shippingRefundable(), ""
		}
		return 0, ""
	}
	n, ok := parseMoney(amount)
	switch {
	case !ok || n < 0:
		return 0, "Shipping amount is invalid"
	case n > o.shippingRefundable():
		// Shopify's wording is unverified.
		return 0, "Shipping refund amount must be less than or equal to the refundable shipping amount (" +
			money{minor: o.shippingRefundable(), currency: o.presentment}.decimal() + ")"
	}
	return n, ""
}

func (*shippingLine) typeName() string { return "ShippingLine" }
func (l *shippingLine) gid() string    { return gid("ShippingLine", l.id) }

func (l *shippingLine) resolve(x *execution, field string, args map[string]any) (any, error) {
	o := l.order
	switch field {
	case "id":
		return l.gid(), nil
	case "title":
		return l.title, nil
	case "code":
		return nullIfEmpty(l.code), nil
	case "source":
		return "shopify", nil
	case "custom":
		return false, nil
	case "isRemoved":
		return false, nil
	case "originalPriceSet", "discountedPriceSet":
		return o.bag(l.price), nil
	case "currentDiscountedPriceSet":
		// What is left of the line's price after refunds, spread over the
		// lines in order.
		left := o.shippingRefunded()
		for _, other := range o.shippingLines {
			take := min(left, other.price)
			if other == l {
				return o.bag(l.price - take), nil
			}
			left -= take
		}
		return o.bag(l.price), nil
	case "discountAllocations", "taxLines":
		return []any{}, nil
	}
	return nil, notResolved("ShippingLine", field)
}

// shippingLineID is the id of a seed order's shipping line: stable, and
// below firstNewID.
func shippingLineID(number int) int64 { return int64(number*100 + 90) }
