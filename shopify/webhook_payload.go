package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/returnsportal/returns"
)

// ParseWebhook reads the payload of a webhook delivery of topic (the
// X-Shopify-Topic header) into a returns.ShopEvent carrying headers. It
// does not verify the signature: the HTTP layer does that on the raw body
// before anything is parsed (returns.VerifyWebhookHMAC).
//
// Payloads are in Shopify's REST shape. Ids are read as integers whatever
// their size (Shopify's exceed what a float holds exactly) and turned into
// GIDs, preferring admin_graphql_api_id where there is one; amounts are read
// as decimals into minor units, never floats. A payload that cannot be read,
// and a topic the portal does not handle, are EINVALID errors: the delivery
// is not worth retrying.
func ParseWebhook(topic string, body []byte, headers returns.WebhookHeaders) (returns.ShopEvent, error) {
	ev := returns.ShopEvent{Topic: topic, WebhookHeaders: headers}
	var err error
	switch topic {
	case returns.TopicRefundsCreate:
		ev.Refund, err = parseRefund(body)
		if err == nil {
			ev.OrderID, ev.OccurredAt = ev.Refund.OrderID, ev.Refund.CreatedAt
		}
	case returns.TopicOrdersUpdated:
		ev.Order, err = parseOrderUpdate(body)
		if err == nil {
			ev.OrderID, ev.OccurredAt = ev.Order.ID, ev.Order.UpdatedAt
		}
	case returns.TopicAppUninstalled:
		ev.Uninstalled, err = parseUninstall(body)
	case returns.TopicCustomersRedact, returns.TopicCustomersDataRequest, returns.TopicShopRedact:
		ev.Redact, err = parseRedact(topic, body)
	case returns.TopicReturnsApprove, returns.TopicReturnsDecline, returns.TopicReturnsCancel,
		returns.TopicReturnsClose, returns.TopicReturnsReopen, returns.TopicReturnsProcess:
		ev.Return, err = parseReturnEvent(body)
		if err == nil {
			ev.OrderID = ev.Return.OrderID
		}
	case returns.TopicFulfillmentsCreate, returns.TopicFulfillmentsUpdate:
		var updatedAt time.Time
		ev.Fulfillment, updatedAt, err = parseFulfillment(body)
		if err == nil {
			// A fulfilment's events are applied in the order of its changes.
			ev.OrderID, ev.OccurredAt = ev.Fulfillment.OrderID, updatedAt
		}
	default:
		return ev, returns.Errorf(returns.EINVALID, "The portal does not handle %q webhooks.", topic)
	}
	if err != nil {
		return ev, fmt.Errorf("shopify webhook %s %s: %w: %w", topic, headers.WebhookID,
			returns.Errorf(returns.EINVALID, "The webhook’s payload could not be read."), err)
	}
	return ev, nil
}

// restID is a REST id: a JSON number (or, leniently, a string of digits),
// read as an integer.
type restID int64

func (id *restID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "null" || s == "" {
		*id = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("id %s is not a whole number", b)
	}
	*id = restID(n)
	return nil
}

// restTime is a REST time, RFC 3339 with the shop's offset, or null.
type restTime time.Time

func (t *restTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = restTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time %s is not a string", b)
	}
	if s == "" {
		*t = restTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time %q is not RFC 3339", s)
	}
	*t = restTime(v)
	return nil
}

// gidOf returns the GID of a REST object of type typ: its
// admin_graphql_api_id when that names the type, else one made from its id.
func gidOf(typ string, adminID string, id restID) (string, error) {
	if strings.HasPrefix(adminID, "gid://shopify/"+typ+"/") {
		return adminID, nil
	}
	if id <= 0 {
		return "", fmt.Errorf("%s without an id", typ)
	}
	return "gid://shopify/" + typ + "/" + strconv.FormatInt(int64(id), 10), nil
}

// gidOrEmpty is gidOf for an optional reference: "" when there is none.
func gidOrEmpty(typ string, id restID) string {
	if id <= 0 {
		return ""
	}
	return "gid://shopify/" + typ + "/" + strconv.FormatInt(int64(id), 10)
}

type restRefundPayload struct {
	ID                restID   `json:"id"`
	AdminGraphqlAPIID string   `json:"admin_graphql_api_id"`
	OrderID           restID   `json:"order_id"`
	Note              *string  `json:"note"`
	CreatedAt         restTime `json:"created_at"`
	ProcessedAt       restTime `json:"processed_at"`
	Return            *struct {
		ID                restID `json:"id"`
		AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
	} `json:"return"`
	RefundLineItems []struct {
		LineItemID  restID `json:"line_item_id"`
		Quantity    int    `json:"quantity"`
		RestockType string `json:"restock_type"`
		SubtotalSet *struct {
			PresentmentMoney struct {
				CurrencyCode string `json:"currency_code"`
			} `json:"presentment_money"`
		} `json:"subtotal_set"`
	} `json:"refund_line_items"`
	Transactions []struct {
		ID                restID `json:"id"`
		AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
		ParentID          restID `json:"parent_id"`
		Kind              string `json:"kind"`
		Status            string `json:"status"`
		Gateway           string `json:"gateway"`
		Amount            string `json:"amount"`
		Currency          string `json:"currency"`
	} `json:"transactions"`
}

func parseRefund(body []byte) (*returns.ShopRefund, error) {
	var p restRefundPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	r := &returns.ShopRefund{Note: deref(p.Note), CreatedAt: time.Time(p.CreatedAt), ProcessedAt: time.Time(p.ProcessedAt)}
	var err error
	if r.ID, err = gidOf("Refund", p.AdminGraphqlAPIID, p.ID); err != nil {
		return nil, err
	}
	if r.OrderID, err = gidOf("Order", "", p.OrderID); err != nil {
		return nil, err
	}
	if p.Return != nil {
		r.ReturnID, _ = gidOf("Return", p.Return.AdminGraphqlAPIID, p.Return.ID)
	}
	currency := ""
	for i, t := range p.Transactions {
		if t.Currency == "" {
			return nil, fmt.Errorf("transaction %d has no currency", i)
		}
		if currency != "" && t.Currency != currency {
			return nil, fmt.Errorf("transactions in %s and %s", currency, t.Currency)
		}
		currency = t.Currency
		amount, err := returns.ParseDecimal(t.Amount, t.Currency)
		if err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i, err)
		}
		id, err := gidOf("OrderTransaction", t.AdminGraphqlAPIID, t.ID)
		if err != nil {
			return nil, err
		}
		tx := returns.ShopRefundTransaction{
			ID: id, ParentID: gidOrEmpty("OrderTransaction", t.ParentID),
			Kind: strings.ToUpper(t.Kind), Status: strings.ToUpper(t.Status), Gateway: t.Gateway, Amount: amount,
		}
		r.Transactions = append(r.Transactions, tx)
	}
	if currency == "" {
		// No money moved (a refund of items only): the lines say the
		// currency.
		for _, l := range p.RefundLineItems {
			if l.SubtotalSet != nil && l.SubtotalSet.PresentmentMoney.CurrencyCode != "" {
				currency = l.SubtotalSet.PresentmentMoney.CurrencyCode
				break
			}
		}
	}
	r.Amount, r.Pending = refundTotals(r.Transactions, currency)
	for i, l := range p.RefundLineItems {
		id := gidOrEmpty("LineItem", l.LineItemID)
		if id == "" {
			return nil, fmt.Errorf("refund line %d has no line_item_id", i)
		}
		r.Lines = append(r.Lines, returns.ShopRefundLine{LineItemID: id, Quantity: l.Quantity, RestockType: strings.ToUpper(l.RestockType)})
	}
	return r, nil
}

type restOrderPayload struct {
	ID                restID   `json:"id"`
	AdminGraphqlAPIID string   `json:"admin_graphql_api_id"`
	Name              string   `json:"name"`
	Note              *string  `json:"note"`
	Tags              string   `json:"tags"`
	UpdatedAt         restTime `json:"updated_at"`
	CancelledAt       restTime `json:"cancelled_at"`
	FinancialStatus   *string  `json:"financial_status"`
}

func parseOrderUpdate(body []byte) (*returns.ShopOrderUpdate, error) {
	var p restOrderPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	id, err := gidOf("Order", p.AdminGraphqlAPIID, p.ID)
	if err != nil {
		return nil, err
	}
	o := &returns.ShopOrderUpdate{
		ID: id, Name: p.Name, Note: deref(p.Note), Tags: []string{},
		UpdatedAt: time.Time(p.UpdatedAt), CancelledAt: time.Time(p.CancelledAt),
		FinancialStatus: strings.ToUpper(deref(p.FinancialStatus)),
	}
	// REST gives tags as one string, "a, b".
	for _, t := range strings.Split(p.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.Tags = append(o.Tags, t)
		}
	}
	return o, nil
}

func parseUninstall(body []byte) (*returns.ShopUninstall, error) {
	var p struct {
		Name            string `json:"name"`
		MyshopifyDomain string `json:"myshopify_domain"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	return &returns.ShopUninstall{Name: p.Name, MyshopifyDomain: p.MyshopifyDomain}, nil
}

func parseRedact(topic string, body []byte) (*returns.ShopRedact, error) {
	var p struct {
		ShopDomain string `json:"shop_domain"`
		Customer   *struct {
			ID    restID `json:"id"`
			Email string `json:"email"`
		} `json:"customer"`
		OrdersToRedact  []restID `json:"orders_to_redact"`
		OrdersRequested []restID `json:"orders_requested"`
		DataRequest     *struct {
			ID restID `json:"id"`
		} `json:"data_request"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	if p.ShopDomain == "" {
		return nil, errors.New("no shop_domain")
	}
	r := &returns.ShopRedact{ShopDomain: p.ShopDomain}
	if topic == returns.TopicShopRedact {
		return r, nil
	}
	if p.Customer == nil || (p.Customer.ID == 0 && strings.TrimSpace(p.Customer.Email) == "") {
		return nil, errors.New("no customer")
	}
	r.CustomerID = gidOrEmpty("Customer", p.Customer.ID)
	r.CustomerEmail = strings.TrimSpace(p.Customer.Email)
	ids := p.OrdersToRedact
	if topic == returns.TopicCustomersDataRequest {
		ids = p.OrdersRequested
		if p.DataRequest != nil && p.DataRequest.ID > 0 {
			r.DataRequestID = strconv.FormatInt(int64(p.DataRequest.ID), 10)
		}
	}
	r.OrderIDs = []string{}
	for _, id := range ids {
		if g := gidOrEmpty("Order", id); g != "" {
			r.OrderIDs = append(r.OrderIDs, g)
		}
	}
	return r, nil
}

// returnEventPayload is the part of a returns/* payload the portal reads: the
// return and its order. What the return became is read from the Admin API,
// so nothing else of the payload (whose shape differs between the topics) is
// relied on.
type returnEventPayload struct {
	ID                restID `json:"id"`
	AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
	Order             *struct {
		ID                restID `json:"id"`
		AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
	} `json:"order"`
}

func parseReturnEvent(body []byte) (*returns.ShopReturnEvent, error) {
	var p returnEventPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	e := &returns.ShopReturnEvent{ID: p.AdminGraphqlAPIID}
	if e.ID == "" && p.ID > 0 {
		e.ID = fmt.Sprintf("gid://shopify/Return/%d", p.ID)
	}
	if !strings.HasPrefix(e.ID, "gid://shopify/Return/") {
		return nil, fmt.Errorf("no return id in the payload")
	}
	if p.Order != nil {
		e.OrderID = p.Order.AdminGraphqlAPIID
		if e.OrderID == "" && p.Order.ID > 0 {
			e.OrderID = fmt.Sprintf("gid://shopify/Order/%d", p.Order.ID)
		}
	}
	return e, nil
}

// fulfillmentPayload is the REST shape of a fulfilment, as fulfillments/create
// and fulfillments/update carry it.
type fulfillmentPayload struct {
	ID                restID   `json:"id"`
	AdminGraphqlAPIID string   `json:"admin_graphql_api_id"`
	OrderID           restID   `json:"order_id"`
	Status            string   `json:"status"` // pending, open, success, cancelled, error, failure
	CreatedAt         restTime `json:"created_at"`
	UpdatedAt         restTime `json:"updated_at"`
	TrackingCompany   *string  `json:"tracking_company"`
	TrackingNumber    *string  `json:"tracking_number"`
	TrackingNumbers   []string `json:"tracking_numbers"`
	TrackingURL       *string  `json:"tracking_url"`
	TrackingURLs      []string `json:"tracking_urls"`
	// ShipmentStatus is the carrier's last event, e.g. in_transit,
	// delivered; null before the first.
	ShipmentStatus *string `json:"shipment_status"`
}

// parseFulfillment reads a fulfilment's payload, and when it last changed.
func parseFulfillment(body []byte) (*returns.ShopFulfillmentEvent, time.Time, error) {
	var p fulfillmentPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, time.Time{}, err
	}
	id, err := gidOf("Fulfillment", p.AdminGraphqlAPIID, p.ID)
	if err != nil {
		return nil, time.Time{}, err
	}
	if p.OrderID <= 0 {
		return nil, time.Time{}, errors.New("fulfillment without its order_id")
	}
	f := returns.ShopFulfillment{
		ID:              id,
		Status:          strings.ToUpper(p.Status),
		TrackingCompany: deref(p.TrackingCompany),
		TrackingNumber:  deref(p.TrackingNumber),
		TrackingURL:     deref(p.TrackingURL),
		DisplayStatus:   strings.ToUpper(deref(p.ShipmentStatus)),
		CreatedAt:       time.Time(p.CreatedAt),
	}
	// The singular fields are the first of the lists; a payload that fills
	// only the lists still names its parcel.
	if f.TrackingNumber == "" && len(p.TrackingNumbers) > 0 {
		f.TrackingNumber = p.TrackingNumbers[0]
	}
	if f.TrackingURL == "" && len(p.TrackingURLs) > 0 {
		f.TrackingURL = p.TrackingURLs[0]
	}
	// The REST payload has no delivered_at: a fulfilment whose last event
	// is delivered was delivered when it was last updated.
	if f.DisplayStatus == "DELIVERED" {
		f.DeliveredAt = time.Time(p.UpdatedAt)
	}
	updated := time.Time(p.UpdatedAt)
	if updated.IsZero() {
		updated = f.CreatedAt
	}
	return &returns.ShopFulfillmentEvent{OrderID: gidOrEmpty("Order", p.OrderID), Fulfillment: f}, updated, nil
}
