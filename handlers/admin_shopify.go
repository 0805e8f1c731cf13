package handlers

import (
	"context"
	"net/http"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// shopifyCheckTimeout bounds a check staff asked for: two requests to Shopify
// and perhaps a token request, each bounded by the client's own timeout.
const shopifyCheckTimeout = 20 * time.Second

// handleAdminShopify shows the checklist of the connection to Shopify: the
// last check's, or a new one when none ran yet.
func (s *Server) handleAdminShopify() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		report, ok := s.connection.Last()
		if !ok {
			ctx, cancel := context.WithTimeout(r.Context(), shopifyCheckTimeout)
			defer cancel()
			var err error
			if report, err = s.connection.Check(ctx); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		s.render(w, r, http.StatusOK, views.ShopifyPageView(views.ShopifyPage{
			AdminPage: s.adminPage(r, returns.Msg("Shopify connection")),
			Report:    report,
		}))
	})
}

// handleAdminShopifyCheck runs the checks again and shows the result.
func (s *Server) handleAdminShopifyCheck() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), shopifyCheckTimeout)
		defer cancel()
		if _, err := s.connection.Check(ctx); err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminShopifyURL(), "checked"), http.StatusSeeOther)
	})
}
