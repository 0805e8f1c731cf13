package handlers

import (
	"context"
	"net/http"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// WithdrawalRegistrar registers statements of withdrawal that reached the
// store by email or post (CustomerService has it).
type WithdrawalRegistrar interface {
	RegisterWithdrawal(ctx context.Context, staffID int64, reg returns.WithdrawalRegistration) (*returns.Return, error)
}

// registrarOf is the registrar of c, nil when it has none.
func registrarOf(c Customers) WithdrawalRegistrar {
	w, _ := c.(WithdrawalRegistrar)
	return w
}

// handleAdminWithdrawalNewForm shows the empty registration form, with the
// key that makes sending it twice register one withdrawal.
func (s *Server) handleAdminWithdrawalNewForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if registrarOf(s.customers) == nil {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		s.renderWithdrawalRegistration(w, r, http.StatusOK, returns.NewToken(), views.Form{})
	})
}

func (s *Server) renderWithdrawalRegistration(w http.ResponseWriter, r *http.Request, status int, key string, form views.Form) {
	p := views.WithdrawalRegistrationPage{
		AdminPage:     s.adminPage(r, returns.Msg("Register a withdrawal")),
		Form:          form,
		SubmissionKey: key,
		Today:         s.cfg.Now().In(s.storeZone(r)).Format("2006-01-02"),
	}
	s.render(w, r, status, views.WithdrawalRegistrationPageView(p))
}

// handleAdminWithdrawalNew registers the statement and shows its return; a
// refused one comes back with the reason (POST-redirect-GET otherwise).
func (s *Server) handleAdminWithdrawalNew() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		registrar := registrarOf(s.customers)
		if registrar == nil {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		f := r.PostForm
		reg := returns.WithdrawalRegistration{
			SubmissionKey: f.Get(returns.FieldKey),
			OrderNumber:   f.Get(returns.FieldOrder),
			Email:         f.Get(returns.FieldEmail),
			Name:          f.Get(returns.FieldName),
			Reason:        f.Get(returns.FieldWithdrawalReason),
			Channel:       returns.WithdrawalChannel(f.Get(returns.FieldChannel)),
			Arrived:       f.Get(returns.FieldArrived),
		}
		ret, err := registrar.RegisterWithdrawal(r.Context(), staffFrom(r).ID, reg)
		switch code := returns.ErrorCode(err); {
		case code == returns.EINVALID:
			s.renderWithdrawalRegistration(w, r, http.StatusUnprocessableEntity, reg.SubmissionKey, failedForm(err, f))
			return
		case code == returns.ECONFLICT:
			// The period: the reason is the form's one message.
			form := failedForm(err, f)
			msg := returns.ErrorMessage(err)
			form.Fields = map[string]returns.Message{returns.FieldArrived: msg}
			s.renderWithdrawalRegistration(w, r, http.StatusConflict, reg.SubmissionKey, form)
			return
		case err != nil:
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminReturnURL(ret.Code), "withdrawal-registered"), http.StatusSeeOther)
	})
}

// storeZone is the store's time zone, UTC when it is not known.
func (s *Server) storeZone(r *http.Request) *time.Location {
	if loc := s.storeIdentity(r).Location; loc != nil {
		return loc
	}
	return time.UTC
}
