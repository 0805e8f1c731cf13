package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestRedactedReturnShowsNothingPersonal: after a customer's personal data is
// erased, their return's status page (kept rendered before) shows none of it,
// their emailed link opens nothing, and the backoffice still opens the
// return, without the customer.
func TestRedactedReturnShowsNothingPersonal(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	words := "Torn along the hem; call me on +371 2000 0000"
	code := h.submitReturn("1001", "anna.berzina@example.lv", "Linen tea towel",
		field("kind", "damaged"), field("description", words), field("resolution", "replacement"),
		part{name: "photos", filename: "towel.jpg", data: jpegBytes(t, 64, 48)})
	if a := h.action(staff, code, "approve", url.Values{"message": {"Dear Anna, we are sorry."}}); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	if a := h.action(staff, code, "ship", url.Values{"carrier": {"dpd"}, "number": {"05212345678901"}}); a.status != http.StatusSeeOther {
		t.Fatalf("ship: %d", a.status)
	}
	token := h.linkToken(code)
	personal := []string{"anna.berzina", words, "Dear Anna", "05212345678901"}

	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	before := h.get(cust, "/returns/"+code)
	img := regexp.MustCompile(`src="(/returns/` + code + `/photos/\d+)"`).FindStringSubmatch(before.body)
	if before.status != http.StatusOK || img == nil || !strings.Contains(before.body, "Dear Anna") || !strings.Contains(before.body, "05212345678901") {
		t.Fatalf("status page before the erasure: %d\n%s", before.status, before.body)
	}
	staffPhoto := "/admin/returns/" + code + "/photos/" + img[1][strings.LastIndex(img[1], "/")+1:]
	if a := h.get(staff, staffPhoto); a.status != http.StatusOK {
		t.Fatalf("staff photo before the erasure: %d", a.status)
	}

	n, err := h.app.Redaction.RedactCustomer(context.Background(), "Anna.Berzina@example.lv", nil, "returns-portal redact (command line)")
	if err != nil || n != 1 {
		t.Fatalf("RedactCustomer() = %d, %v", n, err)
	}

	after := h.get(cust, "/returns/"+code)
	if after.status != http.StatusOK || !strings.Contains(after.body, code) || !strings.Contains(after.body, "Linen tea towel") {
		t.Fatalf("status page after the erasure: %d\n%s", after.status, after.body)
	}
	for _, s := range append(personal, "/photos/") {
		if strings.Contains(after.body, s) {
			t.Errorf("the status page still shows %q", s)
		}
	}
	if a := h.get(cust, img[1]); a.status != http.StatusNotFound {
		t.Errorf("the photo: %d, want 404", a.status)
	}
	if a := h.get(h.client(), "/returns/"+code+"?t="+token); a.status != http.StatusNotFound {
		t.Errorf("the link from her email: %d, want 404", a.status)
	}

	page := h.get(staff, "/admin/returns/"+code)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Personal data erased") {
		t.Fatalf("backoffice page after the erasure: %d\n%s", page.status, page.body)
	}
	for _, path := range []string{"/admin/returns/" + code, "/admin", "/admin?q=" + code, "/admin/outbox"} {
		a := h.get(staff, path)
		for _, s := range append(personal, returns.RedactedEmail) {
			if a.status != http.StatusOK || strings.Contains(a.body, s) {
				t.Errorf("%s (%d) shows %q", path, a.status, s)
			}
		}
	}
	if a := h.get(staff, staffPhoto); a.status != http.StatusNotFound {
		t.Errorf("staff photo after the erasure: %d, want 404", a.status)
	}

	// The return goes on without emails to anyone.
	outbox := len(h.outbox(t))
	if a := h.action(staff, code, "close", nil); a.status != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", a.status, a.body)
	}
	if got := len(h.outbox(t)); got != outbox {
		t.Errorf("closing the erased return queued %d emails", got-outbox)
	}
}

func (h *harness) outbox(t *testing.T) []returns.OutboxMessage {
	t.Helper()
	ms, err := h.store.OutboxMessages(context.Background(), "", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
