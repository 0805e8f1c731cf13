package paths

import "testing"

// TestBuilders pins the URLs the outside and the pages rely on, and that the
// builders escape what they put in a path or a query.
func TestBuilders(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"lookup", LookupURL(), "/"},
		{"start link", StartURL("1001", "anna.berzina@example.lv", "8e0d"), "/start?email=anna.berzina%40example.lv&order=1001&sig=8e0d"},
		{"status page", ReturnURL("R-7KQ9X2MD"), "/returns/R-7KQ9X2MD"},
		{"status link", ReturnTokenURL("R-7KQ9X2MD", "0123456789abcdef"), "/returns/R-7KQ9X2MD?t=0123456789abcdef"},
		{"access link", AccessLinkTokenURL("a b&c"), "/link?t=a+b%26c"},
		{"photo", ReturnPhotoURL("R-7KQ9X2MD", 31), "/returns/R-7KQ9X2MD/photos/31"},
		{"code escaped", ReturnURL("a/b?c"), "/returns/a%2Fb%3Fc"},
		{"action", AdminActionURL("R-7KQ9X2MD", ActionApprove), "/admin/returns/R-7KQ9X2MD/approve"},
		{"reconcile", AdminReconcileURL("R-7KQ9X2MD", 42), "/admin/returns/R-7KQ9X2MD/refunds/42/reconcile"},
		{"manual paid", AdminManualPaidURL("R-7KQ9X2MD", 42), "/admin/returns/R-7KQ9X2MD/refunds/42/paid"},
		{"queue", AdminQueueURL("", "", 0), "/admin"},
		{"queue filtered", AdminQueueURL("requested", "anna@example.lv", 6), "/admin?before=6&q=anna%40example.lv&status=requested"},
		{"outbox", AdminOutboxURL("", 0), "/admin/outbox"},
		{"outbox filtered", AdminOutboxURL("dead", 10), "/admin/outbox?before=10&status=dead"},
		{"outbox html", AdminOutboxHTMLURL(12), "/admin/outbox/12/html"},
		{"reports", AdminReportsURL("", ""), "/admin/reports"},
		{"reports of a period", AdminReportsURL("2026-01-05", "2026-03-29"), "/admin/reports?from=2026-01-05&to=2026-03-29"},
		{"withdrawal record", AdminWithdrawalRecordURL("R-7KQ9X2MD"), "/admin/returns/R-7KQ9X2MD/record"},
		{"withdrawal record as JSON", AdminWithdrawalRecordJSONURL("R-7KQ9X2MD"), "/admin/returns/R-7KQ9X2MD/record.json"},
		{"csv export", AdminReportsCSVURL("2026-01-05", "2026-03-29"), "/admin/reports/returns.csv?from=2026-01-05&to=2026-03-29"},
		{"sign-in", AdminLoginURL(""), "/admin/login"},
		{"sign-in and back", AdminLoginURL("/admin/returns/R-7KQ9X2MD?x=1"), "/admin/login?next=%2Fadmin%2Freturns%2FR-7KQ9X2MD%3Fx%3D1"},
		{"done", WithDone(AdminReturnURL("R-7KQ9X2MD"), "approved"), "/admin/returns/R-7KQ9X2MD?done=approved"},
		{"done after a query", WithDone("/admin?status=closed", "x y"), "/admin?status=closed&done=x+y"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestFillCountsValues: a builder that passes too few or too many values for
// its pattern fails at once, instead of linking somewhere else.
func TestFillCountsValues(t *testing.T) {
	for name, f := range map[string]func(){
		"too few":  func() { fill(ReturnPhoto, "R-7KQ9X2MD") },
		"too many": func() { fill(Return, "R-7KQ9X2MD", "31") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
