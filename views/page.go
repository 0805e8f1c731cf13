package views

import (
	"net/url"
	"strconv"
	"strings"

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
}

// title is the document title: the page's own and the site's name.
func (p Page) title() string {
	if p.Title == "" {
		return p.L.T("Returns")
	}
	return p.Title + " · " + p.L.T("Returns")
}

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

// itoa64 writes an id for a page.
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
