package returns

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// WithdrawalReminderDays is how many days before a withdrawal's refund
// deadline staff are reminded of it.
const WithdrawalReminderDays = 2

// WithdrawalReminderStore finds the withdrawals to remind staff of and
// records each reminder with its email.
type WithdrawalReminderStore interface {
	// WithdrawalsToRemind returns up to limit withdrawals still to refund
	// (OpenStatuses) whose refund deadline is on or before dueBy
	// ("YYYY-MM-DD") and whose reminder was not queued yet, soonest first.
	WithdrawalsToRemind(ctx context.Context, dueBy string, limit int) ([]Return, error)
	// QueueWithdrawalReminder records that the reminder of the withdrawal of
	// return returnID was queued at at, and queues email (nil for none: no
	// staff address) in the same transaction; false when it was recorded
	// already, and nothing is queued.
	QueueWithdrawalReminder(ctx context.Context, returnID int64, at time.Time, email *OutboxMessage) (bool, error)
}

// WithdrawalReminders emails the store's staff two days before a
// withdrawal's refund deadline expires, once per withdrawal, while it is not
// refunded.
type WithdrawalReminders struct {
	store     WithdrawalReminderStore
	mailer    *Mailer
	shop      Shop
	suggester RefundSuggester
	settings  SettingsReader
	zone      StoreZone
	now       func() time.Time
	log       *slog.Logger
}

// WithdrawalReminderDeps are what WithdrawalReminders use: Shop and
// Suggester tell the amount due as the refund form offers it.
type WithdrawalReminderDeps struct {
	Store     WithdrawalReminderStore
	Mailer    *Mailer
	Shop      Shop
	Suggester RefundSuggester
	Settings  SettingsReader
	Zone      StoreZone
	Now       func() time.Time
	Log       *slog.Logger
}

// NewWithdrawalReminders returns the reminder pass.
func NewWithdrawalReminders(d WithdrawalReminderDeps) *WithdrawalReminders {
	return &WithdrawalReminders{store: d.Store, mailer: d.Mailer, shop: d.Shop, suggester: d.Suggester,
		settings: d.Settings, zone: d.Zone, now: d.Now, log: d.Log}
}

// remindBatch bounds one pass; the next pass takes the rest.
const remindBatch = 50

// Remind queues the reminder of every withdrawal whose refund deadline is at
// most two days away (or passed without one, after the portal was down) and
// returns how many it queued. A withdrawal whose amount due Shopify does not
// tell now is left to the next pass.
func (s *WithdrawalReminders) Remind(ctx context.Context) (int, error) {
	now := s.now()
	zone := storeZone(ctx, s.zone)
	dueBy := dayIn(now, zone).AddDate(0, 0, WithdrawalReminderDays).Format(time.DateOnly)
	rs, err := s.store.WithdrawalsToRemind(ctx, dueBy, remindBatch)
	if err != nil {
		return 0, fmt.Errorf("find withdrawals to remind of: %w", err)
	}
	queued := 0
	for i := range rs {
		r := &rs[i]
		w, err := s.amountDue(ctx, r, now, zone)
		if err != nil {
			s.log.Warn("withdrawal reminder: the amount due is not known yet; trying again later", "code", r.Code, "err", err)
			continue
		}
		email, err := s.mailer.StaffWithdrawalDeadline(ctx, r, w)
		if err != nil {
			return queued, fmt.Errorf("render the reminder of %s: %w", r.Code, err)
		}
		done, err := s.store.QueueWithdrawalReminder(ctx, r.ID, now, email)
		if err != nil {
			return queued, fmt.Errorf("queue the reminder of %s: %w", r.Code, err)
		}
		if done && email != nil {
			queued++
			s.mailer.Queued([]OutboxMessage{*email})
			s.log.Info("withdrawal reminder queued", "code", r.Code, "deadline", w.Clock.Deadline.Format(time.DateOnly))
		}
	}
	return queued, nil
}

// amountDue tells r's refund clock and what it owes now, as the refund form
// offers it: what Shopify suggests for the items plus the delivery owed.
func (s *WithdrawalReminders) amountDue(ctx context.Context, r *Return, now time.Time, zone *time.Location) (*StaffWithdrawal, error) {
	clock, _ := r.WithdrawalClockAt(now, zone)
	w := &StaffWithdrawal{Statement: *r.Withdrawal, Zone: zone, Clock: clock}
	o, err := s.shop.Order(ctx, r.OrderID)
	if err != nil {
		return nil, fmt.Errorf("read order: %w", err)
	}
	suggested, err := s.suggester.SuggestRefund(ctx, r.OrderID, r.Items)
	if err != nil {
		return nil, fmt.Errorf("value of the withdrawn items: %w", err)
	}
	st := DefaultSettings()
	if s.settings != nil {
		if st, err = s.settings.Settings(ctx); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
	}
	w.Known = true
	w.Items = r.RefundOffer(suggested)
	w.Delivery = r.DeliveryDue(o, st)
	w.Due = Money{Minor: w.Items.Minor + w.Delivery.Due.Minor, Currency: w.Items.Currency}
	return w, nil
}

// Run reminds every interval until ctx ends.
func (s *WithdrawalReminders) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Remind(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("withdrawal reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
