package returns

import (
	"context"
	"time"
)

// A replacement for a damaged item is a real Shopify order: a draft order for
// the same variants at a 100 % discount with free shipping, completed, which
// then goes through the store's own fulfilment. The portal follows its
// fulfilment (webhooks, and a periodic pass) for the carrier and tracking
// number, so that no one types them in.

// TagReplacementOrder is the tag of every replacement order the portal makes.
const TagReplacementOrder = "returns:replacement"

// TagReplacementFor is the tag of the replacement drafts of the return code,
// besides TagReplacementOrder: the portal finds a return's drafts by it, so
// that a draft whose answer was lost, or one left by a failed attempt, is
// reused or deleted instead of staying open in Shopify at a 100 % discount.
func TagReplacementFor(code string) string { return "returns:replacement-for:" + code }

// ReplacementDraft is what a replacement order is made of.
type ReplacementDraft struct {
	// OrderID is the GID of the original order: its shipping address and
	// shipping line's title are copied (the shipping free).
	OrderID    string
	ReturnCode string // named in the draft's note
	Email      string // the customer's, as on the return
	Lines      []ReplacementLine
	Note       string   // the draft's (and so the order's) note
	Tags       []string // TagReplacementOrder among them
}

// ReplacementLine is one line of a replacement order: the original order's
// line, or another variant of its product staff chose instead.
type ReplacementLine struct {
	LineItemID string // the original order's line
	// VariantID is the GID of the variant to send; "" sends the line's own.
	VariantID string
	Quantity  int
}

// DraftOrderState is a draft order as Shopify has it, read back before a
// draft is completed again.
type DraftOrderState struct {
	ID        string
	Completed bool
	// Order is the order the draft became; zero while it is not completed.
	Order ShopOrderRef
	// OrderCancelled reports whether Order was cancelled (in Shopify
	// admin): such a draft is neither the replacement nor to be deleted.
	OrderCancelled bool
	// Lines are the draft's lines as the portal asked for them (the line
	// replaced, the variant staff chose or "", the quantity); filled by
	// FindReplacementDrafts.
	Lines []ReplacementLine
}

// ShopOrderRef names a Shopify order.
type ShopOrderRef struct {
	ID   string // GID, e.g. gid://shopify/Order/1009
	Name string // e.g. "#1009"
}

// ShopFulfillment is a fulfilment of a Shopify order with its tracking, as the
// warehouse recorded it.
type ShopFulfillment struct {
	ID             string // Fulfillment GID
	Status         string // Shopify's FulfillmentStatus, e.g. SUCCESS, CANCELLED
	TrackingNumber string // "" while there is none
	TrackingURL    string
	// TrackingCompany is the carrier as the warehouse named it, e.g. "DPD".
	TrackingCompany string
	// DisplayStatus is Shopify's FulfillmentDisplayStatus, e.g. IN_TRANSIT,
	// DELIVERED.
	DisplayStatus string
	CreatedAt     time.Time
	DeliveredAt   time.Time // zero until delivered
}

// ShopOrderFulfillments is a replacement order as the portal follows it: its
// fulfilments, and whether the order was cancelled (in Shopify admin), which
// ends its fulfilment.
type ShopOrderFulfillments struct {
	CancelledAt  time.Time // zero while the order is not cancelled
	Fulfillments []ShopFulfillment
}

// VariantChoice is a variant of a product staff can send instead of an
// unavailable one.
type VariantChoice struct {
	ID        string // ProductVariant GID
	Title     string // e.g. "Natural"
	Available int    // units available to sell; <= 0 when out of stock
}

// ReplacementOrders makes replacement orders at Shopify and reads their
// fulfilments; *shopify.Client is one.
type ReplacementOrders interface {
	// CreateReplacementDraft creates the draft order of a replacement and
	// returns its GID. A variant that no longer exists is an EINVALID error
	// naming it; so is a draft Shopify refuses.
	CreateReplacementDraft(ctx context.Context, d ReplacementDraft) (draftID string, err error)
	// CompleteDraftOrder completes a draft into an order (nothing to pay:
	// paymentPending false). Out of stock is an EINVALID error (Shopify
	// refuses to complete a draft whose inventory is not available when the
	// variant does not continue selling). A lost answer may have completed it:
	// DraftOrder tells.
	CompleteDraftOrder(ctx context.Context, draftID string) (ShopOrderRef, error)
	// DraftOrder reads a draft order; ENOTFOUND when it is gone.
	DraftOrder(ctx context.Context, draftID string) (DraftOrderState, error)
	// FindReplacementDrafts lists the draft orders tagged
	// TagReplacementFor(returnCode), open and completed, oldest first, with
	// their lines.
	FindReplacementDrafts(ctx context.Context, returnCode string) ([]DraftOrderState, error)
	// DeleteDraftOrder deletes an open draft order; ENOTFOUND when it is
	// gone already. A completed draft is never deleted.
	DeleteDraftOrder(ctx context.Context, draftID string) error
	// OrderFulfillments reads the fulfilments of an order, oldest first,
	// and whether the order was cancelled.
	OrderFulfillments(ctx context.Context, orderID string) (ShopOrderFulfillments, error)
	// LineVariants lists the variants of the product of an order's line, for
	// staff to choose another when the line's own cannot be sent.
	LineVariants(ctx context.Context, orderID, lineItemID string) ([]VariantChoice, error)
}

// ShopFulfillmentEvent is a fulfillments/create or fulfillments/update
// webhook: the fulfilment of an order changed.
type ShopFulfillmentEvent struct {
	OrderID     string // GID of the fulfilled order
	Fulfillment ShopFulfillment
}

// Webhook topics of fulfilments.
const (
	TopicFulfillmentsCreate = "fulfillments/create"
	TopicFulfillmentsUpdate = "fulfillments/update"
)

// The order history that staff edits of the note cannot erase: the portal
// keeps the structured history of an order's returns in an app-owned order
// metafield, written with metafieldsSet and its compareDigest.

// Order metafield of the history of an order's returns.
const (
	HistoryNamespace = "$app:returns"
	HistoryKey       = "history"
)

// OrderHistoryDoc is an order's returns history metafield as read: its JSON
// value and the digest to write over it.
type OrderHistoryDoc struct {
	Value  []byte // JSON; nil when the order has no history yet
	Digest string // compareDigest; "" when there is no metafield
}

// ErrStaleHistory is WriteOrderRecord's answer when the history metafield
// changed since it was read (Shopify's STALE_OBJECT).
var ErrStaleHistory = Errorf(ECONFLICT, "The order’s history changed meanwhile.")
