package views

import (
	"time"

	returns "github.com/returnsportal/returns"
)

// Page is what every customer page's layout needs.
type Page struct {
	L        Localizer // language, translations and formatting
	Title    string    // already translated
	Path     string    // the current path with its query, minus any "lang" parameter; the language switch links to it with ?lang=
	DemoMode bool      // show the "demo store" banner
	// NoIndex asks robots not to index the page (every page with order data).
	NoIndex bool
}

// LookupPage is the form where a customer finds their order (GET and a failed POST /).
type LookupPage struct {
	Page
	Action string // where the form posts
	Order  string // pre-filled values
	Email  string
	Error  *returns.Message // the one message for every failed lookup
	// EmailLink makes the form ask for a link to the order, emailed to the
	// order's address, instead of opening the order: the store's setting.
	EmailLink bool
	// Limited is the page of a refused lookup: too many attempts for now, and
	// the form asks for an emailed link. RetryAfter says when lookups may be
	// tried again.
	Limited    bool
	RetryAfter time.Duration
}

// OrderPage shows a proven order: every line and whether it can be returned, the
// returns so far, and the form to start a return.
type OrderPage struct {
	Page
	Order   *returns.Order
	Lines   []returns.LineEligibility
	Returns []returns.Return
	// ReturnURL links to a return's status page.
	ReturnURL func(code string) string
	Form      ReturnForm
}

// ReturnForm is the state of the return form: the values sent (when it is shown
// again after a failed validation) and the messages per field.
type ReturnForm struct {
	Action        string // where the form posts (multipart)
	SubmissionKey string
	Kind          returns.Kind
	Reason        returns.Reason
	Description   string // what is wrong, for a damage report
	OtherReason   string // the text of the "other" reason
	Resolution    returns.Resolution
	Quantities    map[string]int  // line item id → chosen units
	Chosen        map[string]bool // line item id → the line's checkbox was ticked
	Error         *returns.Message
	Fields        map[string]returns.Message // keyed by form field name
	MaxPhotos     int
	MaxPhotoMB    int
}

// ConfirmationPage is shown right after a return was submitted.
type ConfirmationPage struct {
	Page
	Return        *returns.Return
	ReturnAddress string
	Instructions  string // in the page's language
	StatusURL     string
}

// ReturnPage is a return's status page.
type ReturnPage struct {
	Page
	Return        *returns.Return
	Events        []returns.Event // the whole timeline; the page shows the customer's part
	ReturnAddress string
	Instructions  string
	CanCancel     bool
	CancelAction  string // where the cancel form posts
	PhotoURL      func(photoID int64) string
	OrderURL      string // back to the order page, when the session proved the order
	Error         *returns.Message
}

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
