package views

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
	returns "github.com/returnsportal/returns"
	"golang.org/x/net/html"
)

// reportsPage is a report over two weeks with a figure in every part.
func reportsPage() ReportsPage {
	riga, _ := time.LoadLocation("Europe/Riga")
	from := time.Date(2026, 11, 2, 0, 0, 0, 0, riga)
	to := time.Date(2026, 11, 15, 0, 0, 0, 0, riga)
	week := func(start time.Time, n int, refunded int64) returns.ReportWeek {
		return returns.ReportWeek{
			TimeRange:   returns.TimeRange{Start: start, End: start.AddDate(0, 0, 7)},
			WeekFigures: returns.WeekFigures{Returns: n, Resolved: n - 1, Median: 30 * time.Hour, Refunded: []returns.Money{eur(refunded)}, Refunds: 1},
		}
	}
	r := &returns.Report{
		Period:   returns.ReportPeriod{From: from, To: to},
		Location: riga,
		Weeks:    []returns.ReportWeek{week(from, 3, 2900), week(from.AddDate(0, 0, 7), 2, 4900)},
		Returns:  5, Resolved: 3, Median: 30 * time.Hour,
		Reasons: []returns.ReasonCount{{Reason: returns.ReasonDamaged, Returns: 2}, {Reason: returns.ReasonDoesntFit, Returns: 3}},
		Outcomes: []returns.OutcomeCount{
			{Outcome: returns.OutcomeReplacement, Returns: 1}, {Outcome: returns.OutcomeRefund, Returns: 2},
			{Outcome: returns.OutcomeDeclined, Returns: 0}, {Outcome: returns.OutcomeCancelled, Returns: 0}, {Outcome: returns.OutcomeOpen, Returns: 2},
		},
		Bases:      []returns.BasisCount{{Basis: returns.BasisWithdrawal, Returns: 1}, {Basis: returns.BasisGuarantee, Returns: 2}, {Basis: returns.BasisCommercial, Returns: 2}},
		Currencies: []string{"EUR"},
		Refunded:   []returns.Money{eur(7800)},
		Refunds:    2,
		Products:   []returns.ProductCount{{Title: "Linen tea towel", Units: 3, Returns: 2}},
	}
	return ReportsPage{AdminPage: adminPage("Reports"), Report: r}
}

// autoApprovalPage has one rule and the form of a new one.
func autoApprovalPage() AutoApprovalPage {
	return AutoApprovalPage{
		AdminPage:   adminPage("Auto-approval rules"),
		Rules:       []returns.AutoApprovalRule{{ID: 1, Name: "Small returns", Enabled: true, Dissatisfied: true, WithinDays: 14, MaxAmount: eur(5000)}},
		NewCurrency: "EUR",
	}
}

// staffPages is every backoffice page: adminPages and the pages that have
// view tests of their own elsewhere.
func staffPages() map[string]templ.Component {
	pages := adminPages()
	pages["reports"] = ReportsPageView(reportsPage())
	pages["auto-approval"] = AutoApprovalPageView(autoApprovalPage())
	pages["error"] = AdminErrorPageView(AdminErrorPage{AdminPage: adminPage("Not found"), Heading: returns.Msg("Not found"), Message: returns.Msg("There is no page at this address."), ReturnCode: "R-7KQ9X2MD"})
	return pages
}

// renderStaff renders a backoffice page as a staff member reading lang sees
// it, in the store's time zone.
func renderStaff(t *testing.T, lang string, c templ.Component) *goquery.Document {
	t.Helper()
	riga, _ := time.LoadLocation("Europe/Riga")
	ctx := WithStaffLanguage(WithTimeZone(context.Background(), riga), lang)
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// shownTexts are the texts a page shows or tells a screen reader: its text
// nodes and the attributes that are read out, each with its spaces folded.
// The document's title is left out: the handlers translate it (the tests
// here give it in English).
func shownTexts(doc *goquery.Document) []string {
	var out []string
	add := func(s string) {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			out = append(out, s)
		}
	}
	doc.Find("body *").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"aria-label", "title", "placeholder", "alt"} {
			if v, ok := s.Attr(a); ok {
				add(v)
			}
		}
		for _, n := range s.Nodes {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					add(c.Data)
				}
			}
		}
	})
	return out
}

// notWords are what a text may keep in both languages: what the fixtures'
// people wrote and named (products, notes, carriers, emails, codes, the
// store), Shopify's and the portal's names for things, numbers, amounts and
// dates.
var notWords = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`[\w.+-]+@[\w.-]+`, `https?://\S*`, `gid://\S+`, `\bR-[0-9A-Z]{8}\b`, `#\d+`,
	`Linen tea towel`, `Ceramic mug`, `Blue`, `Natural`, `Canvas tote`, `Sale socks`, `Wool blanket`, `Linen & Co`, `linen-co\.myshopify\.com`, `Small returns`,
	`GLS`, `PostNL`, `Royal Mail`, `USPS`, `Message-ID`, `Reply-To`, `HTML`,
	`Shopify`, `Dev Dashboard`, `Europe/Riga`, `UTC`, `EUR`, `DPD`, `Omniva`, `Latvijas Pasts`, `DHL`, `UPS`, `FedEx`,
	`English`, `Latviešu`, `JPEG`, `PNG`, `WebP`, `CSV`, `SVG`, `ID`, `\bMB\b`, `\bKB\b`, `\bpx\b`,
	`read_all_orders`, `orders/updated`, `BASE_URL`, `final-sale`,
}, "|"))

// writtenTexts are what people and Shopify wrote in the fixtures (a refusal
// of a refund, the line written to the Shopify order): shown as they were
// written, in either language.
var writtenTexts = []string{staffNoteText, refundFailedText, writebackText,
	"Pack the item securely and send it to the address above. Keep the receipt from the post office until your return is complete.",
	"Returns department Brīvības iela 1 Rīga, LV-1010 Latvia",
	"Rūpīgi iepakojiet preci un nosūtiet to uz norādīto adresi. Saglabājiet pasta čeku, līdz atgriešana ir pabeigta.",
	"550 5.1.1 <anna.berzina@example.lv>: Recipient address rejected", "dial tcp: i/o timeout",
	"Atgriešana R-7KQ9X2MD: apstiprināta", "Labdien! Jūsu atgriešanas pieteikums ir apstiprināts. <script>alert(1)</script>",
	"New return R-7KQ9X2MD for order #1001",
	"The handle came off. The box was crushed <b>badly</b>.", "Thank you for the photos. A new mug is on its way.", "The photos show wear from use, not damage in transit."}

// checklistLines are the parts of the connection checklist's lines that are
// names, not words: the shop's, its domain, a scope and a topic.
var checklistLines = []string{"Linen & Co", "linen-co.myshopify.com", "read_all_orders", "orders/updated", "Europe/Riga", "EUR"}

// wordRe finds what is left of a word once notWords are taken out.
var wordRe = regexp.MustCompile(`\p{L}{2,}`)

// TestBackofficeInLatvian renders every backoffice page in English and in
// Latvian: no text the Latvian page shows may be the English page's, unless
// all it has are names, codes, amounts and dates.
func TestBackofficeInLatvian(t *testing.T) {
	for name, c := range staffPages() {
		t.Run(name, func(t *testing.T) {
			en, lv := renderStaff(t, "en", c), renderStaff(t, "lv", c)
			if got := lv.Find("html").AttrOr("lang", ""); got != "lv" {
				t.Errorf("html lang = %q", got)
			}
			english := map[string]bool{}
			for _, s := range shownTexts(en) {
				english[s] = true
			}
			seen := map[string]bool{}
			for _, s := range shownTexts(lv) {
				if !english[s] || seen[s] || slices.Contains(writtenTexts, s) || slices.Contains(checklistLines, s) {
					continue
				}
				seen[s] = true
				if w := wordRe.FindString(notWords.ReplaceAllString(s, " ")); w != "" {
					t.Errorf("English left: %q", s)
				}
			}
		})
	}
}

// TestSettingsFieldLabelsInLatvian: the history of the settings names the
// changed fields by their labels, which the catalogue must have (they are
// translated by variable, so TestCatalogComplete cannot see them).
func TestSettingsFieldLabelsInLatvian(t *testing.T) {
	for _, f := range settingsFields {
		if _, ok := catalogLV[f.label]; !ok {
			t.Errorf("no Latvian for the label %q of %s", f.label, f.name)
		}
	}
}
