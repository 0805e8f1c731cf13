package returns

import (
	"net/url"
	"strings"
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
}

// newShipment checks what staff entered and builds the shipment with its
// tracking link.
func newShipment(in ShipmentInput, at time.Time) (*Shipment, error) {
	carrier, otherName, trackingURL := in.Carrier, in.CarrierName, in.TrackingURL
	fields := map[string]Message{}
	number := strings.TrimSpace(in.Number)
	if number == "" || len(number) > 64 || strings.ContainsAny(number, " \t\r\n/\\?#&%") || checkText(number, 64) != nil {
		fields[FieldNumber] = Msg("Enter the tracking number without spaces.")
	}
	c, ok := CarrierByCode(carrier)
	if !ok {
		fields[FieldCarrier] = Msg("Choose a carrier.")
	}
	sh := &Shipment{Carrier: c.Code, CarrierName: c.Name, Number: number, ShippedAt: at}
	if ok && c.Code == CarrierOther {
		sh.CarrierName = strings.TrimSpace(otherName)
		if sh.CarrierName == "" || len(sh.CarrierName) > 64 || checkText(sh.CarrierName, 64) != nil {
			fields[FieldCarrierName] = Msg("Enter the carrier's name.")
		}
		u, err := url.Parse(strings.TrimSpace(trackingURL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(trackingURL) > 500 {
			fields[FieldTrackingURL] = Msg("Enter the tracking page's address, starting with https://.")
		} else {
			sh.TrackingURL = u.String()
		}
	} else if ok {
		sh.TrackingURL = strings.Replace(c.trackingURL, "%s", url.PathEscape(number), 1)
	}
	if err := Invalid(fields); err != nil {
		return nil, err
	}
	return sh, nil
}
