package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where TestScreenshots writes its pictures; empty skips it.
var screenshotDir = flag.String("screenshots", "", "write screenshots of every customer and backoffice page, at 390 px and 1280 px in English and Latvian, to this folder (outside the repository)")

// TestScreenshots writes a screenshot of every page a customer and staff see
// in the demo store, at a phone's width (390 px) and a desktop's (1280 px),
// in English and Latvian, for a reviewer to look at:
//
//	go test ./cmd/returns-portal -run TestScreenshots -screenshots /tmp/portal-shots
//
// The folder is made when missing, and refused inside the repository (the
// pictures are not the code's). Without -screenshots the test is skipped.
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	dir, err := filepath.Abs(*screenshotDir)
	if err != nil {
		t.Fatal(err)
	}
	if root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output(); err == nil {
		if r := strings.TrimSpace(string(root)); r != "" && (dir == r || strings.HasPrefix(dir, r+string(filepath.Separator))) {
			t.Fatalf("-screenshots %s is inside the repository (%s): name a folder outside it", dir, r)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	// The pictures need more lookups than a customer may make.
	base, password := startPortalStaff(t, map[string]string{"LOOKUP_RATE_LIMITS": "1000,1000,1000"})
	ctx := browser(t)

	// A return of each kind, and one that goes all the way, so that every
	// page has something to show.
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

	staff, cancel := chromedp.NewContext(ctx)
	defer cancel()
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("input[name=password]")),
	))
	shoot(t, staff, dir, "staff-sign-in", "en")
	must(t, chromedp.Do(staff,
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "staff@example.com"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
		chromedp.Submit(chromedp.CSS("input[name=password]")),
		chromedp.WaitVisible(chromedp.CSS("a[href='/admin/returns/"+scarf+"']")),
	))
	// The scarf approved and refunded, so that its pages show a refund.
	must(t, chromedp.Do(staff, chromedp.Navigate(base+"/admin/returns/"+scarf), chromedp.WaitVisible(chromedp.CSS("form[action$='/approve']"))))
	postIn(t, staff, "approve", "approved")

	// The customer's pages, in both languages.
	for _, lang := range []string{"en", "lv"} {
		lookUp(t, ctx, base, "1001", "anna.berzina@example.lv")
		for _, p := range []struct{ name, path string }{
			{"lookup", "/"},
			{"order", "/order"},
			{"status-damaged", "/returns/" + towel},
			{"privacy", "/privacy"},
			{"not-found", "/no-such-page"},
		} {
			must(t, chromedp.Do(ctx, chromedp.Navigate(base+p.path+sep(p.path)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("body"))))
			shoot(t, ctx, dir, "customer-"+p.name, lang)
		}
		lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/returns/"+scarf+"?lang="+lang), chromedp.WaitReady(chromedp.CSS("body"))))
		shoot(t, ctx, dir, "customer-status-approved", lang)
	}

	// The backoffice's pages, in each language: the switch on every page
	// saves it for the staff member's account.
	for _, lang := range []string{"en", "lv"} {
		must(t, chromedp.Do(staff, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS("body"))))
		switchTo := "form.lang-switch button[value=" + lang + "]"
		if there, err := chromedp.Run(staff, chromedp.Evaluate[bool]("document.querySelector("+strconv.Quote(switchTo)+") !== null")); err == nil && there {
			must(t, chromedp.Do(staff, chromedp.Click(chromedp.CSS(switchTo)), chromedp.WaitReady(chromedp.CSS("body"))))
		}
		for _, p := range []struct{ name, path string }{
			{"queue", "/admin"},
			{"return-damaged", "/admin/returns/" + towel},
			{"return-approved", "/admin/returns/" + scarf},
			{"settings", "/admin/settings"},
			{"outbox", "/admin/outbox"},
			{"shopify", "/admin/shopify"},
			{"reports", "/admin/reports"},
			{"auto-approval", "/admin/settings/auto-approval"},
		} {
			must(t, chromedp.Do(staff, chromedp.Navigate(base+p.path), chromedp.WaitReady(chromedp.CSS("body"))))
			shoot(t, staff, dir, "staff-"+p.name, lang)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	t.Logf("%d screenshots in %s", len(names), dir)
}

// sep is what joins a query parameter to path.
func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// shoot writes the page the browser shows, whole, at 390 px and 1280 px
// wide, as dir/<name>-<lang>-<width>.png (PNG: lossless, for reading small print).
func shoot(t *testing.T, ctx context.Context, dir, name, lang string) {
	t.Helper()
	for _, w := range []int64{390, 1280} {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)))
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", name, err)
		}
		file := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", unsafeName.ReplaceAllString(name, "-"), lang, w))
		if err := os.WriteFile(file, buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
}
