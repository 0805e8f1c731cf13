package returns_test

import (
	"testing"

	"github.com/returnsportal/returns"
)

func TestReturnTotal(t *testing.T) {
	r := returns.Return{Currency: "EUR", Items: []returns.Item{
		{LineItemID: "L1", Quantity: 2, UnitPrice: eur(1200)},
		{LineItemID: "L2", Quantity: 1, UnitPrice: eur(3900)},
	}}
	if got := r.Total(); got != eur(6300) {
		t.Errorf("Total() = %v, want 63.00 EUR", got)
	}
	if got := (&returns.Return{Currency: "USD"}).Total(); got != (returns.Money{Currency: "USD"}) {
		t.Errorf("Total() of no items = %v, want zero in the return's currency", got)
	}
}

func TestStaffActor(t *testing.T) {
	if got := returns.StaffActor(42); got != "staff:42" {
		t.Errorf("StaffActor(42) = %q", got)
	}
}
