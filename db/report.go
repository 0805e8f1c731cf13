package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

var _ returns.ReportStore = (*DB)(nil)

// weeksJSON writes the weeks of q as a JSON array of [start, end] pairs in
// unix milliseconds, which the report's queries read with json_each as a
// table of weeks: one parameter, whatever the number of weeks.
func weeksJSON(q returns.ReportQuery) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, w := range q.Weeks {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%d,%d]", millis(w.Start), millis(w.End))
	}
	b.WriteByte(']')
	return b.String()
}

// statusList is "?, ?, …" for statuses, with their arguments.
func statusList(statuses []returns.Status) (string, []any) {
	if len(statuses) == 0 {
		// IN () is a syntax error; a status no return has matches nothing.
		return "?", []any{""}
	}
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = string(s)
	}
	return "?" + strings.Repeat(", ?", len(statuses)-1), args
}

// reportWeeksCTE is the WITH clause of the report's weekly queries: weeks
// (i, start_at, end_at) from the JSON parameter, and period_returns, the
// returns requested in them with the week they belong to. Each week reads
// its slice of the returns_created_at index.
const reportWeeksCTE = `
	WITH weeks(i, start_at, end_at) AS (
		SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)
	),
	period_returns AS (
		SELECT w.i AS week, r.id, r.created_at FROM weeks w
		JOIN returns r ON r.created_at >= w.start_at AND r.created_at < w.end_at
	)`

// ReportFigures adds up the returns requested in q's weeks, in one read
// transaction so that every figure comes from the same moment. Every sum is
// SQL's; the rules that name an outcome are the domain's (OutcomeOf).
func (db *DB) ReportFigures(ctx context.Context, q returns.ReportQuery) (*returns.ReportFigures, error) {
	period := q.Range()
	from, to := millis(period.Start), millis(period.End)
	weeks := weeksJSON(q)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	fig := &returns.ReportFigures{Weeks: make([]returns.WeekFigures, len(q.Weeks))}
	week := func(i int64) *returns.WeekFigures {
		if i < 0 || int(i) >= len(fig.Weeks) {
			return nil
		}
		return &fig.Weeks[i]
	}

	// Returns per week.
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var i int64
		var n int
		if err := rows.Scan(&i, &n); err != nil {
			return err
		}
		if w := week(i); w != nil {
			w.Returns = n
		}
		return nil
	}, reportWeeksCTE+` SELECT week, count(*) FROM period_returns GROUP BY week`, weeks)
	if err != nil {
		return nil, fmt.Errorf("count returns per week: %w", err)
	}

	// Time to resolution: the median per week and over the period, from the
	// first move of each return into a resolution status. The median is the
	// mean of the middle one or two of the sorted times.
	in, inArgs := statusList(q.Resolved)
	resolvedCTE := reportWeeksCTE + `,
	took AS (
		SELECT week, (SELECT min(e.at) FROM events e WHERE e.return_id = p.id AND e.status IN (` + in + `)) - p.created_at AS ms
		FROM period_returns p
	),
	resolved AS (SELECT week, max(ms, 0) AS ms FROM took WHERE ms IS NOT NULL)`
	args := append([]any{weeks}, inArgs...)
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var i int64
		var n int
		var median float64
		if err := rows.Scan(&i, &n, &median); err != nil {
			return err
		}
		if w := week(i); w != nil {
			w.Resolved, w.Median = n, time.Duration(median)*time.Millisecond
		}
		return nil
	}, resolvedCTE+`,
	ranked AS (
		SELECT week, ms, row_number() OVER (PARTITION BY week ORDER BY ms) AS n, count(*) OVER (PARTITION BY week) AS c
		FROM resolved
	)
	SELECT week, c, avg(ms) FROM ranked WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY week`, args...)
	if err != nil {
		return nil, fmt.Errorf("median time to resolution per week: %w", err)
	}
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var median float64
		if err := rows.Scan(&fig.Resolved, &median); err != nil {
			return err
		}
		fig.Median = time.Duration(median) * time.Millisecond
		return nil
	}, resolvedCTE+`,
	ranked AS (SELECT ms, row_number() OVER (ORDER BY ms) AS n, count(*) OVER () AS c FROM resolved)
	SELECT c, avg(ms) FROM ranked WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY c`, args...)
	if err != nil {
		return nil, fmt.Errorf("median time to resolution: %w", err)
	}

	// Refunded per week and currency: the refunds that succeeded.
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var i int64
		var m returns.Money
		var n int
		if err := rows.Scan(&i, &m.Currency, &m.Minor, &n); err != nil {
			return err
		}
		if w := week(i); w != nil {
			w.Refunded = append(w.Refunded, m)
			w.Refunds += n
		}
		return nil
	}, reportWeeksCTE+`
	SELECT p.week, f.currency, sum(f.amount_minor), count(*)
	FROM period_returns p JOIN refunds f ON f.return_id = p.id AND f.state = 'succeeded'
	GROUP BY p.week, f.currency ORDER BY p.week, f.currency`, weeks)
	if err != nil {
		return nil, fmt.Errorf("sum refunds per week: %w", err)
	}

	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var rc returns.ReasonCount
		if err := rows.Scan(&rc.Reason, &rc.Returns); err != nil {
			return err
		}
		fig.Reasons = append(fig.Reasons, rc)
		return nil
	}, `SELECT reason, count(*) FROM returns WHERE created_at >= ? AND created_at < ? GROUP BY reason ORDER BY reason`, from, to)
	if err != nil {
		return nil, fmt.Errorf("count reasons: %w", err)
	}

	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var kc returns.KindCount
		if err := rows.Scan(&kc.Kind, &kc.Returns); err != nil {
			return err
		}
		fig.Kinds = append(fig.Kinds, kc)
		return nil
	}, `SELECT kind, count(*) FROM returns WHERE created_at >= ? AND created_at < ? GROUP BY kind ORDER BY kind`, from, to)
	if err != nil {
		return nil, fmt.Errorf("count kinds: %w", err)
	}

	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var o returns.OutcomeFacts
		if err := rows.Scan(&o.Status, &o.Asked, &o.Refunded, &o.Replaced, &o.Returns); err != nil {
			return err
		}
		fig.Outcomes = append(fig.Outcomes, o)
		return nil
	}, `
	SELECT status, resolution,
		EXISTS (SELECT 1 FROM refunds f WHERE f.return_id = r.id AND f.state = 'succeeded'),
		EXISTS (SELECT 1 FROM shipments s WHERE s.return_id = r.id),
		count(*)
	FROM returns r WHERE created_at >= ? AND created_at < ?
	GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, from, to)
	if err != nil {
		return nil, fmt.Errorf("count outcomes: %w", err)
	}

	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var pc returns.ProductCount
		if err := rows.Scan(&pc.Title, &pc.Units, &pc.Returns); err != nil {
			return err
		}
		fig.Products = append(fig.Products, pc)
		return nil
	}, `
	SELECT i.title, sum(i.quantity), count(DISTINCT i.return_id)
	FROM returns r JOIN return_items i ON i.return_id = r.id
	WHERE r.created_at >= ? AND r.created_at < ?
	GROUP BY i.title ORDER BY 2 DESC, 3 DESC, 1 LIMIT ?`, from, to, max(q.TopProducts, 0))
	if err != nil {
		return nil, fmt.Errorf("count returned products: %w", err)
	}
	return fig, nil
}

// eachRow runs a query in tx and calls scan for each of its rows.
func eachRow(ctx context.Context, tx *sql.Tx, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachReturnRecord reads the returns requested in q's period, oldest first,
// and calls fn with each as it comes from SQLite: one row at a time, the
// record and its items reused from row to row, so that an export of a
// hundred thousand returns holds one. Each row carries its items as a JSON
// array, its refunded sum, whether a replacement was shipped and when it was
// first resolved.
func (db *DB) EachReturnRecord(ctx context.Context, q returns.ReportQuery, fn func(*returns.ReturnRecord) error) error {
	period := q.Range()
	in, inArgs := statusList(q.Resolved)
	args := append(inArgs, millis(period.Start), millis(period.End))
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, returnRecordsQuery(in), args...)
	if err != nil {
		return fmt.Errorf("read returns to export: %w", err)
	}
	defer rows.Close()

	var rec returns.ReturnRecord
	var created, updated, resolved int64
	var items []byte
	for rows.Next() {
		if err := rows.Scan(&rec.Code, &rec.OrderName, &rec.Status, &rec.Kind, &rec.Reason, &rec.Resolution, &rec.Currency,
			&created, &updated, &resolved, &rec.Refunded.Minor, &rec.Replaced, &items); err != nil {
			return fmt.Errorf("read returns to export: %w", err)
		}
		rec.Refunded.Currency = rec.Currency
		rec.RequestedAt, rec.UpdatedAt = fromMillis(created), fromMillis(updated)
		rec.ResolvedAt = time.Time{}
		if resolved != 0 {
			rec.ResolvedAt = fromMillis(resolved)
		}
		if rec.Items, err = decodeItems(rec.Items[:0], items, rec.Currency); err != nil {
			return fmt.Errorf("read items of return %s to export: %w", rec.Code, err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read returns to export: %w", err)
	}
	return nil
}

// returnRecordsQuery is EachReturnRecord's SELECT, with in the placeholders of
// the resolution statuses; the period's start and end follow them. It reads
// the returns in the order of the returns_created_at index, so SQLite hands
// over each row as it finds it, with no sort of the whole period first.
func returnRecordsQuery(in string) string {
	return `
		SELECT r.code, r.order_name, r.status, r.kind, r.reason, r.resolution, r.currency,
			r.created_at, r.updated_at,
			coalesce((SELECT min(e.at) FROM events e WHERE e.return_id = r.id AND e.status IN (` + in + `)), 0),
			coalesce((SELECT sum(f.amount_minor) FROM refunds f WHERE f.return_id = r.id AND f.state = 'succeeded'), 0),
			EXISTS (SELECT 1 FROM shipments s WHERE s.return_id = r.id),
			(SELECT json_group_array(json_array(i.quantity, i.unit_price_minor, i.title) ORDER BY i.id)
				FROM return_items i WHERE i.return_id = r.id)
		FROM returns r
		WHERE r.created_at >= ? AND r.created_at < ?
		ORDER BY r.created_at, r.id`
}

// decodeItems appends to dst the items of a JSON array of [quantity,
// unit price, title] arrays, as EachReturnRecord's query makes them.
func decodeItems(dst []returns.Item, data []byte, currency string) ([]returns.Item, error) {
	var list [][3]json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		return dst, err
	}
	for _, l := range list {
		var it returns.Item
		qty, err := strconv.Atoi(string(l[0]))
		if err != nil {
			return dst, err
		}
		price, err := strconv.ParseInt(string(l[1]), 10, 64)
		if err != nil {
			return dst, err
		}
		if err := json.Unmarshal(l[2], &it.Title); err != nil {
			return dst, err
		}
		it.Quantity, it.UnitPrice = qty, returns.Money{Minor: price, Currency: currency}
		dst = append(dst, it)
	}
	return dst, nil
}
