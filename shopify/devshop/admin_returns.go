package devshop

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// The merchant's actions on returns and payments, as staff take them in
// Shopify admin, for tests and demos: Go methods, and POSTs of the
// inspection API (admin.go):
//
//	POST /_devshop/returns/{id}/approve        {}
//	POST /_devshop/returns/{id}/decline        {"reason":"FINAL_SALE","note":"…"}
//	POST /_devshop/returns/{id}/process        a MerchantProcess
//	POST /_devshop/returns/{id}/close          {}
//	POST /_devshop/transactions/{id}/settle    {"status":"SUCCESS"} or FAILURE
//
// {id} is the numeric id of the return or transaction (the last part of
// its GID). Each action goes through the same function as the GraphQL
// mutation, so it checks and answers alike and fires the same webhooks:
// Shopify fires returns/* whoever changes a return. The answer is the
// return as ReturnSnapshot (the transaction as TransactionSnapshot); a
// refusal is 422 with the userErrors' messages, an unknown id 404. Staff in
// admin see every order, whatever the app's token may see.

// MerchantProcess is what staff confirm when they process a return in
// admin: the units that came back, what was done with them, and the refund.
type MerchantProcess struct {
	Lines []MerchantProcessLine `json:"lines"`
	// Refund, when set, refunds the processed units.
	Refund *MerchantReturnRefund `json:"refund"`
	Note   string                `json:"note"`
}

// MerchantProcessLine is a return line item's processed units.
type MerchantProcessLine struct {
	// ReturnLineItem is the line's GID or numeric id.
	ReturnLineItem string `json:"return_line_item_id"`
	Quantity       int    `json:"quantity"`
	// Disposition is what was done with all of them: RESTOCKED (at
	// Location), NOT_RESTOCKED, PROCESSING_REQUIRED or MISSING; "" records
	// them as processed without one.
	Disposition string `json:"disposition"`
	// Location is the location's GID or numeric id; "" for the primary
	// location when restocked.
	Location string `json:"location_id"`
}

// MerchantReturnRefund is the refund of a processed return.
type MerchantReturnRefund struct {
	// Suggested refunds what the processed units cost, split over the
	// order's payments as suggestedRefund suggests (gift cards first).
	Suggested bool `json:"suggested"`
	// Transactions are amounts back to given payments (GID or numeric id
	// of the SALE), when not Suggested.
	Transactions []MerchantRefundTransaction `json:"transactions"`
	// StoreCredit is an amount issued as store credit, e.g. "5.00".
	StoreCredit        string `json:"store_credit"`
	AllowOverRefunding bool   `json:"allow_over_refunding"`
}

// MerchantRefundTransaction is an amount back to one payment.
type MerchantRefundTransaction struct {
	Parent string `json:"parent_id"`
	Amount string `json:"amount"`
}

// errNoReturn is the error of an action on a return that does not exist.
var errNoReturn = errors.New("no such return")

// adminReturn finds a return of any order by GID or numeric id. The caller
// holds s.mu.
func (s *Shop) adminReturn(id string) *orderReturn {
	n, ok := parseGID("Return", id)
	if !ok {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil
		}
		n = v
	}
	for _, o := range s.orders {
		for _, r := range o.returns {
			if r.id == n {
				return r
			}
		}
	}
	return nil
}

// asGID turns a numeric id into a GID of typ; a GID stays as it is.
func asGID(typ, id string) string {
	if id == "" || strings.HasPrefix(id, "gid://") {
		return id
	}
	return "gid://shopify/" + typ + "/" + id
}

// returnAction runs act on the return with the given id and answers its
// snapshot, or the userErrors as one error.
func (s *Shop) returnAction(id string, act func(r *orderReturn) []returnUserError) (ReturnSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.adminReturn(id)
	if r == nil {
		return ReturnSnapshot{}, errNoReturn
	}
	if errs := act(r); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.message
		}
		return ReturnSnapshot{}, errors.New(strings.Join(msgs, "; "))
	}
	return r.snapshot(), nil
}

// ApproveReturn approves a requested return (GID or numeric id) as staff
// do in admin; returns/approve follows.
func (s *Shop) ApproveReturn(id string) (ReturnSnapshot, error) {
	return s.returnAction(id, s.approveReturn)
}

// DeclineReturn declines a requested return with a ReturnDeclineReason
// (RETURN_PERIOD_ENDED, FINAL_SALE, OTHER) and a note; returns/decline
// follows.
func (s *Shop) DeclineReturn(id, reason, note string) (ReturnSnapshot, error) {
	return s.returnAction(id, func(r *orderReturn) []returnUserError { return s.declineReturn(r, reason, note) })
}

// CloseReturn closes an open return; returns/close follows.
func (s *Shop) CloseReturn(id string) (ReturnSnapshot, error) {
	return s.returnAction(id, s.closeReturn)
}

// ProcessReturn processes an open return as staff do in admin: the units,
// their dispositions, and a refund. returns/process follows, and with a
// refund refunds/create and orders/updated.
func (s *Shop) ProcessReturn(id string, in MerchantProcess) (ReturnSnapshot, error) {
	return s.returnAction(id, func(r *orderReturn) []returnUserError {
		var p processInput
		p.note = in.Note
		var subtotal int64
		for _, l := range in.Lines {
			pl := processLine{returnLineID: asGID("ReturnLineItem", l.ReturnLineItem), quantity: l.Quantity}
			if l.Disposition != "" {
				loc := asGID("Location", l.Location)
				if loc == "" && l.Disposition == "RESTOCKED" {
					loc = s.locations[0].gid()
				}
				pl.dispositions = []processDisposition{{quantity: l.Quantity, typ: l.Disposition, locationID: loc}}
			}
			if line := r.line(pl.returnLineID); line != nil {
				subtotal += line.fl.line.unitPrice * int64(max(l.Quantity, 0))
			}
			p.lines = append(p.lines, pl)
		}
		if rf := in.Refund; rf != nil {
			p.refund = &processRefund{allowOver: rf.AllowOverRefunding}
			o := r.order
			if rf.Suggested {
				left := min(subtotal, o.refundable())
				for _, t := range o.paymentsForRefund() {
					if take := min(left, t.refundable()); take > 0 {
						p.refund.transactions = append(p.refund.transactions, refundMovementInput{parentID: t.gid(),
							amount: moneyInput{amount: money{minor: take, currency: o.presentment}.fixed()}})
						left -= take
					}
				}
			}
			for _, t := range rf.Transactions {
				p.refund.transactions = append(p.refund.transactions, refundMovementInput{parentID: asGID("OrderTransaction", t.Parent),
					amount: moneyInput{amount: t.Amount}})
			}
			if rf.StoreCredit != "" {
				p.refund.storeCredit = []moneyInput{{amount: rf.StoreCredit, currency: o.presentment, at: []any{"refund", "store_credit"}}}
			}
		}
		_, errs := s.processReturn(r, p)
		return errs
	})
}

// adminReturnRoutes adds the actions' routes to the inspection API.
func (s *Shop) adminReturnRoutes(mux *http.ServeMux) {
	answer := func(w http.ResponseWriter, v any, err error) {
		switch {
		case errors.Is(err, errNoReturn), errors.Is(err, errNoTransaction):
			writeAdminError(w, http.StatusNotFound, err.Error())
		case err != nil:
			writeAdminError(w, http.StatusUnprocessableEntity, err.Error())
		default:
			writeAdminJSON(w, http.StatusOK, v)
		}
	}
	mux.HandleFunc("POST /_devshop/returns/{id}/approve", func(w http.ResponseWriter, r *http.Request) {
		if readAdminJSON(w, r, &struct{}{}) {
			snap, err := s.ApproveReturn(r.PathValue("id"))
			answer(w, snap, err)
		}
	})
	mux.HandleFunc("POST /_devshop/returns/{id}/decline", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Reason, Note string }
		if readAdminJSON(w, r, &in) {
			snap, err := s.DeclineReturn(r.PathValue("id"), in.Reason, in.Note)
			answer(w, snap, err)
		}
	})
	mux.HandleFunc("POST /_devshop/returns/{id}/process", func(w http.ResponseWriter, r *http.Request) {
		var in MerchantProcess
		if readAdminJSON(w, r, &in) {
			snap, err := s.ProcessReturn(r.PathValue("id"), in)
			answer(w, snap, err)
		}
	})
	mux.HandleFunc("POST /_devshop/returns/{id}/close", func(w http.ResponseWriter, r *http.Request) {
		if readAdminJSON(w, r, &struct{}{}) {
			snap, err := s.CloseReturn(r.PathValue("id"))
			answer(w, snap, err)
		}
	})
	mux.HandleFunc("POST /_devshop/transactions/{id}/settle", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Status string }
		if readAdminJSON(w, r, &in) {
			snap, err := s.SettleTransaction(r.PathValue("id"), in.Status)
			answer(w, snap, err)
		}
	})
}
