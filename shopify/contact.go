package shopify

import (
	"context"
	_ "embed"
	"strings"

	"github.com/returnsportal/returns"
)

//go:embed order_contact.graphql
var orderContactOperation string

// OrderContact returns the name and shipping address of an order, for
// staff. Hidden is true when the order has none to show: Shopify hides it
// from an app without access to the protected customer data fields Name and
// Address, or the order was not shipped.
func (c *Client) OrderContact(ctx context.Context, orderID string) (returns.OrderContact, error) {
	if !strings.HasPrefix(orderID, "gid://shopify/Order/") {
		return returns.OrderContact{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	resp, err := call[orderContactResponse](ctx, c, "OrderContact", orderContactOperation, map[string]any{"id": orderID})
	if err != nil {
		return returns.OrderContact{}, err
	}
	if resp.Order == nil {
		return returns.OrderContact{}, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	a := resp.Order.ShippingAddress
	if a == nil {
		return returns.OrderContact{Hidden: true}, nil
	}
	out := returns.OrderContact{Name: deref(a.Name)}
	cityLine := strings.TrimSpace(deref(a.Zip) + " " + deref(a.City))
	for _, line := range []string{deref(a.Company), deref(a.Address1), deref(a.Address2), cityLine, deref(a.Province), deref(a.Country)} {
		if line = strings.TrimSpace(line); line != "" {
			out.Address = append(out.Address, line)
		}
	}
	return out, nil
}

type orderContactResponse struct {
	Order *struct {
		ShippingAddress *struct {
			Name     *string `json:"name"`
			Company  *string `json:"company"`
			Address1 *string `json:"address1"`
			Address2 *string `json:"address2"`
			Zip      *string `json:"zip"`
			City     *string `json:"city"`
			Province *string `json:"province"`
			Country  *string `json:"country"`
		} `json:"shippingAddress"`
	} `json:"order"`
}
