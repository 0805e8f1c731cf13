package views

import (
	returns "github.com/returnsportal/returns"
)

// WithdrawalPage is the withdrawal function of a proven order: the statement's
// form, or, with Review, the statement in full with the button that confirms
// it.
type WithdrawalPage struct {
	Page
	Withdrawal *returns.CustomerWithdrawal
	Form       WithdrawalForm
	// Review is the withdrawal the statement would make, unsaved, shown for
	// the customer to confirm; nil shows the form.
	Review *returns.Return
}

// WithdrawalForm is the statement's form: its messages and the values sent.
type WithdrawalForm struct {
	Form
	SubmissionKey string
	Quantities    map[string]int  // line item id → chosen units
	Chosen        map[string]bool // line item id → the line's checkbox was ticked
}

// value is what the form shows in field name: what was sent, else def.
func (f WithdrawalForm) value(name, def string) string {
	if v, ok := f.Values[name]; ok {
		return v
	}
	return def
}

// summaryFields are the statement's fields in page order.
func (p WithdrawalPage) summaryFields() []formField {
	fields := []formField{{returns.FieldForm, ""}, {returns.FieldItems, returns.FieldItems}}
	for _, wl := range p.Withdrawal.Lines {
		fields = append(fields, formField{returns.FieldQuantity(wl.Line.ID), quantityID(wl.Line)})
	}
	return append(fields,
		formField{returns.FieldName, returns.FieldName},
		formField{returns.FieldEmail, returns.FieldEmail},
		formField{returns.FieldWithdrawalReason, returns.FieldWithdrawalReason},
	)
}

// withdrawalLineNote says of a line that cannot be withdrawn from why, in
// l's language.
func withdrawalLineNote(l Localizer, wl returns.WithdrawalLine) string {
	if wl.Exempt != returns.ExemptNone {
		return l.Exemption(wl.Exempt)
	}
	if wl.Reason == returns.IneligibleNotFulfilled && wl.Unshipped > 0 {
		// A return waits for the goods; a withdrawal does not (Directive
		// 2011/83/EU, Article 9(3)), but the function only takes shipped
		// units: the page's note says how to withdraw from the rest.
		return l.T("Not shipped yet: to withdraw from it, write to us.")
	}
	return l.Ineligible(returns.LineEligibility{Line: wl.Line, Reason: wl.Reason})
}
