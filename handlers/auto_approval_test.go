package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// scarfRule is the form of a rule that approves the scarf of #1002 (€49.00,
// delivered 10 days ago, the customer not satisfied).
func scarfRule() url.Values {
	return url.Values{
		returns.FieldRuleName: {"Up to €50 within two weeks"}, returns.FieldRuleEnabled: {"on"},
		returns.FieldRuleDissatisfied: {"on"}, returns.FieldRuleDays: {"14"},
		returns.FieldRuleMaxAmount: {"50.00"}, returns.FieldRuleCurrency: {"EUR"},
	}
}

// TestAutoApprovalRulesForm: staff add, edit and delete rules on their page;
// a form with mistakes comes back with a message per field and what was
// typed, and saves nothing; the settings form leaves the rules alone.
func TestAutoApprovalRulesForm(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	ctx := context.Background()

	page := h.get(staff, paths.AdminAutoApprovalURL())
	if page.status != http.StatusOK || !strings.Contains(page.body, "There are no rules yet") {
		t.Fatalf("rules page: %d\n%s", page.status, page.body)
	}
	if a := h.get(staff, paths.AdminSettingsURL()); !strings.Contains(a.body, `href="`+paths.AdminAutoApprovalURL()+`"`) {
		t.Error("the settings page does not link to the rules")
	}

	bad := scarfRule()
	bad.Set(returns.FieldRuleName, "My rule")
	bad.Set(returns.FieldRuleDays, "two weeks")
	bad.Set(returns.FieldRuleMaxAmount, "fifty")
	bad.Del(returns.FieldRuleDissatisfied)
	a := h.postForm(staff, paths.AdminAutoApprovalURL(), bad)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad rule: status %d, want 422\n%s", a.status, a.body)
	}
	body := html.UnescapeString(a.body)
	for _, want := range []string{
		"Enter a number of days from 1 to 365.", "Enter an amount like 29.00.", "Choose at least one kind of return.",
		`value="two weeks"`, `value="fifty"`, `value="My rule"`,
		`id="new-within_days" name="within_days" value="two weeks"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form that came back lacks %q", want)
		}
	}
	if n := strings.Count(a.body, `aria-invalid="true"`); n < 3 {
		t.Errorf("%d controls marked invalid, want the days, the amount and the kinds", n)
	}
	if rules, _ := h.store.AutoApprovalRules(ctx); len(rules) != 0 {
		t.Fatalf("a bad rule was saved: %+v", rules)
	}

	a = h.postForm(staff, paths.AdminAutoApprovalURL(), scarfRule())
	if a.status != http.StatusSeeOther || a.header.Get("Location") != paths.WithDone(paths.AdminAutoApprovalURL(), "rule-saved") {
		t.Fatalf("save: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	page = h.get(staff, a.header.Get("Location"))
	for _, want := range []string{"Rule saved.", "Up to €50 within two weeks", "Approve a return of an item the customer is not satisfied with requested within 14 days of delivery and worth at most €50.00."} {
		if !strings.Contains(html.UnescapeString(page.body), want) {
			t.Errorf("rules page lacks %q", want)
		}
	}
	rules, _ := h.store.AutoApprovalRules(ctx)
	if len(rules) != 1 || rules[0].MaxAmount != (returns.Money{Minor: 5000, Currency: "EUR"}) || !rules[0].Enabled {
		t.Fatalf("rules = %+v", rules)
	}

	t.Run("the settings form keeps the rules", func(t *testing.T) {
		st, _ := h.app.Settings.Settings(ctx)
		a := h.postForm(staff, paths.AdminSettingsURL(), url.Values{
			returns.FieldReturnAddress: {st.ReturnAddress}, returns.FieldWindowDays: {"30"},
			returns.FieldInstructionsEN: {st.InstructionsEN}, returns.FieldPhotoRetentionDays: {"0"},
		})
		if a.status != http.StatusSeeOther {
			t.Fatalf("settings: %d\n%s", a.status, a.body)
		}
		if got, _ := h.store.AutoApprovalRules(ctx); !slices.Equal(got, rules) {
			t.Errorf("rules after saving the settings = %+v, want %+v", got, rules)
		}
	})

	t.Run("edit, include damaged items, switch off", func(t *testing.T) {
		v := scarfRule()
		v.Set(returns.FieldRuleID, "1")
		v.Set(returns.FieldRuleDamaged, "on")
		v.Del(returns.FieldRuleEnabled)
		if a := h.postForm(staff, paths.AdminAutoApprovalURL(), v); a.status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", a.status, a.body)
		}
		got, _ := h.store.AutoApprovalRules(ctx)
		if len(got) != 1 || got[0].Enabled || !got[0].Damaged || got[0].ID != 1 {
			t.Errorf("rules = %+v", got)
		}
	})

	t.Run("delete", func(t *testing.T) {
		a := h.postForm(staff, paths.AdminAutoApprovalDeleteURL(1), nil)
		if a.status != http.StatusSeeOther {
			t.Fatalf("delete: %d\n%s", a.status, a.body)
		}
		if got, _ := h.app.AutoApproval.Rules(ctx); len(got) != 0 {
			t.Errorf("rules = %+v", got)
		}
		if a := h.postForm(staff, paths.AdminAutoApprovalDeleteURL(1), nil); a.status != http.StatusNotFound {
			t.Errorf("deleting it again: %d, want 404", a.status)
		}
	})

	t.Run("only staff", func(t *testing.T) {
		if a := h.postForm(h.client(), paths.AdminAutoApprovalURL(), scarfRule()); a.status != http.StatusForbidden {
			t.Errorf("a stranger's rule: %d, want 403", a.status)
		}
		if got, _ := h.app.AutoApproval.Rules(ctx); len(got) != 0 {
			t.Errorf("rules = %+v", got)
		}
	})
}

// TestAutoApprovedReturn: with a rule in place, the customer's scarf return
// is approved as it is sent: the confirmation says so, the timeline shows the
// approval by the system naming the rule, the customer gets one approval
// email (a second sending of the same form changes nothing), the Shopify order
// carries the approval and Shopify's return follows. A damaged item the rule
// does not include waits for staff.
func TestAutoApprovedReturn(t *testing.T) {
	h := nativeHarness(t)
	staff := h.staff("kim@example.com")
	if a := h.postForm(staff, paths.AdminAutoApprovalURL(), scarfRule()); a.status != http.StatusSeeOther {
		t.Fatalf("save rule: %d\n%s", a.status, a.body)
	}

	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	key, lines := h.orderForm(c)
	form := []part{field("key", key), field("line", lines["Wool scarf"]), field("qty-"+lines["Wool scarf"], "1"),
		field("kind", "dissatisfied"), field("reason", "doesnt_fit")}
	a := h.postMultipart(c, "/order/returns", form)
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	if a.status != http.StatusSeeOther || code == "" {
		t.Fatalf("submit: %d\n%s", a.status, a.body)
	}
	if got := h.returnStatus(code); got != returns.StatusApproved {
		t.Fatalf("status %s, want approved", got)
	}
	confirmation := h.get(c, a.header.Get("Location"))
	if !strings.Contains(confirmation.body, "Your return is approved already.") {
		t.Errorf("the confirmation does not say the return is approved\n%s", confirmation.body)
	}

	// The same form again (a double click, the back button): the same
	// return, approved once.
	again := h.postMultipart(c, "/order/returns", form)
	if again.status != http.StatusSeeOther || !strings.Contains(again.header.Get("Location"), code) {
		t.Fatalf("the same form again: %d %q", again.status, again.header.Get("Location"))
	}

	if got, want := h.emailsOf(t, code), []returns.EmailKind{returns.EmailApproved, returns.EmailRequestReceived}; !slices.Equal(got, want) {
		t.Errorf("customer emails = %v, want one approval and the request's", got)
	}
	approval := h.emailOf(t, code, returns.EmailApproved)
	if approval.To != "sam.taylor@example.com" || !strings.Contains(approval.Text, "Brīvības iela 1") || !strings.Contains(approval.Text, code) {
		t.Errorf("approval email to %s:\n%s", approval.To, approval.Text)
	}

	page := html.UnescapeString(h.get(staff, paths.AdminReturnURL(code)).body)
	for _, want := range []string{"Approved automatically", "By the rule “Up to €50 within two weeks”", "System"} {
		if !strings.Contains(page, want) {
			t.Errorf("the return's page lacks %q", want)
		}
	}
	evs, _ := h.store.Events(context.Background(), mustReturnID(t, h, code))
	n := 0
	for _, ev := range evs {
		if ev.Type == returns.EventAutoApproved {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d auto-approval events, want 1", n)
	}
	if !strings.Contains(h.customerPage(t, code), "Return approved") {
		t.Error("the customer's status page does not show the approval")
	}

	o, _ := h.shop.OrderByName("#1002")
	if !strings.Contains(o.Note, code+": approved automatically by the rule “Up to €50 within two weeks”") || !slices.Contains(o.Tags, "returns:approved") {
		t.Errorf("Shopify order note %q, tags %v", o.Note, o.Tags)
	}
	h.syncShop()
	if got := h.shopReturnStatus("#1002"); got != "OPEN" {
		t.Errorf("Shopify return %s, want OPEN (approved)", got)
	}

	if got := h.returnStatus(h.damagedTowel()); got != returns.StatusRequested {
		t.Errorf("a damaged towel is %s, want requested: the rule does not include damaged items", got)
	}
}

func mustReturnID(t *testing.T, h *harness, code string) int64 {
	t.Helper()
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}
