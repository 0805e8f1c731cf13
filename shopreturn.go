package returns

import (
	"context"
	"strings"
)

// ShopReturnStatus is the status of a return as Shopify records it (its
// ReturnStatus).
type ShopReturnStatus string

// Shopify's return statuses.
const (
	ShopReturnRequested ShopReturnStatus = "REQUESTED"
	ShopReturnOpen      ShopReturnStatus = "OPEN"
	ShopReturnDeclined  ShopReturnStatus = "DECLINED"
	ShopReturnCanceled  ShopReturnStatus = "CANCELED"
	ShopReturnClosed    ShopReturnStatus = "CLOSED"
)

// ShopReturn is a return as Shopify records it: what its admin, reports, Flow
// and the store's other apps see of a portal return.
type ShopReturn struct {
	ID      string // Shopify GID, e.g. gid://shopify/Return/1
	Name    string // e.g. "#1002-R1"
	OrderID string
	Status  ShopReturnStatus
	// DeclineNote is what staff told the customer when they declined it.
	DeclineNote string
	Lines       []ShopReturnLine
	// Refunds are the GIDs and notes of the refunds made by processing it.
	Refunds []ShopReturnRefund
	// ReverseOrders are its reverse fulfillment orders, made when it was
	// approved: the units to come back and the deliveries bringing them.
	ReverseOrders []ReverseOrder
}

// ReverseOrder is a reverse fulfillment order of a Shopify return.
type ReverseOrder struct {
	ID         string
	Lines      []ReverseOrderLine
	Deliveries []ReverseDelivery
}

// ReverseOrderLine is a line of a reverse fulfillment order: units to come
// back.
type ReverseOrderLine struct {
	ID       string // ReverseFulfillmentOrderLineItem GID
	Quantity int
}

// ReverseDelivery is a parcel on its way back, as Shopify records it.
type ReverseDelivery struct {
	ID             string
	TrackingNumber string
	TrackingURL    string
}

// ReverseDeliveryRequest asks Shopify to record a customer's parcel on a
// reverse fulfillment order: the units it brings, and its tracking.
type ReverseDeliveryRequest struct {
	ReverseOrderID string
	Lines          []ReverseOrderLine
	TrackingNumber string
	TrackingURL    string
}

// ShopReturnLine is a line of a Shopify return.
type ShopReturnLine struct {
	ID                    string // ReturnLineItem GID
	FulfillmentLineItemID string
	LineItemID            string
	Quantity              int
	Processed             int // units confirmed by returnProcess
	CustomerNote          string
	// DispositionLines are the reverse fulfillment order lines of its units,
	// made when the return was approved; dispositions are made on them.
	DispositionLines []string
}

// ShopReturnRefund is a refund Shopify made by processing a return.
type ShopReturnRefund struct {
	ID   string
	Note string
}

// Unprocessed is how many of the line's units are not processed yet.
func (l ShopReturnLine) Unprocessed() int { return max(l.Quantity-l.Processed, 0) }

// CarriesCode reports whether the Shopify return is the one the portal asked
// for its return code: the code opens each line's customer note.
func (sr *ShopReturn) CarriesCode(code string) bool {
	for _, l := range sr.Lines {
		if strings.HasPrefix(l.CustomerNote, code+":") || l.CustomerNote == code {
			return true
		}
	}
	return false
}

// ReturnableUnit is how many units of a fulfillment line item Shopify still
// takes back.
type ReturnableUnit struct {
	FulfillmentLineItemID string
	LineItemID            string
	Quantity              int
}

// ReturnReasonDefinition is a return reason of Shopify's taxonomy.
type ReturnReasonDefinition struct {
	ID     string
	Handle string
}

// ShopReturnRequest asks Shopify for a requested return.
type ShopReturnRequest struct {
	OrderID string
	Lines   []ShopReturnRequestLine
}

// ShopReturnRequestLine is a line of a ShopReturnRequest.
type ShopReturnRequestLine struct {
	FulfillmentLineItemID string
	Quantity              int
	ReasonID              string // a ReturnReasonDefinition's GID, or ""
	CustomerNote          string // the code, then the customer's words; at most 300 characters
}

// ProcessRequest asks Shopify to process a return: confirm units with their
// dispositions and refund money to the order's payments.
type ProcessRequest struct {
	ReturnID     string
	OrderID      string
	Lines        []ProcessLine
	Transactions []RefundTransaction
	// StoreCredit is what is issued as store credit to the order's customer
	// instead of money back to payments; zero for none.
	StoreCredit Money
	// Note carries the return code and the refund's idempotency key, as a
	// refundCreate's note does.
	Note string
	// Shipping is what of the refund's money refunds the order's delivery;
	// zero for none.
	Shipping Money
}

// ProcessLine confirms units of a Shopify return line.
type ProcessLine struct {
	ReturnLineItemID string
	Quantity         int
	Dispositions     []Disposition
}

// Disposition says what becomes of returned units: restocked at a location,
// or not restocked.
type Disposition struct {
	LineID     string // the reverse fulfillment order line item
	Quantity   int
	Restock    bool
	LocationID string // where restocked units go
}

// RefundTransaction is the part of a refund given back to one of the order's
// payments.
type RefundTransaction struct {
	ParentID string // the SALE or CAPTURE transaction
	Gateway  string
	Amount   Money
	// Manual is set for a manual payment method (cash on delivery, bank
	// transfer): Shopify records the refund and moves no money; staff pay.
	Manual bool
}

// ShopReturns drives Shopify's own Returns, so that what a portal return goes
// through is what Shopify's admin shows.
type ShopReturns interface {
	// ReturnableUnits returns what Shopify still takes back of an order.
	ReturnableUnits(ctx context.Context, orderID string) ([]ReturnableUnit, error)
	// ReturnReasons returns the reason definitions with the given handles.
	ReturnReasons(ctx context.Context, handles []string) ([]ReturnReasonDefinition, error)
	// RequestReturn asks for a return in status REQUESTED. Shopify's refusal
	// is EINVALID; a lost answer is EUNKNOWN: the return may have been made,
	// and OrderReturns tells.
	RequestReturn(ctx context.Context, req ShopReturnRequest) (*ShopReturn, error)
	// OrderReturns returns an order's Shopify returns.
	OrderReturns(ctx context.Context, orderID string) ([]ShopReturn, error)
	// ShopReturn returns one Shopify return, or ENOTFOUND.
	ShopReturn(ctx context.Context, id string) (*ShopReturn, error)
	// ApproveReturn, DeclineReturn, CancelReturn and CloseReturn move a
	// Shopify return. A move its status does not allow is ECONFLICT.
	ApproveReturn(ctx context.Context, id string) error
	DeclineReturn(ctx context.Context, id, note string) error
	CancelReturn(ctx context.Context, id string) error
	CloseReturn(ctx context.Context, id string) error
	// ProcessReturn processes a return and refunds it, returning the refund's
	// GID ("" when nothing was refunded). Refusals are EINVALID; a lost
	// answer is EUNKNOWN: ShopReturn tells what was processed and refunded.
	ProcessReturn(ctx context.Context, req ProcessRequest) (refundID string, err error)
	// CreateReverseDelivery records a customer's parcel on a Shopify
	// return, without Shopify's email to the customer, and returns the
	// reverse delivery's GID. It takes no idempotency key and is sent at
	// most once per call: a lost answer is EUNKNOWN, and ShopReturn tells
	// (the deliveries' tracking numbers); a refusal is EINVALID, or
	// ECONFLICT when the return is no longer open.
	CreateReverseDelivery(ctx context.Context, req ReverseDeliveryRequest) (id string, err error)
	// Locations returns the shop's active locations that hold stock, those
	// that fulfil online orders (where parcels come back to) first.
	Locations(ctx context.Context) ([]Location, error)
}
