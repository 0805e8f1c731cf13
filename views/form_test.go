package views

import (
	"slices"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestFormSummary: a form's messages are summed up in the page's order of its
// fields, each linking to its control, then the messages about fields the page
// does not list, by name and linking nowhere; in the page's language.
func TestFormSummary(t *testing.T) {
	items, reason, other := returns.Msg("Choose at least one item to return."), returns.Msg("Choose a reason."), returns.Msg("Tell us the reason.")
	f := Form{Fields: map[string]returns.Message{"zeta": reason, "reason": reason, "alpha": other, "items": items}}
	lv := Localizer{Lang: "lv"}
	got := f.summary(lv, []formField{{"items", "items"}, {"form", ""}, {"reason", "reason-x"}})
	want := []formError{
		{"items", lv.Msg(items)},
		{"reason-x", lv.Msg(reason)},
		{"", lv.Msg(other)},
		{"", lv.Msg(reason)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("summary\n%q\nwant\n%q", got, want)
	}
	if got[0].Text == items.String() {
		t.Errorf("summary in English on a Latvian page: %q", got[0].Text)
	}
	msg := returns.Msg("Please correct the marked fields.")
	if (Form{}).Failed() || !f.Failed() || !(Form{Error: &msg}).Failed() {
		t.Error("Failed() does not tell a form with messages from one without")
	}
	if got := describedBy("ship-number", true, true); got != "ship-number-hint ship-number-error" {
		t.Errorf("describedBy = %q", got)
	}
	if got := describedBy("ship-number", false, false); got != "" {
		t.Errorf("describedBy of a control without hint or message = %q", got)
	}
}
