package returns_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// ledgerReturns reads a memStore's returns with the sums of their succeeded
// refunds in a memLedger, as the database attaches them.
type ledgerReturns struct {
	*memStore
	ledger *memLedger
}

func (l ledgerReturns) refunded(r *returns.Return) {
	r.Refunded = returns.Money{Currency: r.Currency}
	for _, ref := range l.ledger.all() {
		if ref.ReturnID == r.ID && ref.State == returns.RefundSucceeded {
			r.Refunded.Minor += ref.Amount.Minor
		}
	}
}

func (l ledgerReturns) ReturnByCode(ctx context.Context, code string) (*returns.Return, error) {
	r, err := l.memStore.ReturnByCode(ctx, code)
	if err == nil {
		l.refunded(r)
	}
	return r, err
}

func (l ledgerReturns) ReturnByID(ctx context.Context, id int64) (*returns.Return, error) {
	r, err := l.memStore.ReturnByID(ctx, id)
	if err == nil {
		l.refunded(r)
	}
	return r, err
}

func (l ledgerReturns) ReturnsByOrder(ctx context.Context, orderID string) ([]returns.Return, error) {
	rs, err := l.memStore.ReturnsByOrder(ctx, orderID)
	for i := range rs {
		l.refunded(&rs[i])
	}
	return rs, err
}

// eventsFixture is a ShopEventService over the changes fixture, the refund
// ledger and service, the in-memory inbox and the fakes of Shopify's refunds
// and subscriptions; the staff address is set.
type eventsFixture struct {
	*changesFixture
	svc          *returns.ShopEventService
	refunds      *returns.RefundService
	backoffice   *returns.BackofficeService
	returns      ledgerReturns
	ledger       *memLedger
	refunder     *fakeRefunder
	inbox        *memInbox
	shopRefunds  *memShopRefunds
	install      *memInstallation
	installation *returns.ShopInstallation
	cache        *returns.OrderCache
	remote       *remoteRefunds
	hooks        *fakeSubscriber
	// open are the orders with open returns; search the returns the queue's
	// search finds.
	open   []string
	search []returns.Return
}

// newEventsFixture builds the fixture; edit changes the service's deps first.
func newEventsFixture(t *testing.T, edit ...func(*returns.ShopEventDeps)) *eventsFixture {
	t.Helper()
	cf := newChangesFixture(t)
	cf.settings.StaffEmail = "team@shop.example"
	f := &eventsFixture{changesFixture: cf, ledger: &memLedger{store: cf.store}, refunder: &fakeRefunder{}, inbox: &memInbox{},
		install: &memInstallation{store: cf.store}, cache: returns.NewOrderCache(), remote: &remoteRefunds{},
		hooks: &fakeSubscriber{setup: &returns.WebhookSetup{}}}
	f.returns = ledgerReturns{memStore: cf.store, ledger: f.ledger}
	f.shopRefunds = &memShopRefunds{ledger: f.ledger}
	f.installation = returns.NewShopInstallation(f.install)
	f.refunds = returns.NewRefundService(returns.RefundDeps{
		Returns: f.returns, Store: f.ledger, Refunder: f.refunder, Shop: cf.shop, Notes: cf.store,
		Changes: cf.changes, Now: cf.clock, Log: cf.log,
	})
	f.backoffice = returns.NewBackofficeService(returns.BackofficeDeps{
		Returns: f.returns, Access: cf.store, Timeline: cf.store, Notes: cf.store, Queue: &fakeQueue{},
		Staff: staffListFunc(func() ([]returns.Staff, error) { return nil, nil }), Ledger: f.ledger,
		Shop: cf.shop, Suggester: f.refunder, Changes: cf.changes, Now: cf.clock, Log: cf.log,
	})
	d := returns.ShopEventDeps{
		Inbox: f.inbox, ParseWebhook: parseTestWebhook, Returns: f.returns,
		Search:  searchFunc(func(q returns.QueueFilter) ([]returns.Return, error) { return f.search, nil }),
		Refunds: f.shopRefunds, Notices: memNotices{store: cf.store}, Portal: f.refunds, Changes: cf.changes,
		Mailer: cf.mailer, Orders: f.cache, Installation: f.installation,
		ShopRefunds: f.installation.GuardRefunds(f.remote),
		OpenOrders: openOrdersFunc(func(after string, limit int) ([]string, error) {
			var out []string
			for _, id := range f.open {
				if id > after && len(out) < limit {
					out = append(out, id)
				}
			}
			return out, nil
		}),
		Webhooks: f.installation.GuardWebhooks(f.hooks), Now: cf.clock, Log: cf.log,
	}
	for _, e := range edit {
		e(&d)
	}
	f.svc = returns.NewShopEventService(d)
	return f
}

// receive hands the service a delivery of ev with webhook id and fails the
// test on an error.
func (f *eventsFixture) receive(t *testing.T, id string, ev returns.ShopEvent) {
	t.Helper()
	h := returns.WebhookHeaders{WebhookID: id, ShopDomain: "linen.myshopify.com", TriggeredAt: f.now}
	if err := f.svc.Receive(context.Background(), ev.Topic, testPayload(ev), h); err != nil {
		t.Fatalf("Receive(%s %s): %v", ev.Topic, id, err)
	}
}

// state returns the inbox state of a webhook, failing the test when it is
// not stored.
func (f *eventsFixture) state(t *testing.T, id string) returns.InboxState {
	t.Helper()
	w, ok := f.inbox.byWebhookID(id)
	if !ok {
		t.Fatalf("webhook %s is not in the inbox", id)
	}
	return w.State
}

// emailsOf returns the queued emails of a kind.
func (f *eventsFixture) emailsOf(kind returns.EmailKind) []returns.OutboxMessage {
	var out []returns.OutboxMessage
	for _, m := range f.storedEmails() {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// merchantRefund is a refund made in Shopify admin on order #1001 of amount,
// of the lines given (none: money alone).
func merchantRefund(id string, amount int64, lines ...string) returns.ShopRefund {
	r := returns.ShopRefund{
		ID: "gid://shopify/Refund/" + id, OrderID: "gid://shopify/Order/1001", Note: "Goodwill",
		CreatedAt: serviceNow.Add(-time.Minute), Amount: eur(amount), Pending: eur(0),
	}
	for _, l := range lines {
		r.Lines = append(r.Lines, returns.ShopRefundLine{LineItemID: l, Quantity: 1, RestockType: "NO_RESTOCK"})
	}
	return r
}

// refundsCreate is the event of refunds/create telling of r.
func refundsCreate(r returns.ShopRefund) returns.ShopEvent {
	return returns.ShopEvent{Topic: returns.TopicRefundsCreate, OrderID: r.OrderID, OccurredAt: r.CreatedAt, Refund: &r}
}

// ordersUpdated is the event of orders/updated of #1001 at at.
func ordersUpdated(at time.Time) returns.ShopEvent {
	return returns.ShopEvent{Topic: returns.TopicOrdersUpdated, OrderID: "gid://shopify/Order/1001", OccurredAt: at,
		Order: &returns.ShopOrderUpdate{ID: "gid://shopify/Order/1001", Name: "#1001", UpdatedAt: at}}
}

func TestReceive(t *testing.T) {
	ctx := context.Background()
	t.Run("StoredOnceAppliedOnce", func(t *testing.T) {
		f := newEventsFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ev := refundsCreate(merchantRefund("501", 1000))
		f.receive(t, "w-1", ev)
		f.receive(t, "w-1", ev)
		if n := f.inbox.count(); n != 1 {
			t.Fatalf("the inbox holds %d webhooks, want 1", n)
		}
		w, _ := f.inbox.byWebhookID("w-1")
		if w.State != returns.InboxPending || w.OrderID != "gid://shopify/Order/1001" || !w.OccurredAt.Equal(ev.OccurredAt) ||
			w.ShopDomain != "linen.myshopify.com" || !w.ReceivedAt.Equal(serviceNow) {
			t.Fatalf("stored %+v", w)
		}
		f.svc.ProcessInbox(ctx)
		f.receive(t, "w-1", ev)
		f.svc.ProcessInbox(ctx)
		if got := f.ledger.all(); len(got) != 1 || got[0].Amount != eur(1000) {
			t.Fatalf("ledger = %+v, want the refund once", got)
		}
		if n := countEvents(f.store, r.ID, returns.EventShopifyRefund); n != 1 {
			t.Errorf("%d refund events on the timeline, want 1", n)
		}
		if st := f.state(t, "w-1"); st != returns.InboxApplied {
			t.Errorf("state = %s", st)
		}
	})

	t.Run("TopicNotUsed", func(t *testing.T) {
		f := newEventsFixture(t)
		if err := f.svc.Receive(ctx, "products/update", []byte(`{}`), returns.WebhookHeaders{WebhookID: "w-2"}); err != nil {
			t.Fatal(err)
		}
		if n := f.inbox.count(); n != 0 {
			t.Fatalf("stored %d webhooks of a topic the portal does not use", n)
		}
		if !strings.Contains(f.logs.String(), "products/update") {
			t.Error("the unused topic is not logged")
		}
	})

	t.Run("UnreadablePayloadStoredAsFailed", func(t *testing.T) {
		f := newEventsFixture(t)
		if err := f.svc.Receive(ctx, returns.TopicRefundsCreate, []byte("garbage"), returns.WebhookHeaders{WebhookID: "w-3"}); err != nil {
			t.Fatal(err)
		}
		w, ok := f.inbox.byWebhookID("w-3")
		if !ok || w.State != returns.InboxFailed || !strings.Contains(w.LastError, "could not be read") || string(w.Body) != "garbage" || w.AppliedAt.IsZero() {
			t.Fatalf("stored %+v, %v", w, ok)
		}
		if !strings.Contains(f.logs.String(), "could not be read") {
			t.Error("the failure is not logged")
		}
		f.svc.ProcessInbox(ctx)
		if w, _ := f.inbox.byWebhookID("w-3"); w.State != returns.InboxFailed || w.Attempts != 0 {
			t.Errorf("after a pass: %+v", w)
		}
	})

	t.Run("OldDeliveryRefused", func(t *testing.T) {
		f := newEventsFixture(t)
		h := returns.WebhookHeaders{WebhookID: "w-4", TriggeredAt: serviceNow.Add(-returns.WebhookRetention - time.Hour)}
		if err := f.svc.Receive(ctx, returns.TopicAppUninstalled, testPayload(returns.ShopEvent{Topic: returns.TopicAppUninstalled, Uninstalled: &returns.ShopUninstall{}}), h); err != nil {
			t.Fatal(err)
		}
		if n := f.inbox.count(); n != 0 {
			t.Fatalf("an old delivery was stored")
		}
	})

	t.Run("NoWebhookID", func(t *testing.T) {
		f := newEventsFixture(t)
		body := testPayload(ordersUpdated(serviceNow))
		for range 2 {
			if err := f.svc.Receive(ctx, returns.TopicOrdersUpdated, body, returns.WebhookHeaders{}); err != nil {
				t.Fatal(err)
			}
		}
		other := testPayload(ordersUpdated(serviceNow.Add(time.Second)))
		if err := f.svc.Receive(ctx, returns.TopicOrdersUpdated, other, returns.WebhookHeaders{}); err != nil {
			t.Fatal(err)
		}
		if n := f.inbox.count(); n != 2 {
			t.Fatalf("the inbox holds %d webhooks, want 2: the same body once, another body beside it", n)
		}
		f.inbox.mu.Lock()
		id := f.inbox.rows[0].WebhookID
		f.inbox.mu.Unlock()
		if !strings.HasPrefix(id, "sha256:") {
			t.Errorf("webhook id %q", id)
		}
	})

	t.Run("NotStored", func(t *testing.T) {
		f := newEventsFixture(t, func(d *returns.ShopEventDeps) { d.Inbox = failingInbox{f: &memInbox{}} })
		err := f.svc.Receive(ctx, returns.TopicOrdersUpdated, testPayload(ordersUpdated(serviceNow)), returns.WebhookHeaders{WebhookID: "w-5"})
		if err == nil {
			t.Fatal("Receive did not say the webhook was not stored")
		}
	})
}

// failingInbox is an inbox whose store fails.
type failingInbox struct{ f *memInbox }

func (i failingInbox) ReceiveWebhook(ctx context.Context, w *returns.InboxWebhook) (bool, error) {
	return false, errors.New("disk I/O error")
}
func (i failingInbox) PendingWebhooks(ctx context.Context, at time.Time, id int64, limit int) ([]returns.InboxWebhook, error) {
	return i.f.PendingWebhooks(ctx, at, id, limit)
}
func (i failingInbox) SettleWebhook(ctx context.Context, id int64, out returns.WebhookOutcome) error {
	return i.f.SettleWebhook(ctx, id, out)
}
func (i failingInbox) RetryWebhook(ctx context.Context, id int64, next time.Time, e string) error {
	return i.f.RetryWebhook(ctx, id, next, e)
}
func (i failingInbox) OrderWatermark(ctx context.Context, id string) (time.Time, error) {
	return i.f.OrderWatermark(ctx, id)
}
func (i failingInbox) ForgetWebhookBodies(ctx context.Context) (int64, error) {
	return i.f.ForgetWebhookBodies(ctx)
}
func (i failingInbox) PruneWebhooks(ctx context.Context, before time.Time) (int64, error) {
	return i.f.PruneWebhooks(ctx, before)
}

// countEvents counts a return's events of a type.
func countEvents(m *memStore, returnID int64, typ returns.EventType) int {
	n := 0
	for _, t := range m.eventTypes(returnID) {
		if t == typ {
			n++
		}
	}
	return n
}

// TestOrderUpdates: an orders/updated older than one applied for its order is
// stale and not applied; two that wait together are applied in the order of
// their time, so neither is stale; applying one drops the order kept in the
// cache, so the next page reads it fresh.
func TestOrderUpdates(t *testing.T) {
	ctx := context.Background()
	t.Run("OlderAfterNewerIsStale", func(t *testing.T) {
		f := newEventsFixture(t)
		o := testOrder()
		returns.CacheOrder(f.cache, o, serviceNow)
		f.receive(t, "newer", ordersUpdated(serviceNow.Add(-time.Minute)))
		f.svc.ProcessInbox(ctx)
		if returns.CachedOrder(f.cache, o.ID, serviceNow) != nil {
			t.Error("the order is still kept after orders/updated")
		}
		returns.CacheOrder(f.cache, o, serviceNow)
		f.receive(t, "older", ordersUpdated(serviceNow.Add(-2*time.Minute)))
		f.svc.ProcessInbox(ctx)
		if st := f.state(t, "newer"); st != returns.InboxApplied {
			t.Errorf("newer: %s", st)
		}
		if st := f.state(t, "older"); st != returns.InboxStale {
			t.Errorf("older: %s, want stale", st)
		}
		if returns.CachedOrder(f.cache, o.ID, serviceNow) == nil {
			t.Error("a stale update dropped the kept order")
		}
		// The same time as the newest applied is not older: applied.
		f.receive(t, "same", ordersUpdated(serviceNow.Add(-time.Minute)))
		f.svc.ProcessInbox(ctx)
		if st := f.state(t, "same"); st != returns.InboxApplied {
			t.Errorf("same time: %s", st)
		}
	})

	t.Run("WaitingTogetherAppliedInTimeOrder", func(t *testing.T) {
		f := newEventsFixture(t)
		f.receive(t, "newer", ordersUpdated(serviceNow.Add(-time.Minute)))
		f.receive(t, "older", ordersUpdated(serviceNow.Add(-2*time.Minute)))
		f.svc.ProcessInbox(ctx)
		for _, id := range []string{"newer", "older"} {
			if st := f.state(t, id); st != returns.InboxApplied {
				t.Errorf("%s: %s, want applied", id, st)
			}
		}
	})
}

// TestInboxRetries: an event that fails to apply is tried again after the
// backoff, never dropped, and the later events of its order wait behind it,
// while other orders' events go on.
func TestInboxRetries(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	f.addReturn(returns.StatusApproved)
	fail := true
	f.shopRefunds.RecordShopRefundFn = func(*returns.Refund) error {
		if fail {
			return errors.New("database is locked")
		}
		return nil
	}
	f.receive(t, "refund", refundsCreate(merchantRefund("501", 1000)))
	f.receive(t, "update", ordersUpdated(serviceNow))
	other := ordersUpdated(serviceNow)
	other.OrderID, other.Order.ID = "gid://shopify/Order/1002", "gid://shopify/Order/1002"
	f.receive(t, "other", other)

	for attempt := 1; attempt <= 3; attempt++ {
		f.svc.ProcessInbox(ctx)
		w, _ := f.inbox.byWebhookID("refund")
		if w.State != returns.InboxPending || w.Attempts != attempt || !strings.Contains(w.LastError, "database is locked") {
			t.Fatalf("attempt %d: %+v", attempt, w)
		}
		if want := f.now.Add(returns.Backoff(attempt, returns.RetryFirst, returns.RetryAtMost)); !w.NextAttemptAt.Equal(want) {
			t.Fatalf("attempt %d: next at %v, want %v", attempt, w.NextAttemptAt, want)
		}
		if st := f.state(t, "update"); st != returns.InboxPending {
			t.Fatalf("the order's later event is %s while its refund waits", st)
		}
		// Not due yet: a pass now changes nothing.
		f.svc.ProcessInbox(ctx)
		if w2, _ := f.inbox.byWebhookID("refund"); w2.Attempts != attempt {
			t.Fatalf("tried again before it was due")
		}
		f.now = w.NextAttemptAt
	}
	if st := f.state(t, "other"); st != returns.InboxApplied {
		t.Errorf("another order's event is %s", st)
	}
	fail = false
	f.svc.ProcessInbox(ctx)
	for _, id := range []string{"refund", "update"} {
		if st := f.state(t, id); st != returns.InboxApplied {
			t.Errorf("%s: %s once the store works again", id, st)
		}
	}
	if n := len(f.ledger.all()); n != 1 {
		t.Errorf("%d refunds booked, want 1", n)
	}
}

// TestInboxPassFailures: a pass that cannot read the inbox applies nothing;
// a webhook whose outcome cannot be recorded stays pending, and applied
// again it books nothing more.
func TestInboxPassFailures(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	r := f.addReturn(returns.StatusApproved)
	f.receive(t, "refund", refundsCreate(merchantRefund("501", 1000)))
	f.inbox.PendingWebhooksFn = func() error { return errors.New("disk I/O error") }
	f.svc.ProcessInbox(ctx)
	if len(f.ledger.all()) != 0 || !strings.Contains(f.logs.String(), "read pending webhooks") {
		t.Fatal("a pass that could not read the inbox applied something, or said nothing")
	}
	f.inbox.PendingWebhooksFn = nil
	f.inbox.SettleWebhookFn = func(int64) error { return errors.New("disk I/O error") }
	f.svc.ProcessInbox(ctx)
	f.inbox.SettleWebhookFn = nil
	if st := f.state(t, "refund"); st != returns.InboxPending {
		t.Fatalf("state %s after its record failed", st)
	}
	f.svc.ProcessInbox(ctx)
	if st := f.state(t, "refund"); st != returns.InboxApplied {
		t.Fatalf("state %s", st)
	}
	if n, m := len(f.ledger.all()), countEvents(f.store, r.ID, returns.EventShopifyRefund); n != 1 || m != 1 {
		t.Errorf("%d refunds and %d events after applying it twice, want 1 and 1", n, m)
	}
}

// TestRunAppliesWhatWasLeft: Run applies at once every webhook left pending,
// due or not (a process stopped before it applied them), and then each new
// one as Receive stores it.
func TestRunAppliesWhatWasLeft(t *testing.T) {
	f := newEventsFixture(t)
	f.receive(t, "left", ordersUpdated(serviceNow.Add(-time.Hour)))
	f.inbox.mu.Lock()
	f.inbox.rows[0].NextAttemptAt = serviceNow.Add(time.Hour) // as after a failed attempt
	f.inbox.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.svc.Run(ctx, time.Hour)
	}()
	defer func() {
		cancel()
		waitFor(t, done, "Run to stop")
	}()
	waitUntil(t, "the webhook left pending to be applied", func() bool {
		w, _ := f.inbox.byWebhookID("left")
		return w.State == returns.InboxApplied
	})
	if err := f.svc.Receive(context.Background(), returns.TopicOrdersUpdated, testPayload(ordersUpdated(serviceNow)), returns.WebhookHeaders{WebhookID: "new"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the new webhook to be applied", func() bool {
		w, _ := f.inbox.byWebhookID("new")
		return w.State == returns.InboxApplied
	})
}

// waitUntil fails the test unless ok holds within a generous cap: a check of
// liveness, not of timing.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestPortalRefundFromShopify: refunds/create of the portal's own refund (its
// key in the note) settles the refund in the ledger as the reconciler would,
// with the return's move and the customer's email; nothing new is booked,
// and a refund settled already is left alone.
func TestPortalRefundFromShopify(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	r := f.addReturn(returns.StatusItemReceived)
	ref := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, time.Minute))
	own := merchantRefund("777", 2400)
	own.Note = "Return " + r.Code + " (refund " + testKey + ")"
	f.receive(t, "w-1", refundsCreate(own))
	f.svc.ProcessInbox(ctx)

	got := f.ledger.byID(t, ref.ID)
	if got.State != returns.RefundSucceeded || got.ShopifyID != own.ID {
		t.Fatalf("the portal's refund is %+v", got)
	}
	if n := len(f.ledger.all()); n != 1 {
		t.Fatalf("%d refunds in the ledger, want the portal's one", n)
	}
	if st := f.status(t, r.ID); st != returns.StatusRefunded {
		t.Errorf("status %s", st)
	}
	if n := len(f.emailsOf(returns.EmailRefunded)); n != 1 {
		t.Errorf("%d refunded emails", n)
	}
	if created, found := f.refunder.calls(); len(created) != 0 || len(found) != 0 {
		t.Errorf("Shopify was asked: %v %v", created, found)
	}

	// A second delivery of another event of the same refund, and the same
	// refund found by the periodic pass, change nothing.
	f.receive(t, "w-2", refundsCreate(own))
	f.svc.ProcessInbox(ctx)
	if n := len(f.emailsOf(returns.EmailRefunded)); n != 1 || len(f.ledger.all()) != 1 {
		t.Errorf("after a second delivery: %d emails, %d refunds", n, len(f.ledger.all()))
	}

	// A key the ledger has for no return of the order is not the portal's:
	// the refund is the merchant's.
	f2 := newEventsFixture(t)
	r2 := f2.addReturn(returns.StatusApproved)
	stray := merchantRefund("778", 1000)
	stray.Note = "Return R-OTHER (refund " + otherKey + ")"
	f2.receive(t, "w-3", refundsCreate(stray))
	f2.svc.ProcessInbox(ctx)
	if got := f2.ledger.all(); len(got) != 1 || got[0].Source != returns.RefundFromShopify || got[0].ReturnID != r2.ID {
		t.Errorf("ledger %+v", got)
	}
}

// TestMerchantRefunds: a refund made in Shopify admin is booked to the return
// it belongs to, in the ledger (succeeded, from Shopify, keyed by its GID,
// by no staff member) and on the timeline; when the return's refunds cover
// what it is worth, the return moves to refunded through the one path of
// status changes, with one email and a line on the order. A refund of no
// return shows on the order's returns' timelines only.
func TestMerchantRefunds(t *testing.T) {
	ctx := context.Background()
	apply := func(t *testing.T, f *eventsFixture, id string, ref returns.ShopRefund) {
		t.Helper()
		f.receive(t, id, refundsCreate(ref))
		f.svc.ProcessInbox(ctx)
		if st := f.state(t, id); st != returns.InboxApplied {
			t.Fatalf("%s: %s", id, st)
		}
	}

	t.Run("ByLinesThenCovering", func(t *testing.T) {
		f := newEventsFixture(t)
		older := f.addReturn(returns.StatusDeclined)
		r := f.addReturn(returns.StatusApproved)
		apply(t, f, "w-1", merchantRefund("501", 1000, "L1"))
		got := f.ledger.all()
		if len(got) != 1 {
			t.Fatalf("ledger %+v", got)
		}
		want := returns.Refund{
			ID: got[0].ID, ReturnID: r.ID, OrderID: r.OrderID, Amount: eur(1000), IdempotencyKey: "shopify:gid://shopify/Refund/501",
			State: returns.RefundSucceeded, ShopifyID: "gid://shopify/Refund/501", Reason: "refunded in Shopify admin",
			Source: returns.RefundFromShopify, CreatedAt: serviceNow.Add(-time.Minute), UpdatedAt: serviceNow,
		}
		if got[0] != want {
			t.Fatalf("booked\n%+v\nwant\n%+v", got[0], want)
		}
		if n := countEvents(f.store, r.ID, returns.EventShopifyRefund); n != 1 || countEvents(f.store, older.ID, returns.EventShopifyRefund) != 0 {
			t.Errorf("refund events: %v / %v", f.store.eventTypes(r.ID), f.store.eventTypes(older.ID))
		}
		if st := f.status(t, r.ID); st != returns.StatusApproved || len(f.storedEmails()) != 0 {
			t.Fatalf("a part refund moved the return to %s or emailed", st)
		}

		// The rest of what the return is worth (24.00), money alone.
		apply(t, f, "w-2", merchantRefund("502", 1400))
		if st := f.status(t, r.ID); st != returns.StatusRefunded {
			t.Fatalf("status %s after the refunds cover the return", st)
		}
		emails := f.emailsOf(returns.EmailRefunded)
		if len(emails) != 1 || emails[0].ReturnID != r.ID {
			t.Fatalf("refunded emails %+v", emails)
		}
		if d := f.emails.rendered[len(f.emails.rendered)-1]; d.Amount != eur(2400) {
			t.Errorf("the email tells of %v, want what the return got in all", d.Amount)
		}
		if ups := f.orderUpdates(); len(ups) != 1 || !strings.Contains(ups[0].Note, r.Code+": refunded 24.00 EUR (in Shopify admin)") {
			t.Errorf("order updates %+v", ups)
		}
		evs := f.store.eventTypes(r.ID)
		if i := slices.Index(evs, returns.EventRefunded); i < 0 || f.store.events[len(f.store.events)-1].Actor != returns.ActorSystem {
			t.Errorf("timeline %v", evs)
		}

		// Heard of again: nothing more.
		apply(t, f, "w-3", merchantRefund("502", 1400))
		if n := len(f.ledger.all()); n != 2 || len(f.emailsOf(returns.EmailRefunded)) != 1 {
			t.Errorf("after a second delivery: %d refunds, %d emails", n, len(f.emailsOf(returns.EmailRefunded)))
		}
	})

	t.Run("LinesOfAReturnRefundedAlready", func(t *testing.T) {
		f := newEventsFixture(t)
		f.addReturn(returns.StatusCancelled)
		r := f.addReturn(returns.StatusRefunded)
		apply(t, f, "w-1", merchantRefund("501", 500, "L1"))
		if got := f.ledger.all(); len(got) != 1 || got[0].ReturnID != r.ID {
			t.Fatalf("ledger %+v", got)
		}
		if st := f.status(t, r.ID); st != returns.StatusRefunded || len(f.storedEmails()) != 0 {
			t.Errorf("status %s, %d emails", st, len(f.storedEmails()))
		}
	})

	t.Run("MoneyAloneToTheOnlyReturnAwaitingIt", func(t *testing.T) {
		f := newEventsFixture(t)
		f.addReturn(returns.StatusRequested)
		r := f.addReturn(returns.StatusItemReceived)
		f.addReturn(returns.StatusRefunded)
		apply(t, f, "w-1", merchantRefund("501", 2400))
		if got := f.ledger.all(); len(got) != 1 || got[0].ReturnID != r.ID {
			t.Fatalf("ledger %+v", got)
		}
		if st := f.status(t, r.ID); st != returns.StatusRefunded {
			t.Errorf("status %s", st)
		}
	})

	t.Run("NoReturnOfIt", func(t *testing.T) {
		for name, setup := range map[string]func(f *eventsFixture) returns.ShopRefund{
			"TwoAwaiting": func(f *eventsFixture) returns.ShopRefund {
				f.addReturn(returns.StatusApproved)
				f.addReturn(returns.StatusItemReceived)
				return merchantRefund("501", 1000)
			},
			"OtherLines": func(f *eventsFixture) returns.ShopRefund {
				f.addReturn(returns.StatusApproved)
				return merchantRefund("501", 5900, "L3")
			},
			"OtherCurrency": func(f *eventsFixture) returns.ShopRefund {
				f.addReturn(returns.StatusApproved)
				ref := merchantRefund("501", 1000)
				ref.Amount.Currency = "USD"
				return ref
			},
			"NoMoney": func(f *eventsFixture) returns.ShopRefund {
				f.addReturn(returns.StatusApproved)
				return merchantRefund("501", 0, "L1")
			},
		} {
			t.Run(name, func(t *testing.T) {
				f := newEventsFixture(t)
				ref := setup(f)
				apply(t, f, "w-1", ref)
				apply(t, f, "w-2", ref)
				if got := f.ledger.all(); len(got) != 0 {
					t.Fatalf("booked %+v", got)
				}
				for _, r := range f.store.returns {
					if n := countEvents(f.store, r.ID, returns.EventOrderRefund); n != 1 {
						t.Errorf("return %s has %d order refund events, want 1", r.Code, n)
					}
				}
				if known, _ := f.shopRefunds.ShopRefundKnown(ctx, ref.ID); !known {
					t.Error("the refund is not recorded")
				}
			})
		}
	})

	t.Run("OrderWithoutReturns", func(t *testing.T) {
		f := newEventsFixture(t)
		apply(t, f, "w-1", merchantRefund("501", 1000))
		if known, _ := f.shopRefunds.ShopRefundKnown(ctx, "gid://shopify/Refund/501"); known || len(f.ledger.all()) != 0 {
			t.Error("a refund of an order without returns was recorded")
		}
	})

	t.Run("ReturnMovedMeanwhile", func(t *testing.T) {
		f := newEventsFixture(t)
		r := f.addReturn(returns.StatusApproved)
		moved := false
		f.shopRefunds.RecordShopRefundFn = func(*returns.Refund) error {
			if !moved {
				// Staff shipped a replacement a moment before.
				moved = true
				f.store.mu.Lock()
				f.store.returns[0].Status = returns.StatusReplacementShipped
				f.store.mu.Unlock()
			}
			return nil
		}
		apply(t, f, "w-1", merchantRefund("501", 2400, "L1"))
		if got := f.ledger.all(); len(got) != 1 || got[0].ReturnID != r.ID {
			t.Fatalf("ledger %+v", got)
		}
		if st := f.status(t, r.ID); st != returns.StatusReplacementShipped || len(f.storedEmails()) != 0 {
			t.Errorf("status %s, %d emails", st, len(f.storedEmails()))
		}
	})
}

// TestRefundFormAfterMerchantRefund: a refund made in Shopify admin lowers
// what the refund form offers by its amount, does not stop a refund through
// the portal, and a refund above what is left is refused.
func TestRefundFormAfterMerchantRefund(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	r := f.addReturn(returns.StatusApproved)
	before, err := f.backoffice.StaffReturnView(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	f.receive(t, "w-1", refundsCreate(merchantRefund("501", 1000)))
	f.svc.ProcessInbox(ctx)
	after, err := f.backoffice.StaffReturnView(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	if before.Suggested != eur(2400) || after.Suggested != eur(1400) {
		t.Fatalf("the form offers %v before and %v after a merchant's refund of 10.00, want 24.00 and 14.00", before.Suggested, after.Suggested)
	}
	if _, err := f.refunds.Refund(ctx, 7, r.Code, returns.RefundInput{Key: testKey, Amount: "24.00"}); returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("a refund of 24.00 after 10.00 in Shopify admin: %v, want refused", err)
	}
	ref, err := f.refunds.Refund(ctx, 7, r.Code, returns.RefundInput{Key: otherKey, Amount: "14.00"})
	if err != nil || ref.State != returns.RefundSucceeded {
		t.Fatalf("the rest of the return: %+v, %v", ref, err)
	}
	if st := f.status(t, r.ID); st != returns.StatusRefunded {
		t.Errorf("status %s", st)
	}
}

// redactEvent is a compliance request of topic about anna.berzina@example.lv
// and order #1001.
func redactEvent(topic string) returns.ShopEvent {
	return returns.ShopEvent{Topic: topic, Redact: &returns.ShopRedact{
		ShopDomain: "linen.myshopify.com", CustomerID: "gid://shopify/Customer/7", CustomerEmail: "anna.berzina@example.lv",
		OrderIDs: []string{"gid://shopify/Order/1001", "gid://shopify/Order/1009"}, DataRequestID: "9001",
	}}
}

// TestRedactRequests: customers/redact and shop/redact go to the redaction
// service; without one they wait in the inbox, tried again, until one is
// wired; a failure of the service is tried again too.
func TestRedactRequests(t *testing.T) {
	ctx := context.Background()
	t.Run("NoRedactorYet", func(t *testing.T) {
		f := newEventsFixture(t)
		f.receive(t, "w-1", redactEvent(returns.TopicCustomersRedact))
		f.svc.ProcessInbox(ctx)
		w, _ := f.inbox.byWebhookID("w-1")
		if w.State != returns.InboxPending || w.Attempts != 1 || !strings.Contains(w.LastError, "no redaction service") {
			t.Fatalf("%+v", w)
		}
		if !strings.Contains(f.logs.String(), "no redaction service") {
			t.Error("not logged")
		}
	})
	t.Run("Redacted", func(t *testing.T) {
		red := &fakeRedactor{}
		f := newEventsFixture(t, func(d *returns.ShopEventDeps) { d.Redactor = red })
		// Deliveries applied before, and one still waiting.
		f.receive(t, "before", ordersUpdated(serviceNow.Add(-time.Hour)))
		f.svc.ProcessInbox(ctx)
		f.inbox.OrderWatermarkFn = func(string) error { return errDisk }
		f.receive(t, "waiting", ordersUpdated(serviceNow.Add(time.Hour)))
		f.receive(t, "w-1", redactEvent(returns.TopicCustomersRedact))
		f.receive(t, "w-2", redactEvent(returns.TopicShopRedact))
		f.svc.ProcessInbox(ctx)
		for id, want := range map[string]bool{"before": false, "w-1": false, "w-2": false, "waiting": true} {
			if w, _ := f.inbox.byWebhookID(id); (len(w.Body) > 0) != want {
				t.Errorf("%s: body kept %v, want %v", id, len(w.Body) > 0, want)
			}
		}
		want := []string{"customer anna.berzina@example.lv [gid://shopify/Order/1001 gid://shopify/Order/1009]", "shop"}
		if !slices.Equal(red.calls, want) {
			t.Fatalf("redactor calls %q, want %q", red.calls, want)
		}
		for _, id := range []string{"w-1", "w-2"} {
			if st := f.state(t, id); st != returns.InboxApplied {
				t.Errorf("%s: %s", id, st)
			}
		}
	})
	t.Run("InboxNotEmptied", func(t *testing.T) {
		f := newEventsFixture(t, func(d *returns.ShopEventDeps) { d.Redactor = &fakeRedactor{} })
		f.inbox.ForgetWebhookBodiesFn = func() error { return errDisk }
		f.receive(t, "w-1", redactEvent(returns.TopicCustomersRedact))
		f.svc.ProcessInbox(ctx)
		if w, _ := f.inbox.byWebhookID("w-1"); w.State != returns.InboxPending || w.Attempts != 1 {
			t.Fatalf("%+v", w)
		}
	})
	t.Run("RedactorRefuses", func(t *testing.T) {
		red := &fakeRedactor{err: returns.Errorf(returns.EINVALID, "Give the customer’s email address or their orders.")}
		f := newEventsFixture(t, func(d *returns.ShopEventDeps) { d.Redactor = red })
		f.receive(t, "w-1", redactEvent(returns.TopicCustomersRedact))
		f.svc.ProcessInbox(ctx)
		if w, _ := f.inbox.byWebhookID("w-1"); w.State != returns.InboxFailed || !strings.Contains(w.LastError, "email address or their orders") {
			t.Fatalf("%+v", w)
		}
	})
	t.Run("RedactorFails", func(t *testing.T) {
		red := &fakeRedactor{err: errors.New("disk I/O error")}
		f := newEventsFixture(t, func(d *returns.ShopEventDeps) { d.Redactor = red })
		f.receive(t, "w-1", redactEvent(returns.TopicShopRedact))
		f.svc.ProcessInbox(ctx)
		if w, _ := f.inbox.byWebhookID("w-1"); w.State != returns.InboxPending || w.Attempts != 1 {
			t.Fatalf("%+v", w)
		}
	})
}

// TestDataRequest: customers/data_request emails staff what Shopify asks for
// (the customer, the orders by name, the customer's returns) and records it
// on each of the customer's returns, once.
func TestDataRequest(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	r := f.addReturn(returns.StatusApproved)
	elsewhere := f.addReturn(returns.StatusClosed, func(x *returns.Return) { x.OrderID, x.OrderName = "gid://shopify/Order/1004", "#1004" })
	f.search = []returns.Return{*elsewhere, *r}
	f.receive(t, "w-1", redactEvent(returns.TopicCustomersDataRequest))
	f.receive(t, "w-2", redactEvent(returns.TopicCustomersDataRequest)) // the same request again
	f.svc.ProcessInbox(ctx)

	notices := f.emailsOf(returns.EmailStaffDataRequest)
	if len(notices) != 1 || notices[0].To != "team@shop.example" || notices[0].DedupeKey != "data-request:9001" {
		t.Fatalf("notices %+v", notices)
	}
	var n *returns.StaffNotice
	for _, d := range f.emails.rendered {
		if d.Kind == returns.EmailStaffDataRequest {
			n = d.Notice
		}
	}
	wantOrders := []string{"#1001", "gid://shopify/Order/1009 (no return in the portal)"}
	wantReturns := []string{r.Code + " (order #1001)", elsewhere.Code + " (order #1004)"}
	if n == nil || n.CustomerEmail != "anna.berzina@example.lv" || n.DataRequestID != "9001" || !slices.Equal(n.Orders, wantOrders) || !slices.Equal(n.ReturnCodes, wantReturns) {
		t.Fatalf("the notice says %+v", n)
	}
	for _, x := range []*returns.Return{r, elsewhere} {
		if c := countEvents(f.store, x.ID, returns.EventDataRequest); c != 1 {
			t.Errorf("return %s has %d data request events, want 1", x.Code, c)
		}
	}
	if f.woken.Load() == 0 {
		t.Error("the mail worker was not woken")
	}

	// Without a staff address it is still recorded, and logged.
	g := newEventsFixture(t)
	g.settings.StaffEmail = ""
	g.addReturn(returns.StatusApproved)
	g.receive(t, "w-1", redactEvent(returns.TopicCustomersDataRequest))
	g.svc.ProcessInbox(ctx)
	if len(g.storedEmails()) != 0 || countEvents(g.store, g.store.returns[0].ID, returns.EventDataRequest) != 1 || !strings.Contains(g.logs.String(), "no staff email address") {
		t.Error("a data request without a staff address is not recorded and logged")
	}
}

// TestSweep: the periodic pass reads the refunds of the orders with open
// returns and takes in those not heard of, as refunds/create would have; it
// asks about a bounded number of orders a pass, going on after the last, and
// asks nothing while the app is uninstalled. It prunes the inbox too.
func TestSweep(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	r := f.addReturn(returns.StatusApproved)
	ref := merchantRefund("501", 2400)
	f.remote.add(ref)
	for i := range 30 {
		f.open = append(f.open, "gid://shopify/Order/"+string(rune('a'+i)))
	}
	f.open = append([]string{"gid://shopify/Order/1001"}, f.open...)
	slices.Sort(f.open)

	f.svc.Sweep(ctx)
	if len(f.inbox.pruned) != 1 || !f.inbox.pruned[0].Equal(serviceNow.Add(-returns.WebhookRetention)) {
		t.Errorf("pruned %v", f.inbox.pruned)
	}
	first := f.remote.readCount()
	if first == 0 || first >= len(f.open) {
		t.Fatalf("one pass read %d of %d orders, want a bounded number", first, len(f.open))
	}
	f.svc.Sweep(ctx)
	f.remote.mu.Lock()
	reads := slices.Clone(f.remote.reads)
	f.remote.mu.Unlock()
	seen := map[string]int{}
	for _, id := range reads {
		seen[id]++
	}
	if len(seen) != len(f.open) {
		t.Fatalf("two passes read %d of %d orders: %v", len(seen), len(f.open), reads)
	}
	if got := f.ledger.all(); len(got) != 1 || got[0].ShopifyID != ref.ID || got[0].ReturnID != r.ID {
		t.Fatalf("ledger %+v", got)
	}
	if st := f.status(t, r.ID); st != returns.StatusRefunded || len(f.emailsOf(returns.EmailRefunded)) != 1 {
		t.Errorf("status %s", st)
	}
	if !strings.Contains(f.logs.String(), "periodic pass") {
		t.Error("the log does not say the periodic pass found it")
	}
	// Its webhook comes late: nothing more.
	f.receive(t, "late", refundsCreate(ref))
	f.svc.ProcessInbox(ctx)
	if len(f.ledger.all()) != 1 || len(f.emailsOf(returns.EmailRefunded)) != 1 {
		t.Error("the late webhook booked the refund again")
	}

	// A read that fails is logged and the pass goes on.
	f.remote.RefundsFn = func(orderID string) ([]returns.ShopRefund, error) {
		return nil, returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering.")
	}
	f.svc.Sweep(ctx)
	if !strings.Contains(f.logs.String(), "read an order's refunds") {
		t.Error("a failed read is not logged")
	}

	// Uninstalled: nothing is asked.
	f.remote.RefundsFn = nil
	before := f.remote.readCount()
	f.receive(t, "bye", uninstalled())
	f.svc.ProcessInbox(ctx)
	f.svc.Sweep(ctx)
	if n := f.remote.readCount(); n != before {
		t.Errorf("the pass read %d orders while the app is uninstalled", n-before)
	}
}

// TestEnsureSubscriptions subscribes to the portal's topics at the address
// given and logs what was created, in place and elsewhere.
func TestEnsureSubscriptions(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	f.hooks.setup = &returns.WebhookSetup{
		Created:   []returns.ShopWebhook{{Topic: returns.TopicRefundsCreate, URI: "https://returns.example.com/webhooks/shopify"}},
		Existing:  []returns.ShopWebhook{{Topic: returns.TopicOrdersUpdated, URI: "https://returns.example.com/webhooks/shopify"}},
		Elsewhere: []returns.ShopWebhook{{Topic: returns.TopicAppUninstalled, URI: "https://old.example.com/hooks"}},
	}
	setup, err := f.svc.EnsureSubscriptions(ctx, "https://returns.example.com/webhooks/shopify")
	if err != nil || setup != f.hooks.setup {
		t.Fatalf("%+v, %v", setup, err)
	}
	if want := "https://returns.example.com/webhooks/shopify " + fmt.Sprint(returns.SubscribedTopics); len(f.hooks.asked) != 1 || f.hooks.asked[0] != want {
		t.Errorf("asked %q", f.hooks.asked)
	}
	logs := f.logs.String()
	for _, want := range []string{"webhook subscription created", "webhook subscription in place", "points elsewhere", "https://old.example.com/hooks"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	f.hooks.err = returns.Errorf(returns.EUNAVAILABLE, "Shopify refused.")
	if _, err := f.svc.EnsureSubscriptions(ctx, "https://returns.example.com/webhooks/shopify"); returns.ErrorCode(err) != returns.EUNAVAILABLE {
		t.Errorf("refused: %v", err)
	}
}

var errDisk = errors.New("disk I/O error")

// TestShopEventFailures: whatever fails while a webhook is applied (a store,
// the settings, the ledger) leaves it pending, to be tried again later, with
// nothing half done that a second attempt would do twice; a payload that
// cannot be read at all fails for good.
func TestShopEventFailures(t *testing.T) {
	ctx := context.Background()
	failingSettings := func() *returns.Mailer {
		return returns.NewMailer(&fakeEmails{}, settingsFunc(func(context.Context) (returns.Settings, error) { return returns.Settings{}, errDisk }),
			"https://returns.example.com", nil, func() time.Time { return serviceNow }, quietLog)
	}
	tests := []struct {
		name  string
		edit  func(d *returns.ShopEventDeps)
		setup func(f *eventsFixture)
		ev    returns.ShopEvent
		want  returns.InboxState
	}{
		{name: "WatermarkUnreadable", ev: ordersUpdated(serviceNow), want: returns.InboxPending,
			setup: func(f *eventsFixture) { f.inbox.OrderWatermarkFn = func(string) error { return errDisk } }},
		{name: "UninstallNotStored", ev: uninstalled(), want: returns.InboxPending,
			setup: func(f *eventsFixture) { f.install.MarkFn = func() error { return errDisk } }},
		{name: "UninstallStoredButNotReadBack", ev: uninstalled(), want: returns.InboxPending,
			setup: func(f *eventsFixture) {
				f.install.ShopUninstalledAtFn = func() (time.Time, error) { return time.Time{}, errDisk }
			}},
		{name: "SettingsUnreadableForUninstall", ev: uninstalled(), want: returns.InboxPending,
			edit: func(d *returns.ShopEventDeps) { d.Mailer = failingSettings() }},
		{name: "SettingsUnreadableForDataRequest", ev: redactEvent(returns.TopicCustomersDataRequest), want: returns.InboxPending,
			edit: func(d *returns.ShopEventDeps) { d.Mailer = failingSettings() }},
		{name: "SearchFails", ev: redactEvent(returns.TopicCustomersDataRequest), want: returns.InboxPending,
			edit: func(d *returns.ShopEventDeps) {
				d.Search = searchFunc(func(returns.QueueFilter) ([]returns.Return, error) { return nil, errDisk })
			}},
		{name: "RefundKnownUnreadable", ev: refundsCreate(merchantRefund("501", 1000)), want: returns.InboxPending,
			setup: func(f *eventsFixture) {
				f.shopRefunds.ShopRefundKnownFn = func(string) (bool, error) { return false, errDisk }
			}},
		{name: "OrderRefundNotStored", ev: refundsCreate(merchantRefund("501", 1000, "L3")), want: returns.InboxPending,
			setup: func(f *eventsFixture) {
				f.addReturn(returns.StatusApproved)
				f.shopRefunds.RecordOrderRefundFn = func() error { return errDisk }
			}},
		{name: "CoveringRefundNotStored", ev: refundsCreate(merchantRefund("501", 2400)), want: returns.InboxPending,
			setup: func(f *eventsFixture) {
				f.addReturn(returns.StatusApproved)
				f.shopRefunds.RecordShopRefundFn = func(*returns.Refund) error { return errDisk }
			}},
		{name: "PortalRefundsUnreadable", want: returns.InboxPending,
			ev: func() returns.ShopEvent {
				r := merchantRefund("501", 2400)
				r.Note = "Return R-7KQ9X2MD (refund " + testKey + ")"
				return refundsCreate(r)
			}(),
			setup: func(f *eventsFixture) {
				f.addReturn(returns.StatusApproved)
				f.ledger.RefundsByReturnFn = func(int64) ([]returns.Refund, error) { return nil, errDisk }
			}},
		{name: "PayloadUnreadableWhenApplied", ev: ordersUpdated(serviceNow), want: returns.InboxFailed,
			edit: func(d *returns.ShopEventDeps) {
				calls := 0
				d.ParseWebhook = func(topic string, body []byte, h returns.WebhookHeaders) (returns.ShopEvent, error) {
					if calls++; calls > 1 {
						return returns.ShopEvent{}, errors.New("a parser that changed meanwhile")
					}
					return parseTestWebhook(topic, body, h)
				}
			}},
		{name: "NoEventInThePayload", ev: returns.ShopEvent{Topic: returns.TopicAppUninstalled}, want: returns.InboxFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEventsFixture(t, func(d *returns.ShopEventDeps) {
				if tc.edit != nil {
					tc.edit(d)
				}
			})
			if tc.setup != nil {
				tc.setup(f)
			}
			f.receive(t, "w-1", tc.ev)
			f.svc.ProcessInbox(ctx)
			w, _ := f.inbox.byWebhookID("w-1")
			if w.State != tc.want {
				t.Fatalf("state %s, want %s (%+v)", w.State, tc.want, w)
			}
			if tc.want == returns.InboxPending && (w.Attempts != 1 || !w.NextAttemptAt.After(serviceNow) || w.LastError == "") {
				t.Errorf("not recorded for a retry: %+v", w)
			}
			if tc.want == returns.InboxFailed && (w.Attempts != 0 || w.LastError == "") {
				t.Errorf("not recorded as failed: %+v", w)
			}
			if n := len(f.ledger.all()); n != 0 && tc.name != "PortalRefundsUnreadable" {
				t.Errorf("%d refunds booked by an attempt that failed", n)
			}
		})
	}

	t.Run("RetryNotRecorded", func(t *testing.T) {
		f := newEventsFixture(t)
		f.inbox.OrderWatermarkFn = func(string) error { return errDisk }
		f.inbox.RetryWebhookFn = func(int64) error { return errDisk }
		f.receive(t, "w-1", ordersUpdated(serviceNow))
		f.svc.ProcessInbox(ctx)
		if w, _ := f.inbox.byWebhookID("w-1"); w.State != returns.InboxPending || !strings.Contains(f.logs.String(), "record failed webhook") {
			t.Errorf("%+v", w)
		}
	})

	t.Run("BookedMeanwhile", func(t *testing.T) {
		// The refund is in the ledger already though it was not known a
		// moment before (another pass booked it): nothing moves, no email.
		f := newEventsFixture(t)
		r := f.addReturn(returns.StatusApproved)
		ref := merchantRefund("501", 2400)
		f.ledger.add(returns.Refund{ReturnID: r.ID, OrderID: r.OrderID, Amount: eur(100), IdempotencyKey: returns.ShopRefundKey(ref.ID),
			State: returns.RefundSucceeded, ShopifyID: ref.ID, Source: returns.RefundFromShopify})
		f.shopRefunds.ShopRefundKnownFn = func(string) (bool, error) { return false, nil }
		f.receive(t, "w-1", refundsCreate(ref))
		f.svc.ProcessInbox(ctx)
		if st := f.status(t, r.ID); st != returns.StatusApproved || len(f.storedEmails()) != 0 || len(f.ledger.all()) != 1 {
			t.Errorf("status %s, %d emails, %d refunds", st, len(f.storedEmails()), len(f.ledger.all()))
		}
		if st := f.state(t, "w-1"); st != returns.InboxApplied {
			t.Errorf("state %s", st)
		}
	})

	t.Run("ReinstallNotStored", func(t *testing.T) {
		f := newEventsFixture(t)
		f.install.MarkFn = func() error { return errDisk }
		if err := f.svc.Reinstalled(ctx, serviceNow); !errors.Is(err, errDisk) {
			t.Errorf("Reinstalled: %v", err)
		}
	})
}

// TestSweepFailures: the periodic pass logs what fails and goes on where it
// can; when the app turns out uninstalled halfway, it stops asking.
func TestSweepFailures(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	f.open = []string{"gid://shopify/Order/1001", "gid://shopify/Order/1002", "gid://shopify/Order/1003"}
	f.inbox.PruneWebhooksFn = func() error { return errDisk }
	f.remote.RefundsFn = func(string) ([]returns.ShopRefund, error) { return nil, returns.ErrUninstalled(serviceNow) }
	f.svc.Sweep(ctx)
	if n := f.remote.readCount(); n != 1 {
		t.Errorf("the pass asked about %d orders after the app turned out uninstalled, want it to stop at the first", n)
	}
	if !strings.Contains(f.logs.String(), "delete old webhooks") {
		t.Error("a failed pruning is not logged")
	}

	f.addReturn(returns.StatusApproved)
	f.remote.RefundsFn = nil
	f.remote.add(merchantRefund("501", 1000))
	f.shopRefunds.RecordShopRefundFn = func(*returns.Refund) error { return errDisk }
	f.svc.Sweep(ctx)
	if !strings.Contains(f.logs.String(), "take in a refund found by the periodic pass") {
		t.Error("a refund not taken in is not logged")
	}

	g := newEventsFixture(t, func(d *returns.ShopEventDeps) {
		d.OpenOrders = openOrdersFunc(func(string, int) ([]string, error) { return nil, errDisk })
	})
	g.svc.Sweep(ctx)
	if !strings.Contains(g.logs.String(), "read orders with open returns") || g.remote.readCount() != 0 {
		t.Error("a failed list of orders is not logged, or the pass went on")
	}
}

// TestRunTicks: besides the wake-ups, Run looks at the inbox every interval
// and runs the periodic pass every SweepEvery.
func TestRunTicks(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	f := newEventsFixture(t, func(d *returns.ShopEventDeps) { d.SweepEvery = time.Millisecond })
	f.open = []string{"gid://shopify/Order/1001"}
	f.inbox.PendingWebhooksFn = func() error {
		if broken.Load() {
			return errDisk
		}
		return nil
	}
	f.receive(t, "w-1", ordersUpdated(serviceNow))
	// Drain the wake-up of Receive, so that only the ticker can apply it.
	f.svc.ProcessInbox(context.Background())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.svc.Run(ctx, time.Millisecond)
	}()
	defer func() {
		cancel()
		waitFor(t, done, "Run to stop")
	}()
	waitUntil(t, "several periodic passes", func() bool { return f.remote.readCount() >= 3 })
	broken.Store(false)
	waitUntil(t, "the webhook to be applied at a tick", func() bool {
		w, _ := f.inbox.byWebhookID("w-1")
		return w.State == returns.InboxApplied
	})
}
