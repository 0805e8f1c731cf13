package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	returns "github.com/returnsportal/returns"
)

// TestReplacementOrderInBrowser is the seed's first story, with the
// replacement as a real Shopify order: a damaged tea towel from #1001 is
// reported with a photo, staff approve it and create the replacement order
// at the demo store, the warehouse ships that order with a DPD number
// through the demo store's /_devshop/ API, and the customer's status page
// and email show the tracking link without anyone typing it into the
// portal. The original order's note and its history metafield hold the
// story.
func TestReplacementOrderInBrowser(t *testing.T) {
	in, port := startInbox(t)
	base, password := startPortalStaff(t, map[string]string{
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none", "MAIL_FROM": "Linen & Co <returns@example.com>",
	})
	if password == "" {
		t.Fatal("the portal did not print the demo staff password")
	}
	ctx := browser(t)

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

	staff := staffTab(t, ctx, base, password)
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+towel),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/approve']")),
	))
	postIn(t, staff, "approve", "approved")
	// A replacement request offers no refund, only the replacement order,
	// the manual shipment and the switch to a refund.
	if n := evalJS[int](t, staff, `document.querySelectorAll("form[action$='/refund']").length`); n != 0 {
		t.Error("an approved replacement request offers a refund")
	}
	postIn(t, staff, "replacement-order", "replacement-ordered")
	replacement, ok := demoShop.Load().OrderByName("#1009")
	if !ok || replacement.TotalReceived != "0.00" || !strings.Contains(strings.Join(replacement.Tags, ","), returns.TagReplacementOrder) {
		t.Fatalf("no replacement order #1009 at the demo store: %+v", replacement)
	}
	if got := text(t, staff, "main"); !strings.Contains(got, "#1009") {
		t.Error("the return's page does not name the replacement order")
	}

	// The warehouse ships #1009 with DPD, at the demo store.
	body, _ := json.Marshal(map[string]string{"company": "DPD", "number": "05212345678901"})
	res, err := http.Post(*demoShopURL.Load()+"/_devshop/orders/1009/fulfillments", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("fulfil #1009 at the demo store: HTTP %d", res.StatusCode)
	}

	// The customer's status page shows the tracking link, by itself.
	lookUp(t, ctx, base, "1001", "anna.berzina@example.lv")
	link := "a[href*='05212345678901']"
	var shown bool
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && !shown; {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/returns/"+towel+"?lang=en"), chromedp.WaitVisible(chromedp.CSS("main"))))
		shown = evalJS[int](t, ctx, `document.querySelectorAll("`+link+`").length`) > 0
		if !shown {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !shown {
		t.Fatalf("the status page shows no tracking link:\n%s", text(t, ctx, "main"))
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "DPD 05212345678901") {
		t.Errorf("the status page does not name the carrier and number:\n%s", page)
	}

	// And the email.
	var mail string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && mail == ""; time.Sleep(50 * time.Millisecond) {
		for _, raw := range in.snapshot() {
			if txt := plainPart(t, raw); strings.Contains(txt, towel) && strings.Contains(txt, "05212345678901") && strings.Contains(txt, "http") {
				mail = txt
			}
		}
	}
	if mail == "" {
		t.Fatalf("no email with the tracking link arrived; the inbox holds %d messages", len(in.snapshot()))
	}

	// The original order holds the story: its note, and its history
	// metafield, which no note edit removes.
	line := towel + ": item damaged; replacement sent "
	var note, history string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		o, _ := demoShop.Load().OrderByName("#1001")
		note = o.Note
		history, _ = demoShop.Load().OrderMetafield("#1001", returns.HistoryNamespace, returns.HistoryKey)
		if strings.Contains(note, " as order #1009, DPD 05212345678901") && strings.Contains(history, "#1009") {
			break
		}
	}
	if !strings.Contains(note, line) || !strings.Contains(note, " as order #1009, DPD 05212345678901") {
		t.Errorf("#1001's note lacks the replacement's line:\n%s", note)
	}
	var doc struct {
		Returns map[string][]struct{ Status, Text string } `json:"returns"`
	}
	if err := json.Unmarshal([]byte(history), &doc); err != nil {
		t.Fatalf("#1001's history metafield %q: %v", history, err)
	}
	var story []string
	for _, e := range doc.Returns[towel] {
		story = append(story, e.Status+": "+e.Text)
	}
	joined := strings.Join(story, "\n")
	for _, want := range []string{"requested", "approved", "replacement_shipped: " + towel + ": item damaged; replacement sent"} {
		if !strings.Contains(joined, want) {
			t.Errorf("#1001's history lacks %q:\n%s", want, joined)
		}
	}
}
