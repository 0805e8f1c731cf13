package email

import (
	"strconv"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// customerEmail writes the emails to a return's customer. Every text goes
// through l.T with its English as the key: the Latvian is in views' catalog,
// and TestCatalogComplete there reads this package too.
type customerEmail struct {
	l   views.Localizer
	d   returns.EmailData
	ret *returns.Return
}

// subject makes the subject line from a translated format like "Return %s:
// approved": the code first, so the emails of one return sort and read
// together, then what changed. Each subject is a whole sentence in the catalog,
// so that a translation can agree with its subject.
func (c customerEmail) subject(s string) string { return oneLine(s) }

// intro opens the email: the heading, a greeting and which return it is about.
func (c customerEmail) intro(m *message, heading, preheader string) {
	m.Heading, m.Preheader = heading, preheader
	m.paragraph(c.l.T("Hello,"))
}

// sendBack tells where the item goes: the address, the shop's instructions and
// the code to put in the parcel.
func (c customerEmail) sendBack(m *message) {
	m.subheading(c.l.T("Where to send the item"))
	m.lines(textLines(c.d.Settings.Address(c.l.Lang)))
	if in := c.d.Settings.Instructions(c.l.Code()); in != "" {
		m.paragraph(in)
	}
	m.paragraph(c.l.T("Write this code on the parcel:"))
	m.code(c.ret.Code)
}

// summary lists what the customer asked for and the items.
func (c customerEmail) summary(m *message) {
	r := c.ret
	reason := ""
	if r.Kind == returns.KindDissatisfied {
		reason = c.l.Reason(r.Reason)
	}
	m.facts(
		fact{c.l.T("Order"), r.OrderName},
		fact{c.l.T("What happened"), c.l.Kind(r.Kind)},
		fact{c.l.T("Reason"), reason},
		fact{c.l.T("You asked for"), c.l.Resolution(r.Resolution)},
	)
	m.subheading(c.l.T("Items"))
	m.list(itemLines(r.Items))
}

// itemLines lists items as "2 × Ceramic mug".
func itemLines(items []returns.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = strconv.Itoa(it.Quantity) + " × " + it.Name()
	}
	return out
}

// nextEmails says which emails the customer gets after the item arrives.
func (c customerEmail) nextEmails() string {
	if c.ret.Resolution == returns.ResolutionReplacement {
		return c.l.T("We email you when the item has arrived and when your replacement is on its way.")
	}
	return c.l.T("We email you when the item has arrived and when we have refunded it.")
}

func (c customerEmail) requestReceived(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: request received", c.ret.Code))
	c.intro(m, l.T("Thank you, we have your return request"), l.T("Your return code is %s. Here is what happens next.", c.ret.Code))
	m.paragraph(l.T("We have your request to return items from order %s.", c.ret.OrderName))
	m.paragraph(l.T("Your return code"))
	m.code(c.ret.Code)
	c.summary(m)
	m.subheading(l.T("What happens next"))
	if c.ret.ItemGoesBeforeReview() {
		m.steps(
			l.T("Pack the item and write the return code on the parcel."),
			l.T("Send it to the address below."),
			c.nextEmails(),
		)
		c.sendBack(m)
		return
	}
	if c.ret.ItemComesBack() {
		// A damaged item asking for a refund is looked at first: the
		// approval email asks for it.
		m.paragraph(l.T("We will look at your report and photos and email you within a few working days. Please do not send the item yet: keep it and its packaging until then."))
		return
	}
	m.paragraph(l.T("We will look at your report and email you within a few working days. Please keep the item and its packaging until then."))
}

func (c customerEmail) approved(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: approved", c.ret.Code))
	if c.ret.ItemComesBack() {
		c.intro(m, l.T("We approved your return"), l.T("Please send the item back, with the code %s on the parcel.", c.ret.Code))
		m.paragraph(l.T("Please send the item to the address below."))
	} else {
		c.intro(m, l.T("We approved your return"), l.T("We will send you a replacement and email you when it is on its way."))
		m.paragraph(l.T("We will send you a replacement and email you when it is on its way."))
	}
	if c.d.Message != "" {
		m.paragraph(l.T("Message from the shop:"))
		m.quote(c.d.Message)
	}
	if c.ret.ItemComesBack() {
		c.sendBack(m)
		m.paragraph(c.nextEmails())
	}
}

func (c customerEmail) declined(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: declined", c.ret.Code))
	c.intro(m, l.T("We declined your return"), l.T("We looked at your request to return items from order %s and unfortunately cannot accept it.", c.ret.OrderName))
	m.paragraph(l.T("We looked at your request to return items from order %s and unfortunately cannot accept it.", c.ret.OrderName))
	if c.d.Message != "" {
		m.paragraph(l.T("Our reason:"))
		m.quote(c.d.Message)
	}
}

func (c customerEmail) itemReceived(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: item received", c.ret.Code))
	lead := l.T("We have received the item you sent back.")
	c.intro(m, l.T("We received the item"), lead)
	m.paragraph(lead)
	if c.ret.Resolution == returns.ResolutionReplacement {
		m.paragraph(l.T("Next we send you a replacement and email you when it is on its way."))
		return
	}
	m.paragraph(l.T("Next we refund the money to your original payment method and email you when it is done."))
}

func (c customerEmail) refunded(m *message) {
	l := c.l
	amount := c.d.Amount
	if amount.Currency == "" {
		amount = c.ret.Refunded
	}
	if c.d.Manual.Minor > 0 {
		c.refundedManually(m, amount)
		return
	}
	if c.d.StoreCredit {
		m.Subject = c.subject(l.T("Return %s: %s as store credit", c.ret.Code, l.Money(amount)))
		lead := l.T("We issued %s as store credit to your customer account at our store.", l.Money(amount))
		c.intro(m, l.T("Refund issued"), lead)
		m.paragraph(lead)
		m.paragraph(l.T("It is taken off your next order at checkout when you sign in with this email address."))
		c.partialReason(m, amount)
		return
	}
	m.Subject = c.subject(l.T("Return %s: %s refunded", c.ret.Code, l.Money(amount)))
	lead := l.T("We refunded %s to your original payment method.", l.Money(amount))
	if of := c.d.RefundOf; of.Minor > amount.Minor {
		// A partial refund: how much of what, and staff's reason.
		m.Subject = c.subject(l.T("Return %s: %s of %s refunded", c.ret.Code, l.Money(amount), l.Money(of)))
		c.intro(m, l.T("%s of %s refunded", l.Money(amount), l.Money(of)), lead)
		m.paragraph(lead)
		m.paragraph(l.T("Why not the full amount:"))
		m.quote(c.d.Message)
		m.paragraph(l.T("It may take a few days to show on your account."))
		return
	}
	c.intro(m, l.T("Refund issued"), lead)
	m.paragraph(lead)
	m.paragraph(l.T("It may take a few days to show on your account."))
}

// refundedManually is the refunded email of a refund that went, in part or
// whole, through a manual payment method (cash on delivery, bank transfer):
// the shop pays that part itself, and says so rather than that it was sent.
func (c customerEmail) refundedManually(m *message, amount returns.Money) {
	l := c.l
	manual := c.d.Manual
	m.Subject = c.subject(l.T("Return %s: refund of %s", c.ret.Code, l.Money(amount)))
	lead := l.T("We will pay %s back to you ourselves, by bank transfer or in cash; we will tell you when it is done.", l.Money(manual))
	c.intro(m, l.T("Your refund"), lead)
	if sent := (returns.Money{Minor: amount.Minor - manual.Minor, Currency: amount.Currency}); sent.Minor > 0 {
		m.paragraph(l.T("We refunded %s to your original payment method.", l.Money(sent)))
		m.paragraph(l.T("It may take a few days to show on your account."))
	}
	m.paragraph(lead)
	c.partialReason(m, amount)
}

// partialReason adds, to the email of a refund of less than the returned
// items were worth, how much of what and staff's reason.
func (c customerEmail) partialReason(m *message, amount returns.Money) {
	of := c.d.RefundOf
	if of.Minor <= amount.Minor {
		return
	}
	m.paragraph(c.l.T("%s of %s refunded", c.l.Money(amount), c.l.Money(of)))
	m.paragraph(c.l.T("Why not the full amount:"))
	m.quote(c.d.Message)
}

// manualRefundPaid tells the customer that the shop paid them what it said
// it would pay itself.
func (c customerEmail) manualRefundPaid(m *message) {
	l := c.l
	amount := c.d.Amount
	m.Subject = c.subject(l.T("Return %s: %s paid back to you", c.ret.Code, l.Money(amount)))
	lead := l.T("We have paid %s back to you, as we said we would.", l.Money(amount))
	c.intro(m, l.T("We paid your refund"), lead)
	m.paragraph(lead)
}

func (c customerEmail) replacementShipped(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: replacement shipped", c.ret.Code))
	sh := c.d.Shipment
	if sh == nil && len(c.ret.Shipments) > 0 {
		sh = &c.ret.Shipments[len(c.ret.Shipments)-1]
	}
	lead := l.T("We have sent you a replacement for the item from order %s.", c.ret.OrderName)
	c.intro(m, l.T("Your replacement is on its way"), lead)
	m.paragraph(lead)
	if sh == nil {
		return
	}
	m.facts(
		fact{l.T("Carrier"), sh.CarrierName},
		fact{l.T("Tracking number"), sh.Number},
	)
	m.button(l.T("Track the parcel"), sh.TrackingURL, c.linkHint())
}

// switchedToRefund tells the customer that staff refund them instead of
// sending a replacement, and why.
func (c customerEmail) switchedToRefund(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: a refund instead of a replacement", c.ret.Code))
	lead := l.T("We cannot send you a replacement for the item from order %s, so we will refund you instead.", c.ret.OrderName)
	c.intro(m, l.T("A refund instead of a replacement"), lead)
	m.paragraph(lead)
	if c.d.Message != "" {
		m.paragraph(l.T("Our reason:"))
		m.quote(c.d.Message)
	}
	m.paragraph(l.T("We email you again when the refund is made."))
}

func (c customerEmail) cancelled(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: cancelled", c.ret.Code))
	lead := l.T("As you asked, we cancelled your return. You do not need to send anything.")
	c.intro(m, l.T("Your return is cancelled"), lead)
	m.paragraph(lead)
	m.paragraph(l.T("If this was a mistake, you can ask for a new return while the return period lasts."))
}

func (c customerEmail) closed(m *message) {
	l := c.l
	m.Subject = c.subject(l.T("Return %s: completed", c.ret.Code))
	lead := l.T("Everything is done for your return from order %s.", c.ret.OrderName)
	c.intro(m, l.T("Your return is complete"), lead)
	m.paragraph(lead)
	m.paragraph(l.T("Thank you for shopping with us."))
}

// linkHint introduces the address under a button.
func (c customerEmail) linkHint() string {
	return c.l.T("If the button does not work, copy this address into your browser:")
}

// finish ends every customer email the same way: the link to the status page,
// then the small print.
func (c customerEmail) finish(m *message, store string) {
	l := c.l
	if c.d.StatusToken != "" {
		m.button(l.T("See the status of your return"), link(c.d, paths.ReturnTokenURL(c.ret.Code, c.d.StatusToken)), c.linkHint())
	}
	m.Footer = append(m.Footer, l.T("Return %s · Order %s", c.ret.Code, c.ret.OrderName))
	switch {
	case c.d.Store.ContactEmail != "":
		m.Footer = append(m.Footer, l.T("Questions? Write to us at %s.", c.d.Store.ContactEmail))
	case c.d.Settings.StaffEmail != "":
		// The service sets the staff address as Reply-To; without one a reply
		// would go to the sending address, which may be unread.
		m.Footer = append(m.Footer, l.T("Questions? Reply to this email and we will help."))
	}
	m.Footer = append(m.Footer, l.T("You get this email because you asked to return items from order %s.", c.ret.OrderName))
	c.withdrawalLink(m)
	m.Store = store
}
