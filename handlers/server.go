// Package handlers is the portal's HTTP layer: the URL table, one maker function per
// route, middleware and sessions. It talks to the domain's services only, through
// the interfaces in services.go, never to the database, Shopify or mail directly.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	returns "github.com/returnsportal/returns"
)

// Config holds what the HTTP layer needs to know about its deployment.
type Config struct {
	Logger *slog.Logger
	// SessionKeys are secrets for signing and encrypting cookies, newest first. A
	// key is retired by removing it; keep the previous one until the longest
	// session signed with it has expired.
	SessionKeys [][]byte
	// LinkSecret signs the start links in the store's emails.
	LinkSecret string
	// WebhookSecret keys the HMAC of Shopify's webhooks: the app's client
	// secret, or the webhook secret of an app made in the Shopify admin. Empty,
	// every delivery is refused.
	WebhookSecret string
	// Secure marks cookies Secure and sends HSTS; false only for plain-http localhost.
	Secure bool
	// DemoMode shows the demo banner.
	DemoMode bool
	// TrustFlyClientIP takes the client address from Fly's Fly-Client-IP header.
	TrustFlyClientIP bool
	// LookupLimits and LoginLimits override the rate limits (tests); nil means
	// the defaults.
	LookupLimits *LookupLimits
	LoginLimits  *LoginLimits
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits before a sign-in on an account under attack is checked, and
	// returns early with ctx's error; nil means a timer. Tests record the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Server is the portal's HTTP handler.
type Server struct {
	cfg        Config
	log        *slog.Logger
	customers  Customers
	links      AccessLinks
	settings   Settings
	accounts   Accounts
	backoffice Backoffice
	refunds    Refunds
	// replacements is nil when the portal makes no replacement orders.
	replacements Replacements
	outbox       Outbox
	shopEvents   ShopEvents
	connection   Connection
	reports      Reports
	identity     StoreIdentity
	sessions     *sessionStore
	limits       *limiter
	// statusPages keeps rendered status pages while their return is unchanged.
	statusPages *statusPages
	handler     http.Handler

	lookupLimits LookupLimits
	loginLimits  LoginLimits
	autoApproval AutoApproval // the auto-approval rules
	// withdrawals is the withdrawal function: the customers' service when
	// it has one.
	withdrawals Withdrawals
}

// NewServer returns the portal's HTTP handler with every route and middleware.
func NewServer(cfg Config, svc Services) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	s := &Server{
		cfg:          cfg,
		log:          cfg.Logger,
		customers:    svc.Customers,
		links:        svc.AccessLinks,
		settings:     svc.Settings,
		accounts:     svc.Accounts,
		backoffice:   svc.Backoffice,
		refunds:      svc.Refunds,
		replacements: svc.Replacements,
		outbox:       svc.Outbox,
		shopEvents:   svc.ShopEvents,
		connection:   svc.Connection,
		reports:      svc.Reports,
		autoApproval: svc.AutoApproval,
		identity:     svc.Identity,
		withdrawals:  withdrawalsOf(svc.Customers),
		sessions:     newSessionStore(cfg.SessionKeys, cfg.Secure),
		statusPages:  newStatusPages(),
		limits:       newLimiter(cfg.Now),
		lookupLimits: DefaultLookupLimits(),
		loginLimits:  DefaultLoginLimits(),
	}
	if cfg.LookupLimits != nil {
		s.lookupLimits = *cfg.LookupLimits
	}
	if cfg.LoginLimits != nil {
		s.loginLimits = *cfg.LoginLimits
	}
	mux := http.NewServeMux()
	s.addRoutes(mux)

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, returns.Msg("Request refused"), returns.Msg("This form was sent from another site, so it was refused. Please go back, reload the page and try again."), 0)
	}))
	var h http.Handler = mux
	h = s.withLanguage(h)
	h = csrf.Handler(h)
	h = s.withSecurityHeaders(h)
	h = s.withRecover(h)
	h = s.withLogging(h)
	s.handler = h
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte("ok\n"))
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
