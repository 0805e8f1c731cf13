package email

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/views"
)

const (
	baseURL     = "https://returns.example"
	statusToken = "0123456789abcdef0123456789abcdef"
	statusURL   = baseURL + "/returns/R-7KQ9X2MD?t=" + statusToken
	adminURL    = baseURL + "/admin/returns/R-7KQ9X2MD"
	trackingURL = "https://tracking.dpd.de/status/en_US/parcel/05212345678901?lang=en&x=1"
	staffText   = "Thank you for the photos.\nPlease use the original box."
)

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func eur(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }

// testReturn is a dissatisfied customer's return for a refund: the item comes
// back.
func testReturn(lang string) *returns.Return {
	return &returns.Return{
		ID: 7, Code: "R-7KQ9X2MD", OrderName: "#1001", Email: "anna.berzina@example.lv", Locale: lang,
		Kind: returns.KindDissatisfied, Reason: returns.ReasonDoesntFit, Resolution: returns.ResolutionRefund,
		Note: "Too small for me.\nThe colour is fine.", Status: returns.StatusRequested, Currency: "EUR",
		Items: []returns.Item{
			{LineItemID: "gid://shopify/LineItem/12", Title: "Ceramic mug", Quantity: 2, UnitPrice: eur(1450)},
		},
		CreatedAt: now,
	}
}

// damagedReturn is a damage report asking for a replacement: the item stays
// with the customer.
func damagedReturn(lang string) *returns.Return {
	r := testReturn(lang)
	r.Kind, r.Reason, r.Resolution = returns.KindDamaged, returns.ReasonDamaged, returns.ResolutionReplacement
	r.Note = "The handle came off."
	r.Photos = []returns.Photo{{ID: 1}, {ID: 2}}
	return r
}

func settings() returns.Settings {
	s := returns.DefaultSettings()
	s.StaffEmail = "team@shop.example"
	return s
}

func shipment() *returns.Shipment {
	return &returns.Shipment{ID: 1, ReturnID: 7, Carrier: "dpd", CarrierName: "DPD", Number: "05212345678901", TrackingURL: trackingURL, ShippedAt: now}
}

// data is what the service passes for an email of kind about r.
func data(kind returns.EmailKind, r *returns.Return) returns.EmailData {
	d := returns.EmailData{Kind: kind, Lang: r.Locale, Return: r, Settings: settings(), BaseURL: baseURL, StatusToken: statusToken}
	switch kind {
	case returns.EmailApproved:
		d.Message = staffText
		if r.Locale == "lv" {
			d.Message = "Paldies par fotoattēliem."
		}
	case returns.EmailDeclined:
		d.Message = "The item was used."
		if r.Locale == "lv" {
			d.Message = "Prece ir lietota."
		}
	case returns.EmailRefunded:
		d.Amount = eur(2900)
	case returns.EmailReplacementShipped:
		d.Shipment = shipment()
	case returns.EmailStaffNewReturn:
		d.Lang, d.StatusToken = "en", ""
	}
	return d
}

var customerKinds = []returns.EmailKind{
	returns.EmailRequestReceived, returns.EmailApproved, returns.EmailDeclined, returns.EmailItemReceived,
	returns.EmailRefunded, returns.EmailReplacementShipped, returns.EmailCancelled, returns.EmailClosed,
}

func render(t *testing.T, d returns.EmailData) (returns.Email, *goquery.Document) {
	t.Helper()
	e, err := Renderer{StoreName: "Linen & Clay"}.RenderEmail(d)
	if err != nil {
		t.Fatalf("render %s: %v", d.Kind, err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(e.HTML))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return e, doc
}

var (
	tagRe    = regexp.MustCompile(`<[a-zA-Z/!]`)
	entityRe = regexp.MustCompile(`&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)
	// English that must not be left in a Latvian email.
	englishRe = regexp.MustCompile(`\b(Hello|Return R-|Your|your|the|We|we|Order|Items|If)\b`)
)

// checkCommon checks what every email must have, whichever its kind.
func checkCommon(t *testing.T, e returns.Email, doc *goquery.Document, lang string) {
	t.Helper()
	if !strings.Contains(e.Subject, "R-7KQ9X2MD") || strings.ContainsAny(e.Subject, "\r\n") || utf8.RuneCountInString(e.Subject) > 70 {
		t.Errorf("subject %q: want the code, one line, short", e.Subject)
	}
	if got := doc.Find("html").AttrOr("lang", ""); got != lang {
		t.Errorf("html lang = %q, want %q", got, lang)
	}
	if doc.Find("title").Text() != e.Subject {
		t.Errorf("title %q", doc.Find("title").Text())
	}
	lower := strings.ToLower(e.HTML)
	for _, bad := range []string{"<script", "<img", "<link", "<iframe", "src=", "url(", "@import", "javascript:", " on" + "click"} {
		if strings.Contains(lower, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.Contains(e.HTML, "max-width:600px") || doc.Find(`table[role=presentation]`).Length() < 2 {
		t.Error("no single-column table layout of at most 600px")
	}
	if pre := strings.TrimSpace(doc.Find("body > div").First().Text()); pre == "" || !strings.Contains(doc.Find("body > div").First().AttrOr("style", ""), "display:none") {
		t.Errorf("no hidden preheader: %q", pre)
	}
	if doc.Find("h1").Length() != 1 || strings.TrimSpace(doc.Find("h1").Text()) == "" {
		t.Error("no heading")
	}
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		if st := s.AttrOr("style", ""); strings.Contains(st, "&") || strings.Contains(st, "TemplFailed") {
			t.Errorf("broken style %q", st)
		}
	})
	if m := tagRe.FindString(e.Text); m != "" {
		t.Errorf("text part has a tag: %q", m)
	}
	if m := entityRe.FindString(e.Text); m != "" {
		t.Errorf("text part has an entity: %q", m)
	}
	for i, line := range strings.Split(e.Text, "\n") {
		if utf8.RuneCountInString(line) > textWidth && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("text line %d is %d characters: %q", i+1, utf8.RuneCountInString(line), line)
		}
	}
	if !strings.HasPrefix(e.Text, "Linen & Clay\n") {
		t.Errorf("text part does not start with the store: %q", e.Text[:min(40, len(e.Text))])
	}
}

// TestEveryKind renders every customer email in both languages.
func TestEveryKind(t *testing.T) {
	for _, lang := range views.Languages {
		for _, kind := range customerKinds {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				e, doc := render(t, data(kind, testReturn(lang)))
				checkCommon(t, e, doc, lang)
				if doc.Find(`a[href="`+statusURL+`"]`).Length() == 0 {
					t.Error("HTML part does not link to the status page")
				}
				if !strings.Contains(e.Text, "\n"+statusURL+"\n") {
					t.Error("text part does not spell out the status link on a line of its own")
				}
				if lang == "lv" {
					if !strings.HasPrefix(e.Subject, "Atgriešana R-7KQ9X2MD: ") {
						t.Errorf("Latvian subject %q", e.Subject)
					}
					body := doc.Find("body").Text()
					for _, part := range []string{e.Subject, body, e.Text} {
						if m := englishRe.FindString(part); m != "" {
							t.Errorf("English %q left in the Latvian email: %q", m, part)
						}
					}
					if !strings.ContainsAny(e.Text, "āčēģīķļņšūž") {
						t.Error("Latvian text without diacritics")
					}
				}
			})
		}
	}
}

func TestSubjects(t *testing.T) {
	want := map[string]map[returns.EmailKind]string{
		"en": {
			returns.EmailRequestReceived:    "Return R-7KQ9X2MD: request received",
			returns.EmailApproved:           "Return R-7KQ9X2MD: approved",
			returns.EmailDeclined:           "Return R-7KQ9X2MD: declined",
			returns.EmailItemReceived:       "Return R-7KQ9X2MD: item received",
			returns.EmailRefunded:           "Return R-7KQ9X2MD: €29.00 refunded",
			returns.EmailReplacementShipped: "Return R-7KQ9X2MD: replacement shipped",
			returns.EmailCancelled:          "Return R-7KQ9X2MD: cancelled",
			returns.EmailClosed:             "Return R-7KQ9X2MD: completed",
		},
		"lv": {
			returns.EmailRequestReceived:    "Atgriešana R-7KQ9X2MD: pieteikums saņemts",
			returns.EmailApproved:           "Atgriešana R-7KQ9X2MD: apstiprināta",
			returns.EmailDeclined:           "Atgriešana R-7KQ9X2MD: noraidīta",
			returns.EmailItemReceived:       "Atgriešana R-7KQ9X2MD: prece saņemta",
			returns.EmailRefunded:           "Atgriešana R-7KQ9X2MD: atmaksāti 29,00 €",
			returns.EmailReplacementShipped: "Atgriešana R-7KQ9X2MD: jaunā prece nosūtīta",
			returns.EmailCancelled:          "Atgriešana R-7KQ9X2MD: atcelta",
			returns.EmailClosed:             "Atgriešana R-7KQ9X2MD: pabeigta",
		},
	}
	for lang, subjects := range want {
		for kind, s := range subjects {
			if e, _ := render(t, data(kind, testReturn(lang))); e.Subject != s {
				t.Errorf("%s %s: subject %q, want %q", lang, kind, e.Subject, s)
			}
		}
	}
}

// TestContent checks what each kind must tell, in both parts.
func TestContent(t *testing.T) {
	tests := []struct {
		name     string
		d        returns.EmailData
		want     []string // in the HTML part's text and in the text part
		wantNot  []string
		wantLink string
	}{
		{"request received, item comes back", data(returns.EmailRequestReceived, testReturn("en")),
			[]string{"R-7KQ9X2MD", "What happens next", "Brīvības iela 1", "2 × Ceramic mug", "It doesn’t fit", "Pack the item securely"}, nil, ""},
		{"request received, damage report", data(returns.EmailRequestReceived, damagedReturn("en")),
			[]string{"R-7KQ9X2MD", "We will look at your report"}, []string{"Brīvības iela 1"}, ""},
		{"approved, item comes back", data(returns.EmailApproved, testReturn("en")),
			[]string{"Please send the item to the address below.", "Brīvības iela 1", "Rīga, LV-1010", "Write this code on the parcel:", "R-7KQ9X2MD", "Please use the original box.", "Message from the shop:"}, nil, ""},
		{"approved, replacement", data(returns.EmailApproved, damagedReturn("en")),
			[]string{"We will send you a replacement", "Please use the original box."}, []string{"Brīvības iela 1", "Write this code"}, ""},
		{"approved in Latvian", data(returns.EmailApproved, testReturn("lv")),
			[]string{"Lūdzu, nosūtiet preci uz zemāk norādīto adresi.", "Rūpīgi iepakojiet preci", "Uzrakstiet šo kodu uz sūtījuma:", "Veikala ziņa:", "Paldies par fotoattēliem."}, nil, ""},
		{"declined", data(returns.EmailDeclined, testReturn("en")),
			[]string{"Our reason:", "The item was used."}, nil, ""},
		{"item received, refund", data(returns.EmailItemReceived, testReturn("en")),
			[]string{"We have received the item", "original payment method"}, nil, ""},
		{"item received, replacement", data(returns.EmailItemReceived, damagedReturn("en")),
			[]string{"We have received the item", "send you a replacement"}, nil, ""},
		{"refunded", data(returns.EmailRefunded, testReturn("en")),
			[]string{"We refunded €29.00 to your original payment method."}, nil, ""},
		{"refunded in Latvian", data(returns.EmailRefunded, testReturn("lv")),
			[]string{"Esam atmaksājuši 29,00 €, izmantojot jūsu sākotnējo maksājuma veidu."}, nil, ""},
		{"replacement shipped", data(returns.EmailReplacementShipped, damagedReturn("en")),
			[]string{"DPD", "05212345678901", "Track the parcel", trackingURL}, nil, trackingURL},
		{"replacement shipped in Latvian", data(returns.EmailReplacementShipped, damagedReturn("lv")),
			[]string{"Pārvadātājs", "DPD", "Sūtījuma numurs", "Sekot sūtījumam", trackingURL}, nil, trackingURL},
		{"cancelled", data(returns.EmailCancelled, testReturn("en")),
			[]string{"cancelled your return"}, []string{"Brīvības iela 1"}, ""},
		{"closed", data(returns.EmailClosed, testReturn("lv")),
			[]string{"Pasūtījuma #1001 atgriešana ir pilnībā pabeigta."}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, doc := render(t, tt.d)
			body := doc.Find("body").Text()
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("HTML part lacks %q", s)
				}
				if !strings.Contains(e.Text, s) {
					t.Errorf("text part lacks %q", s)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(body, s) || strings.Contains(e.Text, s) {
					t.Errorf("email has %q", s)
				}
			}
			if tt.wantLink != "" && doc.Find(`a[href="`+tt.wantLink+`"]`).Length() == 0 {
				t.Errorf("HTML part does not link to %s", tt.wantLink)
			}
		})
	}
}

func TestStaffNotice(t *testing.T) {
	for _, r := range []*returns.Return{testReturn("lv"), damagedReturn("en")} {
		t.Run(string(r.Kind), func(t *testing.T) {
			d := data(returns.EmailStaffNewReturn, r)
			d.Lang = "en" // the language of the staff account the mailer found, not the return's
			e, doc := render(t, d)
			checkCommon(t, e, doc, "en")
			if e.Subject != "New return R-7KQ9X2MD for order #1001" {
				t.Errorf("subject %q", e.Subject)
			}
			if doc.Find(`a[href="`+adminURL+`"]`).Length() == 0 || !strings.Contains(e.Text, "\n"+adminURL+"\n") {
				t.Error("no link to the backoffice")
			}
			want := []string{"anna.berzina@example.lv", "2 × Ceramic mug (€29.00)", "Total: €29.00", r.Note[:12]}
			if r.Kind == returns.KindDissatisfied {
				want = append(want, "Kind: Not satisfied", "Reason: It doesn’t fit", "Asks for: Refund")
			} else {
				want = append(want, "Kind: Damaged", "Asks for: Replacement", "Photos: 2")
			}
			for _, s := range want {
				if !strings.Contains(e.Text, s) {
					t.Errorf("text part lacks %q", s)
				}
			}
			if !strings.Contains(doc.Find("body").Text(), r.Note[:12]) {
				t.Error("HTML part lacks the note")
			}
			if strings.Contains(e.Text, "returns/R-7KQ9X2MD?t=") {
				t.Error("staff notice carries the customer's access link")
			}
		})
	}
}

// TestStaffEmailsInLatvian renders every email to staff for an account that
// reads Latvian: its language is the account's (not the return's), its words
// and dates are Latvian, and no sentence of the English email is left in it.
func TestStaffEmailsInLatvian(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	notice := &returns.StaffNotice{ShopName: "Linen & Co", ShopDomain: "linen-co.myshopify.com", At: at,
		CustomerEmail: "anna.berzina@example.lv", DataRequestID: "9012", Orders: []string{"#1001"}, ReturnCodes: []string{"R-7KQ9X2MD"}}
	emails := map[string]returns.EmailData{
		"new return":   data(returns.EmailStaffNewReturn, testReturn("en")),
		"uninstalled":  {Kind: returns.EmailStaffAppUninstalled, Settings: settings(), Notice: notice, BaseURL: "https://returns.example"},
		"data request": {Kind: returns.EmailStaffDataRequest, Settings: settings(), Notice: notice, BaseURL: "https://returns.example"},
	}
	auto := data(returns.EmailStaffNewReturn, damagedReturn("en"))
	auto.AutoApprovalRule = "Small returns"
	emails["auto-approved"] = auto
	for name, d := range emails {
		t.Run(name, func(t *testing.T) {
			d.Lang = "en"
			en, _ := render(t, d)
			d.Lang = "lv"
			lv, doc := render(t, d)
			if got := doc.Find("html").AttrOr("lang", ""); got != "lv" || strings.ContainsAny(lv.Subject, "\r\n") {
				t.Errorf("html lang %q, subject %q", got, lv.Subject)
			}
			if lv.Subject == en.Subject {
				t.Errorf("subject left in English: %q", lv.Subject)
			}
			enLines := map[string]bool{}
			for _, line := range strings.Split(en.Text, "\n") {
				enLines[strings.TrimSpace(line)] = true
			}
			for _, line := range strings.Split(lv.Text, "\n") {
				line = strings.TrimSpace(line)
				// Lines of a few words may be names, codes or amounts
				// that both languages share.
				written := d.Return != nil && strings.Contains(d.Return.Note, line)
				if enLines[line] && len(strings.Fields(line)) > 3 && !strings.Contains(line, "://") && !written {
					t.Errorf("English left: %q", line)
				}
			}
		})
	}
	d := data(returns.EmailStaffNewReturn, testReturn("en"))
	d.Lang = "lv"
	e, _ := render(t, d)
	for _, want := range []string{"Veids: Neapmierina", "Kopā: 29,00 €", "Jauna atgriešana R-7KQ9X2MD pasūtījumam #1001"} {
		if !strings.Contains(e.Subject+"\n"+e.Text, want) {
			t.Errorf("Latvian notice lacks %q", want)
		}
	}
}

// TestUserTextEscaped puts markup in every text that people type: HTML shows
// it as text, the text part carries it as it is.
func TestUserTextEscaped(t *testing.T) {
	const evil = `<script>alert("x")</script> Tom & Jerry's <b>mug</b>`
	r := testReturn("en")
	r.Note, r.OrderName, r.Items[0].Title = evil, "#1001", evil
	st := settings()
	st.ReturnAddress, st.InstructionsEN = evil+"\nRīga", evil
	sh := shipment()
	sh.CarrierName = evil
	for _, kind := range append(customerKinds, returns.EmailStaffNewReturn) {
		t.Run(string(kind), func(t *testing.T) {
			d := data(kind, r)
			d.Settings = st
			if d.Message != "" {
				d.Message = evil
			}
			if d.Shipment != nil {
				d.Shipment = sh
			}
			e, err := Renderer{StoreName: evil}.RenderEmail(d)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ToLower(e.HTML), "<script") || strings.Contains(e.HTML, "<b>mug") {
				t.Error("markup from user text reached the HTML part")
			}
			if !strings.Contains(e.HTML, "&lt;script&gt;") {
				t.Error("user text not shown escaped")
			}
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(e.HTML))
			if doc.Find("script, b").Length() > 0 {
				t.Error("user text became elements")
			}
			if !strings.Contains(e.Text, evil) {
				t.Error("text part does not carry the user's text as it is")
			}
			if strings.Contains(e.Text, "&amp;") || strings.Contains(e.Text, "&lt;") || strings.Contains(e.Text, "&#39;") {
				t.Error("text part is HTML-escaped")
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	if _, err := (Renderer{}).RenderEmail(returns.EmailData{Kind: returns.EmailApproved}); err == nil {
		t.Error("no error without a return")
	}
	if _, err := (Renderer{}).RenderEmail(returns.EmailData{Kind: "nope", Return: testReturn("en")}); err == nil {
		t.Error("no error for an unknown kind")
	}
}

// TestOptionalParts leaves out what an email can do without: no store name, no
// staff address (so no "reply to this email"), no tracking link, no message.
func TestOptionalParts(t *testing.T) {
	d := data(returns.EmailReplacementShipped, damagedReturn("en"))
	d.Settings.StaffEmail = ""
	d.Shipment.TrackingURL = ""
	e, err := Renderer{}.RenderEmail(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Text, "Reply to this email") {
		t.Error("asks for replies without a staff address to receive them")
	}
	if strings.Contains(e.Text, "Track the parcel") || !strings.Contains(e.Text, "05212345678901") {
		t.Error("tracking link without an address, or no number")
	}
	if !strings.HasPrefix(e.Text, "Your replacement is on its way\n") {
		t.Errorf("text starts %q", e.Text[:40])
	}
	d = data(returns.EmailApproved, testReturn("en"))
	d.Message = ""
	if e, _ := render(t, d); strings.Contains(e.Text, "Message from the shop") {
		t.Error("empty message from the shop shown")
	}
}

func TestWrap(t *testing.T) {
	var b strings.Builder
	long := strings.Repeat("word ", 30)
	wrap(&b, long+"\n"+statusURL+statusURL+statusURL, "1. ", "   ")
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines: %q", len(lines), lines)
	}
	if !strings.HasPrefix(lines[0], "1. word") || !strings.HasPrefix(lines[1], "   word") {
		t.Errorf("prefixes: %q", lines)
	}
	for _, l := range lines[:3] {
		if len(l) > textWidth || strings.HasSuffix(l, " ") {
			t.Errorf("line %q", l)
		}
	}
	if lines[3] != "   "+statusURL+statusURL+statusURL {
		t.Errorf("a long address was broken: %q", lines[3])
	}
}

// TestLatvianComplete checks that every text this package translates has its
// Latvian in views' catalog (views' TestCatalogComplete reads this package
// too; this test fails here, next to the text).
func TestLatvianComplete(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	tfiles, _ := filepath.Glob("*.templ")
	re := regexp.MustCompile(`\bT\(\s*"((?:[^"\\\n]|\\.)*)"`)
	lv := views.NewLocalizer("lv")
	n := 0
	for _, f := range append(files, tfiles...) {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "_templ.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			key, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				t.Fatal(err)
			}
			n++
			if lv.T(key) == key {
				t.Errorf("%s: no Latvian for %q", f, key)
			}
		}
	}
	if n < 30 {
		t.Fatalf("found %d texts: the scan is broken", n)
	}
}

// TestSizes logs the size of each email, to keep an eye on it: Gmail clips
// an HTML part over 102 kB.
func TestSizes(t *testing.T) {
	for _, kind := range append(customerKinds, returns.EmailStaffNewReturn) {
		e, _ := render(t, data(kind, testReturn("lv")))
		t.Logf("%-20s HTML %5d bytes, text %4d bytes", kind, len(e.HTML), len(e.Text))
		if len(e.HTML) > 30_000 {
			t.Errorf("%s: HTML part is %d bytes", kind, len(e.HTML))
		}
	}
}

// TestLinksAreAbsolute: every link an email carries starts with the portal's
// address; without one an email links nowhere rather than to a path a mail
// client cannot open, and the email of a one-time link, which is nothing but
// its link, is not rendered at all.
func TestLinksAreAbsolute(t *testing.T) {
	for _, kind := range append(customerKinds, returns.EmailStaffNewReturn) {
		d := data(kind, damagedReturn("en"))
		_, doc := render(t, d)
		doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
			if href := s.AttrOr("href", ""); !strings.HasPrefix(href, baseURL+"/") && href != trackingURL {
				t.Errorf("%s: link %q", kind, href)
			}
		})
		d.BaseURL = ""
		e, doc := render(t, d)
		if n := doc.Find(`a[href^="/"]`).Length(); n != 0 || strings.Contains(e.Text, "\n/") {
			t.Errorf("%s without a base URL: %d relative links\n%s", kind, n, e.Text)
		}
	}
	d := accessLinkData("en")
	d.BaseURL = ""
	if _, err := (Renderer{}).RenderEmail(d); err == nil {
		t.Error("a link email rendered without the portal's address")
	}
}
