package email

import (
	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// staffLocalizer speaks the language of the staff account an email goes to
// (d.Lang, which the mailer sets: the account's, else English), in the
// store's time zone.
func staffLocalizer(d returns.EmailData) views.Localizer {
	l := views.NewLocalizer(d.Lang)
	l.Zone = d.Store.Location
	return l
}

// staffNewReturn is the notice to the store's staff address of a new return:
// who asked for what, with a link to the return in the backoffice.
func (r Renderer) staffNewReturn(d returns.EmailData) *message {
	ret := d.Return
	l := staffLocalizer(d)
	m := &message{Lang: l.Code(), Store: r.storeName(d)}
	m.Subject = oneLine(l.T("New return %s for order %s", ret.Code, ret.OrderName))
	m.Heading = l.T("New return request")
	m.Preheader = l.T("%s → %s, from %s", l.StaffKind(ret.Kind), l.Resolution(ret.Resolution), ret.Email)
	if d.AutoApprovalRule != "" {
		// The notice is stored with the return, just before the approval:
		// it says what happens, and where to look should it not have.
		m.Subject = oneLine(l.T("New return %s for order %s, approved automatically", ret.Code, ret.OrderName))
		m.Heading = l.T("New return, approved automatically")
		m.paragraph(l.T("The auto-approval rule “%s” matches this return: the portal approves it at once and sends the customer the approval email. Its timeline shows the approval; should the return still be requested, approving it failed and it waits for you.", d.AutoApprovalRule))
	}
	reason := ""
	if ret.Kind == returns.KindDissatisfied {
		reason = l.Reason(ret.Reason)
	}
	photos := ""
	if n := len(ret.Photos); n > 0 {
		photos = itoa(n)
	}
	m.facts(
		fact{l.T("Return"), ret.Code},
		fact{l.T("Order"), ret.OrderName},
		fact{l.T("Customer"), ret.Email},
		fact{l.T("Language"), views.LanguageName(ret.Locale)},
		fact{l.T("Kind"), l.StaffKind(ret.Kind)},
		fact{l.T("Reason"), reason},
		fact{l.T("Asks for"), l.Resolution(ret.Resolution)},
		fact{l.T("Photos"), photos},
		fact{l.T("Total"), l.Money(ret.Total())},
	)
	m.subheading(l.T("Items"))
	lines := make([]string, len(ret.Items))
	for i, it := range ret.Items {
		lines[i] = itoa(it.Quantity) + " × " + it.Name() + " (" + l.Money(it.UnitPrice.Times(it.Quantity)) + ")"
	}
	m.list(lines)
	if ret.Note != "" {
		m.subheading(l.T("The customer’s note"))
		m.quote(ret.Note)
	}
	m.button(l.T("Open the return in the backoffice"), link(d, paths.AdminReturnURL(ret.Code)), l.T("Or copy this address into your browser:"))
	m.Footer = []string{l.T("Replying to this email writes to the customer. You get these notices because this address is the staff notification email in the backoffice settings.")}
	return m
}
