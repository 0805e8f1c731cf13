package views

import (
	"slices"
	"strings"

	returns "github.com/returnsportal/returns"
)

// Form is a form as a page shows it: the values sent when it comes back after
// a failure, a message about the form as a whole, and a message per field,
// each keyed by the field's name (returns.FieldX), as the domain reports them.
// Every form of the portal is shown from one, so that each marks its invalid
// fields, ties each control to its hint and its message (aria-describedby),
// and sums the messages up in page order, the same way.
type Form struct {
	Values map[string]string          // the values sent, by field name
	Error  *returns.Message           // about the form as a whole; nil for none
	Fields map[string]returns.Message // about one field each, by field name
}

// Failed reports whether the form comes back with messages.
func (f Form) Failed() bool { return f.Error != nil || len(f.Fields) > 0 }

// Value is the value sent in the field named name.
func (f Form) Value(name string) string { return f.Values[name] }

// Message returns the message about the field named name, if any.
func (f Form) Message(name string) (returns.Message, bool) {
	m, ok := f.Fields[name]
	return m, ok
}

// Invalid reports whether the field named name has a message.
func (f Form) Invalid(name string) bool {
	_, ok := f.Fields[name]
	return ok
}

// heading is the first line of the form's error summary, in l's language: the
// message about the form, or a request to correct the fields.
func (f Form) heading(l Localizer) string {
	if f.Error != nil {
		return l.Msg(*f.Error)
	}
	return l.T("Please correct the marked fields.")
}

// formField is a field of a form, in page order, as its error summary links to
// it: its name and the id of the control to focus ("" for none).
type formField struct {
	name, id string
}

// formError is one entry of an error summary: its text and the id of the
// control it links to ("" for a message about no single control).
type formError struct {
	Target string
	Text   string
}

// summary lists the form's messages in l's language: first those of fields,
// in the order fields lists them (the page's), each linking to its control;
// then any others, by name, linking nowhere.
func (f Form) summary(l Localizer, fields []formField) []formError {
	var out []formError
	seen := map[string]bool{}
	for _, fd := range fields {
		if m, ok := f.Fields[fd.name]; ok && !seen[fd.name] {
			seen[fd.name] = true
			out = append(out, formError{Target: fd.id, Text: l.Msg(m)})
		}
	}
	rest := make([]string, 0, len(f.Fields))
	for name := range f.Fields {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		out = append(out, formError{Text: l.Msg(f.Fields[name])})
	}
	return out
}

// describedBy is the aria-describedby of the control with id id: its hint
// (hintID), when it has one, and its message (errorID), when it is invalid.
func describedBy(id string, hint, invalid bool) string {
	var ids []string
	if hint {
		ids = append(ids, hintID(id))
	}
	if invalid {
		ids = append(ids, errorID(id))
	}
	return idList(ids...)
}

// hintID is the id of the hint about the control with id id.
func hintID(id string) string { return id + "-hint" }

// errorID is the id of the message about the control with id id.
func errorID(id string) string { return id + "-error" }

// idList joins the non-empty ids for aria-describedby.
func idList(ids ...string) string {
	return strings.Join(slices.DeleteFunc(ids, func(s string) bool { return s == "" }), " ")
}
