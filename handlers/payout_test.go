package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/shopify/devshop"
)

// refundReturn submits a dissatisfied return of title on order as its
// customer, approves it, marks it received and refunds what the form
// suggests, as staff c; it returns the code and the refund's answer.
func (h *harness) refundReturn(t *testing.T, c *http.Client, order, email, title string) (string, answer) {
	t.Helper()
	code := h.submitReturn(order, email, title, field("kind", "dissatisfied"), field("reason", "doesnt_fit"))
	for _, step := range []string{"approve", "receive"} {
		if a := h.action(c, code, step, nil); a.status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", step, a.status, a.body)
		}
	}
	key, amount := refundKey(t, h, c, code)
	a := h.action(c, code, "refund", url.Values{"amount": {amount}, "key": {key}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	return code, a
}

// emailsOf returns the kinds of the emails queued to the return's customer.
func (h *harness) emailsOf(t *testing.T, code string) []returns.EmailKind {
	t.Helper()
	var kinds []returns.EmailKind
	for _, m := range h.outbox(t) {
		if strings.HasPrefix(m.DedupeKey, code+":") && strings.HasSuffix(m.DedupeKey, ":customer") {
			kinds = append(kinds, m.Kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// emailOf returns the one email of kind to the return's customer.
func (h *harness) emailOf(t *testing.T, code string, kind returns.EmailKind) returns.OutboxMessage {
	t.Helper()
	var found []returns.OutboxMessage
	for _, m := range h.outbox(t) {
		if m.Kind == kind && strings.HasPrefix(m.DedupeKey, code+":") {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s emails of %s, want 1", len(found), kind, code)
	}
	return found[0]
}

// customerPage opens the return's status page as its customer, in English.
func (h *harness) customerPage(t *testing.T, code string) string {
	t.Helper()
	c := h.client()
	a := h.get(c, paths.ReturnTokenURL(code, h.linkToken(code)))
	for a.status == http.StatusSeeOther {
		a = h.get(c, a.header.Get("Location"))
	}
	if a.status != http.StatusOK {
		t.Fatalf("status page: %d\n%s", a.status, a.body)
	}
	return a.body
}

func refundTransactions(t *testing.T, snap devshop.OrderSnapshot) []devshop.TransactionSnapshot {
	t.Helper()
	if len(snap.RefundDetails) != 1 {
		t.Fatalf("order %s has %d refunds at Shopify, want 1: %+v", snap.Name, len(snap.RefundDetails), snap.RefundDetails)
	}
	return snap.RefundDetails[0].Transactions
}

// TestCashOnDeliveryRefundIsPaidByStaff: #1007 was paid cash on delivery.
// Shopify records the refund on the return and moves no money, so the
// ledger says staff are to pay it, the staff page says so with a button, the
// customer's email and page say the shop pays them itself, and staff's
// confirmation goes on the timeline with one more email.
func TestCashOnDeliveryRefundIsPaidByStaff(t *testing.T) {
	h := nativeHarness(t)
	ctx := context.Background()
	staff := h.staff("kim@example.com")
	code, a := h.refundReturn(t, staff, "1007", "ilze.kalnina@example.lv", "Ceramic bowl")
	if loc := a.header.Get("Location"); !strings.Contains(loc, "done=refund-to-pay") {
		t.Errorf("refund redirected to %q, want the flash that staff pay", loc)
	}

	snap, _ := h.shop.OrderByName("#1007")
	txs := refundTransactions(t, snap)
	if len(txs) != 1 || !txs[0].Manual || txs[0].Status != "SUCCESS" || txs[0].Amount != "24.00" || snap.RefundDetails[0].Return == "" {
		t.Fatalf("Shopify's refund: %+v, want one manual 24.00 transaction on the return", snap.RefundDetails[0])
	}
	refs := h.assertLedger(code, 1)
	if ref := refs[0]; ref.State != returns.RefundSucceeded || !ref.ToPayByStaff() || ref.Payout.Manual.String() != "24.00 EUR" || ref.Payout.ManualGateway != "Cash on Delivery (COD)" {
		t.Fatalf("ledger: %+v, want succeeded with 24.00 EUR for staff to pay", ref)
	}
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Errorf("return is %s, want refunded", st)
	}

	page := h.get(staff, "/admin/returns/"+code).body
	if !strings.Contains(page, "Pay €24.00 to the customer yourself (Cash on Delivery (COD)), then confirm.") {
		t.Errorf("the staff page does not tell staff to pay:\n%s", page)
	}
	confirm := paths.AdminManualPaidURL(code, refs[0].ID)
	if !strings.Contains(page, `action="`+confirm+`"`) {
		t.Fatalf("no confirm form posting to %s", confirm)
	}

	refunded := h.emailOf(t, code, returns.EmailRefunded)
	if !strings.Contains(refunded.Text, "We will pay €24.00 back to you ourselves, by bank transfer or in cash") || strings.Contains(refunded.Text, "to your original payment method") {
		t.Errorf("the refunded email does not say the shop pays the customer itself:\n%s", refunded.Text)
	}
	if body := h.customerPage(t, code); !strings.Contains(body, "We will pay €24.00 back to you ourselves, by bank transfer or in cash") || strings.Contains(body, "to your original payment method") {
		t.Errorf("the status page does not say how the money comes:\n%s", body)
	}

	// Staff confirm, twice (a double click): one event, one email.
	if a := h.postForm(staff, confirm, nil); a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done=manual-paid") {
		t.Fatalf("confirm: %d %s\n%s", a.status, a.header.Get("Location"), a.body)
	}
	if a := h.postForm(staff, confirm, nil); a.status != http.StatusConflict {
		t.Errorf("confirming again: %d, want 409", a.status)
	}
	refs = h.assertLedger(code, 1)
	if refs[0].ToPayByStaff() || refs[0].ManualPaidAt.IsZero() || refs[0].ManualPaidBy == 0 {
		t.Errorf("ledger after the confirmation: %+v", refs[0])
	}
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := h.store.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var paid []returns.Event
	for _, ev := range evs {
		if ev.Type == returns.EventManualRefundPaid {
			paid = append(paid, ev)
		}
	}
	if len(paid) != 1 || paid[0].Actor != returns.StaffActor(refs[0].ManualPaidBy) || !strings.Contains(paid[0].Message, "24.00 EUR") {
		t.Errorf("timeline's confirmations: %+v, want one by the staff member", paid)
	}
	want := []returns.EmailKind{returns.EmailApproved, returns.EmailItemReceived, returns.EmailManualRefundPaid, returns.EmailRefunded, returns.EmailRequestReceived}
	slices.Sort(want)
	if got := h.emailsOf(t, code); !slices.Equal(got, want) {
		t.Errorf("customer's emails %v, want %v", got, want)
	}
	if m := h.emailOf(t, code, returns.EmailManualRefundPaid); !strings.Contains(m.Text, "We have paid €24.00 back to you") {
		t.Errorf("the paid email:\n%s", m.Text)
	}
	page = h.get(staff, "/admin/returns/"+code).body
	if strings.Contains(page, confirm) || !strings.Contains(page, "€24.00 paid to the customer by kim@example.com") {
		t.Errorf("the staff page after the confirmation:\n%s", page)
	}
	if body := h.customerPage(t, code); !strings.Contains(body, "We paid €24.00 back to you.") {
		t.Errorf("the status page after the confirmation:\n%s", body)
	}
}

// TestPendingRefundIsFollowedUntilSettled: a refund whose card transaction
// stays pending at its gateway is not announced as refunded; the periodic
// pass follows it, and its success moves the return to refunded with the
// usual email, once.
func TestPendingRefundIsFollowedUntilSettled(t *testing.T) {
	h := nativeHarness(t)
	ctx := context.Background()
	h.shop.SetPendingRefundGateways("bogus")
	staff := h.staff("kim@example.com")
	code, a := h.refundReturn(t, staff, "1002", "sam.taylor@example.com", "Wool scarf")
	if loc := a.header.Get("Location"); !strings.Contains(loc, "done=refund-awaiting") {
		t.Errorf("refund redirected to %q, want the flash of a refund awaiting its provider", loc)
	}
	snap, _ := h.shop.OrderByName("#1002")
	txs := refundTransactions(t, snap)
	if len(txs) != 1 || txs[0].Status != "PENDING" {
		t.Fatalf("Shopify's refund transactions: %+v, want one pending", txs)
	}
	refs := h.assertLedger(code, 1)
	if refs[0].State != returns.RefundSucceeded || refs[0].Payout.State != returns.PayoutPending {
		t.Fatalf("ledger: %+v, want succeeded with its payout pending", refs[0])
	}
	if st := h.returnStatus(code); st != returns.StatusItemReceived {
		t.Errorf("return is %s while its refund is pending, want item_received", st)
	}
	if got := h.emailsOf(t, code); slices.Contains(got, returns.EmailRefunded) {
		t.Errorf("a refunded email while the refund is pending: %v", got)
	}
	if page := h.get(staff, "/admin/returns/"+code).body; !strings.Contains(page, "Waiting for the payment provider") {
		t.Errorf("the staff page does not show the refund pending")
	}
	if body := h.customerPage(t, code); !strings.Contains(body, "Your refund of €49.00 is being processed by the payment provider") || strings.Contains(body, "We refunded") {
		t.Errorf("the status page while pending:\n%s", body)
	}

	// Still pending: the pass changes nothing.
	h.app.Refunds.ReconcileRefunds(ctx)
	if st := h.returnStatus(code); st != returns.StatusItemReceived {
		t.Errorf("return is %s after a pass while still pending", st)
	}

	if _, err := h.shop.SettleTransaction(txs[0].ID, "SUCCESS"); err != nil {
		t.Fatal(err)
	}
	h.app.Refunds.ReconcileRefunds(ctx)
	h.app.Refunds.ReconcileRefunds(ctx)
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Fatalf("return is %s once the provider confirmed, want refunded", st)
	}
	if refs := h.assertLedger(code, 1); refs[0].Payout.State != returns.PayoutSent {
		t.Errorf("ledger after success: %+v", refs[0])
	}
	if m := h.emailOf(t, code, returns.EmailRefunded); !strings.Contains(m.Subject, "€49.00 refunded") {
		t.Errorf("refunded email: %q", m.Subject)
	}
	if body := h.customerPage(t, code); !strings.Contains(body, "We refunded €49.00 to your original payment method.") || strings.Contains(body, "being processed by the payment provider") {
		t.Errorf("the status page after success:\n%s", body)
	}
}

// TestFailedRefundIsShownToStaffNeverEmailed: a refund whose transaction
// fails at its gateway is failed in the ledger, with what to do, and the
// customer is never emailed that it was refunded.
func TestFailedRefundIsShownToStaffNeverEmailed(t *testing.T) {
	h := nativeHarness(t)
	ctx := context.Background()
	h.shop.SetPendingRefundGateways("bogus")
	staff := h.staff("kim@example.com")
	code, _ := h.refundReturn(t, staff, "1002", "sam.taylor@example.com", "Wool scarf")
	snap, _ := h.shop.OrderByName("#1002")
	txs := refundTransactions(t, snap)
	if _, err := h.shop.SettleTransaction(txs[0].ID, "FAILURE"); err != nil {
		t.Fatal(err)
	}
	h.app.Refunds.ReconcileRefunds(ctx)
	refs := h.assertLedger(code, 1)
	if refs[0].Payout.State != returns.PayoutFailed || !strings.Contains(refs[0].Error, "failed at the payment provider (GENERIC_ERROR)") || !strings.Contains(refs[0].Error, "Refund it again in Shopify admin") {
		t.Fatalf("ledger after the failure: %+v", refs[0])
	}
	if st := h.returnStatus(code); st != returns.StatusItemReceived {
		t.Errorf("return is %s after its refund failed, want item_received", st)
	}
	if got := h.emailsOf(t, code); slices.Contains(got, returns.EmailRefunded) {
		t.Errorf("a refunded email for a failed refund: %v", got)
	}
	page := h.get(staff, "/admin/returns/"+code).body
	if !strings.Contains(page, "Failed at the payment provider") || !strings.Contains(page, "Refund it again in Shopify admin") {
		t.Errorf("the staff page does not show the failure with what to do:\n%s", page)
	}
	if body := h.customerPage(t, code); strings.Contains(body, "We refunded") {
		t.Errorf("the status page claims a refund:\n%s", body)
	}
}

// TestSplitPaymentRefundGoesToBothPayments: #1006 was paid 40.00 by card and
// 20.00 by gift card; a refund of both its lines goes to both, gift card
// first as Shopify suggests, in one Shopify refund that is one refund in the
// ledger and on the timeline.
func TestSplitPaymentRefundGoesToBothPayments(t *testing.T) {
	h := nativeHarness(t)
	ctx := context.Background()
	staff := h.staff("kim@example.com")
	c := h.client()
	h.lookup(c, "1006", "jamie.rivera@example.com")
	key, lines := h.orderForm(c)
	form := []part{field("key", key), field("kind", "dissatisfied"), field("reason", "doesnt_fit")}
	for _, title := range []string{"Merino beanie", "Linen napkins"} {
		form = append(form, field("line", lines[title]), field("qty-"+lines[title], "1"))
	}
	a := h.postMultipart(c, "/order/returns", form)
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	if code == "" {
		t.Fatalf("submit: %d\n%s", a.status, a.body)
	}
	for _, step := range []string{"approve", "receive"} {
		if a := h.action(staff, code, step, nil); a.status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", step, a.status, a.body)
		}
	}
	refundForm, amount := refundKey(t, h, staff, code)
	if amount != "60.00" {
		t.Errorf("suggested %s, want 60.00", amount)
	}
	if a := h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {refundForm}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}

	snap, _ := h.shop.OrderByName("#1006")
	txs := refundTransactions(t, snap)
	parents := map[string]string{}
	for _, t := range snap.Transactions {
		if t.Kind == "SALE" || t.Kind == "CAPTURE" {
			parents[t.ID] = t.Gateway
		}
	}
	var got []string
	for _, tx := range txs {
		got = append(got, parents[tx.ParentID]+" "+tx.Amount+" "+tx.Status)
	}
	if want := []string{"gift_card 20.00 SUCCESS", "shopify_payments 40.00 SUCCESS"}; !slices.Equal(got, want) {
		t.Errorf("Shopify's refund went to %v, want %v", got, want)
	}
	if snap.TotalRefunded != "60.00" {
		t.Errorf("order refunded %s, want 60.00", snap.TotalRefunded)
	}
	refs := h.assertLedger(code, 1)
	if refs[0].Amount.String() != "60.00 EUR" || refs[0].State != returns.RefundSucceeded || refs[0].Payout.State != returns.PayoutSent || refs[0].ToPayByStaff() {
		t.Errorf("ledger: %+v", refs[0])
	}
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := h.store.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Type == returns.EventRefunded || ev.Type == returns.EventShopifyRefund {
			n++
		}
	}
	if n != 1 || r.Status != returns.StatusRefunded {
		t.Errorf("timeline has %d refunds, status %s; want one refund, refunded", n, r.Status)
	}
	if m := h.emailOf(t, code, returns.EmailRefunded); !strings.Contains(m.Subject, "€60.00 refunded") {
		t.Errorf("refunded email: %q", m.Subject)
	}
}
