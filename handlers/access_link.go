package handlers

import (
	"net/http"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// The one-time links to an order, emailed to the order's address: the way in
// that no stranger can block. A customer asks for one at POST /link (from the
// page of a rate-limited lookup, or from every lookup when the store requires
// it); the email's link lands on GET /link?t=…, whose button posts to
// /link/open, which uses the link and proves the order as a lookup does.

// handleAccessLinkForm shows the form that asks for a link (GET /link without a
// token), or, for the link from an email, the button that opens the order.
func (s *Server) handleAccessLink() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !q.Has(paths.ParamToken) {
			s.renderAccessLinkForm(w, r, http.StatusOK, q.Get(paths.ParamOrder), q.Get(paths.ParamEmail))
			return
		}
		// The token is in the address: it must not travel on in a Referer.
		w.Header().Set("Referrer-Policy", "no-referrer")
		token := q.Get(paths.ParamToken)
		err := s.links.AccessLinkOpens(r.Context(), token)
		if returns.ErrorCode(err) == returns.ENOTFOUND {
			s.renderAccessLinkGone(w, r, err)
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p := views.AccessLinkOpenPage{Page: s.page(r, returns.Msg("Open your order")), Token: token}
		// The language switch keeps the token, so that switching does not
		// lose the link.
		p.Path = paths.AccessLinkTokenURL(token)
		s.render(w, r, http.StatusOK, views.AccessLinkOpenPageView(p))
	})
}

// handleAccessLinkOpen uses a link and starts a session proving its order, as a
// lookup does. A used or expired link gets the page that offers a new one.
func (s *Server) handleAccessLinkOpen() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		l, err := s.links.UseAccessLink(r.Context(), r.PostForm.Get(paths.ParamToken))
		if returns.ErrorCode(err) == returns.ENOTFOUND {
			s.renderAccessLinkGone(w, r, err)
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if err := s.sessions.setCustomer(w, r, customerSession{OrderID: l.OrderID, OrderName: l.OrderName, OrderLocale: l.Locale}); err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.OrderURL(), http.StatusSeeOther)
	})
}

// handleAccessLinkRequest asks for a link to an order (POST /link).
func (s *Server) handleAccessLinkRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.renderAccessLinkForm(w, r, http.StatusBadRequest, "", "")
			return
		}
		s.requestAccessLink(w, r, r.PostForm.Get(returns.FieldOrder), r.PostForm.Get(returns.FieldEmail))
	})
}

// requestAccessLink emails a link to the order's address when email is that
// address, and answers with the same page and status whether or not it is. The
// requests of one client address are bounded like its lookups, under their own
// counts, so that a limited lookup still leaves the way by email open; being
// about the asker, that refusal tells nothing about the order.
func (s *Server) requestAccessLink(w http.ResponseWriter, r *http.Request, order, email string) {
	if ok, wait := s.allowAccessLinkRequest(s.clientIP(r)); !ok {
		s.log.Warn("access link requests rate limited", "ip", s.clientIP(r))
		s.renderError(w, r, http.StatusTooManyRequests, returns.Msg("Too many attempts"),
			returns.Msg("You have asked for links too many times. Please wait a little and try again."), wait)
		return
	}
	if err := s.links.RequestAccessLink(r.Context(), order, email, localizer(r).Lang); err != nil {
		s.Error(w, r, err)
		return
	}
	p := views.AccessLinkSentPage{Page: s.page(r, returns.Msg("Check your email"))}
	// The same page whichever form was sent (the lookup form asks for links
	// too when the store requires them).
	p.Path = paths.AccessLinkURL()
	s.render(w, r, http.StatusOK, views.AccessLinkSentPageView(p))
}

// renderAccessLinkForm shows the form that asks for an emailed link.
func (s *Server) renderAccessLinkForm(w http.ResponseWriter, r *http.Request, status int, order, email string) {
	p := views.LookupPage{
		Page:      s.page(r, returns.Msg("Find your order")),
		Form:      lookupForm(order, email, nil),
		EmailLink: true,
	}
	s.render(w, r, status, views.LookupPageView(p))
}

// renderAccessLinkGone answers a link that does not open an order (err says so)
// with 410 and the form to ask for a new one.
func (s *Server) renderAccessLinkGone(w http.ResponseWriter, r *http.Request, err error) {
	p := views.AccessLinkGonePage{
		Page:    s.page(r, returns.Msg("This link does not work any more")),
		Message: returns.ErrorMessage(err),
	}
	p.Path = paths.AccessLinkURL()
	s.render(w, r, http.StatusGone, views.AccessLinkGonePageView(p))
}

// renderRateLimited answers a refused lookup: the lookup page, saying so, whose
// form now asks for a link emailed to the order's address, pre-filled with what
// was typed. It is the same for every order number and email.
func (s *Server) renderRateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration, order, email string) {
	s.log.Warn("lookup rate limited", "ip", s.clientIP(r))
	if wait > 0 {
		w.Header().Set("Retry-After", itoa(int64(wait.Seconds()+0.5)))
	}
	p := views.LookupPage{
		Page:       s.page(r, returns.Msg("Too many attempts")),
		Form:       lookupForm(order, email, nil),
		Limited:    true,
		RetryAfter: wait,
	}
	s.render(w, r, http.StatusTooManyRequests, views.LookupPageView(p))
}
