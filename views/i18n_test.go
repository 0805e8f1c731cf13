package views

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		name   string
		m      returns.Money
		en, lv string
	}{
		{"euro", returns.Money{Minor: 2900, Currency: "EUR"}, "€29.00", "29,00 €"},
		{"dollar cents", returns.Money{Minor: 650, Currency: "USD"}, "$6.50", "6,50 $"},
		{"dollar", returns.Money{Minor: 6400, Currency: "USD"}, "$64.00", "64,00 $"},
		{"yen has no minor unit", returns.Money{Minor: 1200, Currency: "JPY"}, "JPY 1,200", "1 200 JPY"},
		{"dinar has three digits", returns.Money{Minor: 12345, Currency: "KWD"}, "KWD 12.345", "12,345 KWD"},
		{"pound", returns.Money{Minor: 5, Currency: "GBP"}, "£0.05", "0,05 £"},
		{"thousands", returns.Money{Minor: 123456789, Currency: "EUR"}, "€1,234,567.89", "1 234 567,89 €"},
		{"zero", returns.Money{Minor: 0, Currency: "EUR"}, "€0.00", "0,00 €"},
		{"negative", returns.Money{Minor: -2900, Currency: "EUR"}, "-€29.00", "-29,00 €"},
		{"other currency", returns.Money{Minor: 1999, Currency: "SEK"}, "SEK 19.99", "19,99 SEK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Localizer{Lang: "en"}).Money(tt.m); got != tt.en {
				t.Errorf("en: got %q, want %q", got, tt.en)
			}
			if got := (Localizer{Lang: "lv"}).Money(tt.m); got != tt.lv {
				t.Errorf("lv: got %q, want %q", got, tt.lv)
			}
		})
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		date   time.Time
		en, lv string
	}{
		{time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC), "26 November 2026", "2026. gada 26. novembris"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "1 January 2027", "2027. gada 1. janvāris"},
		{time.Date(2026, 7, 9, 12, 0, 0, 0, time.UTC), "9 July 2026", "2026. gada 9. jūlijs"},
	}
	for _, tt := range tests {
		t.Run(tt.en, func(t *testing.T) {
			if got := (Localizer{Lang: "en"}).Date(tt.date); got != tt.en {
				t.Errorf("en: got %q, want %q", got, tt.en)
			}
			if got := (Localizer{Lang: "lv"}).Date(tt.date); got != tt.lv {
				t.Errorf("lv: got %q, want %q", got, tt.lv)
			}
		})
	}
}

func TestMatchLanguage(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"lv-LV,lv;q=0.9", "lv"},
		{"lv", "lv"},
		{"en-US,en;q=0.9,lv;q=0.8", "en"},
		{"ru-RU,ru;q=0.9,lv;q=0.8,en;q=0.7", "lv"},
		{"de", "en"},
		{"", "en"},
		{"en-GB", "en"},
		{"*", "en"},
		{"not a header;;;q=x", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			if got := MatchLanguage(tt.accept); got != tt.want {
				t.Errorf("MatchLanguage(%q) = %q, want %q", tt.accept, got, tt.want)
			}
		})
	}
}

func TestSupportedLanguage(t *testing.T) {
	for s, want := range map[string]bool{"en": true, "lv": true, "": false, "de": false, "LV": false, "lv-LV": false} {
		if got := SupportedLanguage(s); got != want {
			t.Errorf("SupportedLanguage(%q) = %v, want %v", s, got, want)
		}
	}
	if got := NewLocalizer("de").Lang; got != "en" {
		t.Errorf("NewLocalizer(de).Lang = %q, want en", got)
	}
}

func TestPlural(t *testing.T) {
	lv := Localizer{Lang: "lv"}
	en := Localizer{Lang: "en"}
	one, other := "Please try again in %d minute.", "Please try again in %d minutes."
	tests := []struct {
		l    Localizer
		n    int
		want string
	}{
		{en, 1, "Please try again in 1 minute."},
		{en, 21, "Please try again in 21 minutes."},
		{lv, 1, "Lūdzu, mēģiniet vēlreiz pēc 1 minūtes."},
		{lv, 21, "Lūdzu, mēģiniet vēlreiz pēc 21 minūtes."},
		{lv, 11, "Lūdzu, mēģiniet vēlreiz pēc 11 minūtēm."},
		{lv, 5, "Lūdzu, mēģiniet vēlreiz pēc 5 minūtēm."},
	}
	for _, tt := range tests {
		if got := tt.l.Plural(tt.n, one, other); got != tt.want {
			t.Errorf("%s Plural(%d) = %q, want %q", tt.l.Lang, tt.n, got, tt.want)
		}
	}
}

func TestMsgTranslatesArguments(t *testing.T) {
	lv := Localizer{Lang: "lv"}
	err := returns.StatusRefunded.Transition(returns.StatusCancelled)
	got := lv.Msg(returns.ErrorMessage(err))
	want := "Atgriešanu ar statusu „nauda atmaksāta” nevar mainīt uz „atcelta”."
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := lv.Msg(returns.Msg("Choose between 1 and %d.", 3)); got != "Izvēlieties skaitu no 1 līdz 3." {
		t.Errorf("got %q", got)
	}
	if got := (Localizer{}).Msg(returns.Msg("Choose between 1 and %d.", 3)); got != "Choose between 1 and 3." {
		t.Errorf("zero Localizer: got %q", got)
	}
	if got := lv.T("A text nobody translated"); got != "A text nobody translated" {
		t.Errorf("missing key: got %q", got)
	}
}

// photoMessages are the photo processor's messages, listed here as well because
// the photo package may not exist yet when these tests run.
var photoMessages = []string{
	"This file is not a JPEG, PNG or WebP image.",
	"The photo is too large (at most %d MB).",
	"The image is too large to process (%d×%d pixels). Please send it as a JPEG photo, or smaller.",
	"The image is damaged or incomplete.",
}

const goString = `"((?:[^"\\\n]|\\.)*)"`

var (
	// Texts the views translate: T("…") and both forms of Plural(n, "…", "…").
	viewKeyRes = []*regexp.Regexp{
		regexp.MustCompile(`\bT\(\s*` + goString),
		regexp.MustCompile(`\bPlural\([^,"]+,\s*` + goString + `,\s*` + goString),
	}
	// Messages of the domain and its adapters: Msg("…"), Errorf(ECODE, "…") (not
	// fmt.Errorf, whose texts are for logs), Message{Format: "…"}.
	domainKeyRes = []*regexp.Regexp{
		regexp.MustCompile(`\bMsg\(\s*` + goString),
		regexp.MustCompile(`\bErrorf\(\s*(?:returns\.)?E[A-Z]+,\s*` + goString),
		regexp.MustCompile(`\bFormat:\s*` + goString),
	}
	verbRe = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)
)

// scanKeys returns the texts the regexps find in the files matching the globs,
// with the file each came from.
func scanKeys(t *testing.T, res []*regexp.Regexp, globs ...string) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for _, g := range globs {
		files, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := filepath.Base(f)
			if filepath.Ext(base) == ".go" && (regexp.MustCompile(`(_templ|_test)\.go$`).MatchString(base) || strings.HasPrefix(base, "catalog_lv")) {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range res {
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					for _, lit := range m[1:] {
						s, err := strconv.Unquote(`"` + lit + `"`)
						if err != nil {
							t.Fatalf("%s: unquote %q: %v", f, lit, err)
						}
						keys[s] = base
					}
				}
			}
		}
	}
	return keys
}

func TestCatalogComplete(t *testing.T) {
	// The emails (views/email) translate through the same catalog, and so
	// does the backoffice: staff read it in English or Latvian, so no file is
	// left out of the scan for being only for staff.
	view := scanKeys(t, viewKeyRes, "*.templ", "*.go", "email/*.templ", "email/*.go")
	domain := scanKeys(t, domainKeyRes, "../*.go", "../photo/*.go", "../handlers/*.go", "../shopify/*.go")
	if len(view) < 50 || len(domain) < 20 {
		t.Fatalf("found %d view texts and %d domain messages: the scan is broken", len(view), len(domain))
	}
	for _, m := range photoMessages {
		domain[m] = "photo"
	}
	for _, keys := range []map[string]string{view, domain} {
		for k, file := range keys {
			if _, ok := catalogLV[k]; !ok {
				t.Errorf("%s: no Latvian for %q", file, k)
			}
		}
	}
	for en := range catalogLV {
		if _, used := view[en]; !used {
			if _, used := domain[en]; !used {
				t.Logf("catalog entry not found in the scanned code (kept for others?): %q", en)
			}
		}
	}
	for en, lv := range catalogLV {
		if lv == "" {
			t.Errorf("empty Latvian for %q", en)
		}
		if a, b := verbRe.FindAllString(en, -1), verbRe.FindAllString(lv, -1); !slices.Equal(a, b) {
			t.Errorf("verbs differ: %q %v → %q %v", en, a, lv, b)
		}
	}
}

// TestTransitionMessageSaysStatusesInThePageLanguage: the state machine's refusal
// names statuses, which a Latvian page shows in Latvian.
func TestTransitionMessageSaysStatusesInThePageLanguage(t *testing.T) {
	err := returns.StatusItemReceived.Transition(returns.StatusReplacementShipped)
	m := returns.ErrorMessage(err)
	lv := Localizer{Lang: "lv"}.Msg(m)
	for _, s := range []returns.Status{returns.StatusItemReceived, returns.StatusReplacementShipped} {
		if want := strings.ToLower(Localizer{Lang: "lv"}.Status(s)); !strings.Contains(lv, want) {
			t.Errorf("%q does not name %q", lv, want)
		}
	}
	if strings.Contains(lv, "item received") || strings.Contains(lv, "item_received") {
		t.Errorf("Latvian message keeps the English status: %q", lv)
	}
}
