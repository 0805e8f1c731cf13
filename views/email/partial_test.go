package email

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestPartialRefundEmail: a partial refund's email says how much of what the
// items were worth was refunded, and staff's reason, in the customer's
// language.
func TestPartialRefundEmail(t *testing.T) {
	for _, tc := range []struct {
		lang, subject string
		want          []string
	}{
		{"en", "Return R-7KQ9X2MD: €29.00 of €49.00 refunded",
			[]string{"€29.00 of €49.00 refunded", "We refunded €29.00 to your original payment method.", "Why not the full amount:", "The scarf came back worn."}},
		{"lv", "Atgriešana R-7KQ9X2MD: atmaksāti 29,00 € no 49,00 €",
			[]string{"Atmaksāti 29,00 € no 49,00 €", "Esam atmaksājuši 29,00 €", "Kāpēc ne visa summa:", "The scarf came back worn."}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			d := data(returns.EmailRefunded, testReturn(tc.lang))
			d.RefundOf, d.Message = eur(4900), "The scarf came back worn."
			e, doc := render(t, d)
			if e.Subject != tc.subject {
				t.Errorf("subject %q, want %q", e.Subject, tc.subject)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Text, w) || !strings.Contains(doc.Text(), w) {
					t.Errorf("email does not say %q:\n%s", w, e.Text)
				}
			}
		})
	}
}
