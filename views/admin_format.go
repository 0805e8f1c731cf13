package views

import (
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
