package devshop

import "time"

// What GET /_devshop/orders/{number} and OrderByName show of returns,
// refunds and inventory, for tests and for people trying the demo.

// ReturnSnapshot is a copy of a return.
type ReturnSnapshot struct {
	ID     string `json:"id"`     // e.g. "gid://shopify/Return/1000001"
	Name   string `json:"name"`   // e.g. "#1001-R1"
	Status string `json:"status"` // ReturnStatus: "REQUESTED", "OPEN", …
	// DeclineReason and DeclineNote are set once the request was declined.
	DeclineReason string                    `json:"decline_reason,omitempty"`
	DeclineNote   string                    `json:"decline_note,omitempty"`
	CreatedAt     time.Time                 `json:"created_at"`
	ApprovedAt    time.Time                 `json:"approved_at"`
	ClosedAt      time.Time                 `json:"closed_at"`
	Lines         []ReturnLineSnapshot      `json:"lines"`
	Deliveries    []ReverseDeliverySnapshot `json:"reverse_deliveries"`
	// Refunds are the ids of the refunds processing the return made.
	Refunds []string `json:"refunds"`
}

// ReturnLineSnapshot is a line of a return, with what was done with its
// units.
type ReturnLineSnapshot struct {
	ID                  string `json:"id"`
	FulfillmentLineItem string `json:"fulfillment_line_item_id"`
	LineItem            string `json:"line_item_id"`
	Quantity            int    `json:"quantity"`
	Processed           int    `json:"processed"`
	Refunded            int    `json:"refunded"`
	Reason              string `json:"reason"` // the definition's handle; "" for none
	CustomerNote        string `json:"customer_note"`
	// ReverseLineItem is the line of the reverse fulfillment order made at
	// approval, "" before.
	ReverseLineItem string                `json:"reverse_fulfillment_order_line_item_id"`
	Dispositions    []DispositionSnapshot `json:"dispositions"`
}

// DispositionSnapshot is what was done with some returned units.
type DispositionSnapshot struct {
	Type     string `json:"type"` // RESTOCKED, NOT_RESTOCKED, PROCESSING_REQUIRED, MISSING
	Quantity int    `json:"quantity"`
	Location string `json:"location_id,omitempty"`
}

// ReverseDeliverySnapshot is the customer's parcel.
type ReverseDeliverySnapshot struct {
	ID             string `json:"id"`
	TrackingNumber string `json:"tracking_number"`
	TrackingURL    string `json:"tracking_url"`
	CarrierName    string `json:"carrier_name"`
	// Lines are reverse fulfillment order line item id → quantity.
	Lines map[string]int `json:"lines"`
}

// RefundLineSnapshot is a refunded line item.
type RefundLineSnapshot struct {
	LineItem    string `json:"line_item_id"`
	Quantity    int    `json:"quantity"`
	RestockType string `json:"restock_type"`
	Location    string `json:"location_id,omitempty"`
}

// InventorySnapshot is what a location holds of an order's line's item.
type InventorySnapshot struct {
	LineItem      string `json:"line_item_id"`
	InventoryItem string `json:"inventory_item_id"`
	SKU           string `json:"sku"`
	Location      string `json:"location_id"`
	LocationName  string `json:"location_name"`
	Available     int    `json:"available"`
	OnHand        int    `json:"on_hand"`
}

func (r *orderReturn) snapshot() ReturnSnapshot {
	out := ReturnSnapshot{ID: r.gid(), Name: r.name(), Status: r.status, DeclineReason: r.declineReason,
		DeclineNote: r.declineNote, CreatedAt: r.createdAt, ApprovedAt: r.approvedAt, ClosedAt: r.closedAt,
		Lines: []ReturnLineSnapshot{}, Deliveries: []ReverseDeliverySnapshot{}, Refunds: []string{}}
	for _, l := range r.lines {
		ls := ReturnLineSnapshot{ID: l.gid(), FulfillmentLineItem: l.fl.gid(), LineItem: l.fl.line.gid(),
			Quantity: l.quantity, Processed: l.processed, Refunded: l.refunded, CustomerNote: l.customerNote,
			Dispositions: []DispositionSnapshot{}}
		if l.reason != nil {
			ls.Reason = l.reason.handle
		}
		if rl := r.rfoLineOf(l, ""); rl != nil {
			ls.ReverseLineItem = rl.gid()
			for _, d := range rl.dispositions {
				ds := DispositionSnapshot{Type: d.typ, Quantity: d.quantity}
				if d.location != nil {
					ds.Location = d.location.gid()
				}
				ls.Dispositions = append(ls.Dispositions, ds)
			}
		}
		out.Lines = append(out.Lines, ls)
	}
	for _, rfo := range r.rfos {
		for _, d := range rfo.deliveries {
			ds := ReverseDeliverySnapshot{ID: d.gid(), TrackingNumber: d.trackingNumber, TrackingURL: d.trackingURL,
				CarrierName: d.carrierName, Lines: map[string]int{}}
			for _, l := range d.lines {
				ds.Lines[l.rfoLine.gid()] += l.quantity
			}
			out.Deliveries = append(out.Deliveries, ds)
		}
	}
	for _, rf := range r.refunds {
		out.Refunds = append(out.Refunds, rf.gid())
	}
	return out
}

// inventorySnapshots lists the stock of each of o's line items' inventory
// items at each location.
func (o *order) inventorySnapshots() []InventorySnapshot {
	out := []InventorySnapshot{}
	for _, l := range o.lines {
		if l.variant == nil || l.variant.item == nil {
			continue
		}
		for _, lvl := range l.variant.item.levels {
			out = append(out, InventorySnapshot{LineItem: l.gid(), InventoryItem: lvl.item.gid(), SKU: lvl.item.sku,
				Location: lvl.location.gid(), LocationName: lvl.location.name, Available: lvl.available, OnHand: lvl.onHand})
		}
	}
	return out
}

// refundDetails lists each refund's line items and transactions.
func (o *order) refundDetails() []RefundDetailSnapshot {
	out := []RefundDetailSnapshot{}
	for _, r := range o.refunds {
		rs := RefundDetailSnapshot{ID: r.gid(), Lines: []RefundLineSnapshot{}, Transactions: []TransactionSnapshot{}}
		if r.ret != nil {
			rs.Return = r.ret.gid()
		}
		for _, l := range r.lines {
			ls := RefundLineSnapshot{LineItem: l.line.gid(), Quantity: l.quantity, RestockType: l.restockType}
			if l.location != nil {
				ls.Location = l.location.gid()
			}
			rs.Lines = append(rs.Lines, ls)
		}
		for _, t := range r.transactions {
			rs.Transactions = append(rs.Transactions, t.snapshot())
		}
		out = append(out, rs)
	}
	return out
}
