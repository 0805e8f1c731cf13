package email

import (
	"errors"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// accessLink writes the email with a one-time link to an order, sent to the
// order's address. It names the order and nothing else of it, and tells how to
// get a new link, since the link works once and not for long.
func (r Renderer) accessLink(d returns.EmailData) (*message, error) {
	a := d.AccessLink
	if a == nil || a.Token == "" || d.BaseURL == "" {
		return nil, errors.New("render access link email: no link")
	}
	url := link(d, paths.AccessLinkTokenURL(a.Token))
	l := views.NewLocalizer(d.Lang)
	minutes := max(1, int(a.ValidFor.Round(time.Minute)/time.Minute))
	m := &message{Lang: l.Code(), Store: r.storeName(d)}
	m.Subject = oneLine(l.T("Your link to order %s", a.OrderName))
	m.Heading = l.T("Open your order")
	m.Preheader = l.Plural(minutes, "The link works once, for %d minute.", "The link works once, for %d minutes.")
	m.paragraph(l.T("Hello,"))
	m.paragraph(l.T("You asked for a link to open order %s on our returns page. Open it to see the order and return items from it.", a.OrderName))
	m.button(l.T("Open order %s", a.OrderName), url, l.T("If the button does not work, copy this address into your browser:"))
	m.paragraph(m.Preheader + " " + l.T("After that, you can ask for a new one on the returns page."))
	m.paragraph(l.T("If you did not ask for it, you can ignore this email: nobody can open your order without this link."))
	m.Footer = []string{l.T("You get this email because a link to order %s was asked for on our returns page.", a.OrderName)}
	return m, nil
}
