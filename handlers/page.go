package handlers

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// page returns the layout data of a customer page.
func (s *Server) page(r *http.Request, title returns.Message) views.Page {
	l := localizer(r)
	q := r.URL.Query()
	q.Del(paths.ParamLang)
	q.Del(paths.ParamToken)
	path := r.URL.Path
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if enc := q.Encode(); enc != "" {
			path += "?" + enc
		}
	default:
		// An answer to a form has no address to open again in another
		// language; the page that shows the form again sets its own.
		path = paths.LookupURL()
	}
	id := s.storeIdentity(r)
	l.Zone = id.Location
	p := views.Page{L: l, Title: l.Msg(title), Path: path, DemoMode: s.cfg.DemoMode, NoIndex: true, Store: id}
	if s.withdrawals != nil && s.settings != nil {
		if st, err := s.settings.Settings(r.Context()); err == nil {
			p.WithdrawalLabel = st.Withdrawal.Link(l.Lang)
		}
	}
	return p
}

// storeIdentity is the store's identity for a page; zero when the server has
// none.
func (s *Server) storeIdentity(r *http.Request) returns.StoreIdentity {
	if s.identity == nil {
		return returns.StoreIdentity{}
	}
	return s.identity.StoreIdentity(r.Context())
}

// adminPage returns the layout data of a backoffice page, in the staff
// member's language.
func (s *Server) adminPage(r *http.Request, title returns.Message) views.AdminPage {
	l := views.NewLocalizer(s.staffLanguage(r))
	p := views.AdminPage{Title: l.Msg(title), DemoMode: s.cfg.DemoMode, Path: staffPagePath(r)}
	if st := staffFrom(r); st != nil {
		p.StaffName = st.Email
		if s.shopEvents != nil {
			p.ShopUninstalledAt = s.shopEvents.UninstalledAt(r.Context())
		}
	}
	if done := r.URL.Query().Get(paths.ParamDone); done != "" {
		if m, ok := flashes[done]; ok {
			p.Flash = l.Msg(m)
		}
	}
	return p
}

// staffLanguage is the language of a backoffice page: the signed-in staff
// member's choice, else the store's (the settings' backoffice language), else
// English.
func (s *Server) staffLanguage(r *http.Request) string {
	if st := staffFrom(r); st != nil && views.SupportedLanguage(st.Lang) {
		return st.Lang
	}
	if s.settings != nil {
		if set, err := s.settings.Settings(r.Context()); err == nil && views.SupportedLanguage(set.StaffLanguage) {
			return set.StaffLanguage
		}
	}
	return "en"
}

// staffPagePath is the backoffice page the language switch returns to: the
// page asked for, with its query; after a form was posted (a page shown again
// with its messages), the return it was about, or else the queue.
func staffPagePath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if next := safeNext(r.URL.RequestURI()); next != "" {
			return next
		}
	}
	if code := r.PathValue("code"); returns.ValidReturnCode(code) {
		return paths.AdminReturnURL(code)
	}
	return paths.AdminURL()
}

// flashes are the confirmations an action's redirect can ask for; the page never
// echoes text from the URL.
var flashes = map[string]returns.Message{
	"approved":              returns.Msg("Return approved."),
	"declined":              returns.Msg("Return declined."),
	"received":              returns.Msg("Item marked as received."),
	"refunded":              returns.Msg("Refund made through Shopify."),
	"refund-unknown":        returns.Msg("Shopify did not confirm the refund in time. It is checked again automatically with the same key, so it cannot be made twice."),
	"refund-pending":        returns.Msg("This refund is being made already."),
	"shipped":               returns.Msg("Replacement recorded; the customer sees the tracking link."),
	"replacement-ordered":   returns.Msg("Replacement order created in Shopify. The tracking number reaches the customer when the warehouse ships it."),
	"switched-to-refund":    returns.Msg("The return is now a refund request; the customer is told why."),
	"closed":                returns.Msg("Return closed."),
	"noted":                 returns.Msg("Note added."),
	"withdrawal-registered": returns.Msg("Withdrawal registered; its acknowledgement is on its way to the customer."),
	"reconciled":            returns.Msg("Checked with Shopify."),
	"refund-awaiting":       returns.Msg("Refund made in Shopify. The payment provider has not confirmed it yet; the customer is emailed once it has."),
	"refund-payout-failed":  returns.Msg("Shopify made the refund, but the payment provider refused it. See the refunds below for what to do."),
	"refund-to-pay":         returns.Msg("Refund recorded in Shopify. Part of it went through a manual payment method: pay it to the customer yourself, then confirm below."),
	"manual-paid":           returns.Msg("Payment to the customer confirmed; the customer is emailed."),
	"settings":              returns.Msg("Settings saved."),
	"rule-saved":            returns.Msg("Rule saved."),
	"rule-deleted":          returns.Msg("Rule deleted."),
	"logo":                  returns.Msg("Logo saved."),
	"logo-removed":          returns.Msg("Logo removed."),
	"checked":               returns.Msg("Checked the connection to Shopify again."),
	"requeued":              returns.Msg("The message is queued to be sent again."),
}

// render writes a component with a status. It renders into a buffer first so that
// a failure halfway never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	body, err := s.renderBytes(r, c)
	if err != nil {
		s.log.Error("render page", "path", logPath(r), "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	s.writePage(w, status, body)
}

// renderBytes renders a component into a page.
func (s *Server) renderBytes(r *http.Request, c templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	// Staff pages tell every time in the store's time zone (customer pages
	// take it from their Localizer).
	ctx := r.Context()
	if loc := s.storeIdentity(r).Location; loc != nil {
		ctx = views.WithTimeZone(ctx, loc)
	}
	if isBackoffice(r) {
		ctx = views.WithStaffLanguage(ctx, s.staffLanguage(r))
	}
	if err := c.Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	return buf.Bytes(), nil
}

// isBackoffice reports whether r asks for a backoffice page: one of a
// signed-in staff member, or the sign-in page.
func isBackoffice(r *http.Request) bool {
	return staffFrom(r) != nil || r.URL.Path == paths.AdminLogin
}

// writePage writes a rendered page with a status. Pages are never kept by the
// browser or a proxy (no-store), unless the handler said otherwise.
func (s *Server) writePage(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(body)
}
