package returns_test

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

func TestPayoutOf(t *testing.T) {
	eur := func(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }
	tx := func(status, gateway string, minor int64, manual bool) returns.ShopRefundTransaction {
		return returns.ShopRefundTransaction{Kind: "REFUND", Status: status, Gateway: gateway, Amount: eur(minor), Manual: manual, ErrorCode: "GENERIC_ERROR"}
	}
	tests := []struct {
		name   string
		txs    []returns.ShopRefundTransaction
		state  returns.Payout
		manual int64
		err    string
	}{
		{"card and gift card sent", []returns.ShopRefundTransaction{tx("SUCCESS", "gift_card", 2000, false), tx("SUCCESS", "shopify_payments", 4000, false)}, returns.PayoutSent, 0, ""},
		{"cash on delivery is for staff", []returns.ShopRefundTransaction{tx("SUCCESS", "Cash on Delivery (COD)", 2400, true)}, returns.PayoutSent, 2400, ""},
		{"one pending keeps it pending", []returns.ShopRefundTransaction{tx("SUCCESS", "gift_card", 2000, false), tx("PENDING", "bogus", 4000, false)}, returns.PayoutPending, 0, ""},
		{"pending before failed", []returns.ShopRefundTransaction{tx("FAILURE", "bogus", 100, false), tx("PENDING", "bogus", 4000, false)}, returns.PayoutPending, 0, ""},
		{"failed says what failed", []returns.ShopRefundTransaction{tx("FAILURE", "bogus", 4900, false)}, returns.PayoutFailed, 0, "49.00 EUR of this refund through bogus failed at the payment provider (GENERIC_ERROR)"},
		{"a sale is not the refund's", []returns.ShopRefundTransaction{{Kind: "SALE", Status: "PENDING", Amount: eur(100)}}, returns.PayoutSent, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := returns.PayoutOf(tt.txs, "EUR")
			if p.State != tt.state || p.Manual.Minor != tt.manual || !strings.Contains(p.Error, tt.err) || (tt.err == "") != (p.Error == "") {
				t.Errorf("PayoutOf = %+v, want state %q, manual %d, error with %q", p, tt.state, tt.manual, tt.err)
			}
		})
	}
}
