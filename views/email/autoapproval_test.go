package email

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestStaffNoticeOfAutoApprovedReturn: the staff notice of a new return that
// a rule approves says so, naming the rule, in its subject and its text; a
// return no rule matched is announced as before.
func TestStaffNoticeOfAutoApprovedReturn(t *testing.T) {
	d := data(returns.EmailStaffNewReturn, testReturn("lv"))
	d.AutoApprovalRule = "Mugs up to €30"
	e, err := Renderer{}.RenderEmail(d)
	if err != nil {
		t.Fatal(err)
	}
	if e.Subject != "New return R-7KQ9X2MD for order #1001, approved automatically" {
		t.Errorf("subject %q", e.Subject)
	}
	if !strings.Contains(e.Text, "The auto-approval rule “Mugs up to €30” matches this return") || !strings.Contains(e.HTML, "Mugs up to €30") {
		t.Errorf("the notice does not name the rule:\n%s", e.Text)
	}

	d.AutoApprovalRule = ""
	if e, err = (Renderer{}).RenderEmail(d); err != nil || strings.Contains(e.Subject+e.Text, "automatically") {
		t.Errorf("a return no rule matched: %q\n%s (%v)", e.Subject, e.Text, err)
	}
}
