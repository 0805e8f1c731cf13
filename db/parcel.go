package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/returnsportal/returns"
)

// AddParcel stores the parcel a customer sent a return's items back in, with
// its timeline event, in one transaction, if the return is still in status
// and has no parcel yet: returns.ErrParcelNotNow or ErrParcelTold otherwise,
// and nothing is stored. The
// triggers of migration 014 move the return's version on and make it due for
// its Shopify sync in the same transaction.
func (db *DB) AddParcel(ctx context.Context, p *returns.Parcel, status returns.Status, ev returns.Event) error {
	if ev.ReturnID != p.ReturnID || ev.Status != "" {
		return fmt.Errorf("add parcel of return %d: event %+v does not go with it", p.ReturnID, ev)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var now returns.Status
	err = tx.QueryRowContext(ctx, `SELECT status FROM returns WHERE id = ?`, p.ReturnID).Scan(&now)
	if errors.Is(err, sql.ErrNoRows) {
		return errReturnNotFound()
	}
	if err != nil {
		return fmt.Errorf("read status of return %d: %w", p.ReturnID, err)
	}
	if now != status {
		return returns.ErrParcelNotNow
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO return_parcels (return_id, carrier, carrier_name, number, tracking_url, sent_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (return_id) DO NOTHING`,
		p.ReturnID, p.Carrier, p.CarrierName, p.Number, p.TrackingURL, millis(p.SentAt))
	if err != nil {
		return fmt.Errorf("insert parcel of return %d: %w", p.ReturnID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return returns.ErrParcelTold
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	// The parcel is the proof of dispatch after which a withdrawal's refund
	// may not be withheld: it goes into the record.
	if err := db.appendWithdrawalEntry(ctx, tx, p.ReturnID, p.SentAt, logParcel, parcelEntry{Carrier: p.Carrier, CarrierName: p.CarrierName, Number: p.Number, SentAt: logTime(p.SentAt)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit parcel of return %d: %w", p.ReturnID, err)
	}
	return nil
}

// SetParcelInShopify records the reverse delivery that carries a return's
// parcel in Shopify, or why Shopify would not take it.
func (db *DB) SetParcelInShopify(ctx context.Context, returnID int64, reverseDeliveryID, shopifyError string) error {
	res, err := db.writer.ExecContext(ctx, `
		UPDATE return_parcels SET reverse_delivery_id = ?, shopify_error = ? WHERE return_id = ?`,
		reverseDeliveryID, shopifyError, returnID)
	if err != nil {
		return fmt.Errorf("record the parcel of return %d in Shopify: %w", returnID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("record the parcel of return %d in Shopify: no parcel", returnID)
	}
	return nil
}

// attachParcels fills the parcels of the returns in byID.
func attachParcels(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT return_id, carrier, carrier_name, number, tracking_url, sent_at, reverse_delivery_id, shopify_error
		FROM return_parcels WHERE return_id IN `+in, ids...)
	if err != nil {
		return fmt.Errorf("read parcels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p returns.Parcel
		var at int64
		if err := rows.Scan(&p.ReturnID, &p.Carrier, &p.CarrierName, &p.Number, &p.TrackingURL, &at, &p.ReverseDeliveryID, &p.ShopifyError); err != nil {
			return fmt.Errorf("read parcels: %w", err)
		}
		p.SentAt = fromMillis(at)
		byID[p.ReturnID].Parcel = &p
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read parcels: %w", err)
	}
	return nil
}
