package returns_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/returnsportal/returns"
)

// memInbox is the webhook inbox in memory, keeping the database's rules: one
// row per webhook id, compare-and-set on the state, watermarks that only move
// up. The …Fn fields, when set, fail the call first.
type memInbox struct {
	PendingWebhooksFn func() error
	SettleWebhookFn   func(id int64) error
	RetryWebhookFn    func(id int64) error
	OrderWatermarkFn  func(orderID string) error
	PruneWebhooksFn   func() error
	// ForgetWebhookBodiesFn fails ForgetWebhookBodies.
	ForgetWebhookBodiesFn func() error

	mu         sync.Mutex
	rows       []returns.InboxWebhook
	watermarks map[string]time.Time
	pruned     []time.Time // the times PruneWebhooks was asked to prune before
}

func (m *memInbox) ReceiveWebhook(ctx context.Context, w *returns.InboxWebhook) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rows {
		if r.WebhookID == w.WebhookID {
			return false, nil
		}
	}
	w.ID = int64(len(m.rows) + 1)
	m.rows = append(m.rows, *w)
	return true, nil
}

func (m *memInbox) PendingWebhooks(ctx context.Context, afterAt time.Time, afterID int64, limit int) ([]returns.InboxWebhook, error) {
	if m.PendingWebhooksFn != nil {
		if err := m.PendingWebhooksFn(); err != nil {
			return nil, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []returns.InboxWebhook
	for _, r := range m.rows {
		if r.State == returns.InboxPending && (r.OccurredAt.After(afterAt) || (r.OccurredAt.Equal(afterAt) && r.ID > afterID)) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b returns.InboxWebhook) int {
		if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out[:min(limit, len(out))], nil
}

func (m *memInbox) row(id int64) *returns.InboxWebhook {
	for i := range m.rows {
		if m.rows[i].ID == id {
			return &m.rows[i]
		}
	}
	return nil
}

func (m *memInbox) SettleWebhook(ctx context.Context, id int64, out returns.WebhookOutcome) error {
	if m.SettleWebhookFn != nil {
		if err := m.SettleWebhookFn(id); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.row(id)
	if r == nil || r.State != returns.InboxPending {
		return returns.Errorf(returns.ECONFLICT, "This webhook was settled already.")
	}
	r.State, r.AppliedAt, r.LastError = out.State, out.At, out.Error
	if out.ForgetBody {
		r.Body = nil
	}
	if !out.OrderUpdatedAt.IsZero() && out.State == returns.InboxApplied {
		if m.watermarks == nil {
			m.watermarks = map[string]time.Time{}
		}
		if out.OrderUpdatedAt.After(m.watermarks[r.OrderID]) {
			m.watermarks[r.OrderID] = out.OrderUpdatedAt
		}
	}
	return nil
}

func (m *memInbox) RetryWebhook(ctx context.Context, id int64, next time.Time, lastErr string) error {
	if m.RetryWebhookFn != nil {
		if err := m.RetryWebhookFn(id); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.row(id)
	if r == nil || r.State != returns.InboxPending {
		return fmt.Errorf("retry webhook %d: not pending", id)
	}
	r.Attempts++
	r.NextAttemptAt, r.LastError = next, lastErr
	return nil
}

func (m *memInbox) OrderWatermark(ctx context.Context, orderID string) (time.Time, error) {
	if m.OrderWatermarkFn != nil {
		if err := m.OrderWatermarkFn(orderID); err != nil {
			return time.Time{}, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.watermarks[orderID], nil
}

func (m *memInbox) ForgetWebhookBodies(ctx context.Context) (int64, error) {
	if m.ForgetWebhookBodiesFn != nil {
		if err := m.ForgetWebhookBodiesFn(); err != nil {
			return 0, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for i := range m.rows {
		if m.rows[i].State != returns.InboxPending && len(m.rows[i].Body) > 0 {
			m.rows[i].Body = nil
			n++
		}
	}
	return int64(n), nil
}

func (m *memInbox) PruneWebhooks(ctx context.Context, before time.Time) (int64, error) {
	if m.PruneWebhooksFn != nil {
		if err := m.PruneWebhooksFn(); err != nil {
			return 0, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pruned = append(m.pruned, before)
	n := 0
	m.rows = slices.DeleteFunc(m.rows, func(r returns.InboxWebhook) bool {
		gone := r.State != returns.InboxPending && r.AppliedAt.Before(before)
		if gone {
			n++
		}
		return gone
	})
	return int64(n), nil
}

// byWebhookID returns the row of a webhook as the inbox holds it now.
func (m *memInbox) byWebhookID(id string) (returns.InboxWebhook, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rows {
		if r.WebhookID == id {
			return r, true
		}
	}
	return returns.InboxWebhook{}, false
}

// count returns how many rows the inbox holds.
func (m *memInbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

// memShopRefunds records refunds made in Shopify admin in a memLedger and the
// timelines of its memStore: a refund booked to a return goes to the ledger
// with its event and the return's move, or nothing does; an order refund is
// kept once. The …Fn fields, when set, fail the call first, or answer.
type memShopRefunds struct {
	ledger              *memLedger
	RecordShopRefundFn  func(ref *returns.Refund) error
	RecordOrderRefundFn func() error
	ShopRefundKnownFn   func(shopifyID string) (bool, error)

	mu           sync.Mutex
	orderRefunds map[string]returns.OrderRefund
}

func (m *memShopRefunds) ShopRefundKnown(ctx context.Context, shopifyID string) (bool, error) {
	if m.ShopRefundKnownFn != nil {
		return m.ShopRefundKnownFn(shopifyID)
	}
	m.mu.Lock()
	_, known := m.orderRefunds[shopifyID]
	m.mu.Unlock()
	for _, r := range m.ledger.all() {
		known = known || r.ShopifyID == shopifyID
	}
	return known, nil
}

func (m *memShopRefunds) RecordShopRefund(ctx context.Context, ref *returns.Refund, ev returns.Event, change *returns.Change) (bool, error) {
	if m.RecordShopRefundFn != nil {
		if err := m.RecordShopRefundFn(ref); err != nil {
			return false, err
		}
	}
	for _, r := range m.ledger.all() {
		if r.IdempotencyKey == ref.IdempotencyKey {
			return false, nil
		}
	}
	if change != nil {
		if err := m.ledger.store.Transition(ctx, *change); err != nil {
			return false, err
		}
	}
	*ref = m.ledger.add(*ref)
	return true, m.ledger.store.AddEvent(ctx, ev)
}

func (m *memShopRefunds) RecordOrderRefund(ctx context.Context, r returns.OrderRefund, evs []returns.Event) (bool, error) {
	if m.RecordOrderRefundFn != nil {
		if err := m.RecordOrderRefundFn(); err != nil {
			return false, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.orderRefunds[r.ShopifyID]; ok {
		return false, nil
	}
	if m.orderRefunds == nil {
		m.orderRefunds = map[string]returns.OrderRefund{}
	}
	m.orderRefunds[r.ShopifyID] = r
	for _, ev := range evs {
		if err := m.ledger.store.AddEvent(ctx, ev); err != nil {
			return false, err
		}
	}
	return true, nil
}

// memNotices queues staff notices in a memStore's outbox, once per dedupe
// key.
type memNotices struct{ store *memStore }

func (n memNotices) QueueStaffNotice(ctx context.Context, email *returns.OutboxMessage, evs []returns.Event) (bool, error) {
	n.store.mu.Lock()
	if email != nil {
		for _, m := range n.store.emails {
			if m.DedupeKey == email.DedupeKey {
				n.store.mu.Unlock()
				return false, nil
			}
		}
		n.store.queue(0, []returns.OutboxMessage{*email})
	}
	n.store.mu.Unlock()
	for _, ev := range evs {
		if err := n.store.AddEvent(ctx, ev); err != nil {
			return false, err
		}
	}
	return true, nil
}

// memInstallation keeps whether the app is installed, queueing the email of
// an uninstall in a memStore's outbox. ShopUninstalledAtFn, when set, answers
// instead.
type memInstallation struct {
	store               *memStore
	ShopUninstalledAtFn func() (time.Time, error)
	MarkFn              func() error // fails MarkUninstalled and MarkReinstalled

	mu                         sync.Mutex
	uninstalledAt, reinstalled time.Time
	reads                      int
}

func (m *memInstallation) ShopUninstalledAt(ctx context.Context) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.ShopUninstalledAtFn != nil {
		return m.ShopUninstalledAtFn()
	}
	return m.uninstalledAt, nil
}

func (m *memInstallation) MarkUninstalled(ctx context.Context, at time.Time, email *returns.OutboxMessage) (bool, error) {
	if m.MarkFn != nil {
		if err := m.MarkFn(); err != nil {
			return false, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.uninstalledAt.IsZero() || m.reinstalled.After(at) {
		return false, nil
	}
	m.uninstalledAt = at
	if email != nil {
		m.store.mu.Lock()
		m.store.queue(0, []returns.OutboxMessage{*email})
		m.store.mu.Unlock()
	}
	return true, nil
}

func (m *memInstallation) MarkReinstalled(ctx context.Context, at time.Time) (bool, error) {
	if m.MarkFn != nil {
		if err := m.MarkFn(); err != nil {
			return false, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.uninstalledAt.IsZero() || !m.uninstalledAt.Before(at) {
		return false, nil
	}
	m.uninstalledAt, m.reinstalled = time.Time{}, at
	return true, nil
}

// remoteRefunds is Shopify's refunds of orders, as the periodic pass reads
// them; it counts the reads.
type remoteRefunds struct {
	RefundsFn func(orderID string) ([]returns.ShopRefund, error)

	mu    sync.Mutex
	by    map[string][]returns.ShopRefund
	reads []string
}

func (r *remoteRefunds) Refunds(ctx context.Context, orderID string) ([]returns.ShopRefund, error) {
	r.mu.Lock()
	r.reads = append(r.reads, orderID)
	refs := slices.Clone(r.by[orderID])
	r.mu.Unlock()
	if r.RefundsFn != nil {
		return r.RefundsFn(orderID)
	}
	return refs, nil
}

func (r *remoteRefunds) add(ref returns.ShopRefund) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.by == nil {
		r.by = map[string][]returns.ShopRefund{}
	}
	r.by[ref.OrderID] = append(r.by[ref.OrderID], ref)
}

func (r *remoteRefunds) readCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reads)
}

// openOrdersFunc lists orders with open returns.
type openOrdersFunc func(after string, limit int) ([]string, error)

func (f openOrdersFunc) OrdersWithOpenReturns(ctx context.Context, after string, limit int) ([]string, error) {
	return f(after, limit)
}

// searchFunc finds returns as the queue's search does.
type searchFunc func(f returns.QueueFilter) ([]returns.Return, error)

func (f searchFunc) Queue(ctx context.Context, q returns.QueueFilter) ([]returns.Return, error) {
	return f(q)
}

// fakeRedactor records the compliance requests it is given.
type fakeRedactor struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (r *fakeRedactor) RedactCustomer(ctx context.Context, email string, orderIDs []string, source string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("customer %s %v", email, orderIDs))
	return len(orderIDs), r.err
}

func (r *fakeRedactor) RedactShop(ctx context.Context, source string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "shop")
	return 0, r.err
}

// fakeSubscriber is Shopify's webhook subscriptions: it answers with setup
// and err, and records the address and topics asked for.
type fakeSubscriber struct {
	setup *returns.WebhookSetup
	err   error
	asked []string
}

func (s *fakeSubscriber) EnsureWebhooks(ctx context.Context, uri string, topics []string) (*returns.WebhookSetup, error) {
	s.asked = append(s.asked, fmt.Sprintf("%s %v", uri, topics))
	return s.setup, s.err
}

// testPayload is how the tests' webhooks carry their event: the ShopEvent as
// JSON, read back by parseTestWebhook. A body of "garbage" cannot be read.
func testPayload(ev returns.ShopEvent) []byte {
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// parseTestWebhook reads testPayload's bodies, as shopify.ParseWebhook reads
// Shopify's.
func parseTestWebhook(topic string, body []byte, h returns.WebhookHeaders) (returns.ShopEvent, error) {
	var ev returns.ShopEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return returns.ShopEvent{}, returns.Errorf(returns.EINVALID, "The webhook’s payload could not be read.")
	}
	if ev.Topic != topic {
		return returns.ShopEvent{}, errors.New("the payload is of another topic")
	}
	ev.WebhookHeaders = h
	return ev, nil
}
