package returns

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// WithdrawalRegistration is a statement of withdrawal that reached the store
// by email or post, as staff type it in: the order it is about, found as a
// customer's lookup finds it, and what the statement says.
type WithdrawalRegistration struct {
	// SubmissionKey is made when the form is shown; the same form sent
	// twice registers one withdrawal.
	SubmissionKey string
	OrderNumber   string
	// Email is the customer's address, which must be the order's, as the
	// lookup checks it; the acknowledgement is sent to it.
	Email   string
	Name    string
	Reason  string // optional
	Channel WithdrawalChannel
	// Arrived is the day the email or the letter arrived, as typed
	// ("2006-01-02"), in the store's time zone.
	Arrived string
	// Quantities are the units withdrawn from by line item; none means every
	// unit that can be withdrawn from, the law's default of the whole
	// contract.
	Quantities map[string]int
	// ItemsChosen says staff chose the items on the form (it showed the
	// order's lines): none chosen is then a mistake to point out, not the
	// whole order.
	ItemsChosen bool
}

// registrationOrderNotFound is how a registration's order that the lookup
// does not find is refused: the lookup's one failure, on the order's field.
func registrationOrderNotFound() error {
	return Invalid(map[string]Message{FieldOrder: Msg("No order has this number and email address.")})
}

// WithdrawalToRegister finds the order a statement that arrived by email or
// post is about, as a customer's lookup finds it (the same failure for a
// wrong number or email), and returns the withdrawal function's view of it,
// so that staff can choose the items the statement names.
func (s *CustomerService) WithdrawalToRegister(ctx context.Context, orderNumber, email string) (*CustomerWithdrawal, error) {
	o, err := s.LookupOrder(ctx, orderNumber, email)
	if ErrorCode(err) == ENOTFOUND {
		return nil, registrationOrderNotFound()
	}
	if err != nil {
		return nil, err
	}
	return s.CustomerWithdrawal(ctx, o.ID)
}

// RegisterWithdrawal makes the withdrawal of a statement that arrived by
// email or post, registered by staff member staffID: the same return,
// statement, acknowledgement and record's entry as one made online, made at
// the day it arrived. A day in the future, or after the period, is refused
// with the reason.
func (s *CustomerService) RegisterWithdrawal(ctx context.Context, staffID int64, reg WithdrawalRegistration) (*Return, error) {
	zone := s.storeZone(ctx)
	fields := map[string]Message{}
	if reg.Channel != WithdrawalByEmail && reg.Channel != WithdrawalByPost {
		fields[FieldChannel] = Msg("Choose how the statement arrived: by email or by post.")
	}
	arrived, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(reg.Arrived), zone)
	switch {
	case err != nil:
		fields[FieldArrived] = Msg("Enter the day the statement arrived, e.g. 2026-06-19.")
	case arrived.After(dayIn(s.now(), zone)):
		fields[FieldArrived] = Msg("The day the statement arrived cannot be in the future.")
	}
	if reg.ItemsChosen && len(reg.Quantities) == 0 {
		fields[FieldItems] = Msg("Choose at least one item.")
	}
	if err := Invalid(fields); err != nil {
		return nil, err
	}
	o, err := s.LookupOrder(ctx, reg.OrderNumber, reg.Email)
	if ErrorCode(err) == ENOTFOUND {
		return nil, registrationOrderNotFound()
	}
	if err != nil {
		return nil, err
	}
	if placed := dayIn(o.CreatedAt, zone); arrived.Before(placed) {
		return nil, Invalid(map[string]Message{FieldArrived: Msg("The statement cannot have arrived before the order was placed, on %s.", placed.Format(time.DateOnly))})
	}
	if r, err := s.returns.ReturnBySubmission(ctx, o.ID, reg.SubmissionKey); err == nil {
		return r, nil
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("find earlier registration: %w", err)
	}
	req := WithdrawalRequest{
		SubmissionKey: reg.SubmissionKey, Name: reg.Name, Email: reg.Email, Reason: reg.Reason,
		Quantities: reg.Quantities, Locale: o.Locale,
	}
	if strings.HasPrefix(strings.ToLower(req.Locale), "lv") {
		req.Locale = "lv"
	}
	if len(req.Quantities) == 0 {
		cw, err := s.CustomerWithdrawal(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		req.Quantities = map[string]int{}
		for _, wl := range cw.Lines {
			if wl.Withdrawable > 0 {
				req.Quantities[wl.Line.ID] = wl.Withdrawable
			}
		}
	}
	r, maxUnits, err := s.buildWithdrawal(ctx, o.ID, req, reg.Channel, staffID, arrived)
	if err == ErrWithdrawalPeriodOver {
		cw, cerr := s.CustomerWithdrawal(ctx, o.ID)
		if cerr != nil {
			return nil, cerr
		}
		period := cw.Period
		if !period.Started {
			return nil, Errorf(ECONFLICT, "Nothing of order %s has been fulfilled yet: its withdrawal period has not started.", o.Name)
		}
		return nil, Errorf(ECONFLICT, "The withdrawal period of order %s ended on %s, before the statement arrived on %s.",
			o.Name, period.LastDay.Format("2006-01-02"), arrived.Format("2006-01-02"))
	}
	if err != nil {
		return nil, err
	}
	created, err := s.changes.Create(ctx, r, maxUnits)
	if err != nil {
		return nil, err
	}
	if created {
		s.log.Info("withdrawal registered", "code", r.Code, "order", r.OrderName, "channel", r.Withdrawal.Channel, "staff", staffID)
		s.orders.drop(r.OrderID)
	}
	return r, nil
}

// storeZone is the store's time zone, UTC when it is not known.
func (s *CustomerService) storeZone(ctx context.Context) *time.Location {
	if s.zone != nil {
		if z := s.zone.Location(ctx); z != nil {
			return z
		}
	}
	return time.UTC
}
