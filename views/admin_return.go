package views

import (
	"context"
	"slices"
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// AdminReturnPage is one return as staff see it, with the actions its status
// allows.
type AdminReturnPage struct {
	AdminPage
	View *returns.StaffReturn
	// Actions are the actions the return's status allows, each shown as its
	// form; a note can always be added.
	Actions []paths.Action
	// Failed is the action whose form failed, shown again with Form's values
	// and messages; "" when none did.
	Failed paths.Action
	Form   Form
	// Variants are the variants each line's product has (line item id →
	// variants), offered instead of the line's own after Shopify refused
	// the replacement order; nil otherwise.
	Variants map[string][]returns.VariantChoice
}

// allows reports whether the page shows the form of action a.
func (p AdminReturnPage) allows(a paths.Action) bool { return slices.Contains(p.Actions, a) }

// code is the return's code, which every link of the page names.
func (p AdminReturnPage) code() string { return p.View.Return.Code }

// unsettledRefunds are the refunds whose outcome is not known yet.
func (p AdminReturnPage) unsettledRefunds() []returns.Refund {
	var out []returns.Refund
	for _, ref := range p.View.Refunds {
		if !ref.Settled() {
			out = append(out, ref)
		}
	}
	return out
}

// canReconcile reports whether a refund gets a "check with Shopify" form.
func canReconcile(ref returns.Refund) bool {
	return ref.State == returns.RefundPending || ref.State == returns.RefundUnknown
}

// actorName says who did something on the timeline: "Customer", "System", or
// the staff member's email.
func actorName(l Localizer, a returns.Actor, staff map[int64]string) string {
	switch a {
	case returns.ActorCustomer:
		return l.T("Customer")
	case returns.ActorSystem:
		return l.T("System")
	}
	if idText, ok := strings.CutPrefix(string(a), "staff:"); ok {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err == nil {
			if email := staff[id]; email != "" {
				return email
			}
			return l.T("Staff member #%s", idText)
		}
	}
	return string(a)
}

// adminEventLabel names a timeline entry for staff; staff see every entry.
func adminEventLabel(l Localizer, ev returns.Event) string {
	switch ev.Type {
	case returns.EventRequested:
		return l.T("Return requested")
	case returns.EventCancelled:
		return l.T("Cancelled by the customer")
	case returns.EventApproved:
		return l.T("Approved")
	case returns.EventAutoApproved:
		return l.T("Approved automatically")
	case returns.EventDeclined:
		return l.T("Declined")
	case returns.EventItemReceived:
		return l.T("Item received")
	case returns.EventRefunded:
		return l.T("Refunded")
	case returns.EventReplacementShipped:
		return l.T("Replacement shipped")
	case returns.EventReplacementOrdered:
		return l.T("Replacement order created")
	case returns.EventReplacementRefused:
		return l.T("Replacement order refused by Shopify")
	case returns.EventReplacementDelivered:
		return l.T("Replacement delivered")
	case returns.EventReplacementAlert:
		return l.T("Replacement order needs attention")
	case returns.EventSwitchedToRefund:
		return l.T("Switched to a refund")
	case returns.EventClosed:
		return l.T("Closed")
	case returns.EventNote:
		return l.T("Internal note")
	case returns.EventRefundFailed:
		return l.T("Refund failed")
	case returns.EventRefundUnknown:
		return l.T("Refund outcome unknown")
	case returns.EventShopifyUpdated:
		return l.T("Shopify order updated")
	case returns.EventShopifyDeferred:
		return l.T("Shopify order not updated yet (retried automatically)")
	case returns.EventShopifyRefund:
		return l.T("Refunded in Shopify admin")
	case returns.EventOrderRefund:
		return l.T("Order refunded in Shopify admin")
	case returns.EventRefundAwaiting:
		return l.T("Refund waiting for the payment provider")
	case returns.EventRefundPayoutFailed:
		return l.T("Refund failed at the payment provider")
	case returns.EventManualRefundPaid:
		return l.T("Refund paid to the customer by staff")
	case returns.EventDataRequest:
		return l.T("Customer data request")
	case returns.EventPersonalDataErased:
		return l.T("Personal data erased")
	case returns.EventPhotosDeleted:
		return l.T("Photos deleted")
	case returns.EventParcelSent:
		return l.T("The customer sent the parcel")
	}
	if ev.Status != "" {
		return l.Status(ev.Status)
	}
	return string(ev.Type)
}

// erasedCustomer is what the backoffice shows for the customer of a return
// whose personal data was erased, in place of the address that stands in.
func erasedCustomer(ctx context.Context, r *returns.Return) string {
	return staffL(ctx).T("Personal data erased on %s", dateTime(ctx, r.RedactedAt))
}

// erasedText reports whether an event's message was emptied by the erasure of
// the return's personal data, so the timeline can say so.
func erasedText(r *returns.Return, ev returns.Event) bool {
	return r.Redacted() && ev.Message == "" && returns.ErasesMessage(ev.Type) && ev.At.Before(r.RedactedAt)
}

// refundStateLabel names a refund's state for staff.
func refundStateLabel(l Localizer, s returns.RefundState) string {
	switch s {
	case returns.RefundPending:
		return l.T("Pending")
	case returns.RefundSucceeded:
		return l.T("Succeeded")
	case returns.RefundFailed:
		return l.T("Failed")
	case returns.RefundUnknown:
		return l.T("Unknown, being checked")
	}
	return string(s)
}

// refundStateClass is the badge class of a refund's state.
func refundStateClass(s returns.RefundState) string {
	switch s {
	case returns.RefundSucceeded:
		return "badge badge-done"
	case returns.RefundFailed:
		return "badge badge-bad"
	}
	return "badge"
}
