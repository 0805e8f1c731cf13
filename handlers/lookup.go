package handlers

import (
	"net/http"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// lookupFailed is the one message for every failed lookup: wrong email, unknown
// order, bad link signature. It is the domain's (returns.ErrLookupFailed); the
// page and status are the same too.
var lookupFailed = returns.ErrorMessage(returns.ErrLookupFailed)

// statusLookupFailed is the status of every failed lookup.
const statusLookupFailed = http.StatusUnprocessableEntity

func (s *Server) handleLookupForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		s.renderLookup(w, r, http.StatusOK, q.Get(paths.ParamOrder), q.Get(paths.ParamEmail), nil)
	})
}

// renderLookup shows the lookup form. When the store requires an emailed link
// for every lookup, the form asks for one.
func (s *Server) renderLookup(w http.ResponseWriter, r *http.Request, status int, order, email string, msg *returns.Message) {
	emailLink, err := s.emailLinkOnly(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := views.LookupPage{
		Page:      s.page(r, returns.Msg("Find your order")),
		Form:      lookupForm(order, email, msg),
		EmailLink: emailLink,
	}
	p.NoIndex = false
	p.Path = paths.LookupURL()
	if r.FormValue(paths.ParamNext) == nextWithdraw {
		p.Form.Values[paths.ParamNext] = nextWithdraw
	}
	s.render(w, r, status, views.LookupPageView(p))
}

// emailLinkOnly reports whether the store requires an emailed link for every
// typed lookup.
func (s *Server) emailLinkOnly(r *http.Request) (bool, error) {
	st, err := s.settings.Settings(r.Context())
	if err != nil {
		return false, err
	}
	return st.RequireEmailedLink, nil
}

func (s *Server) handleLookup() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.renderLookup(w, r, http.StatusBadRequest, "", "", &lookupFailed)
			return
		}
		order, email := r.PostForm.Get(returns.FieldOrder), r.PostForm.Get(returns.FieldEmail)
		emailLink, err := s.emailLinkOnly(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if emailLink {
			// The store wants every typed lookup confirmed by email: the
			// order never opens from what was typed, however it was sent.
			s.requestAccessLink(w, r, order, email)
			return
		}
		if ok, wait := s.allowLookup(s.clientIP(r), returns.NormalizeOrderNumber(order)); !ok {
			s.renderRateLimited(w, r, wait, order, email)
			return
		}
		s.openOrder(w, r, order, email)
	})
}

// handleStart opens an order from a signed link in the store's emails. A verified
// signature is proof that the link came from the store's email to the order's
// address, so no lookup limit ever refuses it: otherwise anyone could lock a
// customer out by typing wrong emails for their order number. A missing or wrong
// signature is a guess like a typed lookup: it counts against the same limits and
// answers exactly as a failed lookup does, pre-filled, so the customer can still
// type the email and go on.
func (s *Server) handleStart() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		order, email, sig := q.Get(paths.ParamOrder), q.Get(paths.ParamEmail), q.Get(paths.ParamSig)
		w.Header().Set("Referrer-Policy", "no-referrer")
		if !returns.VerifyLinkSignature(s.cfg.LinkSecret, order, email, sig) {
			// Count the attempt like a lookup, so links cannot be used to guess.
			if ok, wait := s.allowLookup(s.clientIP(r), returns.NormalizeOrderNumber(order)); !ok {
				s.renderRateLimited(w, r, wait, order, email)
				return
			}
			s.renderLookup(w, r, statusLookupFailed, order, email, &lookupFailed)
			return
		}
		s.openOrder(w, r, order, email)
	})
}

// openOrder finds the order, starts a session proving it and sends the customer
// to it; every failure gets the same page. Callers count typed lookups against
// the limits first.
func (s *Server) openOrder(w http.ResponseWriter, r *http.Request, order, email string) {
	o, err := s.customers.LookupOrder(r.Context(), order, email)
	if returns.ErrorCode(err) == returns.ENOTFOUND {
		s.renderLookup(w, r, statusLookupFailed, order, email, &lookupFailed)
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.sessions.setCustomer(w, r, customerSession{OrderID: o.ID, OrderName: o.Name, OrderLocale: o.Locale}); err != nil {
		s.Error(w, r, err)
		return
	}
	if r.FormValue(paths.ParamNext) == nextWithdraw {
		http.Redirect(w, r, paths.WithdrawURL(), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, paths.OrderURL(), http.StatusSeeOther)
}
