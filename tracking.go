package returns

import (
	"net/url"
	"strings"
)

// A carrier and tracking number are typed by staff for a replacement and by
// customers for the parcel they send back; both are checked alike, and
// customers see the messages, so they have their Latvian (views).

// tracking is a parcel's carrier and tracking number with its tracking link,
// checked from what staff (a replacement) or a customer (the parcel sent
// back) typed.
type tracking struct {
	Carrier     string // a Carrier code
	CarrierName string // the carrier's name, or what was typed for "other"
	Number      string
	TrackingURL string
}

// checkTracking checks a carrier and tracking number as typed and builds the
// tracking link: the carrier's page for a listed carrier, the page typed for
// "other".
func checkTracking(in ShipmentInput) (tracking, error) {
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
	tr := tracking{Carrier: c.Code, CarrierName: c.Name, Number: number}
	if ok && c.Code == CarrierOther {
		tr.CarrierName = strings.TrimSpace(otherName)
		if tr.CarrierName == "" || len(tr.CarrierName) > 64 || checkText(tr.CarrierName, 64) != nil {
			fields[FieldCarrierName] = Msg("Enter the carrier’s name.")
		}
		u, err := url.Parse(strings.TrimSpace(trackingURL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(trackingURL) > 500 {
			fields[FieldTrackingURL] = Msg("Enter the tracking page’s address, starting with https://.")
		} else {
			tr.TrackingURL = u.String()
		}
	} else if ok {
		tr.TrackingURL = strings.Replace(c.trackingURL, "%s", url.PathEscape(number), 1)
	}
	if err := Invalid(fields); err != nil {
		return tracking{}, err
	}
	return tr, nil
}
