package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/returnsportal/returns"
)

// ShipReplacement records a replacement sent for change.ReturnID and applies
// change (its transition, compare-and-set on the status, with its event,
// write-back and emails) in one transaction, and fills sh.ID and sh.ReturnID.
// When the change cannot be made, nothing is stored: it answers as Transition
// does.
func (db *DB) ShipReplacement(ctx context.Context, sh *returns.Shipment, change returns.Change) error {
	if sh.ReturnID != 0 && sh.ReturnID != change.ReturnID {
		return fmt.Errorf("ship replacement: shipment of return %d with a change of return %d", sh.ReturnID, change.ReturnID)
	}
	if err := change.From.Transition(change.To); err != nil {
		return err
	}

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Checked here, in the transaction, not only by the page that offers
	// the form: only a replacement request is shipped a replacement (not a
	// refund request, not a withdrawal), and one whose replacement is a
	// Shopify order is shipped by that order's fulfilment alone.
	var resolution returns.Resolution
	var kind returns.Kind
	var ordered bool
	if err := tx.QueryRowContext(ctx, `
		SELECT resolution, kind, EXISTS (SELECT 1 FROM replacement_orders WHERE return_id = returns.id AND state <> 'failed')
		FROM returns WHERE id = ?`, change.ReturnID).Scan(&resolution, &kind, &ordered); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return errReturnNotFound()
		}
		return fmt.Errorf("read return %d to ship: %w", change.ReturnID, err)
	}
	if err := returns.CheckShipment(resolution, kind, ordered, sh.FulfillmentID != ""); err != nil {
		return err
	}
	if err := db.applyChange(ctx, tx, change); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO shipments (return_id, carrier, carrier_name, number, tracking_url, shipped_at, fulfillment_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		change.ReturnID, sh.Carrier, sh.CarrierName, sh.Number, sh.TrackingURL, millis(sh.ShippedAt), sh.FulfillmentID)
	if err != nil {
		return fmt.Errorf("insert shipment of return %d: %w", change.ReturnID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert shipment of return %d: %w", change.ReturnID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit shipment of return %d: %w", change.ReturnID, err)
	}
	sh.ID, sh.ReturnID = id, change.ReturnID
	return nil
}

// attachShipments fills the shipments of the returns in byID, oldest first.
func attachShipments(ctx context.Context, tx *sql.Tx, in string, ids []any, byID map[int64]*returns.Return) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, return_id, carrier, carrier_name, number, tracking_url, shipped_at, fulfillment_id
		FROM shipments WHERE return_id IN `+in+` ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("read shipments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sh returns.Shipment
		var at int64
		if err := rows.Scan(&sh.ID, &sh.ReturnID, &sh.Carrier, &sh.CarrierName, &sh.Number, &sh.TrackingURL, &at, &sh.FulfillmentID); err != nil {
			return fmt.Errorf("read shipments: %w", err)
		}
		sh.ShippedAt = fromMillis(at)
		byID[sh.ReturnID].Shipments = append(byID[sh.ReturnID].Shipments, sh)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read shipments: %w", err)
	}
	return nil
}
