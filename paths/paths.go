// Package paths holds the portal's URLs, written once: the pattern of every
// route as handlers/routes.go registers it, a builder for every URL that a page
// or an email links to, the names of the staff actions on a return, and the
// query parameters. Each of them is a contract between the router, the pages,
// the emails and the outside (customers' inboxes, the store's Shopify
// templates); a test in handlers sends every builder's URL through the router,
// so that a pattern and its builder cannot drift apart.
//
// The package imports only the standard library, so that any package may use
// it. The domain (the root package) links to nothing: the emails' links are
// built by views/email from the tokens the domain hands over.
package paths

import (
	"net/url"
	"strconv"
	"strings"
)

// Customer routes. Lookup, Start and Return are promised to the outside (links
// in customers' inboxes and in the store's Shopify emails) and must stay as
// they are.
const (
	// Lookup is the start page with the lookup form; {$} keeps it from
	// matching every other path.
	Lookup             = "/{$}"
	Start              = "/start" // a signed link from the store's emails
	AccessLink         = "/link"  // asks for, or lands from, an emailed one-time link
	AccessLinkOpen     = "/link/open"
	Order              = "/order"         // the order the session proved
	OrderReturns       = "/order/returns" // where the return form posts
	Return             = "/returns/{code}"
	ReturnConfirmation = "/returns/{code}/confirmation"
	ReturnCancel       = "/returns/{code}/cancel"
	ReturnParcel       = "/returns/{code}/parcel" // the customer's parcel sent back
	ReturnPhoto        = "/returns/{code}/photos/{photo}"
)

// Backoffice routes.
const (
	Admin       = "/admin" // the queue of returns
	AdminLogin  = "/admin/login"
	AdminLogout = "/admin/logout"
	AdminReturn = "/admin/returns/{code}"
	AdminPhoto  = "/admin/returns/{code}/photos/{photo}"
	// AdminReconcile asks Shopify now about a refund whose outcome is unknown.
	AdminReconcile = "/admin/returns/{code}/refunds/{refund}/reconcile"
	// AdminManualPaid is where staff confirm they paid a customer the part
	// of a refund that went through a manual payment method.
	AdminManualPaid = "/admin/returns/{code}/refunds/{refund}/paid"
	// AdminWithdrawalNew is where staff register a statement of withdrawal
	// that arrived by email or post.
	AdminWithdrawalNew = "/admin/withdrawals/new"
	// AdminWithdrawalRecord is a withdrawal's record for a complaint, to
	// print; AdminWithdrawalRecordJSON the same as JSON, to download.
	AdminWithdrawalRecord     = "/admin/returns/{code}/record"
	AdminWithdrawalRecordJSON = "/admin/returns/{code}/record.json"
	AdminOutbox               = "/admin/outbox"
	AdminOutboxMessage        = "/admin/outbox/{id}"
	AdminOutboxHTML           = "/admin/outbox/{id}/html"
	AdminOutboxRequeue        = "/admin/outbox/{id}/requeue"
	AdminSettings             = "/admin/settings"
	// AdminShopify is the checklist of the connection to Shopify;
	// AdminShopifyCheck runs it again.
	AdminShopify      = "/admin/shopify"
	AdminShopifyCheck = "/admin/shopify/check"
	// AdminReports adds up the returns of a period; AdminReportsCSV exports
	// them.
	AdminReports    = "/admin/reports"
	AdminReportsCSV = "/admin/reports/returns.csv"
	// AdminAutoApproval lists the auto-approval rules, and saves one (a
	// new one when its form names none); AdminAutoApprovalDelete deletes
	// one.
	AdminAutoApproval       = "/admin/settings/auto-approval"
	AdminAutoApprovalDelete = "/admin/settings/auto-approval/{rule}/delete"
	// AdminLanguage is where the backoffice's language switch posts: it
	// saves the language for the signed-in account.
	AdminLanguage = "/admin/language"
	// AdminElse is everything else under /admin, which answers only after
	// sign-in, so that a stranger learns nothing of the backoffice.
	AdminElse = "/admin/"
)

// ShopifyWebhooks is where Shopify delivers the webhooks the portal
// subscribes to, and the compliance webhooks declared in the app's
// configuration.
const ShopifyWebhooks = "/webhooks/shopify"

// Healthz answers load balancers and the deploy's health checks.
const Healthz = "/healthz"

// Store's logo: Logo serves it by the hash of its content (a new logo has a
// new address, so browsers keep each for good); AdminLogo is where staff
// upload one, AdminLogoRemove where they remove it.
const (
	Logo            = "/logo/{file}"
	AdminLogo       = "/admin/settings/logo"
	AdminLogoRemove = "/admin/settings/logo/remove"
)

// LogoURL is the store's logo, file being its hash and extension
// (returns.LogoRef.File).
func LogoURL(file string) string { return fill(Logo, file) }

// AdminLogoURL is where the logo's upload form posts.
func AdminLogoURL() string { return AdminLogo }

// AdminLogoRemoveURL is where the logo's remove button posts.
func AdminLogoRemoveURL() string { return AdminLogoRemove }

// Action names a staff action on a return. Most are the last segment of the
// URL their form posts to (AdminActionURL); every one names its form on the
// return's page and in the confirmation the page shows after it.
type Action string

// The staff actions on a return.
const (
	ActionApprove Action = "approve"
	ActionDecline Action = "decline"
	ActionReceive Action = "receive"
	ActionRefund  Action = "refund"
	ActionShip    Action = "ship"
	ActionClose   Action = "close"
	ActionNote    Action = "note"
	// ActionReplacementOrder makes the replacement order in Shopify.
	ActionReplacementOrder Action = "replacement-order"
	// ActionSwitchToRefund makes a replacement request a refund request.
	ActionSwitchToRefund Action = "switch-to-refund"
	// ActionReconcile is about one refund of the return, so its URL names
	// the refund too (AdminReconcileURL).
	ActionReconcile Action = "reconcile"
	// ActionManualPaid confirms that staff paid the customer the manual part
	// of one refund (AdminManualPaidURL).
	ActionManualPaid Action = "manual-paid"
)

// ReturnActions are the actions whose form posts to AdminActionURL, in the
// order the return's page shows them.
var ReturnActions = []Action{ActionApprove, ActionDecline, ActionReceive, ActionRefund, ActionReplacementOrder, ActionShip, ActionSwitchToRefund, ActionClose, ActionNote}

// AdminAction is the route pattern of an action in ReturnActions.
func AdminAction(a Action) string { return AdminReturn + "/" + string(a) }

// Query parameters.
const (
	ParamToken  = "t"    // an access token: a return's status link, a one-time link to an order
	ParamLang   = "lang" // the page language chosen with the language switch
	ParamOrder  = "order"
	ParamEmail  = "email"
	ParamSig    = "sig"    // a start link's signature
	ParamDone   = "done"   // which confirmation a backoffice page shows after an action
	ParamNext   = "next"   // the backoffice page to go to after signing in
	ParamQuery  = "q"      // the queue's search
	ParamStatus = "status" // the queue's and the outbox's status filter
	ParamBefore = "before" // keyset pagination: the id the next page starts before
	ParamFrom   = "from"   // a report's first day, YYYY-MM-DD
	ParamTo     = "to"     // a report's last day
	// The queue's withdrawals: ParamKind "withdrawal" keeps them only,
	// ParamSort "deadline" lists them by refund deadline, soonest first,
	// from the page that starts after ParamDueAfter's day and ParamBefore's id.
	ParamKind     = "kind"
	ParamSort     = "sort"
	ParamDueAfter = "due_after"
	// Values of ParamKind and ParamSort.
	KindWithdrawal = "withdrawal"
	SortDeadline   = "deadline"
)

// LookupURL is the start page.
func LookupURL() string { return fill(Lookup) }

// StartURL is a signed start link to an order, as the store's emails carry it.
func StartURL(order, email, sig string) string {
	return Start + "?" + url.Values{ParamOrder: {order}, ParamEmail: {email}, ParamSig: {sig}}.Encode()
}

// AccessLinkURL is the form that asks for a one-time link to an order.
func AccessLinkURL() string { return AccessLink }

// AccessLinkTokenURL is where a one-time link from an email lands.
func AccessLinkTokenURL(token string) string {
	return AccessLink + "?" + ParamToken + "=" + url.QueryEscape(token)
}

// AccessLinkOpenURL is where the landing page's button posts to use the link.
func AccessLinkOpenURL() string { return AccessLinkOpen }

// OrderURL is the page of the order the session proved.
func OrderURL() string { return Order }

// OrderReturnsURL is where the return form posts.
func OrderReturnsURL() string { return OrderReturns }

// ReturnURL is a return's status page.
func ReturnURL(code string) string { return fill(Return, code) }

// ReturnTokenURL is a return's status page opened with an access token, as the
// customer's emails link to it.
func ReturnTokenURL(code, token string) string {
	return ReturnURL(code) + "?" + ParamToken + "=" + url.QueryEscape(token)
}

// ReturnConfirmationURL is the page shown right after a return was submitted.
func ReturnConfirmationURL(code string) string { return fill(ReturnConfirmation, code) }

// ReturnCancelURL is the page that asks the customer whether to cancel a
// return (GET), and where its form posts.
func ReturnCancelURL(code string) string { return fill(ReturnCancel, code) }

// ReturnParcelURL is where the customer's parcel form posts.
func ReturnParcelURL(code string) string { return fill(ReturnParcel, code) }

// ReturnPhotoURL is a damage photo as its customer sees it.
func ReturnPhotoURL(code string, photoID int64) string {
	return fill(ReturnPhoto, code, strconv.FormatInt(photoID, 10))
}

// AdminURL is the backoffice's queue of returns, unfiltered.
func AdminURL() string { return Admin }

// AdminQueueURL is the queue filtered by a status ("" for every status) and a
// search ("" for none), from the page that starts before the return with id
// before (0 for the first page).
func AdminQueueURL(status, query string, before int64) string {
	v := url.Values{}
	if status != "" {
		v.Set(ParamStatus, status)
	}
	if query != "" {
		v.Set(ParamQuery, query)
	}
	if before > 0 {
		v.Set(ParamBefore, strconv.FormatInt(before, 10))
	}
	return withQuery(Admin, v)
}

// AdminWithdrawalQueueURL is the queue of withdrawals only, filtered like
// AdminQueueURL; by deadline, soonest first, when byDeadline, from the page
// that starts after the deadline dueAfter ("YYYY-MM-DD") and the return with
// id after (dueAfter "" for the first page); newest first otherwise, from
// the page that starts before the return with id after (0 for the first).
func AdminWithdrawalQueueURL(status, query string, byDeadline bool, dueAfter string, after int64) string {
	v := url.Values{ParamKind: {KindWithdrawal}}
	if byDeadline {
		v.Set(ParamSort, SortDeadline)
	}
	if status != "" {
		v.Set(ParamStatus, status)
	}
	if query != "" {
		v.Set(ParamQuery, query)
	}
	if after > 0 && (!byDeadline || dueAfter != "") {
		v.Set(ParamBefore, strconv.FormatInt(after, 10))
		if byDeadline {
			v.Set(ParamDueAfter, dueAfter)
		}
	}
	return withQuery(Admin, v)
}

// AdminLoginURL is the sign-in form; next ("" for none) is the backoffice
// page to go to once signed in.
func AdminLoginURL(next string) string {
	if next == "" {
		return AdminLogin
	}
	return AdminLogin + "?" + ParamNext + "=" + url.QueryEscape(next)
}

// AdminLogoutURL is where the sign-out form posts.
func AdminLogoutURL() string { return AdminLogout }

// AdminReturnURL is a return's backoffice page.
func AdminReturnURL(code string) string { return fill(AdminReturn, code) }

// AdminActionURL is where the form of an action in ReturnActions posts.
func AdminActionURL(code string, a Action) string { return fill(AdminAction(a), code) }

// AdminPhotoURL is a damage photo at full size, for staff.
func AdminPhotoURL(code string, photoID int64) string {
	return fill(AdminPhoto, code, strconv.FormatInt(photoID, 10))
}

// AdminReconcileURL is where the "check with Shopify" form of a refund posts.
func AdminReconcileURL(code string, refundID int64) string {
	return fill(AdminReconcile, code, strconv.FormatInt(refundID, 10))
}

// AdminManualPaidURL is where the "I paid the customer" form of a refund
// posts.
func AdminManualPaidURL(code string, refundID int64) string {
	return fill(AdminManualPaid, code, strconv.FormatInt(refundID, 10))
}

// AdminOutboxURL is the outbox filtered by a status ("" for every status), from
// the page that starts before the message with id before (0 for the first).
func AdminOutboxURL(status string, before int64) string {
	v := url.Values{}
	if status != "" {
		v.Set(ParamStatus, status)
	}
	if before > 0 {
		v.Set(ParamBefore, strconv.FormatInt(before, 10))
	}
	return withQuery(AdminOutbox, v)
}

// AdminOutboxMessageURL is one message of the outbox.
func AdminOutboxMessageURL(id int64) string {
	return fill(AdminOutboxMessage, strconv.FormatInt(id, 10))
}

// AdminOutboxHTMLURL serves a message's HTML part on its own, for the
// sandboxed preview frame.
func AdminOutboxHTMLURL(id int64) string { return fill(AdminOutboxHTML, strconv.FormatInt(id, 10)) }

// AdminOutboxRequeueURL is where the form that sends a message again posts.
func AdminOutboxRequeueURL(id int64) string {
	return fill(AdminOutboxRequeue, strconv.FormatInt(id, 10))
}

// AdminLanguageURL is where the backoffice's language switch posts.
func AdminLanguageURL() string { return AdminLanguage }

// AdminSettingsURL is the store's settings form.
func AdminSettingsURL() string { return AdminSettings }

// AdminAutoApprovalURL is the page of the auto-approval rules.
func AdminAutoApprovalURL() string { return AdminAutoApproval }

// AdminAutoApprovalDeleteURL is where the form that deletes a rule posts.
func AdminAutoApprovalDeleteURL(rule int64) string {
	return fill(AdminAutoApprovalDelete, strconv.FormatInt(rule, 10))
}

// AdminShopifyURL is the checklist of the connection to Shopify.
func AdminShopifyURL() string { return AdminShopify }

// AdminShopifyCheckURL is where the form that runs the checks again posts.
func AdminShopifyCheckURL() string { return AdminShopifyCheck }

// AdminReportsURL is the report of the days from and to (YYYY-MM-DD; "" for
// the default period).
func AdminReportsURL(from, to string) string { return withQuery(AdminReports, period(from, to)) }

// AdminReportsCSVURL is the CSV export of the returns of the days from and to.
func AdminReportsCSVURL(from, to string) string {
	return withQuery(AdminReportsCSV, period(from, to))
}

// period is the query of a report's days.
func period(from, to string) url.Values {
	v := url.Values{}
	if from != "" {
		v.Set(ParamFrom, from)
	}
	if to != "" {
		v.Set(ParamTo, to)
	}
	return v
}

// WithDone adds to a backoffice URL which confirmation its page shows, after an
// action redirected to it.
func WithDone(u, done string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + ParamDone + "=" + url.QueryEscape(done)
}

// fill makes a URL of a route pattern: each wildcard ({code}, {id}…) in turn
// becomes the next of args, escaped as a path segment, and the end anchor {$}
// goes. A pattern needs as many args as it has wildcards.
func fill(pattern string, args ...string) string {
	var b strings.Builder
	b.Grow(len(pattern) + 16)
	rest := pattern
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			if len(args) > 0 {
				panic("paths: too many values for " + pattern)
			}
			b.WriteString(rest)
			return b.String()
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			panic("paths: unclosed wildcard in " + pattern)
		}
		b.WriteString(rest[:i])
		if rest[i:i+j+1] != "{$}" {
			if len(args) == 0 {
				panic("paths: too few values for " + pattern)
			}
			b.WriteString(url.PathEscape(args[0]))
			args = args[1:]
		}
		rest = rest[i+j+1:]
	}
}

// withQuery is path with the query v, or path alone when v is empty.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// The withdrawal function (Directive 2011/83/EU, Article 11a): Withdraw is
// the statement's form for the order the session proved (the lookup first
// when there is none), WithdrawConfirm where its confirmation step posts, and
// WithdrawalForm the model withdrawal form of Annex I(B), for customers who
// prefer to send it by email or post.
const (
	Withdraw        = "/withdraw"
	WithdrawConfirm = "/withdraw/confirm"
	WithdrawalForm  = "/withdrawal-form.txt"
)

// WithdrawURL is the withdrawal function.
func WithdrawURL() string { return Withdraw }

// WithdrawConfirmURL is where the statement's confirmation posts.
func WithdrawConfirmURL() string { return WithdrawConfirm }

// WithdrawalFormURL is the model withdrawal form in lang ("en", "lv").
func WithdrawalFormURL(lang string) string { return WithdrawalForm + "?" + ParamLang + "=" + lang }

// AdminWithdrawalNewURL is the form that registers a statement of withdrawal
// that arrived by email or post.
func AdminWithdrawalNewURL() string { return AdminWithdrawalNew }

// AdminWithdrawalRecordURL is the printable record of the withdrawal code.
func AdminWithdrawalRecordURL(code string) string { return fill(AdminWithdrawalRecord, code) }

// AdminWithdrawalRecordJSONURL is the JSON record of the withdrawal code.
func AdminWithdrawalRecordJSONURL(code string) string { return fill(AdminWithdrawalRecordJSON, code) }
