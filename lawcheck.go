package returns

import "strings"

// Settings the law contradicts, pointed out to staff on the settings page:
// the store may be more generous than the law, never less.

// SettingsAgainstLaw returns what in st contradicts the law, each as a
// message for staff; none when nothing does. The exempt tags of
// st.Withdrawal mark the goods the law exempts from withdrawal: a
// non-returnable tag that is not one of them takes a right away from
// customers.
func SettingsAgainstLaw(st Settings) []Message {
	var out []Message
	if st.WindowDays < WithdrawalDays {
		out = append(out, Msg("The return window is %d days, but customers may withdraw from a purchase for 14 days after receiving it. Withdrawals are accepted for 14 days whatever the window says.", st.WindowDays))
	}
	if tag := strings.TrimSpace(st.NonReturnableTag); tag != "" && !containsTag(st.Withdrawal.ExemptTags(), tag) {
		out = append(out, Msg("Products tagged “%s” cannot be returned, but the law allows refusing a withdrawal only for exempt goods (made to the customer’s specifications, perishable, sealed hygiene goods once unsealed). Tag those with an exempt tag instead.", tag))
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
