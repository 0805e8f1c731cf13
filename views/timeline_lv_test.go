package views

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// systemMessages are the timeline messages the domain writes, each as it
// writes it (returns.Event.Msg), with the event type it goes with.
var systemMessages = []struct {
	typ returns.EventType
	msg returns.Message
}{
	{returns.EventRefunded, returns.Msg("%s", eur(2900))},
	{returns.EventRefunded, returns.Msg("%s as store credit", eur(2900))},
	{returns.EventRefunded, returns.Msg("%s as store credit; %s to be paid to the customer by staff (%s)", eur(4900), eur(2400), "Cash on Delivery (COD)")},
	{returns.EventRefunded, returns.Msg("%s; %s to be paid to the customer by staff (%s)", eur(4900), eur(2400), "Cash on Delivery (COD)")},
	{returns.EventRefunded, returns.Msg("%s confirmed by the payment provider", eur(2900))},
	{returns.EventRefundAwaiting, returns.Msg("%s refunded in Shopify; the payment provider has not confirmed it yet. The customer is emailed once it has.", eur(2900))},
	{returns.EventManualRefundPaid, returns.Msg("%s paid to the customer by staff (%s)", eur(2400), "Cash on Delivery (COD)")},
	{returns.EventShopifyRefund, returns.Msg("%s", eur(900))},
	{returns.EventOrderRefund, returns.Msg("%s refunded on order %s in Shopify admin on %s UTC, booked to no return", eur(900), "#1001", "2026-11-24 10:00")},
	{returns.EventApproved, returns.Msg("Approved in Shopify admin.")},
	{returns.EventItemReceived, returns.Msg("Received and processed in Shopify admin.")},
	{returns.EventCancelled, returns.Msg("Cancelled in Shopify admin.")},
	{returns.EventClosed, returns.Msg("Closed in Shopify admin.")},
	{returns.EventAutoApproved, returns.Msg("By the rule “%s”", "Small returns")},
	{returns.EventPersonalDataErased, returns.Msg("Personal data erased (%s)", "Shopify customers/redact")},
	{returns.EventPhotosDeleted, returns.Msg("Photos deleted after %d days", 180)},
	{returns.EventRefundUnknown, returns.Msg("Shopify did not confirm the refund; it is checked again automatically.")},
	{returns.EventShopifyDeferred, returns.Msg("Shopify order not updated yet, will retry: %s", returns.Msg("Shopify is not answering right now. Please try again shortly."))},
	{returns.EventDataRequest, returns.Msg("Shopify passed on the customer’s request for the data the portal holds about them (data request %s); staff were emailed to answer it within 30 days.", "9001")},
	{returns.EventDataRequest, returns.Msg("Shopify passed on the customer’s request for the data the portal holds about them (data request %s); answer it within 30 days.", "9001")},
	{returns.EventDataRequest, returns.Msg("Shopify passed on the customer’s request for the data the portal holds about them; staff were emailed to answer it within 30 days.")},
	{returns.EventDataRequest, returns.Msg("Shopify passed on the customer’s request for the data the portal holds about them; answer it within 30 days.")},
}

// TestTimelineSystemMessagesInLatvian: a message the system wrote on the
// timeline reads in the staff member's language, amounts in its way, though
// it is stored in English too; what people named in it (a rule, a payment
// method) stays as written.
func TestTimelineSystemMessagesInLatvian(t *testing.T) {
	for _, sm := range systemMessages {
		t.Run(sm.msg.Format, func(t *testing.T) {
			v := staffView()
			ev := event(1, 0, returns.ActorSystem, sm.typ, "", sm.msg.String())
			ev.Msg = sm.msg
			v.Events = []returns.Event{ev}
			p := adminReturnPage()
			p.View = v
			text := func(lang string) string {
				doc := renderStaff(t, lang, AdminReturnPageView(p))
				return strings.Join(strings.Fields(doc.Find(".log li .text").Text()), " ")
			}
			en, lv := text("en"), text("lv")
			if en == "" || lv == "" {
				t.Fatalf("no message shown: en %q, lv %q", en, lv)
			}
			left := notWords.ReplaceAllString(lv, " ")
			for _, named := range []string{"Cash on Delivery (COD)", "customers/redact"} {
				left = strings.ReplaceAll(left, named, " ")
			}
			english := map[string]bool{}
			for _, w := range wordRe.FindAllString(en, -1) {
				english[w] = true
			}
			// Words of two letters are left out: Latvian has "to" and "un"
			// of its own.
			for _, w := range wordRe.FindAllString(left, -1) {
				if len([]rune(w)) > 2 && english[w] {
					t.Errorf("English left in %q: %q (English %q)", lv, w, en)
					break
				}
			}
			if strings.Contains(sm.msg.String(), "EUR") && strings.Contains(lv, "EUR") {
				t.Errorf("amount as stored, not in the page's way: %q", lv)
			}
		})
	}
}
