package returns

import "strings"

// Settings the law contradicts, pointed out to staff on the settings page:
// the store may be more generous than the law, never less.

// ExemptKind is a kind of goods the Consumer Rights Directive exempts from
// the right of withdrawal (Article 16), with the product tag that marks it.
type ExemptKind struct {
	Tag  string
	What string // in English; pages translate it
}

// LegalExemptKinds are the kinds of goods Article 16 exempts that a shop
// like this one sells, tagged as the settings page suggests. They are what a
// "final sale" tag is checked against until the store names its own exempt
// tags.
var LegalExemptKinds = []ExemptKind{
	{Tag: "made-to-order", What: "goods made to the customer’s specifications or clearly personalised"},
	{Tag: "perishable", What: "goods that deteriorate or expire rapidly"},
	{Tag: "sealed-hygiene", What: "sealed goods not suitable for return for health or hygiene reasons once unsealed"},
	{Tag: "sealed-media", What: "sealed audio or video recordings or software once unsealed"},
}

// LegalExemptTags returns the tags of LegalExemptKinds.
func LegalExemptTags() []string {
	tags := make([]string, len(LegalExemptKinds))
	for i, k := range LegalExemptKinds {
		tags[i] = k.Tag
	}
	return tags
}

// SettingsAgainstLaw returns what in st contradicts the law, each as a
// message for staff; none when nothing does. exemptTags are the product tags
// that mark goods the law exempts from withdrawal: a non-returnable tag that
// is not one of them takes a right away from customers.
func SettingsAgainstLaw(st Settings, exemptTags []string) []Message {
	var out []Message
	if st.WindowDays < WithdrawalDays {
		out = append(out, Msg("The return window is %d days, but customers may withdraw from a purchase for 14 days after receiving it. Withdrawals are accepted for 14 days whatever the window says.", st.WindowDays))
	}
	if tag := strings.TrimSpace(st.NonReturnableTag); tag != "" && !containsTag(exemptTags, tag) {
		out = append(out, Msg("Products tagged “%s” cannot be returned, but the law allows refusing a withdrawal only for exempt goods (made to order, perishable, sealed hygiene goods or media once unsealed). Tag those with an exempt tag instead.", tag))
	}
	if !st.RefundDelivery {
		out = append(out, Msg("Refunds of withdrawals leave out the delivery cost, but the law requires refunding the delivery paid, up to the cheapest standard delivery."))
	}
	return out
}

// containsTag reports whether tags holds tag, compared as Shopify compares
// tags: without regard to case or surrounding space.
func containsTag(tags []string, tag string) bool {
	for _, t := range tags {
		if strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(tag)) {
			return true
		}
	}
	return false
}
