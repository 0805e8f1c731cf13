package shopify

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

var (
	//go:embed order_note.graphql
	orderNoteOperation string
	//go:embed order_history.graphql
	orderHistoryOperation string
	//go:embed set_order_history.graphql
	setOrderHistoryOperation string
)

// historyType is the metafield type of the order history: a JSON document.
const historyType = "json"

// staleObject is metafieldsSet's userError code for a compareDigest that no
// longer matches the metafield (MetafieldsSetUserErrorCode).
const staleObject = "STALE_OBJECT"

// OrderNote reads an order's note and its updatedAt, cheaply, right before
// and after the portal writes the note.
func (c *Client) OrderNote(ctx context.Context, id string) (returns.OrderNoteState, error) {
	if !strings.HasPrefix(id, "gid://shopify/Order/") {
		return returns.OrderNoteState{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderNoteResponse](ctx, c, "OrderNote", orderNoteOperation, map[string]any{"id": id})
	if err != nil {
		return returns.OrderNoteState{}, err
	}
	if resp.Order == nil {
		return returns.OrderNoteState{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	at, err := time.Parse(time.RFC3339, resp.Order.UpdatedAt)
	if err != nil {
		return returns.OrderNoteState{}, fmt.Errorf("shopify OrderNote %s: %w: updatedAt %q: %w", id, unavailable(), resp.Order.UpdatedAt, err)
	}
	return returns.OrderNoteState{Note: deref(resp.Order.Note), UpdatedAt: at.UTC()}, nil
}

type orderNoteResponse struct {
	Order *struct {
		Note      *string `json:"note"`
		UpdatedAt string  `json:"updatedAt"`
	} `json:"order"`
}

// OrderHistory reads the order's history metafield ($app:returns.history).
func (c *Client) OrderHistory(ctx context.Context, orderID string) (returns.OrderHistoryDoc, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return returns.OrderHistoryDoc{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderHistoryResponse](ctx, c, "OrderHistory", orderHistoryOperation,
		map[string]any{"id": orderID, "namespace": returns.HistoryNamespace, "key": returns.HistoryKey})
	if err != nil {
		return returns.OrderHistoryDoc{}, err
	}
	if resp.Order == nil {
		return returns.OrderHistoryDoc{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	m := resp.Order.Metafield
	if m == nil {
		return returns.OrderHistoryDoc{}, nil
	}
	return returns.OrderHistoryDoc{Value: []byte(m.Value), Digest: m.CompareDigest}, nil
}

type orderHistoryResponse struct {
	Order *struct {
		Metafield *struct {
			Value         string `json:"value"`
			CompareDigest string `json:"compareDigest"`
		} `json:"metafield"`
	} `json:"order"`
}

// SetOrderHistory writes the order's history metafield over the version
// whose digest is compareDigest. "" sends compareDigest null, which Shopify
// takes as "only while there is no such metafield", so a first history
// written by two at once is refused to the second too. STALE_OBJECT is
// returns.ErrStaleHistory. The write is safe to send again: a repeat of one
// that was carried out is refused as stale.
func (c *Client) SetOrderHistory(ctx context.Context, orderID string, value []byte, compareDigest string) error {
	input := map[string]any{
		"ownerId":   orderID,
		"namespace": returns.HistoryNamespace,
		"key":       returns.HistoryKey,
		"type":      historyType,
		"value":     string(value),
	}
	if compareDigest == "" {
		input["compareDigest"] = nil
	} else {
		input["compareDigest"] = compareDigest
	}
	resp, err := call[setOrderHistoryResponse](ctx, c, "SetOrderHistory", setOrderHistoryOperation,
		map[string]any{"metafields": []any{input}})
	if err != nil {
		return err
	}
	p := resp.MetafieldsSet
	if p == nil {
		return fmt.Errorf("shopify SetOrderHistory %s: missing mutation payload", orderID)
	}
	if len(p.UserErrors) == 0 {
		return nil
	}
	var msgs []string
	stale := false
	for _, e := range p.UserErrors {
		msgs = append(msgs, strings.Join(e.Field, ".")+": "+e.Message+" ("+deref(e.Code)+")")
		stale = stale || deref(e.Code) == staleObject
	}
	detail := fmt.Errorf("metafieldsSet userErrors: %s", strings.Join(msgs, "; "))
	if stale {
		return fmt.Errorf("shopify SetOrderHistory %s: %w: %w", orderID, returns.ErrStaleHistory, detail)
	}
	return fmt.Errorf("shopify SetOrderHistory %s: %w", orderID, detail)
}

type setOrderHistoryResponse struct {
	MetafieldsSet *struct {
		UserErrors []struct {
			Field   []string `json:"field"`
			Message string   `json:"message"`
			Code    *string  `json:"code"`
		} `json:"userErrors"`
	} `json:"metafieldsSet"`
}
