package email

import (
	"strconv"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// english formats domain values for staff: the backoffice and its emails are
// in English, so this file writes its texts as they are, never through T.
var english = views.NewLocalizer("en")

// staffNewReturn is the notice to the store's staff address of a new return:
// who asked for what, with a link to the return in the backoffice.
func (r Renderer) staffNewReturn(d returns.EmailData) *message {
	ret := d.Return
	m := &message{Lang: "en", Store: r.storeName(d)}
	m.Subject = oneLine("New return " + ret.Code + " for order " + ret.OrderName)
	m.Heading = "New return request"
	m.Preheader = english.StaffKind(ret.Kind) + " → " + english.Resolution(ret.Resolution) + ", from " + ret.Email
	if d.AutoApprovalRule != "" {
		// The notice is stored with the return, just before the approval:
		// it says what happens, and where to look should it not have.
		m.Subject = oneLine("New return " + ret.Code + " for order " + ret.OrderName + ", approved automatically")
		m.Heading = "New return, approved automatically"
		m.paragraph("The auto-approval rule “" + d.AutoApprovalRule + "” matches this return: the portal approves it at once and sends the customer the approval email. Its timeline shows the approval; should the return still be requested, approving it failed and it waits for you.")
	}
	reason := ""
	if ret.Kind == returns.KindDissatisfied {
		reason = english.Reason(ret.Reason)
	}
	photos := ""
	if n := len(ret.Photos); n > 0 {
		photos = strconv.Itoa(n)
	}
	m.facts(
		fact{"Return", ret.Code},
		fact{"Order", ret.OrderName},
		fact{"Customer", ret.Email},
		fact{"Language", views.LanguageName(ret.Locale)},
		fact{"Kind", english.StaffKind(ret.Kind)},
		fact{"Reason", reason},
		fact{"Asks for", english.Resolution(ret.Resolution)},
		fact{"Photos", photos},
		fact{"Total", english.Money(ret.Total())},
	)
	m.subheading("Items")
	lines := make([]string, len(ret.Items))
	for i, it := range ret.Items {
		lines[i] = strconv.Itoa(it.Quantity) + " × " + it.Name() + " (" + english.Money(it.UnitPrice.Times(it.Quantity)) + ")"
	}
	m.list(lines)
	if ret.Note != "" {
		m.subheading("The customer’s note")
		m.quote(ret.Note)
	}
	m.button("Open the return in the backoffice", link(d, paths.AdminReturnURL(ret.Code)), "Or copy this address into your browser:")
	m.Footer = []string{"Replying to this email writes to the customer. You get these notices because this address is the staff notification email in the backoffice settings."}
	return m
}
