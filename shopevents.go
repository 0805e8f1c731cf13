package returns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// WebhookRetention is how long a webhook stays in the inbox once it is no
// longer pending: past Shopify's retries of a delivery (48 hours at most), so
// that a retry is still recognised as a duplicate. A delivery triggered
// longer ago than this is not stored at all: it can only be a replay of an
// old one, whose duplicate the inbox no longer holds.
const WebhookRetention = 30 * 24 * time.Hour

// DefaultSweepEvery is how often the periodic pass reads the refunds of the
// orders with open returns from Shopify, for refunds whose webhook never came.
const DefaultSweepEvery = 15 * time.Minute

// Bounds of the work of one pass.
const (
	// inboxBatch is how many pending webhooks, bodies included, are read at
	// a time; inboxReadPerPass how many one pass reads in all.
	inboxBatch       = 20
	inboxReadPerPass = 1000
	// sweepOrders is how many orders one periodic pass asks Shopify about;
	// the next pass goes on after the last of them.
	sweepOrders = 25
)

// PortalRefunds settles the portal's own refunds as Shopify tells of them;
// *RefundService is one.
type PortalRefunds interface {
	SettleFromShopify(ctx context.Context, orderID, key, shopifyID string) (found bool, err error)
	SettleFromShopReturn(ctx context.Context, ref ShopRefund) (found bool, err error)
	// FollowPayouts reads back the order's refunds whose money was on its
	// way, as orders/updated may tell that a transaction settled.
	FollowPayouts(ctx context.Context, orderID string) error
}

// ShopEventService takes in what Shopify tells the portal by webhook: it
// stores each delivery in a durable inbox before it is answered, and applies
// it from there exactly once per X-Shopify-Webhook-Id, also after a restart,
// the events of one order in the order of their time. It books refunds made
// in Shopify admin, keeps the portal's copies of orders fresh, stops the
// calls to Shopify while the app is uninstalled, passes compliance requests
// on, and every so often reads the refunds of the orders with open returns
// for any webhook that never came.
type ShopEventService struct {
	inbox        WebhookInbox
	parse        func(topic string, body []byte, h WebhookHeaders) (ShopEvent, error)
	returns      ReturnReader
	search       ReturnSearch
	refunds      ShopRefundStore
	notices      StaffNoticeStore
	portal       PortalRefunds
	changes      *Changes
	mailer       *Mailer
	orders       *OrderCache
	installation *ShopInstallation
	shopRefunds  ShopRefunds
	openOrders   OpenReturnOrders
	webhooks     WebhookSubscriber
	redactor     Redactor
	shopReturns  *ShopReturnService
	fulfillments FulfillmentFollower // nil: fulfilment webhooks change nothing
	notes        OrderNoteKeeper
	sweepEvery   time.Duration
	now          func() time.Time
	log          *slog.Logger

	// wake asks Run for a pass over the inbox now.
	wake chan struct{}
	// processing makes the passes one at a time, whoever starts them, so
	// that no webhook is applied by two at once and an order's events go in
	// order. sweepAfter, the order the periodic pass goes on after, is
	// guarded by it too.
	processing sync.Mutex
	sweepAfter string

	// subscribeURI is where EnsureSubscriptions was last asked to subscribe:
	// Shopify deletes an app's subscriptions when it is uninstalled, and
	// Reinstalled makes them again there.
	subscribeMu  sync.Mutex
	subscribeURI string
}

// FulfillmentFollower follows the fulfilments of the portal's replacement
// orders as Shopify tells of them (fulfillments/create and
// fulfillments/update): their carrier, tracking number and delivery.
type FulfillmentFollower interface {
	ApplyFulfillment(ctx context.Context, ev ShopFulfillmentEvent) error
}

// FollowFulfillments gives the service what applies fulfilment webhooks;
// until it is given, they are stored and change nothing. Call it before Run.
func (s *ShopEventService) FollowFulfillments(f FulfillmentFollower) { s.fulfillments = f }

// ShopEventDeps are what a ShopEventService uses.
type ShopEventDeps struct {
	Inbox WebhookInbox
	// ParseWebhook reads a delivery's payload; shopify.ParseWebhook is it.
	ParseWebhook func(topic string, body []byte, h WebhookHeaders) (ShopEvent, error)
	Returns      ReturnReader
	Search       ReturnSearch
	Refunds      ShopRefundStore
	Notices      StaffNoticeStore
	// Portal settles the portal's own refunds: the RefundService.
	Portal  PortalRefunds
	Changes *Changes
	Mailer  *Mailer
	// Orders are the orders the services keep read from Shopify.
	Orders       *OrderCache
	Installation *ShopInstallation
	// ShopRefunds and Webhooks reach Shopify; give them guarded by
	// Installation.
	ShopRefunds ShopRefunds
	OpenOrders  OpenReturnOrders
	Webhooks    WebhookSubscriber
	// Redactor honours the compliance requests; nil leaves them pending in
	// the inbox until one is given.
	Redactor Redactor
	// ShopReturns moves portal returns as staff move their Shopify returns
	// (returns/* webhooks); nil leaves those webhooks without effect.
	ShopReturns *ShopReturnService
	// Notes puts back what staff edits erased from order notes (the
	// OrderWriter); nil leaves the notes as they are.
	Notes OrderNoteKeeper
	// SweepEvery is how often the periodic pass runs; 0 means
	// DefaultSweepEvery.
	SweepEvery time.Duration
	Now        func() time.Time
	Log        *slog.Logger
}

// NewShopEventService returns a ShopEventService.
func NewShopEventService(d ShopEventDeps) *ShopEventService {
	if d.SweepEvery <= 0 {
		d.SweepEvery = DefaultSweepEvery
	}
	return &ShopEventService{
		inbox: d.Inbox, parse: d.ParseWebhook, returns: d.Returns, search: d.Search, refunds: d.Refunds,
		notices: d.Notices, portal: d.Portal, changes: d.Changes, mailer: d.Mailer, orders: d.Orders,
		installation: d.Installation, shopRefunds: d.ShopRefunds, openOrders: d.OpenOrders, webhooks: d.Webhooks,
		redactor: d.Redactor, shopReturns: d.ShopReturns, notes: d.Notes, sweepEvery: d.SweepEvery, now: d.Now, log: d.Log,
		wake: make(chan struct{}, 1),
	}
}

// handledTopics are the topics whose webhooks are stored.
var handledTopics = map[string]bool{
	TopicRefundsCreate: true, TopicOrdersUpdated: true, TopicAppUninstalled: true,
	TopicCustomersRedact: true, TopicCustomersDataRequest: true, TopicShopRedact: true,
	TopicReturnsApprove: true, TopicReturnsDecline: true, TopicReturnsCancel: true,
	TopicReturnsClose: true, TopicReturnsReopen: true, TopicReturnsProcess: true,
	TopicFulfillmentsCreate: true, TopicFulfillmentsUpdate: true,
}

// Receive stores a webhook delivery whose signature the HTTP layer has
// verified, and wakes the pass that applies it: what Shopify is answered
// with 200 is in the inbox. A duplicate of a delivery stored already is
// answered the same and stored once. A payload that cannot be read is stored
// as failed, with the reason, and not retried by Shopify; a topic the portal
// does not use is only logged. An error means the delivery was not stored,
// and Shopify should send it again.
func (s *ShopEventService) Receive(ctx context.Context, topic string, body []byte, h WebhookHeaders) error {
	if !handledTopics[topic] {
		s.log.Info("webhook of a topic the portal does not use, not stored", "topic", topic, "webhook", h.WebhookID)
		return nil
	}
	now := s.now()
	if !h.TriggeredAt.IsZero() && h.TriggeredAt.Before(now.Add(-WebhookRetention)) {
		s.log.Warn("webhook triggered before the inbox's retention, not stored: an old delivery sent again", "topic", topic, "webhook", h.WebhookID, "triggered", h.TriggeredAt)
		return nil
	}
	w := &InboxWebhook{
		WebhookID: h.WebhookID, Topic: topic, ShopDomain: h.ShopDomain, Body: body,
		OccurredAt: h.TriggeredAt, ReceivedAt: now, State: InboxPending, NextAttemptAt: now,
	}
	if w.WebhookID == "" {
		// Shopify sends one on every delivery. Without it, the body is what
		// tells a retry from another event.
		sum := sha256.Sum256(append([]byte(topic+"\n"), body...))
		w.WebhookID = "sha256:" + hex.EncodeToString(sum[:])
	}
	if w.OccurredAt.IsZero() {
		w.OccurredAt = now
	}
	ev, err := s.parse(topic, body, h)
	if err != nil {
		w.State, w.LastError, w.AppliedAt = InboxFailed, err.Error(), now
		s.log.Error("webhook payload could not be read; stored as failed, not applied", "topic", topic, "webhook", w.WebhookID, "err", err)
	} else {
		w.OrderID = ev.OrderID
		if !ev.OccurredAt.IsZero() {
			w.OccurredAt = ev.OccurredAt
		}
	}
	created, err := s.inbox.ReceiveWebhook(ctx, w)
	if err != nil {
		return fmt.Errorf("store %s webhook: %w", topic, err)
	}
	if !created {
		s.log.Info("webhook delivered again, stored once", "topic", topic, "webhook", w.WebhookID)
		return nil
	}
	if w.State == InboxPending {
		s.wakeUp()
	}
	return nil
}

// wakeUp asks Run for a pass over the inbox now, without waiting for it.
func (s *ShopEventService) wakeUp() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run applies the inbox's webhooks until ctx ends: at once and whenever
// Receive stores one, and every interval for those to be tried again; and it
// runs the periodic pass every SweepEvery. It starts with every pending
// webhook, due or not, for the process before may have stopped before it
// applied them, and what made one fail (a redaction service missing, Shopify
// down) may have changed since.
func (s *ShopEventService) Run(ctx context.Context, every time.Duration) {
	s.processInbox(ctx, everyPending)
	s.Sweep(ctx)
	tick := time.NewTicker(every)
	defer tick.Stop()
	sweep := time.NewTicker(s.sweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			s.ProcessInbox(ctx)
		case <-tick.C:
			s.ProcessInbox(ctx)
		case <-sweep.C:
			s.Sweep(ctx)
		}
	}
}

// everyPending is a time by which every pending webhook is due.
var everyPending = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// ProcessInbox applies the pending webhooks that are due, in order of their
// time.
func (s *ShopEventService) ProcessInbox(ctx context.Context) {
	s.processInbox(ctx, s.now())
}

// processInbox applies the pending webhooks due by dueBy, in order of their
// time. An event of an order that is still pending (not due yet, or failed
// now) holds up the order's later events until it is applied.
func (s *ShopEventService) processInbox(ctx context.Context, dueBy time.Time) {
	s.processing.Lock()
	defer s.processing.Unlock()
	waiting := map[string]bool{}
	var afterAt time.Time
	var afterID int64
	for read := 0; read < inboxReadPerPass; {
		batch, err := s.inbox.PendingWebhooks(ctx, afterAt, afterID, inboxBatch)
		if err != nil {
			s.log.Error("read pending webhooks", "err", err)
			return
		}
		for i := range batch {
			w := &batch[i]
			afterAt, afterID = w.OccurredAt, w.ID
			if ctx.Err() != nil {
				return
			}
			if waiting[w.OrderID] {
				continue
			}
			if w.NextAttemptAt.After(dueBy) || !s.apply(ctx, w) {
				if w.OrderID != "" {
					waiting[w.OrderID] = true
				}
			}
		}
		read += len(batch)
		if len(batch) < inboxBatch {
			return
		}
	}
}

// errStale is the outcome of an event older than one applied already.
var errStale = errors.New("stale")

// cannotApply marks an error that no retry mends (a stored payload that
// cannot be read: retrying reads the same bytes; a request the redaction
// service refuses as it stands): the webhook fails for good, with the reason.
type cannotApply struct{ err error }

func (c cannotApply) Error() string { return "cannot be applied: " + c.err.Error() }
func (c cannotApply) Unwrap() error { return c.err }

// apply applies one pending webhook and records the outcome. It reports
// whether the webhook left pending: false when it is to be tried again.
func (s *ShopEventService) apply(ctx context.Context, w *InboxWebhook) bool {
	out := WebhookOutcome{State: InboxApplied}
	ev, err := s.parse(w.Topic, w.Body, w.headers())
	if err != nil {
		err = cannotApply{err}
	} else {
		err = s.applyEvent(ctx, w, &ev, &out)
	}
	var bad cannotApply
	switch {
	case err == nil:
	case errors.Is(err, errStale):
		out.State = InboxStale
	case errors.As(err, &bad):
		out.State, out.Error = InboxFailed, err.Error()
		s.log.Error("webhook cannot be applied", "topic", w.Topic, "webhook", w.WebhookID, "err", err)
	default:
		// Never dropped: tried again, later and later, until it applies.
		next := s.now().Add(Backoff(w.Attempts+1, RetryFirst, RetryAtMost))
		s.log.Warn("webhook not applied yet; tried again later", "topic", w.Topic, "webhook", w.WebhookID, "attempt", w.Attempts+1, "next", next, "err", err)
		if err := s.inbox.RetryWebhook(ctx, w.ID, next, err.Error()); err != nil {
			s.log.Error("record failed webhook", "webhook", w.WebhookID, "err", err)
		}
		return false
	}
	out.At = s.now()
	if err := s.inbox.SettleWebhook(ctx, w.ID, out); err != nil {
		// Its effects are there; applied again, they change nothing.
		s.log.Error("record applied webhook", "webhook", w.WebhookID, "err", err)
		return false
	}
	return true
}

// applyEvent applies what one webhook tells. Applying a webhook again (after
// a crash between its effects and their record in the inbox) changes nothing
// more: every effect is recognised as made already.
func (s *ShopEventService) applyEvent(ctx context.Context, w *InboxWebhook, ev *ShopEvent, out *WebhookOutcome) error {
	switch {
	case ev.Refund != nil:
		return s.applyRefund(ctx, *ev.Refund, "refunds/create")
	case ev.Order != nil:
		return s.applyOrderUpdate(ctx, w, ev.Order, out)
	case ev.Uninstalled != nil:
		return s.applyUninstall(ctx, w, ev.Uninstalled)
	case ev.Redact != nil && w.Topic == TopicCustomersDataRequest:
		return s.applyDataRequest(ctx, w, ev.Redact)
	case ev.Redact != nil:
		return s.applyRedact(ctx, w, ev.Redact, out)
	case ev.Return != nil:
		if s.shopReturns == nil {
			return nil
		}
		return s.shopReturns.ApplyEvent(ctx, w.Topic, *ev.Return)
	case ev.Fulfillment != nil:
		if s.fulfillments == nil {
			return nil
		}
		return s.fulfillments.ApplyFulfillment(ctx, *ev.Fulfillment)
	}
	return cannotApply{fmt.Errorf("a %s webhook without its event", w.Topic)}
}

// applyOrderUpdate makes the next page about the order read it fresh. An
// update older than one applied for the order is stale: what it says is
// out of date.
func (s *ShopEventService) applyOrderUpdate(ctx context.Context, w *InboxWebhook, o *ShopOrderUpdate, out *WebhookOutcome) error {
	// Before the stale check: a staff edit whose webhook comes after the
	// portal's own still tells what the portal's write erased.
	if s.notes != nil {
		if err := s.notes.OrderNoteChanged(ctx, *o); err != nil {
			return fmt.Errorf("keep the note of order %s: %w", o.Name, err)
		}
	}
	mark, err := s.inbox.OrderWatermark(ctx, o.ID)
	if err != nil {
		return err
	}
	if w.OccurredAt.Before(mark) {
		s.log.Info("orders/updated older than one applied for the order: stale, not applied", "order", o.Name, "webhook", w.WebhookID)
		return errStale
	}
	// Dropping an order that is not kept costs nothing, so no query asks
	// first whether the order has open returns.
	s.orders.drop(o.ID)
	out.OrderUpdatedAt = w.OccurredAt
	// Shopify updates the order when a refund's transaction settles. A
	// failure to follow it here is left to the reconciler's periodic pass,
	// rather than holding up the order's later webhooks.
	if err := s.portal.FollowPayouts(ctx, o.ID); err != nil {
		s.log.Warn("follow the order's refunds whose money is on its way; the periodic pass tries again", "order", o.Name, "err", err)
	}
	return nil
}

// EnsureSubscriptions makes sure the app is subscribed to SubscribedTopics at
// uri, the portal's webhook address, and logs what it found and made. The
// portal subscribes there again when it finds the app installed again after
// an uninstall, which deleted the subscriptions.
func (s *ShopEventService) EnsureSubscriptions(ctx context.Context, uri string) (*WebhookSetup, error) {
	s.subscribeMu.Lock()
	s.subscribeURI = uri
	s.subscribeMu.Unlock()
	setup, err := s.webhooks.EnsureWebhooks(ctx, uri, SubscribedTopics)
	if setup != nil {
		for _, sub := range setup.Created {
			s.log.Info("webhook subscription created", "topic", sub.Topic, "uri", sub.URI)
		}
		for _, sub := range setup.Existing {
			s.log.Info("webhook subscription in place", "topic", sub.Topic, "uri", sub.URI)
		}
		for _, sub := range setup.Elsewhere {
			s.log.Warn("webhook subscription of the same topic points elsewhere; left alone", "topic", sub.Topic, "uri", sub.URI)
		}
	}
	if err != nil {
		return setup, fmt.Errorf("subscribe to webhooks at %s: %w", uri, err)
	}
	return setup, nil
}
