package views

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	returns "github.com/returnsportal/returns"
)

// erasedView is the staff view of a return whose personal data was erased a
// day ago, as the store keeps it then: the note and the messages of the
// timeline emptied, the erasure on it.
func erasedView() *returns.StaffReturn {
	v := staffView()
	r := *v.Return
	r.Email, r.Note, r.Photos, r.RedactedAt = returns.RedactedEmail, "", nil, now.AddDate(0, 0, -1)
	v.Return = &r
	v.Events = nil
	for _, ev := range shippedEvents() {
		if returns.ErasesMessage(ev.Type) {
			ev.Message = ""
		}
		v.Events = append(v.Events, ev)
	}
	v.Events = append(v.Events, returns.Event{ID: 9, ReturnID: 7, At: r.RedactedAt, Actor: returns.ActorSystem, Type: returns.EventPersonalDataErased, Message: "Personal data erased (Shopify customers/redact)"})
	return v
}

func TestAdminReturnPageErased(t *testing.T) {
	p := adminReturnPage()
	p.View = erasedView()
	html, doc := render(t, AdminReturnPageView(p))
	if strings.Contains(html, returns.RedactedEmail) {
		t.Error("the page shows the address that stands in for the erased one")
	}
	facts := map[string]string{}
	doc.Find("dl.facts").First().Find("dt").Each(func(_ int, s *goquery.Selection) { facts[s.Text()] = strings.TrimSpace(s.Next().Text()) })
	if facts["Customer"] != "Personal data erased on 25 Nov 2026, 10:00" {
		t.Errorf("customer = %q", facts["Customer"])
	}
	entries := doc.Find(".log li")
	if got := entries.Last().Text(); !strings.Contains(got, "Personal data erased · System") || !strings.Contains(got, "(Shopify customers/redact)") {
		t.Errorf("last entry %q", got)
	}
	// The staff note (entry 3) says its text went; the refund failure kept
	// Shopify's words.
	if got := entries.Eq(2).Find("p.meta").Text(); got != "Text erased with the customer’s personal data." {
		t.Errorf("erased note entry %q", entries.Eq(2).Text())
	}
	if got := entries.Eq(4).Text(); !strings.Contains(got, refundFailedText) || strings.Contains(got, "erased") {
		t.Errorf("refund failure entry %q", got)
	}
}

func TestQueuePageErased(t *testing.T) {
	p := queuePage()
	p.Returns[0].Email, p.Returns[0].RedactedAt = returns.RedactedEmail, now
	html, doc := render(t, QueuePageView(p))
	if strings.Contains(html, returns.RedactedEmail) || doc.Find("tbody tr").First().Find("td.meta").Text() != "Erased" {
		t.Errorf("queue row %q", doc.Find("tbody tr").First().Text())
	}
	if !strings.Contains(doc.Find("tbody tr").Eq(1).Text(), "sam.taylor@example.com") {
		t.Error("another customer's address is gone from the queue")
	}
}

func TestOutboxMessagePageErased(t *testing.T) {
	p := outboxMessagePage()
	m := *p.Message
	m.To, m.ReplyTo, m.Subject, m.Text, m.HTML, m.LastError = returns.RedactedEmail, "", "", "", "", ""
	p.Message = &m
	html, doc := render(t, OutboxMessagePageView(p))
	if strings.Contains(html, returns.RedactedEmail) || !strings.Contains(doc.Text(), "The customer’s personal data was erased") {
		t.Error("the erased email's page does not say so")
	}
	if doc.Find("form[action*=requeue]").Length() != 0 {
		t.Error("an erased email can be sent again")
	}
	_, doc = render(t, OutboxListPageView(OutboxListPage{AdminPage: adminPage("Outbox"), Messages: []returns.OutboxMessage{m}}))
	if got := doc.Find("tbody tr td").Eq(2).Text(); got != "Erased" {
		t.Errorf("recipient in the list %q", got)
	}
}

func TestPrivacyEventLabels(t *testing.T) {
	for lang, want := range map[string][2]string{
		"en": {"Your personal data was erased", "Photos deleted"},
		"lv": {"Jūsu personas dati tika dzēsti", "Fotoattēli dzēsti"},
	} {
		l := Localizer{Lang: lang}
		at := time.Time{}
		if got := l.Event(returns.Event{At: at, Type: returns.EventPersonalDataErased, Message: "Personal data erased (x)"}); got != want[0] {
			t.Errorf("%s erased: %q", lang, got)
		}
		if got := l.Event(returns.Event{At: at, Type: returns.EventPhotosDeleted}); got != want[1] {
			t.Errorf("%s photos: %q", lang, got)
		}
	}
}
