package returns

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ReturnsCSVColumns are the header of the CSV export, one column per fact of
// a return. They are identifiers for spreadsheets and scripts, not text for
// people, so they are not translated, and neither are the codes in the cells
// (statuses, kinds, reasons, outcomes).
var ReturnsCSVColumns = []string{
	"code", "order", "requested_at", "resolved_at", "updated_at", "status", "kind", "reason",
	"asked_for", "outcome", "items", "units", "value", "refunded", "currency", "legal_basis",
}

// csvTimeLayout is how the export writes a moment: a form every spreadsheet
// reads as a date and time, in the report's location.
const csvTimeLayout = "2006-01-02 15:04:05"

// utf8BOM starts the file, so that spreadsheets (Excel above all) read it as
// UTF-8 rather than in the system's code page, which garbles "ā" and "×".
const utf8BOM = "\ufeff"

// ExportCSV writes the returns requested in p to w as CSV, a row per return,
// oldest first, as the store reads them: one return at a time, so memory
// stays the same for ten returns or a hundred thousand. Every cell a
// spreadsheet would run as a formula is neutralised (NeutralizeCell). An error
// after the first row means w holds a cut-off file.
func (s *ReportService) ExportCSV(ctx context.Context, p ReportPeriod, w io.Writer) error {
	cw := csv.NewWriter(w)
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("export returns: %w", err)
	}
	if err := cw.Write(ReturnsCSVColumns); err != nil {
		return fmt.Errorf("export returns: %w", err)
	}
	row := make([]string, len(ReturnsCSVColumns))
	var items strings.Builder
	err := s.store.EachReturnRecord(ctx, s.query(p), func(r *ReturnRecord) error {
		items.Reset()
		units := 0
		value := Money{Currency: r.Currency}
		for i, it := range r.Items {
			if i > 0 {
				items.WriteString("; ")
			}
			items.WriteString(strconv.Itoa(it.Quantity))
			items.WriteString(" × ")
			items.WriteString(it.Title)
			units += it.Quantity
			value.Minor += it.UnitPrice.Times(it.Quantity).Minor
		}
		refunded := r.Refunded
		refunded.Currency = r.Currency
		row[0] = r.Code
		row[1] = r.OrderName
		row[2] = s.csvTime(r.RequestedAt)
		row[3] = s.csvTime(r.ResolvedAt)
		row[4] = s.csvTime(r.UpdatedAt)
		row[5] = string(r.Status)
		row[6] = string(r.Kind)
		row[7] = string(r.Reason)
		row[8] = string(r.Resolution)
		row[9] = string(r.Outcome())
		row[10] = items.String()
		row[11] = strconv.Itoa(units)
		row[12] = value.Decimal()
		row[13] = refunded.Decimal()
		row[14] = r.Currency
		row[15] = string(LegalBasisOf(r.Kind))
		for i := range row {
			row[i] = NeutralizeCell(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return fmt.Errorf("export returns: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export returns: %w", err)
	}
	return nil
}

// csvTime writes t in the report's location, "" for the zero time.
func (s *ReportService) csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.Location()).Format(csvTimeLayout)
}

// NeutralizeCell keeps a spreadsheet from running a cell as a formula (CSV
// injection): a cell that starts with "=", "+", "-", "@", a tab or a carriage
// return gets a single quote in front, which spreadsheets take as "this is
// text" (OWASP's CSV Injection rule). The text comes from customers and from
// Shopify, e.g. a product title or an order name a stranger could choose.
func NeutralizeCell(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}
