package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// TestEmailsAreQueuedWithEachChange: submitting a return and approving it puts
// two customer emails (in the return's language) and one staff email in the
// outbox, and the status link in them opens the status page.
func TestEmailsAreQueuedWithEachChange(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	st, _ := h.app.Settings.Settings(ctx)
	st.StaffEmail = "shop@example.com"
	if err := h.app.Settings.UpdateSettings(ctx, st, "test"); err != nil {
		t.Fatal(err)
	}
	staff := h.staff("kim@example.com")
	// #1001 is a Latvian order; the customer submits in Latvian.
	cust := h.client()
	cust.Jar.SetCookies(mustURL(h.srv.URL), []*http.Cookie{{Name: "lang", Value: "lv"}})
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(cust)
	towel := lines["Linen tea towel"]
	a := h.postMultipart(cust, "/order/returns", []part{field("key", key), field("kind", "damaged"), field("description", "Saplēsts."), field("resolution", "refund"), field("line", towel), field("qty-"+towel, "1")})
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	if code == "" {
		t.Fatalf("submit: %d", a.status)
	}
	// The same form again queues nothing more.
	h.postMultipart(cust, "/order/returns", []part{field("key", key), field("kind", "damaged"), field("description", "Saplēsts."), field("resolution", "refund"), field("line", towel), field("qty-"+towel, "1")})
	if a := h.action(staff, code, "approve", url.Values{"message": {"Sūtiet, lūdzu."}}); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}

	msgs, err := h.store.OutboxMessages(ctx, "", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]returns.OutboxMessage{}
	for _, m := range msgs {
		byKey[m.DedupeKey] = m
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages queued, want 3: %v", len(msgs), keys(byKey))
	}
	received, approved, notice := byKey[code+":request_received:customer"], byKey[code+":approved:customer"], byKey[code+":staff_new_return:staff"]
	for name, m := range map[string]returns.OutboxMessage{"request received": received, "approved": approved} {
		if m.To != "anna.berzina@example.lv" || !strings.Contains(m.Subject, code) || !strings.Contains(m.Subject, "Atgriešana") {
			t.Errorf("%s: to %q subject %q", name, m.To, m.Subject)
		}
		if m.ReplyTo != "shop@example.com" || m.MessageID == "" {
			t.Errorf("%s: reply-to %q message-id %q", name, m.ReplyTo, m.MessageID)
		}
	}
	if !strings.Contains(approved.Text, "Sūtiet, lūdzu.") || !strings.Contains(approved.Text, "Brīvības iela 1") {
		t.Errorf("the approval lacks staff's message or the return address:\n%s", approved.Text)
	}
	if notice.To != "shop@example.com" || !strings.Contains(notice.Text, h.srv.URL+"/admin/returns/"+code) {
		t.Errorf("staff notice: to %q\n%s", notice.To, notice.Text)
	}

	// The status link in the email opens the status page in a fresh browser.
	link := regexp.MustCompile(regexp.QuoteMeta(h.srv.URL) + `/returns/` + code + `\?t=[0-9a-f]{32}`).FindString(received.Text)
	if link == "" || !strings.Contains(received.HTML, strings.TrimPrefix(link, h.srv.URL)) {
		t.Fatalf("no status link in both parts:\n%s", received.Text)
	}
	fresh := h.client()
	res := h.get(fresh, strings.TrimPrefix(link, h.srv.URL))
	if res.status != http.StatusSeeOther {
		t.Fatalf("email link: %d", res.status)
	}
	if page := h.get(fresh, "/returns/"+code); page.status != http.StatusOK || !strings.Contains(page.body, "Linen tea towel") {
		t.Fatalf("status page from the email: %d", page.status)
	}

	// Staff see the messages in the outbox, with both parts, and can open the HTML.
	list := h.get(staff, "/admin/outbox")
	if list.status != http.StatusOK || strings.Count(list.body, code) < 3 {
		t.Fatalf("outbox page: %d\n%s", list.status, list.body)
	}
	one := h.get(staff, "/admin/outbox/"+itoa(received.ID))
	if one.status != http.StatusOK || !strings.Contains(one.body, "sandbox") {
		t.Fatalf("outbox message page: %d", one.status)
	}
	html := h.get(staff, "/admin/outbox/"+itoa(received.ID)+"/html")
	if html.status != http.StatusOK || !strings.Contains(html.header.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(html.body, code) {
		t.Fatalf("HTML part: %d %v", html.status, html.header)
	}
	if a := h.get(h.client(), "/admin/outbox"); a.status != http.StatusSeeOther {
		t.Fatalf("outbox without a session: %d", a.status)
	}
}

func keys(m map[string]returns.OutboxMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestStaffRequeueAnEmail: a message that failed for good (a 5xx answer) is sent
// again when staff requeue it from the outbox page; one already queued or sent is
// refused, and the page says so.
func TestStaffRequeueAnEmail(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	staff := h.staff("kim@example.com")
	h.dissatisfiedScarf()
	msgs, err := h.store.OutboxMessages(ctx, "", 0, 50)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox %v, %v; want the request-received email", msgs, err)
	}
	id := msgs[0].ID
	requeue := func() answer {
		return h.postForm(staff, "/admin/outbox/"+strconv.FormatInt(id, 10)+"/requeue", nil)
	}
	// Queued still: nothing to requeue.
	if a := requeue(); a.status != http.StatusConflict {
		t.Fatalf("requeue of a queued message: status %d, want 409\n%s", a.status, a.body)
	}
	// The mail worker's claim, then a permanent failure.
	claimed, token, err := h.store.ClaimOutbox(ctx, time.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].ID != id {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := h.store.OutboxFailed(ctx, id, token, returns.OutboxFailed, "550 5.1.1 User unknown"); err != nil {
		t.Fatal(err)
	}
	a := requeue()
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done=requeued") {
		t.Fatalf("requeue of a failed message: status %d location %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	m, err := h.store.OutboxMessage(ctx, id)
	if err != nil || m.Status != returns.OutboxQueued {
		t.Fatalf("after requeue: %+v, %v", m, err)
	}
	if page := h.get(staff, a.header.Get("Location")); !strings.Contains(page.body, "queued to be sent again") {
		t.Errorf("no confirmation on the page:\n%s", page.body)
	}
	if a := h.postForm(staff, "/admin/outbox/999999/requeue", nil); a.status != http.StatusNotFound {
		t.Errorf("requeue of an unknown message: status %d, want 404", a.status)
	}
}
