package views

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	returns "github.com/returnsportal/returns"
)

const (
	outboxError = "550 5.1.1 <anna.berzina@example.lv>: Recipient address rejected"
	outboxText  = "Labdien!\n\nJūsu atgriešanas pieteikums ir apstiprināts.\n<script>alert(1)</script>\n"
)

func outboxMessages() []returns.OutboxMessage {
	return []returns.OutboxMessage{
		{ID: 12, ReturnID: 7, Kind: returns.EmailApproved, To: "anna.berzina@example.lv", ReplyTo: "team@shop.example",
			Subject: "Atgriešana R-7KQ9X2MD: apstiprināta", Text: outboxText, HTML: "<p>hi</p>", MessageID: "<0123456789abcdef@returns.example>",
			Status: returns.OutboxFailed, Attempts: 1, LastError: outboxError, CreatedAt: now.Add(-time.Hour), NextAt: now.Add(-time.Hour)},
		{ID: 11, ReturnID: 7, Kind: returns.EmailStaffNewReturn, To: "team@shop.example", ReplyTo: "anna.berzina@example.lv",
			Subject: "New return R-7KQ9X2MD for order #1001", MessageID: "<fedcba9876543210@returns.example>",
			Status: returns.OutboxSent, Attempts: 1, CreatedAt: now.Add(-2 * time.Hour), SentAt: now.Add(-2 * time.Hour)},
		{ID: 10, ReturnID: 7, Kind: returns.EmailRequestReceived, To: "anna.berzina@example.lv",
			Subject: "", Status: returns.OutboxQueued, Attempts: 3, LastError: "dial tcp: i/o timeout", CreatedAt: now.Add(-3 * time.Hour), NextAt: now.Add(time.Minute)},
	}
}

func outboxListPage() OutboxListPage {
	return OutboxListPage{
		AdminPage: adminPage("Outbox"),
		Messages:  outboxMessages(),
		Next:      10,
	}
}

func outboxMessagePage() OutboxMessagePage {
	m := outboxMessages()[0]
	return OutboxMessagePage{
		AdminPage:  adminPage(m.Subject),
		Message:    &m,
		ReturnCode: "R-7KQ9X2MD",
	}
}

func TestOutboxListPage(t *testing.T) {
	html, doc := render(t, OutboxListPageView(outboxListPage()))
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Error("page has a script")
	}
	if got := doc.Find("h1").Text(); got != "Outbox" {
		t.Errorf("h1 %q", got)
	}
	var heads []string
	doc.Find("table.outbox thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	if want := "Created|Kind|Recipient|Subject|Status|Attempts|Last error"; strings.Join(heads, "|") != want {
		t.Errorf("columns %q, want %q", strings.Join(heads, "|"), want)
	}
	rows := doc.Find("table.outbox tbody tr")
	if rows.Length() != 3 {
		t.Fatalf("%d rows", rows.Length())
	}
	var cells []string
	rows.First().Children().Each(func(_ int, s *goquery.Selection) { cells = append(cells, strings.TrimSpace(s.Text())) })
	want := []string{"26 Nov 2026, 09:00", "Approved", "anna.berzina@example.lv", "Atgriešana R-7KQ9X2MD: apstiprināta", "Failed", "1", outboxError}
	if strings.Join(cells, "|") != strings.Join(want, "|") {
		t.Errorf("first row %q\nwant %q", cells, want)
	}
	if rows.First().Find(`a[href="/admin/outbox/12"]`).Length() != 1 || rows.First().Find(".badge-bad").Length() != 1 {
		t.Error("no link to the message or no failure badge")
	}
	if got := strings.TrimSpace(rows.Eq(2).Find("th a").Text()); got != "Message 10" {
		t.Errorf("a message without a subject is linked as %q", got)
	}
	filters := doc.Find(`nav[aria-label="Filter by status"] a`)
	var labels []string
	filters.Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()+"="+s.AttrOr("href", "")) })
	wantFilters := "All=/admin/outbox|Queued=/admin/outbox?status=queued|Sent=/admin/outbox?status=sent|Failed=/admin/outbox?status=failed|Gave up=/admin/outbox?status=dead|Not sent=/admin/outbox?status=unsent"
	if strings.Join(labels, "|") != wantFilters {
		t.Errorf("filters %q", strings.Join(labels, "|"))
	}
	if cur := filters.Filter("[aria-current=page]"); cur.Length() != 1 || cur.Text() != "All" {
		t.Errorf("current filter %q", cur.Text())
	}
	if doc.Find(`a[rel=next][href="/admin/outbox?before=10"]`).Length() != 1 {
		t.Error("no next link")
	}
	if nav := doc.Find(`header nav a[href="/admin/outbox"]`); nav.Text() != "Outbox" || nav.AttrOr("aria-current", "") != "page" {
		t.Errorf("nav link %q aria-current=%q", nav.Text(), nav.AttrOr("aria-current", ""))
	}

	p := outboxListPage()
	p.Messages, p.Next, p.Status = nil, 0, returns.OutboxDead
	_, doc = render(t, OutboxListPageView(p))
	if !strings.Contains(doc.Find(".empty").Text(), "No emails with this status.") || doc.Find(`.empty a[href="/admin/outbox"]`).Length() != 1 {
		t.Error("empty filtered list")
	}
	if cur := doc.Find(`nav[aria-label="Filter by status"] a[aria-current=page]`); cur.AttrOr("href", "") != "/admin/outbox?status=dead" {
		t.Errorf("default filter link %q", cur.AttrOr("href", ""))
	}
	if doc.Find("a[rel=next]").Length() != 0 {
		t.Error("next link on the last page")
	}
}

func TestOutboxMessagePage(t *testing.T) {
	html, doc := render(t, OutboxMessagePageView(outboxMessagePage()))
	if doc.Find("script").Length() != 0 || strings.Contains(html, "<script>alert") {
		t.Error("the text part became markup")
	}
	facts := map[string]string{}
	doc.Find("dl.facts dt").Each(func(_ int, s *goquery.Selection) { facts[s.Text()] = strings.TrimSpace(s.Next().Text()) })
	want := map[string]string{
		"To": "anna.berzina@example.lv", "Reply-To": "team@shop.example", "Subject": "Atgriešana R-7KQ9X2MD: apstiprināta",
		"Message-ID": "<0123456789abcdef@returns.example>", "Kind": "Approved", "Status": "Failed", "Attempts": "1",
		"Last error": outboxError, "Created": "26 Nov 2026, 09:00", "Sent": "Not yet", "Return": "Open the return",
	}
	for k, v := range want {
		if facts[k] != v {
			t.Errorf("%s = %q, want %q", k, facts[k], v)
		}
	}
	if _, ok := facts["Next attempt"]; ok {
		t.Error("next attempt shown for a failed email")
	}
	if got := doc.Find("pre.mail-text").Text(); got != outboxText {
		t.Errorf("text part %q", got)
	}
	frame := doc.Find("iframe")
	if frame.Length() != 1 {
		t.Fatalf("%d iframes", frame.Length())
	}
	sandbox, ok := frame.Attr("sandbox")
	if !ok || strings.Contains(sandbox, "allow-scripts") || strings.Contains(sandbox, "allow-same-origin") {
		t.Errorf("iframe sandbox %v %q", ok, sandbox)
	}
	if frame.AttrOr("src", "") != "/admin/outbox/12/html" || strings.TrimSpace(frame.AttrOr("title", "")) == "" {
		t.Errorf("iframe src %q title %q", frame.AttrOr("src", ""), frame.AttrOr("title", ""))
	}
	form := doc.Find(`form[action="/admin/outbox/12/requeue"]`)
	if form.AttrOr("method", "") != "post" || form.Find("button[type=submit]").Text() != "Send again" {
		t.Error("no requeue form")
	}
	if nav := doc.Find(`header nav a[href="/admin/outbox"]`); nav.AttrOr("aria-current", "") != "true" {
		t.Errorf("nav aria-current %q", nav.AttrOr("aria-current", ""))
	}
	if doc.Find(`a[href="/admin/outbox"]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Back to the outbox" }).Length() != 1 {
		t.Error("no link back")
	}

	p := outboxMessagePage()
	m := outboxMessages()[2]
	p.Message, p.ReturnCode = &m, ""
	_, doc = render(t, OutboxMessagePageView(p))
	if doc.Find("form[action*=requeue]").Length() != 0 || strings.Contains(doc.Text(), "Send again") {
		t.Error("requeue form for a queued message")
	}
	if doc.Find("iframe").Length() != 0 || !strings.Contains(doc.Text(), "This email has no HTML part.") {
		t.Error("iframe without an HTML part")
	}
	if h := doc.Find("h1").Text(); h != "Request received" {
		t.Errorf("heading of a message without a subject %q", h)
	}
	facts = map[string]string{}
	doc.Find("dl.facts dt").Each(func(_ int, s *goquery.Selection) { facts[s.Text()] = strings.TrimSpace(s.Next().Text()) })
	if facts["Next attempt"] != "26 Nov 2026, 10:01" || facts["Reply-To"] != "None" {
		t.Errorf("queued message facts %v", facts)
	}
	if _, ok := facts["Return"]; ok {
		t.Error("return link without a ReturnCode")
	}
}
