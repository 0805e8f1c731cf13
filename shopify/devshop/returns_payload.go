package devshop

import "strings"

// The returns/* webhook payloads, REST-shaped like the others (payload.go).
//
// Shopify's reference shows returns/request, returns/approve and
// returns/process carrying the return with its line items; the field list
// here follows SHOPIFY-API.md §8 (third-party captures): id,
// admin_graphql_api_id, name, status in lower case, order, and
// return_line_items with their fulfillment line item and reason. What is
// beyond that list is devshop's and unverified: the reason's definition
// (return_reason_definition), processed quantities, the reverse
// fulfillment orders with their dispositions, and the refunds of
// returns/process. returns/decline carries the decline, and returns/cancel,
// returns/close and returns/reopen the return's id, order and status only
// (unverified). reverse_deliveries/attach_deliverable carries the delivery
// with its tracking (unverified).

type restReturnLine struct {
	ID                  int64             `json:"id"`
	AdminGraphqlAPIID   string            `json:"admin_graphql_api_id"`
	Quantity            int               `json:"quantity"`
	ProcessedQuantity   int               `json:"processed_quantity"`
	ReturnReason        string            `json:"return_reason"`
	ReturnReasonNote    string            `json:"return_reason_note"`
	ReturnReasonDef     *restReasonDef    `json:"return_reason_definition"`
	CustomerNote        *string           `json:"customer_note"`
	FulfillmentLineItem restFulfillmentLI `json:"fulfillment_line_item"`
}

type restReasonDef struct {
	ID                int64  `json:"id"`
	AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
	Handle            string `json:"handle"`
	Name              string `json:"name"`
}

type restFulfillmentLI struct {
	ID                int64   `json:"id"`
	AdminGraphqlAPIID string  `json:"admin_graphql_api_id"`
	LineItem          restRef `json:"line_item"`
}

type restDisposition struct {
	ID         int64  `json:"id"`
	Type       string `json:"type"`
	Quantity   int    `json:"quantity"`
	LocationID *int64 `json:"location_id"`
}

type restRFOLine struct {
	ID                int64             `json:"id"`
	AdminGraphqlAPIID string            `json:"admin_graphql_api_id"`
	TotalQuantity     int               `json:"total_quantity"`
	Dispositions      []restDisposition `json:"dispositions"`
}

type restRFO struct {
	ID                int64         `json:"id"`
	AdminGraphqlAPIID string        `json:"admin_graphql_api_id"`
	Status            string        `json:"status"`
	LineItems         []restRFOLine `json:"line_items"`
}

type restReturn struct {
	ID                       int64            `json:"id"`
	AdminGraphqlAPIID        string           `json:"admin_graphql_api_id"`
	Name                     string           `json:"name"`
	Status                   string           `json:"status"`
	Order                    restRef          `json:"order"`
	TotalReturnLineItems     int              `json:"total_return_line_items"`
	ReturnLineItems          []restReturnLine `json:"return_line_items"`
	ReverseFulfillmentOrders []restRFO        `json:"reverse_fulfillment_orders"`
	Refunds                  []restRef        `json:"refunds"`
}

// returnPayload is the payload of returns/request, returns/approve and
// returns/process.
func returnPayload(r *orderReturn) restReturn {
	o := r.order
	out := restReturn{
		ID: r.id, AdminGraphqlAPIID: gid("Return", r.id), Name: r.name(), Status: strings.ToLower(r.status),
		Order: restRef{ID: o.id, AdminGraphqlAPIID: o.gid()}, TotalReturnLineItems: r.totalQuantity(),
		ReturnLineItems: []restReturnLine{}, ReverseFulfillmentOrders: []restRFO{}, Refunds: []restRef{},
	}
	for _, l := range r.lines {
		rl := restReturnLine{
			ID: l.id, AdminGraphqlAPIID: gid("ReturnLineItem", l.id), Quantity: l.quantity, ProcessedQuantity: l.processed,
			ReturnReason: strings.ToLower(l.legacyReason()), ReturnReasonNote: l.reasonNote, CustomerNote: stringOrNil(l.customerNote),
			FulfillmentLineItem: restFulfillmentLI{ID: l.fl.id, AdminGraphqlAPIID: l.fl.gid(),
				LineItem: restRef{ID: l.fl.line.id, AdminGraphqlAPIID: l.fl.line.gid()}},
		}
		if l.reason != nil {
			rl.ReturnReasonDef = &restReasonDef{ID: l.reason.id, AdminGraphqlAPIID: l.reason.gid(), Handle: l.reason.handle, Name: l.reason.name}
		}
		out.ReturnLineItems = append(out.ReturnLineItems, rl)
	}
	for _, rfo := range r.rfos {
		ro := restRFO{ID: rfo.id, AdminGraphqlAPIID: rfo.gid(), Status: strings.ToLower(rfo.status), LineItems: []restRFOLine{}}
		for _, l := range rfo.lines {
			rl := restRFOLine{ID: l.id, AdminGraphqlAPIID: l.gid(), TotalQuantity: l.line.quantity, Dispositions: []restDisposition{}}
			for _, d := range l.dispositions {
				rd := restDisposition{ID: d.id, Type: strings.ToLower(d.typ), Quantity: d.quantity}
				if d.location != nil {
					id := d.location.id
					rd.LocationID = &id
				}
				rl.Dispositions = append(rl.Dispositions, rd)
			}
			ro.LineItems = append(ro.LineItems, rl)
		}
		out.ReverseFulfillmentOrders = append(out.ReverseFulfillmentOrders, ro)
	}
	for _, rf := range r.refunds {
		out.Refunds = append(out.Refunds, restRef{ID: rf.id, AdminGraphqlAPIID: rf.gid()})
	}
	return out
}

type restReturnStatus struct {
	ID                int64   `json:"id"`
	AdminGraphqlAPIID string  `json:"admin_graphql_api_id"`
	Name              string  `json:"name"`
	Status            string  `json:"status"`
	Order             restRef `json:"order"`
}

// returnStatusPayload is the payload of returns/cancel, returns/close and
// returns/reopen.
func returnStatusPayload(r *orderReturn) restReturnStatus {
	return restReturnStatus{ID: r.id, AdminGraphqlAPIID: gid("Return", r.id), Name: r.name(),
		Status: strings.ToLower(r.status), Order: restRef{ID: r.order.id, AdminGraphqlAPIID: r.order.gid()}}
}

type restReturnDecline struct {
	restReturnStatus
	Decline struct {
		Reason string  `json:"reason"`
		Note   *string `json:"note"`
	} `json:"decline"`
}

// returnDeclinePayload is the payload of returns/decline.
func returnDeclinePayload(r *orderReturn) restReturnDecline {
	out := restReturnDecline{restReturnStatus: returnStatusPayload(r)}
	out.Decline.Reason = strings.ToLower(r.declineReason)
	out.Decline.Note = stringOrNil(r.declineNote)
	return out
}

type restReverseDelivery struct {
	ID                  int64   `json:"id"`
	AdminGraphqlAPIID   string  `json:"admin_graphql_api_id"`
	Return              restRef `json:"return"`
	ShippingDeliverable struct {
		Tracking struct {
			Number      *string `json:"number"`
			URL         *string `json:"url"`
			CarrierName *string `json:"carrier_name"`
		} `json:"tracking"`
	} `json:"shipping_deliverable"`
}

// reverseDeliveryPayload is the payload of
// reverse_deliveries/attach_deliverable.
func reverseDeliveryPayload(d *reverseDelivery) restReverseDelivery {
	out := restReverseDelivery{ID: d.id, AdminGraphqlAPIID: d.gid(),
		Return: restRef{ID: d.rfo.ret.id, AdminGraphqlAPIID: gid("Return", d.rfo.ret.id)}}
	out.ShippingDeliverable.Tracking.Number = stringOrNil(d.trackingNumber)
	out.ShippingDeliverable.Tracking.URL = stringOrNil(d.trackingURL)
	out.ShippingDeliverable.Tracking.CarrierName = stringOrNil(d.carrierName)
	return out
}
