package shopify

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

// Replacement orders: a draft order of the original order's variants at a
// 100 % discount with free shipping, completed into an order the store
// fulfils as usual, and the fulfilments of that order read back for their
// tracking. Neither draftOrderCreate nor draftOrderComplete takes an
// @idempotent key in 2026-04, so each is sent at most once per call: an
// answer that did not come is EUNKNOWN, and reading the draft (DraftOrder)
// tells whether it was completed.

var (
	//go:embed replacement_source.graphql
	replacementSourceOperation string
	//go:embed create_draft_order.graphql
	createDraftOrderOperation string
	//go:embed complete_draft_order.graphql
	completeDraftOrderOperation string
	//go:embed draft_order.graphql
	draftOrderOperation string
	//go:embed replacement_drafts.graphql
	replacementDraftsOperation string
	//go:embed delete_draft_order.graphql
	deleteDraftOrderOperation string
	//go:embed order_fulfillments.graphql
	orderFulfillmentsOperation string
	//go:embed line_variants.graphql
	lineVariantsOperation string
)

var _ returns.ReplacementOrders = (*Client)(nil)

// replacementDiscountTitle is the title of the 100 % discount on each line
// of a replacement order, which staff see in Shopify admin.
const replacementDiscountTitle = "Replacement"

// draftLost is the error of a draftOrderCreate or draftOrderComplete whose
// answer did not come: reading the draft tells what was done.
func draftLost() *returns.Error {
	return returns.Errorf(returns.EUNKNOWN, "Shopify did not confirm the replacement order. Reading the draft order tells whether it was made.")
}

// CreateReplacementDraft creates the draft order of a replacement: each line's
// variant (or the one staff chose instead) at a 100 % discount, the original
// order's shipping address, its shipping line's title at no cost, the
// customer's email, the draft's tags and note. A line whose variant no longer
// exists is an EINVALID error naming the item, before anything is made.
func (c *Client) CreateReplacementDraft(ctx context.Context, d returns.ReplacementDraft) (string, error) {
	if !strings.HasPrefix(d.OrderID, "gid://shopify/Order/") || len(d.Lines) == 0 {
		return "", returns.Errorf(returns.EINVALID, "The replacement names no order or no items.")
	}
	src, err := call[replacementSourceResponse](ctx, c, "ReplacementSource", replacementSourceOperation, map[string]any{"id": d.OrderID})
	if err != nil {
		return "", err
	}
	o := src.Order
	if o == nil {
		return "", returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	zero := map[string]any{"amount": "0", "currencyCode": o.PresentmentCurrencyCode}
	var lines []map[string]any
	for _, rl := range d.Lines {
		if rl.Quantity <= 0 {
			return "", returns.Errorf(returns.EINVALID, "The replacement names no order or no items.")
		}
		var line *replacementSourceLine
		for i := range o.LineItems.Nodes {
			if o.LineItems.Nodes[i].ID == rl.LineItemID {
				line = &o.LineItems.Nodes[i]
			}
		}
		if line == nil {
			return "", returns.Errorf(returns.EINVALID, "The item to replace is not on order %s.", o.Name)
		}
		variant := rl.VariantID
		if variant == "" {
			if line.Variant == nil {
				return "", returns.Errorf(returns.EINVALID, "%s is no longer sold in the store, so it cannot be sent again. Choose another variant or refund it.", line.Name)
			}
			variant = line.Variant.ID
		}
		// The line replaced and the variant staff chose ride along as
		// custom attributes, so that FindReplacementDrafts tells which
		// lines a draft was made of.
		attrs := []map[string]any{{"key": attrReplacedLine, "value": rl.LineItemID}}
		if rl.VariantID != "" {
			attrs = append(attrs, map[string]any{"key": attrChosenVariant, "value": rl.VariantID})
		}
		lines = append(lines, map[string]any{
			"variantId":        variant,
			"quantity":         rl.Quantity,
			"customAttributes": attrs,
			"appliedDiscount": map[string]any{
				"valueType": "PERCENTAGE", "value": 100, "title": replacementDiscountTitle,
			},
		})
	}
	input := map[string]any{
		"lineItems":               lines,
		"presentmentCurrencyCode": o.PresentmentCurrencyCode,
		"note":                    d.Note,
		"tags":                    d.Tags,
	}
	if d.Email != "" {
		input["email"] = d.Email
	}
	if o.Customer != nil {
		input["purchasingEntity"] = map[string]any{"customerId": o.Customer.ID}
	}
	if a := o.ShippingAddress; a != nil {
		input["shippingAddress"] = a.input()
	}
	if o.ShippingLine != nil {
		input["shippingLine"] = map[string]any{"title": o.ShippingLine.Title, "priceWithCurrency": zero}
	}
	resp, err := callUnrepeatable[createDraftOrderResponse](ctx, c, "CreateDraftOrder", createDraftOrderOperation,
		map[string]any{"input": input}, draftLost)
	if err != nil {
		return "", err
	}
	p := resp.DraftOrderCreate
	if p == nil {
		return "", fmt.Errorf("shopify CreateDraftOrder %s: %w: no payload in the answer", d.OrderID, draftLost())
	}
	if err := draftErrors("draftOrderCreate", p.UserErrors); err != nil {
		return "", err
	}
	if p.DraftOrder == nil {
		return "", fmt.Errorf("shopify CreateDraftOrder %s: %w: neither a draft nor userErrors in the answer", d.OrderID, draftLost())
	}
	return p.DraftOrder.ID, nil
}

// CompleteDraftOrder completes a draft into an order. Nothing is left to pay
// on a replacement's draft, so it is completed as paid (no payment terms, no
// gateway): the order is PAID at 0.00. It is sent at most once per call.
// Shopify's refusal, such as a variant out of stock, is an EINVALID error
// with its words.
func (c *Client) CompleteDraftOrder(ctx context.Context, draftID string) (returns.ShopOrderRef, error) {
	if !strings.HasPrefix(draftID, "gid://shopify/DraftOrder/") {
		return returns.ShopOrderRef{}, returns.Errorf(returns.ENOTFOUND, "Draft order not found.")
	}
	resp, err := callUnrepeatable[completeDraftOrderResponse](ctx, c, "CompleteDraftOrder", completeDraftOrderOperation,
		map[string]any{"id": draftID}, draftLost)
	if err != nil {
		return returns.ShopOrderRef{}, err
	}
	p := resp.DraftOrderComplete
	if p == nil {
		return returns.ShopOrderRef{}, fmt.Errorf("shopify CompleteDraftOrder %s: %w: no payload in the answer", draftID, draftLost())
	}
	if err := draftErrors("draftOrderComplete", p.UserErrors); err != nil {
		return returns.ShopOrderRef{}, err
	}
	if p.DraftOrder == nil || p.DraftOrder.Order == nil {
		return returns.ShopOrderRef{}, fmt.Errorf("shopify CompleteDraftOrder %s: %w: neither an order nor userErrors in the answer", draftID, draftLost())
	}
	return returns.ShopOrderRef{ID: p.DraftOrder.Order.ID, Name: p.DraftOrder.Order.Name}, nil
}

// DraftOrder reads a draft order: whether it was completed, and into which
// order.
func (c *Client) DraftOrder(ctx context.Context, draftID string) (returns.DraftOrderState, error) {
	if !strings.HasPrefix(draftID, "gid://shopify/DraftOrder/") {
		return returns.DraftOrderState{}, returns.Errorf(returns.ENOTFOUND, "Draft order not found.")
	}
	resp, err := call[draftOrderResponse](ctx, c, "DraftOrder", draftOrderOperation, map[string]any{"id": draftID})
	if err != nil {
		return returns.DraftOrderState{}, err
	}
	if resp.DraftOrder == nil {
		return returns.DraftOrderState{}, returns.Errorf(returns.ENOTFOUND, "Draft order not found.")
	}
	st := returns.DraftOrderState{ID: resp.DraftOrder.ID, Completed: resp.DraftOrder.Status == "COMPLETED"}
	if o := resp.DraftOrder.Order; o != nil {
		st.Order = returns.ShopOrderRef{ID: o.ID, Name: o.Name}
	}
	return st, nil
}

// Custom attributes of a replacement draft's lines: the original order's
// line it replaces, and the variant staff chose instead of the line's own.
const (
	attrReplacedLine  = "_returns_replaces"
	attrChosenVariant = "_returns_variant"
)

// FindReplacementDrafts lists the draft orders tagged for the return's
// replacement, oldest first, with their lines as the portal asked for them
// and the order a completed one became: the first 10 drafts with their first
// 20 lines, since a return has a few drafts at most and the query must stay
// under Shopify's cost limit. The tag: filter of Shopify's search is loose,
// so the tags are compared exactly here.
func (c *Client) FindReplacementDrafts(ctx context.Context, returnCode string) ([]returns.DraftOrderState, error) {
	tag := returns.TagReplacementFor(returnCode)
	resp, err := call[replacementDraftsResponse](ctx, c, "ReplacementDrafts", replacementDraftsOperation,
		map[string]any{"query": `tag:"` + tag + `"`})
	if err != nil {
		return nil, err
	}
	var out []returns.DraftOrderState
	for _, d := range resp.DraftOrders.Nodes {
		if !containsFold(d.Tags, tag) {
			continue
		}
		st := returns.DraftOrderState{ID: d.ID, Completed: d.Status == "COMPLETED"}
		if o := d.Order; o != nil {
			st.Order = returns.ShopOrderRef{ID: o.ID, Name: o.Name}
			st.OrderCancelled = o.CancelledAt != nil
		}
		for _, l := range d.LineItems.Nodes {
			rl := returns.ReplacementLine{Quantity: l.Quantity}
			for _, a := range l.CustomAttributes {
				switch a.Key {
				case attrReplacedLine:
					rl.LineItemID = deref(a.Value)
				case attrChosenVariant:
					rl.VariantID = deref(a.Value)
				}
			}
			st.Lines = append(st.Lines, rl)
		}
		out = append(out, st)
	}
	return out, nil
}

// containsFold reports whether list holds s, compared without regard to case
// as Shopify compares tags.
func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// DeleteDraftOrder deletes an open draft order. A draft gone already is
// ENOTFOUND; Shopify's refusal (a completed draft) is EINVALID.
func (c *Client) DeleteDraftOrder(ctx context.Context, draftID string) error {
	if !strings.HasPrefix(draftID, "gid://shopify/DraftOrder/") {
		return returns.Errorf(returns.ENOTFOUND, "Draft order not found.")
	}
	resp, err := call[deleteDraftOrderResponse](ctx, c, "DeleteDraftOrder", deleteDraftOrderOperation,
		map[string]any{"input": map[string]any{"id": draftID}})
	if err != nil {
		return err
	}
	p := resp.DraftOrderDelete
	if p == nil {
		return fmt.Errorf("shopify DeleteDraftOrder %s: no payload in the answer", draftID)
	}
	if len(p.UserErrors) > 0 {
		// Shopify names a draft that does not exist in its words; reading
		// it tells whether it is gone.
		if _, rerr := c.DraftOrder(ctx, draftID); returns.ErrorCode(rerr) == returns.ENOTFOUND {
			return rerr
		}
		return draftErrors("draftOrderDelete", p.UserErrors)
	}
	return nil
}

// OrderFulfillments reads the fulfilments of an order (its first 20), oldest
// first, each with its first tracking number, and when the order was
// cancelled.
func (c *Client) OrderFulfillments(ctx context.Context, orderID string) (returns.ShopOrderFulfillments, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return returns.ShopOrderFulfillments{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderFulfillmentsResponse](ctx, c, "OrderFulfillments", orderFulfillmentsOperation, map[string]any{"id": orderID})
	if err != nil {
		return returns.ShopOrderFulfillments{}, err
	}
	if resp.Order == nil {
		return returns.ShopOrderFulfillments{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	var st returns.ShopOrderFulfillments
	if resp.Order.CancelledAt != nil {
		at, err := time.Parse(time.RFC3339, *resp.Order.CancelledAt)
		if err != nil {
			return returns.ShopOrderFulfillments{}, fmt.Errorf("shopify OrderFulfillments %s: cancelledAt %q: %w", orderID, *resp.Order.CancelledAt, err)
		}
		st.CancelledAt = at
	}
	out := make([]returns.ShopFulfillment, 0, len(resp.Order.Fulfillments))
	for _, f := range resp.Order.Fulfillments {
		sf := returns.ShopFulfillment{ID: f.ID, Status: f.Status, DisplayStatus: deref(f.DisplayStatus)}
		sf.CreatedAt, _ = time.Parse(time.RFC3339, f.CreatedAt)
		if f.DeliveredAt != nil {
			sf.DeliveredAt, _ = time.Parse(time.RFC3339, *f.DeliveredAt)
		}
		// A fulfilment may carry several parcels; the first with a number
		// is the one the customer is shown.
		for _, t := range f.TrackingInfo {
			if deref(t.Number) != "" {
				sf.TrackingNumber, sf.TrackingURL, sf.TrackingCompany = deref(t.Number), deref(t.URL), deref(t.Company)
				break
			}
		}
		if sf.TrackingNumber == "" && len(f.TrackingInfo) > 0 {
			sf.TrackingCompany = deref(f.TrackingInfo[0].Company)
		}
		out = append(out, sf)
	}
	st.Fulfillments = out
	return st, nil
}

// LineVariants lists the variants of the product of an order's line with the
// units each has available to sell. A variant that keeps selling when out of
// stock (inventoryPolicy CONTINUE) counts as available whatever its stock.
func (c *Client) LineVariants(ctx context.Context, orderID, lineItemID string) ([]returns.VariantChoice, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[lineVariantsResponse](ctx, c, "LineVariants", lineVariantsOperation, map[string]any{"id": orderID})
	if err != nil {
		return nil, err
	}
	if resp.Order == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	for _, l := range resp.Order.LineItems.Nodes {
		if l.ID != lineItemID {
			continue
		}
		if l.Product == nil {
			// The product was deleted: there is nothing to choose from.
			return []returns.VariantChoice{}, nil
		}
		out := make([]returns.VariantChoice, 0, len(l.Product.Variants.Nodes))
		for _, v := range l.Product.Variants.Nodes {
			vc := returns.VariantChoice{ID: v.ID, Title: v.Title}
			if v.InventoryQuantity != nil {
				vc.Available = *v.InventoryQuantity
			}
			if v.InventoryPolicy == "CONTINUE" && vc.Available <= 0 {
				// Nothing in stock, yet Shopify sells it: one unit at a time
				// is what can be promised.
				vc.Available = 1
			}
			out = append(out, vc)
		}
		return out, nil
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "The item is not on the order.")
}

// draftErrors turns a draft order mutation's userErrors into the domain's
// error: Shopify's refusal (EINVALID) with its words, which name the item
// (e.g. an out of stock variant).
func draftErrors(field string, ues []draftUserError) error {
	if len(ues) == 0 {
		return nil
	}
	var msgs, detail []string
	for _, e := range ues {
		msgs = append(msgs, strings.TrimSpace(e.Message))
		detail = append(detail, strings.Join(e.Field, ".")+": "+e.Message)
	}
	return fmt.Errorf("shopify %s: %w (userErrors: %s)", field,
		returns.Errorf(returns.EINVALID, "Shopify refused the replacement order: %s", strings.Join(msgs, "; ")), strings.Join(detail, "; "))
}

// Responses.

type draftUserError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

type replacementSourceLine struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
	Variant  *struct {
		ID string `json:"id"`
	} `json:"variant"`
}

type sourceAddress struct {
	FirstName     *string `json:"firstName"`
	LastName      *string `json:"lastName"`
	Company       *string `json:"company"`
	Address1      *string `json:"address1"`
	Address2      *string `json:"address2"`
	City          *string `json:"city"`
	Zip           *string `json:"zip"`
	ProvinceCode  *string `json:"provinceCode"`
	CountryCodeV2 *string `json:"countryCodeV2"`
	Phone         *string `json:"phone"`
}

// input is the address as a MailingAddressInput, without the fields it does
// not have.
func (a *sourceAddress) input() map[string]any {
	in := map[string]any{}
	for k, v := range map[string]*string{
		"firstName": a.FirstName, "lastName": a.LastName, "company": a.Company, "address1": a.Address1,
		"address2": a.Address2, "city": a.City, "zip": a.Zip, "provinceCode": a.ProvinceCode,
		"countryCode": a.CountryCodeV2, "phone": a.Phone,
	} {
		if v != nil && *v != "" {
			in[k] = *v
		}
	}
	return in
}

type replacementSourceResponse struct {
	Order *struct {
		ID                      string `json:"id"`
		Name                    string `json:"name"`
		PresentmentCurrencyCode string `json:"presentmentCurrencyCode"`
		Customer                *struct {
			ID string `json:"id"`
		} `json:"customer"`
		ShippingAddress *sourceAddress `json:"shippingAddress"`
		ShippingLine    *struct {
			Title string `json:"title"`
		} `json:"shippingLine"`
		LineItems struct {
			Nodes []replacementSourceLine `json:"nodes"`
		} `json:"lineItems"`
	} `json:"order"`
}

type createDraftOrderResponse struct {
	DraftOrderCreate *struct {
		DraftOrder *struct {
			ID string `json:"id"`
		} `json:"draftOrder"`
		UserErrors []draftUserError `json:"userErrors"`
	} `json:"draftOrderCreate"`
}

type draftOrderNode struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Order  *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"order"`
}

type completeDraftOrderResponse struct {
	DraftOrderComplete *struct {
		DraftOrder *draftOrderNode  `json:"draftOrder"`
		UserErrors []draftUserError `json:"userErrors"`
	} `json:"draftOrderComplete"`
}

type draftOrderResponse struct {
	DraftOrder *draftOrderNode `json:"draftOrder"`
}

type replacementDraftsResponse struct {
	DraftOrders struct {
		Nodes []struct {
			ID     string   `json:"id"`
			Status string   `json:"status"`
			Tags   []string `json:"tags"`
			Order  *struct {
				ID          string  `json:"id"`
				Name        string  `json:"name"`
				CancelledAt *string `json:"cancelledAt"`
			} `json:"order"`
			LineItems struct {
				Nodes []struct {
					Quantity int `json:"quantity"`
					Variant  *struct {
						ID string `json:"id"`
					} `json:"variant"`
					CustomAttributes []struct {
						Key   string  `json:"key"`
						Value *string `json:"value"`
					} `json:"customAttributes"`
				} `json:"nodes"`
			} `json:"lineItems"`
		} `json:"nodes"`
	} `json:"draftOrders"`
}

type deleteDraftOrderResponse struct {
	DraftOrderDelete *struct {
		DeletedID  *string          `json:"deletedId"`
		UserErrors []draftUserError `json:"userErrors"`
	} `json:"draftOrderDelete"`
}

type orderFulfillmentsResponse struct {
	Order *struct {
		CancelledAt  *string `json:"cancelledAt"`
		Fulfillments []struct {
			ID            string  `json:"id"`
			Status        string  `json:"status"`
			DisplayStatus *string `json:"displayStatus"`
			CreatedAt     string  `json:"createdAt"`
			DeliveredAt   *string `json:"deliveredAt"`
			TrackingInfo  []struct {
				Company *string `json:"company"`
				Number  *string `json:"number"`
				URL     *string `json:"url"`
			} `json:"trackingInfo"`
		} `json:"fulfillments"`
	} `json:"order"`
}

type lineVariantsResponse struct {
	Order *struct {
		LineItems struct {
			Nodes []struct {
				ID      string `json:"id"`
				Product *struct {
					Variants struct {
						Nodes []struct {
							ID                string `json:"id"`
							Title             string `json:"title"`
							InventoryQuantity *int   `json:"inventoryQuantity"`
							InventoryPolicy   string `json:"inventoryPolicy"`
						} `json:"nodes"`
					} `json:"variants"`
				} `json:"product"`
			} `json:"nodes"`
		} `json:"lineItems"`
	} `json:"order"`
}
