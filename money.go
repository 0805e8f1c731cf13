package returns

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount in minor units (cents) of an ISO 4217 currency. Never a float.
type Money struct {
	Minor    int64
	Currency string
}

// currencyDigits lists the ISO 4217 currencies whose minor unit is not 2 digits.
var currencyDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// CurrencyDigits returns the number of minor-unit digits of an ISO currency code.
func CurrencyDigits(currency string) int {
	if d, ok := currencyDigits[strings.ToUpper(currency)]; ok {
		return d
	}
	return 2
}

// ParseMoney parses a decimal amount such as "29", "29.5" or "29.00" in the given
// currency. It accepts a comma as the decimal separator too ("29,00"), refuses signs,
// exponents, grouping and more fraction digits than the currency has.
func ParseMoney(s, currency string) (Money, error) {
	s = strings.TrimSpace(s)
	digits := CurrencyDigits(currency)
	bad := Errorf(EINVALID, "Enter an amount like 29.00.")
	if s == "" || len(s) > 20 {
		return Money{}, bad
	}
	s = strings.Replace(s, ",", ".", 1)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || !allDigits(frac))) {
		return Money{}, bad
	}
	if len(frac) > digits {
		if digits == 0 {
			return Money{}, Errorf(EINVALID, "Enter a whole amount.")
		}
		return Money{}, Errorf(EINVALID, "Use at most %d decimal places.", digits)
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > 1e15 {
		return Money{}, Errorf(EINVALID, "The amount is too large.")
	}
	return Money{Minor: n, Currency: currency}, nil
}

// ParseDecimal parses a Shopify Decimal string ("29.0", "29.00", "-3.5") into minor
// units, rounding half away from zero past the currency's digits. Its errors are
// internal: the text comes from Shopify, not from a person.
func ParseDecimal(s, currency string) (Money, error) {
	in := s
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return Money{}, fmt.Errorf("invalid decimal %q", in)
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || (frac != "" && !allDigits(frac)) {
		return Money{}, fmt.Errorf("invalid decimal %q", in)
	}
	digits := CurrencyDigits(currency)
	roundUp := false
	if len(frac) > digits {
		roundUp = frac[digits] >= '5'
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || (roundUp && n == math.MaxInt64) {
		return Money{}, fmt.Errorf("invalid decimal %q", in)
	}
	if roundUp {
		n++
	}
	if neg {
		n = -n
	}
	return Money{Minor: n, Currency: currency}, nil
}

// Decimal formats m as a plain decimal string with the currency's digits, e.g.
// "29.00": the form Shopify's Money and Decimal inputs take.
func (m Money) Decimal() string {
	digits := CurrencyDigits(m.Currency)
	n := m.Minor
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// String formats m for logs and Shopify notes, e.g. "29.00 EUR".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// Times returns m multiplied by a quantity.
func (m Money) Times(q int) Money { return Money{Minor: m.Minor * int64(q), Currency: m.Currency} }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
