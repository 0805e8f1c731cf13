package views

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestReturnPagePartialRefund: the status page of a partly refunded return
// says how much of what the items were worth was refunded, and why, in the
// page's language; a full refund reads as before.
func TestReturnPagePartialRefund(t *testing.T) {
	r := *testReturn
	r.Status, r.Refunded = returns.StatusRefunded, returns.Money{Minor: 2900, Currency: "EUR"}
	r.PartialRefund = &returns.PartialRefund{Amount: r.Refunded, Of: returns.Money{Minor: 4900, Currency: "EUR"}, Reason: "The scarf came back <b>worn</b>."}
	for lang, want := range map[string][]string{
		"en": {"€29.00 of €49.00 refunded", "Why not the full amount:"},
		"lv": {"Atmaksāti 29,00 € no 49,00 €", "Kāpēc ne visa summa:"},
	} {
		p := returnPage(lang)
		p.Return = &r
		html, doc := render(t, ReturnPageView(p))
		if got := doc.Find("#refund-h").Text(); got != want[0] {
			t.Errorf("%s: heading %q, want %q", lang, got, want[0])
		}
		if !strings.Contains(doc.Text(), want[1]) || !strings.Contains(html, "The scarf came back &lt;b&gt;worn&lt;/b&gt;.") {
			t.Errorf("%s: the reason is not shown, escaped:\n%s", lang, html)
		}
	}
	r.PartialRefund = nil
	p := returnPage("en")
	p.Return = &r
	_, doc := render(t, ReturnPageView(p))
	if doc.Find("#refund-h").Length() != 0 || !strings.Contains(doc.Text(), "We refunded €29.00 to your original payment method.") {
		t.Errorf("a full refund does not read as before:\n%s", doc.Text())
	}
}
