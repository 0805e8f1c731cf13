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
	WithdrawalToRegister(ctx context.Context, orderNumber, email string) (*returns.CustomerWithdrawal, error)
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
		s.renderWithdrawalRegistration(w, r, http.StatusOK, views.WithdrawalRegistrationPage{SubmissionKey: returns.NewToken()})
	})
}

// renderWithdrawalRegistration shows the registration form p.
func (s *Server) renderWithdrawalRegistration(w http.ResponseWriter, r *http.Request, status int, p views.WithdrawalRegistrationPage) {
	p.AdminPage = s.adminPage(r, returns.Msg("Register a withdrawal"))
	p.Today = s.cfg.Now().In(s.storeZone(r)).Format("2006-01-02")
	s.render(w, r, status, views.WithdrawalRegistrationPageView(p))
}

// handleAdminWithdrawalFind finds the order the form names, as a customer's
// lookup finds it, and shows the form again with its lines to choose from,
// every one that can be withdrawn from chosen in full, and the rest of the
// fields as typed.
func (s *Server) handleAdminWithdrawalFind(w http.ResponseWriter, r *http.Request, registrar WithdrawalRegistrar) {
	f := r.PostForm
	p := views.WithdrawalRegistrationPage{SubmissionKey: f.Get(returns.FieldKey), Form: sentForm(f)}
	if p.SubmissionKey == "" {
		p.SubmissionKey = returns.NewToken()
	}
	cw, err := registrar.WithdrawalToRegister(r.Context(), f.Get(returns.FieldOrder), f.Get(returns.FieldEmail))
	if returns.ErrorCode(err) == returns.EINVALID {
		p.Form = failedForm(err, f)
		s.renderWithdrawalRegistration(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p.Withdrawal, p.ItemsChosen = cw, true
	p.Chosen, p.Quantities = map[string]bool{}, map[string]int{}
	for _, wl := range cw.Lines {
		if wl.Withdrawable > 0 {
			p.Chosen[wl.Line.ID], p.Quantities[wl.Line.ID] = true, wl.Withdrawable
		}
	}
	s.renderWithdrawalRegistration(w, r, http.StatusOK, p)
}

// refusedRegistration shows the form again with the refusal err, nothing
// lost: the order's lines as staff chose them when the form showed them
// (looked up again, as the number or email may have changed), else the
// whole-order default.
func (s *Server) refusedRegistration(w http.ResponseWriter, r *http.Request, registrar WithdrawalRegistrar, status int, reg returns.WithdrawalRegistration, items views.WithdrawalForm, form views.Form) {
	p := views.WithdrawalRegistrationPage{SubmissionKey: reg.SubmissionKey, Form: form,
		ItemsChosen: reg.ItemsChosen, Chosen: items.Chosen, Quantities: items.Quantities}
	if reg.ItemsChosen {
		cw, err := registrar.WithdrawalToRegister(r.Context(), reg.OrderNumber, reg.Email)
		switch returns.ErrorCode(err) {
		case "":
			p.Withdrawal = cw
		case returns.EINVALID:
			// The order is not found: the form says so already, and the
			// chosen items travel on unseen.
		default:
			s.Error(w, r, err)
			return
		}
	}
	s.renderWithdrawalRegistration(w, r, status, p)
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
		if r.PostForm.Get(returns.FieldFindOrder) != "" {
			s.handleAdminWithdrawalFind(w, r, registrar)
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
			// A form that never showed the order's lines (staff who did not
			// find the order, or a tab from before the choice) sends none,
			// which registers the whole order.
			ItemsChosen: f.Get(returns.FieldItemsShown) != "",
		}
		var items views.WithdrawalForm
		var err error
		if reg.ItemsChosen {
			// The same reading of the lines as the customer's statement.
			var chosen returns.WithdrawalRequest
			chosen, items, err = readWithdrawalForm(f)
			reg.Quantities = chosen.Quantities
		}
		var ret *returns.Return
		if err == nil {
			ret, err = registrar.RegisterWithdrawal(r.Context(), staffFrom(r).ID, reg)
		}
		switch code := returns.ErrorCode(err); {
		case code == returns.EINVALID:
			s.refusedRegistration(w, r, registrar, http.StatusUnprocessableEntity, reg, items, failedForm(err, f))
			return
		case code == returns.ECONFLICT:
			// The period: the reason is the form's one message.
			form := failedForm(err, f)
			msg := returns.ErrorMessage(err)
			form.Fields = map[string]returns.Message{returns.FieldArrived: msg}
			s.refusedRegistration(w, r, registrar, http.StatusConflict, reg, items, form)
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
