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
// items, shipments and refunded sums but without photos. f.Query, normalised by
// the service, matches a return code, an order name or an email exactly (the
// last two ignoring ASCII case). Every variant reads an index in ID order, or the
// few rows of one search, so a deep page costs what the first does.
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
	if f.Query != "" {
		// Each branch reads an index of its own and finds a handful of ids.
		// Written as one OR, SQLite would rather walk the whole table in id
		// order than sort those few, as it cannot know how few they are.
		// COLLATE NOCASE matches the indexes.
		where = append(where, `id IN (
			SELECT id FROM returns WHERE code = ?
			UNION SELECT id FROM returns WHERE order_name = ? COLLATE NOCASE
			UNION SELECT id FROM returns WHERE email = ? COLLATE NOCASE)`)
		args = append(args, f.Query, f.Query, f.Query)
	}
	if f.Status != "" {
		if f.Query != "" {
			// The unary + keeps SQLite from walking the status index instead of
			// looking the search's ids up.
			where = append(where, `+status = ?`)
		} else {
			where = append(where, `status = ?`)
		}
		args = append(args, f.Status)
	}
	if f.Before > 0 {
		if f.Query != "" {
			where = append(where, `+id < ?`)
		} else {
			where = append(where, `id < ?`)
		}
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = queueDefaultLimit
	}
	limit = min(limit, queueMaxLimit)
	args = append(args, limit)

	q := `SELECT ` + returnColumns + ` FROM returns`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + ` ORDER BY id DESC LIMIT ?`, args

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
