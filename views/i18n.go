package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	returns "github.com/returnsportal/returns"
)

// Languages lists the languages of the customer pages; the first is the default.
var Languages = []string{"en", "lv"}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Latvian})

// MatchLanguage picks the page language for an Accept-Language header: "lv" when the
// browser prefers Latvian over English, "en" otherwise (also for an empty or
// malformed header).
func MatchLanguage(accept string) string {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return Languages[i]
}

// SupportedLanguage reports whether s is the code of a page language ("en", "lv").
func SupportedLanguage(s string) bool {
	for _, l := range Languages {
		if s == l {
			return true
		}
	}
	return false
}

// Localizer translates and formats text for one page language. The zero value
// speaks English.
type Localizer struct {
	Lang string // "en" or "lv"
	// Zone is the store's time zone, which dates are told in; nil tells
	// them in their own.
	Zone *time.Location
}

// NewLocalizer returns a Localizer for lang, falling back to English for a
// language the pages do not speak.
func NewLocalizer(lang string) Localizer {
	if !SupportedLanguage(lang) {
		lang = "en"
	}
	return Localizer{Lang: lang}
}

// Code returns the language code for the html lang attribute: "en" or "lv".
func (l Localizer) Code() string {
	if l.Lang == "lv" {
		return "lv"
	}
	return "en"
}

// T translates an English format string, gettext style (the English text is the
// key), and formats it with args. A text missing from the catalog stays English.
func (l Localizer) T(format string, args ...any) string {
	if l.Lang == "lv" {
		if s, ok := catalogLV[format]; ok {
			format = s
		}
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Msg translates a domain message. Arguments that are domain values (a Status,
// Kind, Reason, Resolution or Money) are formatted in the page language too.
func (l Localizer) Msg(m returns.Message) string {
	if len(m.Args) == 0 {
		return l.T(m.Format)
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = l.arg(a)
	}
	return l.T(m.Format, args...)
}

func (l Localizer) arg(a any) any {
	switch v := a.(type) {
	case returns.Status:
		return strings.ToLower(l.Status(v))
	case returns.Kind:
		return l.Kind(v)
	case returns.Reason:
		return l.Reason(v)
	case returns.Resolution:
		return l.Resolution(v)
	case returns.Money:
		return l.Money(v)
	case returns.Message:
		return l.Msg(v)
	}
	return a
}

// currencySymbols are the currencies shown with a symbol; others show their code.
var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}

// Money formats an amount the way the page language writes it: "€29.00",
// "$1,250.00", "JPY 1,200" in English; "29,00 €", "1 250,00 $", "1 200 JPY" in
// Latvian. It works on the minor units; no float is involved.
func (l Localizer) Money(m returns.Money) string {
	digits := returns.CurrencyDigits(m.Currency)
	neg := m.Minor < 0
	u := uint64(m.Minor)
	if neg {
		u = -u // two's complement: correct for math.MinInt64 too
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	group, point := ",", "."
	if l.Lang == "lv" {
		group, point = " ", ","
	}
	num := groupThousands(whole, group)
	if digits > 0 {
		num += point + frac
	}
	sign := ""
	if neg {
		sign = "-"
	}
	sym, hasSym := currencySymbols[m.Currency]
	if l.Lang == "lv" {
		if !hasSym {
			sym = m.Currency
		}
		return sign + num + " " + sym
	}
	if !hasSym {
		return sign + m.Currency + " " + num
	}
	return sign + sym + num
}

func groupThousands(s, sep string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// Latvian month names in the nominative, as a date on its own is written.
var monthsLV = [...]string{"janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts", "septembris", "oktobris", "novembris", "decembris"}

// Date formats the calendar day of t in the store's time zone (Zone): "26 November 2026" or
// "2026. gada 26. novembris".
func (l Localizer) Date(t time.Time) string {
	t = l.In(t)
	if l.Lang == "lv" {
		return fmt.Sprintf("%d. gada %d. %s", t.Year(), t.Day(), monthsLV[t.Month()-1])
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
}

// ISODate formats t for a <time datetime> attribute.
func ISODate(t time.Time) string { return t.Format("2006-01-02") }

// Plural translates the form of a count that the page language needs: one is the
// English text for a count of one ("in %d minute"), other for every other count.
// Latvian uses its singular for counts ending in 1 but not 11. The count is
// the first argument of the text; args follow it.
func (l Localizer) Plural(n int, one, other string, args ...any) string {
	single := n == 1
	if l.Lang == "lv" {
		single = n%10 == 1 && n%100 != 11
	}
	all := append([]any{n}, args...)
	if single {
		return l.T(one, all...)
	}
	return l.T(other, all...)
}

// Status returns the label of a return status.
func (l Localizer) Status(s returns.Status) string {
	switch s {
	case returns.StatusRequested:
		return l.T("Requested")
	case returns.StatusApproved:
		return l.T("Approved")
	case returns.StatusDeclined:
		return l.T("Declined")
	case returns.StatusCancelled:
		return l.T("Cancelled")
	case returns.StatusItemReceived:
		return l.T("Item received")
	case returns.StatusRefunded:
		return l.T("Refunded")
	case returns.StatusReplacementShipped:
		return l.T("Replacement shipped")
	case returns.StatusClosed:
		return l.T("Closed")
	}
	return string(s)
}

// Kind returns the label of what a customer reported.
func (l Localizer) Kind(k returns.Kind) string {
	switch k {
	case returns.KindDamaged:
		return l.T("The item arrived damaged")
	case returns.KindDissatisfied:
		return l.T("I am not satisfied with the item")
	case returns.KindWithdrawal:
		return l.T("I withdraw from the contract")
	}
	return string(k)
}

// Reason returns the label of a return reason.
func (l Localizer) Reason(r returns.Reason) string {
	switch r {
	case returns.ReasonDamaged:
		return l.T("Damaged")
	case returns.ReasonDoesntFit:
		return l.T("It doesn’t fit")
	case returns.ReasonNotAsDescribed:
		return l.T("It is not as described")
	case returns.ReasonWrongItem:
		return l.T("I received the wrong item")
	case returns.ReasonNoLongerNeeded:
		return l.T("I no longer need it")
	case returns.ReasonOther:
		return l.T("Another reason")
	}
	return string(r)
}

// Resolution returns the label of what a customer asks for.
func (l Localizer) Resolution(r returns.Resolution) string {
	switch r {
	case returns.ResolutionRefund:
		return l.T("Refund")
	case returns.ResolutionReplacement:
		return l.T("Replacement")
	}
	return string(r)
}

// Ineligible returns why none of a line's units can be returned, in a sentence
// the customer can act on; the window reason says when it ended.
func (l Localizer) Ineligible(le returns.LineEligibility) string {
	switch le.Reason {
	case returns.IneligibleOrderCancelled:
		return l.T("The order was cancelled.")
	case returns.IneligibleGiftCard:
		return l.T("Gift cards cannot be returned.")
	case returns.IneligibleProductGone:
		return l.T("This item is no longer sold in our shop, so it cannot be returned here. Please contact us.")
	case returns.IneligibleFinalSale:
		return l.T("Final sale: this item cannot be returned.")
	case returns.IneligibleNotFulfilled:
		return l.T("Not shipped yet: you can return it once it has arrived.")
	case returns.IneligibleWindowClosed:
		if le.WindowEnds.IsZero() {
			return l.T("The return period has ended.")
		}
		return l.T("The return period ended on %s.", l.Date(le.WindowEnds))
	case returns.IneligibleAlreadyReturned:
		return l.T("Already returned or in a return.")
	}
	return l.T("This item cannot be returned.")
}

// Returnable says how many units of a line can be returned, and until when.
func (l Localizer) Returnable(le returns.LineEligibility) string {
	if le.WindowEnds.IsZero() {
		return l.T("%d can be returned", le.Returnable)
	}
	return l.T("%d can be returned until %s", le.Returnable, l.Date(le.WindowEnds))
}

// Event returns the customer's words for a timeline entry, or "" for an entry
// that is only for staff (Shopify write-backs, internal notes, refunds that
// failed or whose outcome is not known yet). Only entries of the types listed
// here reach a customer: a type added later stays hidden until it is added.
func (l Localizer) Event(ev returns.Event) string {
	var st returns.Status
	switch ev.Type {
	case returns.EventRequested:
		st = returns.StatusRequested
	case returns.EventCancelled:
		st = returns.StatusCancelled
	case returns.EventApproved, returns.EventAutoApproved:
		st = returns.StatusApproved
	case returns.EventDeclined:
		st = returns.StatusDeclined
	case returns.EventItemReceived:
		st = returns.StatusItemReceived
	case returns.EventRefunded:
		st = returns.StatusRefunded
	case returns.EventReplacementShipped:
		st = returns.StatusReplacementShipped
	case returns.EventClosed:
		st = returns.StatusClosed
	case returns.EventPersonalDataErased:
		return l.T("Your personal data was erased")
	case returns.EventPhotosDeleted:
		return l.T("Photos deleted")
	case returns.EventRefundAwaiting:
		return l.T("Refund being processed")
	case returns.EventManualRefundPaid:
		return l.T("Refund paid")
	case returns.EventParcelSent:
		return l.T("You sent the parcel")
	case returns.EventReplacementOrdered:
		return l.T("Replacement order created")
	case returns.EventReplacementDelivered:
		return l.T("Replacement delivered")
	case returns.EventSwitchedToRefund:
		return l.T("Changed to a refund")
	case returns.EventWithdrawn:
		return l.T("You withdrew from the contract")
	default:
		// EventNote, EventRefundFailed, EventRefundUnknown, EventShopifyUpdated,
		// EventShopifyDeferred and anything unknown.
		return ""
	}
	switch st {
	case returns.StatusRequested:
		return l.T("Return requested")
	case returns.StatusApproved:
		return l.T("Return approved")
	case returns.StatusDeclined:
		return l.T("Return declined")
	case returns.StatusCancelled:
		return l.T("Return cancelled")
	case returns.StatusItemReceived:
		return l.T("We received the item")
	case returns.StatusRefunded:
		return l.T("Refund issued")
	case returns.StatusReplacementShipped:
		return l.T("Replacement shipped")
	case returns.StatusClosed:
		return l.T("Return completed")
	}
	return ""
}

// LanguageName returns the name of a page language in that language, for the
// language switch.
func LanguageName(lang string) string {
	if lang == "lv" {
		return "Latviešu"
	}
	return "English"
}
