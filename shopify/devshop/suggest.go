package devshop

import "fmt"

// Order.suggestedRefund. Shopify does not publish its formula; devshop's
// approximation, which the adapter must not depend on beyond "a plausible
// amount in the presentment currency":
//
//   - each requested line counts its discounted unit price (the demo has no
//     discounts) times the quantity, clamped to the line's refundable
//     quantity; tax is 0 (the demo has none);
//   - suggestFullRefund takes every line's refundable quantity and ignores
//     refundLineItems, as Shopify documents;
//   - shipping is what is left to refund of delivery with refundShipping,
//     shippingAmount (capped by what is left) when given, else 0; it adds
//     to the amount;
//   - the amount is capped by maximumRefundableSet: received − refunded;
//   - suggestedTransactions spread the amount over the order's successful
//     SALE and CAPTURE transactions, each up to what is left on it: gift
//     cards first, then the others in order of payment (paymentsForRefund;
//     that Shopify refunds a gift card first is unverified).
//
// A lineItemId that is not a line of the order is a GraphQL error on the field
// (Shopify's answer is unverified).

// suggestion answers SuggestedRefund.
type suggestion struct {
	order        *order
	lines        []*refundLine
	subtotal     int64
	shipping     int64
	amount       int64
	transactions []*suggestedTransaction
}

// suggestedTransaction answers SuggestedOrderTransaction.
type suggestedTransaction struct {
	parent *transaction
	amount int64
}

func (o *order) suggestRefund(args map[string]any) (*suggestion, error) {
	s := &suggestion{order: o}
	if boolArg(args, "suggestFullRefund") {
		for _, l := range o.lines {
			if l.refundable > 0 {
				s.lines = append(s.lines, &refundLine{line: l, quantity: l.refundable, restockType: "NO_RESTOCK"})
			}
		}
	} else {
		raw, _ := args["refundLineItems"].([]any)
		wanted := map[*lineItem]int{}
		for _, r := range raw {
			in, _ := r.(map[string]any)
			id, _ := in["lineItemId"].(string)
			l := o.line(id)
			if l == nil {
				return nil, fmt.Errorf("invalid id: %s is not a line item of %s", id, o.gid())
			}
			qty, _ := intArg(in, "quantity")
			qty = min(qty, l.refundable-wanted[l])
			if qty <= 0 {
				continue
			}
			wanted[l] += qty
			restock, _ := in["restockType"].(string)
			if restock == "" {
				restock = "NO_RESTOCK"
			}
			s.lines = append(s.lines, &refundLine{line: l, quantity: qty, restockType: restock})
		}
	}
	for _, l := range s.lines {
		s.subtotal += l.line.unitPrice * int64(l.quantity)
	}
	if amount, ok := args["shippingAmount"].(string); ok && amount != "" {
		n, _ := parseMoney(amount)
		s.shipping = min(n, o.shippingRefundable())
	} else if boolArg(args, "refundShipping") {
		s.shipping = o.shippingRefundable()
	}
	s.amount = min(s.subtotal+s.shipping, o.refundable())

	left := s.amount
	for _, t := range o.paymentsForRefund() {
		if left <= 0 {
			break
		}
		if take := min(left, t.refundable()); take > 0 {
			s.transactions = append(s.transactions, &suggestedTransaction{parent: t, amount: take})
			left -= take
		}
	}
	return s, nil
}

func (*suggestion) typeName() string { return "SuggestedRefund" }

func (s *suggestion) resolve(x *execution, field string, args map[string]any) (any, error) {
	o := s.order
	switch field {
	case "amountSet":
		return o.bag(s.amount), nil
	case "amount":
		return o.bag(s.amount).presentment.decimal(), nil
	case "subtotalSet", "discountedSubtotalSet":
		return o.bag(s.subtotal), nil
	case "subtotal":
		return o.bag(s.subtotal).presentment.decimal(), nil
	case "maximumRefundableSet":
		return o.bag(o.refundable()), nil
	case "maximumRefundable":
		return o.bag(o.refundable()).presentment.decimal(), nil
	case "totalTaxSet", "totalDutiesSet", "totalCartDiscountAmountSet":
		return o.bag(0), nil
	case "totalTaxes":
		return "0.0", nil
	case "shipping":
		return &shippingRefund{order: o, amount: s.shipping}, nil
	case "refundLineItems":
		out := make([]any, len(s.lines))
		for i, l := range s.lines {
			out[i] = l
		}
		return out, nil
	case "suggestedTransactions":
		out := make([]any, len(s.transactions))
		for i, t := range s.transactions {
			out[i] = t
		}
		return out, nil
	case "refundDuties":
		return []any{}, nil
	case "suggestedRefundMethods":
		// Store credit is suggested when the shop can issue it to the
		// order's customer, for the suggested amount (unverified: which
		// amount Shopify suggests as store credit with the default
		// refundMethodAllocation).
		if x.shop.storeCreditRefusal(o) != "" {
			return []any{}, nil
		}
		return []any{&suggestedStoreCredit{order: o, amount: s.amount}}, nil
	}
	return nil, notResolved("SuggestedRefund", field)
}

// suggestedStoreCredit answers SuggestedStoreCreditRefund: store credit
// Shopify offers as a refund method.
type suggestedStoreCredit struct {
	order  *order
	amount int64
}

func (*suggestedStoreCredit) typeName() string { return "SuggestedStoreCreditRefund" }

func (c *suggestedStoreCredit) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "amount":
		return c.order.bag(c.amount), nil
	case "maximumRefundable":
		return c.order.bag(c.order.refundable()), nil
	case "expiresAt":
		return nil, nil
	}
	return nil, notResolved("SuggestedStoreCreditRefund", field)
}

func (*suggestedTransaction) typeName() string { return "SuggestedOrderTransaction" }

func (t *suggestedTransaction) resolve(x *execution, field string, args map[string]any) (any, error) {
	o := t.parent.order
	switch field {
	case "kind":
		return "SUGGESTED_REFUND", nil
	case "gateway":
		return t.parent.gateway, nil
	case "formattedGateway":
		return formattedGateway(t.parent.gateway), nil
	case "accountNumber":
		return nil, nil
	case "amountSet":
		return o.bag(t.amount), nil
	case "amount":
		return o.bag(t.amount).presentment.decimal(), nil
	case "maximumRefundableSet":
		return o.bag(t.parent.refundable()), nil
	case "maximumRefundable":
		return o.bag(t.parent.refundable()).presentment.decimal(), nil
	case "parentTransaction":
		return t.parent, nil
	}
	return nil, notResolved("SuggestedOrderTransaction", field)
}

// shippingRefund answers ShippingRefund: the delivery a suggested refund
// gives back, of what is left to refund of it (no tax in the demo).
type shippingRefund struct {
	order  *order
	amount int64
}

func (*shippingRefund) typeName() string { return "ShippingRefund" }

func (s *shippingRefund) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "amountSet":
		return s.order.bag(s.amount), nil
	case "maximumRefundableSet":
		return s.order.bag(s.order.shippingRefundable()), nil
	case "taxSet":
		return s.order.bag(0), nil
	case "amount":
		return s.order.bag(s.amount).presentment.decimal(), nil
	case "maximumRefundable":
		return s.order.bag(s.order.shippingRefundable()).presentment.decimal(), nil
	case "tax":
		return "0.0", nil
	}
	return nil, notResolved("ShippingRefund", field)
}
