package shopify

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

//go:embed order_refunds.graphql
var orderRefundsOperation string

// orderRefundsRead is how many refunds of an order Refunds reads.
const orderRefundsRead = 20

// Refunds returns the order's refunds, oldest first, as refunds/create tells
// of them: the note, the lines and what the REFUND transactions gave back. It
// reads the first 20 refunds of an order, 10 lines and 5 transactions of
// each, and warns when an order has more.
func (c *Client) Refunds(ctx context.Context, orderID string) ([]returns.ShopRefund, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderRefundsResponse](ctx, c, "OrderRefunds", orderRefundsOperation, map[string]any{"id": orderID})
	if err != nil {
		return nil, err
	}
	if resp.Order == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	if len(resp.Order.Refunds) >= orderRefundsRead {
		c.log.WarnContext(ctx, "shopify order has more refunds than the periodic pass reads", "order", orderID)
	}
	out := make([]returns.ShopRefund, 0, len(resp.Order.Refunds))
	for _, n := range resp.Order.Refunds {
		r, err := n.shopRefund(orderID, resp.Order.PresentmentCurrencyCode)
		if err != nil {
			return nil, fmt.Errorf("shopify OrderRefunds %s: %w: %w", orderID, unavailable(), err)
		}
		if n.Transactions.PageInfo.HasNextPage {
			// What it gave back is then understated: the booking is smaller
			// than the refund, never larger.
			c.log.WarnContext(ctx, "shopify refund has more transactions than the periodic pass reads", "refund", n.ID)
		}
		out = append(out, r)
	}
	return out, nil
}

type orderRefundsResponse struct {
	Order *struct {
		PresentmentCurrencyCode string       `json:"presentmentCurrencyCode"`
		Refunds                 []refundNode `json:"refunds"`
	} `json:"order"`
}

type refundNode struct {
	ID          string     `json:"id"`
	Note        *string    `json:"note"`
	CreatedAt   *time.Time `json:"createdAt"`
	ProcessedAt time.Time  `json:"processedAt"`
	// Return is the Shopify return whose processing made the refund.
	Return *struct {
		ID string `json:"id"`
	} `json:"return"`
	RefundLineItems struct {
		Nodes []struct {
			LineItem struct {
				ID string `json:"id"`
			} `json:"lineItem"`
			Quantity    int    `json:"quantity"`
			RestockType string `json:"restockType"`
		} `json:"nodes"`
	} `json:"refundLineItems"`
	Transactions struct {
		Nodes []struct {
			ID      string  `json:"id"`
			Kind    string  `json:"kind"`
			Status  string  `json:"status"`
			Gateway *string `json:"gateway"`
			// ManualPaymentGateway marks a refund through a manual payment
			// method, which moved no money.
			ManualPaymentGateway bool    `json:"manualPaymentGateway"`
			ErrorCode            *string `json:"errorCode"`
			ParentTransaction    *struct {
				ID string `json:"id"`
			} `json:"parentTransaction"`
			AmountSet moneyBag `json:"amountSet"`
		} `json:"nodes"`
		PageInfo pageInfo `json:"pageInfo"`
	} `json:"transactions"`
}

// shopRefund maps a refund of the order orderID, whose presentment currency
// is currency, to the domain's ShopRefund.
func (n *refundNode) shopRefund(orderID, currency string) (returns.ShopRefund, error) {
	if n.ID == "" || currency == "" {
		return returns.ShopRefund{}, fmt.Errorf("refund without id, or order without currency")
	}
	r := returns.ShopRefund{ID: n.ID, OrderID: orderID, Note: deref(n.Note), ProcessedAt: n.ProcessedAt}
	if n.CreatedAt != nil {
		r.CreatedAt = *n.CreatedAt
	}
	if n.Return != nil {
		r.ReturnID = n.Return.ID
	}
	for _, t := range n.Transactions.Nodes {
		amount, err := t.AmountSet.money(currency)
		if err != nil {
			return returns.ShopRefund{}, fmt.Errorf("refund %s transaction %s: %w", n.ID, t.ID, err)
		}
		tx := returns.ShopRefundTransaction{ID: t.ID, Kind: t.Kind, Status: t.Status, Gateway: deref(t.Gateway), Amount: amount,
			Manual: t.ManualPaymentGateway, ErrorCode: deref(t.ErrorCode)}
		if t.ParentTransaction != nil {
			tx.ParentID = t.ParentTransaction.ID
		}
		r.Transactions = append(r.Transactions, tx)
	}
	r.Amount, r.Pending = refundTotals(r.Transactions, currency)
	for _, l := range n.RefundLineItems.Nodes {
		r.Lines = append(r.Lines, returns.ShopRefundLine{LineItemID: l.LineItem.ID, Quantity: l.Quantity, RestockType: l.RestockType})
	}
	return r, nil
}

// refundTotals returns what a refund's REFUND transactions gave back
// (SUCCESS) and what is on its way (PENDING), in currency.
func refundTotals(txs []returns.ShopRefundTransaction, currency string) (amount, pending returns.Money) {
	amount, pending = returns.Money{Currency: currency}, returns.Money{Currency: currency}
	for _, t := range txs {
		if t.Kind != "REFUND" {
			continue
		}
		switch t.Status {
		case "SUCCESS":
			amount.Minor += t.Amount.Minor
		case "PENDING":
			pending.Minor += t.Amount.Minor
		}
	}
	return amount, pending
}
