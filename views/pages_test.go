package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	returns "github.com/returnsportal/returns"
)

var (
	now       = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	shipped   = now.AddDate(0, 0, -5)
	eur       = func(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }
	testOrder = &returns.Order{
		ID: "gid://shopify/Order/1001", Name: "#1001", Email: "anna.berzina@example.lv",
		Currency: "EUR", CreatedAt: now.AddDate(0, 0, -8),
		Lines: []returns.LineItem{
			{ID: "gid://shopify/LineItem/11", Title: "Linen tea towel", Quantity: 1, UnitPrice: eur(2900), Fulfilled: 1, FulfilledAt: shipped},
			{ID: "gid://shopify/LineItem/12", Title: "Ceramic mug", VariantTitle: "Blue", Quantity: 2, UnitPrice: eur(1450), Fulfilled: 2, FulfilledAt: shipped},
			{ID: "gid://shopify/LineItem/13", Title: "Sale socks", Quantity: 1, UnitPrice: eur(900), Fulfilled: 1, FulfilledAt: shipped, ProductTags: []string{"final-sale"}},
			{ID: "gid://shopify/LineItem/14", Title: "Wool blanket", Quantity: 1, UnitPrice: eur(8900)},
			{ID: "gid://shopify/LineItem/15", Title: "Canvas tote", Quantity: 1, UnitPrice: eur(1900), Fulfilled: 1, FulfilledAt: now.AddDate(0, 0, -90)},
		},
	}
	testReturn = &returns.Return{
		ID: 7, Code: "R-7KQ9X2MD", OrderID: testOrder.ID, OrderName: "#1001", Locale: "lv",
		Kind: returns.KindDamaged, Reason: returns.ReasonDamaged, Resolution: returns.ResolutionReplacement,
		Note:   "The handle came off.\nThe box was crushed <b>badly</b>.",
		Status: returns.StatusRequested, Currency: "EUR",
		Items: []returns.Item{
			{LineItemID: "gid://shopify/LineItem/12", Title: "Ceramic mug", Quantity: 2, UnitPrice: eur(1450)},
		},
		Photos:    []returns.Photo{{ID: 31, ContentType: "image/jpeg", Width: 4000, Height: 3000}, {ID: 32, ContentType: "image/png", Width: 600, Height: 800}},
		CreatedAt: now.AddDate(0, 0, -1),
	}
	testEvents = []returns.Event{
		{ID: 1, At: now.AddDate(0, 0, -1), Actor: returns.ActorCustomer, Type: returns.EventRequested, Status: returns.StatusRequested},
		{ID: 2, At: now.AddDate(0, 0, -1), Actor: returns.ActorSystem, Type: returns.EventShopifyUpdated, Message: "Return R-7KQ9X2MD requested: staff detail"},
		{ID: 3, At: now, Actor: returns.ActorSystem, Type: returns.EventShopifyDeferred, Message: "Shopify order not updated yet"},
		{ID: 4, At: now, Actor: returns.StaffActor(2), Type: "approved", Status: returns.StatusApproved, Message: "internal staff note"},
	}
)

// lookupValues is a lookup form showing an order number and an email address.
func lookupValues(order, email string) Form {
	return Form{Values: map[string]string{"order": order, "email": email}}
}

func page(lang, path, title string) Page {
	return Page{L: Localizer{Lang: lang}, Title: title, Path: path, DemoMode: true, NoIndex: true}
}

func orderPage(lang string) OrderPage {
	policy := returns.Policy{WindowDays: 30, NonReturnableTag: "final-sale"}
	return OrderPage{
		Page:    page(lang, "/order", "Order #1001"),
		Order:   testOrder,
		Lines:   returns.Eligibility(testOrder, policy, nil, now),
		Returns: []returns.Return{*testReturn},
		Form: ReturnForm{
			SubmissionKey: "k3y-0123456789abcdef",
			MaxPhotos:     5, MaxPhotoMB: 8,
		},
	}
}

func returnPage(lang string) ReturnPage {
	return ReturnPage{
		Page:          page(lang, "/returns/R-7KQ9X2MD", "Return R-7KQ9X2MD"),
		Return:        testReturn,
		Events:        testEvents,
		ReturnAddress: returns.DefaultSettings().ReturnAddress,
		Instructions:  returns.DefaultSettings().Instructions(lang),
		CanCancel:     true,
		OrderLink:     true,
	}
}

// pages returns every page with realistic view models in one language.
func pages(lang string) map[string]templ.Component {
	errMsg := returns.ErrorMessage(returns.ErrLookupFailed)
	dissatisfied := *testReturn
	dissatisfied.Kind, dissatisfied.Reason, dissatisfied.Resolution = returns.KindDissatisfied, returns.ReasonDoesntFit, returns.ResolutionRefund
	dissatisfied.Note, dissatisfied.Photos = "", nil
	return map[string]templ.Component{
		"lookup": LookupPageView(LookupPage{Page: page(lang, "/?order=1001", "Find your order"), Form: lookupValues("1001", "")}),
		"lookup-error": LookupPageView(LookupPage{Page: page(lang, "/", "Find your order"),
			Form: Form{Values: lookupValues("1001", "anna@example.lv").Values, Error: &errMsg}}),
		"lookup-limited": LookupPageView(LookupPage{Page: page(lang, "/", "Too many attempts"),
			Form: lookupValues("1001", "anna@example.lv"), Limited: true, RetryAfter: 20 * time.Minute}),
		"lookup-email-link": LookupPageView(LookupPage{Page: page(lang, "/", "Find your order"), EmailLink: true}),
		"link-sent":         AccessLinkSentPageView(AccessLinkSentPage{Page: page(lang, "/link", "Check your email")}),
		"link-open": AccessLinkOpenPageView(AccessLinkOpenPage{Page: page(lang, "/link?t=0123456789abcdef0123456789abcdef", "Open your order"),
			Token: "0123456789abcdef0123456789abcdef"}),
		"link-gone": AccessLinkGonePageView(AccessLinkGonePage{Page: page(lang, "/link", "This link does not work any more"),
			Message: returns.Msg("This link has expired or was used already.")}),
		"order": OrderPageView(orderPage(lang)),
		"confirmation": ConfirmationPageView(ConfirmationPage{Page: page(lang, "/returns/R-7KQ9X2MD", "Thank you"),
			Return: &dissatisfied, ReturnAddress: returns.DefaultSettings().ReturnAddress,
			Instructions: returns.DefaultSettings().Instructions(lang)}),
		"return": ReturnPageView(returnPage(lang)),
		"cancel": CancelPageView(CancelPage{Page: page(lang, "/returns/R-7KQ9X2MD/cancel", "Cancel return R-7KQ9X2MD?"), Return: testReturn}),
		"return-shipped": func() templ.Component {
			p := returnPage(lang)
			p.Return, p.Events, p.CanCancel = shippedReturn(), shippedEvents(), false
			return ReturnPageView(p)
		}(),
		"return-declined": func() templ.Component {
			p := returnPage(lang)
			p.Return, p.Events = declinedReturn()
			p.CanCancel = false
			return ReturnPageView(p)
		}(),
		"return-refunded": func() templ.Component {
			p := returnPage(lang)
			p.Return, p.Events = refundedReturn()
			p.CanCancel = false
			return ReturnPageView(p)
		}(),
		"return-parcel-form": func() templ.Component {
			p := returnPage(lang)
			r := dissatisfied
			r.Status = returns.StatusApproved
			p.Return, p.CanCancel = &r, false
			p.ParcelForm = Form{Values: map[string]string{returns.FieldCarrier: "other"},
				Fields: map[string]returns.Message{returns.FieldNumber: returns.Msg("Enter the tracking number without spaces."),
					returns.FieldCarrierName: returns.Msg("Enter the carrier’s name.")}}
			return ReturnPageView(p)
		}(),
		"error": ErrorPageView(ErrorPage{Page: page(lang, "/", "Too many attempts"), Status: 429,
			Heading: returns.Msg("Too many attempts"), Message: returns.Msg("Please try again later."), RetryAfter: 90 * time.Second}),
	}
}

func render(t *testing.T, c templ.Component) (string, *goquery.Document) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return buf.String(), doc
}

// TestPagesWellFormed checks what every page must have: no script or inline
// style, a label for every control, ids that are unique and exist where
// aria-describedby points, the language switch, and a small size.
func TestPagesWellFormed(t *testing.T) {
	for _, lang := range Languages {
		for name, c := range pages(lang) {
			t.Run(lang+"/"+name, func(t *testing.T) {
				html, doc := render(t, c)
				t.Logf("%d bytes", len(html))
				if len(html) > 10_000 {
					t.Errorf("page is %d bytes, want under 10 KB", len(html))
				}
				lower := strings.ToLower(html)
				for _, bad := range []string{"<script", "style=", "<style", "javascript:", " on" + "click"} {
					if strings.Contains(lower, bad) {
						t.Errorf("page contains %q", bad)
					}
				}
				if !strings.HasPrefix(lower, "<!doctype html>") {
					t.Error("no doctype")
				}
				if got, _ := doc.Find("html").Attr("lang"); got != lang {
					t.Errorf("html lang = %q, want %q", got, lang)
				}
				if doc.Find(`meta[name=viewport]`).Length() != 1 || doc.Find("title").Text() == "" {
					t.Error("no viewport meta or title")
				}
				if doc.Find(`link[rel=stylesheet][href^="/static/app."]`).Length() != 1 {
					t.Error("no hashed stylesheet link")
				}
				if doc.Find("main#main").Length() != 1 || doc.Find(`a.skip[href="#main"]`).Length() != 1 {
					t.Error("no main landmark with a skip link")
				}
				ids := map[string]int{}
				doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { ids[s.AttrOr("id", "")]++ })
				for id, n := range ids {
					if n > 1 {
						t.Errorf("id %q used %d times", id, n)
					}
				}
				doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
					if s.AttrOr("type", "") == "hidden" {
						return
					}
					id := s.AttrOr("id", "")
					if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
						t.Errorf("control %s name=%q id=%q has no label", goquery.NodeName(s), s.AttrOr("name", ""), id)
					}
				})
				doc.Find("[aria-describedby]").Each(func(_ int, s *goquery.Selection) {
					for _, id := range strings.Fields(s.AttrOr("aria-describedby", "")) {
						if ids[id] == 0 {
							t.Errorf("aria-describedby points to missing id %q", id)
						}
					}
				})
				doc.Find("[aria-invalid]").Each(func(_ int, s *goquery.Selection) {
					if s.AttrOr("aria-describedby", "") == "" {
						t.Errorf("invalid %s without aria-describedby", s.AttrOr("id", ""))
					}
				})
				switcher := doc.Find("nav .langs a")
				if switcher.Length() != 2 {
					t.Fatalf("language switch has %d links", switcher.Length())
				}
				current := doc.Find(`nav .langs a[aria-current]`)
				if current.Length() != 1 || current.AttrOr("lang", "") != lang {
					t.Errorf("current language not marked: %d links, lang %q", current.Length(), current.AttrOr("lang", ""))
				}
				if doc.Find(".demo").Length() != 1 {
					t.Error("no demo banner")
				}
			})
		}
	}
}

func TestLayoutOptions(t *testing.T) {
	c := LookupPageView(LookupPage{Page: Page{L: Localizer{Lang: "lv"}, Path: "/?order=1001"}})
	_, doc := render(t, c)
	if doc.Find(".demo").Length() != 0 || doc.Find(`meta[name=robots]`).Length() != 0 {
		t.Error("demo banner or noindex without being asked for")
	}
	if got := doc.Find(`nav .langs a[lang=en]`).AttrOr("href", ""); got != "/?lang=en&order=1001" {
		t.Errorf("switch link = %q", got)
	}
	_, doc = render(t, ReturnPageView(returnPage("en")))
	if got := doc.Find(`meta[name=robots]`).AttrOr("content", ""); got != "noindex" {
		t.Errorf("robots = %q", got)
	}
	if got := doc.Find(".demo").Text(); got != "Demo store — no real orders or payments" {
		t.Errorf("demo banner = %q", got)
	}
}

func TestLangURL(t *testing.T) {
	tests := []struct{ path, lang, want string }{
		{"/", "lv", "/?lang=lv"},
		{"", "lv", "/?lang=lv"},
		{"/returns/R-7KQ9X2MD", "en", "/returns/R-7KQ9X2MD?lang=en"},
		{"/?order=1001&email=a%40b.lv", "lv", "/?email=a%40b.lv&lang=lv&order=1001"},
		{"/order?lang=en", "lv", "/order?lang=lv"},
		{"//evil.example/x", "lv", "/?lang=lv"},
		{"/\\evil.example", "lv", "/?lang=lv"},
		{"https://evil.example/", "lv", "/?lang=lv"},
	}
	for _, tt := range tests {
		if got := LangURL(tt.path, tt.lang); got != tt.want {
			t.Errorf("LangURL(%q, %q) = %q, want %q", tt.path, tt.lang, got, tt.want)
		}
	}
}

func TestLookupPage(t *testing.T) {
	errMsg := returns.ErrorMessage(returns.ErrLookupFailed)
	_, doc := render(t, LookupPageView(LookupPage{Page: page("lv", "/", "x"), Form: Form{Values: lookupValues("#1001", "a@b.lv").Values, Error: &errMsg}}))
	form := doc.Find(`form[method=post][action="/"]`)
	if form.Length() != 1 {
		t.Fatal("no lookup form")
	}
	order := form.Find(`input#order[name=order]`)
	if order.AttrOr("inputmode", "") != "text" || order.AttrOr("autocomplete", "") != "off" || order.AttrOr("value", "") != "#1001" {
		t.Errorf("order field: %v", order.Nodes[0].Attr)
	}
	email := form.Find(`input#email[name=email]`)
	if email.AttrOr("type", "") != "email" || email.AttrOr("autocomplete", "") != "email" {
		t.Errorf("email field: %v", email.Nodes[0].Attr)
	}
	if got := doc.Find(`[role=alert]`).Text(); got != "Neizdevās atrast pasūtījumu ar šādu numuru un e-pasta adresi." {
		t.Errorf("alert = %q", got)
	}
}

// TestLookupPageAsksForALink: when the store wants every lookup confirmed by
// email, and after too many attempts, the form asks for a link instead of
// opening the order, and says how long the link works; the limited page says
// when lookups work again, and marks no field invalid.
func TestLookupPageAsksForALink(t *testing.T) {
	for name, p := range map[string]LookupPage{
		"email link": {Page: page("lv", "/", "x"), EmailLink: true},
		"limited":    {Page: page("lv", "/", "x"), Form: lookupValues("#1001", ""), Limited: true, RetryAfter: 21 * time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			html, doc := render(t, LookupPageView(p))
			form := doc.Find(`form[method=post][action="/link"]`)
			if form.Length() != 1 || form.Find("input#order").Length() != 1 || form.Find("input#email").Length() != 1 {
				t.Fatal("no form asking for a link with the order number and the email")
			}
			if got := strings.TrimSpace(form.Find("button").Text()); got != "Sūtīt man saiti" {
				t.Errorf("button %q", got)
			}
			if !strings.Contains(html, "Saiti var izmantot vienu reizi 15 minūšu laikā.") {
				t.Error("does not say how long the link works")
			}
			if doc.Find("[aria-invalid]").Length() != 0 {
				t.Error("a field is marked invalid")
			}
			if p.Limited && (!strings.Contains(doc.Find("h1").Text(), "Pārāk daudz mēģinājumu") || !strings.Contains(html, "pēc 21 minūtes")) {
				t.Error("limited page without its heading or the time to wait")
			}
		})
	}
	_, doc := render(t, LookupPageView(LookupPage{Page: page("en", "/", "x")}))
	if strings.Contains(doc.Find("main").Text(), "link") || strings.TrimSpace(doc.Find("button").Text()) != "Find my order" {
		t.Error("the plain lookup form speaks of links")
	}
}

func TestOrderPageLines(t *testing.T) {
	tests := []struct {
		lang string
		want map[string]string // line DOM text → a phrase it must contain
	}{
		{"en", map[string]string{
			"Linen tea towel": "1 can be returned until 21 December 2026",
			"Ceramic mug":     "2 can be returned until 21 December 2026",
			"Sale socks":      "Final sale: this item cannot be returned.",
			"Wool blanket":    "Not shipped yet",
			"Canvas tote":     "The return period ended on 27 September 2026.",
		}},
		{"lv", map[string]string{
			"Linen tea towel": "Var atgriezt 1 gab., termiņš — 2026. gada 21. decembris",
			"Sale socks":      "Izpārdošanas prece: to nevar atgriezt.",
			"Wool blanket":    "Vēl nav nosūtīta",
			"Canvas tote":     "Atgriešanas termiņš ir beidzies (2026. gada 27. septembris).",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			_, doc := render(t, OrderPageView(orderPage(tt.lang)))
			for title, phrase := range tt.want {
				line := doc.Find("li.line").FilterFunction(func(_ int, s *goquery.Selection) bool {
					return strings.Contains(s.Text(), title)
				})
				if line.Length() != 1 {
					t.Errorf("%s: %d lines", title, line.Length())
					continue
				}
				if !strings.Contains(line.Text(), phrase) {
					t.Errorf("%s: %q does not contain %q", title, line.Text(), phrase)
				}
			}
			if n := doc.Find(`input[type=checkbox][name=line]`).Length(); n != 2 {
				t.Errorf("%d line checkboxes, want 2 (returnable lines only)", n)
			}
			mug := doc.Find(`input#qty-12`)
			if mug.AttrOr("name", "") != "qty-gid://shopify/LineItem/12" || mug.AttrOr("max", "") != "2" || mug.AttrOr("min", "") != "1" || mug.AttrOr("value", "") != "1" || mug.AttrOr("type", "") != "number" {
				t.Errorf("mug quantity: %v", mug.Nodes[0].Attr)
			}
			if v := doc.Find(`input#line-12`).AttrOr("value", ""); v != "gid://shopify/LineItem/12" {
				t.Errorf("mug checkbox value %q", v)
			}
			if strings.Contains(doc.Find("li.line").Eq(1).Text(), "Blue") == false {
				t.Error("variant title missing")
			}
		})
	}
}

func TestOrderForm(t *testing.T) {
	_, doc := render(t, OrderPageView(orderPage("en")))
	form := doc.Find(`form[method=post][enctype="multipart/form-data"][action="/order/returns"]`)
	if form.Length() != 1 {
		t.Fatal("no multipart return form")
	}
	if v := form.Find(`input[type=hidden][name=key]`).AttrOr("value", ""); v != "k3y-0123456789abcdef" {
		t.Errorf("submission key = %q", v)
	}
	for _, sel := range []string{
		`input[type=radio][name=kind][value=damaged]`, `input[type=radio][name=kind][value=dissatisfied]`,
		`.if-damaged textarea[name=description]`,
		`.if-damaged input[type=file][name=photos][multiple][accept="image/jpeg,image/png,image/webp"]`,
		`.if-damaged input[type=radio][name=resolution][value=replacement]`, `.if-damaged input[type=radio][name=resolution][value=refund]`,
		`.if-dissatisfied select[name=reason]`, `.if-dissatisfied input[type=text][name=other_reason]`,
	} {
		if form.Find(sel).Length() != 1 {
			t.Errorf("missing %s", sel)
		}
	}
	var reasons []string
	form.Find(`select[name=reason] option`).Each(func(_ int, s *goquery.Selection) { reasons = append(reasons, s.AttrOr("value", "")) })
	if got := strings.Join(reasons, ","); got != ",doesnt_fit,not_as_described,wrong_item,no_longer_needed,other" {
		t.Errorf("reasons = %s", got)
	}
	if got := doc.Find(`.returns a[href="/returns/R-7KQ9X2MD"]`).Length(); got != 1 {
		t.Error("no link to the existing return")
	}
}

func TestOrderFormErrors(t *testing.T) {
	p := orderPage("lv")
	p.Form.Kind = returns.KindDissatisfied
	p.Form.Reason = returns.ReasonOther
	p.Form.OtherReason = "Krāsa <neder>"
	p.Form.Chosen = map[string]bool{"gid://shopify/LineItem/12": true}
	p.Form.Quantities = map[string]int{"gid://shopify/LineItem/12": 2}
	err := returns.Invalid(map[string]returns.Message{
		"qty-gid://shopify/LineItem/12": returns.Msg("Choose between 1 and %d.", 2),
		"other_reason":                  returns.Msg("Tell us the reason."),
		"form":                          returns.Msg("This form has expired. Please open it again."),
	})
	msg := returns.ErrorMessage(err)
	p.Form.Error, p.Form.Fields = &msg, returns.ErrorFields(err)
	html, doc := render(t, OrderPageView(p))

	summary := doc.Find(`#form-errors[role=alert]`)
	if !strings.Contains(summary.Text(), "Lūdzu, izlabojiet atzīmētos laukus.") {
		t.Errorf("summary = %q", summary.Text())
	}
	if summary.Find(`a[href="#qty-12"]`).Length() != 1 || summary.Find(`a[href="#other_reason"]`).Length() != 1 {
		t.Errorf("summary links: %s", summary.Text())
	}
	if !strings.Contains(summary.Text(), "Šīs veidlapas derīgums ir beidzies.") {
		t.Error("form-level message missing")
	}
	qty := doc.Find("#qty-12")
	if qty.AttrOr("aria-invalid", "") != "true" || qty.AttrOr("value", "") != "2" {
		t.Errorf("qty: %v", qty.Nodes[0].Attr)
	}
	if got := doc.Find("#" + qty.AttrOr("aria-describedby", "none")).Text(); got != "Izvēlieties skaitu no 1 līdz 2." {
		t.Errorf("qty error = %q", got)
	}
	other := doc.Find("#other_reason")
	if other.AttrOr("aria-invalid", "") != "true" || other.AttrOr("value", "") != "Krāsa <neder>" {
		t.Errorf("other_reason: %v", other.Nodes[0].Attr)
	}
	if doc.Find("#description").AttrOr("aria-invalid", "") != "" {
		t.Error("the note error shows on the damage field for a dissatisfied return")
	}
	if _, ok := doc.Find(`#line-12`).Attr("checked"); !ok {
		t.Error("chosen line not ticked")
	}
	if _, ok := doc.Find(`#kind-dissatisfied`).Attr("checked"); !ok {
		t.Error("kind not kept")
	}
	if _, ok := doc.Find(`option[value=other]`).Attr("selected"); !ok {
		t.Error("reason not kept")
	}
	if strings.Contains(html, "<neder>") {
		t.Error("value not escaped")
	}
}

func TestOrderPageNothingReturnable(t *testing.T) {
	p := orderPage("en")
	o := *testOrder
	o.CancelledAt = now
	p.Order = &o
	p.Lines = returns.Eligibility(&o, returns.Policy{WindowDays: 30}, nil, now)
	_, doc := render(t, OrderPageView(p))
	if doc.Find("form").Length() != 0 {
		t.Error("form shown although nothing can be returned")
	}
	if got := doc.Find("li.line").First().Text(); !strings.Contains(got, "The order was cancelled.") {
		t.Errorf("line = %q", got)
	}
}

func TestReturnPage(t *testing.T) {
	html, doc := render(t, ReturnPageView(returnPage("en")))
	if got := doc.Find("h1").Text(); got != "Return R-7KQ9X2MD" {
		t.Errorf("h1 = %q", got)
	}
	if got := doc.Find(".status .badge").Text(); got != "Requested" {
		t.Errorf("badge = %q", got)
	}
	var timeline []string
	doc.Find(".timeline li").Each(func(_ int, s *goquery.Selection) { timeline = append(timeline, strings.TrimSpace(s.Text())) })
	if got := strings.Join(timeline, " | "); got != "25 November 2026, 10:00 Return requested | 26 November 2026, 10:00 Return approved" {
		t.Errorf("timeline = %q", got)
	}
	if strings.Contains(html, "staff") || strings.Contains(html, "Shopify") {
		t.Error("staff-only event text on the customer page")
	}
	img := doc.Find(`.photos a[href="/returns/R-7KQ9X2MD/photos/31"] img[src="/returns/R-7KQ9X2MD/photos/31"]`)
	if img.AttrOr("width", "") != "160" || img.AttrOr("height", "") != "120" || img.AttrOr("alt", "") != "Photo 1 of 2" {
		t.Errorf("thumbnail: %v", img.Nodes)
	}
	if got := doc.Find(".note").Text(); got != "The handle came off.\nThe box was crushed <b>badly</b>." {
		t.Errorf("note = %q", got)
	}
	if !strings.Contains(html, "&lt;b&gt;badly") {
		t.Error("note not escaped")
	}
	if got := doc.Find(".items tfoot td").Text(); got != "€29.00" {
		t.Errorf("total = %q", got)
	}
	if doc.Find(`form[method=get][action="/returns/R-7KQ9X2MD/cancel"] button`).Length() != 1 {
		t.Error("no cancel form (asking first)")
	}
	if doc.Find(`a[href="/order"]`).Length() != 1 {
		t.Error("no link back to the order")
	}
	if doc.Find(".addr").Length() != 0 {
		t.Error("return address shown for a replacement of a damaged item")
	}
}

func TestReturnPageSendBack(t *testing.T) {
	p := returnPage("lv")
	r := *testReturn
	r.Kind, r.Reason, r.Resolution, r.Status = returns.KindDissatisfied, returns.ReasonNoLongerNeeded, returns.ResolutionRefund, returns.StatusApproved
	p.Return, p.CanCancel, p.OrderLink = &r, false, false
	_, doc := render(t, ReturnPageView(p))
	if got := doc.Find(".addr").Text(); got != returns.DefaultSettings().ReturnAddress {
		t.Errorf("address = %q", got)
	}
	if !strings.Contains(doc.Text(), "Man tā vairs nav vajadzīga") || !strings.Contains(doc.Text(), "Rūpīgi iepakojiet") {
		t.Error("reason or instructions missing")
	}
	if doc.Find(`form[action$="/cancel"]`).Length() != 0 || doc.Find(`a[href="/order"]`).Length() != 0 {
		t.Error("cancel form or order link shown when not allowed")
	}
	r.Status = returns.StatusRefunded
	_, doc = render(t, ReturnPageView(p))
	if doc.Find(".addr").Length() != 0 {
		t.Error("address shown after the refund")
	}
}

func TestConfirmationPage(t *testing.T) {
	pages := pages("en")
	_, doc := render(t, pages["confirmation"])
	if got := doc.Find(".code").Text(); got != "R-7KQ9X2MD" {
		t.Errorf("code = %q", got)
	}
	if doc.Find(`a[href="/returns/R-7KQ9X2MD"]`).Length() != 1 || doc.Find(".addr").Length() != 1 {
		t.Error("no status link or address")
	}
}

func TestErrorPage(t *testing.T) {
	tests := []struct {
		lang  string
		retry time.Duration
		want  string
	}{
		{"en", 90 * time.Second, "Please try again in 2 minutes."},
		{"en", time.Second, "Please try again in 1 minute."},
		{"lv", 21 * time.Minute, "Lūdzu, mēģiniet vēlreiz pēc 21 minūtes."},
		{"lv", 0, ""},
	}
	for _, tt := range tests {
		p := ErrorPage{Page: page(tt.lang, "/", "x"), Status: 429, Heading: returns.Msg("Too many attempts"), RetryAfter: tt.retry}
		html, doc := render(t, ErrorPageView(p))
		if tt.want != "" && !strings.Contains(html, tt.want) {
			t.Errorf("%s %v: %q missing", tt.lang, tt.retry, tt.want)
		}
		if tt.want == "" && strings.Contains(html, "minūt") {
			t.Error("retry shown without RetryAfter")
		}
		if doc.Find(`main a[href="/"]`).Length() != 1 {
			t.Error("no link home")
		}
	}
}

// TestApprovalInShopifyAdminIsNoMessageFromTheShop: a return approved in
// Shopify admin carries the system's words for staff's timeline; the
// customer's page does not show them as a message from the shop.
func TestApprovalInShopifyAdminIsNoMessageFromTheShop(t *testing.T) {
	p := returnPage("lv")
	r := *p.Return
	r.Status = returns.StatusApproved
	p.Return = &r
	sys := returns.Event{ReturnID: r.ID, Type: returns.EventApproved, Status: returns.StatusApproved, Actor: returns.ActorSystem,
		Msg: returns.Msg("Approved in Shopify admin."), Message: "Approved in Shopify admin."}
	p.Events = append(append([]returns.Event{}, p.Events...), sys)
	html, _ := render(t, ReturnPageView(p))
	if strings.Contains(html, "Approved in Shopify admin.") || strings.Contains(html, "Veikala ziņa:") {
		t.Fatalf("the customer's page shows the system's words as a message from the shop:\n%s", html)
	}
}
