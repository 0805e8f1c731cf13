package views

import (
	"net/url"
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// Page is what every customer page's layout needs.
type Page struct {
	L        Localizer // language, translations and formatting
	Title    string    // already translated
	Path     string    // the current path with its query, minus any "lang" parameter; the language switch links to it with ?lang=
	DemoMode bool      // show the "demo store" banner
	// NoIndex asks robots not to index the page (every page with order data).
	NoIndex bool
	// Store is the store's identity: its name and logo head the page, its
	// storefront and contact address end it. L.Zone is its time zone.
	Store returns.StoreIdentity
	// WithdrawalLabel labels the link to the withdrawal function in the
	// page's language (the settings'); "" shows none.
	WithdrawalLabel string
}

// title is the document title: the page's own and the store's name.
func (p Page) title() string {
	if p.Title == "" {
		return p.storeName() + " · " + p.L.T("Returns")
	}
	return p.Title + " · " + p.storeName()
}

// storeName is the store's name, or "Returns" for a page made without the
// store's identity.
func (p Page) storeName() string {
	if p.Store.Name == "" {
		return p.L.T("Returns")
	}
	return p.Store.Name
}

// The box the header shows the logo in, in CSS pixels: as tall as the header's
// text is with its padding, and at most half a phone's width.
const logoBoxWidth, logoBoxHeight = 180, 40

func (p Page) logoWidth() int  { w, _ := LogoSize(p.Store.Logo, logoBoxWidth, logoBoxHeight); return w }
func (p Page) logoHeight() int { _, h := LogoSize(p.Store.Logo, logoBoxWidth, logoBoxHeight); return h }

// LangURL returns the current page's address with lang set, for the language
// switch. path is Page.Path (a local path, with or without a query); anything
// that is not a local path becomes "/", so the switch never links off the site.
func LangURL(path, lang string) string {
	if path == "" || path[0] != '/' || strings.HasPrefix(path, "//") || strings.HasPrefix(path, "/\\") {
		path = paths.LookupURL()
	}
	u, err := url.Parse(path)
	if err != nil {
		u = &url.URL{Path: paths.LookupURL()}
	}
	q := u.Query()
	q.Set(paths.ParamLang, lang)
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.RequestURI()
}

// itoa writes a count or a size for a page.
func itoa(n int) string { return strconv.Itoa(n) }

// zoneNote tells a customer the time zone of the times on the page, e.g.
// "Time zone: Europe/Riga."; "" when the page has none.
func (p Page) zoneNote() string {
	if p.L.Zone == nil {
		return ""
	}
	return p.L.T("Time zone: %s.", p.L.Zone.String())
}
