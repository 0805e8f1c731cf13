package returns

import (
	"math"
	"time"
)

// What a withdrawal is refunded (Consumer Rights Directive, Article 13(1)
// and (2)): everything the consumer paid, the delivery included — but only
// the cheapest standard delivery the trader offered, when the consumer chose
// a dearer one. The delivery is owed when the contract is withdrawn from as
// a whole: a withdrawal of some of the order's items leaves the delivery of
// the rest, which the consumer keeps, paid for, so it owes no delivery.

// WithdrawalDelivery is what a withdrawal owes of the order's delivery, and
// why.
type WithdrawalDelivery struct {
	// Due is the delivery to refund with the items: what the customer paid
	// for it, capped by the cheapest standard delivery, less what was
	// refunded of it already; zero when none is owed.
	Due Money
	// Paid is what the customer paid for delivery (Order.Shipping).
	Paid Money
	// Capped is set when Due was lowered to the cheapest standard delivery
	// (Settings.CheapestDelivery).
	Capped bool
	// Partial is set when the withdrawal does not cover every unit still on
	// the order, so no delivery is owed.
	Partial bool
	// Excluded is set when the settings leave delivery out of refunds
	// (Settings.RefundDelivery false), which the law does not allow.
	Excluded bool
}

// DeliveryDue returns what r, a withdrawal from order o, owes of o's
// delivery under st; a zero WithdrawalDelivery for any other return.
func (r *Return) DeliveryDue(o *Order, st Settings) WithdrawalDelivery {
	d := WithdrawalDelivery{Due: Money{Currency: r.Currency}, Paid: o.Shipping}
	if r.Kind != KindWithdrawal || o.Shipping.Minor <= 0 {
		return d
	}
	if !r.coversOrder(o) {
		d.Partial = true
		return d
	}
	if !st.RefundDelivery {
		d.Excluded = true
		return d
	}
	due := o.Shipping.Minor
	// The cap is a price in the currency it was typed in: an order paid in
	// another is refunded all of its delivery, which the law allows. A cap
	// saved before its currency was kept ("") is the shop's, as typed.
	if st.CheapestDeliveryMinor > 0 && due > st.CheapestDeliveryMinor && (st.CheapestDeliveryCurrency == o.Currency || st.CheapestDeliveryCurrency == "") {
		due, d.Capped = st.CheapestDeliveryMinor, true
	}
	d.Due.Minor = max(due-o.ShippingRefunded.Minor, 0)
	return d
}

// coversOrder reports whether r's items are every unit still on o (gift
// cards aside, which are never returned), shipped or not: a withdrawal of
// the shipped units while others are still to come leaves the delivery of
// those, so it owes none until the store cancels them (which takes them off
// the line's current quantity).
func (r *Return) coversOrder(o *Order) bool {
	withdrawn := map[string]int{}
	for _, it := range r.Items {
		withdrawn[it.LineItemID] += it.Quantity
	}
	for _, l := range o.Lines {
		if l.GiftCard || l.Quantity <= 0 {
			continue
		}
		if withdrawn[l.ID] < l.Quantity {
			return false
		}
	}
	return true
}

// WithdrawalClock is the refund clock of a withdrawal as staff see it.
type WithdrawalClock struct {
	// Deadline is the last day of the refund (midnight at its start, in the
	// store's zone); Passed is set once that day is over and the return is
	// not refunded.
	Deadline time.Time
	Passed   bool
	// DaysLeft counts the days from today to Deadline; negative once passed.
	DaysLeft int
	// MayWithhold is set while the refund may be withheld (Article 13(3)):
	// the goods are not back and the customer has given no proof of
	// dispatch (a parcel's tracking).
	MayWithhold bool
}

// WithdrawalClockAt returns r's refund clock at now, in zone; ok is false
// when r is not a withdrawal with a statement.
func (r *Return) WithdrawalClockAt(now time.Time, zone *time.Location) (c WithdrawalClock, ok bool) {
	if r.Withdrawal == nil {
		return c, false
	}
	c.Deadline = r.WithdrawalRefundDeadline(zone)
	today := dayIn(now, zone)
	// Rounded, as a day across a change of summer time is 23 or 25 hours.
	c.DaysLeft = int(math.Round(c.Deadline.Sub(today).Hours() / 24))
	refunded := r.Status == StatusRefunded || r.Status == StatusClosed
	c.Passed = !refunded && !WithinWithdrawal(now, c.Deadline)
	c.MayWithhold = !refunded && r.Status != StatusItemReceived && r.Parcel == nil
	return c, true
}
