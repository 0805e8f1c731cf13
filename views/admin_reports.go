package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// ReportsPage is the backoffice's reports: the period form and, once the
// period is good, what the returns requested in it add up to.
type ReportsPage struct {
	AdminPage
	// Form shows the period's days, as typed when they came back with
	// messages.
	Form Form
	// Report is nil while the form has messages.
	Report *returns.Report
}

// csvURL is the export of the report's period.
func (p ReportsPage) csvURL() string {
	return paths.AdminReportsCSVURL(p.Report.Period.FromText(), p.Report.Period.ToText())
}

// summary lists the period form's messages, each linking to its field.
func (p ReportsPage) summary(l Localizer) []formError {
	return p.Form.summary(l, []formField{
		{returns.FieldReportFrom, returns.FieldReportFrom}, {returns.FieldReportTo, returns.FieldReportTo},
	})
}

// periodText says which returns the report adds up, e.g. "Returns requested
// from 5 January 2026 to 29 March 2026 (days in UTC)".
func periodText(l Localizer, r *returns.Report) string {
	return l.T("Returns requested from %s to %s (days in %s).", l.Date(r.Period.From), l.Date(r.Period.To), r.Location.String())
}

// outcomeLabel is what staff read for an outcome.
func outcomeLabel(l Localizer, o returns.Outcome) string {
	switch o {
	case returns.OutcomeReplacement:
		return l.T("Replacement shipped")
	case returns.OutcomeRefund:
		return l.T("Refunded")
	case returns.OutcomeDeclined:
		return l.T("Declined")
	case returns.OutcomeCancelled:
		return l.T("Cancelled by the customer")
	case returns.OutcomeOpen:
		return l.T("Not resolved yet")
	}
	return string(o)
}

// weekLabel names a week of a report by its days, e.g. "5–11 Jan" or
// "29 Dec – 4 Jan".
func weekLabel(l Localizer, w returns.ReportWeek) string {
	first, last := w.Start, w.LastDay()
	switch {
	case first.Equal(last):
		return l.shortDay(first)
	case first.Month() == last.Month() && l.Lang == "lv":
		return first.Format("2.") + "–" + l.shortDay(last)
	case first.Month() == last.Month():
		return first.Format("2") + "–" + l.shortDay(last)
	}
	return l.shortDay(first) + " – " + l.shortDay(last)
}

// monthsLVShort are the abbreviations of the Latvian month names.
var monthsLVShort = [...]string{"janv.", "febr.", "marts", "apr.", "maijs", "jūn.", "jūl.", "aug.", "sept.", "okt.", "nov.", "dec."}

// shortDay names a day without its year, for a chart: "5 Jan" or "5. janv.".
func (l Localizer) shortDay(t time.Time) string {
	if l.Lang == "lv" {
		return t.Format("2.") + " " + monthsLVShort[t.Month()-1]
	}
	return t.Format("2 Jan")
}

// duration says how long a return took, for staff: "< 1 min", "45 min", "17 h",
// "2.5 days" ("2,5 d." in Latvian); "–" for none.
func duration(l Localizer, d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Minute:
		return l.T("< 1 min")
	case d < time.Hour:
		return l.T("%d min", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return l.T("%s h", l.decimal(d.Hours()))
	}
	return l.T("%s days", l.decimal(d.Hours()/24))
}

// decimal writes f with one decimal, none when it is whole, with the page
// language's decimal mark: "2.5" or "2,5".
func (l Localizer) decimal(f float64) string {
	s := strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0")
	if l.Lang == "lv" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// share is n as a whole percentage of total, e.g. "42 %"; "–" of nothing.
func share(n, total int) string {
	if total == 0 {
		return "–"
	}
	return strconv.Itoa((n*100+total/2)/total) + " %"
}

// Charts are drawn on the server as SVG with no viewBox: positions across are
// percentages of the chart's width and heights are pixels, so a chart fills
// a phone's width or a desktop's column with its text at its own size. They
// are hidden from screen readers (aria-hidden): the table beside each is its
// data.

// columnChartHeight is the plot's height in pixels; chartTop leaves room for
// the top value's line, and chartBottom for the labels under the axis.
const (
	columnChartHeight = 140
	chartTop          = 18
	chartBottom       = 22
)

// columnChart is a chart of one column per week.
type columnChart struct {
	Columns []column
	// Top is the value of the plot's top line; First and Last label the
	// first and the last column under the axis.
	Top, First, Last string
}

// column is one column of a columnChart: X and Width in percent of the
// chart's width, Y and Height in pixels, Title its tooltip.
type column struct {
	X, Width  string
	Y, Height int
	Title     string
}

// height is the whole chart's height in pixels.
func (columnChart) height() int { return chartTop + columnChartHeight + chartBottom }

// axisY is where the axis is drawn; labelY where the labels under it sit.
func (columnChart) axisY() int  { return chartTop + columnChartHeight }
func (columnChart) labelY() int { return chartTop + columnChartHeight + 16 }

// weeklyChart is a column per week of values, labelled by label.
func weeklyChart(l Localizer, weeks []returns.ReportWeek, values []int64, label func(int64) string) columnChart {
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	c := columnChart{Top: label(top)}
	if len(weeks) > 0 {
		c.First, c.Last = l.shortDay(weeks[0].Start), l.shortDay(weeks[len(weeks)-1].Start)
	}
	n := float64(len(values))
	for i, v := range values {
		h := 0
		if top > 0 {
			h = int(float64(v) / float64(top) * columnChartHeight)
		}
		if v > 0 {
			h = max(h, 1) // a small week still shows
		}
		c.Columns = append(c.Columns, column{
			X:      percent((float64(i) + 0.1) / n),
			Width:  percent(0.8 / n),
			Y:      chartTop + columnChartHeight - h,
			Height: h,
			Title:  weekLabel(l, weeks[i]) + ": " + label(v),
		})
	}
	return c
}

// percent writes a fraction as an SVG percentage, e.g. "12.5%".
func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 3, 64) + "%" }

// returnsPerWeek charts the returns requested each week.
func returnsPerWeek(l Localizer, r *returns.Report) columnChart {
	values := make([]int64, len(r.Weeks))
	for i, w := range r.Weeks {
		values[i] = int64(w.Returns)
	}
	return weeklyChart(l, r.Weeks, values, func(v int64) string { return strconv.FormatInt(v, 10) })
}

// medianPerWeek charts the median time to resolution of each week's returns.
func medianPerWeek(l Localizer, r *returns.Report) columnChart {
	values := make([]int64, len(r.Weeks))
	for i, w := range r.Weeks {
		values[i] = int64(w.Median)
	}
	return weeklyChart(l, r.Weeks, values, func(v int64) string { return duration(l, time.Duration(v)) })
}

// refundedPerWeek charts the refunds of each week in the i-th currency of
// the report.
func refundedPerWeek(l Localizer, r *returns.Report, i int) columnChart {
	cur := r.Currencies[i]
	values := make([]int64, len(r.Weeks))
	for j, w := range r.Weeks {
		values[j] = w.Refunded[i].Minor
	}
	return weeklyChart(l, r.Weeks, values, func(v int64) string { return l.Money(returns.Money{Minor: v, Currency: cur}) })
}

// barChart is a chart of one horizontal bar per row, each with its label and
// value above it.
type barChart struct {
	Rows []bar
}

// bar is a row of a barChart: its texts, the bar's width in percent of the
// chart's, and the row's top in pixels.
type bar struct {
	Label, Value string
	Width        string
	Top          int
}

// barRowHeight is a row's height: a line of text and the bar under it.
const barRowHeight = 38

func (c barChart) height() int { return len(c.Rows) * barRowHeight }

// textY and barY place a row's text and its bar.
func (b bar) textY() int { return b.Top + 14 }
func (b bar) barY() int  { return b.Top + 20 }

// newBarChart is a bar per label with its count.
func newBarChart(labels []string, counts []int, value func(int) string) barChart {
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	var c barChart
	for i, l := range labels {
		w := 0.0
		if top > 0 {
			w = float64(counts[i]) / float64(top)
		}
		c.Rows = append(c.Rows, bar{Label: l, Value: value(counts[i]), Width: percent(w), Top: i * barRowHeight})
	}
	return c
}

// reasonsChart charts the returns per reason.
func reasonsChart(l Localizer, r *returns.Report) barChart {
	var labels []string
	var counts []int
	for _, rc := range r.Reasons {
		labels = append(labels, l.Reason(rc.Reason))
		counts = append(counts, rc.Returns)
	}
	return newBarChart(labels, counts, strconv.Itoa)
}

// outcomesChart charts the returns per outcome.
func outcomesChart(l Localizer, r *returns.Report) barChart {
	var labels []string
	var counts []int
	for _, o := range r.Outcomes {
		labels = append(labels, outcomeLabel(l, o.Outcome))
		counts = append(counts, o.Returns)
	}
	return newBarChart(labels, counts, strconv.Itoa)
}

// productsChart charts the units returned of the most returned products.
func productsChart(l Localizer, r *returns.Report) barChart {
	var labels []string
	var counts []int
	for _, p := range r.Products {
		labels = append(labels, shorten(p.Title, 32))
		counts = append(counts, p.Units)
	}
	return newBarChart(labels, counts, func(n int) string { return units(l, n) })
}

// units counts returned units, e.g. "1 unit", "3 units".
func units(l Localizer, n int) string {
	return l.Plural(n, "%d unit", "%d units")
}

// shorten cuts a chart's label to n characters with an ellipsis: the table
// beside the chart has it in full.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// refundCount counts refunds, e.g. "1 refund", "3 refunds".
func refundCount(l Localizer, n int) string {
	return l.Plural(n, "%d refund", "%d refunds")
}
