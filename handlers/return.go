package handlers

import (
	"net/http"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// handleReturn shows a return's status page. Opened with ?t=<access token> from an
// email, it trades the token for a session and redirects to the clean URL, so the
// token does not stay in the address bar, the history or a Referer.
func (s *Server) handleReturn() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		if token := r.URL.Query().Get(paths.ParamToken); token != "" {
			w.Header().Set("Referrer-Policy", "no-referrer")
			s.tradeToken(w, r, code, token)
			return
		}
		c := s.sessions.customer(r)
		// The one read every view needs: whether the session may see the
		// return, and its version.
		version, err := s.customers.CustomerReturnVersion(r.Context(), c.OrderID, code)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		settings, err := s.settings.Settings(r.Context())
		if err != nil {
			s.Error(w, r, err)
			return
		}
		l := localizer(r)
		// The page shows the store's identity too, whose revision moves
		// with the settings'.
		revision := settings.Revision
		if s.identity != nil {
			revision = s.storeIdentity(r).Revision
		}
		if body, ok := s.statusPages.get(code, l.Lang, version, revision); ok {
			s.writePage(w, http.StatusOK, body)
			return
		}
		ret, events, err := s.customers.CustomerReturn(r.Context(), c.OrderID, code)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		body, err := s.renderBytes(r, views.ReturnPageView(s.returnPage(r, ret, events, settings)))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		// Kept under the version read with the return, before its timeline:
		// were the return changed in between, the page shows more than that
		// version, and the next view renders it again.
		s.statusPages.put(ret.Code, l.Lang, ret.Version, revision, body)
		s.writePage(w, http.StatusOK, body)
	})
}

// returnPage is the status page of ret for r, as kept and served again.
func (s *Server) returnPage(r *http.Request, ret *returns.Return, events []returns.Event, settings returns.Settings) views.ReturnPage {
	page := s.page(r, returns.Msg("Return %s", ret.Code))
	// The page is the same for every request that gets it from the cache,
	// so its address (for the language switch) leaves out whatever else
	// the query held.
	page.Path = paths.ReturnURL(ret.Code)
	return views.ReturnPage{
		Page:          page,
		Return:        ret,
		Events:        events,
		ReturnAddress: settings.Address(localizer(r).Lang),
		Instructions:  settings.Instructions(localizer(r).Lang),
		CanCancel:     ret.Status.CanMoveTo(returns.StatusCancelled),
		OrderLink:     true,
	}
}

// handleReturnParcel records the parcel a customer sent the items back in.
// A form with mistakes comes back on the status page with them (422), which
// is not kept: the kept page is the one without them.
func (s *Server) handleReturnParcel() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.sessions.customer(r)
		code := r.PathValue("code")
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		f := r.PostForm
		_, err := s.customers.SendParcel(r.Context(), c.OrderID, code, returns.ShipmentInput{
			Carrier: f.Get(returns.FieldCarrier), CarrierName: f.Get(returns.FieldCarrierName),
			Number: f.Get(returns.FieldNumber), TrackingURL: f.Get(returns.FieldTrackingURL),
		})
		if len(returns.ErrorFields(err)) > 0 {
			ret, events, rerr := s.customers.CustomerReturn(r.Context(), c.OrderID, code)
			if rerr != nil {
				s.Error(w, r, rerr)
				return
			}
			settings, rerr := s.settings.Settings(r.Context())
			if rerr != nil {
				s.Error(w, r, rerr)
				return
			}
			p := s.returnPage(r, ret, events, settings)
			p.ParcelForm = failedForm(err, f)
			s.render(w, r, http.StatusUnprocessableEntity, views.ReturnPageView(p))
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.ReturnURL(code), http.StatusSeeOther)
	})
}

func (s *Server) tradeToken(w http.ResponseWriter, r *http.Request, code, token string) {
	ret, err := s.customers.ReturnByToken(r.Context(), token)
	if err != nil || ret.Code != code {
		s.Error(w, r, returns.Errorf(returns.ENOTFOUND, "We could not find that return."))
		return
	}
	if err := s.sessions.setCustomer(w, r, customerSession{OrderID: ret.OrderID, OrderName: ret.OrderName, OrderLocale: ret.Locale}); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, paths.ReturnURL(ret.Code), http.StatusSeeOther)
}

// handleReturnConfirmation is shown right after a return was submitted.
func (s *Server) handleReturnConfirmation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.sessions.customer(r)
		ret, _, err := s.customers.CustomerReturn(r.Context(), c.OrderID, r.PathValue("code"))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		settings, err := s.settings.Settings(r.Context())
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p := views.ConfirmationPage{
			Page:          s.page(r, returns.Msg("Return %s requested", ret.Code)),
			Return:        ret,
			ReturnAddress: settings.Address(localizer(r).Lang),
			Instructions:  settings.Instructions(localizer(r).Lang),
		}
		s.render(w, r, http.StatusOK, views.ConfirmationPageView(p))
	})
}

// handleReturnCancelAsk asks the customer whether they mean to cancel the
// return: the second step of cancelling, a page of its own so that it works
// without JavaScript. A return that can no longer be cancelled sends them to
// its status page.
func (s *Server) handleReturnCancelAsk() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.sessions.customer(r)
		ret, _, err := s.customers.CustomerReturn(r.Context(), c.OrderID, r.PathValue("code"))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if !ret.Status.CanMoveTo(returns.StatusCancelled) {
			http.Redirect(w, r, paths.ReturnURL(ret.Code), http.StatusSeeOther)
			return
		}
		p := views.CancelPage{Page: s.page(r, returns.Msg("Cancel return %s?", ret.Code)), Return: ret}
		s.render(w, r, http.StatusOK, views.CancelPageView(p))
	})
}

// handleReturnCancel cancels a return that is still requested, when the form
// says the customer confirmed it; a form without the confirmation (an old
// status page's one-click form) is asked first.
func (s *Server) handleReturnCancel() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The form is read with the portal's cap on bodies, before anything
		// else: Go's own limits would take 32 MB of a multipart body.
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		c := s.sessions.customer(r)
		code := r.PathValue("code")
		if r.PostForm.Get(returns.FieldConfirm) != "yes" {
			http.Redirect(w, r, paths.ReturnCancelURL(code), http.StatusSeeOther)
			return
		}
		if err := s.customers.CancelReturn(r.Context(), c.OrderID, code); err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.ReturnURL(code), http.StatusSeeOther)
	})
}

// handleReturnPhoto serves a damage photo to the session that proved its order.
func (s *Server) handleReturnPhoto() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.sessions.customer(r)
		id, err := photoID(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p, err := s.customers.ReturnPhoto(r.Context(), c.OrderID, r.PathValue("code"), id)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		servePhoto(w, p, id, "private, max-age=3600")
	})
}
