package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/returnsportal/returns"
)

// Queue page sizes: the default, and the most one call reads, which also bounds
// the IN lists that load the page's items.
const (
	queueDefaultLimit = 50
	queueMaxLimit     = 500
)

// Queue returns the returns matching f, newest (highest ID) first, with their
// items, shipments and refunded sums but without photos. f.Query, lower-cased
// by the service, is found anywhere in a return's code, order name, email and
// items' titles and variants (migration 020's return_search). Browsing reads an
// index in ID order, so a deep page costs what the first does; a search reads
// the narrow search rows newest first until the page is full.
func (db *DB) Queue(ctx context.Context, f returns.QueueFilter) ([]returns.Return, error) {
	q, args := queueQuery(f)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	rs, err := scanReturns(rows)
	if err != nil {
		return nil, err
	}
	if err := attachDetails(ctx, tx, rs, false); err != nil {
		return nil, err
	}
	return rs, nil
}

// queueQuery returns the SELECT of Queue for f, with its arguments.
func queueQuery(f returns.QueueFilter) (string, []any) {
	var where []string
	var args []any
	limit := f.Limit
	if limit <= 0 {
		limit = queueDefaultLimit
	}
	limit = min(limit, queueMaxLimit)

	if f.Withdrawals || f.ByDeadline {
		return withdrawalQueueQuery(f, limit)
	}
	if f.Code != "" {
		// A whole code: its index finds the one return.
		where = append(where, `code = ?`)
		args = append(args, f.Code)
	} else if f.Query != "" {
		// The search rows drive, newest first (CROSS JOIN keeps them the
		// outer loop), each return looked up by its id: the scan stops as
		// soon as the page is full. instr, not LIKE: what staff type has no
		// wildcards. The unary + keeps the status index out of it.
		where = append(where, `instr(s.text, ?) > 0`)
		args = append(args, f.Query)
		if f.Status != "" {
			where = append(where, `+r.status = ?`)
			args = append(args, f.Status)
		}
		if f.Before > 0 {
			where = append(where, `s.return_id < ?`)
			args = append(args, f.Before)
		}
		args = append(args, limit)
		return `SELECT ` + qualified("r", returnColumns) + ` FROM return_search s CROSS JOIN returns r ON r.id = s.return_id
			WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY s.return_id DESC LIMIT ?`, args
	}
	if f.Status != "" {
		if f.Code != "" {
			// The unary + keeps the code's index, not the status's.
			where = append(where, `+status = ?`)
		} else {
			where = append(where, `status = ?`)
		}
		args = append(args, f.Status)
	}
	if f.Before > 0 {
		where = append(where, `id < ?`)
		args = append(args, f.Before)
	}
	args = append(args, limit)

	q := `SELECT ` + returnColumns + ` FROM returns`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + ` ORDER BY id DESC LIMIT ?`, args
}

// withdrawalQueueQuery is queueQuery for withdrawals only: the withdrawals
// table drives, newest first or by refund deadline (its index), each return
// looked up by its id; a search looks through the return's search rows.
func withdrawalQueueQuery(f returns.QueueFilter, limit int) (string, []any) {
	var where []string
	var args []any
	switch {
	case f.Code != "":
		where = append(where, `r.code = ?`)
		args = append(args, f.Code)
	case f.Query != "":
		where = append(where, `EXISTS (SELECT 1 FROM return_search s WHERE s.return_id = r.id AND instr(s.text, ?) > 0)`)
		args = append(args, f.Query)
	}
	switch {
	case f.Status != "":
		where = append(where, `+r.status = ?`)
		args = append(args, f.Status)
	case f.ByDeadline:
		in, open := openStatuses()
		where = append(where, `+r.status IN (`+in+`)`)
		args = append(args, open...)
	}
	order := `w.return_id DESC`
	if f.ByDeadline {
		order = `w.refund_due, w.return_id`
		if f.DueAfter != "" {
			where = append(where, `(w.refund_due, w.return_id) > (?, ?)`)
			args = append(args, f.DueAfter, f.AfterID)
		}
	} else if f.Before > 0 {
		where = append(where, `w.return_id < ?`)
		args = append(args, f.Before)
	}
	q := `SELECT ` + qualified("r", returnColumns) + ` FROM withdrawals w CROSS JOIN returns r ON r.id = w.return_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + ` ORDER BY ` + order + ` LIMIT ?`, append(args, limit)
}

// qualified prefixes each of a list of columns with a table's alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// CountByStatus counts the returns in each status; a status no return is in is
// missing from the map. It reads the counts the triggers of migration 004 keep,
// a row per status, instead of counting 100,000 returns on every queue page.
func (db *DB) CountByStatus(ctx context.Context) (map[returns.Status]int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT status, n FROM return_status_counts WHERE n > 0`)
	if err != nil {
		return nil, fmt.Errorf("count returns: %w", err)
	}
	defer rows.Close()
	counts := map[returns.Status]int{}
	for rows.Next() {
		var s returns.Status
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count returns: %w", err)
		}
		counts[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count returns: %w", err)
	}
	return counts, nil
}
