package returns_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	returns "github.com/returnsportal/returns"
)

// FuzzNormalizeOrderNumber: whatever a customer types, the result is "" or a
// plain order number that normalises to itself.
func FuzzNormalizeOrderNumber(f *testing.F) {
	for _, s := range []string{"1001", "#1001", "  #1001 ", "EN1001", "1001-A", "#", "", "1001; DROP", "ＡＢ", "#\u00a01001", strings.Repeat("9", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := returns.NormalizeOrderNumber(s)
		if n == "" {
			return
		}
		if len(n) > 32 || strings.ContainsAny(n, "# \t\r\n\"'\\:()") || !utf8.ValidString(n) {
			t.Fatalf("NormalizeOrderNumber(%q) = %q", s, n)
		}
		if again := returns.NormalizeOrderNumber(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
	})
}

// FuzzParseMoney: an accepted amount is non-negative, within bounds, and reads
// back from its own decimal form.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"29", "29.00", "29,5", " 29.00 ", "0", "-1", "10.005", "abc", "1e3", "", "9999999999999999999", "0.001", ".5", "5."} {
		f.Add(s, "EUR")
	}
	f.Add("1200", "JPY")
	f.Add("1.234", "KWD")
	f.Fuzz(func(t *testing.T, s, currency string) {
		m, err := returns.ParseMoney(s, currency)
		if err != nil {
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("ParseMoney(%q) error code %q", s, returns.ErrorCode(err))
			}
			return
		}
		if m.Minor < 0 || m.Minor > 1e15 || m.Currency != currency {
			t.Fatalf("ParseMoney(%q, %q) = %+v", s, currency, m)
		}
		back, err := returns.ParseMoney(m.Decimal(), currency)
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %+v → %q → %+v, %v", s, m, m.Decimal(), back, err)
		}
	})
}

// FuzzVerifyLinkSignature: only the signature made for exactly this number and
// email verifies.
func FuzzVerifyLinkSignature(f *testing.F) {
	f.Add("1001", "anna.berzina@example.lv", "")
	f.Add("#1001", "ANNA.BERZINA@example.lv", "8e0d5d65")
	f.Add("1002", "sam.taylor@example.com", strings.Repeat("ab", 32))
	const secret = "fuzz-link-secret-0123456789"
	f.Fuzz(func(t *testing.T, number, email, sig string) {
		good := returns.LinkSignature(secret, number, email)
		if !returns.VerifyLinkSignature(secret, number, email, good) {
			t.Fatalf("its own signature does not verify for %q %q", number, email)
		}
		if returns.VerifyLinkSignature(secret, number, email, sig) && !strings.EqualFold(sig, good) {
			t.Fatalf("a foreign signature %q verifies for %q %q", sig, number, email)
		}
		if returns.VerifyLinkSignature("another-secret-0123456789", number, email, good) {
			t.Fatal("a signature verifies under another secret")
		}
	})
}
