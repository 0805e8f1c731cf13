package views

import (
	"time"

	returns "github.com/returnsportal/returns"
)

// AccessLinkSentPage is the one answer to a request for a link to an order.
type AccessLinkSentPage struct {
	Page
}

// AccessLinkOpenPage is where the emailed link lands: a button that uses it.
type AccessLinkOpenPage struct {
	Page
	Token string
}

// AccessLinkGonePage tells that a link does not open an order any more, with
// the form to ask for a new one.
type AccessLinkGonePage struct {
	Page
	Message returns.Message
}

// linkMinutes is how long an emailed link works, in minutes.
func linkMinutes() int { return int(returns.AccessLinkTTL / time.Minute) }
