package email

import (
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// withdrawalAcknowledged acknowledges a statement of withdrawal on a durable
// medium, as Article 11a asks: its full content with the date and time it was
// made (in the store's time zone), where to send the items and how the refund
// will be made. The status page says the same (views.WithdrawalStatementFacts).
func (c customerEmail) withdrawalAcknowledged(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Withdrawal %s: we have received your statement of withdrawal", c.ret.Code))
	lead := l.T("We have received your statement of withdrawal from the contract of order %s. You need to do nothing more for it to take effect.", c.ret.OrderName)
	c.intro(m, l.T("We have received your withdrawal"), lead)
	m.paragraph(lead)
	m.subheading(l.T("Your statement"))
	var fs []fact
	for _, f := range views.WithdrawalStatementFacts(l, c.ret) {
		fs = append(fs, fact{f.Label, f.Value})
	}
	m.facts(fs...)
	m.subheading(l.T("Your refund"))
	m.paragraph(views.WithdrawalRefundText(l, c.ret))
	m.paragraph(l.T("Please send the items back within 14 days."))
	c.sendBack(m)
}

// withdrawalLink puts the withdrawal function's link, labelled as the law
// asks, in the small print of every customer email.
func (c customerEmail) withdrawalLink(m *message) {
	if c.d.BaseURL == "" {
		return
	}
	m.Footer = append(m.Footer, c.d.Settings.Withdrawal.Link(c.l.Code())+": "+link(c.d, paths.WithdrawURL()))
}
