package views

import (
	"context"
	"regexp"
	"time"

	returns "github.com/returnsportal/returns"
)

// staffLangKey keys the signed-in staff member's language in a rendering's
// context.
type staffLangKey struct{}

// WithStaffLanguage returns ctx carrying the language the backoffice's pages
// speak ("en" or "lv"): the staff account's, else the store's. The handlers
// set it once per request, beside the time zone, so that every component of a
// page, however deep, speaks the same language without passing it down.
func WithStaffLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, staffLangKey{}, lang)
}

// staffL is the Localizer of a backoffice page: the staff member's language
// (English when ctx carries none), and the store's time zone. The backoffice
// translates through the same catalogue as the customer pages.
func staffL(ctx context.Context) Localizer {
	lang, _ := ctx.Value(staffLangKey{}).(string)
	l := NewLocalizer(lang)
	l.Zone = timeZone(ctx)
	return l
}

// StaffKind is the short label staff read for what the customer reported, in
// the backoffice and in the staff's emails.
func (l Localizer) StaffKind(k returns.Kind) string {
	switch k {
	case returns.KindDamaged:
		return l.T("Damaged")
	case returns.KindDissatisfied:
		return l.T("Not satisfied")
	case returns.KindWithdrawal:
		return l.T("Withdrawal")
	}
	return string(k)
}

// isoDateTime formats t for a <time datetime> attribute.
func isoDateTime(t time.Time) string { return t.Format(time.RFC3339) }

// storedAmount is an amount as the domain writes it into the messages of the
// timeline's refund entries, e.g. "29.00 EUR" (Money.String).
var storedAmount = regexp.MustCompile(`\b(\d+(?:\.\d+)?) ([A-Z]{3})\b`)

// eventMessage is an event's message as staff read it: one the system wrote
// in the page's language, from its format and arguments. Of events from before
// the timeline kept those, amounts the domain wrote ("29.00 EUR") are shown in
// the page's way ("€29.00"), like every other amount on the page. Words people
// wrote (notes, a decline's reason, an approval's message, a customer's
// request) and the line written to the Shopify order are shown as they were
// written.
func eventMessage(ctx context.Context, ev returns.Event) string {
	if ev.Msg.Format != "" {
		return staffL(ctx).Msg(ev.Msg)
	}
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
		return staffL(ctx).Money(amount)
	})
}

// shopifyRefundText says what Shopify has of a refund, for the refunds table:
// staff know a refund by its amount and day (the table's other columns), so
// Shopify's id for it (gid://shopify/Refund/…) is not shown.
func shopifyRefundText(ctx context.Context, ref returns.Refund) string {
	l := staffL(ctx)
	if ref.ShopifyID == "" {
		return l.T("Not in Shopify")
	}
	return l.T("Refund %s of %s", l.Money(ref.Amount), dateTime(ctx, ref.CreatedAt))
}
