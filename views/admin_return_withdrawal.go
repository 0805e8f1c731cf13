package views

import (
	returns "github.com/returnsportal/returns"
)

// withdrawalDeadlineText says where a withdrawal's refund deadline stands
// today: the days left, the last day being today, or how long ago it passed;
// "" once the return is refunded, when the clock no longer runs.
func withdrawalDeadlineText(l Localizer, r *returns.Return, c returns.WithdrawalClock) string {
	switch {
	case r.Status == returns.StatusRefunded || r.Status == returns.StatusClosed:
		return l.T("Refunded: the clock has stopped.")
	case c.Passed:
		return l.Plural(-c.DaysLeft, "Passed %d day ago: refund now.", "Passed %d days ago: refund now.")
	case c.DaysLeft == 0:
		return l.T("The last day is today.")
	}
	return l.Plural(c.DaysLeft, "%d day left.", "%d days left.")
}

// WithdrawalDueText writes a withdrawal's amount due with its delivery line,
// e.g. "items €58.00 + delivery €3.90 = €61.90", or the items alone with why
// no delivery is owed.
func WithdrawalDueText(l Localizer, w *returns.StaffWithdrawal) string {
	d := w.Delivery
	switch {
	case d.Due.Minor > 0:
		return l.T("items %s + delivery %s = %s", l.Money(w.Items), l.Money(d.Due), l.Money(w.Due))
	case d.Partial:
		return l.T("items %s; no delivery: not the whole order", l.Money(w.Items))
	case d.Excluded:
		return l.T("items %s; no delivery: the settings leave delivery out of refunds, which the law does not allow", l.Money(w.Items))
	case d.Paid.Minor > 0:
		return l.T("items %s; the delivery is refunded already", l.Money(w.Items))
	}
	return l.T("items %s; no delivery was paid", l.Money(w.Items))
}

// withdrawalCappedText says the delivery due was lowered to the cheapest
// standard delivery, when it was.
func withdrawalCappedText(l Localizer, w *returns.StaffWithdrawal) string {
	if !w.Delivery.Capped {
		return ""
	}
	return l.T("The customer paid %s for delivery; the law owes the cheapest standard delivery only.", l.Money(w.Delivery.Paid))
}

// withdrawalWithholdText says whether the refund may still be withheld
// (Directive 2011/83/EU, Article 13(3)).
func withdrawalWithholdText(l Localizer, r *returns.Return, c returns.WithdrawalClock) string {
	switch {
	case r.Status == returns.StatusRefunded || r.Status == returns.StatusClosed:
		return ""
	case c.MayWithhold:
		return l.T("May be withheld for now: the goods are not back and the customer has shown no proof of sending them.")
	case r.Parcel != nil:
		return l.T("May not be withheld: the customer has shown the parcel was sent (tracking %s).", r.Parcel.Number)
	}
	return l.T("May not be withheld: the goods are back.")
}
