package views

import (
	returns "github.com/returnsportal/returns"
)

// OutboxListPage is the backoffice's list of the emails in the outbox, newest
// first.
type OutboxListPage struct {
	AdminPage
	Messages []returns.OutboxMessage
	Status   returns.OutboxStatus // the status filter, "" for all
	// StatusURL links to the list filtered by a status ("" for all).
	StatusURL func(returns.OutboxStatus) string
	// MessageURL links to one message's page.
	MessageURL func(id int64) string
	// NextURL links to the next page; "" on the last.
	NextURL string
}

// OutboxMessagePage is one email of the outbox as staff see it: its headers,
// where it stands, both parts, and the form that sends it again.
type OutboxMessagePage struct {
	AdminPage
	Message *returns.OutboxMessage
	// ReturnURL links to the return the email is about; "" for none.
	ReturnURL string
	// HTMLURL serves the HTML part on its own, for a sandboxed iframe; "" when
	// the message has no HTML part.
	HTMLURL string
	// RequeueAction is the URL the "send again" form posts to; "" when the
	// message cannot be queued again (it is queued or sent).
	RequeueAction string
	// ListURL links back to the outbox list.
	ListURL string
}
