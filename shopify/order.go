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
	//go:embed order_fields.graphql
	orderFieldsFragment string
	//go:embed lookup_order.graphql
	lookupOrderOperation string
	//go:embed find_order.graphql
	findOrderOperation string
	//go:embed order.graphql
	orderOperation string
	//go:embed update_order.graphql
	updateOrderOperation string
	//go:embed update_note.graphql
	updateNoteOperation string

	// go-shopify sends one document without an operation name, so each
	// request carries exactly one operation plus the fragments it spreads.
	orderQuery       = orderOperation + "\n" + orderFieldsFragment
	lookupOrderQuery = lookupOrderOperation + "\n" + orderFieldsFragment
)

// FindOrder returns the order whose name is number (with or without a leading
// "#") and whose email is email, compared without regard to case. Any other
// outcome, including Shopify's near misses, is the same plain ENOTFOUND; what
// a customer is told of it is the domain's to say (returns.ErrLookupFailed).
//
// The search names the order number only and the email is compared here, so
// that neither what Shopify answers nor the number of calls depends on the
// email: a wrong email costs exactly what the right one does, and a near miss
// on it (anna@example.lv for anna.berzina@example.lv) tells nothing. It costs
// one call when the first hit is named number, or when there is no hit; when
// the first hit is a near miss on the name, a cheap search of ten more, and a
// read of the one named number, were there one.
func (c *Client) FindOrder(ctx context.Context, number, email string) (*returns.Order, error) {
	number = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(number), "#"))
	email = strings.TrimSpace(email)
	notFound := returns.Errorf(returns.ENOTFOUND, "Order not found.")
	if number == "" || email == "" {
		return nil, notFound
	}
	vars := map[string]any{"query": "name:" + searchValue(number)}
	sameEmail := func(mail *string) bool {
		return mail != nil && strings.EqualFold(strings.TrimSpace(*mail), email)
	}
	// An order that can be notified by email but comes without one is one
	// whose email Shopify hides from the app (protected customer data not
	// granted). The customer sees the same failure as for a wrong email; the
	// cause rides along for the log, as no lookup can work until the
	// merchant grants the access.
	hidden := func(mail *string, canNotify bool) error {
		if mail != nil || !canNotify {
			return nil
		}
		return fmt.Errorf("shopify FindOrder %s: %w: %w", number, notFound,
			&returns.ShopDenied{Cause: returns.DeniedEmailHidden, Field: "email",
				Detail: "the order's email is protected customer data the app is not granted"})
	}

	best, err := call[lookupOrderResponse](ctx, c, "LookupOrder", lookupOrderQuery, vars)
	if err != nil {
		return nil, err
	}
	if len(best.Orders.Nodes) == 0 {
		// The search finds at least the order named number, so there is none.
		return nil, notFound
	}
	if n := &best.Orders.Nodes[0]; sameOrderName(n.Name, number) {
		if err := hidden(n.Email, n.CanNotifyCustomer); err != nil {
			return nil, err
		}
		if !sameEmail(n.Email) {
			return nil, notFound
		}
		return c.toOrder(ctx, n)
	}

	resp, err := call[findOrderResponse](ctx, c, "FindOrder", findOrderOperation, vars)
	if err != nil {
		return nil, err
	}
	for _, n := range resp.Orders.Nodes {
		if !sameOrderName(n.Name, number) {
			continue
		}
		if err := hidden(n.Email, n.CanNotifyCustomer); err != nil {
			return nil, err
		}
		if !sameEmail(n.Email) {
			return nil, notFound
		}
		o, err := c.Order(ctx, n.ID)
		if returns.ErrorCode(err) == returns.ENOTFOUND {
			return nil, notFound
		}
		return o, err
	}
	return nil, notFound
}

// searchValue quotes a value for Shopify's search syntax.
func searchValue(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// sameOrderName compares an order's name with what a customer typed: trimmed,
// without one leading "#", without regard to case.
func sameOrderName(name, number string) bool {
	norm := func(s string) string {
		return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	}
	return strings.EqualFold(norm(name), norm(number))
}

// Order returns the order with the given GID, or ENOTFOUND.
func (c *Client) Order(ctx context.Context, id string) (*returns.Order, error) {
	if !strings.HasPrefix(id, "gid://shopify/Order/") {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderResponse](ctx, c, "Order", orderQuery, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if resp.Order == nil {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	return c.toOrder(ctx, resp.Order)
}

// toOrder maps an order read with OrderFields to the domain's Order, warning
// when the order has more than the portal reads.
func (c *Client) toOrder(ctx context.Context, n *orderNode) (*returns.Order, error) {
	o, err := n.toOrder()
	if err != nil {
		return nil, fmt.Errorf("shopify Order %s: %w: %w", n.ID, unavailable(), err)
	}
	if n.LineItems.PageInfo.HasNextPage || n.morePages() {
		// The portal reads 50 lines, 10 fulfillments and 25 transactions;
		// beyond that a line is missing or counts as unfulfilled, which only
		// ever makes less of the order returnable, and a payment may be
		// missing, which only leaves fewer to refund to.
		c.log.WarnContext(ctx, "shopify order has more lines, fulfillments or transactions than the portal reads", "order", o.Name)
	}
	return o, nil
}

// UpdateOrder replaces the order's note and adds tags, in one request. A
// userError on the id (the order is gone) is ENOTFOUND. Any other userError is
// not the customer's doing and retrying will not help, so it comes back as a
// plain error (EINTERNAL) carrying Shopify's messages for the log.
func (c *Client) UpdateOrder(ctx context.Context, id, note string, addTags []string) error {
	var tags []string
	for _, t := range addTags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	input := map[string]any{"id": id, "note": note}

	var payloads []mutationPayload
	if len(tags) == 0 {
		resp, err := call[updateNoteResponse](ctx, c, "UpdateNote", updateNoteOperation, map[string]any{"input": input})
		if err != nil {
			return err
		}
		payloads = append(payloads, resp.OrderUpdate.named("orderUpdate"))
	} else {
		resp, err := call[updateOrderResponse](ctx, c, "UpdateOrder", updateOrderOperation,
			map[string]any{"input": input, "id": id, "tags": tags})
		if err != nil {
			return err
		}
		payloads = append(payloads, resp.OrderUpdate.named("orderUpdate"), resp.TagsAdd.named("tagsAdd"))
	}

	var errs []error
	for _, p := range payloads {
		if p == nil {
			// A null payload without errors would be a broken answer.
			errs = append(errs, errors.New("missing mutation payload"))
			continue
		}
		if err := p.err(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("shopify UpdateOrder %s: %w", id, err)
	}
	return nil
}

// Responses, decoded from the operations' data.

type findOrderResponse struct {
	Orders struct {
		Nodes []struct {
			ID                string  `json:"id"`
			Name              string  `json:"name"`
			Email             *string `json:"email"`
			CanNotifyCustomer bool    `json:"canNotifyCustomer"`
		} `json:"nodes"`
	} `json:"orders"`
}

type lookupOrderResponse struct {
	Orders struct {
		Nodes []orderNode `json:"nodes"`
	} `json:"orders"`
}

type orderResponse struct {
	Order *orderNode `json:"order"`
}

type orderNode struct {
	ID                      string     `json:"id"`
	Name                    string     `json:"name"`
	Email                   *string    `json:"email"`
	CanNotifyCustomer       bool       `json:"canNotifyCustomer"`
	CustomerLocale          *string    `json:"customerLocale"`
	PresentmentCurrencyCode string     `json:"presentmentCurrencyCode"`
	CreatedAt               time.Time  `json:"createdAt"`
	CancelledAt             *time.Time `json:"cancelledAt"`
	Note                    *string    `json:"note"`
	Tags                    []string   `json:"tags"`
	TotalReceivedSet        moneyBag   `json:"totalReceivedSet"`
	TotalRefundedSet        moneyBag   `json:"totalRefundedSet"`
	// TotalRefundedShippingSet and ShippingLines are what was paid and
	// refunded for delivery.
	TotalRefundedShippingSet moneyBag `json:"totalRefundedShippingSet"`
	ShippingLines            struct {
		Nodes []struct {
			Title              string   `json:"title"`
			IsRemoved          bool     `json:"isRemoved"`
			DiscountedPriceSet moneyBag `json:"discountedPriceSet"`
		} `json:"nodes"`
	} `json:"shippingLines"`
	Transactions []struct {
		ID        string   `json:"id"`
		Kind      string   `json:"kind"`
		Status    string   `json:"status"`
		Gateway   *string  `json:"gateway"`
		AmountSet moneyBag `json:"amountSet"`
	} `json:"transactions"`
	LineItems struct {
		Nodes    []lineItemNode `json:"nodes"`
		PageInfo pageInfo       `json:"pageInfo"`
	} `json:"lineItems"`
	Fulfillments []fulfillmentNode `json:"fulfillments"`
}

type pageInfo struct {
	HasNextPage bool `json:"hasNextPage"`
}

type lineItemNode struct {
	ID                                      string   `json:"id"`
	Title                                   string   `json:"title"`
	VariantTitle                            *string  `json:"variantTitle"`
	CurrentQuantity                         int      `json:"currentQuantity"`
	IsGiftCard                              bool     `json:"isGiftCard"`
	DiscountedUnitPriceAfterAllDiscountsSet moneyBag `json:"discountedUnitPriceAfterAllDiscountsSet"`
	Product                                 *struct {
		Tags []string `json:"tags"`
	} `json:"product"`
	Image *struct {
		URL string `json:"url"`
	} `json:"image"`
}

type moneyBag struct {
	PresentmentMoney struct {
		// Amount is Shopify's Decimal as a string ("29.0"), never a float.
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"presentmentMoney"`
}

// money returns the presentment amount, which must be in currency when it
// names one.
func (b moneyBag) money(currency string) (returns.Money, error) {
	p := b.PresentmentMoney
	if p.CurrencyCode != "" && p.CurrencyCode != currency {
		return returns.Money{}, fmt.Errorf("amount %s %s is not in %s", p.Amount, p.CurrencyCode, currency)
	}
	return returns.ParseDecimal(p.Amount, currency)
}

type fulfillmentNode struct {
	Status               string     `json:"status"`
	CreatedAt            time.Time  `json:"createdAt"`
	DeliveredAt          *time.Time `json:"deliveredAt"`
	FulfillmentLineItems struct {
		Nodes []struct {
			Quantity *int `json:"quantity"`
			LineItem struct {
				ID string `json:"id"`
			} `json:"lineItem"`
		} `json:"nodes"`
		PageInfo pageInfo `json:"pageInfo"`
	} `json:"fulfillmentLineItems"`
}

func (n *orderNode) morePages() bool {
	if len(n.Fulfillments) >= 10 || len(n.Transactions) >= 25 {
		return true
	}
	for _, f := range n.Fulfillments {
		if f.FulfillmentLineItems.PageInfo.HasNextPage {
			return true
		}
	}
	return false
}

// toOrder maps the answer to the domain's Order.
func (n *orderNode) toOrder() (*returns.Order, error) {
	if n.ID == "" || n.Name == "" || n.PresentmentCurrencyCode == "" {
		return nil, errors.New("order without id, name or currency")
	}
	o := &returns.Order{
		ID:        n.ID,
		Name:      n.Name,
		Email:     deref(n.Email),
		Locale:    deref(n.CustomerLocale),
		Currency:  n.PresentmentCurrencyCode,
		CreatedAt: n.CreatedAt,
		Note:      deref(n.Note),
		Tags:      append([]string{}, n.Tags...),
	}
	if n.CancelledAt != nil {
		o.CancelledAt = *n.CancelledAt
	}
	var err error
	if o.Received, err = n.TotalReceivedSet.money(o.Currency); err != nil {
		return nil, fmt.Errorf("total received: %w", err)
	}
	if o.Refunded, err = n.TotalRefundedSet.money(o.Currency); err != nil {
		return nil, fmt.Errorf("total refunded: %w", err)
	}
	// Answers recorded before the portal read delivery have no shipping:
	// none paid, none refunded.
	o.ShippingRefunded = returns.Money{Currency: o.Currency}
	if n.TotalRefundedShippingSet.PresentmentMoney.Amount != "" {
		if o.ShippingRefunded, err = n.TotalRefundedShippingSet.money(o.Currency); err != nil {
			return nil, fmt.Errorf("total refunded shipping: %w", err)
		}
	}
	o.Shipping = returns.Money{Currency: o.Currency}
	for _, l := range n.ShippingLines.Nodes {
		if l.IsRemoved {
			continue
		}
		paid, err := l.DiscountedPriceSet.money(o.Currency)
		if err != nil {
			return nil, fmt.Errorf("shipping line %q: %w", l.Title, err)
		}
		o.Shipping.Minor += paid.Minor
		if o.ShippingTitle == "" {
			o.ShippingTitle = l.Title
		}
	}
	// The payments a refund can go back to: successful sales and captures.
	// An authorization is not money received, and its capture is what is
	// refunded.
	for _, t := range n.Transactions {
		if t.Status != "SUCCESS" || (t.Kind != "SALE" && t.Kind != "CAPTURE") {
			continue
		}
		amount, err := t.AmountSet.money(o.Currency)
		if err != nil {
			return nil, fmt.Errorf("transaction %s: %w", t.ID, err)
		}
		o.Payments = append(o.Payments, returns.Payment{ID: t.ID, Kind: t.Kind, Gateway: deref(t.Gateway), Amount: amount})
	}

	// Units shipped per line by successful fulfillments, and when the last of
	// them arrived (or left, when no delivery date is known).
	fulfilled := map[string]int{}
	fulfilledAt := map[string]time.Time{}
	undelivered := map[string]bool{} // a fulfilment of the line has no delivery date
	for _, f := range n.Fulfillments {
		if f.Status != "SUCCESS" {
			continue
		}
		at := f.CreatedAt
		if f.DeliveredAt != nil {
			at = *f.DeliveredAt
		}
		for _, fl := range f.FulfillmentLineItems.Nodes {
			if fl.Quantity == nil || *fl.Quantity <= 0 {
				continue
			}
			id := fl.LineItem.ID
			fulfilled[id] += *fl.Quantity
			if f.DeliveredAt == nil {
				undelivered[id] = true
			}
			if at.After(fulfilledAt[id]) {
				fulfilledAt[id] = at
			}
		}
	}

	for _, l := range n.LineItems.Nodes {
		price := l.DiscountedUnitPriceAfterAllDiscountsSet.PresentmentMoney
		currency := price.CurrencyCode
		if currency == "" {
			currency = o.Currency
		}
		unit, err := returns.ParseDecimal(price.Amount, currency)
		if err != nil {
			return nil, fmt.Errorf("line %s: price %q: %w", l.ID, price.Amount, err)
		}
		line := returns.LineItem{
			ID:           l.ID,
			Title:        l.Title,
			VariantTitle: deref(l.VariantTitle),
			Quantity:     l.CurrentQuantity,
			UnitPrice:    unit,
			GiftCard:     l.IsGiftCard,
			Fulfilled:    fulfilled[l.ID],
			FulfilledAt:  fulfilledAt[l.ID],
			Delivered:    fulfilled[l.ID] > 0 && !undelivered[l.ID],
		}
		if l.Product != nil {
			line.ProductTags = append([]string{}, l.Product.Tags...)
		} else if !l.IsGiftCard {
			// Shopify answers null for a product deleted since the order
			// (and for a custom item, which never had one).
			line.ProductGone = true
		}
		if l.Image != nil {
			line.ImageURL = l.Image.URL
		}
		o.Lines = append(o.Lines, line)
	}
	return o, nil
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// payload is the part of a mutation payload the adapter checks.
type payload struct {
	UserErrors []userError `json:"userErrors"`
}

type mutationPayload interface{ err() error }

type namedPayload struct {
	name string
	payload
}

func (p *payload) named(name string) mutationPayload {
	if p == nil {
		return nil
	}
	return &namedPayload{name: name, payload: *p}
}

func (p *namedPayload) err() error {
	if len(p.UserErrors) == 0 {
		return nil
	}
	var msgs []string
	notFound := false
	for _, e := range p.UserErrors {
		msgs = append(msgs, strings.Join(e.Field, ".")+": "+e.Message)
		if len(e.Field) == 1 && e.Field[0] == "id" {
			notFound = true
		}
	}
	detail := fmt.Errorf("%s userErrors: %s", p.name, strings.Join(msgs, "; "))
	if notFound {
		return fmt.Errorf("%w: %w", returns.Errorf(returns.ENOTFOUND, "Order not found."), detail)
	}
	return detail
}

type updateOrderResponse struct {
	OrderUpdate *payload `json:"orderUpdate"`
	TagsAdd     *payload `json:"tagsAdd"`
}

type updateNoteResponse struct {
	OrderUpdate *payload `json:"orderUpdate"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
