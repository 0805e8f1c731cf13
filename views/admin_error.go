package views

import returns "github.com/returnsportal/returns"

// AdminErrorPage is a failed request of a signed-in staff member.
type AdminErrorPage struct {
	AdminPage
	Heading returns.Message
	Message returns.Message
	// ReturnCode is the return the request was about, which the page leads
	// back to; "" leads back to the queue.
	ReturnCode string
}
