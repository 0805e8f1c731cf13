package views

import (
	"time"

	"github.com/returnsportal/returns/paths"
)

// LookupPage is the form where a customer finds their order (GET and a failed
// POST /), or asks for a link to it by email.
type LookupPage struct {
	Page
	// Form holds the order number and email address to show, and the one
	// message of every failed lookup as the form's Error: it marks both
	// fields, since a failure never says which of them was wrong.
	Form Form
	// EmailLink makes the form ask for a link to the order, emailed to the
	// order's address, instead of opening the order: the store's setting.
	EmailLink bool
	// Limited is the page of a refused lookup: too many attempts for now, and
	// the form asks for an emailed link. RetryAfter says when lookups may be
	// tried again.
	Limited    bool
	RetryAfter time.Duration
}

// lookupAction is where the lookup form posts: to find the order, or with
// emailLink, to ask for a link to it.
func lookupAction(emailLink bool) string {
	if emailLink {
		return paths.AccessLinkURL()
	}
	return paths.LookupURL()
}
