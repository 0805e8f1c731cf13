package returns

import (
	"context"
	"fmt"
	"time"
)

// StaffWithdrawal is what staff see of a withdrawal on its return's page: the
// statement, its refund clock and the amount due (Consumer Rights Directive,
// Article 13).
type StaffWithdrawal struct {
	Statement WithdrawalStatement
	// Zone is the store's time zone the deadline is counted in.
	Zone  *time.Location
	Clock WithdrawalClock
	// Known is set when the amount due is known: the order was read from
	// Shopify and the return is still to be refunded. Items is what the
	// withdrawn items are worth (as the refund form offers them), Delivery
	// what is owed of the order's delivery, and Due their sum, which the
	// refund form offers.
	Known    bool
	Items    Money
	Delivery WithdrawalDelivery
	Due      Money
}

// addWithdrawal fills v.Withdrawal for a withdrawal, and makes the refund
// form offer its amount due: the items and the delivery owed together, the
// amount RefundService.Refund takes as what the return is worth.
func (s *BackofficeService) addWithdrawal(ctx context.Context, v *StaffReturn) error {
	r := v.Return
	if r.Withdrawal == nil {
		return nil
	}
	zone := storeZone(ctx, s.zone)
	clock, _ := r.WithdrawalClockAt(s.now(), zone)
	w := &StaffWithdrawal{Statement: *r.Withdrawal, Zone: zone, Clock: clock}
	v.Withdrawal = w
	// Without Shopify's figure for the items (it did not answer, or the
	// return is refunded already) the page says nothing of the amount due
	// rather than a part of it.
	if v.Order == nil || v.OrderErr != nil || v.Suggested.Minor <= 0 {
		return nil
	}
	st := DefaultSettings()
	if s.settings != nil {
		var err error
		if st, err = s.settings.Settings(ctx); err != nil {
			return fmt.Errorf("read settings for the delivery due: %w", err)
		}
	}
	w.Known = true
	w.Items = v.Suggested
	w.Delivery = r.DeliveryDue(v.Order, st)
	w.Due = Money{Minor: w.Items.Minor + w.Delivery.Due.Minor, Currency: w.Items.Currency}
	v.Suggested = w.Due
	return nil
}

// storeZone is the store's time zone as zone tells it; UTC when it is nil or
// tells none.
func storeZone(ctx context.Context, zone StoreZone) *time.Location {
	if zone != nil {
		if z := zone.Location(ctx); z != nil {
			return z
		}
	}
	return time.UTC
}
