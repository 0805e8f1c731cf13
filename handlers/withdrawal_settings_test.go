package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestWithdrawalSettingsPage: the settings page has every setting of the
// right of withdrawal and of the delivery's refund, saves them (the
// cheapest delivery typed as a price), keeps the delivery's refund on for a
// form from before it was shown, and points out at its top what contradicts
// the law.
func TestWithdrawalSettingsPage(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	page := h.get(c, "/admin/settings")
	for _, field := range []string{"withdrawal_link_en", "withdrawal_link_lv", "exempt_custom_made_tag", "exempt_perishable_tag",
		"exempt_sealed_hygiene_tag", "delivery_days", "not_informed_tag", "refund_delivery", "cheapest_delivery"} {
		if !strings.Contains(page.body, `name="`+field+`"`) {
			t.Errorf("the settings page has no field %s", field)
		}
	}
	// The defaults have a final-sale tag the law does not exempt.
	if w := lawWarnings(t, page.body); !strings.Contains(w, "final-sale") || strings.Contains(w, "delivery cost") {
		t.Fatalf("warnings of the defaults: %q", w)
	}

	form := url.Values{"return_address": {"Returns, Rīga"}, "window_days": {"30"}, "photo_retention_days": {"180"},
		"non_returnable_tag": {"final-sale"}, "withdrawal_link_en": {"Withdraw here"}, "withdrawal_link_lv": {"Atteikties šeit"},
		"exempt_custom_made_tag": {"personalised"}, "exempt_perishable_tag": {"final-sale"}, "exempt_sealed_hygiene_tag": {""},
		"delivery_days": {"5"}, "not_informed_tag": {"no-info"}, "cheapest_delivery": {"3.999"}}
	bad := h.postForm(c, "/admin/settings", form)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "Enter a price of zero or more") || !strings.Contains(bad.body, `value="3.999"`) {
		t.Fatalf("a price with three decimals: %d\n%s", bad.status, bad.body)
	}
	form.Set("cheapest_delivery", "3.90") // refund_delivery unticked
	if a := h.postForm(c, "/admin/settings", form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", a.status, a.body)
	}
	st, _ := h.app.Settings.Settings(context.Background())
	w := st.Withdrawal
	if w.LinkEN != "Withdraw here" || w.LinkLV != "Atteikties šeit" || w.ExemptCustomMadeTag != "personalised" || w.ExemptPerishableTag != "final-sale" ||
		w.ExemptSealedHygieneTag != "" || w.DeliveryDays != 5 || w.NotInformedTag != "no-info" || st.RefundDelivery || st.CheapestDeliveryMinor != 390 || st.CheapestDeliveryCurrency != "EUR" {
		t.Fatalf("saved %+v, refund delivery %v, cheapest %d", w, st.RefundDelivery, st.CheapestDeliveryMinor)
	}
	page = h.get(c, "/admin/settings")
	// final-sale is now an exempt tag; the delivery left out is against the law.
	if w := lawWarnings(t, page.body); strings.Contains(w, "final-sale") || !strings.Contains(w, "delivery cost") {
		t.Fatalf("warnings after the save: %q", w)
	}
	if !strings.Contains(page.body, `value="3.90"`) {
		t.Fatal("the cheapest delivery is not shown as a price")
	}

	form.Set("refund_delivery", "on")
	form.Set("cheapest_delivery", "")
	if a := h.postForm(c, "/admin/settings", form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", a.status, a.body)
	}
	// A tab from before the fields existed sends neither: the refund of the
	// delivery stays on.
	form.Del("refund_delivery")
	form.Del("cheapest_delivery")
	if a := h.postForm(c, "/admin/settings", form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", a.status, a.body)
	}
	if st, _ := h.app.Settings.Settings(context.Background()); !st.RefundDelivery || st.CheapestDeliveryMinor != 0 {
		t.Fatalf("an older form changed the delivery's refund: %v %d", st.RefundDelivery, st.CheapestDeliveryMinor)
	}
	if w := lawWarnings(t, h.get(c, "/admin/settings").body); w != "" {
		t.Fatalf("warnings with nothing against the law: %q", w)
	}
}

// lawWarnings is the text of the settings page's warnings of what
// contradicts the law, "" when it shows none.
func lawWarnings(t *testing.T, body string) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(doc.Find("#law-warnings").Text())
}
