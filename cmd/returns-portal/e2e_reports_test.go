package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestReportsInBrowser: two customers return an item each; staff refund one
// and decline the other, then open the reports on a phone: the charts are
// drawn, their tables hold the numbers, nothing scrolls sideways, and the CSV
// download holds both returns.
func TestReportsInBrowser(t *testing.T) {
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
	lookUp(t, ctx, base, "1005", "lee.jordan@example.com")
	lamp := submitInBrowser(t, ctx, "Desk lamp",
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "not_as_described"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
	)

	staff := staffTab(t, ctx, base, password)
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+scarf),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/approve']")),
	))
	postIn(t, staff, "approve", "approved")
	postIn(t, staff, "receive", "received")
	postIn(t, staff, "refund", "refunded")
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+lamp),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/decline']")),
	))
	postIn(t, staff, "decline", "declined",
		chromedp.SendKeys(chromedp.CSS("form[action$='/decline'] textarea[name=reason]"), "Used, with the label removed."))

	// The reports, from the navigation.
	must(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS("nav a[href='/admin/reports']")),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
	))
	charts := evalJS[int](t, staff, `document.querySelectorAll("svg.chart").length`)
	hidden := evalJS[bool](t, staff, `[...document.querySelectorAll("svg.chart")].every(s => s.getAttribute("aria-hidden") === "true" && s.getBoundingClientRect().width > 200 && s.querySelector("rect.bar") !== null)`)
	pageWidth := evalJS[int](t, staff, `document.documentElement.scrollWidth`)
	viewport := evalJS[int](t, staff, `window.innerWidth`)
	// Returns per week, reasons, resolutions, refunds in EUR, time to
	// resolution, products.
	if charts != 6 || !hidden {
		t.Errorf("%d charts (want 6), all drawn and hidden from screen readers: %v", charts, hidden)
	}
	if pageWidth > viewport {
		t.Errorf("the reports page is %d px wide on a %d px phone", pageWidth, viewport)
	}
	cell := func(caption, row string, col int) string {
		t.Helper()
		return evalJS[string](t, staff, `(() => {
			const table = [...document.querySelectorAll("table")].find(t => t.caption && t.caption.textContent === `+quoteJS(caption)+`);
			if (!table) return "no table";
			const tr = [...table.rows].find(r => r.cells[0].textContent.trim() === `+quoteJS(row)+`);
			return tr ? tr.cells[`+strconv.Itoa(col)+`].textContent.trim() : "no row";
		})()`)
	}
	for _, c := range []struct {
		caption, row string
		col          int
		want         string
	}{
		{"Returns requested per week", "Total", 1, "2"},
		{"Returns per reason", "It doesn’t fit", 1, "1"},
		{"Returns per reason", "It is not as described", 1, "1"},
		{"Returns by how they were resolved", "Refunded", 1, "1"},
		{"Returns by how they were resolved", "Declined", 1, "1"},
		{"Returns by how they were resolved", "Replacement shipped", 1, "0"},
		{"Most returned products, most units first", "Wool scarf", 1, "1"},
		{"Most returned products, most units first", "Desk lamp", 1, "1"},
		{"Median time from request to resolution per week", "Whole period", 1, "2"},
	} {
		if got := cell(c.caption, c.row, c.col); got != c.want {
			t.Errorf("%s, %s: %q, want %q", c.caption, c.row, got, c.want)
		}
	}
	if got := text(t, staff, "#refunds ~ .report-pair tfoot td"); got != "€49.00" {
		t.Errorf("refunded in EUR: %q", got)
	}

	// The CSV download.
	dir := t.TempDir()
	_, err := chromedp.CallBrowser(staff, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	})
	must(t, err)
	must(t, chromedp.Do(staff, chromedp.Click(chromedp.CSS("a[href^='/admin/reports/returns.csv']"))))
	var file string
	deadline := time.Now().Add(20 * time.Second)
	for file == "" && time.Now().Before(deadline) {
		names, _ := filepath.Glob(filepath.Join(dir, "returns-*.csv"))
		if len(names) == 1 {
			file = names[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if file == "" {
		t.Fatal("no returns-….csv downloaded within 20 s")
	}
	data, err := os.ReadFile(file)
	must(t, err)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	must(t, err)
	if len(rows) != 3 || rows[1][0] != scarf || rows[2][0] != lamp || rows[1][9] != "refund" || rows[2][9] != "declined" ||
		rows[1][13] != "49.00" || rows[2][14] != "USD" {
		t.Errorf("the CSV download: %q", rows)
	}
}

// evalJS evaluates a JavaScript expression in the page ctx has open.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	must(t, err)
	return v
}

// quoteJS writes s as a JavaScript string literal.
func quoteJS(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
