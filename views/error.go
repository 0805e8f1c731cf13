package views

import (
	"time"

	returns "github.com/returnsportal/returns"
)

// ErrorPage is any page that tells the customer something went wrong: not found
// (404), too many attempts (429), Shopify not answering (503), an internal error.
type ErrorPage struct {
	Page
	Status  int
	Heading returns.Message
	Message returns.Message
	// RetryAfter, when set, tells the customer when to try again.
	RetryAfter time.Duration
}

// retryMinutes rounds a wait up to whole minutes, at least one.
func retryMinutes(d time.Duration) int {
	return max(1, int((d+time.Minute-1)/time.Minute))
}
