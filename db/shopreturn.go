package db

import (
	"context"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// DueShopReturnSyncs returns up to limit returns whose Shopify return is to be
// brought in step, due at now, the longest waiting first.
func (db *DB) DueShopReturnSyncs(ctx context.Context, now time.Time, limit int) ([]returns.ShopReturnSync, error) {
	rows, err := db.reader.QueryContext(ctx, `
		SELECT return_id, seq, attempts FROM shop_return_syncs
		WHERE next_at <= ? ORDER BY next_at, return_id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read returns to sync: %w", err)
	}
	defer rows.Close()
	var out []returns.ShopReturnSync
	for rows.Next() {
		var s returns.ShopReturnSync
		if err := rows.Scan(&s.ReturnID, &s.Seq, &s.Attempts); err != nil {
			return nil, fmt.Errorf("read returns to sync: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read returns to sync: %w", err)
	}
	return out, nil
}

// ShopReturnSynced removes the return's row to sync if its seq is still seq.
func (db *DB) ShopReturnSynced(ctx context.Context, returnID, seq int64) error {
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM shop_return_syncs WHERE return_id = ? AND seq = ?`, returnID, seq); err != nil {
		return fmt.Errorf("record sync of return %d: %w", returnID, err)
	}
	return nil
}

// ShopReturnSyncFailed counts a failed sync of the return and sets when to try
// next, if its seq is still seq (a newer change is due at once instead).
func (db *DB) ShopReturnSyncFailed(ctx context.Context, returnID, seq int64, next time.Time, lastErr string) error {
	if _, err := db.writer.ExecContext(ctx, `
		UPDATE shop_return_syncs SET attempts = attempts + 1, next_at = ?, last_error = ?
		WHERE return_id = ? AND seq = ?`, millis(next), lastErr, returnID, seq); err != nil {
		return fmt.Errorf("record failed sync of return %d: %w", returnID, err)
	}
	return nil
}

// SetShopReturn records a return's Shopify return and its status.
func (db *DB) SetShopReturn(ctx context.Context, returnID int64, shopifyID string, status returns.ShopReturnStatus) error {
	res, err := db.writer.ExecContext(ctx, `
		UPDATE returns SET shopify_return_id = ?, shopify_return_status = ? WHERE id = ?`, shopifyID, status, returnID)
	if err != nil {
		return fmt.Errorf("record Shopify return of return %d: %w", returnID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errReturnNotFound()
	}
	return nil
}

// ReturnByShopReturn returns the return whose Shopify return is shopifyID, or
// ENOTFOUND.
func (db *DB) ReturnByShopReturn(ctx context.Context, shopifyID string) (*returns.Return, error) {
	if shopifyID == "" {
		return nil, errReturnNotFound()
	}
	return db.returnWhere(ctx, `shopify_return_id = ?`, shopifyID)
}

// SetRestock records what staff chose for the return's items: line item id →
// back in stock or not.
func (db *DB) SetRestock(ctx context.Context, returnID int64, choice map[string]returns.Restock) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for line, c := range choice {
		if _, err := tx.ExecContext(ctx, `UPDATE return_items SET restock = ? WHERE return_id = ? AND line_item_id = ?`, c, returnID, line); err != nil {
			return fmt.Errorf("record restock of return %d: %w", returnID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record restock of return %d: %w", returnID, err)
	}
	return nil
}

// OpenShopReturns returns up to limit Shopify return GIDs, in order, after
// after ("" for the first), of the returns that are open (returns.OpenStatuses)
// and have a Shopify return.
func (db *DB) OpenShopReturns(ctx context.Context, after string, limit int) ([]string, error) {
	in, args := openStatuses()
	rows, err := db.reader.QueryContext(ctx, `SELECT shopify_return_id FROM returns
		WHERE status IN (`+in+`) AND shopify_return_id > ?
		ORDER BY shopify_return_id LIMIT ?`, append(args, after, limit)...)
	if err != nil {
		return nil, fmt.Errorf("read open Shopify returns: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read open Shopify returns: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read open Shopify returns: %w", err)
	}
	return out, nil
}
