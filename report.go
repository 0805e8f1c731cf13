package returns

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Reports: what the returns of a period add up to, for staff. Every figure is
// about the returns requested in the period (created in it), so that the page,
// its charts and the CSV export of the same period agree with each other.

// Report period limits.
const (
	// ReportDefaultWeeks is the period a report covers when staff choose
	// none: this week and the eleven whole weeks before it.
	ReportDefaultWeeks = 12
	// ReportMaxDays bounds a period, so that a report stays a page and its
	// weekly charts keep bars wide enough to see: two years.
	ReportMaxDays = 731
	// ReportTopProducts is how many of the most returned products a report
	// lists.
	ReportTopProducts = 10
	// reportDateLayout is how a period's days are typed and linked.
	reportDateLayout = "2006-01-02"
)

// ReportPeriod is the days a report covers, From to To, both included, as
// midnights in the report's location.
type ReportPeriod struct {
	From, To time.Time
}

// Start is the first moment of the period.
func (p ReportPeriod) Start() time.Time { return p.From }

// End is the first moment after the period: the midnight that ends To.
func (p ReportPeriod) End() time.Time { return p.To.AddDate(0, 0, 1) }

// FromText and ToText are the period's days as the form and links write
// them, e.g. "2026-03-02".
func (p ReportPeriod) FromText() string { return p.From.Format(reportDateLayout) }

// ToText is the last day of the period as the form and links write it.
func (p ReportPeriod) ToText() string { return p.To.Format(reportDateLayout) }

// TimeRange is the moments from Start (included) to End (not included).
type TimeRange struct {
	Start, End time.Time
}

// weeks splits p into calendar weeks, Monday to Sunday, cut to the period: the
// first and the last may be shorter. Each boundary is a midnight in p's
// location, so a week across a change of the clocks still starts on Monday.
func (p ReportPeriod) weeks() []TimeRange {
	var out []TimeRange
	end := p.End()
	for start := p.From; start.Before(end); {
		next := mondayOf(start).AddDate(0, 0, 7)
		if next.After(end) {
			next = end
		}
		out = append(out, TimeRange{Start: start, End: next})
		start = next
	}
	return out
}

// midnight is the start of t's day in loc.
func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// mondayOf is the midnight that starts the week (Monday to Sunday) of day,
// itself a midnight.
func mondayOf(day time.Time) time.Time {
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back)
}

// Outcome is how a return ended up, as a report counts it.
type Outcome string

// The outcomes of a return.
const (
	OutcomeReplacement Outcome = "replacement" // a replacement was shipped
	OutcomeRefund      Outcome = "refund"      // money was refunded
	OutcomeDeclined    Outcome = "declined"    // staff declined it
	OutcomeCancelled   Outcome = "cancelled"   // the customer cancelled it
	OutcomeOpen        Outcome = "open"        // not resolved yet
)

// Outcomes lists every outcome in the order a report shows them: the three
// resolutions first.
var Outcomes = []Outcome{OutcomeReplacement, OutcomeRefund, OutcomeDeclined, OutcomeCancelled, OutcomeOpen}

// OutcomeOf is how a return in status st ended up. refunded says money of it
// was refunded, replaced that a replacement was shipped; a closed return with
// neither (closed before the portal kept them) counts as what the customer
// asked for, the only way it can have been resolved.
func OutcomeOf(st Status, asked Resolution, refunded, replaced bool) Outcome {
	switch st {
	case StatusDeclined:
		return OutcomeDeclined
	case StatusCancelled:
		return OutcomeCancelled
	case StatusRefunded:
		return OutcomeRefund
	case StatusReplacementShipped:
		return OutcomeReplacement
	case StatusClosed:
		switch {
		case refunded:
			return OutcomeRefund
		case replaced:
			return OutcomeReplacement
		case asked == ResolutionReplacement:
			return OutcomeReplacement
		}
		return OutcomeRefund
	}
	return OutcomeOpen
}

// ResolutionStatuses are the statuses that resolve a return: staff declined
// it, refunded it, shipped a replacement, or closed it. The time to
// resolution runs from the request to the first move into one of them.
var ResolutionStatuses = []Status{StatusDeclined, StatusRefunded, StatusReplacementShipped, StatusClosed}

// ReportQuery is what a store is asked to add up: the returns requested in
// Weeks (the period, week by week, oldest first), resolved by a move into one
// of Resolved, and the TopProducts most returned products.
type ReportQuery struct {
	Weeks       []TimeRange
	Resolved    []Status
	TopProducts int
}

// Range is the whole period of q.
func (q ReportQuery) Range() TimeRange {
	if len(q.Weeks) == 0 {
		return TimeRange{}
	}
	return TimeRange{Start: q.Weeks[0].Start, End: q.Weeks[len(q.Weeks)-1].End}
}

// ReportFigures are the sums a store adds up for a ReportQuery; the service
// makes a Report of them.
type ReportFigures struct {
	// Weeks has one entry per week of the query, in its order.
	Weeks []WeekFigures
	// Resolved counts the returns of the period that were resolved, and
	// Median is the median time they took.
	Resolved int
	Median   time.Duration
	Reasons  []ReasonCount
	// Outcomes counts the returns by what decides their outcome.
	Outcomes []OutcomeFacts
	Products []ProductCount
	// Kinds counts the returns by kind, which gives their legal basis.
	Kinds []KindCount
}

// KindCount is how many returns were of a kind.
type KindCount struct {
	Kind    Kind
	Returns int
}

// BasisCount is how many returns were made under a legal basis.
type BasisCount struct {
	Basis   LegalBasis
	Returns int
}

// WeekFigures are the sums of the returns requested in one week.
type WeekFigures struct {
	Returns  int
	Resolved int
	Median   time.Duration // of the resolved ones; 0 when none was
	// Refunded sums the week's succeeded refunds, one Money per currency in
	// the order of their codes.
	Refunded []Money
	// Refunds counts them.
	Refunds int
}

// ReasonCount is how many returns gave a reason.
type ReasonCount struct {
	Reason  Reason
	Returns int
}

// OutcomeFacts counts the returns that share what OutcomeOf looks at.
type OutcomeFacts struct {
	Status   Status
	Asked    Resolution
	Refunded bool
	Replaced bool
	Returns  int
}

// ProductCount is how many units of a product (by its title on the order)
// were returned, in how many returns.
type ProductCount struct {
	Title   string
	Units   int
	Returns int
}

// ReportStore adds up the returns of a period, and reads them one at a time
// for an export.
type ReportStore interface {
	// ReportFigures adds up the returns requested in q's weeks, in one read.
	ReportFigures(ctx context.Context, q ReportQuery) (*ReportFigures, error)
	// EachReturnRecord calls fn with every return requested in q's period,
	// oldest first, one at a time: it holds no more than one in memory,
	// whatever the number. An error of fn stops it and is returned.
	EachReturnRecord(ctx context.Context, q ReportQuery, fn func(*ReturnRecord) error) error
}

// ReturnRecord is one return as an export lists it.
type ReturnRecord struct {
	Code       string
	OrderName  string
	Status     Status
	Kind       Kind
	Reason     Reason
	Resolution Resolution // what the customer asked for
	Currency   string
	Items      []Item
	Refunded   Money // the sum of its succeeded refunds
	Replaced   bool  // a replacement was shipped
	// RequestedAt is when the customer asked; ResolvedAt when it first moved
	// into a resolution status (zero while it has not); UpdatedAt its last
	// change.
	RequestedAt time.Time
	ResolvedAt  time.Time
	UpdatedAt   time.Time
}

// Outcome is how the return ended up.
func (r *ReturnRecord) Outcome() Outcome {
	return OutcomeOf(r.Status, r.Resolution, r.Refunded.Minor > 0, r.Replaced)
}

// Report is what the returns requested in a period add up to.
type Report struct {
	Period   ReportPeriod
	Location *time.Location // of the period's days and weeks
	Weeks    []ReportWeek
	Returns  int // requested in the period
	Resolved int // of them, resolved by now
	Median   time.Duration
	// Reasons lists every reason a customer can give, in the order the
	// return form offers them, then any other found.
	Reasons  []ReasonCount
	Outcomes []OutcomeCount // one per entry of Outcomes, in its order
	// Bases counts the returns by legal basis, one per entry of LegalBases,
	// in its order.
	Bases []BasisCount
	// Currencies are the currencies refunded in, by code; Refunded has the
	// sum of each, in the same order, as each week's Refunded has.
	Currencies []string
	Refunded   []Money
	Refunds    int
	Products   []ProductCount // the most returned, most units first
}

// ReportWeek is one week of a report, cut to its period.
type ReportWeek struct {
	TimeRange
	WeekFigures
}

// LastDay is the last day of the week in the period.
func (w ReportWeek) LastDay() time.Time { return w.End.AddDate(0, 0, -1) }

// OutcomeCount is how many returns ended up one way.
type OutcomeCount struct {
	Outcome Outcome
	Returns int
}

// ReportService makes staff's reports on returns.
type ReportService struct {
	store ReportStore
	now   func() time.Time
	// zone is the store's time zone, which the reports' days and weeks
	// are in; nil for UTC.
	zone StoreZone
}

// NewReportService returns a ReportService over store, whose periods are days
// in the store's time zone (zone; nil for UTC) and whose default period ends
// today by now.
func NewReportService(store ReportStore, zone StoreZone, now func() time.Time) *ReportService {
	return &ReportService{store: store, now: now, zone: zone}
}

// Location is the time zone of the reports' days and weeks: the store's as
// it is now (settings or Shopify), UTC when it is not known. It is read at
// each use, so a change in settings applies to the next report; reading it
// is a look at settings kept in memory, which needs no request's context.
func (s *ReportService) Location() *time.Location {
	if s.zone != nil {
		if loc := s.zone.Location(context.Background()); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// ReportPeriod reads a period from the days staff typed (YYYY-MM-DD). An empty
// from starts the period ReportDefaultWeeks weeks back (on a Monday), an empty
// to ends it today. A bad day, an end before the start or a period longer
// than ReportMaxDays is an EINVALID error naming its field.
func (s *ReportService) ReportPeriod(from, to string) (ReportPeriod, error) {
	loc := s.Location()
	fields := map[string]Message{}
	parse := func(field, text string) (time.Time, bool) {
		text = strings.TrimSpace(text)
		if text == "" {
			return time.Time{}, false
		}
		d, err := time.ParseInLocation(reportDateLayout, text, loc)
		if err != nil || len(text) != len(reportDateLayout) || d.Year() < 2000 {
			fields[field] = Msg("Enter a date like 2026-03-31.")
			return time.Time{}, false
		}
		return d, true
	}
	f, hasFrom := parse(FieldReportFrom, from)
	t, hasTo := parse(FieldReportTo, to)
	if len(fields) > 0 {
		return ReportPeriod{}, Invalid(fields)
	}
	if !hasTo {
		t = midnight(s.now(), loc)
		if hasFrom && f.After(t) {
			t = f
		}
	}
	if !hasFrom {
		f = mondayOf(t).AddDate(0, 0, -7*(ReportDefaultWeeks-1))
	}
	switch {
	case t.Before(f):
		fields[FieldReportTo] = Msg("The last day must not be before the first.")
	case !t.Before(f.AddDate(0, 0, ReportMaxDays)):
		fields[FieldReportFrom] = Msg("Choose a period of at most two years.")
	}
	if err := Invalid(fields); err != nil {
		return ReportPeriod{}, err
	}
	return ReportPeriod{From: f, To: t}, nil
}

// query is what the store adds up for p.
func (s *ReportService) query(p ReportPeriod) ReportQuery {
	return ReportQuery{Weeks: p.weeks(), Resolved: ResolutionStatuses, TopProducts: ReportTopProducts}
}

// Report adds up the returns requested in p.
func (s *ReportService) Report(ctx context.Context, p ReportPeriod) (*Report, error) {
	q := s.query(p)
	fig, err := s.store.ReportFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	rep := &Report{Period: p, Location: s.Location(), Resolved: fig.Resolved, Median: fig.Median, Products: fig.Products}
	currencies := map[string]int64{}
	for i, w := range q.Weeks {
		var wf WeekFigures
		if i < len(fig.Weeks) {
			wf = fig.Weeks[i]
		}
		rep.Weeks = append(rep.Weeks, ReportWeek{TimeRange: w, WeekFigures: wf})
		rep.Returns += wf.Returns
		rep.Refunds += wf.Refunds
		for _, m := range wf.Refunded {
			currencies[m.Currency] += m.Minor
		}
	}
	// Every week lists every currency, so that the weekly table and charts
	// have a column per currency.
	for c := range currencies {
		rep.Currencies = append(rep.Currencies, c)
	}
	slices.Sort(rep.Currencies)
	for _, c := range rep.Currencies {
		rep.Refunded = append(rep.Refunded, Money{Minor: currencies[c], Currency: c})
	}
	for i := range rep.Weeks {
		rep.Weeks[i].Refunded = byCurrency(rep.Weeks[i].Refunded, rep.Currencies)
	}

	counts := map[Reason]int{}
	for _, rc := range fig.Reasons {
		counts[rc.Reason] += rc.Returns
	}
	for _, r := range append([]Reason{ReasonDamaged}, DissatisfiedReasons...) {
		rep.Reasons = append(rep.Reasons, ReasonCount{Reason: r, Returns: counts[r]})
		delete(counts, r)
	}
	var others []ReasonCount
	for r, n := range counts {
		others = append(others, ReasonCount{Reason: r, Returns: n})
	}
	slices.SortFunc(others, func(a, b ReasonCount) int { return strings.Compare(string(a.Reason), string(b.Reason)) })
	rep.Reasons = append(rep.Reasons, others...)

	bases := map[LegalBasis]int{}
	for _, kc := range fig.Kinds {
		bases[LegalBasisOf(kc.Kind)] += kc.Returns
	}
	for _, b := range LegalBases {
		rep.Bases = append(rep.Bases, BasisCount{Basis: b, Returns: bases[b]})
	}

	outcomes := map[Outcome]int{}
	for _, o := range fig.Outcomes {
		outcomes[OutcomeOf(o.Status, o.Asked, o.Refunded, o.Replaced)] += o.Returns
	}
	for _, o := range Outcomes {
		rep.Outcomes = append(rep.Outcomes, OutcomeCount{Outcome: o, Returns: outcomes[o]})
	}
	return rep, nil
}

// byCurrency returns sums as one Money per currency of currencies, in their
// order, zero where sums has none.
func byCurrency(sums []Money, currencies []string) []Money {
	out := make([]Money, len(currencies))
	for i, c := range currencies {
		out[i] = Money{Currency: c}
		for _, m := range sums {
			if m.Currency == c {
				out[i].Minor += m.Minor
			}
		}
	}
	return out
}
