package views

import returns "github.com/returnsportal/returns"

// WithdrawalRegistrationPage is the form on which staff register a
// statement of withdrawal that arrived by email or post.
type WithdrawalRegistrationPage struct {
	AdminPage
	// Form holds what was typed, and the messages when it was refused.
	Form Form
	// SubmissionKey is made when the form is first shown, so that sending
	// it twice registers one withdrawal.
	SubmissionKey string
	// Today is the latest day a statement can have arrived, in the store's
	// zone ("2006-01-02").
	Today string
	// Withdrawal is the order found by its number and email, whose lines
	// staff choose from; nil before it is found.
	Withdrawal *returns.CustomerWithdrawal
	// ItemsChosen says the form showed the order's lines, so the items sent
	// are what staff chose; Chosen and Quantities are those items.
	ItemsChosen bool
	Chosen      map[string]bool // line item id → its checkbox was ticked
	Quantities  map[string]int  // line item id → units
}

// summary lists the form's messages in page order, each linking to its field.
func (p WithdrawalRegistrationPage) summary(l Localizer) []formError {
	fields := []formField{{returns.FieldOrder, returns.FieldOrder}, {returns.FieldEmail, returns.FieldEmail}, {returns.FieldItems, ""}}
	if p.Withdrawal != nil {
		for _, wl := range p.Withdrawal.Lines {
			fields = append(fields, formField{returns.FieldQuantity(wl.Line.ID), quantityID(wl.Line)})
		}
	}
	return p.Form.summary(l, append(fields,
		formField{returns.FieldName, returns.FieldName}, formField{returns.FieldChannel, "channel-email"},
		formField{returns.FieldArrived, returns.FieldArrived}, formField{returns.FieldWithdrawalReason, returns.FieldWithdrawalReason},
	))
}

// items is the item list's part of the form: the lines chosen and their
// quantities, with the form's messages.
func (p WithdrawalRegistrationPage) items() WithdrawalForm {
	return WithdrawalForm{Form: p.Form, SubmissionKey: p.SubmissionKey, Chosen: p.Chosen, Quantities: p.Quantities}
}
