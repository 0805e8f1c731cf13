package views

import returns "github.com/returnsportal/returns"

// parcelFields are the parcel form's fields in page order, for its error
// summary.
var parcelFields = []formField{
	{returns.FieldCarrier, returns.FieldCarrier},
	{returns.FieldNumber, returns.FieldNumber},
	{returns.FieldCarrierName, returns.FieldCarrierName},
	{returns.FieldTrackingURL, returns.FieldTrackingURL},
}

// carrierLabel is a carrier's name as the customer's list shows it: carriers
// are named as they name themselves, "other" in the page's language.
func carrierLabel(l Localizer, c returns.Carrier) string {
	if c.Code == returns.CarrierOther {
		return l.T("Another carrier")
	}
	return c.Name
}
