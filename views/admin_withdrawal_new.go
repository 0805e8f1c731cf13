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
}

// registrationFields are the registration form's fields in page order.
var registrationFields = []formField{
	{returns.FieldOrder, returns.FieldOrder}, {returns.FieldEmail, returns.FieldEmail}, {returns.FieldName, returns.FieldName},
	{returns.FieldChannel, "channel-email"}, {returns.FieldArrived, returns.FieldArrived}, {returns.FieldWithdrawalReason, returns.FieldWithdrawalReason},
	{returns.FieldItems, ""},
}

// summary lists the form's messages in page order, each linking to its field.
func (p WithdrawalRegistrationPage) summary(l Localizer) []formError {
	return p.Form.summary(l, registrationFields)
}
