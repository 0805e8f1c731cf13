package returns

import (
	"context"
	"time"
)

// RefundState is where a refund stands in the exactly-once protocol (DESIGN.md).
type RefundState string

const (
	// RefundPending: the intent is stored and Shopify is being (or about to be)
	// asked. A pending refund that stays pending was cut off by a crash; the
	// reconciler finishes it.
	RefundPending RefundState = "pending"
	// RefundSucceeded: Shopify made the refund; ShopifyID is its id.
	RefundSucceeded RefundState = "succeeded"
	// RefundFailed: Shopify refused it (userErrors); nothing was refunded.
	RefundFailed RefundState = "failed"
	// RefundUnknown: the answer was lost (timeout, dropped connection, 5xx). The
	// reconciler asks again with the same idempotency key.
	RefundUnknown RefundState = "unknown"
)

// Refund is a refund of a return through Shopify, to the original payment method.
type Refund struct {
	ID             int64
	ReturnID       int64
	OrderID        string
	Amount         Money
	IdempotencyKey string // made when the refund form is shown; the same on every retry
	State          RefundState
	ShopifyID      string // the Shopify Refund GID, once succeeded
	Error          string // Shopify's refusal, for staff
	StaffID        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Settled reports whether the refund's outcome is final.
func (r *Refund) Settled() bool { return r.State == RefundSucceeded || r.State == RefundFailed }

// RefundStore keeps the refund ledger.
type RefundStore interface {
	// CreateRefund stores a pending refund and fills r.ID. When a refund with
	// r.IdempotencyKey exists, it stores nothing, loads that one into r and
	// reports created == false. It checks, in the same transaction, that the
	// refunds of the order that are not failed, with r, stay within limit, and
	// answers ECONFLICT otherwise.
	CreateRefund(ctx context.Context, r *Refund, limit Money) (created bool, err error)
	// SettleRefund records a refund's outcome, if it is still pending or unknown
	// (compare-and-set on the state; ECONFLICT otherwise). With a non-nil
	// change, the return's transition, its event and write-back commit in the
	// same transaction.
	SettleRefund(ctx context.Context, id int64, state RefundState, shopifyID, errMsg string, change *Change) error
	// UnsettledRefunds returns the refunds still unknown, and those pending since
	// before olderThan.
	UnsettledRefunds(ctx context.Context, olderThan time.Time) ([]Refund, error)
	// RefundsByReturn returns a return's refunds, oldest first.
	RefundsByReturn(ctx context.Context, returnID int64) ([]Refund, error)
}

// Change is a status change of a return with its timeline event and the
// write-back to the Shopify order, committed together.
type Change struct {
	ReturnID  int64
	From, To  Status
	Event     Event
	Writeback *Writeback
	Emails    []OutboxMessage // queued in the same transaction, ReturnID filled
}

// RefundRequest asks Shopify for a money-only refund to the original payment.
type RefundRequest struct {
	OrderID  string
	Key      string // the idempotency key
	Amount   Money
	Note     string // carries the return code and the key, so a refund can be found again
	ParentID string // the SALE or CAPTURE transaction refunded
	Gateway  string
}

// Refunder makes refunds through Shopify.
type Refunder interface {
	// SuggestRefund returns Shopify's suggested refund for returning items.
	SuggestRefund(ctx context.Context, orderID string, items []Item) (Money, error)
	// CreateRefund makes a refund with refundCreate @idempotent(key). Shopify's
	// refusal is an EINVALID error with its message; an answer that did not
	// come (timeout, dropped connection, 5xx) is an EUNKNOWN error: the refund
	// may or may not have been made, and asking again with the same key tells.
	CreateRefund(ctx context.Context, req RefundRequest) (shopifyID string, err error)
	// FindRefund looks for a refund of the order whose note holds key.
	FindRefund(ctx context.Context, orderID, key string) (shopifyID string, found bool, err error)
}

// EUNKNOWN is the code of an error whose outcome is unknown: the request may have
// been carried out.
const EUNKNOWN = "unknown_outcome"
