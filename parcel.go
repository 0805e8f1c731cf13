package returns

import (
	"context"
	"time"
)

// Parcel is the parcel a customer sent the items back in, as they told it on
// their status page: the carrier and tracking number, with its tracking link.
// Staff see it beside the return, and it becomes a reverse delivery on the
// return's Shopify return (ShopReturnService), so Shopify's admin tracks the
// parcel too.
type Parcel struct {
	ReturnID    int64
	Carrier     string // a Carrier code
	CarrierName string // the carrier's name, or what the customer typed for "other"
	Number      string
	TrackingURL string
	SentAt      time.Time // when the customer told it
	// ReverseDeliveryID is the GID of the reverse delivery that carries the
	// parcel's tracking on the Shopify return; "" until Shopify has it.
	ReverseDeliveryID string
	// ShopifyError is why Shopify would not take it (its return was closed
	// meanwhile, say): the portal keeps the parcel and stops asking.
	ShopifyError string
}

// InShopify reports whether the parcel's reverse delivery was made, or
// Shopify refused it: either way there is nothing more to send.
func (p *Parcel) InShopify() bool { return p.ReverseDeliveryID != "" || p.ShopifyError != "" }

// The customer's parcel form is refused with these, by the service or, when
// the return moved meanwhile, by the store.
var (
	ErrParcelTold   = Errorf(ECONFLICT, "You have told us about your parcel already.")
	ErrParcelNotNow = Errorf(ECONFLICT, "You can tell us about your parcel while your return is approved and on its way to us.")
)

// ParcelStore keeps the customers' parcels.
type ParcelStore interface {
	// AddParcel stores p with its timeline event in one transaction, if
	// the return is still in status (compare-and-set) and has no parcel
	// yet; ErrParcelNotNow or ErrParcelTold otherwise. The store makes the return due for its
	// Shopify sync in the same transaction.
	AddParcel(ctx context.Context, p *Parcel, status Status, ev Event) error
}

// CanSendParcel reports whether r's customer may tell the parcel they sent
// the items back in: while the return is approved and the items come back,
// once.
func (r *Return) CanSendParcel() bool {
	return r.Status == StatusApproved && r.ItemComesBack() && r.Parcel == nil
}

// SendParcel records the parcel a customer sent a return's items back in,
// with its timeline event: staff see it, and it is sent to the Shopify return
// as a reverse delivery in the background, so it is kept when Shopify is
// down. Staff get no email of it.
func (s *CustomerService) SendParcel(ctx context.Context, orderID, code string, in ShipmentInput) (*Parcel, error) {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return nil, err
	}
	if r.Parcel != nil {
		return nil, ErrParcelTold
	}
	if !r.CanSendParcel() {
		return nil, ErrParcelNotNow
	}
	tr, err := checkTracking(in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &Parcel{ReturnID: r.ID, Carrier: tr.Carrier, CarrierName: tr.CarrierName, Number: tr.Number, TrackingURL: tr.TrackingURL, SentAt: now}
	ev := Event{ReturnID: r.ID, At: now, Actor: ActorCustomer, Type: EventParcelSent, Message: p.CarrierName + " " + p.Number}
	if err := s.parcels.AddParcel(ctx, p, StatusApproved, ev); err != nil {
		return nil, err
	}
	if s.wakeShopReturns != nil {
		s.wakeShopReturns()
	}
	return p, nil
}
