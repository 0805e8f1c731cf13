package returns_test

import (
	"strconv"
	"testing"

	"github.com/returnsportal/returns"
)

func TestParseMoney(t *testing.T) {
	const (
		bad      = "Enter an amount like 29.00."
		tooLarge = "The amount is too large."
	)
	tests := []struct {
		name     string
		in       string
		currency string
		want     int64  // minor units, when err is ""
		err      string // the message of the EINVALID error
	}{
		{"Whole", "29", "EUR", 2900, ""},
		{"TwoDecimals", "29.00", "EUR", 2900, ""},
		{"OneDecimal", "29.5", "EUR", 2950, ""},
		{"DecimalComma", "29,5", "EUR", 2950, ""},
		{"DecimalCommaTwo", "29,05", "EUR", 2905, ""},
		{"SurroundingSpace", " 29.00 ", "EUR", 2900, ""},
		{"Zero", "0", "EUR", 0, ""}, // parses; refusing a zero refund is the caller's job
		{"LeadingZeros", "007.10", "EUR", 710, ""},
		{"Largest", "10000000000000", "EUR", 1e15, ""},
		{"Negative", "-1", "EUR", 0, bad},
		{"Plus", "+1", "EUR", 0, bad},
		{"ThreeDecimalsEUR", "10.005", "EUR", 0, "Use at most 2 decimal places."},
		{"Letters", "abc", "EUR", 0, bad},
		{"Exponent", "1e3", "EUR", 0, bad},
		{"Empty", "", "EUR", 0, bad},
		{"OnlySpace", "   ", "EUR", 0, bad},
		{"TrailingPoint", "29.", "EUR", 0, bad},
		{"LeadingPoint", ".5", "EUR", 0, bad},
		{"Grouping", "1,000.00", "EUR", 0, bad},
		{"GroupingSpace", "1 000", "EUR", 0, bad},
		{"TwoCommas", "1,0,0", "EUR", 0, bad},
		{"CurrencySymbol", "€29", "EUR", 0, bad},
		{"ArabicIndicDigits", "٢٩", "EUR", 0, bad},
		{"NineteenNines", "9999999999999999999", "EUR", 0, tooLarge},
		{"OverLargest", "10000000000000.01", "EUR", 0, tooLarge},
		{"LongerThan20", "000000000000000000001", "EUR", 0, bad},
		{"JPYWhole", "2900", "JPY", 2900, ""},
		{"JPYNoDecimals", "29.5", "JPY", 0, "Enter a whole amount."},
		{"JPYZeroDecimal", "29.0", "JPY", 0, "Enter a whole amount."},
		{"KWDThree", "1.234", "KWD", 1234, ""},
		{"KWDOne", "1.5", "KWD", 1500, ""},
		{"KWDFour", "1.2345", "KWD", 0, "Use at most 3 decimal places."},
		{"UnknownCurrencyTwoDigits", "1.23", "XYZ", 123, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := returns.ParseMoney(tc.in, tc.currency)
			if tc.err != "" {
				if returns.ErrorCode(err) != returns.EINVALID || returns.ErrorMessage(err).String() != tc.err {
					t.Fatalf("ParseMoney(%q, %s) = %v, %v; want EINVALID %q", tc.in, tc.currency, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMoney(%q, %s) error = %v", tc.in, tc.currency, err)
			}
			if want := (returns.Money{Minor: tc.want, Currency: tc.currency}); got != want {
				t.Errorf("ParseMoney(%q, %s) = %+v, want %+v", tc.in, tc.currency, got, want)
			}
		})
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     int64
		wantErr  bool
	}{
		{"29.0", "EUR", 2900, false},
		{"29.00", "EUR", 2900, false},
		{"29", "EUR", 2900, false},
		{" 29.5 ", "EUR", 2950, false},
		{"-3.5", "EUR", -350, false},
		{"0.125", "EUR", 13, false},   // half rounds up
		{"0.124", "EUR", 12, false},   // below half rounds down
		{"0.1249", "EUR", 12, false},  // only the first dropped digit decides, which is right
		{"-0.125", "EUR", -13, false}, // half away from zero
		{"-0.124", "EUR", -12, false},
		{"0.995", "EUR", 100, false}, // carries into the whole part
		{"9.999", "EUR", 1000, false},
		{".5", "EUR", 50, false},
		{"-0", "EUR", 0, false},
		{"29.5", "JPY", 30, false},
		{"29.4", "JPY", 29, false},
		{"-29.5", "JPY", -30, false},
		{"1.2345", "KWD", 1235, false},
		{"1.23449", "KWD", 1234, false},
		{"1.5", "KWD", 1500, false},
		{"abc", "EUR", 0, true},
		{"1e3", "EUR", 0, true},
		{"+1", "EUR", 0, true},
		{"--1", "EUR", 0, true},
		{"1.2.3", "EUR", 0, true},
		{"1,5", "EUR", 0, true},
		{"99999999999999999999", "EUR", 0, true},
		{"", "EUR", 0, true},
		{"-", "EUR", 0, true},
		{"9223372036854775807.5", "EUR", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.currency+"/"+strconv.Quote(tc.in), func(t *testing.T) {
			got, err := returns.ParseDecimal(tc.in, tc.currency)
			if tc.wantErr {
				// A bad decimal from Shopify is an internal error, never a
				// message for a person.
				if returns.ErrorCode(err) != returns.EINTERNAL {
					t.Fatalf("ParseDecimal(%q) = %+v, %v; want an internal error", tc.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDecimal(%q) error = %v", tc.in, err)
			}
			if want := (returns.Money{Minor: tc.want, Currency: tc.currency}); got != want {
				t.Errorf("ParseDecimal(%q) = %+v, want %+v", tc.in, got, want)
			}
		})
	}
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		m       returns.Money
		decimal string
	}{
		{returns.Money{Minor: 2900, Currency: "EUR"}, "29.00"},
		{returns.Money{Minor: 2950, Currency: "EUR"}, "29.50"},
		{returns.Money{Minor: 5, Currency: "EUR"}, "0.05"},
		{returns.Money{Minor: 50, Currency: "EUR"}, "0.50"},
		{returns.Money{Minor: 0, Currency: "EUR"}, "0.00"},
		{returns.Money{Minor: -350, Currency: "EUR"}, "-3.50"},
		{returns.Money{Minor: -5, Currency: "EUR"}, "-0.05"},
		{returns.Money{Minor: 123456789, Currency: "EUR"}, "1234567.89"},
		{returns.Money{Minor: 29, Currency: "JPY"}, "29"},
		{returns.Money{Minor: -29, Currency: "JPY"}, "-29"},
		{returns.Money{Minor: 0, Currency: "JPY"}, "0"},
		{returns.Money{Minor: 1234, Currency: "KWD"}, "1.234"},
		{returns.Money{Minor: 5, Currency: "KWD"}, "0.005"},
		{returns.Money{Minor: 1e15, Currency: "EUR"}, "10000000000000.00"},
	}
	for _, tc := range tests {
		t.Run(tc.m.Currency+"/"+tc.decimal, func(t *testing.T) {
			if got := tc.m.Decimal(); got != tc.decimal {
				t.Errorf("Decimal() = %q, want %q", got, tc.decimal)
			}
			if got, want := tc.m.String(), tc.decimal+" "+tc.m.Currency; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			// What Decimal writes, ParseDecimal reads back.
			back, err := returns.ParseDecimal(tc.m.Decimal(), tc.m.Currency)
			if err != nil || back != tc.m {
				t.Errorf("ParseDecimal(%q) = %+v, %v; want %+v", tc.m.Decimal(), back, err, tc.m)
			}
			if tc.m.Minor >= 0 {
				back, err := returns.ParseMoney(tc.m.Decimal(), tc.m.Currency)
				if err != nil || back != tc.m {
					t.Errorf("ParseMoney(%q) = %+v, %v; want %+v", tc.m.Decimal(), back, err, tc.m)
				}
			}
		})
	}
}

func TestMoneyTimes(t *testing.T) {
	m := returns.Money{Minor: 1250, Currency: "EUR"}
	if got, want := m.Times(3), (returns.Money{Minor: 3750, Currency: "EUR"}); got != want {
		t.Errorf("Times(3) = %+v, want %+v", got, want)
	}
	if got := m.Times(0); got.Minor != 0 || got.Currency != "EUR" {
		t.Errorf("Times(0) = %+v", got)
	}
}

func TestCurrencyDigits(t *testing.T) {
	for currency, want := range map[string]int{"EUR": 2, "USD": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "": 2} {
		if got := returns.CurrencyDigits(currency); got != want {
			t.Errorf("CurrencyDigits(%q) = %d, want %d", currency, got, want)
		}
	}
}
