package views

import (
	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// OutboxListPage is the backoffice's list of the emails in the outbox, newest
// first.
type OutboxListPage struct {
	AdminPage
	Messages []returns.OutboxMessage
	Status   returns.OutboxStatus // the status filter, "" for all
	// Next is the id the next page starts before; 0 on the last page.
	Next int64
}

// OutboxMessagePage is one email of the outbox as staff see it: its headers,
// where it stands, both parts, and the form that sends it again.
type OutboxMessagePage struct {
	AdminPage
	Message *returns.OutboxMessage
	// ReturnCode is the return the email is about; "" for none.
	ReturnCode string
}

// outboxStatuses are the outbox statuses in the order of the filter.
var outboxStatuses = []returns.OutboxStatus{returns.OutboxQueued, returns.OutboxSent, returns.OutboxFailed, returns.OutboxDead, returns.OutboxUnsent}

// outboxStatusLabel names where an email stands, for staff.
func outboxStatusLabel(l Localizer, s returns.OutboxStatus) string {
	switch s {
	case returns.OutboxQueued:
		return l.T("Queued")
	case returns.OutboxSent:
		return l.T("Sent")
	case returns.OutboxFailed:
		return l.T("Failed")
	case returns.OutboxDead:
		return l.T("Gave up")
	case returns.OutboxUnsent:
		return l.T("Not sent")
	}
	return string(s)
}

// outboxStatusHint says what a status means, for the message page.
func outboxStatusHint(l Localizer, s returns.OutboxStatus) string {
	switch s {
	case returns.OutboxQueued:
		return l.T("Waiting to be sent, or to be tried again.")
	case returns.OutboxSent:
		return l.T("The mail server accepted it.")
	case returns.OutboxFailed:
		return l.T("The mail server refused it for good; it is not tried again.")
	case returns.OutboxDead:
		return l.T("It kept failing for two days, so it is no longer tried.")
	case returns.OutboxUnsent:
		return l.T("Kept, not sent: no mail server is set up.")
	}
	return ""
}

// outboxStatusClass is the badge class of an outbox status.
func outboxStatusClass(s returns.OutboxStatus) string {
	switch s {
	case returns.OutboxSent:
		return "badge badge-done"
	case returns.OutboxFailed, returns.OutboxDead:
		return "badge badge-bad"
	case returns.OutboxUnsent:
		return "badge badge-off"
	}
	return "badge"
}

// emailKindLabel names an email for staff.
func emailKindLabel(l Localizer, k returns.EmailKind) string {
	switch k {
	case returns.EmailRequestReceived:
		return l.T("Request received")
	case returns.EmailApproved:
		return l.T("Approved")
	case returns.EmailDeclined:
		return l.T("Declined")
	case returns.EmailItemReceived:
		return l.T("Item received")
	case returns.EmailRefunded:
		return l.T("Refunded")
	case returns.EmailReplacementShipped:
		return l.T("Replacement shipped")
	case returns.EmailCancelled:
		return l.T("Cancelled")
	case returns.EmailClosed:
		return l.T("Closed")
	case returns.EmailStaffNewReturn:
		return l.T("New return (to staff)")
	case returns.EmailAccessLink:
		return l.T("Link to an order")
	case returns.EmailStaffAppUninstalled:
		return l.T("App uninstalled (to staff)")
	case returns.EmailStaffDataRequest:
		return l.T("Customer data request (to staff)")
	case returns.EmailStaffWithdrawalDeadline:
		return l.T("Withdrawal refund deadline near (to staff)")
	}
	return string(k)
}

// statusURL links to the outbox filtered by a status ("" for all).
func (p OutboxListPage) statusURL(s returns.OutboxStatus) string {
	return paths.AdminOutboxURL(string(s), 0)
}

// nextURL links to the next page of the outbox, with the same filter.
func (p OutboxListPage) nextURL() string {
	return paths.AdminOutboxURL(string(p.Status), p.Next)
}

// caption describes the outbox table.
func (p OutboxListPage) caption(l Localizer) string {
	if p.Status == "" {
		return l.T("Emails, newest first")
	}
	return l.T("Emails with status %s, newest first", outboxStatusLabel(l, p.Status))
}

// canRequeue reports whether the message can be sent again: it failed, was
// given up on, or was kept unsent; a queued or sent one cannot.
func (p OutboxMessagePage) canRequeue() bool {
	if erasedEmail(p.Message) {
		return false // the outbox refuses it: there is nobody to send it to
	}
	switch p.Message.Status {
	case returns.OutboxFailed, returns.OutboxDead, returns.OutboxUnsent:
		return true
	}
	return false
}

// erasedEmail reports whether m is the kept copy of an email whose personal
// data was erased with its customer's: its address, subject and body are gone.
func erasedEmail(m *returns.OutboxMessage) bool { return m.To == returns.RedactedEmail }

// recipient is the address an email went to, as staff see it.
func recipient(l Localizer, m *returns.OutboxMessage) string {
	if erasedEmail(m) {
		return l.T("Erased")
	}
	return m.To
}

// heading names a message on its page: its subject, or its kind when it has none.
func (p OutboxMessagePage) heading(l Localizer) string {
	if p.Message.Subject != "" {
		return p.Message.Subject
	}
	return emailKindLabel(l, p.Message.Kind)
}
