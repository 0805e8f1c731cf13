package email

import (
	"errors"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// staffNoticeFooter says why staff get a notice about the shop.
func staffNoticeFooter(l views.Localizer) string {
	return l.T("You get this notice because this address is the staff notification email in the backoffice settings.")
}

// noticeTime formats a moment of a notice for staff in the store's time zone,
// naming the zone, e.g. "26 Nov 2026, 10:00 (Europe/Riga)", or in Latvian
// "26.11.2026. 10:00 (Europe/Riga)".
func noticeTime(d returns.EmailData, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	layout := "2 Jan 2006, 15:04"
	if staffLocalizer(d).Lang == "lv" {
		layout = "02.01.2006. 15:04"
	}
	if d.Store.Location == nil {
		return t.UTC().Format(layout + " MST")
	}
	return d.Store.In(t).Format(layout) + " (" + d.Store.TimeZone + ")"
}

// staffAppUninstalled tells staff that the portal's app was uninstalled from
// the shop: what stopped, and how to start it again.
func (r Renderer) staffAppUninstalled(d returns.EmailData) (*message, error) {
	n := d.Notice
	if n == nil {
		return nil, errors.New("render app uninstalled email: no notice")
	}
	shop := n.ShopName
	if shop == "" {
		shop = n.ShopDomain
	}
	l := staffLocalizer(d)
	m := &message{Lang: l.Code(), Store: r.storeName(d)}
	m.Subject = oneLine(l.T("The returns portal’s app was uninstalled from %s", shop))
	m.Heading = l.T("App uninstalled from the Shopify store")
	m.Preheader = l.T("The portal stopped calling Shopify at %s.", noticeTime(d, n.At))
	m.facts(
		fact{l.T("Shop"), n.ShopName},
		fact{l.T("Shopify domain"), n.ShopDomain},
		fact{l.T("Uninstalled"), noticeTime(d, n.At)},
	)
	m.paragraph(l.T("Shopify told the returns portal that its app was uninstalled from the store. Since then the portal does not call Shopify: customers cannot look up their orders, staff cannot refund through the portal, and the lines for the orders’ notes wait to be written."))
	m.paragraph(l.T("If that was on purpose, nothing else needs doing. Otherwise install the app on the store again: the portal checks its connection to Shopify every hour (or at once with “Check again” on the backoffice’s Shopify page), and takes up its work where it stopped when it finds the app installed."))
	m.button(l.T("Open the backoffice"), link(d, paths.AdminURL()), l.T("Or copy this address into your browser:"))
	m.Footer = []string{staffNoticeFooter(l)}
	return m, nil
}

// dataRequestDays is how long the merchant has to answer a customer's request
// for their data.
const dataRequestDays = 30

// staffDataRequest passes on a customer's request for their data, as Shopify
// sends it, with what the portal holds of theirs and the date to answer by.
func (r Renderer) staffDataRequest(d returns.EmailData) (*message, error) {
	n := d.Notice
	if n == nil {
		return nil, errors.New("render data request email: no notice")
	}
	l := staffLocalizer(d)
	due := ""
	if !n.At.IsZero() {
		due = l.Date(d.Store.In(n.At).AddDate(0, 0, dataRequestDays))
	}
	m := &message{Lang: l.Code(), Store: r.storeName(d)}
	m.Subject = oneLine(l.T("Customer data request from Shopify: answer by %s", due))
	m.Heading = l.T("A customer asks for their data")
	m.Preheader = l.T("Shopify passed on a request for the data the returns portal holds about a customer.")
	m.facts(
		fact{l.T("Customer"), n.CustomerEmail},
		fact{l.T("Shopify’s request"), n.DataRequestID},
		fact{l.T("Received"), noticeTime(d, n.At)},
		fact{l.T("Answer by"), due},
	)
	m.paragraph(l.T("A customer asked the store for the data it holds about them, and Shopify passed the request on to the returns portal. Send the customer what the portal holds about them within 30 days: for each of their returns, its code, the order, the items, the reason, their note and photos, and the timeline."))
	m.subheading(l.T("Orders Shopify names"))
	if len(n.Orders) == 0 {
		m.paragraph(l.T("None."))
	}
	m.list(n.Orders)
	m.subheading(l.T("The customer’s returns in the portal"))
	if len(n.ReturnCodes) == 0 {
		m.paragraph(l.T("The portal holds no return of this customer."))
	}
	m.list(n.ReturnCodes)
	m.button(l.T("Find their returns in the backoffice"), link(d, paths.AdminQueueURL("", n.CustomerEmail, 0)), l.T("Or copy this address into your browser:"))
	m.Footer = []string{staffNoticeFooter(l)}
	return m, nil
}
