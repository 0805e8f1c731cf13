package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// blanket1004 is the only line of #1004 in the demo store, ordered two days
// ago and not shipped yet.
const blanket1004 = "gid://shopify/LineItem/100401"

// TestWithdrawalBeforeDelivery: the law lets a consumer withdraw before the
// goods arrive (Directive 2011/83/EU, Article 9(3)), so the withdrawal page of
// #1004, nothing of which is shipped, says the period is open until 14 days
// after the last item arrives — no date yet, not "ended" — and how to
// withdraw from the items not shipped, which the function does not take: a
// statement choosing one is refused with the line's reason.
func TestWithdrawalBeforeDelivery(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1004", "anna.berzina@example.lv")
	p := h.get(c, "/withdraw")
	if p.status != http.StatusOK {
		t.Fatalf("GET /withdraw: %d", p.status)
	}
	for _, want := range []string{
		`id="period"`, "until 14 days after the last item of your order arrives",
		`id="unshipped"`, "You may withdraw from them before they arrive",
		"Not shipped yet: to withdraw from it, write to us.",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page of #1004 does not say %q\n%s", want, p.body)
		}
	}
	for _, not := range []string{"has not started", "ended on", "has been delivered yet"} {
		if strings.Contains(p.body, not) {
			t.Errorf("the page of #1004 says %q", not)
		}
	}
	v := url.Values{"key": {returns.NewToken()}, "name": {"Anna Bērziņa"}, "email": {"anna.berzina@example.lv"},
		"line": {blanket1004}, "qty-" + blanket1004: {"1"}}
	a := h.postForm(c, "/withdraw", v)
	if a.status == http.StatusSeeOther || !strings.Contains(a.body, "This item cannot be withdrawn from.") {
		t.Errorf("a statement of the unshipped blanket: %d, want it refused with the line's reason\n%s", a.status, a.body)
	}
}
