package views

import (
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
)

// LangURL returns the current page's address with lang set, for the language
// switch. path is Page.Path (a local path, with or without a query); anything
// that is not a local path becomes "/", so the switch never links off the site.
func LangURL(path, lang string) string {
	if path == "" || path[0] != '/' || strings.HasPrefix(path, "//") || strings.HasPrefix(path, "/\\") {
		path = "/"
	}
	u, err := url.Parse(path)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.RequestURI()
}

// lineDOMID returns a safe HTML id part for a line item GID: its numeric tail
// ("gid://shopify/LineItem/123" → "123"), or a hash when there is none.
func lineDOMID(gid string) string {
	s := gid
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	s = s[strings.LastIndexByte(s, '/')+1:]
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return s
	}
	h := fnv.New64a()
	h.Write([]byte(gid))
	return "h" + strconv.FormatUint(h.Sum64(), 36)
}

// idList joins the non-empty ids for aria-describedby.
func idList(ids ...string) string {
	return strings.Join(slices.DeleteFunc(ids, func(s string) bool { return s == "" }), " ")
}

// fieldError returns the message for a form field, if any.
func (f ReturnForm) fieldError(name string) (returns.Message, bool) {
	m, ok := f.Fields[name]
	return m, ok
}

// noteError returns the message for the free-text field the customer used. The
// service reports both texts as "note"; the form has one field per kind.
func (f ReturnForm) noteError(field string) (returns.Message, bool) {
	if m, ok := f.Fields[field]; ok {
		return m, true
	}
	m, ok := f.Fields["note"]
	if !ok {
		return m, false
	}
	if f.Kind == returns.KindDissatisfied {
		return m, field == "other_reason"
	}
	return m, field == "description"
}

// hasErrors reports whether the form comes back with messages.
func (f ReturnForm) hasErrors() bool { return f.Error != nil || len(f.Fields) > 0 }

// formError is one entry of the error summary: the message and the id of the
// control it is about ("" when it is about no single control).
type formError struct {
	Target string
	Msg    returns.Message
}

// summary lists the form's messages in the order the fields appear on the page.
func (p OrderPage) summary() []formError {
	f := p.Form
	var out []formError
	seen := map[string]bool{}
	add := func(key, target string) {
		if m, ok := f.Fields[key]; ok && !seen[key] {
			seen[key] = true
			out = append(out, formError{Target: target, Msg: m})
		}
	}
	add("form", "")
	add("items", "items")
	for _, le := range p.Lines {
		add("qty-"+le.Line.ID, "qty-"+lineDOMID(le.Line.ID))
		add("line-"+le.Line.ID, "line-"+lineDOMID(le.Line.ID))
	}
	add("kind", "kind-damaged")
	add("description", "description")
	if f.Kind == returns.KindDissatisfied {
		add("note", "other_reason")
	} else {
		add("note", "description")
	}
	add("photos", "photos")
	add("resolution", "resolution-replacement")
	add("reason", "reason")
	add("other_reason", "other_reason")
	rest := make([]string, 0, len(f.Fields))
	for k := range f.Fields {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		add(k, "")
	}
	return out
}

// quantity returns the units to pre-fill for a line: the customer's choice when
// the form comes back, else 1.
func (f ReturnForm) quantity(le returns.LineEligibility) int {
	if q, ok := f.Quantities[le.Line.ID]; ok && q >= 1 && q <= le.Returnable {
		return q
	}
	return 1
}

// lineTitle is the line's title with its variant, e.g. "Wool scarf — Grey".
func lineTitle(l returns.LineItem) string {
	if l.VariantTitle == "" || l.VariantTitle == "Default Title" {
		return l.Title
	}
	return l.Title + " — " + l.VariantTitle
}

// itemComesBack reports whether the customer has to send the item back now, so
// the page shows the address: a dissatisfied customer always does; a damage
// report only when it asks for a refund (a replacement is decided on the photos).
func itemComesBack(r *returns.Return) bool {
	if r.Status != returns.StatusRequested && r.Status != returns.StatusApproved {
		return false
	}
	return r.Kind == returns.KindDissatisfied || r.Resolution == returns.ResolutionRefund
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

// retryMinutes rounds a wait up to whole minutes, at least one.
func retryMinutes(d time.Duration) int {
	return max(1, int((d+time.Minute-1)/time.Minute))
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

func itoa(n int) string { return strconv.Itoa(n) }

// title is the document title: the page's own and the site's name.
func (p Page) title() string {
	if p.Title == "" {
		return p.L.T("Returns")
	}
	return p.Title + " · " + p.L.T("Returns")
}

// photoHint says how many photos of which kinds and sizes the form takes.
func (p OrderPage) photoHint() string {
	n := p.Form.MaxPhotos
	if n <= 0 {
		n = returns.MaxPhotos
	}
	if p.Form.MaxPhotoMB > 0 {
		return p.L.T("Up to %d photos: JPEG, PNG or WebP, at most %d MB each.", n, p.Form.MaxPhotoMB)
	}
	return p.L.T("Up to %d photos: JPEG, PNG or WebP.", n)
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
	return ev.Message, p.Return.Status == returns.StatusApproved || ev.Message != ""
}

// declineReason returns the reason staff gave the customer for declining.
func (p ReturnPage) declineReason() string {
	if p.Return.Status != returns.StatusDeclined {
		return ""
	}
	ev, _ := lastEvent(p.Events, returns.EventDeclined)
	return ev.Message
}
