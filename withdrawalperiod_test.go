package returns_test

import (
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// TestWithdrawalPeriodOf: the period runs 14 days from delivery of the last
// item, in the store's zone: Shopify's delivery date where every fulfilment
// has one, else the fulfilment plus the setting's days; 12 months longer for
// an order tagged as not informed. While any unit (gift cards aside) is not
// fulfilled, the last item has not arrived: the period is open with no last
// day yet, before any delivery too (Directive 2011/83/EU, Article 9(2)(b)
// and 9(3)).
func TestWithdrawalPeriodOf(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	policy := returns.DefaultWithdrawalSettings().Policy() // 3 days after fulfilment
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, riga) }
	line := func(at time.Time, delivered bool) returns.LineItem {
		return returns.LineItem{ID: "l", Quantity: 1, Fulfilled: 1, FulfilledAt: at, Delivered: delivered}
	}
	// The split order: line A delivered on 1 October, line B (two units)
	// shipped as the edit says.
	split := func(b returns.LineItem) returns.Order {
		b.ID, b.Quantity = "b", 2
		return returns.Order{Lines: []returns.LineItem{line(time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC), true), b}}
	}
	for _, tc := range []struct {
		name                    string
		order                   returns.Order
		started, pending, known bool
		lastDay                 time.Time
	}{
		{"DeliveredKnown", returns.Order{Lines: []returns.LineItem{line(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), true)}},
			true, false, true, day(2026, 11, 16)},
		{"DeliveredLateEveningUTCIsNextDayInRiga", returns.Order{Lines: []returns.LineItem{line(time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC), true)}},
			true, false, true, day(2026, 11, 16)},
		// Fulfilled 30 October, taken to arrive 2 November: 16 November.
		{"DeliveryUnknown", returns.Order{Lines: []returns.LineItem{line(time.Date(2026, 10, 30, 10, 0, 0, 0, time.UTC), false)}},
			true, false, false, day(2026, 11, 16)},
		// The last of a split delivery counts: 4 November + 14 = 18
		// November, Proclamation Day, so the 19th.
		{"SplitDeliveryLastItem", returns.Order{Lines: []returns.LineItem{
			line(time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC), true),
			{ID: "m", Quantity: 1, Fulfilled: 1, FulfilledAt: time.Date(2026, 11, 4, 10, 0, 0, 0, time.UTC), Delivered: true},
		}}, true, false, true, day(2026, 11, 19)},
		// A arrived on 1 October, B is not shipped: the period does not
		// close on 15 October, it waits for B.
		{"SplitDeliveryRestNotShipped", split(returns.LineItem{}), true, true, false, time.Time{}},
		// One unit of B shipped, one not: still waiting.
		{"SplitDeliveryRestPartlyShipped", split(returns.LineItem{Fulfilled: 1, FulfilledAt: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC), Delivered: true}),
			true, true, false, time.Time{}},
		// B arrives on 20 November: 4 December, a Friday.
		{"SplitDeliveryRestArrives", split(returns.LineItem{Fulfilled: 2, FulfilledAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Delivered: true}),
			true, false, true, day(2026, 12, 4)},
		// B delivered on 10 December: 14 days end on Thursday 24 December,
		// Christmas Eve, a Latvian public holiday, as are the 25th and
		// 26th, then a Sunday: the last day moves to Monday 28 December.
		{"LastDayMovedOffHolidays", split(returns.LineItem{Fulfilled: 2, FulfilledAt: time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC), Delivered: true}),
			true, false, true, day(2026, 12, 28)},
		{"NotInformed", returns.Order{Tags: []string{"Withdrawal-Not-Informed"}, Lines: []returns.LineItem{line(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), true)}},
			true, false, true, day(2027, 11, 16)},
		// Nothing shipped: the consumer may withdraw before the goods arrive.
		{"NothingShipped", returns.Order{Lines: []returns.LineItem{{ID: "l", Quantity: 1}}}, false, true, false, time.Time{}},
		// A gift card is not delivered goods: it keeps nothing open.
		{"GiftCardNotFulfilled", returns.Order{Lines: []returns.LineItem{
			line(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), true), {ID: "g", Quantity: 1, GiftCard: true},
		}}, true, false, true, day(2026, 11, 16)},
		// Units removed from the order (current quantity 0) are not awaited.
		{"RemovedUnitsNotAwaited", returns.Order{Lines: []returns.LineItem{
			line(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), true), {ID: "gone", Quantity: 0},
		}}, true, false, true, day(2026, 11, 16)},
		// A cancelled order will not be delivered: nothing keeps it open.
		{"CancelledNothingShipped", returns.Order{CancelledAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), Lines: []returns.LineItem{{ID: "l", Quantity: 1}}},
			false, false, false, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := returns.WithdrawalPeriodOf(&tc.order, policy, riga)
			if p.Started != tc.started || p.Pending != tc.pending || p.DeliveryKnown != tc.known || !p.LastDay.Equal(tc.lastDay) {
				t.Errorf("period = started %v, pending %v, known %v, last day %v; want %v, %v, %v, %v",
					p.Started, p.Pending, p.DeliveryKnown, p.LastDay, tc.started, tc.pending, tc.known, tc.lastDay)
			}
			switch {
			case tc.pending:
				// Open long after the first delivery: in November, and a
				// year on, as nothing closes it before the last item.
				for _, at := range []time.Time{day(2026, 10, 16), day(2026, 11, 20), day(2027, 11, 20)} {
					if !p.Open(at) {
						t.Errorf("closed on %s while an item is still to come", at.Format(time.DateOnly))
					}
				}
			case tc.started:
				if !p.Open(tc.lastDay.Add(23 * time.Hour)) {
					t.Errorf("closed during its last day")
				}
				if p.Open(tc.lastDay.AddDate(0, 0, 1)) {
					t.Errorf("open the day after its last day")
				}
			default:
				if p.Open(day(2026, 11, 3)) {
					t.Errorf("open with nothing delivered nor to come")
				}
			}
		})
	}
}

// TestWithdrawalLines: goods tagged as exempt by law are explained and cannot
// be withdrawn from; a final-sale tag is not an exemption in law.
func TestWithdrawalLines(t *testing.T) {
	policy := returns.DefaultWithdrawalSettings().Policy()
	o := &returns.Order{Lines: []returns.LineItem{
		{ID: "scarf", Quantity: 1, Fulfilled: 1},
		{ID: "socks", Quantity: 2, Fulfilled: 2, ProductTags: []string{"final-sale"}},
		{ID: "portrait", Quantity: 1, Fulfilled: 1, ProductTags: []string{"Custom-Made"}},
		{ID: "cheese", Quantity: 1, Fulfilled: 1, ProductTags: []string{"perishable"}},
		{ID: "earrings", Quantity: 1, Fulfilled: 1, ProductTags: []string{"sealed-hygiene"}},
		{ID: "lamp", Quantity: 1},
		{ID: "bulbs", Quantity: 3, Fulfilled: 1},
	}}
	got := returns.WithdrawalLines(o, policy, map[string]int{"socks": 1})
	want := []struct {
		n      int
		exempt returns.Exemption
		reason returns.Ineligible
	}{
		{1, "", ""}, {1, "", ""}, {0, returns.ExemptCustomMade, ""}, {0, returns.ExemptPerishable, ""},
		{0, returns.ExemptSealedHygiene, ""}, {0, "", returns.IneligibleNotFulfilled}, {1, "", ""},
	}
	for i, w := range want {
		if got[i].Withdrawable != w.n || got[i].Exempt != w.exempt || got[i].Reason != w.reason {
			t.Errorf("%s: %d, %q, %q; want %d, %q, %q", got[i].Line.ID, got[i].Withdrawable, got[i].Exempt, got[i].Reason, w.n, w.exempt, w.reason)
		}
	}
	// Units not shipped are counted, for the page to say how to withdraw
	// from them; exempt goods not shipped are not withdrawable at all.
	for i, want := range []int{0, 0, 0, 0, 0, 1, 2} {
		if got[i].Unshipped != want {
			t.Errorf("%s: %d units unshipped, want %d", got[i].Line.ID, got[i].Unshipped, want)
		}
	}
}
