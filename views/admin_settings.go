package views

import (
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
)

// SettingsPage is the store settings form with the history of changes.
type SettingsPage struct {
	AdminPage
	// Settings are the values the form shows: those in effect, or those sent
	// when the form comes back with Form's messages.
	Settings returns.Settings
	// Form's values hold what does not fit Settings: the return window as
	// typed, when it did not parse.
	Form    Form
	Changes []returns.SettingsChange
	// Locations are the shop's locations returned items can be restocked
	// at; LocationsKnown is false when Shopify could not be asked, and the
	// choice is not shown.
	Locations      []returns.Location
	LocationsKnown bool
	// Identity is the store's identity in effect (its logo, storefront);
	// Shop is Shopify's identity of the shop, zero when never read, whose
	// name and time zone apply while the settings leave theirs empty.
	Identity returns.StoreIdentity
	Shop     returns.ShopIdentity
	// LogoForm has the logo upload's message when it was refused.
	LogoForm Form
	// LawWarnings are what the settings in effect contradict of the law
	// (returns.SettingsAgainstLaw).
	LawWarnings []returns.Message
	// Currency is the store's, in which the cheapest delivery is typed.
	Currency string
}

// settingsFields is the settings form's fields in page order, with their
// labels for the history of changes, which changedFields translates.
var settingsFields = []struct{ name, label string }{
	{returns.FieldStoreName, "Store name"},
	{returns.FieldContactEmail, "Contact email"},
	{returns.FieldTimeZone, "Time zone"},
	{returns.FieldLogo, "Logo"},
	{returns.FieldReturnAddress, "Return address"},
	{returns.FieldReturnAddressLV, "Return address (Latvian)"},
	{returns.FieldWindowDays, "Return window"},
	{returns.FieldNonReturnableTag, "Non-returnable tag"},
	{returns.FieldInstructionsEN, "Instructions (English)"},
	{returns.FieldInstructionsLV, "Instructions (Latvian)"},
	{returns.FieldStaffEmail, "Staff notification email"},
	{returns.FieldStaffLanguage, "Backoffice language"},
	{returns.FieldRequireEmailedLink, "Emailed link for every lookup"},
	{returns.FieldPhotoRetentionDays, "Photo retention"},
	{returns.FieldWithdrawalLinkEN, "Withdrawal function label (English)"},
	{returns.FieldWithdrawalLinkLV, "Withdrawal function label (Latvian)"},
	{returns.FieldExemptCustomMadeTag, "Custom-made tag"},
	{returns.FieldExemptPerishableTag, "Perishable tag"},
	{returns.FieldExemptSealedHygieneTag, "Sealed hygiene tag"},
	{returns.FieldDeliveryDays, "Days to delivery"},
	{returns.FieldNotInformedTag, "Not-informed tag"},
	{returns.FieldRefundDelivery, "Refund of the delivery"},
	{returns.FieldCheapestDelivery, "Cheapest standard delivery"},
	{returns.FieldRestockLocation, "Restock location"},
	{returns.SettingAutoApprovalRules, "Auto-approval rules"},
}

// changedFields names the fields of a settings change.
func changedFields(l Localizer, c returns.SettingsChange) string {
	names := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		names[i] = f
		for _, sf := range settingsFields {
			if sf.name == f {
				names[i] = l.T(sf.label)
			}
		}
	}
	return strings.Join(names, ", ")
}

// summary lists the settings form's messages in page order, each linking to
// its field (whose id is its name).
func (p SettingsPage) summary(l Localizer) []formError {
	fields := make([]formField, len(settingsFields))
	for i, f := range settingsFields {
		fields[i] = formField{f.name, f.name}
	}
	return p.Form.summary(l, fields)
}

// photoRetentionDays is the retention field's text: as typed when it did not
// parse.
func (p SettingsPage) photoRetentionDays() string {
	if typed, ok := p.Form.Values[returns.FieldPhotoRetentionDays]; ok {
		return typed
	}
	return strconv.Itoa(p.Settings.PhotoRetentionDays)
}

// deliveryDays is the days-to-delivery field's text: as typed when it did
// not parse.
func (p SettingsPage) deliveryDays() string {
	return p.formValue(returns.FieldDeliveryDays, strconv.Itoa(p.Settings.Withdrawal.DeliveryDays))
}

// cheapestDelivery is the cheapest delivery's field: a price such as "3.90"
// in the store's currency, empty for no cap, or as typed when it was refused.
func (p SettingsPage) cheapestDelivery() string {
	if p.Settings.CheapestDeliveryMinor <= 0 {
		return p.formValue(returns.FieldCheapestDelivery, "")
	}
	return p.formValue(returns.FieldCheapestDelivery, returns.Money{Minor: p.Settings.CheapestDeliveryMinor, Currency: p.Currency}.Decimal())
}

// windowDays is the window field's text: as typed when it did not parse.
func (p SettingsPage) windowDays() string {
	if typed, ok := p.Form.Values[returns.FieldWindowDays]; ok {
		return typed
	}
	if p.Settings.WindowDays == 0 {
		return ""
	}
	return strconv.Itoa(p.Settings.WindowDays)
}

// formValue is a field's text: as sent when the form came back with messages,
// else value.
func (p SettingsPage) formValue(field, value string) string {
	if sent, ok := p.Form.Values[field]; ok {
		return sent
	}
	return value
}

// storefront names the storefront the pages link back to, e.g. " (https://linen.example)".
func (p SettingsPage) storefront(l Localizer) string {
	if p.Identity.StoreURL == "" {
		return l.T(" (once the shop has been reached)")
	}
	return " (" + p.Identity.StoreURL + ")"
}

// shopName names Shopify's name of the shop, e.g. " (Linen & Co)".
func (p SettingsPage) shopName() string {
	if p.Shop.Name == "" {
		return ""
	}
	return " (" + p.Shop.Name + ")"
}

// shopZone names Shopify's time zone of the shop, e.g. " (Europe/Riga)".
func (p SettingsPage) shopZone(l Localizer) string {
	if p.Shop.TimeZone == "" {
		return l.T(", or UTC while the shop has not been reached")
	}
	return " (" + p.Shop.TimeZone + ")"
}
