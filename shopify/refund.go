package shopify

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/returnsportal/returns"
)

var (
	//go:embed suggest_refund.graphql
	suggestRefundOperation string
	//go:embed create_refund.graphql
	createRefundOperation string
	//go:embed find_refund.graphql
	findRefundOperation string
	//go:embed suggest_transactions.graphql
	suggestTransactionsOperation string
	//go:embed locations.graphql
	locationsOperation string
)

// unknownOutcome is the error of a refund whose answer did not come.
func unknownOutcome() *returns.Error {
	return returns.Errorf(returns.EUNKNOWN, "Shopify did not confirm the refund. Asking again with the same key tells whether it was made.")
}

// SuggestRefund returns Shopify's suggested refund, in the order's presentment
// currency, for returning items without restocking them.
func (c *Client) SuggestRefund(ctx context.Context, orderID string, items []returns.Item) (returns.Money, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return returns.Money{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[suggestRefundResponse](ctx, c, "SuggestRefund", suggestRefundOperation,
		map[string]any{"id": orderID, "refundLineItems": suggestLines(items)})
	if err != nil {
		return returns.Money{}, err
	}
	if resp.Order == nil {
		return returns.Money{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	if resp.Order.SuggestedRefund == nil || resp.Order.PresentmentCurrencyCode == "" {
		return returns.Money{}, fmt.Errorf("shopify SuggestRefund %s: %w: no suggestion in the answer", orderID, unavailable())
	}
	m, err := resp.Order.SuggestedRefund.AmountSet.money(resp.Order.PresentmentCurrencyCode)
	if err != nil {
		return returns.Money{}, fmt.Errorf("shopify SuggestRefund %s: %w: %w", orderID, unavailable(), err)
	}
	return m, nil
}

// suggestLines is the refundLineItems of a suggestion for items: one entry per
// line (the same line twice is one line with both quantities), not
// restocked.
func suggestLines(items []returns.Item) []map[string]any {
	lines := []map[string]any{}
	at := map[string]int{}
	for _, it := range items {
		if it.Quantity <= 0 || it.LineItemID == "" {
			continue
		}
		if i, ok := at[it.LineItemID]; ok {
			lines[i]["quantity"] = lines[i]["quantity"].(int) + it.Quantity
			continue
		}
		at[it.LineItemID] = len(lines)
		lines = append(lines, map[string]any{"lineItemId": it.LineItemID, "quantity": it.Quantity, "restockType": "NO_RESTOCK"})
	}
	return lines
}

// SuggestTransactions returns how Shopify would split a refund of items over
// the order's payments, in Shopify's order.
func (c *Client) SuggestTransactions(ctx context.Context, orderID string, items []returns.Item) (returns.RefundSuggestion, error) {
	out, err := c.suggestTransactions(ctx, orderID, items)
	if err != nil {
		return returns.RefundSuggestion{}, err
	}
	return *out, nil
}

func (c *Client) suggestTransactions(ctx context.Context, orderID string, items []returns.Item) (*returns.RefundSuggestion, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[suggestTransactionsResponse](ctx, c, "SuggestTransactions", suggestTransactionsOperation,
		map[string]any{"id": orderID, "refundLineItems": suggestLines(items)})
	if err != nil {
		return nil, err
	}
	if resp.Order == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	if resp.Order.SuggestedRefund == nil {
		return nil, fmt.Errorf("shopify SuggestTransactions %s: %w: no suggestion in the answer", orderID, unavailable())
	}
	cur := resp.Order.PresentmentCurrencyCode
	out := &returns.RefundSuggestion{StoreCredit: returns.Money{Currency: cur}}
	if out.Amount, err = resp.Order.SuggestedRefund.AmountSet.money(cur); err != nil {
		return nil, fmt.Errorf("shopify SuggestTransactions %s: %w: %w", orderID, unavailable(), err)
	}
	for _, m := range resp.Order.SuggestedRefund.SuggestedRefundMethods {
		if m.MaximumRefundable != nil {
			most, err := m.MaximumRefundable.money(cur)
			if err != nil {
				return nil, fmt.Errorf("shopify SuggestTransactions %s: %w: %w", orderID, unavailable(), err)
			}
			out.StoreCredit = most
		}
	}
	for _, t := range resp.Order.SuggestedRefund.SuggestedTransactions {
		if t.ParentTransaction == nil || t.ParentTransaction.ID == "" {
			// A suggestion without a parent cannot be sent as a refund
			// transaction; Shopify suggests one for every payment it refunds.
			continue
		}
		amount, err := t.AmountSet.money(cur)
		if err != nil {
			return nil, fmt.Errorf("shopify SuggestTransactions %s: %w: %w", orderID, unavailable(), err)
		}
		most := amount
		if t.MaximumRefundableSet != nil {
			if most, err = t.MaximumRefundableSet.money(cur); err != nil {
				return nil, fmt.Errorf("shopify SuggestTransactions %s: %w: %w", orderID, unavailable(), err)
			}
		}
		out.Transactions = append(out.Transactions, returns.SuggestedTransaction{
			ParentID: t.ParentTransaction.ID, Gateway: deref(t.Gateway), Manual: t.ParentTransaction.ManualPaymentGateway,
			Amount: amount, Max: most,
		})
	}
	return out, nil
}

// Locations returns the shop's active locations that hold stock, those that
// fulfil online orders first.
func (c *Client) Locations(ctx context.Context) ([]returns.Location, error) {
	resp, err := call[locationsResponse](ctx, c, "Locations", locationsOperation, nil)
	if err != nil {
		return nil, err
	}
	var online, others []returns.Location
	for _, l := range resp.Locations.Nodes {
		switch {
		case !l.IsActive || !l.ShipsInventory:
		case l.FulfillsOnlineOrders:
			online = append(online, returns.Location{ID: l.ID, Name: l.Name})
		default:
			others = append(others, returns.Location{ID: l.ID, Name: l.Name})
		}
	}
	return append(online, others...), nil
}

// CreateRefund refunds req.Amount to the payments of req.Transactions with
// refundCreate @idempotent(key: req.Key), without notifying the customer (the
// portal sends its own email). It returns the Shopify Refund GID.
//
// Errors: Shopify's refusal (userErrors) is EINVALID with Shopify's messages,
// for staff; so is a request this adapter will not send. An answer that did
// not come (timeout, lost connection, 5xx, throttled to the end of the
// attempts, unreadable, ctx ended) is EUNKNOWN, as is an answer saying the key
// was used with other input: the refund may have been made, and asking again
// with the same key, or FindRefund, tells. Retries inside this call use the
// same key, so they never make a second refund.
func (c *Client) CreateRefund(ctx context.Context, req returns.RefundRequest) (string, error) {
	if err := checkRefundRequest(req); err != nil {
		return "", err
	}
	txs := make([]map[string]any, 0, len(req.Transactions))
	for _, t := range req.Transactions {
		txs = append(txs, map[string]any{
			"orderId": req.OrderID, "parentId": t.ParentID, "gateway": t.Gateway,
			"kind": "REFUND", "amount": t.Amount.Decimal(),
		})
	}
	input := map[string]any{
		"orderId":      req.OrderID,
		"note":         req.Note,
		"notify":       false,
		"currency":     req.Amount.Currency,
		"transactions": txs,
	}
	if req.StoreCredit.Minor > 0 {
		input["refundMethods"] = []map[string]any{{"storeCreditRefund": map[string]any{
			"amount": map[string]any{"amount": req.StoreCredit.Decimal(), "currencyCode": req.StoreCredit.Currency},
		}}}
	}
	if req.Shipping.Minor > 0 {
		// What of the transactions' money is for delivery, in the refund's
		// (presentment) currency.
		input["shipping"] = map[string]any{"amount": req.Shipping.Decimal()}
	}
	if len(req.Lines) > 0 {
		lines := make([]map[string]any, 0, len(req.Lines))
		for _, l := range req.Lines {
			in := map[string]any{"lineItemId": l.LineItemID, "quantity": l.Quantity, "restockType": "NO_RESTOCK"}
			if l.Restock {
				in["restockType"], in["locationId"] = "RETURN", l.LocationID
			}
			lines = append(lines, in)
		}
		input["refundLineItems"] = lines
	}
	resp, err := callIdempotent[createRefundResponse](ctx, c, "CreateRefund", createRefundOperation,
		map[string]any{"input": input, "key": req.Key}, unknownOutcome)
	if err != nil {
		return "", err
	}
	p := resp.RefundCreate
	if p == nil {
		return "", fmt.Errorf("shopify CreateRefund %s: %w: no refundCreate payload in the answer", req.OrderID, unknownOutcome())
	}
	if len(p.UserErrors) > 0 {
		var msgs, detail []string
		for _, e := range p.UserErrors {
			msgs = append(msgs, strings.TrimSpace(e.Message))
			detail = append(detail, strings.Join(e.Field, ".")+": "+e.Message)
		}
		return "", fmt.Errorf("shopify CreateRefund %s: %w (userErrors: %s)", req.OrderID,
			returns.Errorf(returns.EINVALID, "%s", strings.Join(msgs, "; ")), strings.Join(detail, "; "))
	}
	if p.Refund == nil || p.Refund.ID == "" {
		return "", fmt.Errorf("shopify CreateRefund %s: %w: neither a refund nor userErrors in the answer", req.OrderID, unknownOutcome())
	}
	return p.Refund.ID, nil
}

// checkRefundRequest refuses a request that Shopify would refuse anyway or
// that must not be sent; nothing is refunded.
func checkRefundRequest(req returns.RefundRequest) error {
	switch {
	case !strings.HasPrefix(req.OrderID, "gid://shopify/Order/"):
		return returns.Errorf(returns.EINVALID, "The refund is not for a Shopify order.")
	case strings.TrimSpace(req.Key) == "":
		// Without a key a retry could refund twice; Shopify refuses it too
		// from 2026-04.
		return returns.Errorf(returns.EINVALID, "The refund has no idempotency key.")
	case req.Amount.Minor <= 0 || req.Amount.Currency == "":
		return returns.Errorf(returns.EINVALID, "The refund amount must be above zero.")
	case len(req.Transactions) == 0 && req.StoreCredit.Minor <= 0:
		return returns.Errorf(returns.EINVALID, "The refund names no payment to refund to.")
	case req.StoreCredit.Minor > 0 && req.StoreCredit.Currency != req.Amount.Currency:
		return returns.Errorf(returns.EINVALID, "The store credit must be in the refund’s currency.")
	}
	sum := max(req.StoreCredit.Minor, 0)
	for _, t := range req.Transactions {
		if t.ParentID == "" || t.Gateway == "" || t.Amount.Minor <= 0 || t.Amount.Currency != req.Amount.Currency {
			return returns.Errorf(returns.EINVALID, "The refund names a payment it cannot go back to.")
		}
		sum += t.Amount.Minor
	}
	if sum != req.Amount.Minor {
		return returns.Errorf(returns.EINVALID, "The refund’s parts do not add up to its amount.")
	}
	return nil
}

// FindRefund returns the order's refund whose note holds key (the portal puts
// the key in every refund's note), and whether there is one. It reads the
// order's first 50 refunds.
func (c *Client) FindRefund(ctx context.Context, orderID, key string) (string, bool, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		// Every note "holds" the empty string.
		return "", false, errors.New("shopify FindRefund: empty key")
	}
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return "", false, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[findRefundResponse](ctx, c, "FindRefund", findRefundOperation, map[string]any{"id": orderID})
	if err != nil {
		return "", false, err
	}
	if resp.Order == nil {
		return "", false, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	var found []string
	for _, r := range resp.Order.Refunds {
		if r.Note != nil && strings.Contains(*r.Note, key) {
			found = append(found, r.ID)
		}
	}
	if len(found) > 1 {
		c.log.ErrorContext(ctx, "shopify order has more than one refund with the same key", "order", orderID, "key", key, "refunds", found)
	}
	if len(found) > 0 {
		return found[0], true, nil
	}
	if len(resp.Order.Refunds) >= 50 {
		// Not found among the first 50 does not mean not made; asking
		// again with the same key settles it.
		c.log.WarnContext(ctx, "shopify order has more refunds than FindRefund reads", "order", orderID)
	}
	return "", false, nil
}

type suggestRefundResponse struct {
	Order *struct {
		PresentmentCurrencyCode string `json:"presentmentCurrencyCode"`
		SuggestedRefund         *struct {
			AmountSet moneyBag `json:"amountSet"`
		} `json:"suggestedRefund"`
	} `json:"order"`
}

type suggestTransactionsResponse struct {
	Order *struct {
		PresentmentCurrencyCode string `json:"presentmentCurrencyCode"`
		SuggestedRefund         *struct {
			AmountSet             moneyBag `json:"amountSet"`
			SuggestedTransactions []struct {
				Gateway              *string   `json:"gateway"`
				AmountSet            moneyBag  `json:"amountSet"`
				MaximumRefundableSet *moneyBag `json:"maximumRefundableSet"`
				ParentTransaction    *struct {
					ID                   string `json:"id"`
					ManualPaymentGateway bool   `json:"manualPaymentGateway"`
				} `json:"parentTransaction"`
			} `json:"suggestedTransactions"`
			// SuggestedRefundMethods has a maximumRefundable for store
			// credit, the one method the query asks about.
			SuggestedRefundMethods []struct {
				MaximumRefundable *moneyBag `json:"maximumRefundable"`
			} `json:"suggestedRefundMethods"`
		} `json:"suggestedRefund"`
	} `json:"order"`
}

type locationsResponse struct {
	Locations struct {
		Nodes []struct {
			ID             string `json:"id"`
			Name           string `json:"name"`
			IsActive       bool   `json:"isActive"`
			ShipsInventory bool   `json:"shipsInventory"`
			// FulfillsOnlineOrders marks the locations parcels are sent
			// from, and so come back to.
			FulfillsOnlineOrders bool `json:"fulfillsOnlineOrders"`
		} `json:"nodes"`
	} `json:"locations"`
}

type createRefundResponse struct {
	RefundCreate *struct {
		Refund *struct {
			ID string `json:"id"`
		} `json:"refund"`
		UserErrors []userError `json:"userErrors"`
	} `json:"refundCreate"`
}

type findRefundResponse struct {
	Order *struct {
		Refunds []struct {
			ID   string  `json:"id"`
			Note *string `json:"note"`
		} `json:"refunds"`
	} `json:"order"`
}
