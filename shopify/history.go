package shopify

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

var (
	//go:embed order_record.graphql
	orderRecordOperation string
	//go:embed write_order_record.graphql
	writeOrderRecordOperation string
)

// historyType is the metafield type of the order history: a JSON document.
const historyType = "json"

// staleObject is metafieldsSet's userError code for a compareDigest that no
// longer matches the metafield (MetafieldsSetUserErrorCode).
const staleObject = "STALE_OBJECT"

// OrderRecord reads an order's note, its updatedAt, tags and history metafield
// ($app:returns.history) in one request, right before and after the portal
// writes them.
func (c *Client) OrderRecord(ctx context.Context, orderID string) (returns.OrderRecord, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return returns.OrderRecord{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderRecordResponse](ctx, c, "OrderRecord", orderRecordOperation,
		map[string]any{"id": orderID, "namespace": returns.HistoryNamespace, "key": returns.HistoryKey})
	if err != nil {
		return returns.OrderRecord{}, err
	}
	o := resp.Order
	if o == nil {
		return returns.OrderRecord{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	at, err := time.Parse(time.RFC3339, o.UpdatedAt)
	if err != nil {
		return returns.OrderRecord{}, fmt.Errorf("shopify OrderRecord %s: %w: updatedAt %q: %w", orderID, unavailable(), o.UpdatedAt, err)
	}
	rec := returns.OrderRecord{OrderNoteState: returns.OrderNoteState{Note: deref(o.Note), UpdatedAt: at.UTC()}, Tags: o.Tags}
	if m := o.Metafield; m != nil {
		rec.History = returns.OrderHistoryDoc{Value: []byte(m.Value), Digest: m.CompareDigest}
	}
	return rec, nil
}

type orderRecordResponse struct {
	Order *struct {
		Note      *string  `json:"note"`
		Tags      []string `json:"tags"`
		UpdatedAt string   `json:"updatedAt"`
		Metafield *struct {
			Value         string `json:"value"`
			CompareDigest string `json:"compareDigest"`
		} `json:"metafield"`
	} `json:"order"`
}

// WriteOrderRecord makes w's writes in one request: orderUpdate (the note),
// tagsAdd, metafieldsSet (the history over w.HistoryDigest; "" sends
// compareDigest null, which Shopify takes as "only while there is no such
// metafield", so a first history written by two at once is refused to the
// second too), each only when there is something to write. A userError on
// the order's id (the order is gone) is ENOTFOUND; the history refused as
// STALE_OBJECT, with no other userError, is returns.ErrStaleHistory: the
// note and tags were written before it. The request is safe to send again:
// the note is the same whole note, the tags a union, and a repeat of a
// history write that was carried out is refused as stale.
func (c *Client) WriteOrderRecord(ctx context.Context, orderID string, w returns.OrderRecordWrite) error {
	var tags []string
	for _, t := range w.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	input := map[string]any{"id": orderID}
	if w.Note != nil {
		input["note"] = *w.Note
	}
	history := map[string]any{
		"ownerId":   orderID,
		"namespace": returns.HistoryNamespace,
		"key":       returns.HistoryKey,
		"type":      historyType,
		"value":     string(w.History),
	}
	if w.HistoryDigest == "" {
		history["compareDigest"] = nil
	} else {
		history["compareDigest"] = w.HistoryDigest
	}
	metafields := []any{}
	if w.History != nil {
		metafields = append(metafields, history)
	}
	if tags == nil {
		tags = []string{}
	}
	withNote, withTags, withHistory := w.Note != nil, len(tags) > 0, w.History != nil
	if !withNote && !withTags && !withHistory {
		return nil
	}
	resp, err := call[writeOrderRecordResponse](ctx, c, "WriteOrderRecord", writeOrderRecordOperation, map[string]any{
		"input": input, "withNote": withNote,
		"id": orderID, "tags": tags, "withTags": withTags,
		"metafields": metafields, "withHistory": withHistory,
	})
	if err != nil {
		return err
	}
	var errs []error
	check := func(asked bool, p mutationPayload) {
		switch {
		case !asked:
		case p == nil:
			// A null payload without errors would be a broken answer.
			errs = append(errs, errors.New("missing mutation payload"))
		default:
			if err := p.err(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	check(withNote, resp.OrderUpdate.named("orderUpdate"))
	check(withTags, resp.TagsAdd.named("tagsAdd"))
	stale := false
	if withHistory {
		if p := resp.MetafieldsSet; p == nil {
			errs = append(errs, errors.New("missing metafieldsSet payload"))
		} else if len(p.UserErrors) > 0 {
			var msgs []string
			stale = true
			for _, e := range p.UserErrors {
				msgs = append(msgs, strings.Join(e.Field, ".")+": "+e.Message+" ("+deref(e.Code)+")")
				stale = stale && deref(e.Code) == staleObject
			}
			errs = append(errs, fmt.Errorf("metafieldsSet userErrors: %s", strings.Join(msgs, "; ")))
		}
	}
	err = errors.Join(errs...)
	switch {
	case err == nil:
		return nil
	case stale && len(errs) == 1:
		return fmt.Errorf("shopify WriteOrderRecord %s: %w: %w", orderID, returns.ErrStaleHistory, err)
	default:
		return fmt.Errorf("shopify WriteOrderRecord %s: %w", orderID, err)
	}
}

type writeOrderRecordResponse struct {
	OrderUpdate   *payload `json:"orderUpdate"`
	TagsAdd       *payload `json:"tagsAdd"`
	MetafieldsSet *struct {
		UserErrors []struct {
			Field   []string `json:"field"`
			Message string   `json:"message"`
			Code    *string  `json:"code"`
		} `json:"userErrors"`
	} `json:"metafieldsSet"`
}
