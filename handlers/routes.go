package handlers

import (
	"net/http"

	"github.com/returnsportal/returns/static"
)

// addRoutes holds the whole URL table of the portal. The customer URLs "/",
// "/start" and "/returns/{code}" are promised to the outside (emails, the store's
// Shopify templates) and must stay stable.
func (s *Server) addRoutes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.handleLookupForm())
	mux.Handle("POST /{$}", s.handleLookup())
	mux.Handle("GET /start", s.handleStart())
	mux.Handle("GET /link", s.handleAccessLink())
	mux.Handle("POST /link", s.handleAccessLinkRequest())
	mux.Handle("POST /link/open", s.handleAccessLinkOpen())
	mux.Handle("GET /order", s.handleOrder())
	mux.Handle("POST /order/returns", s.handleReturnCreate())
	mux.Handle("GET /returns/{code}", s.handleReturn())
	mux.Handle("GET /returns/{code}/confirmation", s.handleReturnConfirmation())
	mux.Handle("POST /returns/{code}/cancel", s.handleReturnCancel())
	mux.Handle("GET /returns/{code}/photos/{photo}", s.handleReturnPhoto())

	mux.Handle("GET /admin/login", s.handleAdminLoginForm())
	mux.Handle("POST /admin/login", s.handleAdminLogin())
	mux.Handle("POST /admin/logout", s.handleAdminLogout())
	staff := s.requireStaff
	mux.Handle("GET /admin", staff(s.handleAdminQueue()))
	mux.Handle("GET /admin/returns/{code}", staff(s.handleAdminReturn()))
	mux.Handle("GET /admin/returns/{code}/photos/{photo}", staff(s.handleAdminPhoto()))
	mux.Handle("POST /admin/returns/{code}/approve", staff(s.handleAdminApprove()))
	mux.Handle("POST /admin/returns/{code}/decline", staff(s.handleAdminDecline()))
	mux.Handle("POST /admin/returns/{code}/receive", staff(s.handleAdminReceive()))
	mux.Handle("POST /admin/returns/{code}/refund", staff(s.handleAdminRefund()))
	mux.Handle("POST /admin/returns/{code}/refunds/{refund}/reconcile", staff(s.handleAdminReconcile()))
	mux.Handle("POST /admin/returns/{code}/ship", staff(s.handleAdminShip()))
	mux.Handle("POST /admin/returns/{code}/close", staff(s.handleAdminClose()))
	mux.Handle("POST /admin/returns/{code}/note", staff(s.handleAdminNote()))
	mux.Handle("GET /admin/outbox", staff(s.handleAdminOutbox()))
	mux.Handle("GET /admin/outbox/{id}", staff(s.handleAdminOutboxMessage()))
	mux.Handle("GET /admin/outbox/{id}/html", staff(s.handleAdminOutboxHTML()))
	mux.Handle("POST /admin/outbox/{id}/requeue", staff(s.handleAdminOutboxRequeue()))
	mux.Handle("GET /admin/settings", staff(s.handleAdminSettingsForm()))
	mux.Handle("POST /admin/settings", staff(s.handleAdminSettings()))
	// Anything else under /admin asks for a session first, so that nothing
	// about the backoffice shows to a stranger, not even which pages exist.
	mux.Handle("/admin/", staff(s.handleNotFound()))

	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /static/", static.Handler())
	mux.Handle("/", s.handleNotFound())
}

// URLs the pages link to, kept next to the table they belong to.
const (
	pathLookup         = "/"
	pathOrder          = "/order"
	pathSubmit         = "/order/returns"
	pathAccessLink     = "/link"
	pathAccessLinkOpen = "/link/open"
	pathAdmin          = "/admin"
	pathAdminLogin     = "/admin/login"
	pathAdminSettings  = "/admin/settings"
	pathAdminOutbox    = "/admin/outbox"
)

func returnURL(code string) string             { return "/returns/" + code }
func returnConfirmationURL(code string) string { return "/returns/" + code + "/confirmation" }
func returnCancelURL(code string) string       { return "/returns/" + code + "/cancel" }
func returnPhotoURL(code string, id int64) string {
	return "/returns/" + code + "/photos/" + itoa(id)
}

func adminReturnURL(code string) string         { return "/admin/returns/" + code }
func adminActionURL(code, action string) string { return "/admin/returns/" + code + "/" + action }
func adminPhotoURL(code string, id int64) string {
	return "/admin/returns/" + code + "/photos/" + itoa(id)
}
func adminReconcileURL(code string, id int64) string {
	return "/admin/returns/" + code + "/refunds/" + itoa(id) + "/reconcile"
}

func adminOutboxMessageURL(id int64) string { return "/admin/outbox/" + itoa(id) }
