package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// reportReturn is a return as the report's fixture stores it: when it was
// requested, the moves of its timeline after the request (status and hours
// after it), its items, refunds and whether a replacement was shipped.
type reportReturn struct {
	code       string
	at         time.Time
	currency   string
	kind       returns.Kind
	reason     returns.Reason
	resolution returns.Resolution
	status     returns.Status
	moves      []move
	items      []returns.Item
	refunds    map[string]int64 // state → amount
	shipped    bool
}

type move struct {
	status returns.Status
	hours  int
}

// insertReportReturn writes rr with plain SQL, as the services would have
// left it: the report must add up what is there, whatever path wrote it.
func insertReportReturn(t *testing.T, w *sql.DB, rr reportReturn) {
	t.Helper()
	ms := rr.at.UnixMilli()
	last := ms
	for _, m := range rr.moves {
		last = max(last, ms+int64(m.hours)*3600_000)
	}
	res, err := w.Exec(`INSERT INTO returns (code, token, submission_key, order_id, order_name, email, locale,
		kind, reason, resolution, note, status, currency, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'a@example.com', 'en', ?, ?, ?, '', ?, ?, ?, ?)`,
		rr.code, "tok-"+rr.code, "key-"+rr.code, "gid://shopify/Order/"+rr.code, "#"+rr.code,
		rr.kind, rr.reason, rr.resolution, rr.status, rr.currency, ms, last)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO events (return_id, at, actor, type, status, message) VALUES (?, ?, 'customer', 'requested', 'requested', '')`, id, ms)
	for _, m := range rr.moves {
		exec(`INSERT INTO events (return_id, at, actor, type, status, message) VALUES (?, ?, 'staff:1', ?, ?, '')`,
			id, ms+int64(m.hours)*3600_000, string(m.status), m.status)
		// A note changes no status: it must not count as a resolution.
		exec(`INSERT INTO events (return_id, at, actor, type, status, message) VALUES (?, ?, 'staff:1', 'note', '', 'x')`, id, ms+1000)
	}
	for i, it := range rr.items {
		exec(`INSERT INTO return_items (return_id, line_item_id, title, quantity, unit_price_minor, currency) VALUES (?, ?, ?, ?, ?, ?)`,
			id, fmt.Sprintf("line-%s-%d", rr.code, i), it.Title, it.Quantity, it.UnitPrice.Minor, rr.currency)
	}
	for state, amount := range rr.refunds {
		exec(`INSERT INTO refunds (return_id, order_id, amount_minor, currency, idempotency_key, state, staff_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`, id, "gid://shopify/Order/"+rr.code, amount, rr.currency, "k-"+rr.code+state, state, last, last)
	}
	if rr.shipped {
		exec(`INSERT INTO shipments (return_id, carrier, carrier_name, number, tracking_url, shipped_at) VALUES (?, 'dpd', '', '1', '', ?)`, id, last)
	}
}

func reportItem(title string, qty int, minor int64) returns.Item {
	return returns.Item{Title: title, Quantity: qty, UnitPrice: returns.Money{Minor: minor}}
}

// reportFixture stores six returns in the two weeks from Monday 2 March 2026
// and one just before and just after them, and returns the query of those
// two weeks.
func reportFixture(t *testing.T) (*db.DB, returns.ReportQuery) {
	t.Helper()
	d := MustOpenDB(t)
	w, _ := d.Pools()
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	eur := "EUR"
	for _, rr := range []reportReturn{
		{code: "A", at: day(2, 10), currency: eur, kind: returns.KindDamaged, reason: returns.ReasonDamaged, resolution: returns.ResolutionReplacement,
			status: returns.StatusReplacementShipped, moves: []move{{returns.StatusApproved, 1}, {returns.StatusReplacementShipped, 24}},
			items: []returns.Item{reportItem("Ceramic mug", 1, 1450)}, shipped: true},
		{code: "B", at: day(3, 9), currency: eur, kind: returns.KindDissatisfied, reason: returns.ReasonDoesntFit, resolution: returns.ResolutionRefund,
			status: returns.StatusClosed, moves: []move{{returns.StatusApproved, 2}, {returns.StatusItemReceived, 30}, {returns.StatusRefunded, 48}, {returns.StatusClosed, 72}},
			items: []returns.Item{reportItem("Ceramic mug", 2, 1450)}, refunds: map[string]int64{"succeeded": 2900, "failed": 1000}},
		{code: "C", at: day(4, 12), currency: eur, kind: returns.KindDissatisfied, reason: returns.ReasonWrongItem, resolution: returns.ResolutionRefund,
			status: returns.StatusDeclined, moves: []move{{returns.StatusDeclined, 4}},
			items: []returns.Item{reportItem(`=HYPERLINK("http://x")`, 1, 500)}},
		{code: "D", at: day(10, 8), currency: eur, kind: returns.KindDissatisfied, reason: returns.ReasonNoLongerNeeded, resolution: returns.ResolutionRefund,
			status: returns.StatusRequested, items: []returns.Item{reportItem("Linen tea towel", 1, 2900)}},
		{code: "E", at: day(11, 8), currency: eur, kind: returns.KindDissatisfied, reason: returns.ReasonOther, resolution: returns.ResolutionRefund,
			status: returns.StatusCancelled, moves: []move{{returns.StatusCancelled, 1}}, items: []returns.Item{reportItem("Linen tea towel", 1, 2900)}},
		{code: "F", at: day(12, 8), currency: "USD", kind: returns.KindDissatisfied, reason: returns.ReasonDoesntFit, resolution: returns.ResolutionRefund,
			status: returns.StatusRefunded, moves: []move{{returns.StatusApproved, 1}, {returns.StatusRefunded, 10}},
			items: []returns.Item{reportItem("Desk lamp", 1, 6400)}, refunds: map[string]int64{"succeeded": 6400}},
		// Outside the period, a moment before and at its end.
		{code: "G", at: day(1, 23).Add(59 * time.Minute), currency: eur, kind: returns.KindDamaged, reason: returns.ReasonDamaged, resolution: returns.ResolutionRefund,
			status: returns.StatusRequested, items: []returns.Item{reportItem("Ceramic mug", 5, 1450)}},
		{code: "H", at: day(16, 0), currency: eur, kind: returns.KindDamaged, reason: returns.ReasonDamaged, resolution: returns.ResolutionRefund,
			status: returns.StatusRequested, items: []returns.Item{reportItem("Ceramic mug", 5, 1450)}},
	} {
		insertReportReturn(t, w, rr)
	}
	q := returns.ReportQuery{
		Weeks:       []returns.TimeRange{{Start: day(2, 0), End: day(9, 0)}, {Start: day(9, 0), End: day(16, 0)}},
		Resolved:    returns.ResolutionStatuses,
		TopProducts: 3,
	}
	return d, q
}

func TestReportFigures(t *testing.T) {
	d, q := reportFixture(t)
	fig, err := d.ReportFigures(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	want := &returns.ReportFigures{
		Weeks: []returns.WeekFigures{
			// A took 24 h, B 48 h (refunded before it closed), C 4 h.
			{Returns: 3, Resolved: 3, Median: 24 * h, Refunded: []returns.Money{{Minor: 2900, Currency: "EUR"}}, Refunds: 1},
			// D is open, E cancelled (not a resolution), F took 10 h.
			{Returns: 3, Resolved: 1, Median: 10 * h, Refunded: []returns.Money{{Minor: 6400, Currency: "USD"}}, Refunds: 1},
		},
		// 4, 10, 24 and 48 hours: the mean of the middle two.
		Resolved: 4, Median: 17 * h,
		Reasons: []returns.ReasonCount{
			{Reason: returns.ReasonDamaged, Returns: 1}, {Reason: returns.ReasonDoesntFit, Returns: 2}, {Reason: returns.ReasonNoLongerNeeded, Returns: 1},
			{Reason: returns.ReasonOther, Returns: 1}, {Reason: returns.ReasonWrongItem, Returns: 1},
		},
		Outcomes: []returns.OutcomeFacts{
			{Status: returns.StatusCancelled, Asked: returns.ResolutionRefund, Returns: 1},
			{Status: returns.StatusClosed, Asked: returns.ResolutionRefund, Refunded: true, Returns: 1},
			{Status: returns.StatusDeclined, Asked: returns.ResolutionRefund, Returns: 1},
			{Status: returns.StatusRefunded, Asked: returns.ResolutionRefund, Refunded: true, Returns: 1},
			{Status: returns.StatusReplacementShipped, Asked: returns.ResolutionReplacement, Replaced: true, Returns: 1},
			{Status: returns.StatusRequested, Asked: returns.ResolutionRefund, Returns: 1},
		},
		Products: []returns.ProductCount{
			{Title: "Ceramic mug", Units: 3, Returns: 2}, {Title: "Linen tea towel", Units: 2, Returns: 2},
			{Title: `=HYPERLINK("http://x")`, Units: 1, Returns: 1},
		},
		Kinds: []returns.KindCount{{Kind: returns.KindDamaged, Returns: 1}, {Kind: returns.KindDissatisfied, Returns: 5}},
	}
	if !reflect.DeepEqual(fig, want) {
		t.Errorf("figures:\n got %+v\nwant %+v", fig, want)
	}
}

func TestReportFigures_EmptyPeriod(t *testing.T) {
	d := MustOpenDB(t)
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	fig, err := d.ReportFigures(context.Background(), returns.ReportQuery{
		Weeks: []returns.TimeRange{{Start: start, End: start.AddDate(0, 0, 7)}}, Resolved: returns.ResolutionStatuses, TopProducts: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fig.Weeks) != 1 || fig.Weeks[0].Returns != 0 || fig.Resolved != 0 || len(fig.Products) != 0 {
		t.Errorf("figures of an empty database: %+v", fig)
	}
}

func TestEachReturnRecord(t *testing.T) {
	d, q := reportFixture(t)
	var got []string
	err := d.EachReturnRecord(context.Background(), q, func(r *returns.ReturnRecord) error {
		var items []string
		for _, it := range r.Items {
			items = append(items, fmt.Sprintf("%d×%s@%d%s", it.Quantity, it.Title, it.UnitPrice.Minor, it.UnitPrice.Currency))
		}
		resolved := "-"
		if !r.ResolvedAt.IsZero() {
			resolved = r.ResolvedAt.Sub(r.RequestedAt).String()
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %s %s %s resolved=%s refunded=%s replaced=%v outcome=%s [%s]",
			r.Code, r.OrderName, r.RequestedAt.Format(time.RFC3339), r.Status, r.Kind, r.Reason, r.Resolution,
			resolved, r.Refunded, r.Replaced, r.Outcome(), strings.Join(items, " ")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A #A 2026-03-02T10:00:00Z replacement_shipped damaged damaged replacement resolved=24h0m0s refunded=0.00 EUR replaced=true outcome=replacement [1×Ceramic mug@1450EUR]",
		"B #B 2026-03-03T09:00:00Z closed dissatisfied doesnt_fit refund resolved=48h0m0s refunded=29.00 EUR replaced=false outcome=refund [2×Ceramic mug@1450EUR]",
		`C #C 2026-03-04T12:00:00Z declined dissatisfied wrong_item refund resolved=4h0m0s refunded=0.00 EUR replaced=false outcome=declined [1×=HYPERLINK("http://x")@500EUR]`,
		"D #D 2026-03-10T08:00:00Z requested dissatisfied no_longer_needed refund resolved=- refunded=0.00 EUR replaced=false outcome=open [1×Linen tea towel@2900EUR]",
		"E #E 2026-03-11T08:00:00Z cancelled dissatisfied other refund resolved=- refunded=0.00 EUR replaced=false outcome=cancelled [1×Linen tea towel@2900EUR]",
		"F #F 2026-03-12T08:00:00Z refunded dissatisfied doesnt_fit refund resolved=10h0m0s refunded=64.00 USD replaced=false outcome=refund [1×Desk lamp@6400USD]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// TestEachReturnRecord_StopsOnError: an error of the callback (a client that
// went away) ends the read at once and comes back.
func TestEachReturnRecord_StopsOnError(t *testing.T) {
	d, q := reportFixture(t)
	stop := fmt.Errorf("client went away")
	n := 0
	err := d.EachReturnRecord(context.Background(), q, func(*returns.ReturnRecord) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("err %v after %d records, want the callback's error after 1", err, n)
	}
}

// TestReturnRecordsQueryPlan: the export reads the returns of the period
// through the created_at index, in its order: no scan of the whole table and
// no sort of the whole period before the first row comes.
func TestReturnRecordsQueryPlan(t *testing.T) {
	d, _ := reportFixture(t)
	_, r := d.Pools()
	rows, err := r.Query(`EXPLAIN QUERY PLAN `+db.ReturnRecordsQuery("?"), "closed", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "; ")
	// Each return's items are sorted on their own (a temporary tree of one or
	// two rows); the returns themselves must not be.
	if !strings.Contains(joined, "SEARCH r USING INDEX returns_created_at") || strings.Contains(joined, "TEMP B-TREE FOR ORDER BY") {
		t.Errorf("the export's order needs a sort or a scan: %s", joined)
	}
}
