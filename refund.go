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

// RefundSource says who made a refund in the ledger.
type RefundSource string

const (
	// RefundFromPortal: staff refunded through the portal, which stored the
	// refund before it asked Shopify (DESIGN.md, "Exactly-once refunds").
	RefundFromPortal RefundSource = "portal"
	// RefundFromShopify: the merchant refunded in Shopify admin; the portal
	// heard of it afterwards (refunds/create, or the periodic pass) and booked
	// it to the return it belongs to. It is a fact, stored as succeeded.
	RefundFromShopify RefundSource = "shopify"
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
	// Reason is why staff refunded more than the returned items are worth; empty
	// for a refund within their worth.
	Reason string
	// PartialReason is why staff refunded less than the returned items are
	// worth, in their words to the customer, who is shown it; empty for a
	// refund of their worth.
	PartialReason string
	// Worth is what the returned items were worth when the refund was made
	// (RefundService's offer), so the customer can be told "€29.00 of
	// €49.00"; zero for a refund made in Shopify admin.
	Worth Money
	// Shipping is what of Amount refunds the order's delivery: a withdrawal
	// of the whole order owes it (Return.DeliveryDue); zero for none.
	Shipping Money
	StaffID  int64 // 0 for a refund made in Shopify admin
	// Method is where the money goes: back to the order's payments, or as
	// store credit to the order's customer.
	Method RefundMethod
	// Source is who made the refund; the store fills RefundFromPortal when it
	// is empty.
	Source    RefundSource
	CreatedAt time.Time
	UpdatedAt time.Time
	// Payout is how the money of a succeeded refund reaches the customer
	// (its Error is in Error); ManualPaidAt and ManualPaidBy record staff's
	// confirmation that they paid its manual part.
	Payout       RefundPayout
	ManualPaidAt time.Time
	ManualPaidBy int64
}

// RefundMethod is where a refund's money goes.
type RefundMethod string

const (
	// RefundToPayments: back to the order's payments, split as Shopify
	// suggests.
	RefundToPayments RefundMethod = ""
	// RefundAsStoreCredit: store credit to the order's customer, spent at
	// the store's checkout.
	RefundAsStoreCredit RefundMethod = "store_credit"
)

// Partial reports whether the refund is less than the returned items were
// worth when it was made.
func (r *Refund) Partial() bool { return r.Worth.Minor > 0 && r.Amount.Minor < r.Worth.Minor }

// PartialRefund is a refund of less than the returned items were worth, as
// the customer is told of it: the amount, what the items were worth, and why.
type PartialRefund struct {
	Amount Money
	Of     Money
	Reason string
}

// Settled reports whether the refund's outcome is final.
func (r *Refund) Settled() bool { return r.State == RefundSucceeded || r.State == RefundFailed }

// RefundLimits are what a new refund is checked against, inside the transaction
// that stores it.
type RefundLimits struct {
	// Return is the most the return may be refunded: what its items are worth,
	// or, when staff raised it on purpose with a reason, what the order has left
	// to refund.
	Return Money
	// Paid is what the customer paid on the order: the order's refunds that did
	// not fail never add up to more.
	Paid Money
	// Refunded is what the return's succeeded refunds came to when Return was
	// worked out (Return.Refunded): refunds made in Shopify admin lower what
	// the return may still be refunded, so one booked after that read makes
	// Return too high, and the refund is refused rather than let through.
	Refunded Money
	// Delivery is what of Return is the order's delivery a withdrawal owes
	// (Return.DeliveryDue): a refund's Shipping never exceeds it.
	Delivery Money
}

// RefundOffer returns what r may still be refunded within what its items are
// worth, given suggested, Shopify's suggested refund for its items now. Without
// refunds booked to r it is suggested. With them (a refund made in Shopify
// admin, which does not stop a refund through the portal), it is what is left
// of the larger of suggested and the items' prices once they are taken off,
// and never more than suggested: a refund of money alone leaves Shopify's
// suggestion as it was, while a refund of the returned lines lowers it
// already, and the smaller of the two is right in both cases.
func (r *Return) RefundOffer(suggested Money) Money {
	if r.Refunded.Minor <= 0 {
		return suggested
	}
	left := max(max(suggested.Minor, r.Total().Minor)-r.Refunded.Minor, 0)
	return Money{Minor: min(suggested.Minor, left), Currency: suggested.Currency}
}

// CheckRefundable reports, as an ECONFLICT error that says why, whether a
// return in status status whose refunds in the ledger are refs may be refunded
// now: it must be in a status that can become refunded, and a return has at most
// one refund through the portal that has not failed (a pending or unknown one
// may have been made, and a succeeded one was). A refund made in Shopify admin
// does not stop another: it lowers what the return may still be refunded
// (Return.RefundOffer) instead.
func CheckRefundable(status Status, refs []Refund) error {
	// The ledger first: a refund made or being made says more than the
	// status it moved the return to.
	for _, other := range refs {
		switch {
		case other.Source == RefundFromShopify:
		case other.State == RefundFailed:
		case other.State == RefundSucceeded:
			return Errorf(ECONFLICT, "This return was refunded already: %s. The refund is in the ledger below.", other.Amount)
		default:
			return Errorf(ECONFLICT, "A refund of %s for this return is being made already. It is checked with Shopify before another refund can be made.", other.Amount)
		}
	}
	if !status.CanMoveTo(StatusRefunded) {
		return Errorf(ECONFLICT, "This return is %s now, so it cannot be refunded.", status)
	}
	return nil
}

// CheckNewRefund applies the ledger's rules to ref, a new refund of a return
// whose status is status, given every refund of the return's order already in
// the ledger. The store calls it inside the transaction that stores ref, with
// what that transaction read, so that two staff members (or two tabs, which
// carry two idempotency keys) cannot both pass it: the return must be
// refundable (CheckRefundable), ref must stay within what the return may be
// refunded, and the order's refunds that have not failed, with ref, within what
// the customer paid. The return's succeeded refunds must still come to
// lim.Refunded, what lim.Return was worked out with.
func CheckNewRefund(ref *Refund, status Status, orderRefunds []Refund, lim RefundLimits) error {
	var held, refunded int64
	var ofReturn []Refund
	for _, other := range orderRefunds {
		if other.State == RefundFailed {
			continue
		}
		held += other.Amount.Minor
		if other.ReturnID == ref.ReturnID {
			ofReturn = append(ofReturn, other)
			if other.State == RefundSucceeded {
				refunded += other.Amount.Minor
			}
		}
	}
	if err := CheckRefundable(status, ofReturn); err != nil {
		return err
	}
	if refunded != lim.Refunded.Minor {
		return Errorf(ECONFLICT, "A refund of this return was made in Shopify admin in the meantime. Please reload the page: the amount it may still be refunded has changed.")
	}
	if ref.Amount.Currency != lim.Return.Currency || ref.Amount.Currency != lim.Paid.Currency {
		return Errorf(EINVALID, "The refund must be in the order’s currency, %s.", lim.Paid.Currency)
	}
	if ref.Amount.Minor > lim.Return.Minor {
		return Invalid(map[string]Message{"amount": Msg("At most %s can be refunded for this return.", lim.Return)})
	}
	if ref.Shipping.Minor > 0 && (ref.Shipping.Minor > lim.Delivery.Minor || ref.Shipping.Minor > ref.Amount.Minor) {
		return Invalid(map[string]Message{"amount": Msg("At most %s of the delivery can be refunded for this return.", lim.Delivery)})
	}
	if held+ref.Amount.Minor > lim.Paid.Minor {
		return Errorf(ECONFLICT, "This would refund more than the customer paid.")
	}
	return nil
}

// RefundStore keeps the refund ledger.
type RefundStore interface {
	// CreateRefund stores a pending refund and fills r.ID. When a refund with
	// r.IdempotencyKey exists, it stores nothing, loads that one into r and
	// reports created == false. Otherwise it reads the return's status and the
	// refunds of its order in the same transaction and stores r only when
	// CheckNewRefund passes.
	CreateRefund(ctx context.Context, r *Refund, lim RefundLimits) (created bool, err error)
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

// RefundRequest asks Shopify for a refund with refundCreate: money back to
// the order's payments, and the returned line items when Lines are given.
type RefundRequest struct {
	OrderID      string
	Key          string // the idempotency key
	Amount       Money
	Note         string // carries the return code and the key, so a refund can be found again
	Transactions []RefundTransaction
	// StoreCredit is what the refund issues as store credit to the order's
	// customer instead of money back to payments; zero for none.
	StoreCredit Money
	Lines       []RefundLine
	// Shipping is what of Amount refunds the order's delivery (a withdrawal
	// of the whole order); zero for none.
	Shipping Money
}

// RefundLine is a line item a refund takes back, restocked at LocationID or
// not.
type RefundLine struct {
	LineItemID string
	Quantity   int
	Restock    bool
	LocationID string
}

// Refunder makes refunds through Shopify.
type Refunder interface {
	RefundSuggester
	// SuggestTransactions returns how Shopify would refund items: split over
	// the order's payments, in the order it would use them, and how much it
	// would issue as store credit instead.
	SuggestTransactions(ctx context.Context, orderID string, items []Item) (RefundSuggestion, error)
	// CreateRefund makes a refund with refundCreate @idempotent(key). Shopify's
	// refusal is an EINVALID error with its message; an answer that did not
	// come (timeout, dropped connection, 5xx) is an EUNKNOWN error: the refund
	// may or may not have been made, and asking again with the same key tells.
	CreateRefund(ctx context.Context, req RefundRequest) (shopifyID string, err error)
	// FindRefund looks for a refund of the order whose note holds key.
	FindRefund(ctx context.Context, orderID, key string) (shopifyID string, found bool, err error)
}
