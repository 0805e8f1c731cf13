package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/views"
)

// The line items of #1002 in the demo store: the scarf (49.00) and the sale
// socks (9.00, tagged final-sale, which the law does not exempt from
// withdrawal); its delivery, "Standard", was 3.90.
const (
	scarf1002 = "gid://shopify/LineItem/100201"
	socks1002 = "gid://shopify/LineItem/100202"
)

// withdraw makes Sam Taylor's statement of withdrawal from lines of #1002
// through the withdrawal function, confirmed, and returns the return's code.
func (h *harness) withdraw(lines ...string) string {
	h.t.Helper()
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	v := url.Values{"key": {returns.NewToken()}, "name": {"Sam Taylor"}, "email": {"sam.taylor@example.com"}}
	for _, id := range lines {
		v.Add("line", id)
		v.Set("qty-"+id, "1")
	}
	a := h.postForm(c, "/withdraw/confirm", v)
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	if a.status != http.StatusSeeOther || code == "" {
		h.t.Fatalf("withdraw: status %d location %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	return code
}

// shippingRefunded is what Shopify says was refunded of #1002's delivery, read
// through the adapter as the portal reads it.
func (h *harness) shippingRefunded() returns.Money {
	h.t.Helper()
	o, err := h.deps.Shop.Order(context.Background(), "gid://shopify/Order/1002")
	if err != nil {
		h.t.Fatal(err)
	}
	return o.ShippingRefunded
}

// TestWithdrawalRefundClockOnReturnPage: staff see a withdrawal of the whole
// of #1002 with its legal basis, the statement, the refund deadline (14 days
// from the statement, moved off weekends and Latvian holidays, in the
// store's zone) and the days left, the amount due with its delivery line, and
// that the refund may be withheld until the goods or the parcel's tracking
// are back; the refund form offers the amount due and explains it. A return
// under the store's own policy says so.
func TestWithdrawalRefundClockOnReturnPage(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002, socks1002)
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	deadline := r.WithdrawalRefundDeadline(h.app.Identity.Location(ctx))

	page := h.get(staff, "/admin/returns/"+code)
	for _, want := range []string{
		`<dd id="legal-basis">Statutory withdrawal</dd>`,
		"Sam Taylor", "The withdrawal function on this site",
		`<time datetime="` + views.ISODate(deadline) + `">`,
		"days left.",
		`<dd id="withdrawal-due">items €58.00 + delivery €3.90 = €61.90`,
		"May be withheld for now: the goods are not back",
		"The amount due of the withdrawal: items €58.00 + delivery €3.90 = €61.90.",
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the return page lacks %q:\n%s", want, page.body)
		}
	}
	if strings.Contains(page.body, "badge badge-bad") {
		t.Errorf("a deadline 14 days away is flagged as passed")
	}
	if _, amount := refundKey(t, h, staff, code); amount != "61.90" {
		t.Errorf("the refund form offers %s, want the amount due, 61.90", amount)
	}

	// A damage report is made under the legal guarantee, and says so.
	other := h.damagedTowel()
	if page := h.get(staff, "/admin/returns/"+other); !strings.Contains(page.body, `<dd id="legal-basis">Legal guarantee</dd>`) ||
		strings.Contains(page.body, "Refund deadline") {
		t.Errorf("a commercial return's page:\n%s", page.body)
	}

	// In Latvian.
	h.postForm(staff, "/admin/language", url.Values{"lang": {"lv"}})
	page = h.get(staff, "/admin/returns/"+code)
	for _, want := range []string{"Juridiskais pamats", "Atmaksas termiņš", "preces 58,00 € + piegāde 3,90 € = 61,90 €", "Atteikuma atmaksājamā summa"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the Latvian return page lacks %q:\n%s", want, page.body)
		}
	}
}

// TestWithdrawalRefundedOnce: the whole of #1002 withdrawn is refunded once for
// its items and its delivery, 61.90, and Shopify's refund carries 3.90 of it
// as the shipping refunded; the same form sent twice at once, and again later,
// and a second tab's form make that one refund.
func TestWithdrawalRefundedOnce(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002, socks1002)
	key, amount := refundKey(t, h, staff, code)
	otherTab, _ := refundKey(t, h, staff, code)
	var wg sync.WaitGroup
	answers := make([]answer, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {key}})
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusSeeOther {
			t.Fatalf("submit %d: status %d\n%s", i+1, a.status, a.body)
		}
	}
	h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {key}})
	if a := h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {otherTab}}); a.status != http.StatusConflict || !strings.Contains(a.body, "This return was refunded already: €61.90.") {
		t.Errorf("the second tab's form: status %d, want 409 saying it was refunded\n%s", a.status, a.body)
	}
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "61.90" {
		t.Fatalf("demo store refunds %+v, want one of 61.90", snap.Refunds)
	}
	refs := h.assertLedger(code, 1)
	if refs[0].Shipping.Minor != 390 || refs[0].Amount.Minor != 6190 {
		t.Errorf("ledger %+v, want 61.90 with 3.90 of delivery", refs[0])
	}
	if got := h.shippingRefunded(); got.Minor != 390 {
		t.Errorf("Shopify refunded %v of the delivery, want 3.90", got)
	}
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Errorf("status %s, want refunded", st)
	}
	checkRefundKeys(t, h, code, "#1002", key)
	if page := h.get(staff, "/admin/returns/"+code); !strings.Contains(page.body, "Refunded: the clock has stopped.") {
		t.Errorf("the refunded withdrawal's clock:\n%s", page.body)
	}
}

// TestWithdrawalRefundLostAnswerReconciled: Shopify makes the withdrawal's
// refund and every answer is lost; the reconciler finds the one refund, with
// its delivery, and makes no second.
func TestWithdrawalRefundLostAnswerReconciled(t *testing.T) {
	h := newHarness(t, nil, func(c *shopify.Config) { c.MaxAttempts = 1 })
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002, socks1002)
	key, amount := refundKey(t, h, staff, code)
	h.shop.DropAfterCommit(10)
	a := h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {key}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "refund-unknown") {
		t.Fatalf("refund with lost answers: status %d location %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	h.shop.DropAfterCommit(0)
	h.app.Refunds.ReconcileRefunds(context.Background())
	refs := h.assertLedger(code, 1)
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "61.90" || refs[0].State != returns.RefundSucceeded || refs[0].ShopifyID != snap.Refunds[0].ID {
		t.Fatalf("ledger %+v, demo store %+v; want the one refund of 61.90", refs, snap.Refunds)
	}
	if got := h.shippingRefunded(); got.Minor != 390 {
		t.Errorf("Shopify refunded %v of the delivery, want 3.90", got)
	}
	checkRefundKeys(t, h, code, "#1002", key)
}

// TestPartialWithdrawalRefundsItemsOnly: a withdrawal from the scarf alone
// owes no delivery (the socks stay with the customer, delivered): the page
// says so, the form offers 49.00, and Shopify refunds no shipping.
func TestPartialWithdrawalRefundsItemsOnly(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002)
	page := h.get(staff, "/admin/returns/"+code)
	if !strings.Contains(page.body, "items €49.00; no delivery: not the whole order") {
		t.Errorf("the partial withdrawal's amount due:\n%s", page.body)
	}
	key, amount := refundKey(t, h, staff, code)
	if amount != "49.00" {
		t.Fatalf("the refund form offers %s, want 49.00", amount)
	}
	if a := h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: status %d\n%s", a.status, a.body)
	}
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "49.00" {
		t.Fatalf("demo store refunds %+v, want one of 49.00", snap.Refunds)
	}
	if got := h.shippingRefunded(); got.Minor != 0 {
		t.Errorf("Shopify refunded %v of the delivery, want none", got)
	}
}

// TestQueueOfWithdrawalsByDeadline: the queue filters withdrawals and lists
// them by refund deadline; each withdrawal's row shows its deadline, and once
// it passed unrefunded, in red.
func TestQueueOfWithdrawalsByDeadline(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002)
	other := h.damagedTowel()
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	deadline := r.WithdrawalRefundDeadline(h.app.Identity.Location(ctx))
	en := views.NewLocalizer("en")
	en.Zone = h.app.Identity.Location(ctx)

	all := h.get(staff, "/admin")
	if !strings.Contains(all.body, "Refund by "+en.Date(deadline)) || !strings.Contains(all.body, other) {
		t.Errorf("the queue lacks the withdrawal's deadline or the damage report:\n%s", all.body)
	}
	for _, path := range []string{"/admin?kind=withdrawal", "/admin?kind=withdrawal&sort=deadline"} {
		a := h.get(staff, path)
		if a.status != http.StatusOK || !strings.Contains(a.body, code) || strings.Contains(a.body, other) {
			t.Errorf("%s: status %d, want the withdrawal alone\n%s", path, a.status, a.body)
		}
	}
	if a := h.get(staff, "/admin?kind=withdrawal&sort=deadline"); !strings.Contains(a.body, "Withdrawals to refund, legal deadline soonest first") ||
		!strings.Contains(a.body, `aria-current="page">Withdrawals by legal deadline, soonest first`) {
		t.Errorf("the deadline order is not told:\n%s", a.body)
	}

	// A month later, unrefunded: the deadline passed, in red.
	h.deps.Now = func() time.Time { return time.Now().AddDate(0, 1, 0) }
	h.rebuild()
	late := h.staff("lee@example.com")
	a := h.get(late, "/admin?kind=withdrawal&sort=deadline")
	if !strings.Contains(a.body, `<strong class="error-text deadline">Refund deadline `+en.Date(deadline)+` passed</strong>`) {
		t.Errorf("the passed deadline is not flagged:\n%s", a.body)
	}
	if page := h.get(late, "/admin/returns/"+code); !strings.Contains(page.body, `<span class="badge badge-bad">Passed `) {
		t.Errorf("the return page does not flag the passed deadline:\n%s", page.body)
	}
}

// A withdrawal is refunded by the means of payment the customer used
// (Article 13(1)): store credit is not offered, and asked for anyway it is
// refused with nothing refunded.
func TestWithdrawalIsNotRefundedAsStoreCredit(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002, socks1002)
	if page := h.get(staff, "/admin/returns/"+code); strings.Contains(page.body, `value="store_credit"`) {
		t.Error("the refund form of a withdrawal offers store credit")
	}
	key, amount := refundKey(t, h, staff, code)
	a := h.action(staff, code, "refund", url.Values{"key": {key}, "amount": {amount}, "refund_method": {string(returns.RefundAsStoreCredit)}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "payment methods, as the law requires") {
		t.Errorf("store credit for a withdrawal: %d", a.status)
	}
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 0 {
		t.Errorf("%d refunds made", len(snap.Refunds))
	}
}

// The acknowledgement goes to the email address the statement gives, the
// consumer's electronic contact, even when it is not the order's.
func TestWithdrawalAcknowledgedAtTheStatementsAddress(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	v := url.Values{"key": {returns.NewToken()}, "name": {"Sam Taylor"}, "email": {"sam@work.example"}, "line": {scarf1002}, "qty-" + scarf1002: {"1"}}
	a := h.postForm(c, "/withdraw/confirm", v)
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	if a.status != http.StatusSeeOther || code == "" {
		t.Fatalf("withdraw: %d\n%s", a.status, a.body)
	}
	if m := h.emailOf(t, code, returns.EmailWithdrawalAcknowledged); m.To != "sam@work.example" {
		t.Errorf("the acknowledgement went to %s, want the statement's sam@work.example", m.To)
	}
	// Its status page acknowledges it; nothing was "approved".
	if p := h.customerPage(t, code); strings.Contains(p, "We approved your return") || !strings.Contains(p, "Send the items back") {
		t.Errorf("the status page of a withdrawal speaks of an approval")
	}
}
