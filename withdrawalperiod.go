package returns

import (
	"strings"
	"time"
)

// Exemption is why the law exempts goods from the right of withdrawal
// (Directive 2011/83/EU, Article 16); the store marks such goods by a product
// tag per kind (settings), and the customer is told the reason.
type Exemption string

const (
	ExemptNone Exemption = ""
	// ExemptCustomMade: goods made to the consumer's specifications or
	// clearly personalised (Article 16(c)).
	ExemptCustomMade Exemption = "custom_made"
	// ExemptPerishable: goods liable to deteriorate or expire rapidly
	// (Article 16(d)).
	ExemptPerishable Exemption = "perishable"
	// ExemptSealedHygiene: sealed goods not suitable for return for health
	// or hygiene reasons once unsealed after delivery (Article 16(e)).
	ExemptSealedHygiene Exemption = "sealed_hygiene"
)

// Exemptions lists the kinds of exempt goods, in the order settings show them.
var Exemptions = []Exemption{ExemptCustomMade, ExemptPerishable, ExemptSealedHygiene}

// WithdrawalPolicy is what the settings say about the right of withdrawal.
type WithdrawalPolicy struct {
	// ExemptTags maps each kind of exempt goods to the product tag that
	// marks them ("" for none).
	ExemptTags map[Exemption]string
	// DeliveryDays is how many days after a fulfilment its goods are taken
	// to have arrived when Shopify knows no delivery date.
	DeliveryDays int
	// NotInformedTag is the order tag by which the store marks orders whose
	// customer was not told of the right of withdrawal: their period is 12
	// months longer.
	NotInformedTag string
}

// WithdrawalPeriod is the withdrawal period of an order. It runs from the
// conclusion of the contract — a consumer may withdraw before the goods
// arrive (Directive 2011/83/EU, Article 9(3)) — to 14 days after the last
// item of the order arrives (Article 9(2)(b), the last item of a split
// delivery).
type WithdrawalPeriod struct {
	// Started is set once something of the order was fulfilled.
	Started bool
	// Pending is set while some unit of the order (gift cards aside) is not
	// fulfilled yet: the last item has not arrived, so the period's last day
	// is not known yet and the period is open; LastDay and Received are zero.
	Pending bool
	// Received is the day the last item arrived, as the period counts it:
	// Shopify's delivery date when every fulfilment has one, else the
	// fulfilment's date plus the policy's DeliveryDays; DeliveryKnown says
	// which.
	Received      time.Time
	DeliveryKnown bool
	// Informed is false for an order the store marked as one whose customer
	// was not told of the right.
	Informed bool
	// LastDay is the last day to withdraw (midnight at its start, in the
	// store's zone), as WithdrawalLastDay says; zero while Pending.
	LastDay time.Time
}

// Open reports whether a withdrawal made at at is within the period: always
// while an item is still to be delivered, else until the end of LastDay.
func (p WithdrawalPeriod) Open(at time.Time) bool {
	if p.Pending {
		return true
	}
	return p.Started && WithinWithdrawal(at, p.LastDay)
}

// WithdrawalPeriodOf returns the withdrawal period of o under p, its days
// counted in zone: open while any unit (gift cards aside) is not fulfilled,
// then until 14 days after delivery of the last item. Units of a cancelled
// order will not be delivered, so they keep nothing open.
func WithdrawalPeriodOf(o *Order, p WithdrawalPolicy, zone *time.Location) WithdrawalPeriod {
	period := WithdrawalPeriod{Informed: !o.hasTag(p.NotInformedTag), DeliveryKnown: true}
	for _, l := range o.Lines {
		if !l.GiftCard && !o.Cancelled() && min(l.Fulfilled, l.Quantity) < l.Quantity {
			period.Pending = true
		}
		if l.Fulfilled <= 0 || l.FulfilledAt.IsZero() {
			continue
		}
		at := l.FulfilledAt
		if !l.Delivered {
			at = at.AddDate(0, 0, p.DeliveryDays)
			period.DeliveryKnown = false
		}
		if !period.Started || at.After(period.Received) {
			period.Received = at
		}
		period.Started = true
	}
	if period.Pending || !period.Started {
		period.Received, period.DeliveryKnown = time.Time{}, false
		return period
	}
	period.LastDay = WithdrawalLastDay(period.Received, zone, period.Informed)
	return period
}

// Exemption returns why the law exempts l from withdrawal under p, or
// ExemptNone.
func (p WithdrawalPolicy) Exemption(l *LineItem) Exemption {
	for _, e := range Exemptions {
		if tag := p.ExemptTags[e]; tag != "" && l.HasProductTag(tag) {
			return e
		}
	}
	return ExemptNone
}

// WithdrawalLine says how many units of one line a customer can withdraw
// from, or why none.
type WithdrawalLine struct {
	Line         LineItem
	Withdrawable int
	// Exempt is set for goods the law exempts; Reason for the other causes
	// (not fulfilled, already returned, a gift card, a cancelled order).
	Exempt Exemption
	Reason Ineligible
	// Unshipped counts the line's units not fulfilled yet. The law lets the
	// customer withdraw from them before they arrive, but the function does
	// not take them: a return of the portal holds fulfilled units only (its
	// Shopify return, its refund and its parcel all need them shipped), so
	// the page tells the customer to write to the store, whose staff cancel
	// them. Zero for lines that cannot be withdrawn from at all.
	Unshipped int
}

// WithdrawalLines applies p to every line of o: exempt goods, gift cards and
// what was not fulfilled or is held by active returns (held, as HeldUnits
// says) cannot be withdrawn from through the function; units not fulfilled
// are counted as Unshipped. The period is not looked at here: it is
// the order's, not a line's.
func WithdrawalLines(o *Order, p WithdrawalPolicy, held map[string]int) []WithdrawalLine {
	out := make([]WithdrawalLine, 0, len(o.Lines))
	for _, l := range o.Lines {
		wl := WithdrawalLine{Line: l}
		fulfilled := min(l.Fulfilled, l.Quantity)
		switch {
		case o.Cancelled():
			wl.Reason = IneligibleOrderCancelled
		case l.GiftCard:
			wl.Reason = IneligibleGiftCard
		case p.Exemption(&l) != ExemptNone:
			wl.Exempt = p.Exemption(&l)
		case fulfilled <= 0:
			wl.Reason = IneligibleNotFulfilled
		case fulfilled-held[l.ID] <= 0:
			wl.Reason = IneligibleAlreadyReturned
		default:
			wl.Withdrawable = fulfilled - held[l.ID]
		}
		if wl.Reason != IneligibleOrderCancelled && wl.Reason != IneligibleGiftCard && wl.Exempt == ExemptNone {
			wl.Unshipped = max(l.Quantity-max(fulfilled, 0), 0)
		}
		out = append(out, wl)
	}
	return out
}

// hasTag reports whether o carries tag, compared as Shopify compares tags.
func (o *Order) hasTag(tag string) bool {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return false
	}
	for _, t := range o.Tags {
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}
