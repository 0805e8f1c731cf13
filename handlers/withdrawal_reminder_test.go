package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// reminders are the outbox's reminders of withdrawals' refund deadlines.
func (h *harness) reminders(t *testing.T) []returns.OutboxMessage {
	t.Helper()
	var out []returns.OutboxMessage
	for _, m := range h.outbox(t) {
		if m.Kind == returns.EmailStaffWithdrawalDeadline {
			out = append(out, m)
		}
	}
	return out
}

// remindAt runs the reminder pass with the clock at at.
func (h *harness) remindAt(t *testing.T, at time.Time) int {
	t.Helper()
	h.deps.Now = func() time.Time { return at }
	h.rebuild()
	n, err := h.app.WithdrawalReminders.Remind(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWithdrawalDeadlineReminder: two days before the refund deadline of a
// withdrawal of the whole of #1002, staff are emailed once, with the
// deadline, the amount due and the link to the return; not three days
// before, and not again on a later pass.
func TestWithdrawalDeadlineReminder(t *testing.T) {
	h := newHarness(t, nil)
	h.staffAddress("team@shop.example")
	code := h.withdraw(scarf1002, socks1002)
	ctx := context.Background()
	zone := h.app.Identity.Location(ctx)
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	deadline := r.WithdrawalRefundDeadline(zone)
	day := func(d int) time.Time { return deadline.AddDate(0, 0, d).Add(12 * time.Hour) }

	if n := h.remindAt(t, time.Now()); n != 0 || len(h.reminders(t)) != 0 {
		t.Fatalf("reminded %d on the day of the statement", n)
	}
	if n := h.remindAt(t, day(-3).Add(11*time.Hour+59*time.Minute)); n != 0 || len(h.reminders(t)) != 0 {
		t.Fatalf("reminded %d three days before the deadline", n)
	}
	if n := h.remindAt(t, day(-2).Add(-12*time.Hour)); n != 1 {
		t.Fatalf("reminded %d at the start of the day two days before the deadline, want 1", n)
	}
	if n := h.remindAt(t, day(-1)); n != 0 {
		t.Errorf("reminded %d again on a later pass", n)
	}
	ms := h.reminders(t)
	if len(ms) != 1 {
		t.Fatalf("%d reminders in the outbox, want 1", len(ms))
	}
	m := ms[0]
	date := deadline.Format("2 January 2006")
	if m.To != "team@shop.example" || !strings.Contains(m.Subject, code) || !strings.Contains(m.Subject, date) {
		t.Errorf("reminder to %q with subject %q, want the staff address, %s and %s", m.To, m.Subject, code, date)
	}
	for _, want := range []string{"items €58.00 + delivery €3.90 = €61.90", h.srv.URL + "/admin/returns/" + code, "Sam Taylor"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, m.Text)
		}
	}
}

// TestWithdrawalDeadlineReminderSkipsRefunded: of two withdrawals from #1002,
// the one refunded (the scarf) is not reminded of; the other (the socks, the
// rest of the order once the scarf is refunded, so owed the delivery) is,
// once, in the language of the staff account at the staff address (Latvian).
func TestWithdrawalDeadlineReminderSkipsRefunded(t *testing.T) {
	h := newHarness(t, nil)
	team := h.staff("team@shop.example")
	h.postForm(team, "/admin/language", url.Values{"lang": {"lv"}})
	h.staffAddress("team@shop.example")
	refunded := h.withdraw(scarf1002)
	open := h.withdraw(socks1002)
	key, amount := refundKey(t, h, team, refunded)
	if a := h.action(team, refunded, "refund", url.Values{"amount": {amount}, "key": {key}}); a.status != 303 {
		t.Fatalf("refund: status %d\n%s", a.status, a.body)
	}
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, open)
	if err != nil {
		t.Fatal(err)
	}
	at := r.WithdrawalRefundDeadline(h.app.Identity.Location(ctx)).AddDate(0, 0, -1)
	if n := h.remindAt(t, at); n != 1 {
		t.Fatalf("reminded %d, want 1", n)
	}
	ms := h.reminders(t)
	if len(ms) != 1 || !strings.Contains(ms[0].Subject, open) || strings.Contains(ms[0].Subject, refunded) {
		t.Fatalf("reminders %+v, want one, of %s", ms, open)
	}
	if !strings.Contains(ms[0].Subject, "Atteikums "+open) || !strings.Contains(ms[0].Text, "preces 9,00 € + piegāde 3,90 € = 12,90 €") {
		t.Errorf("the reminder is not in Latvian:\n%s\n%s", ms[0].Subject, ms[0].Text)
	}
}
