package handlers_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/returnsportal/returns"
)

// orderNote returns the note of order number at the demo store.
func (h *harness) orderNote(number string) string {
	h.t.Helper()
	o, ok := h.shop.OrderByName(number)
	if !ok {
		h.t.Fatalf("no order %s at the demo store", number)
	}
	return o.Note
}

// eventMessages returns the messages of the return's timeline.
func (h *harness) eventMessages(code string) []string {
	h.t.Helper()
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		h.t.Fatal(err)
	}
	evs, err := h.store.Events(ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Message)
	}
	return out
}

func hasMessage(msgs []string, part string) bool {
	for _, m := range msgs {
		if strings.Contains(m, part) {
			return true
		}
	}
	return false
}

// TestNoteEditBetweenReadAndWrite: a merchant saves the note at the demo
// store right after the portal read it to write the approval's line; the
// portal's write erases the merchant's text, and the merchant's
// orders/updated brings it back: both end up in the note, and the timeline
// says what was put back.
func TestNoteEditBetweenReadAndWrite(t *testing.T) {
	h := newHarness(t, nil)
	h.subscribe()
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.deliver()
	const staffText = "Customer asked for a call before shipping."
	if err := h.shop.EditNoteAfterNextRead("1001", h.orderNote("1001")+"\n"+staffText); err != nil {
		t.Fatal(err)
	}
	if a := h.action(c, code, "approve", url.Values{"message": {"We send a new one."}}); a.status != 303 {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	if n := h.shop.PendingNoteEdits("1001"); n != 0 {
		t.Fatalf("%d note edits still wait for a read: the approval read no note", n)
	}
	if note := h.orderNote("1001"); strings.Contains(note, staffText) {
		t.Fatalf("note %q holds the merchant's text right after the approval's write: the edit did not fall between read and write", note)
	}
	h.deliver()
	note := h.orderNote("1001")
	if !strings.Contains(note, staffText) || !strings.Contains(note, code+": approved") {
		t.Fatalf("note %q, want the merchant's text and the portal's approval line", note)
	}
	if !hasMessage(h.eventMessages(code), "put back: "+staffText) {
		t.Fatalf("timeline %q does not say the merchant's text was put back", h.eventMessages(code))
	}
	// Applied again, the webhooks change nothing more.
	h.app.Events.Sweep(context.Background())
	h.deliver()
	if got := h.orderNote("1001"); strings.Count(got, staffText) != 1 {
		t.Fatalf("note %q, want the merchant's text once", got)
	}
}

// TestStaffSaveFromOlderScreen: a merchant saves the note from a screen
// opened before the portal wrote its line; the line comes back once, and
// when erased again it stays out and the timeline says so.
func TestStaffSaveFromOlderScreen(t *testing.T) {
	h := newHarness(t, nil)
	h.subscribe()
	older := h.orderNote("1001")
	code := h.damagedTowel()
	h.deliver()
	withLine := h.orderNote("1001")
	line := strings.TrimSpace(strings.TrimPrefix(withLine, older))
	if line == "" || !strings.Contains(line, code) {
		t.Fatalf("note %q after the request, want the portal's line of %s", withLine, code)
	}

	if err := h.shop.SetNote("1001", older); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	if note := h.orderNote("1001"); !strings.Contains(note, line) {
		t.Fatalf("note %q after the older screen's save, want the portal's line put back", note)
	}
	if !hasMessage(h.eventMessages(code), "put back: "+line) {
		t.Fatalf("timeline %q does not say the line was put back", h.eventMessages(code))
	}

	if err := h.shop.SetNote("1001", older); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	h.app.Events.Sweep(context.Background())
	if note := h.orderNote("1001"); strings.Contains(note, line) {
		t.Fatalf("note %q: the line erased again was put back again", note)
	}
	if !hasMessage(h.eventMessages(code), "left out: "+line) {
		t.Fatalf("timeline %q does not say the line erased again is left out", h.eventMessages(code))
	}
}

// TestOrderHistoryMetafield: every write-back adds its step to the order's
// $app:returns.history metafield at the demo store, per return code.
func TestOrderHistoryMetafield(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	if a := h.action(c, code, "approve", url.Values{"message": {"We send a new one."}}); a.status != 303 {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	value, ok := h.shop.OrderMetafield("1001", returns.HistoryNamespace, returns.HistoryKey)
	if !ok {
		t.Fatal("no history metafield on #1001")
	}
	var rec returns.OrderHistoryRecord
	if err := json.Unmarshal([]byte(value), &rec); err != nil {
		t.Fatalf("history %q: %v", value, err)
	}
	entries := rec.Returns[code]
	if len(entries) != 2 || entries[0].Status != returns.StatusRequested || entries[1].Status != returns.StatusApproved {
		t.Fatalf("history of %s = %+v, want requested then approved", code, entries)
	}
	note := h.orderNote("1001")
	for _, e := range entries {
		if e.Text == "" || !strings.Contains(note, e.Text) || e.At.IsZero() {
			t.Fatalf("entry %+v: want the note's line and a time", e)
		}
	}
}
