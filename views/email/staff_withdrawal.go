package email

import (
	"fmt"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// staffWithdrawalDeadline reminds the store's staff address that a
// withdrawal's refund deadline is two days away (or passed): the deadline in
// the store's zone, the amount due with its delivery line, and a link to the
// return.
func (r Renderer) staffWithdrawalDeadline(d returns.EmailData) (*message, error) {
	ret, w := d.Return, d.Withdrawal
	if ret == nil || w == nil || ret.Withdrawal == nil {
		return nil, fmt.Errorf("render %s email: no withdrawal", d.Kind)
	}
	l := staffLocalizer(d)
	deadline := l.Date(w.Clock.Deadline)
	m := &message{Lang: l.Code(), Store: r.storeName(d)}
	m.Subject = oneLine(l.T("Withdrawal %s of order %s: refund by %s", ret.Code, ret.OrderName, deadline))
	m.Heading = l.T("A withdrawal’s refund deadline is near")
	m.Preheader = l.T("The law requires the refund by %s.", deadline)
	m.paragraph(l.T("The customer withdrew from the contract of order %s on %s. The law requires the refund within 14 days of the statement: by %s at the latest. It may be withheld only until the goods are back or the customer has shown that they were sent.",
		ret.OrderName, l.DateTime(ret.Withdrawal.MadeAt), deadline))
	due := ""
	if w.Known {
		due = views.WithdrawalDueText(l, w)
	}
	m.facts(
		fact{l.T("Return"), ret.Code},
		fact{l.T("Order"), ret.OrderName},
		fact{l.T("Customer"), ret.Withdrawal.Name + " <" + ret.Withdrawal.Email + ">"},
		fact{l.T("Refund deadline"), deadline},
		fact{l.T("Amount due"), due},
	)
	m.button(l.T("Open the return in the backoffice"), link(d, paths.AdminReturnURL(ret.Code)), l.T("Or copy this address into your browser:"))
	m.Footer = []string{l.T("You get these reminders because this address is the staff notification email in the backoffice settings.")}
	return m, nil
}
