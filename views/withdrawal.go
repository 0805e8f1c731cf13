package views

import (
	"strconv"
	"time"

	returns "github.com/returnsportal/returns"
)

// StatementFact is one line of a statement of withdrawal as the customer's
// acknowledgement shows it, on the status page and in the email alike.
type StatementFact struct {
	Label, Value string
}

// WithdrawalStatementFacts is the full content of r's statement of
// withdrawal, with the date and time it was made in the store's zone (l.Zone):
// what the acknowledgement repeats, on a durable medium (the email) and on the
// status page.
func WithdrawalStatementFacts(l Localizer, r *returns.Return) []StatementFact {
	w := r.Withdrawal
	if w == nil {
		return nil
	}
	reason := w.Reason
	if reason == "" {
		reason = l.T("None given (none is needed)")
	}
	facts := []StatementFact{
		{l.T("Statement"), l.T("I withdraw from my contract of sale of the goods below.")},
		{l.T("Your name"), w.Name},
		{l.T("Email address"), w.Email},
		{l.T("Order"), r.OrderName},
	}
	for _, it := range r.Items {
		facts = append(facts, StatementFact{l.T("Item"), strconv.Itoa(it.Quantity) + " × " + it.Name()})
	}
	facts = append(facts,
		StatementFact{l.T("Reason"), reason},
		StatementFact{l.T("Made on"), l.DateTime(w.MadeAt) + zoneSuffix(l)},
		StatementFact{l.T("Made through"), l.Channel(w.Channel)},
		StatementFact{l.T("Reference"), r.Code},
	)
	return facts
}

// zoneSuffix names the zone a date and time is told in, e.g. " (Europe/Riga)".
func zoneSuffix(l Localizer) string {
	if l.Zone == nil {
		return " (UTC)"
	}
	return " (" + l.Zone.String() + ")"
}

// Channel names how a statement reached the store.
func (l Localizer) Channel(c returns.WithdrawalChannel) string {
	switch c {
	case returns.WithdrawalByEmail:
		return l.T("Email")
	case returns.WithdrawalByPost:
		return l.T("Post")
	}
	return l.T("The withdrawal function on this site")
}

// WithdrawalRefundText says how and by when a withdrawal is refunded: to the
// payments used, within 14 days of the statement.
func WithdrawalRefundText(l Localizer, r *returns.Return) string {
	if r.Withdrawal == nil {
		return ""
	}
	zone := l.Zone
	if zone == nil {
		zone = time.UTC
	}
	return l.T("We refund everything you paid for these items, with the standard delivery when you withdraw from the whole order, to the payment methods you used, within 14 days of your statement: by %s at the latest. We may wait with the refund until the items are back with us or you show us that you sent them.",
		l.Date(r.WithdrawalRefundDeadline(zone)))
}

// Exemption says why the law exempts an item from withdrawal.
func (l Localizer) Exemption(e returns.Exemption) string {
	switch e {
	case returns.ExemptCustomMade:
		return l.T("Made to your specifications or personalised: the law excludes it from withdrawal.")
	case returns.ExemptPerishable:
		return l.T("Perishable goods: the law excludes them from withdrawal.")
	case returns.ExemptSealedHygiene:
		return l.T("Sealed for health or hygiene reasons: the law excludes it from withdrawal once unsealed.")
	}
	return ""
}

// Basis names the law a return is made under, for staff.
func (l Localizer) Basis(b returns.LegalBasis) string {
	switch b {
	case returns.BasisWithdrawal:
		return l.T("Statutory withdrawal")
	case returns.BasisGuarantee:
		return l.T("Legal guarantee")
	}
	return l.T("Commercial return")
}
