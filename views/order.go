package views

import (
	"hash/fnv"
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
)

// OrderPage shows a proven order: every line and whether it can be returned, the
// returns so far, and the form to start a return.
type OrderPage struct {
	Page
	Order   *returns.Order
	Lines   []returns.LineEligibility
	Returns []returns.Return
	Form    ReturnForm
}

// ReturnForm is the form that starts a return: its messages and the values
// sent when it is shown again after a failed validation, kept as the domain
// types they are.
type ReturnForm struct {
	Form
	SubmissionKey string
	Kind          returns.Kind
	Reason        returns.Reason
	Description   string // what is wrong, for a damage report
	OtherReason   string // the text of the "other" reason
	Resolution    returns.Resolution
	Quantities    map[string]int  // line item id → chosen units
	Chosen        map[string]bool // line item id → the line's checkbox was ticked
	MaxPhotos     int
	MaxPhotoMB    int
	// PhotoRetentionDays is how long photos are kept after the return is
	// done (the setting); 0 keeps them.
	PhotoRetentionDays int
}

// summaryFields are the return form's fields in page order, with the control
// the error summary links to for each.
func (p OrderPage) summaryFields() []formField {
	fields := []formField{{returns.FieldForm, ""}, {returns.FieldItems, returns.FieldItems}}
	for _, le := range p.Lines {
		fields = append(fields, formField{returns.FieldQuantity(le.Line.ID), quantityID(le.Line)})
	}
	return append(fields,
		formField{returns.FieldKind, choiceID(returns.FieldKind, string(returns.KindDamaged))},
		formField{returns.FieldDescription, returns.FieldDescription},
		formField{returns.FieldPhotos, returns.FieldPhotos},
		formField{returns.FieldResolution, choiceID(returns.FieldResolution, string(returns.ResolutionReplacement))},
		formField{returns.FieldReason, returns.FieldReason},
		formField{returns.FieldOtherReason, returns.FieldOtherReason},
	)
}

// lineID is the id of a line's checkbox; quantityID of its quantity.
func lineID(l returns.LineItem) string     { return "line-" + lineDOMID(l.ID) }
func quantityID(l returns.LineItem) string { return "qty-" + lineDOMID(l.ID) }

// choiceID is the id of the radio button of a value of a choice field.
func choiceID(field, value string) string { return field + "-" + value }

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

// photoHint says how many photos of which kinds and sizes the form takes, and
// how long they are kept.
func (p OrderPage) photoHint() string {
	n := p.Form.MaxPhotos
	if n <= 0 {
		n = returns.MaxPhotos
	}
	hint := p.L.T("Up to %d photos: JPEG, PNG or WebP.", n)
	if p.Form.MaxPhotoMB > 0 {
		hint = p.L.T("Up to %d photos: JPEG, PNG or WebP, at most %d MB each.", n, p.Form.MaxPhotoMB)
	}
	if d := p.Form.PhotoRetentionDays; d > 0 {
		hint += " " + p.L.Plural(d, "We delete them %d day after your return is completed.", "We delete them %d days after your return is completed.")
	}
	return hint
}
