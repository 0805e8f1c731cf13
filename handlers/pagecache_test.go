package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStatusPageIsNeverStale: the status page is served from what was rendered
// before only while nothing it shows has changed: every change of the return
// (by staff, by the customer, by the refund ledger), of the settings, and the
// language give a new page; another order's session gets nothing.
func TestStatusPageIsNeverStale(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	staff := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	page := func(path string) string {
		t.Helper()
		a := h.get(c, path)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, a.status)
		}
		return a.body
	}
	first := page("/returns/" + code)
	if again := page("/returns/" + code); again != first {
		t.Fatal("the same return, unchanged, gives another page")
	}
	if !strings.Contains(first, "Cancel this return") {
		t.Fatalf("a requested return offers no cancel:\n%s", first)
	}

	// Staff approve: the page says so at once.
	if a := h.action(staff, code, "approve", url.Values{"message": {"Please send it with the label."}}); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	approved := page("/returns/" + code)
	if approved == first || !strings.Contains(approved, "Please send it with the label.") || strings.Contains(approved, "Cancel this return") {
		t.Fatalf("after the approval the page is not the approved one:\n%s", approved)
	}

	// The settings: a new return address shows at once.
	st, err := h.app.Settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.ReturnAddress = "Returns, Krišjāņa Barona iela 99, Rīga"
	if err := h.app.Settings.UpdateSettings(ctx, st, "test"); err != nil {
		t.Fatal(err)
	}
	if moved := page("/returns/" + code); !strings.Contains(moved, "Krišjāņa Barona iela 99") {
		t.Fatalf("the new return address is not on the page:\n%s", moved)
	}

	// A refund: the amount shows.
	key, _ := refundKey(t, h, staff, code)
	if a := h.action(staff, code, "refund", url.Values{"amount": {"49.00"}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", a.status, a.body)
	}
	if refunded := page("/returns/" + code); !strings.Contains(refunded, "€49.00") || refunded == approved {
		t.Fatalf("after the refund the page does not show it:\n%s", refunded)
	}

	// The language: each its own page, and back.
	lv := page("/returns/" + code + "?lang=lv")
	if !strings.Contains(lv, `lang="lv"`) {
		t.Fatal("no Latvian page")
	}
	en := page("/returns/" + code + "?lang=en")
	if !strings.Contains(en, `lang="en"`) || en == lv {
		t.Fatal("the English page after the Latvian one is not English")
	}
	// Whatever else a query holds stays out of the page, for the next reader.
	if odd := page("/returns/" + code + "?utm_source=mail"); strings.Contains(odd, "utm_source") {
		t.Error("a query parameter of one view reached the kept page")
	}

	// Another order's session, after the page was kept: the same 404 as a
	// return that does not exist.
	other := h.client()
	h.lookup(other, "1001", "anna.berzina@example.lv")
	if a := h.get(other, "/returns/"+code); a.status != http.StatusNotFound {
		t.Errorf("another order's session: status %d, want 404", a.status)
	}
}
