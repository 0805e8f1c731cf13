package views

import (
	"context"
	"regexp"
	"time"

	returns "github.com/returnsportal/returns"
)

// The backoffice speaks English only. Its texts are written in the templates
// and in the admin_*.go files as they are, never through Localizer.T, so the
// Latvian catalog and TestCatalogComplete stay about the customer pages. Domain
// labels (statuses, reasons, money) come from the English Localizer.
var english = Localizer{Lang: "en"}

// StaffKind is the short label staff read for what the customer reported, in
// the backoffice and in the staff's emails.
func StaffKind(k returns.Kind) string {
	switch k {
	case returns.KindDamaged:
		return "Damaged"
	case returns.KindDissatisfied:
		return "Not satisfied"
	}
	return string(k)
}

// isoDateTime formats t for a <time datetime> attribute.
func isoDateTime(t time.Time) string { return t.Format(time.RFC3339) }

// storedAmount is an amount as the domain writes it into the messages of the
// timeline's refund entries, e.g. "29.00 EUR" (Money.String).
var storedAmount = regexp.MustCompile(`\b(\d+(?:\.\d+)?) ([A-Z]{3})\b`)

// eventMessage is an event's message as staff read it: amounts the domain
// wrote ("29.00 EUR") in the page's way ("€29.00"), like every other amount on
// the page. Words people wrote (notes, a decline's reason, an approval's
// message, a customer's request) and the line written to the Shopify order
// are shown as they were written.
func eventMessage(ev returns.Event) string {
	switch ev.Type {
	case returns.EventNote, returns.EventApproved, returns.EventDeclined, returns.EventDataRequest, returns.EventShopifyUpdated:
		return ev.Message
	}
	return storedAmount.ReplaceAllStringFunc(ev.Message, func(s string) string {
		m := storedAmount.FindStringSubmatch(s)
		amount, err := returns.ParseDecimal(m[1], m[2])
		if err != nil {
			return s
		}
		return english.Money(amount)
	})
}

// shopifyRefundText says what Shopify has of a refund, for the refunds table:
// staff know a refund by its amount and day (the table's other columns), so
// Shopify's id for it (gid://shopify/Refund/…) is not shown.
func shopifyRefundText(ctx context.Context, ref returns.Refund) string {
	if ref.ShopifyID == "" {
		return "Not in Shopify"
	}
	return "Refund " + english.Money(ref.Amount) + " of " + dateTime(ctx, ref.CreatedAt)
}
