package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/static"
)

// patternRecorder records the patterns addRoutes registers.
type patternRecorder struct{ patterns []string }

func (p *patternRecorder) Handle(pattern string, _ http.Handler) {
	p.patterns = append(p.patterns, pattern)
}

// TestBuildersReachTheirRoutes sends every URL that package paths builds for
// the pages and the emails through the router: each must reach the route it is
// built for (not a catch-all, not a 405), and every route must be reached by
// some builder, so that a pattern and its builder cannot drift apart.
func TestBuildersReachTheirRoutes(t *testing.T) {
	s := NewServer(Config{SessionKeys: [][]byte{[]byte("routes test key")}}, Services{})
	mux := http.NewServeMux()
	s.addRoutes(mux)
	var registered patternRecorder
	s.addRoutes(&registered)

	const code = "R-7KQ9X2MD"
	type visit struct{ method, url, route string }
	visits := []visit{
		{"GET", paths.LookupURL(), paths.Lookup},
		{"POST", paths.LookupURL(), paths.Lookup},
		{"GET", paths.StartURL("1001", "anna.berzina@example.lv", "8e0d"), paths.Start},
		{"GET", paths.AccessLinkURL(), paths.AccessLink},
		{"POST", paths.AccessLinkURL(), paths.AccessLink},
		{"GET", paths.AccessLinkTokenURL("0123456789abcdef0123456789abcdef"), paths.AccessLink},
		{"POST", paths.AccessLinkOpenURL(), paths.AccessLinkOpen},
		{"GET", paths.OrderURL(), paths.Order},
		{"POST", paths.OrderReturnsURL(), paths.OrderReturns},
		{"GET", paths.ReturnURL(code), paths.Return},
		{"GET", paths.ReturnTokenURL(code, "0123456789abcdef0123456789abcdef"), paths.Return},
		{"GET", paths.ReturnConfirmationURL(code), paths.ReturnConfirmation},
		{"GET", paths.ReturnCancelURL(code), paths.ReturnCancel},
		{"POST", paths.ReturnCancelURL(code), paths.ReturnCancel},
		{"POST", paths.ReturnParcelURL(code), paths.ReturnParcel},
		{"GET", paths.ReturnPhotoURL(code, 31), paths.ReturnPhoto},

		{"GET", paths.AdminLoginURL(""), paths.AdminLogin},
		{"GET", paths.AdminLoginURL(paths.AdminReturnURL(code)), paths.AdminLogin},
		{"POST", paths.AdminLoginURL(paths.AdminURL()), paths.AdminLogin},
		{"POST", paths.AdminLogoutURL(), paths.AdminLogout},
		{"GET", paths.AdminURL(), paths.Admin},
		{"GET", paths.AdminQueueURL("requested", "anna@example.lv", 6), paths.Admin},
		{"GET", paths.AdminReturnURL(code), paths.AdminReturn},
		{"GET", paths.WithDone(paths.AdminReturnURL(code), "approved"), paths.AdminReturn},
		{"GET", paths.AdminPhotoURL(code, 31), paths.AdminPhoto},
		{"GET", paths.AdminWithdrawalNewURL(), paths.AdminWithdrawalNew},
		{"POST", paths.AdminWithdrawalNewURL(), paths.AdminWithdrawalNew},
		{"GET", paths.AdminWithdrawalRecordURL(code), paths.AdminWithdrawalRecord},
		{"GET", paths.AdminWithdrawalRecordJSONURL(code), paths.AdminWithdrawalRecordJSON},
		{"POST", paths.AdminReconcileURL(code, 42), paths.AdminReconcile},
		{"POST", paths.AdminManualPaidURL(code, 42), paths.AdminManualPaid},
		{"GET", paths.AdminOutboxURL("", 0), paths.AdminOutbox},
		{"GET", paths.AdminOutboxURL("dead", 10), paths.AdminOutbox},
		{"GET", paths.AdminOutboxMessageURL(12), paths.AdminOutboxMessage},
		{"GET", paths.AdminOutboxHTMLURL(12), paths.AdminOutboxHTML},
		{"POST", paths.AdminOutboxRequeueURL(12), paths.AdminOutboxRequeue},
		{"GET", paths.AdminReportsURL("2026-01-05", "2026-03-29"), paths.AdminReports},
		{"GET", paths.AdminReportsCSVURL("", ""), paths.AdminReportsCSV},
		{"GET", paths.AdminSettingsURL(), paths.AdminSettings},
		{"POST", paths.AdminSettingsURL(), paths.AdminSettings},
		{"GET", paths.AdminAutoApprovalURL(), paths.AdminAutoApproval},
		{"POST", paths.AdminAutoApprovalURL(), paths.AdminAutoApproval},
		{"POST", paths.AdminAutoApprovalDeleteURL(3), paths.AdminAutoApprovalDelete},
		{"GET", paths.AdminShopifyURL(), paths.AdminShopify},
		{"POST", paths.AdminLogoURL(), paths.AdminLogo},
		{"POST", paths.AdminLogoRemoveURL(), paths.AdminLogoRemove},
		{"GET", paths.LogoURL("0123456789abcdef0123456789abcdef.png"), paths.Logo},
		{"POST", paths.AdminShopifyCheckURL(), paths.AdminShopifyCheck},
		{"POST", paths.AdminLanguageURL(), paths.AdminLanguage},
		{"GET", paths.WithdrawURL(), paths.Withdraw},
		{"POST", paths.WithdrawURL(), paths.Withdraw},
		{"POST", paths.WithdrawConfirmURL(), paths.WithdrawConfirm},
		{"GET", paths.WithdrawalFormURL("lv"), paths.WithdrawalForm},

		{"POST", paths.ShopifyWebhooks, paths.ShopifyWebhooks},
		{"GET", paths.Healthz, paths.Healthz},
		{"GET", static.URL("app.css"), static.Prefix},
	}
	for _, a := range paths.ReturnActions {
		visits = append(visits, visit{"POST", paths.AdminActionURL(code, a), paths.AdminAction(a)})
	}

	reached := map[string]bool{}
	for _, v := range visits {
		_, pattern := mux.Handler(httptest.NewRequest(v.method, v.url, nil))
		if want := v.method + " " + v.route; pattern != want {
			t.Errorf("%s %s reaches route %q, want %q", v.method, v.url, pattern, want)
		}
		reached[pattern] = true
	}
	// The catch-alls answer "not found" for what no builder links to.
	catchAll := map[string]bool{"/": true, paths.AdminElse: true}
	for _, p := range registered.patterns {
		if !reached[p] && !catchAll[p] {
			t.Errorf("route %q is reached by no URL that package paths builds", p)
		}
	}
}
