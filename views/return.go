package views

import (
	"time"

	returns "github.com/returnsportal/returns"
)

// ReturnPage is a return's status page. It is kept and served again while the
// return's version, the settings' revision and the language are unchanged, so
// it shows nothing else: nothing of the session or the request.
type ReturnPage struct {
	Page
	Return        *returns.Return
	Events        []returns.Event // the whole timeline; the page shows the customer's part
	ReturnAddress string
	Instructions  string
	CanCancel     bool
	// OrderLink links back to the order's page (every session that may see a
	// return has proved its order).
	OrderLink bool
	// ParcelForm is the customer's parcel form as it comes back with
	// mistakes; such a page is not kept.
	ParcelForm Form
}

// sendsItemBackNow reports whether the customer has the item to send back
// now, so the page shows the address: a dissatisfied customer's from the
// request on, a damaged item's only once a refund of it is approved (before,
// nobody has looked at the photos), never after the item is on its way.
func sendsItemBackNow(r *returns.Return) bool {
	switch r.Status {
	case returns.StatusRequested:
		return r.ItemGoesBeforeReview()
	case returns.StatusApproved:
		return r.ItemComesBack()
	}
	return false
}

// thumbSize scales a photo to fit a 160×160 box for its width and height
// attributes, so the page does not jump while thumbnails load.
func thumbSize(p returns.Photo) (w, h int) {
	const box = 160
	if p.Width <= 0 || p.Height <= 0 {
		return box, box
	}
	if p.Width >= p.Height {
		return box, max(1, p.Height*box/p.Width)
	}
	return max(1, p.Width*box/p.Height), box
}

// customerEvents returns the timeline entries a customer sees, with their labels.
func customerEvents(l Localizer, evs []returns.Event) []timelineEntry {
	var out []timelineEntry
	for _, ev := range evs {
		if label := l.Event(ev); label != "" {
			out = append(out, timelineEntry{At: ev.At, Label: label})
		}
	}
	return out
}

// timelineEntry is one entry of the customer's timeline.
type timelineEntry struct {
	At    time.Time
	Label string
}

// statusClass returns the CSS class of a status badge.
func statusClass(s returns.Status) string {
	switch s {
	case returns.StatusDeclined, returns.StatusCancelled:
		return "badge badge-off"
	case returns.StatusRefunded, returns.StatusReplacementShipped, returns.StatusClosed:
		return "badge badge-done"
	case returns.StatusApproved, returns.StatusItemReceived:
		return "badge badge-ok"
	}
	return "badge"
}

// lastEvent returns the newest event of a type on the timeline.
func lastEvent(evs []returns.Event, t returns.EventType) (returns.Event, bool) {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == t {
			return evs[i], true
		}
	}
	return returns.Event{}, false
}

// approvedStatus reports whether a return in status s was approved: approved
// itself or a status that only follows an approval.
func approvedStatus(s returns.Status) bool {
	switch s {
	case returns.StatusApproved, returns.StatusItemReceived, returns.StatusRefunded, returns.StatusReplacementShipped, returns.StatusClosed:
		return true
	}
	return false
}

// approval returns staff's message to the customer from the approval, and
// whether the page shows the approval box: while the return is approved (the
// next step is the customer's to know), or later when staff wrote a message.
func (p ReturnPage) approval() (message string, show bool) {
	if !approvedStatus(p.Return.Status) {
		return "", false
	}
	ev, _ := lastEvent(p.Events, returns.EventApproved)
	if ev.Msg.Format != "" {
		// The system's words ("Approved in Shopify admin."), for staff's
		// timeline: not a message from the shop to the customer.
		return "", p.Return.Status == returns.StatusApproved
	}
	return ev.Message, p.Return.Status == returns.StatusApproved || ev.Message != ""
}

// approvalHeading names the approval box after where the return is now: once
// a replacement is sent, the news is the replacement, not the approval.
func (p ReturnPage) approvalHeading() string {
	switch {
	case p.Return.Status == returns.StatusReplacementShipped:
		return p.L.T("Your replacement is on its way")
	case len(p.Return.Shipments) > 0:
		return p.L.T("We sent you a replacement")
	case p.Return.Kind == returns.KindWithdrawal:
		// A withdrawal takes effect by being made: nothing was approved,
		// and the page acknowledges the statement below; what is left to
		// the customer is the parcel.
		return p.L.T("Send the items back")
	}
	return p.L.T("We approved your return")
}

// switchReason returns why staff refund instead of sending the replacement
// the customer asked for; "" when they did not switch.
func (p ReturnPage) switchReason() (string, bool) {
	ev, ok := lastEvent(p.Events, returns.EventSwitchedToRefund)
	return ev.Message, ok
}

// replacementOrdered reports whether the replacement order was made and not
// shipped yet, and its name.
func (p ReturnPage) replacementOrdered() (string, bool) {
	ro := p.Return.Replacement
	if ro == nil || ro.State != returns.ReplacementOrdered || len(p.Return.Shipments) > 0 || p.Return.Status != returns.StatusApproved {
		return "", false
	}
	return ro.Order.Name, true
}

// declineReason returns the reason staff gave the customer for declining.
func (p ReturnPage) declineReason() string {
	if p.Return.Status != returns.StatusDeclined {
		return ""
	}
	ev, _ := lastEvent(p.Events, returns.EventDeclined)
	if ev.Msg.Format != "" {
		return "" // the system's words for staff, not a reason for the customer
	}
	return ev.Message
}
