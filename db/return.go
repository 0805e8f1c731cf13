package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/returnsportal/returns"
)

func errReturnNotFound() error { return returns.Errorf(returns.ENOTFOUND, "Return not found.") }

// CreateReturn stores a new return with its items, photos (with their data), its
// first timeline event, its write-back and its emails, in one transaction, and
// fills r.ID, the photos' IDs and the emails' ReturnID and IDs. When the order has a return with r.SubmissionKey already, it
// writes nothing, loads that return into r and reports created == false. It
// answers ECONFLICT when the units held by the order's active returns plus r's
// would exceed maxUnits (line item id → units that may be returned at most).
func (db *DB) CreateReturn(ctx context.Context, r *returns.Return, maxUnits map[string]int, ev returns.Event, wb *returns.Writeback, emails []returns.OutboxMessage) (created bool, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	// The transaction began IMMEDIATE, so no other writer can slip in between
	// this check and the inserts below.
	existing, err := findReturn(ctx, tx, `order_id = ? AND submission_key = ?`, r.OrderID, r.SubmissionKey)
	if err == nil {
		*r = *existing
		return false, nil
	}
	if returns.ErrorCode(err) != returns.ENOTFOUND {
		return false, err
	}

	if err := checkUnits(ctx, tx, r, maxUnits); err != nil {
		return false, err
	}
	if err := insertReturn(ctx, tx, r); err != nil {
		return false, err
	}
	if r.Withdrawal != nil {
		if err := insertWithdrawal(ctx, tx, r); err != nil {
			return false, err
		}
		if err := db.appendStatement(ctx, tx, r); err != nil {
			return false, err
		}
	}
	ev.ReturnID = r.ID
	if err := insertEvent(ctx, tx, ev); err != nil {
		return false, err
	}
	wb.ReturnID = r.ID
	if err := insertWriteback(ctx, tx, wb); err != nil {
		return false, err
	}
	if err := insertOutbox(ctx, tx, r.ID, emails, ev.At); err != nil {
		return false, err
	}
	// Its items, photos and first event have each moved the version on.
	if err := tx.QueryRowContext(ctx, `SELECT version FROM returns WHERE id = ?`, r.ID).Scan(&r.Version); err != nil {
		return false, fmt.Errorf("read version of new return: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit return: %w", err)
	}
	return true, nil
}

// checkUnits answers ECONFLICT when the units of r, added to those held by the
// active returns of its order, exceed maxUnits on any line.
func checkUnits(ctx context.Context, tx *sql.Tx, r *returns.Return, maxUnits map[string]int) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT r.id, r.status, r.shopify_return_id, r.shopify_return_status,
			(SELECT coalesce(SUM(amount_minor), 0) FROM refunds f WHERE f.return_id = r.id AND f.state = 'succeeded'),
			i.line_item_id, i.quantity
		FROM return_items i JOIN returns r ON r.id = i.return_id
		WHERE r.order_id = ? ORDER BY r.id`, r.OrderID)
	if err != nil {
		return fmt.Errorf("read held units: %w", err)
	}
	defer rows.Close()
	// The order's returns with their statuses, Shopify returns, refunded sums
	// and items: which of them hold their units is the domain's rule
	// (returns.HeldUnits), not repeated here.
	var rs []returns.Return
	for rows.Next() {
		var id, refunded int64
		var status returns.Status
		var shopID string
		var shopStatus returns.ShopReturnStatus
		var it returns.Item
		if err := rows.Scan(&id, &status, &shopID, &shopStatus, &refunded, &it.LineItemID, &it.Quantity); err != nil {
			return fmt.Errorf("read held units: %w", err)
		}
		if len(rs) == 0 || rs[len(rs)-1].ID != id {
			rs = append(rs, returns.Return{ID: id, Status: status, ShopReturnID: shopID, ShopReturnStatus: shopStatus,
				Refunded: returns.Money{Minor: refunded, Currency: r.Currency}})
		}
		rs[len(rs)-1].Items = append(rs[len(rs)-1].Items, it)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read held units: %w", err)
	}
	held := returns.HeldUnits(append(rs, *r))
	for _, it := range r.Items {
		if held[it.LineItemID] > maxUnits[it.LineItemID] {
			return returns.Errorf(returns.ECONFLICT, "Some of these items were returned already.")
		}
	}
	return nil
}

func insertReturn(ctx context.Context, tx *sql.Tx, r *returns.Return) error {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO returns (code, token, submission_key, order_id, order_name, email, locale,
			kind, reason, resolution, note, status, currency, created_at, updated_at)
		VALUES (?, lower(hex(randomblob(16))), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Code, r.SubmissionKey, r.OrderID, r.OrderName, r.Email, r.Locale,
		r.Kind, r.Reason, r.Resolution, r.Note, r.Status, r.Currency,
		millis(r.CreatedAt), millis(r.UpdatedAt))
	if isUnique(err) {
		// The code is random (40 bits; the token column 128, see migration
		// 006); a clash is a bug, not something to show a customer.
		return fmt.Errorf("insert return %s: code not unique: %w", r.Code, err)
	}
	if err != nil {
		return fmt.Errorf("insert return: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert return: %w", err)
	}
	for _, it := range r.Items {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO return_items (return_id, line_item_id, title, variant_title, quantity, unit_price_minor, currency)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, it.LineItemID, it.Title, it.VariantTitle, it.Quantity, it.UnitPrice.Minor, it.UnitPrice.Currency); err != nil {
			return fmt.Errorf("insert return item %s: %w", it.LineItemID, err)
		}
	}
	for i := range r.Photos {
		p := &r.Photos[i]
		res, err := tx.ExecContext(ctx, `
			INSERT INTO photos (return_id, content_type, width, height, size, data)
			VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, p.ContentType, p.Width, p.Height, len(p.Data), p.Data)
		if err != nil {
			return fmt.Errorf("insert photo %d: %w", i+1, err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert photo %d: %w", i+1, err)
		}
	}
	return nil
}

// ReturnByCode returns the return with a public code, with its items, photos
// (without their data), shipments and refunded sum, or ENOTFOUND.
func (db *DB) ReturnByCode(ctx context.Context, code string) (*returns.Return, error) {
	return db.returnWhere(ctx, `code = ?`, code)
}

// ReturnByID is ReturnByCode by the return's ID.
func (db *DB) ReturnByID(ctx context.Context, id int64) (*returns.Return, error) {
	return db.returnWhere(ctx, `id = ?`, id)
}

// ReturnBySubmission returns the return of an order made from the form with a
// submission key, or ENOTFOUND.
func (db *DB) ReturnBySubmission(ctx context.Context, orderID, key string) (*returns.Return, error) {
	return db.returnWhere(ctx, `order_id = ? AND submission_key = ?`, orderID, key)
}

// ReturnByToken returns the return an access token opens, given the token's
// hash (returns.HashToken), or ENOTFOUND.
func (db *DB) ReturnByToken(ctx context.Context, tokenHash string) (*returns.Return, error) {
	return db.returnWhere(ctx, `id = (SELECT return_id FROM return_tokens WHERE token_hash = ?)`, tokenHash)
}

func (db *DB) returnWhere(ctx context.Context, where string, args ...any) (*returns.Return, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findReturn(ctx, tx, where, args...)
}

// ReturnVersion returns the order and the version of the return with a public
// code, or ENOTFOUND: one query, for the status page to tell whether what it
// rendered of the return is still what the return is.
func (db *DB) ReturnVersion(ctx context.Context, code string) (orderID string, version int64, err error) {
	err = db.reader.QueryRowContext(ctx, `SELECT order_id, version FROM returns WHERE code = ?`, code).Scan(&orderID, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, errReturnNotFound()
	}
	if err != nil {
		return "", 0, fmt.Errorf("read version of return %s: %w", code, err)
	}
	return orderID, version, nil
}

// ReturnsByOrder returns the returns of an order, newest first, with their items,
// photos (without their data), shipments and refunded sums.
func (db *DB) ReturnsByOrder(ctx context.Context, orderID string) ([]returns.Return, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findReturns(ctx, tx, `order_id = ?`, orderID)
}

// findReturn returns the one return matching where, or ENOTFOUND.
func findReturn(ctx context.Context, tx *sql.Tx, where string, args ...any) (*returns.Return, error) {
	rs, err := findReturns(ctx, tx, where, args...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, errReturnNotFound()
	}
	return &rs[0], nil
}

const returnColumns = `id, code, submission_key, order_id, order_name, email, locale,
	kind, reason, resolution, note, status, currency, created_at, updated_at, version, redacted_at,
	shopify_return_id, shopify_return_status`

// findReturns returns the returns matching where (a condition on the returns
// table, written by this package, never by a caller's input), newest first, with
// items, photo metadata, shipments and the refunded sum.
func findReturns(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]returns.Return, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+returnColumns+` FROM returns WHERE `+where+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read returns: %w", err)
	}
	rs, err := scanReturns(rows)
	if err != nil {
		return nil, err
	}
	if err := attachDetails(ctx, tx, rs, true); err != nil {
		return nil, err
	}
	return rs, nil
}

// scanReturns reads and closes rows of returnColumns.
func scanReturns(rows *sql.Rows) ([]returns.Return, error) {
	defer rows.Close()
	var rs []returns.Return
	for rows.Next() {
		var r returns.Return
		var created, updated int64
		var redacted sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Code, &r.SubmissionKey, &r.OrderID, &r.OrderName, &r.Email, &r.Locale,
			&r.Kind, &r.Reason, &r.Resolution, &r.Note, &r.Status, &r.Currency, &created, &updated, &r.Version, &redacted,
			&r.ShopReturnID, &r.ShopReturnStatus); err != nil {
			return nil, fmt.Errorf("read returns: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
		if redacted.Valid {
			r.RedactedAt = fromMillis(redacted.Int64)
		}
		r.Refunded = returns.Money{Currency: r.Currency}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read returns: %w", err)
	}
	return rs, nil
}

// attachDetails fills the items, shipments, parcels and refunded sums of rs, and with
// photos their photo metadata, with one query per kind for all of rs rather than
// one per return.
func attachDetails(ctx context.Context, tx *sql.Tx, rs []returns.Return, photos bool) error {
	if len(rs) == 0 {
		return nil
	}
	byID := make(map[int64]*returns.Return, len(rs))
	ids := make([]any, len(rs))
	for i := range rs {
		byID[rs[i].ID] = &rs[i]
		ids[i] = rs[i].ID
	}
	in := `(?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
	if err := attachItems(ctx, tx, in, ids, byID); err != nil {
		return err
	}
	if photos {
		if err := attachPhotos(ctx, tx, in, ids, byID); err != nil {
			return err
		}
	}
	if err := attachShipments(ctx, tx, in, ids, byID); err != nil {
		return err
	}
	if err := attachParcels(ctx, tx, in, ids, byID); err != nil {
		return err
	}
	if err := attachReplacements(ctx, tx, in, ids, byID); err != nil {
		return err
	}
	if err := attachWithdrawals(ctx, tx, in, ids, byID); err != nil {
		return err
	}
	return attachRefunded(ctx, tx, in, ids, byID)
}

func attachItems(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, line_item_id, title, variant_title, quantity, unit_price_minor, currency, restock
		FROM return_items WHERE return_id IN `+in+` ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("read return items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var it returns.Item
		if err := rows.Scan(&id, &it.LineItemID, &it.Title, &it.VariantTitle, &it.Quantity, &it.UnitPrice.Minor, &it.UnitPrice.Currency, &it.Restock); err != nil {
			return fmt.Errorf("read return items: %w", err)
		}
		byID[id].Items = append(byID[id].Items, it)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read return items: %w", err)
	}
	return nil
}

func attachPhotos(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, id, content_type, width, height
		FROM photos WHERE return_id IN `+in+` ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("read photos: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p returns.Photo
		if err := rows.Scan(&id, &p.ID, &p.ContentType, &p.Width, &p.Height); err != nil {
			return fmt.Errorf("read photos: %w", err)
		}
		byID[id].Photos = append(byID[id].Photos, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read photos: %w", err)
	}
	return nil
}

// Photo returns one photo of a return with its data, or ENOTFOUND when the return
// has no photo with that id.
func (db *DB) Photo(ctx context.Context, returnID, photoID int64) (*returns.Photo, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	var p returns.Photo
	err = tx.QueryRowContext(ctx, `
		SELECT id, content_type, width, height, data FROM photos WHERE id = ? AND return_id = ?`,
		photoID, returnID).Scan(&p.ID, &p.ContentType, &p.Width, &p.Height, &p.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, returns.Errorf(returns.ENOTFOUND, "Photo not found.")
	}
	if err != nil {
		return nil, fmt.Errorf("read photo %d: %w", photoID, err)
	}
	return &p, nil
}
