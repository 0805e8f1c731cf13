package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/returnsportal/returns"
)

// insertWithdrawal stores the statement of withdrawal of r, a new return of
// kind withdrawal, in tx: the statement is kept with the return it made, or
// neither is.
func insertWithdrawal(ctx context.Context, tx *sql.Tx, r *returns.Return) error {
	w := r.Withdrawal
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO withdrawals (return_id, name, email, reason, channel, made_at, registered_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, w.Name, w.Email, w.Reason, w.Channel, millis(w.MadeAt), w.RegisteredBy); err != nil {
		return fmt.Errorf("insert withdrawal of return %s: %w", r.Code, err)
	}
	return nil
}

// attachWithdrawals fills the statements of withdrawal of the returns of rs
// that have one.
func attachWithdrawals(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, name, email, reason, channel, made_at, registered_by
		FROM withdrawals WHERE return_id IN `+in, ids...)
	if err != nil {
		return fmt.Errorf("read withdrawals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		var w returns.WithdrawalStatement
		if err := rows.Scan(&id, &w.Name, &w.Email, &w.Reason, &w.Channel, &at, &w.RegisteredBy); err != nil {
			return fmt.Errorf("read withdrawals: %w", err)
		}
		w.MadeAt = fromMillis(at)
		byID[id].Withdrawal = &w
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read withdrawals: %w", err)
	}
	return nil
}
