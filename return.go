package returns

import (
	"strconv"
	"time"
)

// Kind says what the customer reports.
type Kind string

const (
	KindDamaged      Kind = "damaged"      // the item arrived damaged
	KindDissatisfied Kind = "dissatisfied" // the customer is not satisfied with it
)

// Resolution is what the customer asks for.
type Resolution string

const (
	ResolutionRefund      Resolution = "refund"
	ResolutionReplacement Resolution = "replacement"
)

// Reason is why a dissatisfied customer returns an item. Damage reports carry
// ReasonDamaged.
type Reason string

const (
	ReasonDamaged        Reason = "damaged"
	ReasonDoesntFit      Reason = "doesnt_fit"
	ReasonNotAsDescribed Reason = "not_as_described"
	ReasonWrongItem      Reason = "wrong_item"
	ReasonNoLongerNeeded Reason = "no_longer_needed"
	ReasonOther          Reason = "other"
)

// DissatisfiedReasons lists the reasons a customer can pick, in display order.
var DissatisfiedReasons = []Reason{ReasonDoesntFit, ReasonNotAsDescribed, ReasonWrongItem, ReasonNoLongerNeeded, ReasonOther}

// Return is a customer's request to return items of one order.
type Return struct {
	ID int64
	// SubmissionKey identifies the form the return was submitted from, so that the
	// same form submitted twice makes one return.
	SubmissionKey string
	Code          string // public code, e.g. "R-7KQ9X2MD", shown to people and written on parcels
	OrderID       string
	OrderName     string
	Email         string
	Locale        string // "en" or "lv": the language of the customer's pages and emails
	Kind          Kind
	Reason        Reason
	Resolution    Resolution
	Note          string // the customer's own words
	Status        Status
	Currency      string
	Items         []Item
	Photos        []Photo
	Shipments     []Shipment // replacements sent, oldest first
	// Replacement is the Shopify order the replacement is sent with; nil
	// while none was made.
	Replacement *ReplacementOrder
	// Parcel is the parcel the customer sent the items back in, as they
	// told it; nil while they have not.
	Parcel   *Parcel
	Refunded Money // the sum of the return's succeeded refunds
	// Payouts says how much of Refunded is not on the customer's payments:
	// pending or failed at the payment provider, for staff to pay, or
	// issued as store credit.
	Payouts PayoutSummary
	// PartialRefund is the return's newest succeeded refund through the
	// portal that was less than its items were worth, with staff's reason;
	// nil when there is none.
	PartialRefund *PartialRefund
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Version changes with every change of the return, its items, photos,
	// timeline, shipments or refunds: what the customer's status page shows of
	// it is the same while its version is.
	Version int64
	// RedactedAt is when the customer's personal data was erased from the
	// return (RedactionService); zero while it is kept.
	RedactedAt time.Time
	// ShopReturnID is the GID of the return as Shopify records it ("" while
	// there is none), and ShopReturnStatus its status as last seen, or why
	// there is none (ShopReturnLegacy, ShopReturnRefused, ShopReturnNone).
	ShopReturnID     string
	ShopReturnStatus ShopReturnStatus
	// Withdrawal is the consumer's statement of withdrawal of a return of
	// KindWithdrawal; nil for the others.
	Withdrawal *WithdrawalStatement
}

// LinesRefunded reports whether r's items were refunded as line items, which
// takes them off their lines' current quantity at Shopify: the refunds of a
// return with a Shopify return process its units (or, when it was closed
// unprocessed, refund them as lines). A return without one — made before the
// portal drove Shopify's returns, or refused by Shopify — is refunded as money
// alone.
func (r *Return) LinesRefunded() bool {
	return r.Refunded.Minor > 0 && r.ShopReturnID != ""
}

// Redacted reports whether the customer's personal data was erased from r.
func (r *Return) Redacted() bool { return !r.RedactedAt.IsZero() }

// Total returns the value of the returned items at the prices paid.
func (r *Return) Total() Money {
	total := Money{Currency: r.Currency}
	for _, it := range r.Items {
		total.Minor += it.UnitPrice.Times(it.Quantity).Minor
	}
	return total
}

// ItemComesBack reports whether the customer sends the item back: a
// dissatisfied customer always does; a damage report does when it asks for a
// refund, while a replacement is decided on the photos and the damaged item
// stays with the customer. It does not look at the status: whether the item is
// still to be sent is the status's business.
func (r *Return) ItemComesBack() bool {
	return r.Kind == KindDissatisfied || r.Resolution == ResolutionRefund
}

// ItemGoesBeforeReview reports whether the customer sends the item as soon as
// the return is requested: a dissatisfied customer does, since there is nothing
// to look at first; a damaged item is looked at on its photos, and only an
// approved refund asks for it back.
func (r *Return) ItemGoesBeforeReview() bool {
	return r.Kind == KindDissatisfied
}

// Item is one order line (and how many units of it) in a return.
type Item struct {
	LineItemID string
	Title      string
	// VariantTitle is the line's variant as the order showed it, e.g.
	// "Natural"; empty when the product has one.
	VariantTitle string
	Quantity     int
	UnitPrice    Money
	// Restock is what staff chose for the item when they refunded it: back
	// in stock or not; RestockByRule until they chose.
	Restock Restock
}

// Name is the item's title with its variant, e.g. "Linen tea towel — Natural",
// as the order page names the line.
func (it Item) Name() string {
	if it.VariantTitle == "" || it.VariantTitle == "Default Title" {
		return it.Title
	}
	return it.Title + " — " + it.VariantTitle
}

// Restock says whether a returned item goes back into stock.
type Restock string

const (
	// RestockByRule: items that come back in good order are restocked,
	// damaged ones are not.
	RestockByRule Restock = ""
	RestockYes    Restock = "restock"
	RestockNo     Restock = "no_restock"
)

// Photo is a damage photo, already checked and re-encoded. Data is empty when a
// Photo is loaded as part of a Return; it is read separately when served.
type Photo struct {
	ID          int64
	ContentType string // image/jpeg or image/png
	Width       int
	Height      int
	Data        []byte
}

// Actor says who did something on a return's timeline.
type Actor string

const (
	ActorCustomer Actor = "customer"
	ActorSystem   Actor = "system"
)

// StaffActor returns the actor of a staff member.
func StaffActor(staffID int64) Actor { return Actor("staff:" + strconv.FormatInt(staffID, 10)) }

// EventType names an entry on a return's timeline.
type EventType string

const (
	EventRequested          EventType = "requested"
	EventCancelled          EventType = "cancelled"
	EventApproved           EventType = "approved" // Message: staff's optional word to the customer
	EventDeclined           EventType = "declined" // Message: the reason, shown to the customer
	EventItemReceived       EventType = "item_received"
	EventRefunded           EventType = "refunded" // Message: the amount
	EventReplacementShipped EventType = "replacement_shipped"
	EventClosed             EventType = "closed"
	EventNote               EventType = "note"             // an internal staff note, never shown to customers
	EventRefundFailed       EventType = "refund_failed"    // Message: Shopify's refusal, for staff
	EventRefundUnknown      EventType = "refund_unknown"   // the answer was lost; the reconciler checks
	EventShopifyUpdated     EventType = "shopify_updated"  // the order's note and tags were written
	EventShopifyDeferred    EventType = "shopify_deferred" // writing them failed; it is retried
	// EventShopifyRefund: the merchant refunded money of this return in
	// Shopify admin; it is in the refund ledger. Message: the amount.
	EventShopifyRefund EventType = "shopify_refund"
	// EventOrderRefund: the merchant refunded money of the return's order in
	// Shopify admin that the portal could not book to one return, so no
	// return's ledger has it. Message: the amount, for staff.
	EventOrderRefund EventType = "order_refund"
	// EventParcelSent: the customer told the parcel they sent the items
	// back in. Message: the carrier and tracking number.
	EventParcelSent EventType = "parcel_sent"
	// EventDataRequest: Shopify passed on the customer's request for the data
	// the portal holds about them (customers/data_request); staff were
	// emailed to answer it. Message: what was asked, for staff.
	EventDataRequest EventType = "data_request"
	// EventAutoApproved: an auto-approval rule approved the new return, with
	// the system as actor. Message: "By the rule “name”", for staff.
	EventAutoApproved EventType = "auto_approved"
)

// Event is one entry on a return's timeline.
type Event struct {
	ID       int64
	ReturnID int64
	At       time.Time
	Actor    Actor
	Type     EventType
	Status   Status // the status after the event; empty when it did not change it
	Message  string // free text: a reason, a note, an error for staff
	// Msg is the message as the system wrote it, a format and its arguments,
	// for staff's pages to show in their language; Message is then its
	// English. Zero for what people wrote (a note, a reason) and for events
	// from before the timeline kept it.
	Msg Message
}

// says returns ev with the message the system wrote: Msg for pages to
// translate, and Message its English for what reads the text as stored (the
// customer's pages and emails, exports).
func (ev Event) says(m Message) Event {
	ev.Msg, ev.Message = m, m.String()
	return ev
}
