package views

import (
	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// actionFields lists the fields of each action's form in page order, for the
// error summary's links.
var actionFields = map[paths.Action][]string{
	paths.ActionApprove: {returns.FieldMessage},
	paths.ActionDecline: {returns.FieldReason},
	paths.ActionRefund:  {returns.FieldAmount, returns.FieldRaiseReason, returns.FieldRefundMethod},
	paths.ActionShip:    {returns.FieldCarrier, returns.FieldNumber, returns.FieldCarrierName, returns.FieldTrackingURL},
	paths.ActionNote:    {returns.FieldNote},
}

// actionName is how the error summary names an action.
func actionName(l Localizer, a paths.Action) string {
	switch a {
	case paths.ActionApprove:
		return l.T("Approve")
	case paths.ActionDecline:
		return l.T("Decline")
	case paths.ActionReceive:
		return l.T("Mark as received")
	case paths.ActionRefund:
		return l.T("Refund")
	case paths.ActionShip:
		return l.T("Ship a replacement")
	case paths.ActionClose:
		return l.T("Close")
	case paths.ActionNote:
		return l.T("Internal note")
	}
	return string(a)
}

// fieldID is the HTML id of a field of an action's form: the same field name
// (e.g. "reason") can appear in two forms of one page.
func fieldID(a paths.Action, field string) string { return string(a) + "-" + field }

// actionForm is the state of action a's form: the failed form when a failed,
// else a fresh one.
func (p AdminReturnPage) actionForm(a paths.Action) Form {
	if p.Failed != a {
		return Form{}
	}
	return p.Form
}

// value is what a field of action a's form shows: the value sent when the
// form failed, else def.
func (p AdminReturnPage) value(a paths.Action, field, def string) string {
	if p.Failed != a {
		return def
	}
	return p.Form.Value(field)
}

// actionFailed reports whether the page shows a failed action with messages.
func (p AdminReturnPage) actionFailed() bool { return p.Failed != "" && p.Form.Failed() }

// actionErrors is the heading of the failed action's error summary, which
// names the action.
func (p AdminReturnPage) actionErrors(l Localizer) string {
	return actionName(l, p.Failed) + ": " + p.Form.heading(l)
}

// actionSummary lists the failed action's messages, each linking to its field.
func (p AdminReturnPage) actionSummary(l Localizer) []formError {
	var fields []formField
	for _, f := range actionFields[p.Failed] {
		fields = append(fields, formField{f, fieldID(p.Failed, f)})
	}
	return p.Form.summary(l, fields)
}

// refundKey is the idempotency key the refund form carries. A refund form shown
// again after it failed keeps the key it was sent with, so that a second click
// after a lost answer cannot make a second refund — unless Shopify refused the
// refund made with that key: the same key would only bring back that refusal.
func (p AdminReturnPage) refundKey() string {
	key := p.value(paths.ActionRefund, returns.FieldKey, "")
	if key == "" {
		return p.View.RefundKey
	}
	for _, ref := range p.View.Refunds {
		if ref.IdempotencyKey == key && ref.State == returns.RefundFailed {
			return p.View.RefundKey
		}
	}
	return key
}

// refundAmount is the amount the refund form shows: what was typed when it
// failed, else Shopify's suggestion when there is one.
func (p AdminReturnPage) refundAmount() string {
	suggested := ""
	if p.View.Suggested.Minor != 0 {
		suggested = p.View.Suggested.Decimal()
	}
	return p.value(paths.ActionRefund, returns.FieldAmount, suggested)
}

// refundCurrency is the currency refunds of this return are in.
func (p AdminReturnPage) refundCurrency() string {
	if p.View.Return.Currency != "" {
		return p.View.Return.Currency
	}
	return p.View.Suggested.Currency
}
