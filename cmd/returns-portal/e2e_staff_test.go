package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// submitInBrowser fills in the return form for one line of an order the browser
// has open, submits it and returns the return's code from the confirmation.
func submitInBrowser(t *testing.T, ctx context.Context, title string, steps ...chromedp.Action[chromedp.Void]) string {
	t.Helper()
	box := lineCheckbox(t, ctx, title)
	if box == "" {
		t.Fatalf("%s cannot be chosen", title)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID(box))))
	must(t, chromedp.Do(ctx, steps...))
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".code"))))
	return strings.TrimSpace(text(t, ctx, ".code"))
}

// postIn fills in and submits the form whose action ends in "/"+action, and
// waits for the return's page to confirm it (its URL ends in ?done=<done>).
func postIn(t *testing.T, ctx context.Context, action, done string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	must(t, chromedp.Do(ctx, steps...))
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form[action$='/"+action+"'] button[type=submit]"))))
	waitLocation(t, ctx, "?done="+done)
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("[role=status]"))))
}

// staffTab opens a tab of its own in the browser of ctx, signs the demo staff
// account in with password and returns the tab, on the queue; the tab closes
// when the test ends.
func staffTab(t *testing.T, ctx context.Context, base, password string) context.Context {
	t.Helper()
	staff, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("input[name=password]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "staff@example.com"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
		chromedp.Submit(chromedp.CSS("input[name=password]")),
		chromedp.WaitVisible(chromedp.CSS("form[action='/admin/logout']")),
	))
	return staff
}

func TestStaffWorkflowInBrowser(t *testing.T) {
	base, password := startPortalStaff(t, nil)
	if password == "" {
		t.Fatal("the portal did not print the demo staff password at its first start")
	}
	ctx := browser(t)

	// The customers: a damaged tea towel (#1001) and a scarf that does not fit (#1002).
	lookUp(t, ctx, base, "1001", "anna.berzina@example.lv")
	photo := filepath.Join(t.TempDir(), "towel.jpg")
	must(t, os.WriteFile(photo, testJPEG(t), 0o600))
	towel := submitInBrowser(t, ctx, "Linen tea towel",
		chromedp.Click(chromedp.CSS("input[name=kind][value=damaged]")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=description]"), "Torn along the hem."),
		chromedp.SetUploadFiles(chromedp.CSS("input[name=photos]"), []string{photo}),
		chromedp.Click(chromedp.CSS("input[name=resolution][value=replacement]")),
		chromedp.Submit(chromedp.CSS("textarea[name=description]")),
	)
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	scarf := submitInBrowser(t, ctx, "Wool scarf",
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
	)

	// Staff, in a tab of their own.
	staff := staffTab(t, ctx, base, password)

	// #1001: approve, then ship a replacement with DPD.
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("a[href='/admin/returns/"+towel+"']")),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/approve']")),
	))
	postIn(t, staff, "approve", "approved")
	postIn(t, staff, "ship", "shipped",
		chromedp.SetValue(chromedp.CSS("select[name=carrier]"), "dpd"),
		chromedp.SendKeys(chromedp.CSS("input[name=number]"), "05212345678901"),
	)

	// The customer's status page shows the tracking link.
	lookUp(t, ctx, base, "1001", "anna.berzina@example.lv")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/returns/"+towel),
		chromedp.WaitVisible(chromedp.CSS("a[href='https://tracking.dpd.de/status/en_US/parcel/05212345678901']")),
	))

	// #1002: approve, item received, refund 29.00 EUR, close.
	stock := func() int {
		o, _ := demoShop.Load().OrderByName("#1002")
		n := 0
		for _, inv := range o.Inventory {
			if inv.LineItem == "gid://shopify/LineItem/100201" && inv.Location == "gid://shopify/Location/7001" {
				n = inv.Available
			}
		}
		return n
	}
	scarvesBefore := stock()
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+scarf),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/approve']")),
	))
	postIn(t, staff, "approve", "approved")

	// The customer tells the parcel they sent back, on a phone-sized screen,
	// with the keyboard: both sides get its tracking link, and the Shopify
	// return a reverse delivery.
	const parcelLink = "https://tracking.dpd.de/status/en_US/parcel/05212345678902"
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	must(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/returns/"+scarf+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/parcel']")),
		chromedp.SetValue(chromedp.CSS("select[name=carrier]"), "dpd"),
		chromedp.SendKeys(chromedp.CSS("input[name=number]"), "05212345678902"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("a[href='"+parcelLink+"']")),
	))
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+scarf),
		chromedp.WaitVisible(chromedp.CSS("a[href='"+parcelLink+"']")),
	))
	waitForShop(t, "the customer's parcel on #1002's Shopify return", func() bool {
		o, _ := demoShop.Load().OrderByName("#1002")
		return len(o.Returns) == 1 && len(o.Returns[0].Deliveries) == 1 &&
			o.Returns[0].Deliveries[0].TrackingNumber == "05212345678902" && o.Returns[0].Deliveries[0].TrackingURL == parcelLink
	})
	postIn(t, staff, "receive", "received")
	// Less than the scarf is worth (49.00), so staff say why: the customer
	// is told.
	postIn(t, staff, "refund", "refunded",
		chromedp.Clear(chromedp.CSS("input[name=amount]")),
		chromedp.SendKeys(chromedp.CSS("input[name=amount]"), "29.00"),
		chromedp.SendKeys(chromedp.CSS("textarea[name=partial_reason]"), "The scarf came back worn."),
	)
	if flash := text(t, staff, "[role=status]"); !strings.Contains(flash, "Refund made") {
		t.Fatalf("after the refund the page says %q", flash)
	}
	postIn(t, staff, "close", "closed")

	// In Shopify the return was requested, approved, processed with the
	// refund against its line (the scarf restocked at the warehouse) and
	// closed; the order's return status says so.
	waitForShop(t, "#1002's Shopify return closed", func() bool {
		o, _ := demoShop.Load().OrderByName("#1002")
		return len(o.Returns) == 1 && o.Returns[0].Status == "CLOSED"
	})
	o1002, _ := demoShop.Load().OrderByName("#1002")
	ret := o1002.Returns[0]
	if len(ret.Lines) != 1 || ret.Lines[0].LineItem != "gid://shopify/LineItem/100201" || ret.Lines[0].Processed != 1 ||
		!strings.HasPrefix(ret.Lines[0].CustomerNote, scarf+":") || ret.Lines[0].Reason == "" {
		t.Fatalf("Shopify return lines %+v, want the scarf, processed, with the code and a reason", ret.Lines)
	}
	if len(o1002.RefundDetails) != 1 || o1002.RefundDetails[0].Return != ret.ID || len(o1002.RefundDetails[0].Lines) != 1 ||
		o1002.RefundDetails[0].Lines[0].LineItem != "gid://shopify/LineItem/100201" || o1002.RefundDetails[0].Lines[0].Quantity != 1 {
		t.Fatalf("refund details %+v, want the refund made by the return, against the scarf's line", o1002.RefundDetails)
	}
	if got := stock(); got != scarvesBefore+1 {
		t.Fatalf("scarves available at the warehouse: %d, want %d (restocked); %+v %+v %+v", got, scarvesBefore+1, o1002.Inventory, ret.Lines, o1002.RefundDetails)
	}
	if o1002.ReturnStatus != "RETURNED" {
		t.Fatalf("#1002's return status %q, want RETURNED", o1002.ReturnStatus)
	}

	// The demo store holds exactly one refund of 29.00 EUR, and the orders tell
	// the story in their notes and tags.
	shop := demoShop.Load()
	o1002, _ = shop.OrderByName("#1002")
	if len(o1002.Refunds) != 1 || o1002.Refunds[0].Amount != "29.00" || o1002.Refunds[0].Currency != "EUR" {
		t.Fatalf("#1002 refunds %+v, want one of 29.00 EUR", o1002.Refunds)
	}
	waitFor(t, func() bool {
		o1001, _ := shop.OrderByName("#1001")
		o1002, _ := shop.OrderByName("#1002")
		day := time.Now().Format("2006-01-02")
		return strings.Contains(o1001.Note, towel+": item damaged; replacement shipped "+day+", DPD 05212345678901") &&
			strings.Contains(o1002.Note, "Return "+scarf+" requested") &&
			strings.Contains(o1002.Note, scarf+": refunded 29.00 EUR") &&
			slices.Contains(o1001.Tags, "returns:replacement-shipped") &&
			slices.Contains(o1002.Tags, "returns:refunded") && slices.Contains(o1002.Tags, "returns:approved")
	})

	// The customer sees the refund.
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/returns/"+scarf+"?lang=en"), chromedp.WaitVisible(chromedp.CSS("p.status"))))
	if body := text(t, ctx, "main"); !strings.Contains(body, "€29.00 of €49.00 refunded") || !strings.Contains(body, "The scarf came back worn.") {
		t.Fatalf("the customer's page does not show the partial refund and its reason:\n%s", body)
	}
}

// waitForShop polls cond, about the demo store, for up to 10 s: Shopify's
// return follows the portal's in the background.
func waitForShop(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond for a few seconds: write-backs to the demo store happen
// right after each action, but the test should not depend on exact timing.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			o1001, _ := demoShop.Load().OrderByName("#1001")
			o1002, _ := demoShop.Load().OrderByName("#1002")
			t.Fatalf("the demo store's orders do not tell the story:\n#1001 note %q tags %v\n#1002 note %q tags %v", o1001.Note, o1001.Tags, o1002.Note, o1002.Tags)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
