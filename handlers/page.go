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
	return views.Page{L: l, Title: l.Msg(title), Path: path, DemoMode: s.cfg.DemoMode, NoIndex: true, Store: id}
}

// storeIdentity is the store's identity for a page; zero when the server has
// none.
func (s *Server) storeIdentity(r *http.Request) returns.StoreIdentity {
	if s.identity == nil {
		return returns.StoreIdentity{}
	}
	return s.identity.StoreIdentity(r.Context())
}

// adminPage returns the layout data of a backoffice page.
func (s *Server) adminPage(r *http.Request, title string) views.AdminPage {
	p := views.AdminPage{Title: title, DemoMode: s.cfg.DemoMode}
	if st := staffFrom(r); st != nil {
		p.StaffName = st.Email
		if s.shopEvents != nil {
			p.ShopUninstalledAt = s.shopEvents.UninstalledAt(r.Context())
		}
	}
	if done := r.URL.Query().Get(paths.ParamDone); done != "" {
		p.Flash = flashes[done]
	}
	return p
}

// flashes are the confirmations an action's redirect can ask for; the page never
// echoes text from the URL.
var flashes = map[string]string{
	"approved":             "Return approved.",
	"declined":             "Return declined.",
	"received":             "Item marked as received.",
	"refunded":             "Refund made through Shopify.",
	"refund-unknown":       "Shopify did not confirm the refund in time. It is checked again automatically with the same key, so it cannot be made twice.",
	"refund-pending":       "This refund is being made already.",
	"shipped":              "Replacement recorded; the customer sees the tracking link.",
	"closed":               "Return closed.",
	"noted":                "Note added.",
	"reconciled":           "Checked with Shopify.",
	"refund-awaiting":      "Refund made in Shopify. The payment provider has not confirmed it yet; the customer is emailed once it has.",
	"refund-payout-failed": "Shopify made the refund, but the payment provider refused it. See the refunds below for what to do.",
	"refund-to-pay":        "Refund recorded in Shopify. Part of it went through a manual payment method: pay it to the customer yourself, then confirm below.",
	"manual-paid":          "Payment to the customer confirmed; the customer is emailed.",
	"settings":             "Settings saved.",
	"rule-saved":           "Rule saved.",
	"rule-deleted":         "Rule deleted.",
	"logo":                 "Logo saved.",
	"logo-removed":         "Logo removed.",
	"checked":              "Checked the connection to Shopify again.",
	"requeued":             "The message is queued to be sent again.",
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
	if err := c.Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	return buf.Bytes(), nil
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
