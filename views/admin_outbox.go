package views

import (
	"net/url"
	"strconv"

	returns "github.com/returnsportal/returns"
)

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
	}
	return string(k)
}

// statusURL links to the outbox filtered by a status; it builds the link
// itself when the handler gave no StatusURL.
func (p OutboxListPage) statusURL(s returns.OutboxStatus) string {
	if p.StatusURL != nil {
		return p.StatusURL(s)
	}
	if s == "" {
		return adminOutboxPath
	}
	return adminOutboxPath + "?" + url.Values{"status": {string(s)}}.Encode()
}

// messageURL links to a message's page.
func (p OutboxListPage) messageURL(id int64) string {
	if p.MessageURL != nil {
		return p.MessageURL(id)
	}
	return adminOutboxPath + "/" + strconv.FormatInt(id, 10)
}

// caption describes the outbox table.
func (p OutboxListPage) caption() string {
	if p.Status == "" {
		return "Emails, newest first"
	}
	return "Emails with status " + outboxStatusLabel(p.Status) + ", newest first"
}

// listURL links back to the outbox list.
func (p OutboxMessagePage) listURL() string {
	if p.ListURL != "" {
		return p.ListURL
	}
	return adminOutboxPath
}

// heading names a message on its page: its subject, or its kind when it has none.
func (p OutboxMessagePage) heading() string {
	if p.Message.Subject != "" {
		return p.Message.Subject
	}
	return emailKindLabel(p.Message.Kind)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
