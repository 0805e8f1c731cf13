package views

import (
	returns "github.com/returnsportal/returns"
)

// AdminPage is what every backoffice page's layout needs. The backoffice is in
// English.
type AdminPage struct {
	Title     string
	StaffName string // the signed-in staff member's email; "" on the sign-in page
	DemoMode  bool
	// Flash is a one-line confirmation of the last action ("Return approved.").
	Flash string
}

// AdminErrorPage is a failed request of a signed-in staff member.
type AdminErrorPage struct {
	AdminPage
	Heading returns.Message
	Message returns.Message
	// BackURL and BackLabel lead back to where the staff member came from: the
	// return the action was on, or the queue.
	BackURL   string
	BackLabel string
}

// LoginPage is the staff sign-in form.
type LoginPage struct {
	AdminPage
	Action string
	Email  string
	Error  string // the one message for every failed sign-in, or "too many attempts"
}

// QueuePage is the backoffice's list of returns.
type QueuePage struct {
	AdminPage
	Returns []returns.Return
	Counts  map[returns.Status]int
	Total   int            // all returns, every status
	Status  returns.Status // the status filter, "" for all
	Query   string         // the search box's text
	// StatusURL links to the queue filtered by a status ("" for all), keeping the query.
	StatusURL func(s returns.Status) string
	// NextURL links to the next page; "" on the last.
	NextURL   string
	ReturnURL func(code string) string
}

// AdminReturnPage is one return as staff see it, with the actions its status
// allows.
type AdminReturnPage struct {
	AdminPage
	View *returns.StaffReturn
	// Actions maps an action ("approve", "decline", "receive", "refund", "ship",
	// "close", "note") to the URL its form posts to; an action the status does
	// not allow is absent.
	Actions map[string]string
	// ReconcileURL is the URL a "check with Shopify" form for a refund posts to.
	ReconcileURL func(refundID int64) string
	PhotoURL     func(photoID int64) string
	// Form holds the values sent and the messages of the action that failed, to
	// show it again.
	Form     AdminForm
	QueueURL string
}

// AdminForm is a failed action's form: which action, the values sent, the
// messages per field.
type AdminForm struct {
	Action string
	Values map[string]string
	Error  *returns.Message
	Fields map[string]returns.Message
}

// SettingsPage is the store settings form with the history of changes.
type SettingsPage struct {
	AdminPage
	Action   string
	Settings returns.Settings
	// WindowDays is the field's text, kept as typed when it did not parse.
	WindowDays string
	Fields     map[string]returns.Message
	Changes    []returns.SettingsChange
}
