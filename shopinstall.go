package returns

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// InstallationStore keeps whether the portal's app is installed on the shop.
type InstallationStore interface {
	// ShopUninstalledAt returns when the app was uninstalled from the shop,
	// or the zero time while it is installed.
	ShopUninstalledAt(ctx context.Context) (time.Time, error)
	// MarkUninstalled records that the app was uninstalled at at and queues
	// email (nil for none) in the same transaction. It changes nothing, and
	// reports false, when the app is marked uninstalled already or was marked
	// installed again after at (a late delivery of an old uninstall).
	MarkUninstalled(ctx context.Context, at time.Time, email *OutboxMessage) (changed bool, err error)
	// MarkReinstalled records that the app was found installed by a look at
	// the shop that began at at: it clears an uninstall recorded before at,
	// and reports false, changing nothing, when there is none (an uninstall
	// from at on is newer than what was found, and stays).
	MarkReinstalled(ctx context.Context, at time.Time) (changed bool, err error)
}

// ShopInstallation is whether the portal's app is installed on the shop, as
// app/uninstalled and the start-up check tell. While it is not, the portal
// does not call Shopify at all: the calls of the services fail fast (Guard),
// rather than each finding out from Shopify, and the background work waits.
// It reads the stored state once, on first use, and keeps it in memory; the
// ShopEventService changes both. Make one with NewShopInstallation.
type ShopInstallation struct {
	store InstallationStore

	mu            sync.Mutex
	loaded        bool
	uninstalledAt time.Time
}

// NewShopInstallation returns the installation state kept in store.
func NewShopInstallation(store InstallationStore) *ShopInstallation {
	return &ShopInstallation{store: store}
}

// UninstalledAt returns when the app was uninstalled from the shop, or the
// zero time while it is installed. When the stored state cannot be read it
// answers installed, and reads it again next time: a call to Shopify then
// finds out.
func (i *ShopInstallation) UninstalledAt(ctx context.Context) time.Time {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.loaded {
		at, err := i.store.ShopUninstalledAt(ctx)
		if err != nil {
			return time.Time{}
		}
		i.uninstalledAt, i.loaded = at, true
	}
	return i.uninstalledAt
}

// markUninstalled records that the app was uninstalled at at, with the staff
// email about it (nil for none), as InstallationStore.MarkUninstalled does.
// The state in memory follows what is stored.
func (i *ShopInstallation) markUninstalled(ctx context.Context, at time.Time, email *OutboxMessage) (bool, error) {
	changed, err := i.store.MarkUninstalled(ctx, at, email)
	if err != nil {
		return false, err
	}
	return changed, i.reload(ctx)
}

// markReinstalled records that the app was found installed by a look at the
// shop that began at at.
func (i *ShopInstallation) markReinstalled(ctx context.Context, at time.Time) (bool, error) {
	changed, err := i.store.MarkReinstalled(ctx, at)
	if err != nil {
		return false, err
	}
	return changed, i.reload(ctx)
}

// reload reads the stored state into memory.
func (i *ShopInstallation) reload(ctx context.Context) error {
	at, err := i.store.ShopUninstalledAt(ctx)
	i.mu.Lock()
	defer i.mu.Unlock()
	if err != nil {
		// Read again on the next use.
		i.loaded = false
		return err
	}
	i.uninstalledAt, i.loaded = at, true
	return nil
}

// check returns the error of a call to Shopify while the app is uninstalled,
// or nil.
func (i *ShopInstallation) check(ctx context.Context) error {
	at := i.UninstalledAt(ctx)
	if at.IsZero() {
		return nil
	}
	return ErrUninstalled(at)
}

// ErrUninstalled is the error of a call to Shopify that the portal does not
// make because the app was uninstalled from the shop at at. Staff read its
// message; customers are shown the shop's usual words for a store that does
// not answer, as for any EUNAVAILABLE error. Its chain holds the cause as a
// *ShopDenied, as the adapter's refusals do.
func ErrUninstalled(at time.Time) error {
	return fmt.Errorf("%w: %w",
		Errorf(EUNAVAILABLE, "The portal’s app was uninstalled from the Shopify store on %s, so the portal does not call Shopify: orders cannot be read, refunds cannot be made, and notes wait to be written. Install the app on the store again: the portal notices at its next check of the connection, hourly, or at once with “Check again” on the Shopify page.", at.UTC().Format("2006-01-02 15:04 MST")),
		&ShopDenied{Cause: DeniedUninstalled, Detail: "app/uninstalled received"})
}

// ShopUninstalled reports whether err says that the app is not installed on
// the shop: a call the portal did not make (ErrUninstalled), or Shopify's own
// refusal for that reason.
func ShopUninstalled(err error) bool {
	var d *ShopDenied
	return errors.As(err, &d) && d.Cause == DeniedUninstalled
}

// ShopOrders is what the services ask of Shopify about orders: reading them,
// and writing their notes and tags.
type ShopOrders interface {
	Shop
	OrderNotes
}

// ShopRefunds reads the refunds Shopify made on an order.
type ShopRefunds interface {
	// Refunds returns the order's refunds, oldest first.
	Refunds(ctx context.Context, orderID string) ([]ShopRefund, error)
}

// WebhookSubscriber makes sure of the app's webhook subscriptions at the
// shop.
type WebhookSubscriber interface {
	// EnsureWebhooks subscribes uri to each of topics that it is not
	// subscribed to yet.
	EnsureWebhooks(ctx context.Context, uri string, topics []string) (*WebhookSetup, error)
}

// GuardOrders returns shop as it is called while the app may be
// uninstalled: each call fails fast with ErrUninstalled instead of reaching
// Shopify.
func (i *ShopInstallation) GuardOrders(shop ShopOrders) ShopOrders {
	return guardedOrders{i: i, shop: shop}
}

// GuardRefunder is GuardOrders for the refunds.
func (i *ShopInstallation) GuardRefunder(r Refunder) Refunder {
	return guardedRefunder{i: i, refunder: r}
}

// GuardRefunds is GuardOrders for the reads of an order's refunds.
func (i *ShopInstallation) GuardRefunds(r ShopRefunds) ShopRefunds {
	return guardedRefunds{i: i, refunds: r}
}

// GuardWebhooks is GuardOrders for the webhook subscriptions.
func (i *ShopInstallation) GuardWebhooks(w WebhookSubscriber) WebhookSubscriber {
	return guardedWebhooks{i: i, webhooks: w}
}

type guardedOrders struct {
	i    *ShopInstallation
	shop ShopOrders
}

func (g guardedOrders) FindOrder(ctx context.Context, number, email string) (*Order, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.shop.FindOrder(ctx, number, email)
}

func (g guardedOrders) Order(ctx context.Context, id string) (*Order, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.shop.Order(ctx, id)
}

func (g guardedOrders) UpdateOrder(ctx context.Context, id, note string, addTags []string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.shop.UpdateOrder(ctx, id, note, addTags)
}

type guardedRefunder struct {
	i        *ShopInstallation
	refunder Refunder
}

func (g guardedRefunder) SuggestRefund(ctx context.Context, orderID string, items []Item) (Money, error) {
	if err := g.i.check(ctx); err != nil {
		return Money{}, err
	}
	return g.refunder.SuggestRefund(ctx, orderID, items)
}

// CreateRefund fails before anything is asked, so a refund refused here was
// certainly not made.
func (g guardedRefunder) CreateRefund(ctx context.Context, req RefundRequest) (string, error) {
	if err := g.i.check(ctx); err != nil {
		return "", err
	}
	return g.refunder.CreateRefund(ctx, req)
}

func (g guardedRefunder) FindRefund(ctx context.Context, orderID, key string) (string, bool, error) {
	if err := g.i.check(ctx); err != nil {
		return "", false, err
	}
	return g.refunder.FindRefund(ctx, orderID, key)
}

type guardedRefunds struct {
	i       *ShopInstallation
	refunds ShopRefunds
}

func (g guardedRefunds) Refunds(ctx context.Context, orderID string) ([]ShopRefund, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.refunds.Refunds(ctx, orderID)
}

type guardedWebhooks struct {
	i        *ShopInstallation
	webhooks WebhookSubscriber
}

func (g guardedWebhooks) EnsureWebhooks(ctx context.Context, uri string, topics []string) (*WebhookSetup, error) {
	if err := g.i.check(ctx); err != nil {
		return &WebhookSetup{}, err
	}
	return g.webhooks.EnsureWebhooks(ctx, uri, topics)
}

// applyUninstall stops the portal's calls to Shopify and tells staff, once.
func (s *ShopEventService) applyUninstall(ctx context.Context, w *InboxWebhook, u *ShopUninstall) error {
	at := w.OccurredAt
	n := StaffNotice{ShopName: u.Name, ShopDomain: u.MyshopifyDomain, At: at}
	if n.ShopDomain == "" {
		n.ShopDomain = w.ShopDomain
	}
	email, err := s.mailer.StaffNotice(ctx, EmailStaffAppUninstalled, "app-uninstalled:"+strconv.FormatInt(at.UnixMilli(), 10), n)
	if err != nil {
		return err
	}
	changed, err := s.installation.markUninstalled(ctx, at, email)
	if err != nil {
		return err
	}
	if !changed {
		s.log.Info("app/uninstalled: the app is marked uninstalled already, or was installed again since", "webhook", w.WebhookID)
		return nil
	}
	s.log.Warn("the app was uninstalled from the shop: the portal stops calling Shopify until it is installed again", "shop", n.ShopDomain, "at", at)
	if email == nil {
		s.log.Warn("no staff email address is set: staff learn of the uninstall from the backoffice's banner only")
		return nil
	}
	s.mailer.Queued([]OutboxMessage{*email})
	return nil
}

// UninstalledAt returns when the app was uninstalled from the shop, or the
// zero time while it is installed.
func (s *ShopEventService) UninstalledAt(ctx context.Context) time.Time {
	return s.installation.UninstalledAt(ctx)
}

// Reinstalled records that the app is installed on the shop again, as a check
// of the connection that began at checkedAt found it (Shopify answered), so
// the portal calls Shopify again, and subscribes to its webhooks again where
// it did before. An uninstall told of since checkedAt is
// newer than that answer and stays: a check under way while the app is
// uninstalled must not undo the uninstall.
func (s *ShopEventService) Reinstalled(ctx context.Context, checkedAt time.Time) error {
	changed, err := s.installation.markReinstalled(ctx, checkedAt)
	if err != nil {
		return fmt.Errorf("record the app installed again: %w", err)
	}
	if !changed {
		return nil
	}
	s.log.Info("the app is installed on the shop again: the portal calls Shopify again")
	s.subscribeMu.Lock()
	uri := s.subscribeURI
	s.subscribeMu.Unlock()
	if uri != "" {
		// The uninstall deleted the subscriptions; the periodic pass finds
		// refunds meanwhile if this fails.
		if _, err := s.EnsureSubscriptions(ctx, uri); err != nil {
			s.log.Warn("webhook subscriptions not made again", "err", err)
		}
	}
	return nil
}

func (g guardedRefunder) SuggestTransactions(ctx context.Context, orderID string, items []Item) (RefundSuggestion, error) {
	if err := g.i.check(ctx); err != nil {
		return RefundSuggestion{}, err
	}
	return g.refunder.SuggestTransactions(ctx, orderID, items)
}

// GuardShopReturns is GuardOrders for Shopify's returns. A mutation refused
// here was certainly not made.
func (i *ShopInstallation) GuardShopReturns(r ShopReturns) ShopReturns {
	return guardedShopReturns{i: i, r: r}
}

type guardedShopReturns struct {
	i *ShopInstallation
	r ShopReturns
}

func (g guardedShopReturns) ReturnableUnits(ctx context.Context, orderID string) ([]ReturnableUnit, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.ReturnableUnits(ctx, orderID)
}

func (g guardedShopReturns) ReturnReasons(ctx context.Context, handles []string) ([]ReturnReasonDefinition, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.ReturnReasons(ctx, handles)
}

func (g guardedShopReturns) RequestReturn(ctx context.Context, req ShopReturnRequest) (*ShopReturn, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.RequestReturn(ctx, req)
}

func (g guardedShopReturns) OrderReturns(ctx context.Context, orderID string) ([]ShopReturn, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.OrderReturns(ctx, orderID)
}

func (g guardedShopReturns) ShopReturn(ctx context.Context, id string) (*ShopReturn, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.ShopReturn(ctx, id)
}

func (g guardedShopReturns) ApproveReturn(ctx context.Context, id string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.r.ApproveReturn(ctx, id)
}

func (g guardedShopReturns) DeclineReturn(ctx context.Context, id, note string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.r.DeclineReturn(ctx, id, note)
}

func (g guardedShopReturns) CancelReturn(ctx context.Context, id string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.r.CancelReturn(ctx, id)
}

func (g guardedShopReturns) CloseReturn(ctx context.Context, id string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.r.CloseReturn(ctx, id)
}

func (g guardedShopReturns) ProcessReturn(ctx context.Context, req ProcessRequest) (string, error) {
	if err := g.i.check(ctx); err != nil {
		return "", err
	}
	return g.r.ProcessReturn(ctx, req)
}

func (g guardedShopReturns) CreateReverseDelivery(ctx context.Context, req ReverseDeliveryRequest) (string, error) {
	if err := g.i.check(ctx); err != nil {
		return "", err
	}
	return g.r.CreateReverseDelivery(ctx, req)
}

func (g guardedShopReturns) Locations(ctx context.Context) ([]Location, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.Locations(ctx)
}

// GuardContacts is GuardOrders for the reads of orders' shipping addresses.
func (i *ShopInstallation) GuardContacts(c OrderContacts) OrderContacts {
	return guardedContacts{i: i, c: c}
}

type guardedContacts struct {
	i *ShopInstallation
	c OrderContacts
}

func (g guardedContacts) OrderContact(ctx context.Context, orderID string) (OrderContact, error) {
	if err := g.i.check(ctx); err != nil {
		return OrderContact{}, err
	}
	return g.c.OrderContact(ctx, orderID)
}

// GuardReplacements is GuardOrders for replacement orders. A draft refused
// here was certainly not made or completed.
func (i *ShopInstallation) GuardReplacements(r ReplacementOrders) ReplacementOrders {
	return guardedReplacements{i: i, r: r}
}

type guardedReplacements struct {
	i *ShopInstallation
	r ReplacementOrders
}

func (g guardedReplacements) CreateReplacementDraft(ctx context.Context, d ReplacementDraft) (string, error) {
	if err := g.i.check(ctx); err != nil {
		return "", err
	}
	return g.r.CreateReplacementDraft(ctx, d)
}

func (g guardedReplacements) CompleteDraftOrder(ctx context.Context, draftID string) (ShopOrderRef, error) {
	if err := g.i.check(ctx); err != nil {
		return ShopOrderRef{}, err
	}
	return g.r.CompleteDraftOrder(ctx, draftID)
}

func (g guardedReplacements) DraftOrder(ctx context.Context, draftID string) (DraftOrderState, error) {
	if err := g.i.check(ctx); err != nil {
		return DraftOrderState{}, err
	}
	return g.r.DraftOrder(ctx, draftID)
}

func (g guardedReplacements) FindReplacementDrafts(ctx context.Context, returnCode string) ([]DraftOrderState, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.FindReplacementDrafts(ctx, returnCode)
}

func (g guardedReplacements) DeleteDraftOrder(ctx context.Context, draftID string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.r.DeleteDraftOrder(ctx, draftID)
}

func (g guardedReplacements) OrderFulfillments(ctx context.Context, orderID string) (ShopOrderFulfillments, error) {
	if err := g.i.check(ctx); err != nil {
		return ShopOrderFulfillments{}, err
	}
	return g.r.OrderFulfillments(ctx, orderID)
}

func (g guardedReplacements) LineVariants(ctx context.Context, orderID, lineItemID string) ([]VariantChoice, error) {
	if err := g.i.check(ctx); err != nil {
		return nil, err
	}
	return g.r.LineVariants(ctx, orderID, lineItemID)
}
