package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCancelAsksFirst: cancelling was one click. The status page's button now
// opens a page that asks, without JavaScript; only its form cancels, and a
// form without the confirmation is asked first.
func TestCancelAsksFirst(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1002", "sam.taylor@example.com")
	key, lines := h.orderForm(c)
	sub := h.postMultipart(c, "/order/returns", []part{field("key", key), field("line", lines["Wool scarf"]),
		field("qty-"+lines["Wool scarf"], "1"), field("kind", "dissatisfied"), field("reason", "doesnt_fit")})
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(sub.header.Get("Location"))
	if sub.status != http.StatusSeeOther || code == "" {
		t.Fatalf("submit: status %d\n%s", sub.status, sub.body)
	}

	status := h.get(c, "/returns/"+code)
	doc := parse(t, status.body)
	ask := doc.Find(`form[action="/returns/` + code + `/cancel"]`)
	if ask.Length() != 1 || strings.ToLower(ask.AttrOr("method", "get")) != "get" {
		t.Fatalf("the status page's cancel form should open the question (GET), got %d forms, method %q", ask.Length(), ask.AttrOr("method", ""))
	}

	// A one-click POST (an old page's form) cancels nothing: it is asked.
	if a := h.postForm(c, "/returns/"+code+"/cancel", nil); a.status != http.StatusSeeOther || a.header.Get("Location") != "/returns/"+code+"/cancel" {
		t.Fatalf("cancel without confirmation: status %d, location %q", a.status, a.header.Get("Location"))
	}
	if !strings.Contains(h.get(c, "/returns/"+code).body, "Cancel this return") {
		t.Fatal("the return was cancelled without the confirmation")
	}

	question := h.get(c, "/returns/"+code+"/cancel")
	if question.status != http.StatusOK {
		t.Fatalf("the question: status %d", question.status)
	}
	qdoc := parse(t, question.body)
	form := qdoc.Find(`form[method=post][action="/returns/` + code + `/cancel"]`)
	if form.Find(`input[type=hidden][name=confirm][value=yes]`).Length() != 1 || form.Find("button").Length() != 1 {
		t.Fatalf("the question has no confirming form:\n%s", question.body)
	}
	if qdoc.Find(`a[href="/returns/`+code+`"]`).Length() != 1 {
		t.Error("the question has no way back that keeps the return")
	}

	if a := h.postForm(c, "/returns/"+code+"/cancel", url.Values{"confirm": {"yes"}}); a.status != http.StatusSeeOther || a.header.Get("Location") != "/returns/"+code {
		t.Fatalf("confirmed cancel: status %d, location %q", a.status, a.header.Get("Location"))
	}
	// Asked again once cancelled, the customer is sent to the status page.
	if a := h.get(c, "/returns/"+code+"/cancel"); a.status != http.StatusSeeOther || a.header.Get("Location") != "/returns/"+code {
		t.Errorf("the question of a cancelled return: status %d, location %q", a.status, a.header.Get("Location"))
	}
}

// TestFooterNamesEveryCookie: the footer said the site keeps one cookie, while
// the language switch sets a second. Every cookie a customer's visit sets must
// be named in the footer by what it remembers.
func TestFooterNamesEveryCookie(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	set := map[string]bool{}
	keep := func(a answer) {
		for _, line := range a.header.Values("Set-Cookie") {
			set[strings.SplitN(line, "=", 2)[0]] = true
		}
	}
	keep(h.get(c, "/?lang=lv"))
	keep(h.get(c, "/?lang=en"))
	a := h.postForm(c, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	keep(a)
	page := h.get(c, "/order")
	keep(page)
	footer := parse(t, page.body).Find("footer").Text()
	purpose := map[string]string{"lang": "language"}
	for name := range set {
		want, ok := purpose[name]
		if !ok {
			want = "order" // the session: the order the customer opened
		}
		if !strings.Contains(footer, want) {
			t.Errorf("cookie %q is set, but the footer does not say it remembers the %s:\n%s", name, want, footer)
		}
	}
	if !set["lang"] {
		t.Error("the language switch set no cookie: the footer may say so")
	}
}

// TestLookupTitleIsItsHeading: the lookup page was titled "Return an item"
// under the heading "Find your order".
func TestLookupTitleIsItsHeading(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	for _, a := range []answer{
		h.get(c, "/"),
		h.get(c, "/link"),
		h.postForm(c, "/", url.Values{"order": {"9999"}, "email": {"nobody@example.com"}}),
	} {
		doc := parse(t, a.body)
		title, h1 := doc.Find("title").Text(), strings.TrimSpace(doc.Find("h1").Text())
		if !strings.HasPrefix(title, h1+" · ") {
			t.Errorf("title %q, heading %q", title, h1)
		}
	}
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
