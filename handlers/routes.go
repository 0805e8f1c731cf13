package handlers

import (
	"net/http"

	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/static"
)

// router is where addRoutes registers the routes: an *http.ServeMux, or in a
// test a recorder of the patterns.
type router interface {
	Handle(pattern string, handler http.Handler)
}

// addRoutes holds the whole URL table of the portal. The patterns are in
// package paths, beside the builders the pages and emails link with; the
// customer URLs "/", "/start" and "/returns/{code}" are promised to the outside
// (emails, the store's Shopify templates) and must stay stable.
func (s *Server) addRoutes(mux router) {
	mux.Handle("GET "+paths.Lookup, s.handleLookupForm())
	mux.Handle("POST "+paths.Lookup, s.handleLookup())
	mux.Handle("GET "+paths.Start, s.handleStart())
	mux.Handle("GET "+paths.AccessLink, s.handleAccessLink())
	mux.Handle("POST "+paths.AccessLink, s.handleAccessLinkRequest())
	mux.Handle("POST "+paths.AccessLinkOpen, s.handleAccessLinkOpen())
	mux.Handle("GET "+paths.Order, s.handleOrder())
	mux.Handle("POST "+paths.OrderReturns, s.handleReturnCreate())
	mux.Handle("GET "+paths.Return, s.handleReturn())
	mux.Handle("GET "+paths.ReturnConfirmation, s.handleReturnConfirmation())
	mux.Handle("GET "+paths.ReturnCancel, s.handleReturnCancelAsk())
	mux.Handle("POST "+paths.ReturnCancel, s.handleReturnCancel())
	mux.Handle("POST "+paths.ReturnParcel, s.handleReturnParcel())
	mux.Handle("GET "+paths.ReturnPhoto, s.handleReturnPhoto())
	mux.Handle("GET "+paths.Withdraw, s.handleWithdraw())
	mux.Handle("POST "+paths.Withdraw, s.handleWithdrawReview())
	mux.Handle("POST "+paths.WithdrawConfirm, s.handleWithdrawConfirm())
	mux.Handle("GET "+paths.WithdrawalForm, s.handleWithdrawalForm())

	mux.Handle("GET "+paths.AdminLogin, s.handleAdminLoginForm())
	mux.Handle("POST "+paths.AdminLogin, s.handleAdminLogin())
	mux.Handle("POST "+paths.AdminLogout, s.handleAdminLogout())
	staff := s.requireStaff
	mux.Handle("GET "+paths.Admin, staff(s.handleAdminQueue()))
	mux.Handle("GET "+paths.AdminReturn, staff(s.handleAdminReturn()))
	mux.Handle("GET "+paths.AdminPhoto, staff(s.handleAdminPhoto()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionApprove), staff(s.handleAdminApprove()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionDecline), staff(s.handleAdminDecline()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionReceive), staff(s.handleAdminReceive()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionRefund), staff(s.handleAdminRefund()))
	mux.Handle("POST "+paths.AdminReconcile, staff(s.handleAdminReconcile()))
	mux.Handle("POST "+paths.AdminManualPaid, staff(s.handleAdminManualPaid()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionShip), staff(s.handleAdminShip()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionReplacementOrder), staff(s.handleAdminReplacementOrder()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionSwitchToRefund), staff(s.handleAdminSwitchToRefund()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionClose), staff(s.handleAdminClose()))
	mux.Handle("POST "+paths.AdminAction(paths.ActionNote), staff(s.handleAdminNote()))
	mux.Handle("GET "+paths.AdminReports, staff(s.handleAdminReports()))
	mux.Handle("GET "+paths.AdminReportsCSV, staff(s.handleAdminReportsCSV()))
	mux.Handle("GET "+paths.AdminWithdrawalNew, staff(s.handleAdminWithdrawalNewForm()))
	mux.Handle("POST "+paths.AdminWithdrawalNew, staff(s.handleAdminWithdrawalNew()))
	mux.Handle("GET "+paths.AdminWithdrawalRecord, staff(s.handleAdminWithdrawalRecord()))
	mux.Handle("GET "+paths.AdminWithdrawalRecordJSON, staff(s.handleAdminWithdrawalRecordJSON()))
	mux.Handle("GET "+paths.AdminOutbox, staff(s.handleAdminOutbox()))
	mux.Handle("GET "+paths.AdminOutboxMessage, staff(s.handleAdminOutboxMessage()))
	mux.Handle("GET "+paths.AdminOutboxHTML, staff(s.handleAdminOutboxHTML()))
	mux.Handle("POST "+paths.AdminOutboxRequeue, staff(s.handleAdminOutboxRequeue()))
	mux.Handle("GET "+paths.AdminSettings, staff(s.handleAdminSettingsForm()))
	mux.Handle("POST "+paths.AdminSettings, staff(s.handleAdminSettings()))
	mux.Handle("GET "+paths.AdminAutoApproval, staff(s.handleAdminAutoApproval()))
	mux.Handle("POST "+paths.AdminAutoApproval, staff(s.handleAdminAutoApprovalSave()))
	mux.Handle("POST "+paths.AdminAutoApprovalDelete, staff(s.handleAdminAutoApprovalDelete()))
	mux.Handle("POST "+paths.AdminLogo, staff(s.handleAdminLogo()))
	mux.Handle("POST "+paths.AdminLogoRemove, staff(s.handleAdminLogoRemove()))
	mux.Handle("GET "+paths.AdminShopify, staff(s.handleAdminShopify()))
	mux.Handle("POST "+paths.AdminShopifyCheck, staff(s.handleAdminShopifyCheck()))
	mux.Handle("POST "+paths.AdminLanguage, staff(s.handleAdminLanguage()))
	// Anything else under /admin asks for a session first, so that nothing
	// about the backoffice shows to a stranger, not even which pages exist.
	mux.Handle(paths.AdminElse, staff(s.handleNotFound()))

	// Shopify signs its deliveries and sends no cookie: the handler checks
	// the signature, and no session is asked for.
	mux.Handle("POST "+paths.ShopifyWebhooks, s.handleShopifyWebhook())

	mux.Handle("GET "+paths.Healthz, handleHealthz())
	mux.Handle("GET "+paths.Logo, s.handleLogo())
	mux.Handle("GET "+static.Prefix, static.Handler())
	mux.Handle("/", s.handleNotFound())
}
