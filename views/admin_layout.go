package views

import "time"

// AdminPage is what every backoffice page's layout needs. Its texts are in the
// language the rendering's context carries (WithStaffLanguage).
type AdminPage struct {
	Title     string // already translated
	StaffName string // the signed-in staff member's email; "" on the sign-in page
	DemoMode  bool
	// ShopUninstalledAt is when the app was uninstalled from the shop, which
	// every page says in a banner; zero while it is installed.
	ShopUninstalledAt time.Time
	// Flash is a one-line confirmation of the last action ("Return approved."),
	// already translated.
	Flash string
	// Path is the backoffice page the language switch comes back to: the
	// current one, with its query, for a page that was asked for.
	Path string
}

// title is the document title of a backoffice page.
func (p AdminPage) title(l Localizer) string {
	if p.Title == "" {
		return l.T("Returns backoffice")
	}
	return p.Title + " · " + l.T("Returns backoffice")
}

// adminSection is the part of the backoffice a page belongs to, for the
// navigation's aria-current.
type adminSection int

const (
	sectionNone adminSection = iota
	sectionQueue
	sectionReturn // a return opened from the queue
	sectionSettings
	sectionOutbox
	sectionOutboxMessage // a message opened from the outbox
	sectionShopify
	sectionReports
)

// current is the aria-current value of a navigation link to section: "page"
// on that page, "true" on a page inside it, "" elsewhere.
func (s adminSection) current(link adminSection) string {
	switch {
	case s == link:
		return "page"
	case s == sectionReturn && link == sectionQueue, s == sectionOutboxMessage && link == sectionOutbox:
		return "true"
	}
	return ""
}
