package main

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	returns "github.com/returnsportal/returns"
)

// TestWithdrawalInBrowser: a customer of the demo store withdraws from order
// #1002 through the withdrawal function, in English and in Latvian: the link
// in the page's header leads through the lookup back to the statement's form,
// which asks for no reason and no photo; the statement is shown in full and
// made only on the separate confirmation; the status page and the
// acknowledgement email both repeat it with the same date and time. A
// withdrawal from #1003, delivered three months ago, is refused with the last
// day of its period.
func TestWithdrawalInBrowser(t *testing.T) {
	for _, tc := range []struct {
		lang                                  string
		link, cont, confirm, received, madeOn string
		over                                  string
		// What staff see: the delivery and the total due, and the
		// confirmation of the refund.
		delivery, total, refunded, already string
	}{
		{"en", "Withdraw from contract here", "Continue", "Confirm withdrawal", "We have received your withdrawal", "Made on", "The withdrawal period of order #1003 ended on",
			"€3.90", "€61.90", "Refund made through Shopify.", "refunded already"},
		{"lv", "Atteikties no līguma šeit", "Turpināt", "Apstiprināt atteikumu", "Esam saņēmuši jūsu atteikumu", "Paziņots", "Pasūtījuma #1003 atteikuma termiņš beidzās",
			"3,90 €", "61,90 €", "Atmaksa veikta caur Shopify.", "jau ir atmaksāta"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			in, port := startInbox(t)
			base, password := startPortalStaff(t, map[string]string{
				"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none", "MAIL_FROM": "Linen & Co <returns@example.com>",
			})
			ctx := browser(t)
			must(t, chromedp.Do(ctx,
				chromedp.Navigate(base+"/?lang="+tc.lang),
				chromedp.WaitVisible(chromedp.CSS("header a[href='/withdraw']")),
			))
			if got := text(t, ctx, "header a[href='/withdraw']"); got != tc.link {
				t.Errorf("the withdrawal link reads %q, want %q", got, tc.link)
			}
			// Not proven yet: the link leads through the lookup, and back.
			must(t, chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("header a[href='/withdraw']")),
				chromedp.WaitVisible(chromedp.CSS("input[name=order]")),
				chromedp.SendKeys(chromedp.CSS("input[name=order]"), "1002"),
				chromedp.SendKeys(chromedp.CSS("input[name=email]"), "sam.taylor@example.com"),
				chromedp.Submit(chromedp.CSS("input[name=email]")),
			))
			waitLocation(t, ctx, "/withdraw")
			must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("input[name=name]"))))
			if n := evalJS[int](t, ctx, `document.querySelectorAll("input[type=file]").length`); n != 0 {
				t.Errorf("the statement's form asks for %d photos", n)
			}
			if n := evalJS[int](t, ctx, `document.querySelectorAll("input[name=line]:checked").length`); n != 2 {
				t.Errorf("%d items chosen by default, want both", n)
			}
			must(t, chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Sam Taylor"),
				chromedp.Click(chromedp.CSS("form[action='/withdraw'] button[type=submit]")),
			))
			// The separate step: the statement in full, nothing made yet.
			must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("form[action='/withdraw/confirm'] button"))))
			if got := text(t, ctx, "form[action='/withdraw/confirm'] button"); got != tc.confirm {
				t.Errorf("the confirmation button reads %q, want %q", got, tc.confirm)
			}
			review := text(t, ctx, "main")
			for _, want := range []string{"Sam Taylor", "sam.taylor@example.com", "#1002", "1 × Wool scarf", "1 × Sale socks"} {
				if !strings.Contains(review, want) {
					t.Errorf("the statement shown for confirmation lacks %q:\n%s", want, review)
				}
			}
			if len(in.snapshot()) != 0 {
				t.Errorf("an email was sent before the statement was confirmed")
			}
			must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form[action='/withdraw/confirm'] button"))))
			waitCtx, cancelWait := context.WithTimeout(ctx, 10*time.Second)
			err := chromedp.Do(waitCtx, chromedp.WaitVisible(chromedp.CSS("p.status")))
			cancelWait()
			if err != nil {
				t.Fatalf("no status page after the confirmation: %v\n%s", err, text(t, ctx, "main"))
			}
			loc := evalJS[string](t, ctx, `location.pathname`)
			code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(loc)
			if code == "" {
				t.Fatalf("the confirmation ended at %s", loc)
			}
			page := text(t, ctx, "main")
			madeOn := regexp.MustCompile(regexp.QuoteMeta(tc.madeOn) + `\s*([^\n]*\(UTC\)|[^\n]*\([A-Za-z_/]+\))`).FindStringSubmatch(page)
			if !strings.Contains(page, tc.received) || madeOn == nil {
				t.Fatalf("the status page does not acknowledge the statement with its time:\n%s", page)
			}

			// The acknowledgement email: the same statement and time.
			var body string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && body == ""; time.Sleep(50 * time.Millisecond) {
				for _, raw := range in.snapshot() {
					if txt := plainPart(t, raw); strings.Contains(txt, code) && strings.Contains(txt, "sam.taylor@example.com") && strings.Contains(txt, "Sam Taylor") {
						body = txt
					}
				}
			}
			if body == "" {
				t.Fatalf("no acknowledgement of %s arrived; the inbox holds %d messages", code, len(in.snapshot()))
			}
			for _, want := range []string{tc.received, "Sam Taylor", "#1002", "Wool scarf", "Sale socks", strings.TrimSpace(madeOn[1])} {
				if !strings.Contains(body, want) {
					t.Errorf("the acknowledgement lacks %q:\n%s", want, body)
				}
			}

			// Staff see it with its refund deadline and the amount due with
			// the delivery, and refund it once.
			staffWithdrawal(t, ctx, base, password, code, tc.lang, tc.delivery, tc.total, tc.refunded, tc.already)

			// Three months after delivery: refused, with the last day.
			lookUp(t, ctx, base, "1003", "sam.taylor@example.com")
			must(t, chromedp.Do(ctx,
				chromedp.Navigate(base+"/withdraw"),
				chromedp.WaitVisible(chromedp.CSS("#period-over")),
			))
			if got := text(t, ctx, "#period-over"); !strings.Contains(got, tc.over) {
				t.Errorf("the refusal reads %q, want it to start %q", got, tc.over)
			}
			if n := evalJS[int](t, ctx, `document.querySelectorAll("form[action='/withdraw']").length`); n != 0 {
				t.Errorf("the statement's form is offered after the period")
			}
		})
	}
}

// plainPart returns the decoded text/plain part of a raw email.
func plainPart(t *testing.T, raw string) string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return ""
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return ""
	}
	var find func(r io.Reader, boundary string) string
	find = func(r io.Reader, boundary string) string {
		mr := multipart.NewReader(r, boundary)
		for {
			p, err := mr.NextPart()
			if err != nil {
				return ""
			}
			ct, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if strings.HasPrefix(ct, "multipart/") {
				if s := find(p, ps["boundary"]); s != "" {
					return s
				}
				continue
			}
			if ct != "text/plain" {
				continue
			}
			// multipart.Part decodes quoted-printable itself and drops
			// the header; base64 is decoded here.
			var body io.Reader = p
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
				body = base64Reader(p)
			}
			b, _ := io.ReadAll(body)
			return string(b)
		}
	}
	return find(m.Body, params["boundary"])
}

// base64Reader decodes a base64 body, line breaks and all.
func base64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }

// staffWithdrawal signs staff in, in lang, opens the withdrawal code and
// checks that its page shows the refund deadline (14 days from the
// statement, moved off weekends and Latvian holidays) and the amount due
// with the delivery; it refunds it through the pre-filled form, and the same
// form sent again makes no second refund at the demo store.
func staffWithdrawal(t *testing.T, ctx context.Context, base, password, code, lang, delivery, total, refunded, already string) {
	t.Helper()
	staff := staffTab(t, ctx, base, password)
	if lang == "lv" {
		must(t, chromedp.Do(staff,
			chromedp.Click(chromedp.CSS("form[action='/admin/language'] button[value=lv]")),
			chromedp.WaitVisible(chromedp.CSS("html[lang=lv] main")),
		))
	}
	must(t, chromedp.Do(staff,
		chromedp.Navigate(base+"/admin/returns/"+code),
		chromedp.WaitVisible(chromedp.CSS("#withdrawal-deadline")),
	))
	// A second tab with the return open, and its own refund form.
	other, cancelOther := chromedp.NewContext(staff)
	defer cancelOther()
	must(t, chromedp.Do(other,
		chromedp.Navigate(base+"/admin/returns/"+code),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/refund'] button[type=submit]")),
	))
	// The deadline: 14 days from today's statement, in the store's zone
	// (the demo shop's, or UTC), moved to a working day.
	deadline := evalJS[string](t, staff, `document.querySelector("#withdrawal-deadline time").getAttribute("datetime")`)
	var want []string
	for _, name := range []string{"UTC", "Europe/Riga"} {
		zone, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, returns.WithdrawalRefundDeadline(time.Now(), zone).Format(time.DateOnly))
	}
	if !slices.Contains(want, deadline) {
		t.Errorf("refund deadline %q, want %q", deadline, want)
	}
	due := text(t, staff, "#withdrawal-due")
	if !strings.Contains(due, delivery) || !strings.Contains(due, total) {
		t.Errorf("the amount due reads %q, want the delivery %s and the total %s", due, delivery, total)
	}
	amount := evalJS[string](t, staff, `document.querySelector("form[action$='/refund'] input[name=amount]").value`)
	if amount != "61.90" && amount != "61,90" {
		t.Errorf("the refund form offers %q, want the amount due 61.90", amount)
	}
	postIn(t, staff, "refund", "refunded")
	if flash := text(t, staff, "[role=status]"); !strings.Contains(flash, refunded) {
		t.Errorf("flash %q, want %q", flash, refunded)
	}
	// The other tab's form, sent after the refund: no second refund.
	must(t, chromedp.Do(other,
		chromedp.Click(chromedp.CSS("form[action$='/refund'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#action-errors")),
	))
	if page := text(t, other, "main"); !strings.Contains(page, already) {
		t.Errorf("the other tab's form does not say the return was refunded already:\n%s", page)
	}
	o, _ := demoShop.Load().OrderByName("#1002")
	if len(o.Refunds) != 1 || o.Refunds[0].Amount != "61.90" {
		t.Errorf("refunds at the demo store: %+v, want one of 61.90", o.Refunds)
	}
}
