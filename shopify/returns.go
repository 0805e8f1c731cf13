package shopify

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/returnsportal/returns"
)

var (
	//go:embed return_fields.graphql
	returnFieldsFragment string
	//go:embed returnable_fulfillments.graphql
	returnableFulfillmentsOperation string
	//go:embed return_reasons.graphql
	returnReasonsOperation string
	//go:embed shop_return.graphql
	shopReturnOperation string
	//go:embed order_returns.graphql
	orderReturnsOperation string
	//go:embed request_return.graphql
	requestReturnOperation string
	//go:embed approve_return.graphql
	approveReturnOperation string
	//go:embed decline_return.graphql
	declineReturnOperation string
	//go:embed cancel_return.graphql
	cancelReturnOperation string
	//go:embed close_return.graphql
	closeReturnOperation string
	//go:embed process_return.graphql
	processReturnOperation string
	//go:embed create_reverse_delivery.graphql
	createReverseDeliveryOperation string

	shopReturnQuery    = shopReturnOperation + "\n" + returnFieldsFragment
	orderReturnsQuery  = orderReturnsOperation + "\n" + returnFieldsFragment
	requestReturnQuery = requestReturnOperation + "\n" + returnFieldsFragment
)

// maxCustomerNote is the longest customer note Shopify keeps on a return line.
const maxCustomerNote = 300

// ReturnableUnits returns what Shopify still takes back of an order, per
// fulfillment line item.
func (c *Client) ReturnableUnits(ctx context.Context, orderID string) ([]returns.ReturnableUnit, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[returnableResponse](ctx, c, "ReturnableFulfillments", returnableFulfillmentsOperation, map[string]any{"orderId": orderID})
	if err != nil {
		return nil, err
	}
	var out []returns.ReturnableUnit
	for _, f := range resp.ReturnableFulfillments.Nodes {
		for _, n := range f.Lines.Nodes {
			out = append(out, returns.ReturnableUnit{
				FulfillmentLineItemID: n.FulfillmentLineItem.ID,
				LineItemID:            n.FulfillmentLineItem.LineItem.ID,
				Quantity:              n.Quantity,
			})
		}
	}
	return out, nil
}

// ReturnReasons returns the shop's return reason definitions with the given
// handles that are not deleted.
func (c *Client) ReturnReasons(ctx context.Context, handles []string) ([]returns.ReturnReasonDefinition, error) {
	resp, err := call[returnReasonsResponse](ctx, c, "ReturnReasons", returnReasonsOperation, map[string]any{"handles": handles})
	if err != nil {
		return nil, err
	}
	var out []returns.ReturnReasonDefinition
	for _, n := range resp.ReturnReasonDefinitions.Nodes {
		if !n.Deleted {
			out = append(out, returns.ReturnReasonDefinition{ID: n.ID, Handle: n.Handle})
		}
	}
	return out, nil
}

// ShopReturn reads one Shopify return.
func (c *Client) ShopReturn(ctx context.Context, id string) (*returns.ShopReturn, error) {
	if !strings.HasPrefix(id, "gid://shopify/Return/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Return not found.")
	}
	resp, err := call[shopReturnResponse](ctx, c, "ShopReturn", shopReturnQuery, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if resp.Return == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Return not found.")
	}
	return resp.Return.shopReturn(), nil
}

// OrderReturns reads an order's Shopify returns (its first 5: the query's
// cost stays under Shopify's limit of 1000 points).
func (c *Client) OrderReturns(ctx context.Context, orderID string) ([]returns.ShopReturn, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderReturnsResponse](ctx, c, "OrderReturns", orderReturnsQuery, map[string]any{"id": orderID})
	if err != nil {
		return nil, err
	}
	if resp.Order == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	out := make([]returns.ShopReturn, 0, len(resp.Order.Returns.Nodes))
	for i := range resp.Order.Returns.Nodes {
		out = append(out, *resp.Order.Returns.Nodes[i].shopReturn())
	}
	return out, nil
}

// returnLost is the error of a returnRequest or returnProcess whose answer
// did not come: reading the return tells what was done.
func returnLost() *returns.Error {
	return returns.Errorf(returns.EUNKNOWN, "Shopify did not confirm the change to the return. Reading the return tells whether it was made.")
}

// RequestReturn asks Shopify for a requested return. It is sent at most once
// per call: the mutation takes no idempotency key, so an answer that did not
// come is EUNKNOWN rather than a second request.
func (c *Client) RequestReturn(ctx context.Context, req returns.ShopReturnRequest) (*returns.ShopReturn, error) {
	if !strings.HasPrefix(req.OrderID, "gid://shopify/Order/") || len(req.Lines) == 0 {
		return nil, returns.Errorf(returns.EINVALID, "The return names no order or no items.")
	}
	lines := make([]map[string]any, 0, len(req.Lines))
	for _, l := range req.Lines {
		in := map[string]any{
			"fulfillmentLineItemId": l.FulfillmentLineItemID,
			"quantity":              l.Quantity,
			"customerNote":          truncateRunes(l.CustomerNote, maxCustomerNote),
		}
		if l.ReasonID != "" {
			in["returnReasonDefinitionId"] = l.ReasonID
		}
		lines = append(lines, in)
	}
	vars := map[string]any{"input": map[string]any{"orderId": req.OrderID, "returnLineItems": lines}}
	resp, err := callUnrepeatable[requestReturnResponse](ctx, c, "RequestReturn", requestReturnQuery, vars, returnLost)
	if err != nil {
		return nil, err
	}
	p := resp.ReturnRequest
	if p == nil {
		return nil, fmt.Errorf("shopify RequestReturn %s: %w: no payload in the answer", req.OrderID, returnLost())
	}
	if err := returnErrors("returnRequest", p.UserErrors); err != nil {
		return nil, err
	}
	if p.Return == nil {
		return nil, fmt.Errorf("shopify RequestReturn %s: %w: neither a return nor userErrors in the answer", req.OrderID, returnLost())
	}
	return p.Return.shopReturn(), nil
}

// ApproveReturn opens a requested Shopify return, without Shopify's email.
func (c *Client) ApproveReturn(ctx context.Context, id string) error {
	return c.moveReturn(ctx, "ApproveReturn", approveReturnOperation, "returnApproveRequest",
		map[string]any{"input": map[string]any{"id": id, "notifyCustomer": false}})
}

// DeclineReturn declines a requested Shopify return, without Shopify's
// email; note is staff's reason, kept on the return (at most 500
// characters).
func (c *Client) DeclineReturn(ctx context.Context, id, note string) error {
	in := map[string]any{"id": id, "declineReason": "OTHER", "notifyCustomer": false}
	if note = strings.TrimSpace(note); note != "" {
		in["declineNote"] = truncateRunes(note, 500)
	}
	return c.moveReturn(ctx, "DeclineReturn", declineReturnOperation, "returnDeclineRequest", map[string]any{"input": in})
}

// CancelReturn cancels a Shopify return.
func (c *Client) CancelReturn(ctx context.Context, id string) error {
	return c.moveReturn(ctx, "CancelReturn", cancelReturnOperation, "returnCancel", map[string]any{"id": id})
}

// CloseReturn closes a Shopify return.
func (c *Client) CloseReturn(ctx context.Context, id string) error {
	return c.moveReturn(ctx, "CloseReturn", closeReturnOperation, "returnClose", map[string]any{"id": id})
}

// moveReturn runs a mutation that moves a return from one status to another.
// Each is safe to repeat: a repeat after a lost answer is refused as a move
// the status no longer allows, which the caller reads as done or not by
// reading the return.
func (c *Client) moveReturn(ctx context.Context, op, query, field string, vars map[string]any) error {
	resp, err := call[map[string]*returnPayload](ctx, c, op, query, vars)
	if err != nil {
		return err
	}
	p := (*resp)[field]
	if p == nil {
		return fmt.Errorf("shopify %s: %w: no %s payload in the answer", op, unavailable(), field)
	}
	return p.err(field)
}

// ProcessReturn processes a Shopify return and refunds it, without Shopify's
// email. It is sent at most once per call (returnProcess takes no
// idempotency key): an answer that did not come is EUNKNOWN, and reading the
// return (its processed quantities and refunds, the note carrying the key)
// tells what was done.
func (c *Client) ProcessReturn(ctx context.Context, req returns.ProcessRequest) (string, error) {
	if !strings.HasPrefix(req.ReturnID, "gid://shopify/Return/") {
		return "", returns.Errorf(returns.EINVALID, "The refund is not for a Shopify return.")
	}
	lines := make([]map[string]any, 0, len(req.Lines))
	for _, l := range req.Lines {
		var disp []map[string]any
		for _, d := range l.Dispositions {
			in := map[string]any{"reverseFulfillmentOrderLineItemId": d.LineID, "quantity": d.Quantity, "dispositionType": "NOT_RESTOCKED"}
			if d.Restock {
				in["dispositionType"] = "RESTOCKED"
				in["locationId"] = d.LocationID
			}
			disp = append(disp, in)
		}
		in := map[string]any{"id": l.ReturnLineItemID, "quantity": l.Quantity}
		if disp != nil {
			in["dispositions"] = disp
		}
		lines = append(lines, in)
	}
	input := map[string]any{"returnId": req.ReturnID, "returnLineItems": lines, "notifyCustomer": false, "note": req.Note}
	if len(req.Transactions) > 0 || req.StoreCredit.Minor > 0 {
		txs := make([]map[string]any, 0, len(req.Transactions))
		for _, t := range req.Transactions {
			txs = append(txs, map[string]any{
				"parentId":          t.ParentID,
				"transactionAmount": map[string]any{"amount": t.Amount.Decimal(), "currencyCode": t.Amount.Currency},
			})
		}
		refund := map[string]any{"orderTransactions": txs}
		if req.StoreCredit.Minor > 0 {
			refund["refundMethods"] = []map[string]any{{"storeCreditRefund": map[string]any{
				"amount": map[string]any{"amount": req.StoreCredit.Decimal(), "currencyCode": req.StoreCredit.Currency},
			}}}
		}
		input["financialTransfer"] = map[string]any{"issueRefund": refund}
	}
	if req.Shipping.Minor > 0 {
		// The delivery refunded is part of the refund's money above.
		input["refundShipping"] = map[string]any{"shippingRefundAmount": map[string]any{
			"amount": req.Shipping.Decimal(), "currencyCode": req.Shipping.Currency}}
	}
	resp, err := callUnrepeatable[processReturnResponse](ctx, c, "ProcessReturn", processReturnOperation, map[string]any{"input": input}, returnLost)
	if err != nil {
		return "", err
	}
	p := resp.ReturnProcess
	if p == nil {
		return "", fmt.Errorf("shopify ProcessReturn %s: %w: no payload in the answer", req.ReturnID, returnLost())
	}
	if err := returnErrors("returnProcess", p.UserErrors); err != nil {
		return "", err
	}
	if p.Return == nil {
		return "", fmt.Errorf("shopify ProcessReturn %s: %w: neither a return nor userErrors in the answer", req.ReturnID, returnLost())
	}
	if len(req.Transactions) == 0 && req.StoreCredit.Minor <= 0 {
		return "", nil
	}
	for _, r := range p.Return.Refunds.Nodes {
		if r.Note != nil && req.Note != "" && strings.Contains(*r.Note, req.Note) {
			return r.ID, nil
		}
	}
	// Shopify's note on the refund is not documented to be the process
	// note: the newest refund of the return is the one just made.
	if n := len(p.Return.Refunds.Nodes); n > 0 {
		return p.Return.Refunds.Nodes[n-1].ID, nil
	}
	return "", fmt.Errorf("shopify ProcessReturn %s: %w: the return was processed and shows no refund", req.ReturnID, returnLost())
}

// CreateReverseDelivery records a customer's parcel on a reverse fulfillment
// order of a Shopify return, without Shopify's email. It is sent at most once
// per call (the mutation takes no idempotency key): an answer that did not
// come is EUNKNOWN, and reading the return (its deliveries' tracking numbers)
// tells whether it was made.
func (c *Client) CreateReverseDelivery(ctx context.Context, req returns.ReverseDeliveryRequest) (string, error) {
	if !strings.HasPrefix(req.ReverseOrderID, "gid://shopify/ReverseFulfillmentOrder/") || len(req.Lines) == 0 {
		return "", returns.Errorf(returns.EINVALID, "The parcel names no reverse fulfillment order or no units.")
	}
	lines := make([]map[string]any, 0, len(req.Lines))
	for _, l := range req.Lines {
		lines = append(lines, map[string]any{"reverseFulfillmentOrderLineItemId": l.ID, "quantity": l.Quantity})
	}
	tracking := map[string]any{"number": req.TrackingNumber}
	if req.TrackingURL != "" {
		tracking["url"] = req.TrackingURL
	}
	vars := map[string]any{"reverseFulfillmentOrderId": req.ReverseOrderID, "lines": lines, "tracking": tracking}
	resp, err := callUnrepeatable[reverseDeliveryResponse](ctx, c, "CreateReverseDelivery", createReverseDeliveryOperation, vars, returnLost)
	if err != nil {
		return "", err
	}
	p := resp.ReverseDeliveryCreateWithShipping
	if p == nil {
		return "", fmt.Errorf("shopify CreateReverseDelivery %s: %w: no payload in the answer", req.ReverseOrderID, returnLost())
	}
	if err := returnErrors("reverseDeliveryCreateWithShipping", p.UserErrors); err != nil {
		return "", err
	}
	if p.ReverseDelivery == nil {
		return "", fmt.Errorf("shopify CreateReverseDelivery %s: %w: neither a delivery nor userErrors in the answer", req.ReverseOrderID, returnLost())
	}
	return p.ReverseDelivery.ID, nil
}

type reverseDeliveryResponse struct {
	ReverseDeliveryCreateWithShipping *struct {
		ReverseDelivery *struct {
			ID string `json:"id"`
		} `json:"reverseDelivery"`
		UserErrors []returnUserError `json:"userErrors"`
	} `json:"reverseDeliveryCreateWithShipping"`
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Responses.

type returnUserError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

type returnPayload struct {
	Return *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"return"`
	UserErrors []returnUserError `json:"userErrors"`
}

func (p *returnPayload) err(field string) error { return returnErrors(field, p.UserErrors) }

// returnErrors turns a returns mutation's userErrors into the domain's
// error: a move the return's status does not allow is ECONFLICT, an unknown
// return ENOTFOUND, anything else Shopify's refusal (EINVALID) with its
// messages.
func returnErrors(field string, ues []returnUserError) error {
	if len(ues) == 0 {
		return nil
	}
	var msgs, detail []string
	code := returns.EINVALID
	for _, e := range ues {
		msgs = append(msgs, strings.TrimSpace(e.Message))
		detail = append(detail, strings.Join(e.Field, ".")+": "+e.Code+": "+e.Message)
		switch e.Code {
		case "INVALID_STATE":
			code = returns.ECONFLICT
		case "NOT_FOUND":
			if code == returns.EINVALID {
				code = returns.ENOTFOUND
			}
		}
	}
	return fmt.Errorf("shopify %s: %w (userErrors: %s)", field,
		returns.Errorf(code, "%s", strings.Join(msgs, "; ")), strings.Join(detail, "; "))
}

type returnableResponse struct {
	ReturnableFulfillments struct {
		Nodes []struct {
			Lines struct {
				Nodes []struct {
					Quantity            int `json:"quantity"`
					FulfillmentLineItem struct {
						ID       string `json:"id"`
						LineItem struct {
							ID string `json:"id"`
						} `json:"lineItem"`
					} `json:"fulfillmentLineItem"`
				} `json:"nodes"`
			} `json:"returnableFulfillmentLineItems"`
		} `json:"nodes"`
	} `json:"returnableFulfillments"`
}

type returnReasonsResponse struct {
	ReturnReasonDefinitions struct {
		Nodes []struct {
			ID      string `json:"id"`
			Handle  string `json:"handle"`
			Deleted bool   `json:"deleted"`
		} `json:"nodes"`
	} `json:"returnReasonDefinitions"`
}

type returnNode struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Decline *struct {
		Note *string `json:"note"`
	} `json:"decline"`
	Order struct {
		ID string `json:"id"`
	} `json:"order"`
	ReturnLineItems struct {
		Nodes []struct {
			ID                  string  `json:"id"`
			Quantity            int     `json:"quantity"`
			ProcessedQuantity   int     `json:"processedQuantity"`
			CustomerNote        *string `json:"customerNote"`
			FulfillmentLineItem struct {
				ID       string `json:"id"`
				LineItem struct {
					ID string `json:"id"`
				} `json:"lineItem"`
			} `json:"fulfillmentLineItem"`
		} `json:"nodes"`
	} `json:"returnLineItems"`
	ReverseFulfillmentOrders struct {
		Nodes []struct {
			ID                string `json:"id"`
			ReverseDeliveries struct {
				Nodes []struct {
					ID          string `json:"id"`
					Deliverable *struct {
						Tracking *struct {
							Number *string `json:"number"`
							URL    *string `json:"url"`
						} `json:"tracking"`
					} `json:"deliverable"`
				} `json:"nodes"`
			} `json:"reverseDeliveries"`
			LineItems struct {
				Nodes []struct {
					ID                  string `json:"id"`
					TotalQuantity       int    `json:"totalQuantity"`
					FulfillmentLineItem *struct {
						ID string `json:"id"`
					} `json:"fulfillmentLineItem"`
				} `json:"nodes"`
			} `json:"lineItems"`
		} `json:"nodes"`
	} `json:"reverseFulfillmentOrders"`
	Refunds refundNotes `json:"refunds"`
}

type refundNotes struct {
	Nodes []struct {
		ID   string  `json:"id"`
		Note *string `json:"note"`
	} `json:"nodes"`
}

func (n *returnNode) shopReturn() *returns.ShopReturn {
	sr := &returns.ShopReturn{ID: n.ID, Name: n.Name, OrderID: n.Order.ID, Status: returns.ShopReturnStatus(n.Status)}
	if n.Decline != nil {
		sr.DeclineNote = deref(n.Decline.Note)
	}
	for _, l := range n.ReturnLineItems.Nodes {
		line := returns.ShopReturnLine{
			ID: l.ID, FulfillmentLineItemID: l.FulfillmentLineItem.ID, LineItemID: l.FulfillmentLineItem.LineItem.ID,
			Quantity: l.Quantity, Processed: l.ProcessedQuantity, CustomerNote: deref(l.CustomerNote),
		}
		for _, rfo := range n.ReverseFulfillmentOrders.Nodes {
			for _, rl := range rfo.LineItems.Nodes {
				if rl.FulfillmentLineItem != nil && rl.FulfillmentLineItem.ID == line.FulfillmentLineItemID {
					line.DispositionLines = append(line.DispositionLines, rl.ID)
				}
			}
		}
		sr.Lines = append(sr.Lines, line)
	}
	for _, r := range n.Refunds.Nodes {
		sr.Refunds = append(sr.Refunds, returns.ShopReturnRefund{ID: r.ID, Note: deref(r.Note)})
	}
	for _, rfo := range n.ReverseFulfillmentOrders.Nodes {
		ro := returns.ReverseOrder{ID: rfo.ID}
		for _, rl := range rfo.LineItems.Nodes {
			ro.Lines = append(ro.Lines, returns.ReverseOrderLine{ID: rl.ID, Quantity: rl.TotalQuantity})
		}
		for _, d := range rfo.ReverseDeliveries.Nodes {
			rd := returns.ReverseDelivery{ID: d.ID}
			if d.Deliverable != nil && d.Deliverable.Tracking != nil {
				rd.TrackingNumber, rd.TrackingURL = deref(d.Deliverable.Tracking.Number), deref(d.Deliverable.Tracking.URL)
			}
			ro.Deliveries = append(ro.Deliveries, rd)
		}
		sr.ReverseOrders = append(sr.ReverseOrders, ro)
	}
	return sr
}

type shopReturnResponse struct {
	Return *returnNode `json:"return"`
}

type orderReturnsResponse struct {
	Order *struct {
		Returns struct {
			Nodes []returnNode `json:"nodes"`
		} `json:"returns"`
	} `json:"order"`
}

type requestReturnResponse struct {
	ReturnRequest *struct {
		Return     *returnNode       `json:"return"`
		UserErrors []returnUserError `json:"userErrors"`
	} `json:"returnRequest"`
}

type processReturnResponse struct {
	ReturnProcess *struct {
		Return *struct {
			ID      string      `json:"id"`
			Status  string      `json:"status"`
			Refunds refundNotes `json:"refunds"`
		} `json:"return"`
		UserErrors []returnUserError `json:"userErrors"`
	} `json:"returnProcess"`
}
