// Package app builds the portal's services over its adapters: the one place where
// the domain's services are put together, used by the server (cmd/returns-portal)
// and by the HTTP tests, so that both run the same wiring.
package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/paths"
)

// Store is what the services keep in the database; *db.DB is one.
type Store interface {
	returns.ReturnCreator
	returns.ReturnReader
	returns.ReturnAccess
	returns.TimelineReader
	returns.Transitioner
	returns.NoteTaker
	returns.WritebackStore
	returns.SettingsStore
	returns.QueueStore
	returns.ShipmentStore
	returns.RefundStore
	returns.StaffStore
	returns.StaffSessionStore
	returns.OutboxStore
	returns.AccessLinkStore
	returns.ShopIdentityStore
	returns.ErasureStore
	returns.PhotoStore
}

// Shop is what the services ask of Shopify about orders; *shopify.Client is
// one.
type Shop interface {
	returns.Shop
	returns.OrderNotes
	returns.ShopChecker
}

// Deps are the adapters the services run on.
type Deps struct {
	Store Store
	Shop  Shop
	// Refunder makes refunds through Shopify: the same *shopify.Client as
	// Shop, or a fake in tests that make none.
	Refunder  returns.Refunder
	Photos    returns.PhotoProcessor
	Passwords returns.PasswordHasher
	// Emails renders the emails; nil queues none.
	Emails returns.EmailRenderer
	// BaseURL is the portal's public address, for links in emails and the
	// address Shopify delivers webhooks to.
	BaseURL string
	// WakeMail is called after emails were committed, to wake the mail worker;
	// nil when nothing sends them.
	WakeMail func()
	// Now is the one clock of the services; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// App is the portal's services, put together.
type App struct {
	Settings    *returns.SettingsService
	Customers   *returns.CustomerService
	AccessLinks *returns.AccessLinkService
	Backoffice  *returns.BackofficeService
	Refunds     *returns.RefundService
	Accounts    *returns.AccountService
	Outbox      *returns.OutboxService
	Writer      *returns.OrderWriter
	Connection  *returns.ConnectionService
	// Redaction erases customers' personal data (Shopify's compliance
	// webhooks, the redact command); PhotoRetention deletes the photos of
	// returns closed long ago.
	Redaction      *returns.RedactionService
	PhotoRetention *returns.PhotoRetentionService
}

// New builds the services over d.
func New(d Deps) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	orders := returns.NewOrderCache()
	settings := returns.NewSettingsService(d.Store, d.Now)
	mailer := returns.NewMailer(d.Emails, settings, d.BaseURL, d.WakeMail, d.Now, d.Log)
	writer := returns.NewOrderWriter(d.Shop, d.Store, orders, d.Now, d.Log)
	changes := returns.NewChanges(d.Store, d.Store, mailer, writer, d.Now, d.Log)
	return &App{
		Settings: settings,
		Customers: returns.NewCustomerService(returns.CustomerDeps{
			Shop: d.Shop, Returns: d.Store, Access: d.Store, Timeline: d.Store, Photos: d.Photos,
			Settings: settings, Changes: changes, Orders: orders, Now: d.Now, Log: d.Log,
		}),
		AccessLinks: returns.NewAccessLinkService(d.Shop, d.Store, mailer, d.Now, d.Log),
		Backoffice: returns.NewBackofficeService(returns.BackofficeDeps{
			Returns: d.Store, Access: d.Store, Timeline: d.Store, Notes: d.Store, Queue: d.Store,
			Shipments: d.Store, Staff: d.Store, Ledger: d.Store, Shop: d.Shop, Suggester: d.Refunder,
			Changes: changes, Now: d.Now, Log: d.Log,
		}),
		Refunds: returns.NewRefundService(returns.RefundDeps{
			Returns: d.Store, Store: d.Store, Refunder: d.Refunder, Shop: d.Shop, Notes: d.Store,
			Changes: changes, Now: d.Now, Log: d.Log,
		}),
		Accounts: returns.NewAccountService(d.Store, d.Store, d.Passwords, d.Now, d.Log),
		Outbox:   returns.NewOutboxService(d.Store, d.Now),
		Writer:   writer,
		Connection: returns.NewConnectionService(returns.ConnectionDeps{
			Checker: d.Shop, Store: d.Store, Now: d.Now, Log: d.Log,
			Need: returns.ConnectionNeeds{Scopes: returns.RequiredScopes, WebhookURI: WebhookURI(d.BaseURL), WebhookTopics: returns.SubscribedTopics},
		}),

		// Erasures forget the orders they erased from the cache.
		Redaction:      returns.NewRedactionService(d.Store, orders, d.Now, d.Log),
		PhotoRetention: returns.NewPhotoRetentionService(d.Store, settings, d.Now, d.Log),
	}
}

// Services are the services as the HTTP layer takes them.
func (a *App) Services() handlers.Services {
	return handlers.Services{
		Customers:   a.Customers,
		AccessLinks: a.AccessLinks,
		Settings:    a.Settings,
		Accounts:    a.Accounts,
		Backoffice:  a.Backoffice,
		Refunds:     a.Refunds,
		Outbox:      a.Outbox,
		Connection:  a.Connection,
	}
}

// WebhookURI is where Shopify delivers webhooks to a portal at baseURL.
func WebhookURI(baseURL string) string {
	if baseURL == "" {
		return ""
	}
	return baseURL + paths.ShopifyWebhooks
}

// Intervals of the background work.
const (
	writebackEvery = 30 * time.Second
	reconcileEvery = time.Minute
	// checkEvery keeps the staff's checklist and the token's expiry on it
	// current; a check costs two requests.
	checkEvery = time.Hour
	// Photos are kept for days after a return closes: a purge a day is
	// enough, and one at start catches up after a long stop.
	photoPurgeEvery = 24 * time.Hour
)

// Run starts the background work, which goes on until ctx ends: write-backs to
// Shopify that failed are retried, refunds whose outcome is unknown are
// reconciled, and photos past their retention time are deleted, at once and
// then daily. wg counts the goroutines, so that a stop can wait for them.
func (a *App) Run(ctx context.Context, wg *sync.WaitGroup) {
	wg.Go(func() { a.Writer.Run(ctx, writebackEvery) })
	wg.Go(func() { a.Refunds.Run(ctx, reconcileEvery) })
	wg.Go(func() { a.Connection.Run(ctx, checkEvery) })
	wg.Go(func() { a.PhotoRetention.Run(ctx, photoPurgeEvery) })
}
