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
	mux.Handle("GET /order", s.handleOrder())
	mux.Handle("POST /order/returns", s.handleReturnCreate())
	mux.Handle("GET /returns/{code}", s.handleReturn())
	mux.Handle("GET /returns/{code}/confirmation", s.handleReturnConfirmation())
	mux.Handle("POST /returns/{code}/cancel", s.handleReturnCancel())
	mux.Handle("GET /returns/{code}/photos/{photo}", s.handleReturnPhoto())
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /static/", static.Handler())
	mux.Handle("/", s.handleNotFound())
}

// URLs the pages link to, kept next to the table they belong to.
const (
	pathLookup = "/"
	pathOrder  = "/order"
	pathSubmit = "/order/returns"
)

func returnURL(code string) string             { return "/returns/" + code }
func returnConfirmationURL(code string) string { return "/returns/" + code + "/confirmation" }
func returnCancelURL(code string) string       { return "/returns/" + code + "/cancel" }
func returnPhotoURL(code string, id int64) string {
	return "/returns/" + code + "/photos/" + itoa(id)
}
