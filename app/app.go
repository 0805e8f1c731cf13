// Package app builds the portal's services over its adapters: the one place where
// the domain's services are put together, used by the server (cmd/returns-portal)
// and by the HTTP tests, so that both run the same wiring.
package app

import (
	"context"
	"log/slog"
	"strings"
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
	returns.ReportStore
	returns.ShipmentStore
	returns.RefundStore
	returns.StaffStore
	returns.StaffSessionStore
	returns.OutboxStore
	returns.AccessLinkStore
	returns.WebhookInbox
	returns.ShopRefundStore
	returns.StaffNoticeStore
	returns.InstallationStore
	returns.OpenReturnOrders
	returns.ShopIdentityStore
	returns.ErasureStore
	returns.PhotoStore
	returns.ShopReturnStore
	returns.PayoutStore
	returns.ParcelStore
	returns.AutoApprovalStore
	returns.LogoStore
	returns.ReplacementStore
	returns.WithdrawalReminderStore
	returns.WithdrawalRecordStore
	returns.NoteLedger
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
	Refunder returns.Refunder
	// ShopRefunds reads an order's refunds and Webhooks makes sure of the
	// webhook subscriptions: the same *shopify.Client as Shop.
	ShopRefunds returns.ShopRefunds
	Webhooks    returns.WebhookSubscriber
	// ShopReturns drives Shopify's own returns: the same *shopify.Client as
	// Shop; nil keeps returns in the portal alone (refunds through
	// refundCreate), for tests that do not look at Shopify's returns.
	ShopReturns returns.ShopReturns
	// Replacements makes replacement orders and reads their fulfilments:
	// the same *shopify.Client as Shop; nil leaves replacements to be
	// shipped by hand.
	Replacements returns.ReplacementOrders
	// History reads order notes and keeps the orders' history metafield:
	// the same *shopify.Client as Shop; nil writes the note only, read back
	// with Shop.Order.
	History returns.OrderHistoryShop
	// Definitions makes the history metafield's definition, which shows it
	// on the order page in admin: the same *shopify.Client; nil makes none.
	Definitions returns.HistoryDefinitions
	// ParseWebhook reads a webhook's payload: shopify.ParseWebhook.
	ParseWebhook func(topic string, body []byte, h returns.WebhookHeaders) (returns.ShopEvent, error)
	// SweepEvery is how often the periodic pass over Shopify's refunds runs;
	// 0 means returns.DefaultSweepEvery.
	SweepEvery time.Duration
	Photos     returns.PhotoProcessor
	// Logos checks and re-encodes an uploaded logo: the same processor as
	// Photos; nil refuses no logo but cannot save one either.
	Logos returns.LogoProcessor
	// StoreName is the store's name from the portal's configuration, for
	// while neither the settings nor Shopify name it.
	StoreName string
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
	Events      *returns.ShopEventService
	Connection  *returns.ConnectionService
	// Redaction erases customers' personal data (Shopify's compliance
	// webhooks, the redact command); PhotoRetention deletes the photos of
	// returns closed long ago.
	Redaction      *returns.RedactionService
	PhotoRetention *returns.PhotoRetentionService
	// ShopReturns keeps Shopify's returns in step with the portal's; nil
	// when Deps.ShopReturns is.
	ShopReturns *returns.ShopReturnService
	Reports     *returns.ReportService

	// AutoApproval keeps the auto-approval rules and approves the new
	// returns they match.
	AutoApproval *returns.AutoApprovalService
	// WithdrawalReminders email staff two days before a withdrawal's refund
	// deadline.
	WithdrawalReminders *returns.WithdrawalReminders
	// Identity is the store's name, logo, storefront and time zone, as
	// pages and emails show them.
	Identity *returns.StoreIdentityService
	// Replacements makes replacement orders in Shopify and follows their
	// fulfilment (none when Deps.Replacements is nil), and switches
	// replacement requests to refunds.
	Replacements *returns.ReplacementService

	// historyDefinitions is Deps.Definitions, guarded; nil when it is.
	historyDefinitions returns.HistoryDefinitions
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
	// Every call to Shopify goes through the installation: while the app is
	// uninstalled from the shop, none is made.
	installation := returns.NewShopInstallation(d.Store)
	shop := installation.GuardOrders(d.Shop)
	refunder := installation.GuardRefunder(d.Refunder)
	settings := returns.NewSettingsService(d.Store, d.Now)
	mailer := returns.NewMailer(d.Emails, settings, d.BaseURL, d.WakeMail, d.Now, d.Log)
	writer := returns.NewOrderWriter(shop, d.Store, orders, d.Now, d.Log)
	var notes returns.OrderNoteKeeper
	if d.History != nil {
		history := installation.GuardHistory(d.History)
		writer.KeepHistory(history, d.Store)
		notes = writer
	}
	changes := returns.NewChanges(d.Store, d.Store, mailer, writer, d.Now, d.Log)
	var shopReturns *returns.ShopReturnService
	if d.ShopReturns != nil {
		shopReturns = returns.NewShopReturnService(returns.ShopReturnDeps{
			Returns: d.Store, Timeline: d.Store, Changes: changes, Store: d.Store,
			Shop: installation.GuardShopReturns(d.ShopReturns), Now: d.Now, Log: d.Log,
		})
		changes.WakeOnChange(shopReturns.Wake)
	}
	refunds := returns.NewRefundService(returns.RefundDeps{
		Returns: d.Store, Store: d.Store, Refunder: refunder, Shop: shop, Notes: d.Store,
		Changes: changes, ShopReturns: shopReturns, Settings: settings,
		Payments: installation.GuardRefunds(d.ShopRefunds), Payouts: d.Store, Now: d.Now, Log: d.Log,
	})
	// Erasures forget the orders they erased from the cache.
	redaction := returns.NewRedactionService(d.Store, orders, d.Now, d.Log)
	events := returns.NewShopEventService(returns.ShopEventDeps{
		Inbox: d.Store, ParseWebhook: d.ParseWebhook, Returns: d.Store, Search: d.Store, Refunds: d.Store,
		Notices: d.Store, Portal: refunds, Changes: changes, Mailer: mailer, Orders: orders,
		Installation: installation, ShopRefunds: installation.GuardRefunds(d.ShopRefunds),
		OpenOrders: d.Store, Webhooks: installation.GuardWebhooks(d.Webhooks), Redactor: redaction,
		ShopReturns: shopReturns, Notes: notes, SweepEvery: d.SweepEvery, Now: d.Now, Log: d.Log,
	})
	// The check asks Shopify itself, not through the installation's guard:
	// it is how the portal finds the app installed again.
	var connection *returns.ConnectionService
	connection = returns.NewConnectionService(returns.ConnectionDeps{
		Checker: d.Shop, Store: d.Store, Now: d.Now, Log: d.Log,
		Need: returns.ConnectionNeeds{Scopes: returns.RequiredScopes, WebhookURI: WebhookURI(d.BaseURL), WebhookTopics: returns.SubscribedTopics},
		Reached: func(ctx context.Context) {
			r, _ := connection.Last()
			if err := events.Reinstalled(ctx, r.CheckedAt); err != nil {
				d.Log.ErrorContext(ctx, "record the app installed", "err", err)
			}
		},
	})
	autoApproval := returns.NewAutoApprovalService(d.Store, d.Store, changes, d.Now, d.Log)
	// The customer's name and shipping address on the staff's return page,
	// when the Shopify adapter reads them.
	var contacts returns.OrderContacts
	if c, ok := d.Shop.(returns.OrderContacts); ok {
		contacts = installation.GuardContacts(c)
	}
	identity := returns.NewStoreIdentityService(returns.StoreIdentityDeps{
		Settings: settings, Shop: connection, Logos: d.Store, Images: d.Logos,
		FallbackName: d.StoreName, Now: d.Now, Log: d.Log,
	})
	mailer.UseIdentity(identity)
	mailer.UseStaffAccounts(d.Store)
	var replacementShop returns.ReplacementOrders
	if d.Replacements != nil {
		replacementShop = installation.GuardReplacements(d.Replacements)
	}
	replacements := returns.NewReplacementService(d.Store, d.Store, d.Store, replacementShop, changes, identity, d.Now, d.Log)
	if replacements.MakesOrders() {
		events.FollowFulfillments(replacements)
	}
	var historyDefinitions returns.HistoryDefinitions
	if d.Definitions != nil {
		historyDefinitions = installation.GuardHistoryDefinitions(d.Definitions)
	}
	return &App{
		Replacements: replacements,
		Identity:     identity,
		Settings:     settings,
		// The history's metafield definition, made at start.
		historyDefinitions: historyDefinitions,
		Customers: returns.NewCustomerService(returns.CustomerDeps{
			Shop: shop, Returns: d.Store, Access: d.Store, Timeline: d.Store, Photos: d.Photos,
			Settings: settings, Changes: changes, Orders: orders, ShopReturns: shopReturns, Parcels: d.Store,
			WakeShopReturns: shopReturns.Wake, AutoApproval: autoApproval, Zone: identity, Now: d.Now, Log: d.Log,
		}),
		AccessLinks: returns.NewAccessLinkService(shop, d.Store, mailer, d.Now, d.Log),
		Backoffice: returns.NewBackofficeService(returns.BackofficeDeps{
			Returns: d.Store, Access: d.Store, Timeline: d.Store, Notes: d.Store, Queue: d.Store,
			Shipments: d.Store, Staff: d.Store, Ledger: d.Store, Shop: shop, Suggester: refunder,
			Changes: changes, Zone: identity, Contacts: contacts, Identity: d.Store, Settings: settings, Now: d.Now, Log: d.Log,
			Records: d.Store, Store: identity,
		}),
		Refunds:        refunds,
		Accounts:       returns.NewAccountService(d.Store, d.Store, d.Passwords, d.Now, d.Log),
		Outbox:         returns.NewOutboxService(d.Store, d.Now),
		Writer:         writer,
		Events:         events,
		Connection:     connection,
		Redaction:      redaction,
		PhotoRetention: returns.NewPhotoRetentionService(d.Store, settings, d.Now, d.Log),
		ShopReturns:    shopReturns,
		Reports:        returns.NewReportService(d.Store, identity, d.Now),
		AutoApproval:   autoApproval,
		WithdrawalReminders: returns.NewWithdrawalReminders(returns.WithdrawalReminderDeps{
			Store: d.Store, Mailer: mailer, Shop: shop, Suggester: refunder, Settings: settings, Zone: identity, Now: d.Now, Log: d.Log,
		}),
	}
}

// Services are the services as the HTTP layer takes them.
func (a *App) Services() handlers.Services {
	s := handlers.Services{
		Customers:   a.Customers,
		AccessLinks: a.AccessLinks,
		Settings:    a.Settings,
		Accounts:    a.Accounts,
		Backoffice:  a.Backoffice,
		Refunds:     a.Refunds,
		Outbox:      a.Outbox,
		Connection:  a.Connection,
		ShopEvents:  a.Events,
		Reports:     a.Reports,

		AutoApproval: a.AutoApproval,
		Identity:     a.Identity,
		Replacements: a.Replacements,
	}
	return s
}

// WebhookURI is where Shopify delivers webhooks to a portal at baseURL.
func WebhookURI(baseURL string) string {
	if baseURL == "" {
		return ""
	}
	return baseURL + paths.ShopifyWebhooks
}

// EnsureWebhooks makes sure the app is subscribed to the portal's webhook
// topics at baseURL, the portal's public address.
func (a *App) EnsureWebhooks(ctx context.Context, baseURL string) (*returns.WebhookSetup, error) {
	return a.Events.EnsureSubscriptions(ctx, WebhookURI(strings.TrimRight(baseURL, "/")))
}

// EnsureHistoryDefinition makes sure the order metafield definition of the
// returns history exists at the shop, so that admin shows the history on
// the order page, and reports whether it made it now. Without
// Deps.Definitions it does nothing.
func (a *App) EnsureHistoryDefinition(ctx context.Context) (created bool, err error) {
	if a.historyDefinitions == nil {
		return false, nil
	}
	return a.historyDefinitions.EnsureHistoryDefinition(ctx)
}

// Intervals of the background work.
const (
	writebackEvery = 30 * time.Second
	reconcileEvery = time.Minute
	// inboxEvery is how often webhooks that failed to apply are looked at
	// again; a new one is applied when it arrives.
	inboxEvery = 30 * time.Second
	// checkEvery keeps the staff's checklist and the token's expiry on it
	// current; a check costs two requests.
	checkEvery = time.Hour
	// Photos are kept for days after a return closes: a purge a day is
	// enough, and one at start catches up after a long stop.
	photoPurgeEvery = 24 * time.Hour
	// shopReturnSyncEvery is how often the returns whose Shopify return
	// failed to follow them are looked at again; a change wakes the pass at
	// once.
	shopReturnSyncEvery = 30 * time.Second
)

// Run starts the background work, which goes on until ctx ends: write-backs to
// Shopify that failed are retried, refunds whose outcome is unknown are
// reconciled, Shopify's webhooks are applied from the inbox (with the periodic
// pass over the refunds of orders with open returns), and photos past their
// retention time are deleted, at once and then daily. wg counts the
// goroutines, so that a stop can wait for them.
func (a *App) Run(ctx context.Context, wg *sync.WaitGroup) {
	wg.Go(func() { a.Writer.Run(ctx, writebackEvery) })
	wg.Go(func() { a.Refunds.Run(ctx, reconcileEvery) })
	wg.Go(func() { a.Events.Run(ctx, inboxEvery) })
	wg.Go(func() { a.Connection.Run(ctx, checkEvery) })
	wg.Go(func() { a.PhotoRetention.Run(ctx, photoPurgeEvery) })
	if a.ShopReturns != nil {
		wg.Go(func() { a.ShopReturns.Run(ctx, shopReturnSyncEvery, returns.DefaultSweepEvery) })
	}
	if a.Replacements.MakesOrders() {
		wg.Go(func() { a.Replacements.Run(ctx, returns.DefaultSweepEvery) })
	}
	wg.Go(func() { a.WithdrawalReminders.Run(ctx, returns.DefaultSweepEvery) })
}
