package returns

import (
	"strings"
	"testing"
	"time"
)

func TestNewShipmentTrackingLinks(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		carrier, other, number, url string
		wantURL, wantField          string
	}{
		{"dpd", "", "05212345678901", "", "https://tracking.dpd.de/status/en_US/parcel/05212345678901", ""},
		{"omniva", "", "CC123456789EE", "", "https://www.omniva.lv/privats/sutijuma_atrasanas_vieta?barcode=CC123456789EE", ""},
		{"latvijas_pasts", "", "RR123456789LV", "", "https://www.pasts.lv/lv/kategorija/sutijumu_sekosana/?id=RR123456789LV", ""},
		{"gls", "", "12345678901", "", "https://gls-group.com/EU/en/parcel-tracking?match=12345678901", ""},
		{"ups", "", " 1Z999AA10123456784 ", "", "https://www.ups.com/track?tracknum=1Z999AA10123456784", ""},
		{"other", "Venipak", "V123", "https://venipak.com/tracking/V123", "https://venipak.com/tracking/V123", ""},
		{"other", "Venipak", "V123", "javascript:alert(1)", "", "tracking_url"},
		{"other", "", "V123", "https://venipak.com/t/V123", "", "carrier_name"},
		{"pigeon", "", "1", "", "", "carrier"},
		{"dpd", "", "", "", "", "number"},
		{"dpd", "", "0521 2345", "", "", "number"},
		{"dpd", "", "05&redirect=evil", "", "", "number"},
		{"dpd", "", "0521\u202e", "", "", "number"},
		{"dpd", "", strings.Repeat("9", 65), "", "", "number"},
	} {
		sh, err := newShipment(ShipmentInput{Carrier: tc.carrier, CarrierName: tc.other, Number: tc.number, TrackingURL: tc.url}, at)
		if tc.wantField != "" {
			if _, ok := ErrorFields(err)[tc.wantField]; !ok {
				t.Errorf("%s %q: error %v, want a message for %s", tc.carrier, tc.number, err, tc.wantField)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tc.carrier, tc.number, err)
			continue
		}
		if sh.TrackingURL != tc.wantURL || !sh.ShippedAt.Equal(at) {
			t.Errorf("%s %q: tracking URL %q, want %q", tc.carrier, tc.number, sh.TrackingURL, tc.wantURL)
		}
	}
}
