package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAutoApprovalInBrowser: staff add an auto-approval rule on its page
// (a first try with a mistake comes back marked, with what was typed); then a
// customer's scarf return is approved as it is sent: the confirmation says
// so, the return's timeline shows the approval by the system naming the
// rule, and the outbox holds one approval email to the customer.
func TestAutoApprovalInBrowser(t *testing.T) {
	base, password := startPortalStaff(t, nil)
	if password == "" {
		t.Fatal("the portal did not print the demo staff password at its first start")
	}
	ctx := browser(t)
	// The browser starts with its first tab; the staff's tab opens in it.
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/")))

	staff := staffTab(t, ctx, base, password)
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("nav a[href='/admin/settings']")),
		chromedp.WaitVisible(chromedp.CSS("a[href='/admin/settings/auto-approval']")),
		chromedp.Click(chromedp.CSS("a[href='/admin/settings/auto-approval']")),
		chromedp.WaitVisible(chromedp.CSS("#new-rule_name")),
		// The new rule's form offers the shop's currency, dissatisfied
		// returns, switched on; the amount is left wrong at first.
		chromedp.SendKeys(chromedp.CSS("#new-rule_name"), "Up to €50 within two weeks"),
		chromedp.SendKeys(chromedp.CSS("#new-max_amount"), "fifty"),
		chromedp.Click(chromedp.CSS("form:has(#new-rule_name) button[type=submit]")),
	))
	waitShown(t, staff, "#rule-errors")
	if got := text(t, staff, "#new-max_amount-error"); got != "Enter an amount like 29.00." {
		t.Errorf("the amount's message: %q", got)
	}
	typed := evalJS[string](t, staff, `document.querySelector("#new-max_amount").value`)
	invalid := evalJS[string](t, staff, `document.querySelector("#new-max_amount").getAttribute("aria-invalid")`)
	if typed != "fifty" || invalid != "true" {
		t.Errorf("the amount field holds %q, aria-invalid %q; want what was typed, marked", typed, invalid)
	}
	must(t, chromedp.Do(staff,
		chromedp.SetValue(chromedp.CSS("#new-max_amount"), "50.00"),
		chromedp.Click(chromedp.CSS("form:has(#new-rule_name) button[type=submit]")),
	))
	waitLocation(t, staff, "?done=rule-saved")
	if width, viewport := evalJS[int](t, staff, `document.documentElement.scrollWidth`), evalJS[int](t, staff, `window.innerWidth`); width > viewport {
		t.Errorf("the rules page is %d px wide in a %d px window", width, viewport)
	}
	if got := text(t, staff, "#rule-1-h"); !strings.Contains(got, "Up to €50 within two weeks") || !strings.Contains(got, "On") {
		t.Errorf("the saved rule's heading: %q", got)
	}

	// The customer: a scarf that does not fit, €49.00, delivered 10 days ago.
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	scarf := submitInBrowser(t, ctx, "Wool scarf",
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
	)
	if got := text(t, ctx, "main"); !strings.Contains(got, "Your return is approved already.") {
		t.Errorf("the confirmation does not say the return is approved:\n%s", got)
	}

	// Staff: the return's timeline, then the outbox.
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+scarf),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	))
	timeline := text(t, staff, "main")
	for _, want := range []string{"Approved automatically · System", "By the rule “Up to €50 within two weeks”"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the return's page lacks %q:\n%s", want, timeline)
		}
	}
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/outbox"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	))
	approvals := evalJS[int](t, staff, `[...document.querySelectorAll("tbody tr")].filter(tr =>
		tr.textContent.includes(`+quoteJS(scarf+": approved")+`) && tr.textContent.includes("sam.taylor@example.com")).length`)
	if approvals != 1 {
		t.Errorf("%d approval emails of %s to the customer in the outbox, want 1", approvals, scarf)
	}
}
