package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// refundRouteTimeout is how long the refund and reconcile routes may take to
// answer: a refund's own Shopify call may last returns.RefundTimeout, and the
// order read before it, the write-back after it (bounded at 15 s) and the page
// need the minute on top. The server's WriteTimeout is shorter.
const refundRouteTimeout = returns.RefundTimeout + time.Minute

// withRefundDeadline gives a route that waits for a refund its own write
// deadline, so that staff get the page, not a reset connection, when the
// refund takes longer than the server's WriteTimeout (it goes on either way).
// The read deadline needs no change: net/http clears it once the form is read
// (connReader.startBackgroundRead), so ReadTimeout does not cut the request
// short.
func withRefundDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A writer without deadlines (a test recorder) keeps the server's.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(refundRouteTimeout))
		next.ServeHTTP(w, r)
	})
}

// handleAdminReturn shows one return with the actions its status allows.
func (s *Server) handleAdminReturn() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderAdminReturn(w, r, http.StatusOK, r.PathValue("code"), "", views.Form{})
	})
}

// renderAdminReturn shows a return to staff; failed names the action whose
// form comes back with form's values and messages ("" for none).
func (s *Server) renderAdminReturn(w http.ResponseWriter, r *http.Request, status int, code string, failed paths.Action, form views.Form) {
	v, err := s.backoffice.StaffReturnView(r.Context(), code)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	code = v.Return.Code
	p := views.AdminReturnPage{
		AdminPage: s.adminPage(r, returns.Msg("Return %s", code)),
		View:      v,
		Actions:   allowedActions(v.Return, s.replacements != nil && s.replacements.MakesOrders()),
		Failed:    failed,
		Form:      form,
	}
	if ro := v.Return.Replacement; ro != nil && ro.State == returns.ReplacementFailed && s.replacements != nil {
		// Shopify refused the replacement order: staff may choose other
		// variants. Without them the page still offers a refund.
		if vs, err := s.replacements.LineVariants(r.Context(), code); err == nil {
			p.Variants = vs
		} else {
			s.log.Warn("read the variants a replacement could be", "code", code, "err", err)
		}
	}
	s.render(w, r, status, views.AdminReturnPageView(p))
}

// actionMoves maps the actions that change a return's status to the status
// they move it to.
var actionMoves = map[paths.Action]returns.Status{
	paths.ActionApprove: returns.StatusApproved,
	paths.ActionDecline: returns.StatusDeclined,
	paths.ActionReceive: returns.StatusItemReceived,
	paths.ActionRefund:  returns.StatusRefunded,
	paths.ActionShip:    returns.StatusReplacementShipped,
	paths.ActionClose:   returns.StatusClosed,
}

// allowedActions are the actions a return offers, in page order: those whose
// move its status allows, and a note at any time. A replacement request
// offers no refund until staff switch it to one on purpose, and a replacement
// order (when the portal makes them, replacementOrders) until one was made.
// A refund request is not shipped a replacement.
func allowedActions(r *returns.Return, replacementOrders bool) []paths.Action {
	st := r.Status
	replacement := r.Resolution == returns.ResolutionReplacement
	var out []paths.Action
	for _, a := range paths.ReturnActions {
		ok := true
		switch a {
		case paths.ActionRefund:
			ok = !replacement && st.CanMoveTo(returns.StatusRefunded)
		case paths.ActionShip:
			ok = replacement && r.Kind != returns.KindWithdrawal && !r.Replacement.Live() && st.CanMoveTo(returns.StatusReplacementShipped)
		case paths.ActionReplacementOrder:
			ok = replacementOrders && replacement && st == returns.StatusApproved &&
				(r.Replacement == nil || r.Replacement.State != returns.ReplacementOrdered)
		case paths.ActionSwitchToRefund:
			ok = replacement && (st == returns.StatusRequested || st == returns.StatusApproved) && !r.Replacement.Live()
		default:
			if to, moves := actionMoves[a]; moves {
				ok = st.CanMoveTo(to)
			}
		}
		if ok {
			out = append(out, a)
		}
	}
	return out
}

// adminAction is a maker of the handler of one action on a return: it reads the
// form, runs do, and redirects to the return with a confirmation, or shows the
// return again with the form's messages.
func (s *Server) adminAction(action paths.Action, done string, do func(r *http.Request, st *returns.Staff, code string) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		code := r.PathValue("code")
		flash, err := do(r, staffFrom(r), code)
		if flash == "" {
			flash = done
		}
		switch returns.ErrorCode(err) {
		case "":
			http.Redirect(w, r, paths.WithDone(paths.AdminReturnURL(code), flash), http.StatusSeeOther)
		case returns.EINVALID, returns.ECONFLICT:
			status := http.StatusUnprocessableEntity
			if returns.ErrorCode(err) == returns.ECONFLICT {
				status = http.StatusConflict
			}
			s.renderAdminReturn(w, r, status, code, action, failedForm(err, r.PostForm))
		default:
			s.Error(w, r, err)
		}
	})
}

func (s *Server) handleAdminApprove() http.Handler {
	return s.adminAction(paths.ActionApprove, "approved", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		return "", s.backoffice.Approve(r.Context(), st.ID, code, r.PostForm.Get(returns.FieldMessage))
	})
}

func (s *Server) handleAdminDecline() http.Handler {
	return s.adminAction(paths.ActionDecline, "declined", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		return "", s.backoffice.Decline(r.Context(), st.ID, code, r.PostForm.Get(returns.FieldReason))
	})
}

func (s *Server) handleAdminReceive() http.Handler {
	return s.adminAction(paths.ActionReceive, "received", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		return "", s.backoffice.MarkReceived(r.Context(), st.ID, code)
	})
}

func (s *Server) handleAdminClose() http.Handler {
	return s.adminAction(paths.ActionClose, "closed", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		return "", s.backoffice.Close(r.Context(), st.ID, code)
	})
}

func (s *Server) handleAdminNote() http.Handler {
	return s.adminAction(paths.ActionNote, "noted", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		return "", s.backoffice.AddNote(r.Context(), st.ID, code, r.PostForm.Get(returns.FieldNote))
	})
}

func (s *Server) handleAdminShip() http.Handler {
	return s.adminAction(paths.ActionShip, "shipped", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		f := r.PostForm
		_, err := s.backoffice.ShipReplacement(r.Context(), st.ID, code, returns.ShipmentInput{
			Carrier: f.Get(returns.FieldCarrier), CarrierName: f.Get(returns.FieldCarrierName),
			Number: f.Get(returns.FieldNumber), TrackingURL: f.Get(returns.FieldTrackingURL),
		})
		return "", err
	})
}

// handleAdminReplacementOrder makes the replacement order in Shopify, with
// the variants staff chose instead of unavailable ones.
func (s *Server) handleAdminReplacementOrder() http.Handler {
	return s.adminAction(paths.ActionReplacementOrder, "replacement-ordered", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		if s.replacements == nil || !s.replacements.MakesOrders() {
			return "", errNoReplacementOrders
		}
		variants := map[string]string{}
		for name, vs := range r.PostForm {
			if line, ok := strings.CutPrefix(name, returns.FieldVariantPrefix); ok && len(vs) == 1 && vs[0] != "" {
				variants[line] = vs[0]
			}
		}
		_, err := s.replacements.CreateOrder(r.Context(), st.ID, code, variants)
		return "", err
	})
}

// handleAdminSwitchToRefund makes a replacement request a refund request,
// with the reason the customer is told.
func (s *Server) handleAdminSwitchToRefund() http.Handler {
	return s.adminAction(paths.ActionSwitchToRefund, "switched-to-refund", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		if s.replacements == nil {
			return "", errSwitchUnavailable
		}
		return "", s.replacements.SwitchToRefund(r.Context(), st.ID, code, r.PostForm.Get(returns.FieldSwitchReason))
	})
}

// errNoReplacementOrders answers the forms of replacement orders on a portal
// that makes none (they are not offered there).
var errNoReplacementOrders = returns.Errorf(returns.ECONFLICT, "This portal does not make replacement orders in Shopify: record the shipment by hand.")

// errSwitchUnavailable answers a switch to a refund on a portal wired
// without the replacement service (tests of other things).
var errSwitchUnavailable = returns.Errorf(returns.ECONFLICT, "A replacement request cannot be switched to a refund here.")

// handleAdminRefund makes a refund through Shopify. The form carries the
// idempotency key made when it was shown, so a double submit makes one refund.
func (s *Server) handleAdminRefund() http.Handler {
	return withRefundDeadline(s.adminAction(paths.ActionRefund, "refunded", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		f := r.PostForm
		restock := map[string]bool{}
		for _, line := range f[returns.FieldRestock] {
			restock[line] = true
		}
		ref, err := s.refunds.Refund(r.Context(), st.ID, code, returns.RefundInput{
			Key: f.Get(returns.FieldKey), Amount: f.Get(returns.FieldAmount), Raise: f.Get(returns.FieldRaise) == "on", RaiseReason: f.Get(returns.FieldRaiseReason),
			RestockShown: f.Get(returns.FieldRestockShown) != "", Restock: restock,
			StoreCredit:   f.Get(returns.FieldRefundMethod) == string(returns.RefundAsStoreCredit),
			PartialReason: f.Get(returns.FieldPartialReason),
		})
		if returns.ErrorCode(err) == returns.EUNKNOWN {
			return "refund-unknown", nil
		}
		if err != nil {
			return "", err
		}
		switch ref.State {
		case returns.RefundPending:
			return "refund-pending", nil
		case returns.RefundUnknown:
			return "refund-unknown", nil
		case returns.RefundFailed:
			return "", returns.Invalid(map[string]returns.Message{"amount": returns.Msg("Shopify refused the refund: %s", ref.Error)})
		}
		switch {
		case ref.Payout.State == returns.PayoutPending:
			return "refund-awaiting", nil
		case ref.Payout.State == returns.PayoutFailed:
			return "refund-payout-failed", nil
		case ref.ToPayByStaff():
			return "refund-to-pay", nil
		}
		return "", nil
	}))
}

// handleAdminReconcile asks Shopify now about a refund whose outcome is unknown.
func (s *Server) handleAdminReconcile() http.Handler {
	return withRefundDeadline(s.adminAction(paths.ActionReconcile, "reconciled", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		id, err := strconv.ParseInt(r.PathValue("refund"), 10, 64)
		if err != nil {
			return "", returns.Errorf(returns.ENOTFOUND, "No such refund.")
		}
		_, err = s.refunds.ReconcileRefund(r.Context(), code, id)
		if returns.ErrorCode(err) == returns.EUNKNOWN {
			return "refund-unknown", nil
		}
		return "", err
	}))
}

// handleAdminManualPaid records that staff paid the customer the part of a
// refund that went through a manual payment method.
func (s *Server) handleAdminManualPaid() http.Handler {
	return s.adminAction(paths.ActionManualPaid, "manual-paid", func(r *http.Request, st *returns.Staff, code string) (string, error) {
		id, err := strconv.ParseInt(r.PathValue("refund"), 10, 64)
		if err != nil {
			return "", returns.Errorf(returns.ENOTFOUND, "No such refund.")
		}
		return "", s.refunds.ConfirmManualPaid(r.Context(), st.ID, code, id)
	})
}

// handleAdminPhoto serves a damage photo to staff, full size.
func (s *Server) handleAdminPhoto() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := photoID(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p, err := s.backoffice.StaffPhoto(r.Context(), r.PathValue("code"), id)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		// Like every staff answer, never kept: a shared computer's cache must
		// not hold a customer's photo after sign-out.
		servePhoto(w, p, id, "no-store")
	})
}
