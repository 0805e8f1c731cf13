package returns

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CustomerWithdrawal is what a customer sees on the withdrawal function of an
// order they proved: its period, each line and whether it can be withdrawn
// from, and whether the store's own return window is still open to a
// commercial return once the period is over.
type CustomerWithdrawal struct {
	Order    *Order
	Period   WithdrawalPeriod
	Lines    []WithdrawalLine
	Settings Settings
	// Open says a statement made now is within the period.
	Open bool
	// CommercialOpen says the store's own policy still takes items of the
	// order back (the return form), for when Open is false.
	CommercialOpen bool
	// Zone is the store's time zone the period is counted in.
	Zone *time.Location
}

// AnyWithdrawable reports whether at least one unit can be withdrawn from.
func (cw *CustomerWithdrawal) AnyWithdrawable() bool {
	for _, l := range cw.Lines {
		if l.Withdrawable > 0 {
			return true
		}
	}
	return false
}

// AnyUnshipped reports whether some unit the customer may withdraw from is
// not shipped yet, which the function does not take (WithdrawalLine.Unshipped).
func (cw *CustomerWithdrawal) AnyUnshipped() bool {
	for _, l := range cw.Lines {
		if l.Unshipped > 0 {
			return true
		}
	}
	return false
}

// WithdrawalRequest is a customer's statement of withdrawal as the form
// sends it.
type WithdrawalRequest struct {
	// SubmissionKey is made when the form is shown; the same statement
	// confirmed twice makes one withdrawal.
	SubmissionKey string
	Name          string
	Email         string
	Reason        string         // optional
	Quantities    map[string]int // line item id → units withdrawn from
	Locale        string
}

// Limits of a statement.
const MaxNameRunes = 200

// CustomerWithdrawal returns the withdrawal function's view of the order a
// customer proved.
func (s *CustomerService) CustomerWithdrawal(ctx context.Context, orderID string) (*CustomerWithdrawal, error) {
	co, err := s.CustomerOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	return s.customerWithdrawal(ctx, co), nil
}

func (s *CustomerService) customerWithdrawal(ctx context.Context, co *CustomerOrder) *CustomerWithdrawal {
	zone := time.UTC
	if s.zone != nil {
		if z := s.zone.Location(ctx); z != nil {
			zone = z
		}
	}
	policy := co.Settings.Withdrawal.Policy()
	period := WithdrawalPeriodOf(co.Order, policy, zone)
	return &CustomerWithdrawal{
		Order:          co.Order,
		Period:         period,
		Lines:          WithdrawalLines(co.Order, policy, HeldUnits(co.Returns)),
		Settings:       co.Settings,
		Open:           period.Open(s.now()),
		CommercialOpen: AnyReturnable(co.Lines),
		Zone:           zone,
	}
}

// ErrWithdrawalPeriodOver refuses a statement made after the period.
var ErrWithdrawalPeriodOver = Errorf(ECONFLICT, "The withdrawal period of this order is over.")

// ReviewWithdrawal checks a statement against the order read fresh from
// Shopify and returns the withdrawal it would make, unsaved, for the
// customer to confirm.
func (s *CustomerService) ReviewWithdrawal(ctx context.Context, orderID string, req WithdrawalRequest) (*Return, error) {
	r, _, err := s.buildWithdrawal(ctx, orderID, req, WithdrawalOnline, 0, time.Time{})
	return r, err
}

// Withdraw makes a customer's confirmed statement of withdrawal: the return
// of the items withdrawn from, approved by being made, with the statement,
// its acknowledgement on the outbox and the record's entry, all committed
// together through Changes. The same confirmation sent twice gives the
// withdrawal it made.
func (s *CustomerService) Withdraw(ctx context.Context, orderID string, req WithdrawalRequest) (*Return, error) {
	if r, err := s.returns.ReturnBySubmission(ctx, orderID, req.SubmissionKey); err == nil {
		return r, nil
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("find earlier statement: %w", err)
	}
	r, maxUnits, err := s.buildWithdrawal(ctx, orderID, req, WithdrawalOnline, 0, time.Time{})
	if err != nil {
		return nil, err
	}
	created, err := s.changes.Create(ctx, r, maxUnits)
	if err != nil {
		return nil, err
	}
	if created {
		s.log.Info("withdrawal made", "code", r.Code, "order", r.OrderName, "items", len(r.Items))
		s.orders.drop(r.OrderID)
	}
	return r, nil
}

// buildWithdrawal checks req against the order and its period and returns the
// return it makes, with the units each line may hold at most. madeAt zero is
// now; a statement registered by staff (channel email or post) gives the day
// it arrived, and the period is checked at that day.
func (s *CustomerService) buildWithdrawal(ctx context.Context, orderID string, req WithdrawalRequest, channel WithdrawalChannel, staffID int64, madeAt time.Time) (*Return, map[string]int, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	o, err := s.shop.Order(ctx, orderID)
	if err != nil {
		return nil, nil, fmt.Errorf("read order: %w", err)
	}
	s.orders.put(o, s.now())
	co, err := s.customerOrder(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	cw := s.customerWithdrawal(ctx, co)
	if madeAt.IsZero() {
		madeAt = s.now()
	}
	if !cw.Period.Open(madeAt) {
		return nil, nil, ErrWithdrawalPeriodOver
	}
	r := &Return{
		SubmissionKey: req.SubmissionKey,
		Code:          NewReturnCode(),
		OrderID:       o.ID,
		OrderName:     o.Name,
		Email:         orderEmail(o),
		Locale:        req.Locale,
		Kind:          KindWithdrawal,
		Resolution:    ResolutionRefund,
		Note:          req.Reason,
		Status:        StatusRequested,
		Currency:      o.Currency,
		CreatedAt:     s.now(),
		UpdatedAt:     s.now(),
		Withdrawal: &WithdrawalStatement{
			Name: req.Name, Email: req.Email, Reason: req.Reason, Channel: channel,
			MadeAt: madeAt, RegisteredBy: staffID, RefundDue: WithdrawalRefundDeadline(madeAt, cw.Zone),
		},
	}
	choosable := make([]choosableLine, len(cw.Lines))
	for i, wl := range cw.Lines {
		choosable[i] = choosableLine{Line: wl.Line, Units: wl.Withdrawable}
	}
	fields := map[string]Message{}
	var maxUnits map[string]int
	r.Items, maxUnits = chooseItems(o, choosable, req.Quantities, Msg("This item cannot be withdrawn from."), fields)
	if err := Invalid(fields); err != nil {
		return nil, nil, err
	}
	if err := s.shopReturns.checkReturnable(ctx, r, co.Returns); err != nil {
		return nil, nil, err
	}
	return r, maxUnits, nil
}

// validate checks what the statement says by itself.
func (req *WithdrawalRequest) validate() error {
	req.Name = strings.TrimSpace(CleanText(req.Name))
	req.Reason = CleanText(req.Reason)
	fields := map[string]Message{}
	if len(req.SubmissionKey) < 16 || len(req.SubmissionKey) > 64 {
		fields[FieldForm] = Msg("This form has expired. Please open it again.")
	}
	if req.Name == "" {
		fields[FieldName] = Msg("Enter your name.")
	} else if m := checkText(req.Name, MaxNameRunes); m != nil || strings.Contains(req.Name, "\n") {
		fields[FieldName] = Msg("Enter your name on one line, up to %d characters.", MaxNameRunes)
	}
	if e := NormalizeEmail(req.Email); e == "" {
		fields[FieldEmail] = Msg("Enter a valid email address.")
	} else {
		req.Email = e
	}
	if m := checkText(req.Reason, MaxNoteRunes); m != nil {
		fields[FieldWithdrawalReason] = *m
	}
	if len(req.Quantities) == 0 {
		fields[FieldItems] = Msg("Choose at least one item.")
	}
	if len(req.Quantities) > 250 {
		fields[FieldItems] = Msg("Too many items.")
	}
	if req.Locale != "lv" {
		req.Locale = "en"
	}
	return Invalid(fields)
}
