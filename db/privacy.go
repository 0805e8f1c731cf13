package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/returnsportal/returns"
)

// ErasePersonalData erases the personal data of up to e.Limit returns not
// erased yet that e selects, after e.After in ID order, as returns.Erasure
// says, in one transaction, and returns them in ID order. With the first batch
// (e.After 0) it also deletes the one-time links of the customer's address and
// orders (every link with e.All) and erases the emails about no return sent to
// that address (every one with e.All).
func (db *DB) ErasePersonalData(ctx context.Context, e returns.Erasure) ([]returns.ErasedReturn, error) {
	if e.Limit <= 0 || e.At.IsZero() {
		return nil, fmt.Errorf("erase personal data: limit %d and time %v must be set", e.Limit, e.At)
	}
	if !e.All && e.Email == "" && len(e.OrderIDs) == 0 {
		return nil, errors.New("erase personal data: nothing selected")
	}
	orders, err := json.Marshal(nonNil(e.OrderIDs))
	if err != nil {
		return nil, fmt.Errorf("erase personal data: %w", err)
	}
	kept, err := json.Marshal(nonNil(e.KeepMessages))
	if err != nil {
		return nil, fmt.Errorf("erase personal data: %w", err)
	}

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	// No address is NULL, which equals nothing: a return whose order had no
	// address is not taken for the customer's.
	email := sql.NullString{String: e.Email, Valid: e.Email != ""}
	erased, err := selectErasable(ctx, tx, e, email, string(orders))
	if err != nil {
		return nil, err
	}
	if len(erased) > 0 {
		if err := eraseReturns(ctx, tx, e, erased, string(kept)); err != nil {
			return nil, err
		}
	}
	if e.After == 0 {
		if err := eraseAddress(ctx, tx, e, email, string(orders)); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit erasure: %w", err)
	}
	return erased, nil
}

// selectErasable returns the returns of e's batch. Each branch of the customer's
// selection reads an index of its own (email's is NOCASE, as the queue's search
// says), as in Queue.
func selectErasable(ctx context.Context, tx *sql.Tx, e returns.Erasure, email sql.NullString, orders string) ([]returns.ErasedReturn, error) {
	q := `SELECT id, code, order_id FROM returns WHERE redacted_at IS NULL AND id > ?`
	args := []any{e.After}
	if !e.All {
		q += ` AND id IN (
			SELECT id FROM returns WHERE email = ? COLLATE NOCASE
			UNION SELECT id FROM returns WHERE order_id IN (SELECT value FROM json_each(?)))`
		args = append(args, email, orders)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, e.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("select returns to erase: %w", err)
	}
	defer rows.Close()
	var out []returns.ErasedReturn
	for rows.Next() {
		var r returns.ErasedReturn
		if err := rows.Scan(&r.ID, &r.Code, &r.OrderID); err != nil {
			return nil, fmt.Errorf("select returns to erase: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select returns to erase: %w", err)
	}
	return out, nil
}

// eraseReturns erases what the portal keeps about the customer of each return
// of erased; see returns.Erasure. Every statement moves the returns' versions
// on (migration 008's triggers), so no cached status page shows the old data.
func eraseReturns(ctx context.Context, tx *sql.Tx, e returns.Erasure, erased []returns.ErasedReturn, kept string) error {
	ids := make([]any, len(erased))
	for i, r := range erased {
		ids[i] = r.ID
	}
	in := `(?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
	with := func(args ...any) []any { return append(args, ids...) }

	steps := []struct {
		what, sql string
		args      []any
	}{
		{"returns", `UPDATE returns SET email = ?, note = '', redacted_at = ? WHERE id IN ` + in,
			with(returns.RedactedEmail, millis(e.At))},
		// Rows and data: the writer connection has secure_delete on (Open),
		// so the pages the photos held are zeroed as they are freed.
		{"photos", `DELETE FROM photos WHERE return_id IN ` + in, with()},
		{"timelines", `UPDATE events SET message = '', message_format = '', message_args = ''
			WHERE (message <> '' OR message_format <> '') AND type NOT IN (SELECT value FROM json_each(?)) AND return_id IN ` + in, with(kept)},
		{"write-backs", `UPDATE writebacks SET note_line = '' WHERE note_line <> '' AND return_id IN ` + in, with()},
		{"shipments", `UPDATE shipments SET number = '', tracking_url = '' WHERE return_id IN ` + in, with()},
		{"parcels", `UPDATE return_parcels SET number = '', tracking_url = '' WHERE return_id IN ` + in, with()},
		{"link tokens", `DELETE FROM return_tokens WHERE return_id IN ` + in, with()},
		// Not sent yet: dropped, so it never is. A worker sending one this
		// moment finds it gone when it records the outcome.
		{"queued emails", `DELETE FROM outbox WHERE status = 'queued' AND return_id IN ` + in, with()},
		// The outbox's rows are never deleted otherwise; the kept copies of
		// the others stay, without anything of the customer in them.
		{"kept emails", `UPDATE outbox SET ` + outboxErased + ` WHERE return_id IN ` + in, with(returns.RedactedEmail)},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("erase personal data: %s: %w", s.what, err)
		}
	}
	for _, r := range erased {
		ev := e.Event
		ev.ReturnID = r.ID
		ev.Status = ""
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// outboxErased is the SET clause that empties a kept email, given
// returns.RedactedEmail for its address: RequeueOutbox refuses to send a
// message to that address, and the mail worker to send one.
const outboxErased = `to_addr = ?, reply_to = '', subject = '', text_body = '', html_body = '', last_error = ''`

// eraseAddress deletes the one-time links of e's customer (by address and by
// order; every link with e.All) and erases the emails about no return (the
// links' emails) sent to the address (every one with e.All). The requests for
// links hold neither an address nor an order.
func eraseAddress(ctx context.Context, tx *sql.Tx, e returns.Erasure, email sql.NullString, orders string) error {
	links, linkArgs := `DELETE FROM access_links`, []any{}
	emails, emailArgs := ` WHERE return_id IS NULL`, []any{}
	if !e.All {
		links += ` WHERE email = ? COLLATE NOCASE OR order_id IN (SELECT value FROM json_each(?))`
		linkArgs = append(linkArgs, email, orders)
		emails += ` AND to_addr = ? COLLATE NOCASE`
		emailArgs = append(emailArgs, email)
	}
	if _, err := tx.ExecContext(ctx, links, linkArgs...); err != nil {
		return fmt.Errorf("erase personal data: one-time links: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox`+emails+` AND status = 'queued'`, emailArgs...); err != nil {
		return fmt.Errorf("erase personal data: queued link emails: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET `+outboxErased+emails, append([]any{returns.RedactedEmail}, emailArgs...)...); err != nil {
		return fmt.Errorf("erase personal data: kept link emails: %w", err)
	}
	return nil
}

// nonNil returns s, or an empty slice for nil, which JSON writes as [] rather
// than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
