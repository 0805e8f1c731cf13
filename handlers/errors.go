package handlers

import (
	"net/http"
	"strconv"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/views"
)

// Error answers a request that failed with err: the status its code maps to and a
// page with the domain message. Anything that is not a domain error is logged and
// shown as an internal error, never with its text.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := returns.ErrorCode(err)
	switch code {
	case returns.ENOTFOUND:
		s.renderError(w, r, http.StatusNotFound, returns.Msg("Not found"), returns.ErrorMessage(err), 0)
	case returns.EINVALID:
		s.renderError(w, r, http.StatusBadRequest, returns.Msg("Something is not right"), returns.ErrorMessage(err), 0)
	case returns.ECONFLICT:
		s.renderError(w, r, http.StatusConflict, returns.Msg("This cannot be done now"), returns.ErrorMessage(err), 0)
	case returns.EUNAVAILABLE:
		s.log.Warn("dependency unavailable", "path", logPath(r), "err", err)
		w.Header().Set("Retry-After", "30")
		msg := returns.Msg("The shop is not answering right now. Nothing was lost: please try again in a minute.")
		if staffFrom(r) != nil {
			// Staff are told which dependency failed (Shopify, say).
			msg = returns.ErrorMessage(err)
		}
		s.renderError(w, r, http.StatusServiceUnavailable, returns.Msg("Please try again shortly"), msg, 0)
	default:
		s.log.Error("internal error", "method", r.Method, "path", logPath(r), "err", err)
		s.renderError(w, r, http.StatusInternalServerError, returns.Msg("Something went wrong"), returns.Msg("Internal error. Please try again; if it keeps happening, contact the shop."), 0)
	}
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, msg returns.Message, retryAfter time.Duration) {
	if staffFrom(r) != nil {
		s.renderAdminError(w, r, status, heading, msg)
		return
	}
	p := views.ErrorPage{Page: s.page(r, heading), Status: status, Heading: heading, Message: msg, RetryAfter: retryAfter}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds()+0.5)))
	}
	s.render(w, r, status, views.ErrorPageView(p))
}

// renderAdminError shows a failed request of a signed-in staff member inside the
// backoffice, with a link back to the return it was about, or to the queue.
func (s *Server) renderAdminError(w http.ResponseWriter, r *http.Request, status int, heading, msg returns.Message) {
	p := views.AdminErrorPage{
		AdminPage: s.adminPage(r, heading),
		Heading:   heading,
		Message:   msg,
	}
	// Behind requireStaff, only the routes of a return name a code.
	if code := r.PathValue("code"); returns.ValidReturnCode(code) && status != http.StatusNotFound {
		p.ReturnCode = code
	}
	s.render(w, r, status, views.AdminErrorPageView(p))
}

func (s *Server) handleNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, returns.Msg("Not found"), returns.Msg("There is no page at this address."), 0)
	})
}
