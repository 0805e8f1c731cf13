package views

import (
	"strconv"

	returns "github.com/returnsportal/returns"
)

// AutoApprovalPage lists the auto-approval rules, each in a form of its own,
// and a form that adds one.
type AutoApprovalPage struct {
	AdminPage
	Rules []returns.AutoApprovalRule
	// FailedRule is the ID of the rule whose form comes back with Form's
	// messages and what was typed (0: the new rule's form); Form is empty
	// when no form failed.
	FailedRule int64
	Form       Form
	// NewCurrency is the currency the new rule's form offers.
	NewCurrency string
}

// ruleForm is one rule's form as the page shows it: the values of its fields
// by name, and the messages when it is the form that failed.
type ruleForm struct {
	ID     int64 // 0 for the new rule
	Rule   returns.AutoApprovalRule
	Values map[string]string
	Form   Form
}

// ruleValues are the values of a rule's form fields.
func ruleValues(r returns.AutoApprovalRule) map[string]string {
	v := map[string]string{
		returns.FieldRuleName:      r.Name,
		returns.FieldRuleDays:      "",
		returns.FieldRuleMaxAmount: "",
		returns.FieldRuleCurrency:  r.MaxAmount.Currency,
	}
	if r.WithinDays > 0 {
		v[returns.FieldRuleDays] = strconv.Itoa(r.WithinDays)
	}
	// The new rule's form leaves the amount for staff to choose.
	if r.ID != 0 {
		v[returns.FieldRuleMaxAmount] = r.MaxAmount.Decimal()
	}
	for name, on := range map[string]bool{returns.FieldRuleEnabled: r.Enabled, returns.FieldRuleDissatisfied: r.Dissatisfied, returns.FieldRuleDamaged: r.Damaged} {
		if on {
			v[name] = "on"
		}
	}
	return v
}

// forms are the page's forms: one per rule, then the new rule's. The one that
// failed shows what was typed, with its messages.
func (p AutoApprovalPage) forms() []ruleForm {
	newRule := returns.AutoApprovalRule{Enabled: true, Dissatisfied: true, WithinDays: 14, MaxAmount: returns.Money{Currency: p.NewCurrency}}
	out := make([]ruleForm, 0, len(p.Rules)+1)
	for _, r := range append(p.Rules, newRule) {
		f := ruleForm{ID: r.ID, Rule: r, Values: ruleValues(r)}
		if p.Form.Failed() && r.ID == p.FailedRule {
			f.Values, f.Form = p.Form.Values, p.Form
		}
		out = append(out, f)
	}
	return out
}

// id is the id of the control of field name in this rule's form: every
// rule's form is on the one page.
func (f ruleForm) id(name string) string {
	if f.ID == 0 {
		return "new-" + name
	}
	return "rule-" + strconv.FormatInt(f.ID, 10) + "-" + name
}

// checked reports whether the checkbox named name is ticked.
func (f ruleForm) checked(name string) bool { return f.Values[name] != "" }

// ruleFields are a rule form's fields in page order.
var ruleFields = []string{
	returns.FieldRuleName, returns.FieldRuleEnabled, returns.FieldRuleKinds, returns.FieldRuleDays,
	returns.FieldRuleMaxAmount, returns.FieldRuleCurrency,
}

// summary lists the failed form's messages in page order, each linking to its
// control.
func (p AutoApprovalPage) summary(l Localizer) []formError {
	f := ruleForm{ID: p.FailedRule}
	fields := make([]formField, len(ruleFields))
	for i, name := range ruleFields {
		id := f.id(name)
		if name == returns.FieldRuleKinds {
			id = f.id(returns.FieldRuleDissatisfied)
		}
		fields[i] = formField{name, id}
	}
	return p.Form.summary(l, fields)
}

// heading is the heading of a rule's form.
func (f ruleForm) heading(l Localizer) string {
	if f.ID == 0 {
		return l.T("Add a rule")
	}
	return f.Rule.Name
}

// state says whether a rule is on, for its heading.
func (f ruleForm) state(l Localizer) string {
	if f.Rule.Enabled {
		return l.T("On")
	}
	return l.T("Off")
}

// ruleDescription says in one sentence what a rule approves, for staff.
func ruleDescription(l Localizer, rule returns.AutoApprovalRule) string {
	worth := l.Money(rule.MaxAmount)
	switch {
	case rule.Dissatisfied && rule.Damaged:
		return l.Plural(rule.WithinDays,
			"Approve a return of an item the customer is not satisfied with, or of a damaged item, requested within %d day of delivery and worth at most %s.",
			"Approve a return of an item the customer is not satisfied with, or of a damaged item, requested within %d days of delivery and worth at most %s.", worth)
	case rule.Damaged:
		return l.Plural(rule.WithinDays,
			"Approve a return of a damaged item requested within %d day of delivery and worth at most %s.",
			"Approve a return of a damaged item requested within %d days of delivery and worth at most %s.", worth)
	}
	return l.Plural(rule.WithinDays,
		"Approve a return of an item the customer is not satisfied with requested within %d day of delivery and worth at most %s.",
		"Approve a return of an item the customer is not satisfied with requested within %d days of delivery and worth at most %s.", worth)
}

// errorIDIf is the id of the message about field name in f, or "" when the
// field has none.
func errorIDIf(f ruleForm, name string) string {
	if !f.Form.Invalid(name) {
		return ""
	}
	return errorID(f.id(name))
}
