package returns_test

import (
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// order1002 is #1002 of the demo store: a scarf and socks, delivered for
// 3.90 by standard delivery.
func order1002() *returns.Order {
	eur := func(n int64) returns.Money { return returns.Money{Minor: n, Currency: "EUR"} }
	return &returns.Order{ID: "gid://shopify/Order/1002", Currency: "EUR", Received: eur(6190), Refunded: eur(0),
		Shipping: eur(390), ShippingRefunded: eur(0), ShippingTitle: "Standard",
		Lines: []returns.LineItem{
			{ID: "L1", Quantity: 1, UnitPrice: eur(4900), Fulfilled: 1},
			{ID: "L2", Quantity: 1, UnitPrice: eur(900), Fulfilled: 1},
		}}
}

func TestDeliveryDue(t *testing.T) {
	all := []returns.Item{{LineItemID: "L1", Quantity: 1}, {LineItemID: "L2", Quantity: 1}}
	tests := []struct {
		name  string
		kind  returns.Kind
		items []returns.Item
		edit  func(*returns.Order, *returns.Settings)
		want  int64
		flags string // P partial, C capped, X excluded
	}{
		{name: "withdrawal of the whole order", kind: returns.KindWithdrawal, items: all, want: 390},
		{name: "partial withdrawal owes no delivery", kind: returns.KindWithdrawal, items: all[:1], want: 0, flags: "P"},
		{name: "a commercial return of everything owes none", kind: returns.KindDissatisfied, items: all, want: 0},
		{name: "capped by the cheapest standard delivery", kind: returns.KindWithdrawal, items: all, want: 250, flags: "C",
			edit: func(o *returns.Order, st *returns.Settings) {
				st.CheapestDeliveryMinor, st.CheapestDeliveryCurrency = 250, "EUR"
			}},
		{name: "a cap in another currency caps nothing", kind: returns.KindWithdrawal, items: all, want: 390,
			edit: func(o *returns.Order, st *returns.Settings) {
				st.CheapestDeliveryMinor, st.CheapestDeliveryCurrency = 250, "USD"
			}},
		{name: "a cap above what was paid changes nothing", kind: returns.KindWithdrawal, items: all, want: 390,
			edit: func(o *returns.Order, st *returns.Settings) {
				st.CheapestDeliveryMinor, st.CheapestDeliveryCurrency = 500, "EUR"
			}},
		{name: "less what was refunded of it already", kind: returns.KindWithdrawal, items: all, want: 90,
			edit: func(o *returns.Order, st *returns.Settings) { o.ShippingRefunded.Minor = 300 }},
		{name: "the rest of an order partly refunded before", kind: returns.KindWithdrawal, items: all[1:], want: 390,
			edit: func(o *returns.Order, st *returns.Settings) { o.Lines[0].Quantity = 0 }},
		{name: "the shipped units while others are still to come owe none", kind: returns.KindWithdrawal, items: all, want: 0, flags: "P",
			edit: func(o *returns.Order, st *returns.Settings) { o.Lines[1].Quantity, o.Lines[1].Fulfilled = 2, 1 }},
		{name: "the shipped units once the store cancelled the rest", kind: returns.KindWithdrawal, items: all, want: 390,
			edit: func(o *returns.Order, st *returns.Settings) { o.Lines[1].Quantity, o.Lines[1].Fulfilled = 1, 2 }},
		{name: "settings that leave delivery out", kind: returns.KindWithdrawal, items: all, want: 0, flags: "X",
			edit: func(o *returns.Order, st *returns.Settings) { st.RefundDelivery = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, st := order1002(), returns.DefaultSettings()
			if tt.edit != nil {
				tt.edit(o, &st)
			}
			r := &returns.Return{Kind: tt.kind, Currency: "EUR", Items: tt.items}
			d := r.DeliveryDue(o, st)
			flags := ""
			for f, on := range map[string]bool{"P": d.Partial, "C": d.Capped, "X": d.Excluded} {
				if on {
					flags += f
				}
			}
			if d.Due.Minor != tt.want || flags != tt.flags || d.Paid.Minor != 390 {
				t.Fatalf("DeliveryDue = %+v (flags %q), want %d (flags %q), paid 3.90", d, flags, tt.want, tt.flags)
			}
		})
	}
}

func TestCheckNewRefund_Delivery(t *testing.T) {
	eur := func(n int64) returns.Money { return returns.Money{Minor: n, Currency: "EUR"} }
	lim := returns.RefundLimits{Return: eur(6190), Paid: eur(6190), Delivery: eur(390)}
	ok := &returns.Refund{ReturnID: 1, Amount: eur(6190), Shipping: eur(390)}
	if err := returns.CheckNewRefund(ok, returns.StatusApproved, nil, lim); err != nil {
		t.Fatalf("items and delivery: %v", err)
	}
	over := &returns.Refund{ReturnID: 1, Amount: eur(6190), Shipping: eur(391)}
	if err := returns.CheckNewRefund(over, returns.StatusApproved, nil, lim); returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("more delivery than owed: %v, want EINVALID", err)
	}
	none := &returns.Refund{ReturnID: 1, Amount: eur(5800), Shipping: eur(100)}
	if err := returns.CheckNewRefund(none, returns.StatusApproved, nil, returns.RefundLimits{Return: eur(5800), Paid: eur(6190)}); returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("delivery on a return that owes none: %v, want EINVALID", err)
	}
}

func TestSettingsAgainstLaw(t *testing.T) {
	st := returns.DefaultSettings()
	// The defaults: a 30-day window, delivery refunded, and a final-sale tag
	// that is not an exempt kind of goods.
	got := returns.SettingsAgainstLaw(st)
	if len(got) != 1 || got[0].Args[0] != "final-sale" {
		t.Fatalf("defaults: %v, want the final-sale tag pointed out", got)
	}
	// The exempt tags are the settings' own: a store that names final-sale
	// as its perishable tag is told nothing.
	named := st
	named.Withdrawal.ExemptPerishableTag = "Final-Sale "
	if got := returns.SettingsAgainstLaw(named); len(got) != 0 {
		t.Fatalf("final-sale named exempt: %v, want nothing", got)
	}
	// A tag the settings no longer name exempt is pointed out.
	cleared := st
	cleared.NonReturnableTag, cleared.Withdrawal.ExemptPerishableTag = "perishable", ""
	if got := returns.SettingsAgainstLaw(cleared); len(got) != 1 || got[0].Args[0] != "perishable" {
		t.Fatalf("perishable no longer exempt: %v, want it pointed out", got)
	}
	st.WindowDays, st.RefundDelivery, st.NonReturnableTag = 10, false, "perishable"
	got = returns.SettingsAgainstLaw(st)
	if len(got) != 2 || got[0].Args[0] != 10 {
		t.Fatalf("10-day window, delivery left out: %v, want both pointed out", got)
	}
}

func TestWithdrawalClockAt(t *testing.T) {
	zone := time.UTC
	// Made on Monday 1 June 2026: the 14th day is Monday 15 June.
	made := time.Date(2026, time.June, 1, 15, 0, 0, 0, zone)
	r := &returns.Return{Kind: returns.KindWithdrawal, Status: returns.StatusApproved, Withdrawal: &returns.WithdrawalStatement{MadeAt: made}}
	c, ok := r.WithdrawalClockAt(time.Date(2026, time.June, 13, 9, 0, 0, 0, zone), zone)
	if !ok || !c.Deadline.Equal(time.Date(2026, time.June, 15, 0, 0, 0, 0, zone)) || c.DaysLeft != 2 || c.Passed || !c.MayWithhold {
		t.Fatalf("two days before: %+v", c)
	}
	if c, _ := r.WithdrawalClockAt(time.Date(2026, time.June, 15, 23, 0, 0, 0, zone), zone); c.Passed {
		t.Fatalf("on the last day: %+v, not passed yet", c)
	}
	if c, _ := r.WithdrawalClockAt(time.Date(2026, time.June, 16, 0, 0, 1, 0, zone), zone); !c.Passed || c.DaysLeft != -1 {
		t.Fatalf("the day after: %+v, want passed", c)
	}
	r.Parcel = &returns.Parcel{}
	if c, _ := r.WithdrawalClockAt(made, zone); c.MayWithhold {
		t.Fatalf("with proof of dispatch: %+v, may not withhold", c)
	}
	if _, ok := (&returns.Return{}).WithdrawalClockAt(made, zone); ok {
		t.Fatal("a return without a statement has a clock")
	}
}
