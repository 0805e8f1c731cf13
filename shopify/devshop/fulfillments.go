package devshop

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Fulfilment by the warehouse, as the merchant (or the warehouse's app)
// records it in Shopify: the units of an order shipped with a carrier and a
// tracking number, then the carrier's events (in transit, delivered). Each
// fires the webhook Shopify would: fulfillments/create for a new fulfilment,
// fulfillments/update for new tracking or a shipment status, both in the
// REST shape (fulfillmentPayload), and orders/updated for the order's
// fulfilment status.
//
// Shopify fills the tracking URL of a known carrier when none is given;
// trackingURLs holds the demo's few (the URL patterns are devshop's, not
// verified against Shopify's).

// trackingURLs are the tracking pages of the carriers devshop knows, by the
// company name Shopify uses; the number is appended.
var trackingURLs = map[string]string{
	"DPD":         "https://tracking.dpd.de/status/en_US/parcel/",
	"UPS":         "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=",
	"DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB=",
	"Omniva":      "https://www.omniva.lv/private/track-and-trace?barcode=",
}

// shipmentStatuses are the shipment statuses a fulfilment event may carry,
// as the REST payload's shipment_status and FulfillmentEvent.status name
// them, with the FulfillmentDisplayStatus each shows.
var shipmentStatuses = map[string]string{
	"label_printed": "LABEL_PRINTED", "label_purchased": "LABEL_PURCHASED", "confirmed": "CONFIRMED",
	"in_transit": "IN_TRANSIT", "out_for_delivery": "OUT_FOR_DELIVERY", "attempted_delivery": "ATTEMPTED_DELIVERY",
	"ready_for_pickup": "READY_FOR_PICKUP", "delivered": "DELIVERED", "failure": "FAILURE",
}

// FulfillmentInput is the warehouse's record of a parcel.
type FulfillmentInput struct {
	Company string `json:"company"` // e.g. "DPD"
	Number  string `json:"number"`
	// URL is the tracking page; empty lets Shopify fill it for a known
	// carrier.
	URL string `json:"url"`
}

// FulfillmentSnapshot is a fulfilment as the inspection API shows it.
type FulfillmentSnapshot struct {
	ID              string    `json:"id"` // GID
	Number          int64     `json:"number"`
	OrderID         string    `json:"order_id"`
	Status          string    `json:"status"`         // FulfillmentStatus, e.g. SUCCESS
	DisplayStatus   string    `json:"display_status"` // e.g. IN_TRANSIT
	TrackingCompany string    `json:"tracking_company"`
	TrackingNumber  string    `json:"tracking_number"`
	TrackingURL     string    `json:"tracking_url"`
	CreatedAt       time.Time `json:"created_at"`
	DeliveredAt     time.Time `json:"delivered_at"`
}

var (
	errNothingToFulfil = errors.New("the order has nothing left to fulfil")
	errNoFulfillment   = errors.New("no such fulfillment on the order")
)

// Fulfill ships every unit of the order named orderName not shipped yet, from
// the warehouse, with the tracking given, and fires fulfillments/create and
// orders/updated.
func (s *Shop) Fulfill(orderName string, in FulfillmentInput) (FulfillmentSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return FulfillmentSnapshot{}, errNoOrder
	}
	if !o.cancelledAt.IsZero() {
		return FulfillmentSnapshot{}, errors.New("the order is cancelled")
	}
	if err := in.check(); err != nil {
		return FulfillmentSnapshot{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	f := &fulfillment{id: s.newID(), order: o, status: "SUCCESS", location: s.locations[0], createdAt: now, updatedAt: now,
		displayStatus: "FULFILLED"}
	f.setTracking(in)
	for _, l := range o.lines {
		if left := l.current - o.fulfilled(l); left > 0 {
			f.lines = append(f.lines, &fulfillmentLine{id: s.newID(), fulfillment: f, line: l, quantity: left})
		}
	}
	if len(f.lines) == 0 {
		return FulfillmentSnapshot{}, errNothingToFulfil
	}
	o.fulfillments = append(o.fulfillments, f)
	s.trigger(topicFulfillmentsCreate, fulfillmentPayload(f, s.opts.HideEmails))
	s.orderChanged(o)
	return f.snapshot(), nil
}

// UpdateTracking replaces a fulfilment's tracking, as the warehouse
// correcting a number does, and fires fulfillments/update.
func (s *Shop) UpdateTracking(orderName string, fulfillmentID int64, in FulfillmentInput) (FulfillmentSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.fulfillmentOf(orderName, fulfillmentID)
	if err != nil {
		return FulfillmentSnapshot{}, err
	}
	if err := in.check(); err != nil {
		return FulfillmentSnapshot{}, err
	}
	f.setTracking(in)
	f.updatedAt = s.now().UTC().Truncate(time.Second)
	s.trigger(topicFulfillmentsUpdate, fulfillmentPayload(f, s.opts.HideEmails))
	return f.snapshot(), nil
}

// FulfillmentEvent records a carrier's event on a fulfilment (status as the
// REST API names it: in_transit, out_for_delivery, delivered, …), which
// changes its displayStatus (and deliveredAt), and fires
// fulfillments/update.
func (s *Shop) FulfillmentEvent(orderName string, fulfillmentID int64, status string) (FulfillmentSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.fulfillmentOf(orderName, fulfillmentID)
	if err != nil {
		return FulfillmentSnapshot{}, err
	}
	display, ok := shipmentStatuses[status]
	if !ok {
		return FulfillmentSnapshot{}, errors.New("status must be one of label_printed, label_purchased, confirmed, in_transit, out_for_delivery, attempted_delivery, ready_for_pickup, delivered, failure")
	}
	now := s.now().UTC().Truncate(time.Second)
	f.shipmentStatus, f.displayStatus, f.updatedAt = status, display, now
	switch status {
	case "in_transit":
		f.inTransitAt = now
	case "delivered":
		f.deliveredAt = now
	}
	s.trigger(topicFulfillmentsUpdate, fulfillmentPayload(f, s.opts.HideEmails))
	return f.snapshot(), nil
}

// CancelFulfillment cancels a fulfilment, as the merchant does in Shopify
// admin when a parcel did not go out: its status becomes CANCELLED, its units
// are to fulfil again, and fulfillments/update and orders/updated fire.
func (s *Shop) CancelFulfillment(orderName string, fulfillmentID int64) (FulfillmentSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.fulfillmentOf(orderName, fulfillmentID)
	if err != nil {
		return FulfillmentSnapshot{}, err
	}
	if f.status == "CANCELLED" {
		return FulfillmentSnapshot{}, errors.New("the fulfillment is cancelled already")
	}
	f.status, f.updatedAt = "CANCELLED", s.now().UTC().Truncate(time.Second)
	s.trigger(topicFulfillmentsUpdate, fulfillmentPayload(f, s.opts.HideEmails))
	s.orderChanged(f.order)
	return f.snapshot(), nil
}

// CancelOrder cancels an order, as the merchant does in Shopify admin: its
// cancelledAt is set and orders/updated fires. As in Shopify admin, an order
// with a fulfilment not cancelled is refused (its fulfilments are cancelled
// first).
func (s *Shop) CancelOrder(orderName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return errNoOrder
	}
	if !o.cancelledAt.IsZero() {
		return errors.New("the order is cancelled already")
	}
	for _, f := range o.fulfillments {
		if f.status == "SUCCESS" {
			return errors.New("the order has a fulfillment: cancel it first")
		}
	}
	o.cancelledAt = s.now().UTC().Truncate(time.Second)
	s.orderChanged(o)
	return nil
}

// fulfillmentOf returns the order's fulfilment with the given numeric id.
// The caller holds s.mu.
func (s *Shop) fulfillmentOf(orderName string, id int64) (*fulfillment, error) {
	o := s.orderByName(orderName)
	if o == nil {
		return nil, errNoOrder
	}
	for _, f := range o.fulfillments {
		if f.id == id {
			return f, nil
		}
	}
	return nil, errNoFulfillment
}

func (in FulfillmentInput) check() error {
	if strings.TrimSpace(in.Number) == "" {
		return errors.New("a tracking number is required")
	}
	if in.URL != "" {
		if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("the tracking URL is not an http(s) URL")
		}
	}
	return nil
}

// setTracking sets f's tracking from in, filling the URL of a known carrier.
func (f *fulfillment) setTracking(in FulfillmentInput) {
	f.trackingCompany, f.trackingNumber, f.trackingURL = strings.TrimSpace(in.Company), strings.TrimSpace(in.Number), in.URL
	if f.trackingURL == "" {
		if prefix, ok := trackingURLs[f.trackingCompany]; ok {
			f.trackingURL = prefix + url.QueryEscape(f.trackingNumber)
		}
	}
}

func (f *fulfillment) snapshot() FulfillmentSnapshot {
	return FulfillmentSnapshot{ID: f.gid(), Number: f.id, OrderID: f.order.gid(), Status: f.status, DisplayStatus: f.display(),
		TrackingCompany: f.trackingCompany, TrackingNumber: f.trackingNumber, TrackingURL: f.trackingURL,
		CreatedAt: f.createdAt, DeliveredAt: f.deliveredAt}
}

// display is the fulfilment's FulfillmentDisplayStatus. A seed fulfilment
// delivered before the shop started shows DELIVERED.
func (f *fulfillment) display() string {
	switch {
	case f.displayStatus != "":
		return f.displayStatus
	case !f.deliveredAt.IsZero():
		return "DELIVERED"
	}
	return "FULFILLED"
}

// trackingInfo answers FulfillmentTrackingInfo.
type trackingInfo struct{ f *fulfillment }

func (trackingInfo) typeName() string { return "FulfillmentTrackingInfo" }

func (t trackingInfo) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "company":
		return nullIfEmpty(t.f.trackingCompany), nil
	case "number":
		return nullIfEmpty(t.f.trackingNumber), nil
	case "url":
		return nullIfEmpty(t.f.trackingURL), nil
	}
	return nil, notResolved("FulfillmentTrackingInfo", field)
}

// restFulfillment is the REST shape of a fulfilment, as the fulfillments/*
// webhooks carry it.
type restFulfillment struct {
	ID                int64          `json:"id"`
	AdminGraphqlAPIID string         `json:"admin_graphql_api_id"`
	OrderID           int64          `json:"order_id"`
	Name              string         `json:"name"`
	Status            string         `json:"status"` // pending, open, success, cancelled, error, failure
	Service           string         `json:"service"`
	LocationID        int64          `json:"location_id"`
	Email             *string        `json:"email"`
	CreatedAt         *string        `json:"created_at"`
	UpdatedAt         *string        `json:"updated_at"`
	TrackingCompany   *string        `json:"tracking_company"`
	TrackingNumber    *string        `json:"tracking_number"`
	TrackingNumbers   []string       `json:"tracking_numbers"`
	TrackingURL       *string        `json:"tracking_url"`
	TrackingURLs      []string       `json:"tracking_urls"`
	ShipmentStatus    *string        `json:"shipment_status"`
	LineItems         []restLineItem `json:"line_items"`
}

// fulfillmentPayload is f as the fulfillments/* webhooks carry it. The
// caller holds s.mu.
func fulfillmentPayload(f *fulfillment, hideEmail bool) restFulfillment {
	o := f.order
	p := restFulfillment{
		ID: f.id, AdminGraphqlAPIID: f.gid(), OrderID: o.id, Status: strings.ToLower(f.status), Service: "manual",
		LocationID: f.location.id, CreatedAt: restTime(f.createdAt), UpdatedAt: restTime(f.updatedAt),
		TrackingCompany: stringOrNil(f.trackingCompany), TrackingNumber: stringOrNil(f.trackingNumber),
		TrackingNumbers: []string{}, TrackingURL: stringOrNil(f.trackingURL), TrackingURLs: []string{},
		ShipmentStatus: stringOrNil(f.shipmentStatus), LineItems: []restLineItem{},
	}
	for i, other := range o.fulfillments {
		if other == f {
			p.Name = o.name + "." + strconv.Itoa(i+1)
		}
	}
	if !hideEmail {
		p.Email = stringOrNil(o.email)
	}
	if f.trackingNumber != "" {
		p.TrackingNumbers = []string{f.trackingNumber}
	}
	if f.trackingURL != "" {
		p.TrackingURLs = []string{f.trackingURL}
	}
	for _, fl := range f.lines {
		r := fl.line.rest()
		r.Quantity = fl.quantity
		p.LineItems = append(p.LineItems, r)
	}
	return p
}

// adminFulfillmentRoutes adds the warehouse's and the catalogue's actions to
// the inspection API.
func (s *Shop) adminFulfillmentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_devshop/orders/{number}/fulfillments", func(w http.ResponseWriter, r *http.Request) {
		var in FulfillmentInput
		if !readAdminJSON(w, r, &in) {
			return
		}
		f, err := s.Fulfill(r.PathValue("number"), in)
		if err != nil {
			writeAdminError(w, fulfillmentStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusCreated, f)
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/fulfillments/{id}/events", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Status string }
		if !readAdminJSON(w, r, &in) {
			return
		}
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f, err := s.FulfillmentEvent(r.PathValue("number"), id, in.Status)
		if err != nil {
			writeAdminError(w, fulfillmentStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusOK, f)
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/fulfillments/{id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		if !readAdminJSON(w, r, &struct{}{}) {
			return
		}
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f, err := s.CancelFulfillment(r.PathValue("number"), id)
		if err != nil {
			writeAdminError(w, fulfillmentStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusOK, f)
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/cancel", func(w http.ResponseWriter, r *http.Request) {
		if !readAdminJSON(w, r, &struct{}{}) {
			return
		}
		if err := s.CancelOrder(r.PathValue("number")); err != nil {
			writeAdminError(w, adminStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusOK, map[string]any{"order": r.PathValue("number"), "cancelled": true})
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/fulfillments/{id}/tracking", func(w http.ResponseWriter, r *http.Request) {
		var in FulfillmentInput
		if !readAdminJSON(w, r, &in) {
			return
		}
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f, err := s.UpdateTracking(r.PathValue("number"), id, in)
		if err != nil {
			writeAdminError(w, fulfillmentStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusOK, f)
	})
	mux.HandleFunc("POST /_devshop/variants/{id}/stock", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Available       int  `json:"available"`
			ContinueSelling bool `json:"continue_selling"`
		}
		if !readAdminJSON(w, r, &in) {
			return
		}
		if !s.SetVariantStock(variantGID(r.PathValue("id")), in.Available, in.ContinueSelling) {
			writeAdminError(w, http.StatusNotFound, "no such variant")
			return
		}
		writeAdminJSON(w, http.StatusOK, map[string]any{"id": variantGID(r.PathValue("id")), "available": in.Available})
	})
	mux.HandleFunc("POST /_devshop/variants/{id}/delete", func(w http.ResponseWriter, r *http.Request) {
		if !readAdminJSON(w, r, &struct{}{}) {
			return
		}
		if !s.DeleteVariant(variantGID(r.PathValue("id"))) {
			writeAdminError(w, http.StatusNotFound, "no such variant")
			return
		}
		writeAdminJSON(w, http.StatusOK, map[string]any{"id": variantGID(r.PathValue("id")), "deleted": true})
	})
}

// variantGID takes a variant's numeric id or GID.
func variantGID(id string) string {
	if strings.HasPrefix(id, "gid://") {
		return id
	}
	return "gid://shopify/ProductVariant/" + id
}

func fulfillmentStatus(err error) int {
	if errors.Is(err, errNoFulfillment) {
		return http.StatusNotFound
	}
	return adminStatus(err)
}
