package devshop

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
)

// The merchant's side: what a person does in Shopify admin, for tests and
// demos, as Go methods and as an inspection API under /_devshop/:
//
//	GET  /_devshop/orders/{number}          the order as JSON (OrderSnapshot)
//	POST /_devshop/orders/{number}/refunds  {"amount":"10.00","note":"…"}: a refund made in admin
//	POST /_devshop/orders/{number}/note     {"note":"…"}: the note replaced
//	POST /_devshop/orders/{number}/note-edit {"note":"…","when":"after-next-read"}: a staff edit between the portal's read and write
//	POST /_devshop/uninstall                the app uninstalled
//	POST /_devshop/install                  the app installed again
//	POST /_devshop/compliance/{topic}       customers/redact or customers/data_request
//	                                        with {"email":"…"}, or shop/redact
//	GET  /_devshop/webhooks                 subscriptions and delivery attempts
//	POST /_devshop/returns/{id}/…           approve, decline, process, close (admin_returns.go)
//	POST /_devshop/transactions/{id}/settle a pending refund settles (admin_returns.go)
//	POST /_devshop/orders/{number}/fulfillments                {"company":"DPD","number":"…","url":"…"}:
//	                                        the warehouse ships what is left of the order
//	POST /_devshop/orders/{number}/fulfillments/{id}/events    {"status":"in_transit"|"delivered"|…}
//	POST /_devshop/orders/{number}/fulfillments/{id}/tracking  {"company":…,"number":…,"url":…}
//	POST /_devshop/variants/{id}/stock      {"available":0,"continue_selling":false}
//	POST /_devshop/variants/{id}/delete     the variant deleted
//
// Variant ids are numeric (100101) or GIDs; fulfilment ids numeric.
//
// The order's JSON holds its returns (status, lines, dispositions, reverse
// deliveries), its refunds with their line items and transactions
// (refund_details), and the stock of its items at each location
// (inventory).
//
// Each action fires the webhooks Shopify would. The API is guarded three ways,
// since it acts without a token: it answers only a peer on loopback, only a
// request whose Host is loopback (so a web page cannot reach it through DNS
// rebinding), and takes POSTs only as application/json (which a cross-site
// form cannot send without a preflight that is never answered).

const adminPrefix = "/_devshop/"

// adminMux routes the inspection API.
func (s *Shop) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_devshop/orders/{number}", func(w http.ResponseWriter, r *http.Request) {
		snap, ok := s.OrderByName(r.PathValue("number"))
		if !ok {
			writeAdminError(w, http.StatusNotFound, "no such order")
			return
		}
		writeAdminJSON(w, http.StatusOK, snap)
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/refunds", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Amount, Note string }
		if !readAdminJSON(w, r, &in) {
			return
		}
		refund, err := s.MerchantRefund(r.PathValue("number"), in.Amount, in.Note)
		if err != nil {
			writeAdminError(w, adminStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusCreated, refund)
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/note", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Note string }
		if !readAdminJSON(w, r, &in) {
			return
		}
		if err := s.SetNote(r.PathValue("number"), in.Note); err != nil {
			writeAdminError(w, adminStatus(err), err.Error())
			return
		}
		snap, _ := s.OrderByName(r.PathValue("number"))
		writeAdminJSON(w, http.StatusOK, snap)
	})
	mux.HandleFunc("POST /_devshop/orders/{number}/note-edit", s.handleNoteEdit)
	mux.HandleFunc("GET /_devshop/app", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w, http.StatusOK, s.App())
	})
	mux.HandleFunc("POST /_devshop/uninstall", func(w http.ResponseWriter, r *http.Request) {
		if readAdminJSON(w, r, &struct{}{}) {
			s.Uninstall()
			writeAdminJSON(w, http.StatusOK, map[string]bool{"installed": false})
		}
	})
	mux.HandleFunc("POST /_devshop/install", func(w http.ResponseWriter, r *http.Request) {
		if readAdminJSON(w, r, &struct{}{}) {
			s.Install()
			writeAdminJSON(w, http.StatusOK, map[string]bool{"installed": true})
		}
	})
	mux.HandleFunc("POST /_devshop/compliance/{topic...}", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email string }
		if !readAdminJSON(w, r, &in) {
			return
		}
		if err := s.SendCompliance(r.PathValue("topic"), in.Email); err != nil {
			writeAdminError(w, adminStatus(err), err.Error())
			return
		}
		writeAdminJSON(w, http.StatusAccepted, map[string]string{"topic": r.PathValue("topic")})
	})
	s.adminReturnRoutes(mux)
	s.adminFulfillmentRoutes(mux)
	mux.HandleFunc("GET /_devshop/webhooks", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w, http.StatusOK, map[string]any{
			"subscriptions": s.WebhookSubscriptions(),
			"deliveries":    s.WebhookDeliveries(),
		})
	})
	return mux
}

// AppSnapshot is the app's installation at the shop, as the inspection API
// shows it.
type AppSnapshot struct {
	Installed bool     `json:"installed"`
	Scopes    []string `json:"scopes"`
	// TokenRequests counts the client credentials grant's requests, granted
	// or refused; ValidTokens the granted tokens not yet expired.
	TokenRequests int `json:"token_requests"`
	ValidTokens   int `json:"valid_tokens"`
}

// App returns the app's installation as it is now.
func (s *Shop) App() AppSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := AppSnapshot{Installed: !s.uninstalled, Scopes: slices.Clone(s.scopeList), TokenRequests: s.tokenRequests}
	now := s.now()
	for _, g := range s.granted {
		if now.Before(g.expiresAt) {
			a.ValidTokens++
		}
	}
	return a
}

// serveAdmin answers the inspection API, to loopback only.
func (s *Shop) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if !loopbackPeer(r.RemoteAddr) || !loopbackHost(r.Host) {
		writeAdminError(w, http.StatusForbidden, "the devshop inspection API answers loopback only")
		return
	}
	s.admin.ServeHTTP(w, r)
}

func loopbackPeer(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// readAdminJSON decodes a POST's JSON body into v, answering the request
// itself when it cannot. An empty body reads as {}.
func readAdminJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeAdminError(w, http.StatusUnsupportedMediaType, "send application/json")
		return false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeAdminError(w, http.StatusRequestEntityTooLarge, "body too large")
		return false
	}
	if strings.TrimSpace(string(b)) == "" {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeAdminError(w, http.StatusBadRequest, "body is not JSON: "+err.Error())
		return false
	}
	return true
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeAdminError(w http.ResponseWriter, status int, message string) {
	writeAdminJSON(w, status, map[string]string{"error": message})
}

// errNoOrder is the error of an action on an order that does not exist.
var errNoOrder = errors.New("no such order")

func adminStatus(err error) int {
	if errors.Is(err, errNoOrder) {
		return http.StatusNotFound
	}
	return http.StatusUnprocessableEntity
}

// MerchantRefund refunds amount (a decimal in the order's presentment
// currency, e.g. "10.00") of the order named orderName ("#1001" or "1001") to
// its payments, first payment first, as a merchant does in Shopify admin:
// no line items, no idempotency key. It fires refunds/create and
// orders/updated. Shopify's refusal (more than is refundable, say) is the
// error.
func (s *Shop) MerchantRefund(orderName, amount, note string) (RefundSnapshot, error) {
	minor, ok := parseMoney(amount)
	if !ok || minor <= 0 {
		return RefundSnapshot{}, fmt.Errorf("amount %q is not an amount above zero like 10.00", amount)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return RefundSnapshot{}, errNoOrder
	}
	// The amount goes to the payments in order, each as far as it has
	// money left; what is beyond them all is refused by makeRefund.
	var txs []any
	left := minor
	for _, t := range o.transactions {
		if left == 0 {
			break
		}
		if !t.isPayment() || t.refundable() == 0 {
			continue
		}
		part := min(left, t.refundable())
		txs = append(txs, map[string]any{"orderId": o.gid(), "parentId": t.gid(), "gateway": t.gateway,
			"kind": "REFUND", "amount": money{minor: part, currency: o.presentment}.fixed()})
		left -= part
	}
	if left > 0 {
		return RefundSnapshot{}, fmt.Errorf("refund amount %s exceeds the maximum refundable amount %s",
			money{minor: minor, currency: o.presentment}.fixed(), money{minor: o.refundable(), currency: o.presentment}.fixed())
	}
	r, userErrors := s.makeRefund(map[string]any{"orderId": o.gid(), "note": note, "currency": o.presentment, "transactions": txs})
	if len(userErrors) > 0 {
		var msgs []string
		for _, e := range userErrors {
			msgs = append(msgs, e.message)
		}
		return RefundSnapshot{}, errors.New(strings.Join(msgs, "; "))
	}
	snaps := o.refundSnapshots()
	for _, rs := range snaps {
		if rs.ID == r.gid() {
			return rs, nil
		}
	}
	return RefundSnapshot{}, errors.New("the refund made is missing")
}

// SetNote replaces the note of the order named orderName, as a merchant
// editing it in Shopify admin does, and fires orders/updated.
func (s *Shop) SetNote(orderName, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return errNoOrder
	}
	if o.note == note {
		return nil
	}
	o.note = note
	s.orderChanged(o)
	return nil
}

// orderChanged records that o changed now and fires orders/updated. The
// caller holds s.mu.
func (s *Shop) orderChanged(o *order) {
	o.updatedAt = s.now().UTC().Truncate(0)
	s.trigger(topicOrdersUpdated, orderPayload(o, s.opts.HideEmails))
}

// Uninstall uninstalls the app, as a merchant does in Shopify admin: Shopify
// fires app/uninstalled, deletes the app's webhook subscriptions, and every
// token stops working (the grant answers app_not_installed) until Install.
func (s *Shop) Uninstall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uninstalled {
		return
	}
	s.trigger(topicAppUninstalled, s.shopPayload())
	s.uninstalled = true
	s.granted = map[string]*grantedToken{}
	s.hooks.subs = nil
}

// Install installs the app again after Uninstall; tokens must be asked for
// anew and webhooks subscribed to again.
func (s *Shop) Install() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uninstalled = false
}

// SendCompliance sends a compliance webhook, as Shopify does when a customer
// or the merchant asks: customers/redact or customers/data_request for the
// customer with the given email (their orders are listed by id), or
// shop/redact (email unused). It goes to WebhookOptions.ComplianceURI, or to
// the address of the first subscription.
func (s *Shop) SendCompliance(topic, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	uri, version := s.opts.Webhooks.ComplianceURI, "2026-04"
	if len(s.hooks.subs) > 0 {
		if uri == "" {
			uri = s.hooks.subs[0].uri
		}
		version = s.hooks.subs[0].apiVersion
	}
	if uri == "" {
		return errNoComplianceURI
	}
	email = strings.TrimSpace(email)
	var orderIDs []int64
	for _, o := range s.orders {
		if email != "" && strings.EqualFold(o.email, email) {
			orderIDs = append(orderIDs, o.id)
		}
	}
	if orderIDs == nil {
		orderIDs = []int64{}
	}
	customer := restCustomer{ID: customerID(email), Email: email}

	var body any
	switch topic {
	case topicCustomersRedact:
		if email == "" {
			return errors.New("customers/redact needs the customer's email")
		}
		body = customersRedactPayload{ShopID: shopID, ShopDomain: s.opts.ShopDomain, Customer: customer, OrdersToRedact: orderIDs}
	case topicCustomersDataRequest:
		if email == "" {
			return errors.New("customers/data_request needs the customer's email")
		}
		p := dataRequestPayload{ShopID: shopID, ShopDomain: s.opts.ShopDomain, OrdersRequested: orderIDs, Customer: customer}
		p.DataRequest.ID = s.newID()
		body = p
	case topicShopRedact:
		body = shopRedactPayload{ShopID: shopID, ShopDomain: s.opts.ShopDomain}
	default:
		return fmt.Errorf("%q is not a compliance topic: customers/redact, customers/data_request or shop/redact", topic)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	s.enqueue(&delivery{topic: topic, uri: uri, apiVersion: version, webhookID: newUUID(), eventID: newUUID(),
		triggeredAt: s.now(), body: b})
	return nil
}

// customerID is a customer's id in devshop: stable for an email, as the
// demo has no customer records.
func customerID(email string) int64 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(email)))
	return 7000000000 + int64(h.Sum32()%1000000)
}
