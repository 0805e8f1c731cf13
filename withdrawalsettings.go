package returns

import (
	"strings"
)

// WithdrawalSettings are the store's settings of the right of withdrawal.
type WithdrawalSettings struct {
	// LinkEN and LinkLV label the withdrawal function on every customer
	// page and in every customer email, as Article 11a asks: "withdraw from
	// contract here" or an unambiguous equivalent.
	LinkEN, LinkLV string
	// Exempt tags mark the products the law exempts from withdrawal, one
	// tag per kind ("" for none).
	ExemptCustomMadeTag, ExemptPerishableTag, ExemptSealedHygieneTag string
	// DeliveryDays is how many days after a fulfilment its goods are taken
	// to have arrived when Shopify knows no delivery date.
	DeliveryDays int
	// NotInformedTag marks orders whose customer was not told of the right
	// of withdrawal: their period is 12 months longer.
	NotInformedTag string
}

// DefaultWithdrawalSettings are used until staff save their own.
func DefaultWithdrawalSettings() WithdrawalSettings {
	return WithdrawalSettings{
		LinkEN:                 "Withdraw from contract here",
		LinkLV:                 "Atteikties no līguma šeit",
		ExemptCustomMadeTag:    "custom-made",
		ExemptPerishableTag:    "perishable",
		ExemptSealedHygieneTag: "sealed-hygiene",
		DeliveryDays:           3,
		NotInformedTag:         "withdrawal-not-informed",
	}
}

// Link returns the withdrawal function's label in lang ("en", "lv").
func (w WithdrawalSettings) Link(lang string) string {
	if lang == "lv" && w.LinkLV != "" {
		return w.LinkLV
	}
	if w.LinkEN != "" {
		return w.LinkEN
	}
	return DefaultWithdrawalSettings().LinkEN
}

// Policy returns what the settings say about the period and exempt goods.
func (w WithdrawalSettings) Policy() WithdrawalPolicy {
	return WithdrawalPolicy{
		ExemptTags: map[Exemption]string{
			ExemptCustomMade:    w.ExemptCustomMadeTag,
			ExemptPerishable:    w.ExemptPerishableTag,
			ExemptSealedHygiene: w.ExemptSealedHygieneTag,
		},
		DeliveryDays:   w.DeliveryDays,
		NotInformedTag: w.NotInformedTag,
	}
}

// ExemptTags returns the product tags that mark goods the law exempts from
// withdrawal, those set: the one list the withdrawal function and the check
// of the settings against the law both read.
func (w WithdrawalSettings) ExemptTags() []string {
	var tags []string
	for _, tag := range []string{w.ExemptCustomMadeTag, w.ExemptPerishableTag, w.ExemptSealedHygieneTag} {
		if tag != "" {
			tags = append(tags, tag)
		}
	}
	return tags
}

// MaxDeliveryDays caps the days after fulfilment a delivery is assumed.
const MaxDeliveryDays = 60

// checkWithdrawalSettings cleans w and says what is wrong with it in fields.
func checkWithdrawalSettings(w *WithdrawalSettings, fields map[string]Message) {
	if *w == (WithdrawalSettings{}) {
		// A caller that does not set them (a tool, a form from before they
		// existed) keeps the defaults, as with the staff language.
		*w = DefaultWithdrawalSettings()
	}
	for name, label := range map[string]*string{FieldWithdrawalLinkEN: &w.LinkEN, FieldWithdrawalLinkLV: &w.LinkLV} {
		*label = strings.TrimSpace(CleanText(*label))
		if *label == "" {
			fields[name] = Msg("Enter the label of the withdrawal function.")
		} else if m := checkText(*label, 100); m != nil {
			fields[name] = *m
		}
	}
	for name, tag := range map[string]*string{
		FieldExemptCustomMadeTag: &w.ExemptCustomMadeTag, FieldExemptPerishableTag: &w.ExemptPerishableTag,
		FieldExemptSealedHygieneTag: &w.ExemptSealedHygieneTag, FieldNotInformedTag: &w.NotInformedTag,
	} {
		*tag = strings.TrimSpace(*tag)
		if m := checkText(*tag, 255); m != nil || strings.Contains(*tag, ",") {
			fields[name] = Msg("Enter one product tag, without commas.")
		}
	}
	if w.DeliveryDays < 0 || w.DeliveryDays > MaxDeliveryDays {
		fields[FieldDeliveryDays] = Msg("Enter a number of days from 0 to %d.", MaxDeliveryDays)
	}
}
