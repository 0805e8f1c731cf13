package views

import returns "github.com/returnsportal/returns"

// ConfirmationPage is shown right after a return was submitted.
type ConfirmationPage struct {
	Page
	Return        *returns.Return
	ReturnAddress string
	Instructions  string // in the page's language
}
