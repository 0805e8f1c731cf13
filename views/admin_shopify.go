package views

import returns "github.com/returnsportal/returns"

// ShopifyPage is the checklist of the connection to Shopify.
type ShopifyPage struct {
	AdminPage
	Report returns.ConnectionReport
}

// checkStateLabel is the word a checklist line's state is shown with, besides
// its colour.
func checkStateLabel(l Localizer, s returns.CheckState) string {
	switch s {
	case returns.CheckOK:
		return l.T("OK")
	case returns.CheckWarn:
		return l.T("Look at this")
	default:
		return l.T("Must be fixed")
	}
}
