package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// What a newcomer stumbled on that only a browser shows: the cascade of the
// stylesheet, how lines wrap on a phone, pages wider than a small phone, and
// what axe-core finds.

// axeSource is axe-core, vendored under testdata (never fetched by a test).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	return string(b), err
})

// axeFinding is one rule axe-core found broken, with the elements that break it.
type axeFinding struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeClean runs axe-core on the page the browser shows, with the rules of
// WCAG 2.0 and 2.1 at levels A and AA and axe's best practices, and fails the
// test for each rule the page breaks.
func axeClean(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";\ntrue")); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeFinding](`axe.run(document, {
			runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
			resultTypes: ['violations'],
		}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
			nodes: v.nodes.map(n => n.target.join(' '))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	for _, f := range found {
		t.Errorf("%s: axe %s (%s): %s — %s", page, f.ID, f.Impact, f.Help, strings.Join(f.Nodes, ", "))
	}
}

// fitsWidth fails the test when the page the browser shows scrolls sideways.
func fitsWidth(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const d = document.documentElement;
		if (d.scrollWidth <= d.clientWidth) return "";
		const out = [...document.querySelectorAll('body *')]
			.filter(e => (e.getBoundingClientRect().right > d.clientWidth + 1 || e.scrollWidth > d.clientWidth) && !e.closest('.scroll'))
			.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
		return d.scrollWidth + " px wide in " + d.clientWidth + ": " + out.join(", ");
	})()`))
	must(t, err)
	if wide != "" {
		t.Errorf("%s scrolls sideways: %s", page, wide)
	}
}

// visit opens path and waits for its main heading.
func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main h1"))))
}

// phone sets the browser's viewport to a phone's width.
func phone(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)))
}

// evalInt runs a script that returns a number.
func evalInt(t *testing.T, ctx context.Context, script string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[float64](script))
	must(t, err)
	return int(n + 0.5)
}

func TestNewcomerCustomerPagesInBrowser(t *testing.T) {
	base := startPortal(t, nil)
	ctx := browser(t) // 390 px wide

	// A failed lookup marks both fields: the text field turns red like the
	// alert's border, not only a textarea.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/?lang=en"),
		chromedp.SendKeys(chromedp.CSS("input[name=order]"), "1002"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "nobody@example.com"),
		chromedp.Submit(chromedp.CSS("input[name=email]")),
		chromedp.WaitVisible(chromedp.CSS("#lookup-error")),
	))
	colors, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		getComputedStyle(document.querySelector('input#order[aria-invalid=true]')).borderTopColor,
		getComputedStyle(document.querySelector('input#email[aria-invalid=true]')).borderTopColor,
		getComputedStyle(document.querySelector('.alert')).borderTopColor]`))
	must(t, err)
	if colors[0] != colors[2] || colors[1] != colors[2] {
		t.Errorf("invalid text fields' borders %s and %s, want the error colour %s", colors[0], colors[1], colors[2])
	}
	axeClean(t, ctx, "lookup with an error")

	// #1002: the scarf does not fit. The form sent with nothing chosen first.
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	axeClean(t, ctx, "order")
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
		chromedp.WaitVisible(chromedp.CSS("#items-error")),
	))
	axeClean(t, ctx, "order with mistakes")
	code := submitInBrowser(t, ctx, "Wool scarf",
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
	)
	axeClean(t, ctx, "confirmation")

	for _, lang := range []string{"en", "lv"} {
		visit(t, ctx, base+"/returns/"+code+"?lang="+lang)
		// The code on the line that says to write it on the parcel keeps
		// its hyphen's halves together, on any phone: where the line
		// wraps depends on the width, so try them all.
		for w := int64(320); w <= 430; w += 2 {
			phone(t, ctx, w)
			if n := evalInt(t, ctx, `document.querySelector('.code-inline').getClientRects().length`); n != 1 {
				t.Errorf("%s: the return code is broken over %d lines at %d px", lang, n, w)
				break
			}
		}
		phone(t, ctx, 390)
		// The address box starts with its heading, no blank band above it.
		gap := evalInt(t, ctx, `(() => {
			const box = document.querySelector('section.box[aria-labelledby=sendback-h]');
			const cs = getComputedStyle(box);
			return box.querySelector('h2').getBoundingClientRect().top - box.getBoundingClientRect().top
				- parseFloat(cs.paddingTop) - parseFloat(cs.borderTopWidth);
		})()`)
		if gap > 1 {
			t.Errorf("%s: %d px of blank band at the top of the address box", lang, gap)
		}
		axeClean(t, ctx, "status page "+lang)
	}

	// Cancelling asks first.
	visit(t, ctx, base+"/returns/"+code+"?lang=en")
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("form[action$='/cancel'] button")),
	))
	waitLocation(t, ctx, "/returns/"+code+"/cancel?") // a form that asks with GET and sends nothing
	axeClean(t, ctx, "cancel question")

	// A small phone: no customer page scrolls sideways.
	phone(t, ctx, 320)
	for _, path := range []string{"/", "/order", "/returns/" + code, "/returns/" + code + "/cancel", "/returns/" + code + "?lang=lv"} {
		visit(t, ctx, base+path)
		fitsWidth(t, ctx, fmt.Sprintf("%s at 320 px", path))
	}
}

func TestNewcomerStaffPagesInBrowser(t *testing.T) {
	base, password := startPortalStaff(t, nil)
	ctx := browser(t)

	// A return with a timeline: the towel, damaged, approved.
	lookUp(t, ctx, base, "1001", "anna.berzina@example.lv")
	towel := submitInBrowser(t, ctx, "Linen tea towel",
		chromedp.Click(chromedp.CSS("input[name=kind][value=damaged]")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=description]"), "Torn along the hem."),
		chromedp.Click(chromedp.CSS("input[name=resolution][value=refund]")),
		chromedp.Submit(chromedp.CSS("textarea[name=description]")),
	)

	visit(t, ctx, base+"/admin/login")
	axeClean(t, ctx, "sign-in")
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "staff@example.com"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
		chromedp.Submit(chromedp.CSS("input[name=password]")),
		chromedp.WaitVisible(chromedp.CSS("a[href='/admin/returns/"+towel+"']")),
	))
	visit(t, ctx, base+"/admin/returns/"+towel)
	postIn(t, ctx, "approve", "approved")

	outboxMessage, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const page = await (await fetch('/admin/outbox')).text();
		const m = page.match(/href="(\/admin\/outbox\/\d+)"/);
		return m ? m[1] : "";
	})()`, chromedp.EvalAwaitPromise))
	must(t, err)
	if outboxMessage == "" {
		t.Fatal("the outbox lists no email")
	}
	pages := []string{"/admin", "/admin/returns/" + towel, "/admin/settings", "/admin/outbox", outboxMessage, "/admin/shopify"}
	for _, path := range pages {
		visit(t, ctx, base+path)
		axeClean(t, ctx, path)
	}
	phone(t, ctx, 320)
	for _, path := range pages {
		visit(t, ctx, base+path)
		fitsWidth(t, ctx, path+" at 320 px")
	}

	// Finding returns: part of an email, of a product's name; the filters in
	// one row; on a phone the queue and the order's lines fit without
	// scrolling sideways, even inside their regions.
	for _, q := range []string{"berzina", "Tea Towel", towel[2:6]} {
		visit(t, ctx, base+"/admin?q="+strings.ReplaceAll(q, " ", "+"))
		if n := evalInt(t, ctx, `document.querySelectorAll('table.queue a[href="/admin/returns/`+towel+`"]').length`); n != 1 {
			t.Errorf("searching %q does not find %s", q, towel)
		}
	}
	for _, width := range []int64{390, 1280} {
		phone(t, ctx, width)
		visit(t, ctx, base+"/admin")
		if rows := evalInt(t, ctx, `new Set([...document.querySelectorAll('.filters li')].map(li => li.offsetTop)).size`); rows != 1 {
			t.Errorf("the status filters take %d rows at %d px", rows, width)
		}
	}
	phone(t, ctx, 390)
	for _, path := range []string{"/admin", "/admin/returns/" + towel} {
		visit(t, ctx, base+path)
		if n := evalInt(t, ctx, `[...document.querySelectorAll('table.cards')].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length`); n != 0 {
			t.Errorf("%s: %d tables scroll sideways on a phone", path, n)
		}
		axeClean(t, ctx, path+" on a phone")
	}
}
