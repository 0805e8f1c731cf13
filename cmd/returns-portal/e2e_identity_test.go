package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStoreIdentityInBrowser: staff name the store, set its time zone and
// upload its logo in the settings; a customer's pages then carry the store's
// name and logo (loaded, its alt text the name), and the status page tells
// the return's time in the store's zone.
func TestStoreIdentityInBrowser(t *testing.T) {
	base, password := startPortalStaff(t, nil)
	if password == "" {
		t.Fatal("the portal did not print the demo staff password at its first start")
	}
	ctx := browser(t)
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, logoPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}

	// The browser starts with the first tab's first action; staff's tab is
	// a second one in it.
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/healthz")))
	staff, cancel := chromedp.NewContext(ctx)
	defer cancel()
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/settings"),
		chromedp.WaitVisible(chromedp.CSS("input[name=password]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "staff@example.com"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
		chromedp.Submit(chromedp.CSS("input[name=password]")),
		chromedp.WaitVisible(chromedp.CSS("input[name=store_name]")),
		chromedp.SetValue(chromedp.CSS("input[name=store_name]"), "Lina & Māls"),
		chromedp.SetValue(chromedp.CSS("input[name=time_zone]"), "Asia/Tokyo"),
		chromedp.Submit(chromedp.CSS("input[name=store_name]")),
	))
	waitLocation(t, staff, "?done=settings")
	if got := text(t, staff, "header"); !strings.Contains(got, "Times in Asia/Tokyo") {
		t.Errorf("the backoffice does not name the store's time zone: %q", got)
	}
	must(t, chromedp.Do(staff,
		chromedp.SetUploadFiles(chromedp.CSS("input[name=logo]"), []string{logo}),
		chromedp.Submit(chromedp.CSS("input[name=logo]")),
	))
	waitLocation(t, staff, "?done=logo")

	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	code := submitInBrowser(t, ctx, "Wool scarf",
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
	)
	submitted := time.Now()
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/returns/"+code+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(".timeline")),
	))
	if got := evalJS[string](t, ctx, `document.title`); !strings.HasSuffix(got, "· Lina & Māls") {
		t.Errorf("title %q does not name the store", got)
	}
	alt := evalJS[string](t, ctx, `document.querySelector("header .home img").alt`)
	loaded := evalJS[bool](t, ctx, `(() => { const i = document.querySelector("header .home img"); return i.complete && i.naturalWidth > 0 })()`)
	if alt != "Lina & Māls" || !loaded {
		t.Errorf("logo alt %q, loaded %v: want the store's name and a loaded image", alt, loaded)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	entry := text(t, ctx, ".timeline li time")
	// The return was made a moment before submitted: its minute is that one's
	// or the one before.
	var want []string
	for _, at := range []time.Time{submitted, submitted.Add(-time.Minute)} {
		local := at.In(tokyo)
		want = append(want, local.Format("15:04"))
	}
	if !strings.Contains(entry, want[0]) && !strings.Contains(entry, want[1]) {
		t.Errorf("timeline time %q, want Tokyo's %s", entry, strings.Join(want, " or "))
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "Time zone: Asia/Tokyo.") {
		t.Error("the status page does not say its time zone")
	}
}

// logoPNG makes a wide logo with a transparent background.
func logoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 320, 80))
	for y := 20; y < 60; y++ {
		for x := 20; x < 300; x++ {
			img.Set(x, y, color.NRGBA{30, 64, 175, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
