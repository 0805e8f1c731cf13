package returns

import "time"

// ShopEvent is one webhook delivery from Shopify, read: what happened at the
// shop, in the portal's terms. Exactly one of Refund, Order, Uninstalled,
// Redact, Return and Fulfillment is set, by Topic.
type ShopEvent struct {
	Topic string // X-Shopify-Topic, e.g. TopicRefundsCreate
	WebhookHeaders
	// OrderID is the GID of the order the event is about, when it is about
	// one (refunds/create, orders/updated).
	OrderID string
	// OccurredAt is the event's own time from the payload: a refund's
	// created_at, an order's updated_at; zero for the other topics. Events of
	// one order are applied in the order of this time (TriggeredAt when it is
	// zero), and one older than what was applied is stale.
	OccurredAt time.Time

	Refund      *ShopRefund      // refunds/create
	Order       *ShopOrderUpdate // orders/updated
	Uninstalled *ShopUninstall   // app/uninstalled
	Redact      *ShopRedact      // customers/redact, customers/data_request, shop/redact
	Return      *ShopReturnEvent // returns/*
	// Fulfillment is set for fulfillments/create and fulfillments/update.
	Fulfillment *ShopFulfillmentEvent
}

// ShopRefund is a refund made at Shopify, as refunds/create tells of it: by
// the portal (its note holds the idempotency key) or by the merchant in
// Shopify admin.
type ShopRefund struct {
	ID          string // Shopify Refund GID
	OrderID     string // Shopify Order GID
	Note        string
	CreatedAt   time.Time
	ProcessedAt time.Time
	// Amount is what the refund's successful REFUND transactions gave back,
	// in the currency they were made in (the order's presentment currency).
	// Zero, with the currency of the first transaction, when none succeeded
	// yet; Pending then says what is on its way.
	Amount Money
	// Pending is what its pending REFUND transactions will give back once
	// they settle.
	Pending      Money
	Transactions []ShopRefundTransaction
	Lines        []ShopRefundLine
	// ReturnID is the GID of the Shopify return the refund was made from,
	// when it was made from one.
	ReturnID string
}

// ShopRefundTransaction is a money movement of a refund.
type ShopRefundTransaction struct {
	ID       string // OrderTransaction GID
	ParentID string // GID of the payment refunded; "" when Shopify does not say
	Kind     string // "REFUND", in the upper case GraphQL uses
	Status   string // "SUCCESS", "PENDING", "FAILURE", "ERROR"
	Gateway  string
	Amount   Money
	// Manual is set for a manual payment method (cash on delivery, bank
	// transfer): Shopify recorded the refund and moved no money.
	Manual bool
	// ErrorCode is the gateway's error of a failed transaction, e.g.
	// "GENERIC_ERROR".
	ErrorCode string
}

// ShopRefundLine is a line item given back by a refund.
type ShopRefundLine struct {
	LineItemID  string // LineItem GID
	Quantity    int
	RestockType string // "NO_RESTOCK", "RETURN", "CANCEL", "LEGACY_RESTOCK"
}

// ShopOrderUpdate is the part of an order the portal reads from
// orders/updated.
type ShopOrderUpdate struct {
	ID          string // Shopify Order GID
	Name        string // e.g. "#1001"
	Note        string
	Tags        []string
	UpdatedAt   time.Time
	CancelledAt time.Time // zero unless cancelled
	// FinancialStatus is the order's financial status in the upper case
	// GraphQL uses, e.g. "PARTIALLY_REFUNDED".
	FinancialStatus string
}

// ShopUninstall is the shop as app/uninstalled tells of it.
type ShopUninstall struct {
	Name            string
	MyshopifyDomain string
}

// ShopRedact is a compliance request. For customers/redact and
// customers/data_request it names a customer; for shop/redact only the shop.
type ShopRedact struct {
	ShopDomain string
	// CustomerID is the Customer GID; "" for shop/redact.
	CustomerID    string
	CustomerEmail string
	// OrderIDs are the GIDs of the orders concerned: orders_to_redact, or
	// orders_requested for a data request.
	OrderIDs []string
	// DataRequestID is the id of a customers/data_request.
	DataRequestID string
}
