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
func outboxStatusLabel(s returns.OutboxStatus) string {
	switch s {
	case returns.OutboxQueued:
		return "Queued"
	case returns.OutboxSent:
		return "Sent"
	case returns.OutboxFailed:
		return "Failed"
	case returns.OutboxDead:
		return "Gave up"
	case returns.OutboxUnsent:
		return "Not sent"
	}
	return string(s)
}

// outboxStatusHint says what a status means, for the message page.
func outboxStatusHint(s returns.OutboxStatus) string {
	switch s {
	case returns.OutboxQueued:
		return "Waiting to be sent, or to be tried again."
	case returns.OutboxSent:
		return "The mail server accepted it."
	case returns.OutboxFailed:
		return "The mail server refused it for good; it is not tried again."
	case returns.OutboxDead:
		return "It kept failing for two days, so it is no longer tried."
	case returns.OutboxUnsent:
		return "Kept, not sent: no mail server is set up."
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
func emailKindLabel(k returns.EmailKind) string {
	switch k {
	case returns.EmailRequestReceived:
		return "Request received"
	case returns.EmailApproved:
		return "Approved"
	case returns.EmailDeclined:
		return "Declined"
	case returns.EmailItemReceived:
		return "Item received"
	case returns.EmailRefunded:
		return "Refunded"
	case returns.EmailReplacementShipped:
		return "Replacement shipped"
	case returns.EmailCancelled:
		return "Cancelled"
	case returns.EmailClosed:
		return "Closed"
	case returns.EmailStaffNewReturn:
		return "New return (to staff)"
	case returns.EmailAccessLink:
		return "Link to an order"
	case returns.EmailStaffAppUninstalled:
		return "App uninstalled (to staff)"
	case returns.EmailStaffDataRequest:
		return "Customer data request (to staff)"
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
func (p OutboxListPage) caption() string {
	if p.Status == "" {
		return "Emails, newest first"
	}
	return "Emails with status " + outboxStatusLabel(p.Status) + ", newest first"
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
func recipient(m *returns.OutboxMessage) string {
	if erasedEmail(m) {
		return "Erased"
	}
	return m.To
}

// heading names a message on its page: its subject, or its kind when it has none.
func (p OutboxMessagePage) heading() string {
	if p.Message.Subject != "" {
		return p.Message.Subject
	}
	return emailKindLabel(p.Message.Kind)
}
