package returns

import "time"

// Ineligible says why none of a line's units can be returned.
type Ineligible string

const (
	IneligibleNone            Ineligible = ""
	IneligibleOrderCancelled  Ineligible = "order_cancelled"
	IneligibleGiftCard        Ineligible = "gift_card"
	IneligibleProductGone     Ineligible = "product_gone"
	IneligibleFinalSale       Ineligible = "final_sale"
	IneligibleNotFulfilled    Ineligible = "not_fulfilled"
	IneligibleWindowClosed    Ineligible = "window_closed"
	IneligibleAlreadyReturned Ineligible = "already_returned"
)

// Policy is the store's return policy, from settings.
type Policy struct {
	WindowDays       int    // days from fulfillment during which items can be returned
	NonReturnableTag string // product tag that marks final-sale items
}

// LineEligibility says how many units of one line can still be returned, or why none.
type LineEligibility struct {
	Line       LineItem
	Returnable int
	Reason     Ineligible // set when Returnable is 0
	WindowEnds time.Time  // zero when the line has not been fulfilled
}

// Eligibility applies the policy to every line of an order. held maps line item ids
// to the units already in active returns (requested or further along); now is the
// moment of the check. The checks run from the most to the least final reason, so a
// customer is told the reason that will not change.
func Eligibility(o *Order, p Policy, held map[string]int, now time.Time) []LineEligibility {
	out := make([]LineEligibility, 0, len(o.Lines))
	for _, l := range o.Lines {
		e := LineEligibility{Line: l}
		if !l.FulfilledAt.IsZero() {
			e.WindowEnds = l.FulfilledAt.AddDate(0, 0, p.WindowDays)
		}
		fulfilled := min(l.Fulfilled, l.Quantity)
		switch {
		case o.Cancelled():
			e.Reason = IneligibleOrderCancelled
		case l.GiftCard:
			e.Reason = IneligibleGiftCard
		case l.ProductGone:
			e.Reason = IneligibleProductGone
		case p.NonReturnableTag != "" && l.HasProductTag(p.NonReturnableTag):
			e.Reason = IneligibleFinalSale
		case fulfilled <= 0:
			e.Reason = IneligibleNotFulfilled
		case now.After(e.WindowEnds):
			e.Reason = IneligibleWindowClosed
		case fulfilled-held[l.ID] <= 0:
			e.Reason = IneligibleAlreadyReturned
		default:
			e.Returnable = fulfilled - held[l.ID]
		}
		out = append(out, e)
	}
	return out
}

// AnyReturnable reports whether at least one unit of the order can be returned.
func AnyReturnable(lines []LineEligibility) bool {
	for _, l := range lines {
		if l.Returnable > 0 {
			return true
		}
	}
	return false
}

// HeldUnits sums, per line item, the units in the active returns among rs:
// requested or further along, they count as returned and cannot be returned
// again. The units of a return refunded with its lines (through Shopify's
// return, or refundCreate with refundLineItems) are not among them: the
// refund took them off the line's current quantity already, which Eligibility
// counts from.
func HeldUnits(rs []Return) map[string]int {
	held := make(map[string]int)
	for _, r := range rs {
		if !r.Status.Active() || r.LinesRefunded() {
			continue
		}
		for _, it := range r.Items {
			held[it.LineItemID] += it.Quantity
		}
	}
	return held
}
