package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// nextWithdraw is the value of the lookup's ParamNext that brings a customer
// back to the withdrawal function once their order is proven.
const nextWithdraw = "withdraw"

// Withdrawals is the withdrawal function as the HTTP layer takes it
// (CustomerService has it).
type Withdrawals interface {
	CustomerWithdrawal(ctx context.Context, orderID string) (*returns.CustomerWithdrawal, error)
	ReviewWithdrawal(ctx context.Context, orderID string, req returns.WithdrawalRequest) (*returns.Return, error)
	Withdraw(ctx context.Context, orderID string, req returns.WithdrawalRequest) (*returns.Return, error)
}

// handleWithdraw shows the statement of withdrawal's form for the order the
// session proved; without one, the lookup first, which comes back here.
func (s *Server) handleWithdraw() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.withdrawals == nil {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		c := s.sessions.customer(r)
		if c.OrderID == "" {
			http.Redirect(w, r, paths.LookupURL()+"?"+paths.ParamNext+"="+nextWithdraw, http.StatusSeeOther)
			return
		}
		cw, err := s.withdrawals.CustomerWithdrawal(r.Context(), c.OrderID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		// Every item that can be withdrawn from is chosen, in full, by
		// default: the law's default is the whole contract.
		form := views.WithdrawalForm{SubmissionKey: returns.NewToken(), Chosen: map[string]bool{}, Quantities: map[string]int{}}
		for _, wl := range cw.Lines {
			if wl.Withdrawable > 0 {
				form.Chosen[wl.Line.ID], form.Quantities[wl.Line.ID] = true, wl.Withdrawable
			}
		}
		s.renderWithdrawal(w, r, http.StatusOK, cw, form, nil)
	})
}

func (s *Server) renderWithdrawal(w http.ResponseWriter, r *http.Request, status int, cw *returns.CustomerWithdrawal, form views.WithdrawalForm, review *returns.Return) {
	p := views.WithdrawalPage{
		Page:       s.page(r, returns.Msg("Withdraw from the contract")),
		Withdrawal: cw,
		Form:       form,
		Review:     review,
	}
	p.Path = paths.WithdrawURL()
	s.render(w, r, status, views.WithdrawalPageView(p))
}

// handleWithdrawReview takes the statement's form. A valid statement is shown
// in full with the button that confirms it (the separate step Article 11a
// asks for); nothing is stored yet. An invalid one comes back with messages.
func (s *Server) handleWithdrawReview() http.Handler {
	return s.withdrawalStep(func(w http.ResponseWriter, r *http.Request, orderID string, req returns.WithdrawalRequest, form views.WithdrawalForm) error {
		ret, err := s.withdrawals.ReviewWithdrawal(r.Context(), orderID, req)
		if err != nil {
			return err
		}
		cw, err := s.withdrawals.CustomerWithdrawal(r.Context(), orderID)
		if err != nil {
			return err
		}
		s.renderWithdrawal(w, r, http.StatusOK, cw, form, ret)
		return nil
	})
}

// handleWithdrawConfirm makes the confirmed statement and shows its
// acknowledgement on the status page (POST-redirect-GET).
func (s *Server) handleWithdrawConfirm() http.Handler {
	return s.withdrawalStep(func(w http.ResponseWriter, r *http.Request, orderID string, req returns.WithdrawalRequest, form views.WithdrawalForm) error {
		ret, err := s.withdrawals.Withdraw(r.Context(), orderID, req)
		if err != nil {
			return err
		}
		http.Redirect(w, r, paths.ReturnURL(ret.Code), http.StatusSeeOther)
		return nil
	})
}

// withdrawalStep reads the statement's form and runs step; a refusal of the
// statement (invalid, or the period over) shows the form again with it.
func (s *Server) withdrawalStep(step func(http.ResponseWriter, *http.Request, string, returns.WithdrawalRequest, views.WithdrawalForm) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.withdrawals == nil {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		c := s.sessions.customer(r)
		if c.OrderID == "" {
			s.renderError(w, r, http.StatusForbidden, returns.Msg("Your session has ended"), returns.Msg("Please find your order again to continue."), 0)
			return
		}
		req, form, err := readWithdrawalForm(r.PostForm)
		req.Locale = localizer(r).Lang
		if err == nil {
			if err = step(w, r, c.OrderID, req, form); err == nil {
				return
			}
		}
		if code := returns.ErrorCode(err); code != returns.EINVALID && code != returns.ECONFLICT {
			s.Error(w, r, err)
			return
		}
		cw, werr := s.withdrawals.CustomerWithdrawal(r.Context(), c.OrderID)
		if werr != nil {
			s.Error(w, r, werr)
			return
		}
		form.Form = failedForm(err, r.PostForm)
		s.renderWithdrawal(w, r, http.StatusUnprocessableEntity, cw, form, nil)
	})
}

// readWithdrawalForm reads the statement's fields.
func readWithdrawalForm(f url.Values) (returns.WithdrawalRequest, views.WithdrawalForm, error) {
	req := returns.WithdrawalRequest{
		SubmissionKey: f.Get(returns.FieldKey),
		Name:          f.Get(returns.FieldName),
		Email:         f.Get(returns.FieldEmail),
		Reason:        f.Get(returns.FieldWithdrawalReason),
		Quantities:    map[string]int{},
	}
	form := views.WithdrawalForm{SubmissionKey: req.SubmissionKey, Chosen: map[string]bool{}, Quantities: map[string]int{}}
	fields := map[string]returns.Message{}
	lines := f[returns.FieldLine]
	if len(lines) > 250 {
		lines = lines[:251] // the domain refuses more, with its message
	}
	for _, id := range lines {
		form.Chosen[id] = true
		q, err := strconv.Atoi(strings.TrimSpace(f.Get(returns.FieldQuantity(id))))
		if err != nil {
			fields[returns.FieldQuantity(id)] = returns.Msg("Enter a whole number.")
			continue
		}
		req.Quantities[id], form.Quantities[id] = q, q
	}
	return req, form, returns.Invalid(fields)
}

// withdrawalsOf is the withdrawal function of the customers' service, nil
// when it has none (a test's fake): its routes then answer 404.
func withdrawalsOf(c Customers) Withdrawals {
	w, _ := c.(Withdrawals)
	return w
}

// modelWithdrawalForm is the model withdrawal form of Annex I(B) to Directive
// 2011/83/EU, in the Directive's English text, word for word: the store puts
// its name and address where the Directive asks the trader to.
const modelWithdrawalForm = `Model withdrawal form

(complete and return this form only if you wish to withdraw from the contract)

— To %s:

— I/We (*) hereby give notice that I/We (*) withdraw from my/our (*) contract of sale of the following goods (*)/for the provision of the following service (*),

— Ordered on (*)/received on (*),

— Name of consumer(s),

— Address of consumer(s),

— Signature of consumer(s) (only if this form is notified on paper),

— Date

(*) Delete as appropriate.
`

// modelWithdrawalFormLV is the same form in Latvian, as the Directive's
// Latvian text words it (Annex I(B); Cabinet Regulation No. 255 of 2014
// uses the same text in its annex), with the trader's part filled alike.
const modelWithdrawalFormLV = `Atteikuma veidlapas paraugs

(aizpildiet un nosūtiet atpakaļ šo veidlapu tikai tad, ja vēlaties atteikties no līguma)

— Kam: %s:

— Es/mēs (*) ar šo paziņoju/paziņojam (*), ka es/mēs (*) atsakos/atsakāmies (*) no līguma par šādu preču pirkumu (*)/par šāda pakalpojuma sniegšanu (*),

— Pasūtīts (*)/saņemts (*),

— Patērētāja(-u) vārds, uzvārds,

— Patērētāja(-u) adrese,

— Patērētāja(-u) paraksts (tikai tad, ja šo veidlapu iesniedz papīra formā),

— Datums

(*) Nevajadzīgo svītrot.
`

// handleWithdrawalForm serves the model withdrawal form as plain text, to
// download and send by email or post, with the store's name, return address
// and contact address filled in where the trader's belong.
func (s *Server) handleWithdrawalForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := s.settings.Settings(r.Context())
		if err != nil {
			s.Error(w, r, err)
			return
		}
		// The form is in the language of the page that links to it.
		lang, form, file := "en", modelWithdrawalForm, "withdrawal-form.txt"
		if r.URL.Query().Get(paths.ParamLang) == "lv" {
			lang, form, file = "lv", modelWithdrawalFormLV, "atteikuma-veidlapa.txt"
		}
		id := s.storeIdentity(r)
		trader := strings.Join(strings.Fields(st.Address(lang)), " ")
		if id.Name != "" {
			trader = id.Name + ", " + trader
		}
		if id.ContactEmail != "" {
			trader += ", " + id.ContactEmail
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
		w.Header().Set("Content-Language", lang)
		fmt.Fprintf(w, form, trader)
	})
}

// keepWithdrawalSettings fills the settings of the right of withdrawal from
// the settings form, keeping the ones in effect for each field it did not
// send (a tab from before they existed), so that saving other settings never
// resets them.
func (s *Server) keepWithdrawalSettings(r *http.Request, f url.Values, st *returns.Settings) error {
	current, err := s.settings.Settings(r.Context())
	if err != nil {
		return err
	}
	w := current.Withdrawal
	for name, to := range map[string]*string{
		returns.FieldWithdrawalLinkEN: &w.LinkEN, returns.FieldWithdrawalLinkLV: &w.LinkLV,
		returns.FieldExemptCustomMadeTag: &w.ExemptCustomMadeTag, returns.FieldExemptPerishableTag: &w.ExemptPerishableTag,
		returns.FieldExemptSealedHygieneTag: &w.ExemptSealedHygieneTag, returns.FieldNotInformedTag: &w.NotInformedTag,
	} {
		if v, sent := f[name]; sent {
			*to = v[0]
		}
	}
	if v, sent := f[returns.FieldDeliveryDays]; sent {
		if w.DeliveryDays, err = strconv.Atoi(strings.TrimSpace(v[0])); err != nil {
			w.DeliveryDays = -1 // refused by the validation, with its message
		}
	}
	st.Withdrawal = w
	// A checkbox is sent only when ticked, so the refund of the delivery
	// reads as off only on a form that shows it, which the cheapest
	// delivery's field (always sent) tells apart from an older tab.
	cheapest, sent := f[returns.FieldCheapestDelivery]
	if !sent {
		st.RefundDelivery, st.CheapestDeliveryMinor, st.CheapestDeliveryCurrency = current.RefundDelivery, current.CheapestDeliveryMinor, current.CheapestDeliveryCurrency
		return nil
	}
	st.RefundDelivery = f.Get(returns.FieldRefundDelivery) != ""
	st.CheapestDeliveryMinor, st.CheapestDeliveryCurrency = 0, ""
	if typed := strings.TrimSpace(cheapest[0]); typed != "" {
		st.CheapestDeliveryCurrency = s.storeCurrency(r)
		price, err := returns.ParseMoney(typed, st.CheapestDeliveryCurrency)
		if err != nil {
			price.Minor = -1 // refused by the validation, with its message
		}
		st.CheapestDeliveryMinor = price.Minor
	}
	return nil
}

// storeCurrency is the shop's currency, in which staff type prices that are
// not of one order.
func (s *Server) storeCurrency(r *http.Request) string {
	if s.autoApproval == nil {
		return "EUR"
	}
	return s.autoApproval.NewRuleCurrency(r.Context())
}
