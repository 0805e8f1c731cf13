package views

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
)

// The backoffice speaks English only. Its texts are written in the templates
// and here as they are, never through Localizer.T, so the Latvian catalog and
// TestCatalogComplete stay about the customer pages. Domain labels (statuses,
// reasons, money) come from the English Localizer.
var english = Localizer{Lang: "en"}

// Backoffice paths the layout links to (handlers/routes.go has the same).
const (
	adminQueuePath    = "/admin"
	adminSettingsPath = "/admin/settings"
	adminOutboxPath   = "/admin/outbox"
	adminLogoutPath   = "/admin/logout"
)

// adminSection is the part of the backoffice a page belongs to, for the
// navigation's aria-current.
type adminSection int

const (
	sectionNone adminSection = iota
	sectionQueue
	sectionReturn // a return opened from the queue
	sectionSettings
	sectionOutbox
	sectionOutboxMessage // a message opened from the outbox
)

// current is the aria-current value of a navigation link to section: "page"
// on that page, "true" on a page inside it, "" elsewhere.
func (s adminSection) current(link adminSection) string {
	switch {
	case s == link:
		return "page"
	case s == sectionReturn && link == sectionQueue, s == sectionOutboxMessage && link == sectionOutbox:
		return "true"
	}
	return ""
}

// title is the document title of a backoffice page.
func (p AdminPage) title() string {
	if p.Title == "" {
		return "Returns backoffice"
	}
	return p.Title + " · Returns backoffice"
}

// adminKind is the short staff label of what the customer reported.
func adminKind(k returns.Kind) string {
	switch k {
	case returns.KindDamaged:
		return "Damaged"
	case returns.KindDissatisfied:
		return "Not satisfied"
	}
	return string(k)
}

// requestSummary says in a few words what the customer asked for, e.g.
// "Damaged → Replacement" or "Not satisfied (It doesn't fit) → Refund".
func requestSummary(r *returns.Return) string {
	s := adminKind(r.Kind)
	if r.Kind == returns.KindDissatisfied && r.Reason != "" {
		s += " (" + english.Reason(r.Reason) + ")"
	}
	return s + " → " + english.Resolution(r.Resolution)
}

// itemsSummary lists a return's items with their quantities, e.g.
// "2 × Ceramic mug, 1 × Linen tea towel".
func itemsSummary(r *returns.Return) string {
	parts := make([]string, len(r.Items))
	for i, it := range r.Items {
		parts[i] = strconv.Itoa(it.Quantity) + " × " + it.Title
	}
	return strings.Join(parts, ", ")
}

// dateTime formats a moment for staff in t's location, e.g. "26 Nov 2026, 10:00".
func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 Jan 2006, 15:04")
}

// isoDateTime formats t for a <time datetime> attribute.
func isoDateTime(t time.Time) string { return t.Format(time.RFC3339) }

// actorName says who did something on the timeline: "Customer", "System", or
// the staff member's email.
func actorName(a returns.Actor, staff map[int64]string) string {
	switch a {
	case returns.ActorCustomer:
		return "Customer"
	case returns.ActorSystem:
		return "System"
	}
	if idText, ok := strings.CutPrefix(string(a), "staff:"); ok {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err == nil {
			if email := staff[id]; email != "" {
				return email
			}
			return "Staff member #" + idText
		}
	}
	return string(a)
}

// adminEventLabel names a timeline entry for staff; staff see every entry.
func adminEventLabel(ev returns.Event) string {
	switch ev.Type {
	case returns.EventRequested:
		return "Return requested"
	case returns.EventCancelled:
		return "Cancelled by the customer"
	case returns.EventApproved:
		return "Approved"
	case returns.EventDeclined:
		return "Declined"
	case returns.EventItemReceived:
		return "Item received"
	case returns.EventRefunded:
		return "Refunded"
	case returns.EventReplacementShipped:
		return "Replacement shipped"
	case returns.EventClosed:
		return "Closed"
	case returns.EventNote:
		return "Internal note"
	case returns.EventRefundFailed:
		return "Refund failed"
	case returns.EventRefundUnknown:
		return "Refund outcome unknown"
	case returns.EventShopifyUpdated:
		return "Shopify order updated"
	case returns.EventShopifyDeferred:
		return "Shopify order not updated yet (retried automatically)"
	}
	if ev.Status != "" {
		return english.Status(ev.Status)
	}
	return string(ev.Type)
}

// refundStateLabel names a refund's state for staff.
func refundStateLabel(s returns.RefundState) string {
	switch s {
	case returns.RefundPending:
		return "Pending"
	case returns.RefundSucceeded:
		return "Succeeded"
	case returns.RefundFailed:
		return "Failed"
	case returns.RefundUnknown:
		return "Unknown, being checked"
	}
	return string(s)
}

// refundStateClass is the badge class of a refund's state.
func refundStateClass(s returns.RefundState) string {
	switch s {
	case returns.RefundSucceeded:
		return "badge badge-done"
	case returns.RefundFailed:
		return "badge badge-bad"
	}
	return "badge"
}

// statusURL links to the queue filtered by a status, keeping the search; it
// builds the link itself when the handler gave no StatusURL.
func (p QueuePage) statusURL(s returns.Status) string {
	if p.StatusURL != nil {
		return p.StatusURL(s)
	}
	v := url.Values{}
	if s != "" {
		v.Set("status", string(s))
	}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	if len(v) == 0 {
		return adminQueuePath
	}
	return adminQueuePath + "?" + v.Encode()
}

// returnURL links to a return's backoffice page.
func (p QueuePage) returnURL(code string) string {
	if p.ReturnURL != nil {
		return p.ReturnURL(code)
	}
	return adminQueuePath + "/returns/" + url.PathEscape(code)
}

// caption describes the queue table: its filter and its order.
func (p QueuePage) caption() string {
	s := "Returns"
	if p.Status != "" {
		s += " with status " + english.Status(p.Status)
	}
	if p.Query != "" {
		s += " matching “" + p.Query + "”"
	}
	return s + ", newest first"
}

// filtered reports whether the queue shows less than every return.
func (p QueuePage) filtered() bool { return p.Status != "" || p.Query != "" }

// Action names: the keys of AdminReturnPage.Actions and AdminForm.Action.
const (
	actionApprove = "approve"
	actionDecline = "decline"
	actionReceive = "receive"
	actionRefund  = "refund"
	actionShip    = "ship"
	actionClose   = "close"
	actionNote    = "note"
)

// fieldID is the HTML id of an action form's field: the same field name (e.g.
// "reason") can appear in two forms of one page.
func fieldID(action, field string) string { return action + "-" + field }

// failed reports whether the page shows action's form again after it failed.
func (p AdminReturnPage) failed(action string) bool { return p.Form.Action == action }

// value is what a field of action's form shows: the value sent when the form
// failed, else def.
func (p AdminReturnPage) value(action, field, def string) string {
	if p.failed(action) {
		return p.Form.Values[field]
	}
	return def
}

// fieldErr returns the message of a field of action's form, when that form
// failed. The backoffice is English: the message's English text.
func (p AdminReturnPage) fieldErr(action, field string) (string, bool) {
	if !p.failed(action) {
		return "", false
	}
	m, ok := p.Form.Fields[field]
	if !ok {
		return "", false
	}
	return english.Msg(m), true
}

// describedBy is the aria-describedby of a field: its hint, and its error when
// the form failed.
func (p AdminReturnPage) describedBy(action, field string, hint bool) string {
	id := fieldID(action, field)
	var ids []string
	if hint {
		ids = append(ids, id+"-hint")
	}
	if _, bad := p.fieldErr(action, field); bad {
		ids = append(ids, id+"-error")
	}
	return idList(ids...)
}

// actionFields lists the fields of each action form in page order, for the
// error summary's links.
var actionFields = map[string][]string{
	actionApprove: {"message"},
	actionDecline: {"reason"},
	actionRefund:  {"amount", "raise_reason"},
	actionShip:    {"carrier", "number", "carrier_name", "tracking_url"},
	actionNote:    {"note"},
}

// formFailed reports whether the page shows a failed action.
func (p AdminReturnPage) formFailed() bool {
	return p.Form.Action != "" && (p.Form.Error != nil || len(p.Form.Fields) > 0)
}

// formSummary lists the failed form's messages, each with the id of its field
// ("" for a message about no single field of the form).
func (p AdminReturnPage) formSummary() []adminFormError {
	var out []adminFormError
	seen := map[string]bool{}
	for _, f := range actionFields[p.Form.Action] {
		if m, ok := p.Form.Fields[f]; ok {
			seen[f] = true
			out = append(out, adminFormError{Target: fieldID(p.Form.Action, f), Text: english.Msg(m)})
		}
	}
	for _, f := range sortedKeys(p.Form.Fields) {
		if !seen[f] {
			out = append(out, adminFormError{Text: english.Msg(p.Form.Fields[f])})
		}
	}
	return out
}

// formError is the summary line of the failed form.
func (p AdminReturnPage) formError() string {
	if p.Form.Error != nil {
		return english.Msg(*p.Form.Error)
	}
	return "Please correct the marked fields."
}

// adminFormError is one entry of a backoffice error summary.
type adminFormError struct {
	Target string // the id of the field, or ""
	Text   string
}

// actionName is how the summary names a failed action.
func actionName(action string) string {
	switch action {
	case actionApprove:
		return "Approve"
	case actionDecline:
		return "Decline"
	case actionReceive:
		return "Mark as received"
	case actionRefund:
		return "Refund"
	case actionShip:
		return "Ship a replacement"
	case actionClose:
		return "Close"
	case actionNote:
		return "Internal note"
	}
	return action
}

// refundKey is the idempotency key the refund form carries. A refund form shown
// again after it failed keeps the key it was sent with, so that a second click
// after a lost answer cannot make a second refund — unless Shopify refused the
// refund made with that key: the same key would only bring back that refusal.
func (p AdminReturnPage) refundKey() string {
	if !p.failed(actionRefund) {
		return p.View.RefundKey
	}
	key := p.Form.Values["key"]
	if key == "" {
		return p.View.RefundKey
	}
	for _, ref := range p.View.Refunds {
		if ref.IdempotencyKey == key && ref.State == returns.RefundFailed {
			return p.View.RefundKey
		}
	}
	return key
}

// refundAmount is the amount the refund form shows: what was typed when it
// failed, else Shopify's suggestion when there is one.
func (p AdminReturnPage) refundAmount() string {
	if p.failed(actionRefund) {
		return p.Form.Values["amount"]
	}
	if p.View.Suggested.Minor != 0 {
		return p.View.Suggested.Decimal()
	}
	return ""
}

// refundCurrency is the currency refunds of this return are in.
func (p AdminReturnPage) refundCurrency() string {
	if p.View.Return.Currency != "" {
		return p.View.Return.Currency
	}
	return p.View.Suggested.Currency
}

// unsettledRefunds are the refunds whose outcome is not known yet.
func (p AdminReturnPage) unsettledRefunds() []returns.Refund {
	var out []returns.Refund
	for _, ref := range p.View.Refunds {
		if !ref.Settled() {
			out = append(out, ref)
		}
	}
	return out
}

// canReconcile reports whether a refund gets a "check with Shopify" form.
func (p AdminReturnPage) canReconcile(ref returns.Refund) bool {
	return p.ReconcileURL != nil && (ref.State == returns.RefundPending || ref.State == returns.RefundUnknown)
}

// settingsFieldLabels names the settings form's fields, for the history.
var settingsFieldLabels = map[string]string{
	"return_address":       "Return address",
	"window_days":          "Return window",
	"non_returnable_tag":   "Non-returnable tag",
	"instructions_en":      "Instructions (English)",
	"instructions_lv":      "Instructions (Latvian)",
	"staff_email":          "Staff notification email",
	"require_emailed_link": "Emailed link for every lookup",
}

// settingsFields is the settings form's fields in page order.
var settingsFields = []string{"return_address", "window_days", "non_returnable_tag", "instructions_en", "instructions_lv", "staff_email", "require_emailed_link"}

// changedFields names the fields of a settings change.
func changedFields(c returns.SettingsChange) string {
	names := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		if l, ok := settingsFieldLabels[f]; ok {
			names[i] = l
		} else {
			names[i] = f
		}
	}
	return strings.Join(names, ", ")
}

// fieldErr returns the message of a settings field, in English.
func (p SettingsPage) fieldErr(field string) (string, bool) {
	m, ok := p.Fields[field]
	if !ok {
		return "", false
	}
	return english.Msg(m), true
}

// describedBy is the aria-describedby of a settings field.
func (p SettingsPage) describedBy(field string, hint bool) string {
	var ids []string
	if hint {
		ids = append(ids, field+"-hint")
	}
	if _, bad := p.Fields[field]; bad {
		ids = append(ids, field+"-error")
	}
	return idList(ids...)
}

// summary lists the settings form's messages in page order.
func (p SettingsPage) summary() []adminFormError {
	var out []adminFormError
	seen := map[string]bool{}
	for _, f := range settingsFields {
		if m, ok := p.Fields[f]; ok {
			seen[f] = true
			out = append(out, adminFormError{Target: f, Text: english.Msg(m)})
		}
	}
	for _, f := range sortedKeys(p.Fields) {
		if !seen[f] {
			out = append(out, adminFormError{Text: english.Msg(p.Fields[f])})
		}
	}
	return out
}

// windowDays is the window field's text: as typed when it did not parse.
func (p SettingsPage) windowDays() string {
	if p.WindowDays != "" {
		return p.WindowDays
	}
	if p.Settings.WindowDays == 0 {
		return ""
	}
	return strconv.Itoa(p.Settings.WindowDays)
}

func sortedKeys(m map[string]returns.Message) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
