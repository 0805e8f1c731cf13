package returns

import (
	"context"
	"time"
)

// InboxState is where a webhook in the inbox stands.
type InboxState string

const (
	// InboxPending: stored and not applied yet, or to be tried again at its
	// NextAttemptAt.
	InboxPending InboxState = "pending"
	// InboxApplied: applied, once.
	InboxApplied InboxState = "applied"
	// InboxStale: an orders/updated older than one applied for its order
	// already; not applied.
	InboxStale InboxState = "stale"
	// InboxFailed: correctly signed, but its payload could not be read; kept
	// with the reason, never applied.
	InboxFailed InboxState = "failed"
)

// InboxWebhook is a webhook delivery from Shopify as the inbox keeps it: the
// raw body as it was signed, and where its processing stands. It is stored
// before the delivery is answered, and applied from the inbox, so that a
// delivery answered is never lost, even by a crash.
type InboxWebhook struct {
	ID int64
	// WebhookID is X-Shopify-Webhook-Id, the same on every retry of a
	// delivery: the inbox holds one row per WebhookID.
	WebhookID  string
	Topic      string
	ShopDomain string
	// OrderID is the GID of the order the event is about, "" for none.
	OrderID string
	// OccurredAt is the event's time: the payload's own (a refund's
	// created_at, an order's updated_at), else X-Shopify-Triggered-At, else
	// when it was received. The events of an order are applied in its order.
	OccurredAt time.Time
	ReceivedAt time.Time
	Body       []byte
	State      InboxState
	// Attempts counts the failed attempts to apply it; NextAttemptAt is when
	// the next is due.
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	// AppliedAt is when it left pending (applied, stale or failed).
	AppliedAt time.Time
}

// headers are the delivery's headers as the inbox keeps them, for reading its
// payload again.
func (w *InboxWebhook) headers() WebhookHeaders {
	return WebhookHeaders{WebhookID: w.WebhookID, ShopDomain: w.ShopDomain}
}

// WebhookOutcome is what applying a webhook from the inbox came to.
type WebhookOutcome struct {
	State InboxState // InboxApplied, InboxStale or InboxFailed
	At    time.Time
	Error string // why it failed
	// OrderUpdatedAt, when not zero, is the time of an orders/updated
	// applied: the order's watermark moves up to it in the same transaction.
	OrderUpdatedAt time.Time
	// ForgetBody empties the webhook's stored body with its outcome.
	ForgetBody bool
}

// WebhookInbox keeps the webhooks received from Shopify until they are
// applied, and for a while after.
type WebhookInbox interface {
	// ReceiveWebhook stores w and fills w.ID, unless a webhook with
	// w.WebhookID is stored already: then it stores nothing and reports
	// created == false.
	ReceiveWebhook(ctx context.Context, w *InboxWebhook) (created bool, err error)
	// PendingWebhooks returns up to limit pending webhooks, with their
	// bodies, in order of OccurredAt and then ID, after the webhook that
	// occurred at afterAt with ID afterID (the zero time and 0 for the
	// first).
	PendingWebhooks(ctx context.Context, afterAt time.Time, afterID int64, limit int) ([]InboxWebhook, error)
	// SettleWebhook records the outcome of a pending webhook; a webhook that
	// is not pending any more answers ECONFLICT.
	SettleWebhook(ctx context.Context, id int64, out WebhookOutcome) error
	// RetryWebhook records a failed attempt at a pending webhook and when to
	// try next.
	RetryWebhook(ctx context.Context, id int64, next time.Time, lastErr string) error
	// OrderWatermark returns the time of the newest orders/updated applied
	// for the order, or the zero time.
	OrderWatermark(ctx context.Context, orderID string) (time.Time, error)
	// ForgetWebhookBodies empties the stored bodies of the webhooks that are
	// not pending (their ids, topics and outcomes stay, for duplicates to be
	// recognised), and reports how many it emptied.
	ForgetWebhookBodies(ctx context.Context) (int64, error)
	// PruneWebhooks deletes the webhooks that left pending before before,
	// and the order watermarks older than it, and reports how many webhooks
	// it deleted. Pending ones are never deleted.
	PruneWebhooks(ctx context.Context, before time.Time) (int64, error)
}

// OrderRefund is a refund made in Shopify admin on an order with returns
// that the portal could not book to one of them.
type OrderRefund struct {
	ShopifyID string // the Refund GID
	OrderID   string
	Amount    Money
	CreatedAt time.Time
}

// ShopRefundStore records the refunds made in Shopify admin.
type ShopRefundStore interface {
	// ShopRefundKnown reports whether the Shopify refund with GID
	// shopifyID is in the refund ledger or among the order refunds
	// recorded.
	ShopRefundKnown(ctx context.Context, shopifyID string) (bool, error)
	// RecordShopRefund stores ref, a refund made in Shopify admin
	// (RefundFromShopify, succeeded), appends ev to its return's timeline
	// and, with a non-nil change, commits the return's move with them, in
	// one transaction. When a refund with ref.IdempotencyKey is in the
	// ledger already it stores nothing and reports created == false.
	RecordShopRefund(ctx context.Context, ref *Refund, ev Event, change *Change) (created bool, err error)
	// RecordOrderRefund records r with evs on its order's returns'
	// timelines, in one transaction, unless r is recorded already: then it
	// stores nothing and reports created == false.
	RecordOrderRefund(ctx context.Context, r OrderRefund, evs []Event) (created bool, err error)
}

// StaffNoticeStore queues notices to staff that are about no return.
type StaffNoticeStore interface {
	// QueueStaffNotice queues email, unless an email with its dedupe key is
	// queued already, and appends evs to their returns' timelines, in one
	// transaction; created is false, and nothing is stored, for an email
	// queued already. A nil email queues nothing and appends evs.
	QueueStaffNotice(ctx context.Context, email *OutboxMessage, evs []Event) (created bool, err error)
}

// OpenReturnOrders lists the orders the periodic pass over Shopify's refunds
// looks at.
type OpenReturnOrders interface {
	// OrdersWithOpenReturns returns up to limit order GIDs, in order, after
	// after ("" for the first), of the orders with a return that is not
	// closed, declined, cancelled or refunded.
	OrdersWithOpenReturns(ctx context.Context, after string, limit int) ([]string, error)
}
