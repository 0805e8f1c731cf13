package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// englishWords are words the backoffice's English pages are full of: none may
// be left on a page a staff member reads in Latvian. (Names, codes and
// amounts are not words of this list.)
var englishWords = regexp.MustCompile(`\b(Sign out|Queue|Settings|Reports|Outbox|Status|Customer|Order|Created|Refund|Approve|Decline|Return|Returns|Timeline|Actions|Note|Save|Search|Week|Reasons|the|and|of|with)\b`)

// englishLeft is what englishWords find in the text of the page in ctx.
func englishLeft(t *testing.T, ctx context.Context) []string {
	t.Helper()
	// The timeline's messages are kept as they were written when the step
	// was taken (and as the Shopify order's note has them), so they are left
	// out, with the settings' texts staff wrote, the demo store's name and
	// products.
	text := evalJS[string](t, ctx, `(() => { const b = document.body.cloneNode(true); b.querySelectorAll(".log .text, textarea").forEach(e => e.remove()); return b.innerText })()`)
	for _, data := range []string{"Wool scarf", "Returns Demo Store", "Shopify"} {
		text = strings.ReplaceAll(text, data, "")
	}
	var left []string
	for _, loc := range englishWords.FindAllStringIndex(text, -1) {
		left = append(left, text[max(0, loc[0]-30):min(len(text), loc[1]+30)])
	}
	return left
}

// TestBackofficeInLatvianInBrowser: a staff member signs in, switches the
// backoffice to Latvian with the switch on the page (a form, no script
// needed), and works through the queue, a return (approving it), the
// settings and the reports, all in Latvian; the choice stays with the
// account for the next page and the next sign-in.
func TestBackofficeInLatvianInBrowser(t *testing.T) {
	base, password := startPortalStaff(t, nil)
	if password == "" {
		t.Fatal("the portal did not print the demo staff password at its first start")
	}
	ctx := browser(t)
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	scarf := submitInBrowser(t, ctx, "Wool scarf",
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
	)

	staff, cancel := chromedp.NewContext(ctx)
	defer cancel()
	signIn := func() {
		t.Helper()
		must(t, chromedp.Do(staff,
			chromedp.Navigate(base+"/admin"),
			chromedp.WaitVisible(chromedp.CSS("input[name=password]")),
			chromedp.SendKeys(chromedp.CSS("input[name=email]"), "staff@example.com"),
			chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
			chromedp.Submit(chromedp.CSS("input[name=password]")),
			chromedp.WaitVisible(chromedp.CSS("a[href='/admin/returns/"+scarf+"']")),
		))
	}
	signIn()
	if lang := evalJS[string](t, staff, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("the backoffice starts in %q, want the store's English", lang)
	}

	// The switch, on the queue.
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("form[action='/admin/language'] button[value=lv]")),
		chromedp.WaitVisible(chromedp.CSS("html[lang=lv] main")),
	))
	waitLocation(t, staff, "/admin")
	check := func(page, heading string) {
		t.Helper()
		if h := evalJS[string](t, staff, `document.querySelector("h1").innerText`); !strings.Contains(h, heading) {
			t.Errorf("%s: heading %q, want %q", page, h, heading)
		}
		if left := englishLeft(t, staff); len(left) > 0 {
			t.Errorf("%s: English left: %q", page, left)
		}
	}
	check("queue", "Preču atgriešana")
	if nav := evalJS[string](t, staff, `document.querySelector("nav[aria-label]").innerText`); !strings.Contains(nav, "Rinda") || !strings.Contains(nav, "Pārskati") {
		t.Errorf("navigation %q is not Latvian", nav)
	}

	// A return, approved.
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("a[href='/admin/returns/"+scarf+"']")),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/approve']")),
	))
	check("return", "Atgriešana")
	postIn(t, staff, "approve", "approved")
	if flash := evalJS[string](t, staff, `document.querySelector("[role=status]").innerText`); flash != "Atgriešana apstiprināta." {
		t.Errorf("flash %q", flash)
	}
	if status := evalJS[string](t, staff, `document.querySelector(".status").innerText`); !strings.Contains(status, "Apstiprināta") {
		t.Errorf("status %q", status)
	}
	check("approved return", "Atgriešana")

	// Settings and reports, from the navigation.
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("nav a[href='/admin/settings']")),
		chromedp.WaitVisible(chromedp.CSS("form[action='/admin/settings']")),
	))
	check("settings", "Iestatījumi")
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("nav a[href='/admin/reports']")),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
	))
	check("reports", "Pārskati")

	// The choice is the account's: it holds after signing out and in again.
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("form[action='/admin/logout'] button")),
		chromedp.WaitVisible(chromedp.CSS("input[name=password]")),
	))
	signIn()
	if lang := evalJS[string](t, staff, `document.documentElement.lang`); lang != "lv" {
		t.Errorf("after signing in again the backoffice is in %q, want the account's Latvian", lang)
	}
}
