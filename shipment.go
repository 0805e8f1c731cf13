package returns

import (
	"time"
)

// Carrier is a parcel carrier a replacement can be shipped with.
type Carrier struct {
	Code string // stored with the shipment, e.g. "dpd"
	Name string // shown to people, e.g. "DPD"
	// trackingURL is the carrier's tracking page with %s for the number.
	trackingURL string
}

// CarrierOther is the code of a carrier not in the list: the staff member gives
// its tracking URL.
const CarrierOther = "other"

// Carriers lists the carriers staff can pick, in display order. The tracking
// pages are the carriers' public ones that take the number in the URL.
var Carriers = []Carrier{
	{"dpd", "DPD", "https://tracking.dpd.de/status/en_US/parcel/%s"},
	{"omniva", "Omniva", "https://www.omniva.lv/privats/sutijuma_atrasanas_vieta?barcode=%s"},
	{"latvijas_pasts", "Latvijas Pasts", "https://www.pasts.lv/lv/kategorija/sutijumu_sekosana/?id=%s"},
	{"dhl", "DHL", "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id=%s"},
	{"ups", "UPS", "https://www.ups.com/track?tracknum=%s"},
	{"fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr=%s"},
	{"usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=%s"},
	{"royal_mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/%s"},
	{"postnl", "PostNL", "https://jouw.postnl.nl/track-and-trace/%s"},
	{"gls", "GLS", "https://gls-group.com/EU/en/parcel-tracking?match=%s"},
	{CarrierOther, "Other", ""},
}

// CarrierByCode returns the carrier with a code.
func CarrierByCode(code string) (Carrier, bool) {
	for _, c := range Carriers {
		if c.Code == code {
			return c, true
		}
	}
	return Carrier{}, false
}

// Shipment is a replacement sent to the customer.
type Shipment struct {
	ID          int64
	ReturnID    int64
	Carrier     string // a Carrier code
	CarrierName string // the carrier's name, or what staff typed for "other"
	Number      string
	TrackingURL string
	ShippedAt   time.Time
	// FulfillmentID is the fulfilment of the replacement order it was read
	// from; "" for a shipment staff recorded by hand.
	FulfillmentID string
}

// CheckShipment says whether a return may be shipped a replacement: only a
// replacement request, never a withdrawal (which the law settles with a
// refund), and, once a replacement order was made in Shopify for it (ordered),
// only by that order's fulfilment (fromOrder), so that no second replacement
// is recorded by hand.
func CheckShipment(resolution Resolution, kind Kind, ordered, fromOrder bool) error {
	switch {
	case kind == KindWithdrawal || resolution != ResolutionReplacement:
		return Errorf(ECONFLICT, "This return asks for a refund, not a replacement.")
	case ordered && !fromOrder:
		return Errorf(ECONFLICT, "A replacement order was made in Shopify for this return: its shipment comes from the warehouse’s fulfilment of that order.")
	}
	return nil
}

// newShipment checks what staff entered and builds the shipment with its
// tracking link.
func newShipment(in ShipmentInput, at time.Time) (*Shipment, error) {
	tr, err := checkTracking(in)
	if err != nil {
		return nil, err
	}
	return &Shipment{Carrier: tr.Carrier, CarrierName: tr.CarrierName, Number: tr.Number, TrackingURL: tr.TrackingURL, ShippedAt: at}, nil
}
