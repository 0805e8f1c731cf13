package devshop

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Webhooks: the subscriptions an app makes with webhookSubscriptionCreate,
// and their delivery as Shopify does it:
//
//   - a POST of the REST-shaped JSON payload (payload.go) to the
//     subscription's URI, with X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64
//     HMAC-SHA256 of the raw body, keyed with the client secret, or the
//     webhook secret of an app made in the admin), X-Shopify-Shop-Domain,
//     X-Shopify-API-Version, X-Shopify-Webhook-Id (one per delivery, the same
//     on its retries), X-Shopify-Triggered-At and X-Shopify-Event-Id (one per
//     event);
//   - an answer other than 2xx within the timeout (5 seconds at Shopify) is a
//     failure, retried on a schedule: Shopify retries 8 times over 4 hours,
//     with the original payload and time;
//   - deliveries go out one at a time in the order their events happened, and
//     knobs break that as Shopify may: a delivery twice with the same id, or
//     held ones released in reverse.
//
// Compliance topics are declared in an app's configuration, not subscribed
// to; SendCompliance delivers them to WebhookOptions.ComplianceURI.

// Topics as X-Shopify-Topic names them, and as the subscription enum does.
const (
	topicRefundsCreate        = "refunds/create"
	topicOrdersUpdated        = "orders/updated"
	topicAppUninstalled       = "app/uninstalled"
	topicCustomersRedact      = "customers/redact"
	topicCustomersDataRequest = "customers/data_request"
	topicShopRedact           = "shop/redact"

	topicReturnsRequest          = "returns/request"
	topicReturnsApprove          = "returns/approve"
	topicReturnsDecline          = "returns/decline"
	topicReturnsCancel           = "returns/cancel"
	topicReturnsClose            = "returns/close"
	topicReturnsReopen           = "returns/reopen"
	topicReturnsProcess          = "returns/process"
	topicReverseDeliveriesAttach = "reverse_deliveries/attach_deliverable"

	topicFulfillmentsCreate = "fulfillments/create"
	topicFulfillmentsUpdate = "fulfillments/update"
)

// subscriptionTopics maps the WebhookSubscriptionTopic values devshop
// delivers to topic names, with the scope each needs.
var subscriptionTopics = map[string]struct{ topic, scope string }{
	"REFUNDS_CREATE":  {topicRefundsCreate, "read_orders"},
	"ORDERS_UPDATED":  {topicOrdersUpdated, "read_orders"},
	"APP_UNINSTALLED": {topicAppUninstalled, ""},

	"RETURNS_REQUEST": {topicReturnsRequest, "read_returns"},
	"RETURNS_APPROVE": {topicReturnsApprove, "read_returns"},
	"RETURNS_DECLINE": {topicReturnsDecline, "read_returns"},
	"RETURNS_CANCEL":  {topicReturnsCancel, "read_returns"},
	"RETURNS_CLOSE":   {topicReturnsClose, "read_returns"},
	"RETURNS_REOPEN":  {topicReturnsReopen, "read_returns"},
	"RETURNS_PROCESS": {topicReturnsProcess, "read_returns"},

	"REVERSE_DELIVERIES_ATTACH_DELIVERABLE": {topicReverseDeliveriesAttach, "read_returns"},

	// The schema's description of these topics: "Requires at least one of
	// the following scopes: read_fulfillments, read_marketplace_orders."
	"FULFILLMENTS_CREATE": {topicFulfillmentsCreate, "read_fulfillments"},
	"FULFILLMENTS_UPDATE": {topicFulfillmentsUpdate, "read_fulfillments"},
}

// DefaultRetryDelays are the waits before each retry of a failed delivery:
// 8 retries over about 4 hours, growing, as Shopify's schedule is described.
var DefaultRetryDelays = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute,
	10 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
}

// WebhookOptions configure webhook delivery.
type WebhookOptions struct {
	// RetryDelays are the waits before each retry of a delivery that failed;
	// nil means DefaultRetryDelays. Tests set milliseconds.
	RetryDelays []time.Duration
	// Timeout bounds each delivery, as Shopify's 5 seconds do; default 5s.
	Timeout time.Duration
	// ComplianceURI receives the compliance topics. Default: the URI of the
	// first subscription, which is the portal's own endpoint in demo mode.
	ComplianceURI string
}

// WebhookDelivery is one attempt to deliver a webhook, for tests.
type WebhookDelivery struct {
	Topic     string
	URI       string
	WebhookID string
	EventID   string
	Attempt   int    // 1 for the first
	Status    int    // the HTTP status answered; 0 when none came
	Err       string // why no status came
	Body      []byte
}

type subscription struct {
	id         int64
	topic      string // the enum value, e.g. "REFUNDS_CREATE"
	uri        string
	apiVersion string
	createdAt  time.Time
}

type delivery struct {
	topic       string // e.g. "refunds/create"
	uri         string
	apiVersion  string
	webhookID   string
	eventID     string
	triggeredAt time.Time
	body        []byte
	attempt     int // attempts made
	due         time.Time
	seq         int64 // tie-break of equal due times: the order of enqueueing
}

// webhooks is the shop's webhook state, guarded by the shop's mutex.
type webhooks struct {
	opts    WebhookOptions
	client  *http.Client
	subs    []*subscription
	queue   []*delivery
	held    []*delivery
	holding bool
	sending int // deliveries being sent now
	dupN    int
	seq     int64
	log     []WebhookDelivery

	running bool
	closed  bool
	wake    chan struct{} // a delivery was queued
	stop    chan struct{} // closed by Close
	done    chan struct{} // closed when the delivery loop ends
	ctx     context.Context
	cancel  context.CancelFunc
}

func (h *webhooks) init(opts WebhookOptions) {
	if opts.RetryDelays == nil {
		opts.RetryDelays = DefaultRetryDelays
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	h.opts = opts
	// Redirects are not followed: Shopify counts a 3xx as a failure.
	h.client = &http.Client{Timeout: opts.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	h.wake = make(chan struct{}, 1)
	h.stop = make(chan struct{})
	h.done = make(chan struct{})
	h.ctx, h.cancel = context.WithCancel(context.Background())
}

// Close stops delivering webhooks and waits for the delivery in progress to
// end; what is still queued is dropped. Tests that subscribe call it.
func (s *Shop) Close() {
	s.mu.Lock()
	if s.hooks.closed {
		s.mu.Unlock()
		return
	}
	s.hooks.closed = true
	running := s.hooks.running
	close(s.hooks.stop)
	s.hooks.cancel()
	s.mu.Unlock()
	if running {
		<-s.hooks.done
	}
}

// trigger makes a delivery of topic with payload to each subscription of the
// topic. The caller holds s.mu.
func (s *Shop) trigger(topic string, payload any) {
	var subs []*subscription
	for _, sub := range s.hooks.subs {
		if subscriptionTopics[sub.topic].topic == topic {
			subs = append(subs, sub)
		}
	}
	if len(subs) == 0 {
		return
	}
	body, err := json.Marshal(payload)
	if err != nil {
		panic("devshop: webhook payload: " + err.Error()) // payloads are devshop's own types
	}
	eventID := newUUID()
	now := s.now()
	for _, sub := range subs {
		s.enqueue(&delivery{topic: topic, uri: sub.uri, apiVersion: sub.apiVersion, webhookID: newUUID(),
			eventID: eventID, triggeredAt: now, body: body})
	}
}

// enqueue queues a delivery, or holds it while HoldWebhooks holds them. The
// caller holds s.mu.
func (s *Shop) enqueue(d *delivery) {
	h := &s.hooks
	if h.closed {
		return
	}
	copies := []*delivery{d}
	if h.dupN > 0 {
		h.dupN--
		dup := *d
		copies = append(copies, &dup)
	}
	for _, c := range copies {
		h.seq++
		c.seq = h.seq
		if h.holding {
			h.held = append(h.held, c)
			continue
		}
		c.due = time.Now()
		h.queue = append(h.queue, c)
	}
	if h.holding {
		return
	}
	if !h.running {
		h.running = true
		go s.deliverLoop()
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// deliverLoop sends queued deliveries one at a time, earliest due first,
// until Close.
func (s *Shop) deliverLoop() {
	defer close(s.hooks.done)
	for {
		s.mu.Lock()
		h := &s.hooks
		if h.closed {
			s.mu.Unlock()
			return
		}
		d, wait := h.next(time.Now())
		if d != nil {
			h.sending++
		}
		s.mu.Unlock()

		if d == nil {
			// Nothing due: sleep until the first retry is, or something
			// is queued.
			var timer *time.Timer
			var fired <-chan time.Time
			if wait > 0 {
				timer = time.NewTimer(wait)
				fired = timer.C
			}
			select {
			case <-h.stop:
			case <-h.wake:
			case <-fired:
			}
			if timer != nil {
				timer.Stop()
			}
			continue
		}

		d.attempt++
		status, err := s.send(h.ctx, d)
		s.mu.Lock()
		h.sending--
		entry := WebhookDelivery{Topic: d.topic, URI: d.uri, WebhookID: d.webhookID, EventID: d.eventID,
			Attempt: d.attempt, Status: status, Body: d.body}
		if err != nil {
			entry.Err = err.Error()
		}
		h.log = append(h.log, entry)
		if (err != nil || status < 200 || status > 299) && d.attempt <= len(h.opts.RetryDelays) && !h.closed {
			d.due = time.Now().Add(h.opts.RetryDelays[d.attempt-1])
			h.queue = append(h.queue, d)
		}
		s.mu.Unlock()
	}
}

// next takes the queued delivery due first if it is due at now, or returns
// how long until one is (0: none queued). The caller holds the shop's mutex.
func (h *webhooks) next(now time.Time) (*delivery, time.Duration) {
	if len(h.queue) == 0 {
		return nil, 0
	}
	first := 0
	for i, d := range h.queue {
		f := h.queue[first]
		if d.due.Before(f.due) || (d.due.Equal(f.due) && d.seq < f.seq) {
			first = i
		}
	}
	d := h.queue[first]
	if wait := d.due.Sub(now); wait > 0 {
		return nil, wait
	}
	h.queue = slices.Delete(h.queue, first, first+1)
	return d, 0
}

// send POSTs one delivery and returns the status answered.
func (s *Shop) send(ctx context.Context, d *delivery) (int, error) {
	s.mu.Lock()
	secret := s.opts.ClientSecret
	if secret == "" {
		secret = s.opts.WebhookSecret
	}
	domain := s.opts.ShopDomain
	client := s.hooks.client
	s.mu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.uri, bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.body)
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Shopify-Captain-Hook")
	h.Set("X-Shopify-Topic", d.topic)
	h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("X-Shopify-Shop-Domain", domain)
	h.Set("X-Shopify-API-Version", d.apiVersion)
	h.Set("X-Shopify-Webhook-Id", d.webhookID)
	h.Set("X-Shopify-Event-Id", d.eventID)
	h.Set("X-Shopify-Triggered-At", d.triggeredAt.UTC().Format(time.RFC3339Nano))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// DuplicateWebhooks delivers each of the next n webhooks twice, with the same
// X-Shopify-Webhook-Id, as Shopify may.
func (s *Shop) DuplicateWebhooks(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.dupN = n
}

// HoldWebhooks keeps every webhook triggered from now on undelivered until
// release is called. release queues them in the order they were triggered,
// or reversed: the out-of-order delivery Shopify does not rule out.
func (s *Shop) HoldWebhooks() (release func(reversed bool)) {
	s.mu.Lock()
	s.hooks.holding = true
	s.mu.Unlock()
	var once sync.Once
	return func(reversed bool) {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			h := &s.hooks
			held := h.held
			h.held, h.holding = nil, false
			if reversed {
				slices.Reverse(held)
			}
			for _, d := range held {
				s.enqueue(d)
			}
		})
	}
}

// WebhookDeliveries returns every delivery attempt so far, in order.
func (s *Shop) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hooks.log)
}

// PendingWebhooks returns how many deliveries are queued, held, waiting for a
// retry or being sent.
func (s *Shop) PendingWebhooks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hooks.queue) + len(s.hooks.held) + s.hooks.sending
}

// WaitWebhooks waits until no delivery is queued, waiting for a retry or
// being sent (held ones do not count), or ctx ends.
func (s *Shop) WaitWebhooks(ctx context.Context) error {
	for {
		s.mu.Lock()
		n := len(s.hooks.queue) + s.hooks.sending
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// WebhookSubscriptions returns the app's subscriptions: topic names (e.g.
// "refunds/create") and URIs.
func (s *Shop) WebhookSubscriptions() []WebhookSubscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []WebhookSubscription{}
	for _, sub := range s.hooks.subs {
		out = append(out, WebhookSubscription{ID: sub.gid(), Topic: sub.topic, URI: sub.uri})
	}
	return out
}

// WebhookSubscription is a subscription, for tests.
type WebhookSubscription struct {
	ID    string
	Topic string // the enum value, e.g. "REFUNDS_CREATE"
	URI   string
}

// webhookSubscriptions answers QueryRoot.webhookSubscriptions. The caller
// holds s.mu.
func (s *Shop) webhookSubscriptions(args map[string]any) (*connection, error) {
	topics := stringsArg(args, "topics")
	uri, _ := stringArg(args, "uri")
	var nodes []node
	for _, sub := range s.hooks.subs {
		if len(topics) > 0 && !slices.Contains(topics, sub.topic) {
			continue
		}
		if uri != "" && sub.uri != uri {
			continue
		}
		nodes = append(nodes, sub)
	}
	return paginate("WebhookSubscription", nodes, args)
}

// webhookSubscriptionCreate runs the mutation. The caller holds s.mu.
func (x *execution) webhookSubscriptionCreate(args map[string]any) (any, error) {
	s := x.shop
	topic, _ := stringArg(args, "topic")
	input, _ := args["webhookSubscription"].(map[string]any)
	uri, _ := input["uri"].(string)
	format, _ := input["format"].(string)
	fail := func(message string, field ...string) (any, error) {
		return &payload{typ: "WebhookSubscriptionCreatePayload", userErrors: []userError{{field: field, message: message}}}, nil
	}
	known, ok := subscriptionTopics[topic]
	switch {
	case !ok:
		return fail("devshop delivers "+strings.Join(sortedKeys(subscriptionTopics), ", ")+" only", "topic")
	case known.scope != "" && !s.hasScope(known.scope):
		return fail("Access denied for topic "+topic+". Required access: `"+known.scope+"` access scope.", "topic")
	case strings.TrimSpace(uri) == "":
		return fail("Address can't be blank", "webhookSubscription", "uri")
	case !deliverableURI(uri):
		return fail("Address must be an https URL (devshop also takes http on loopback)", "webhookSubscription", "uri")
	case format != "" && format != "JSON":
		return fail("devshop delivers JSON only", "webhookSubscription", "format")
	}
	for _, sub := range s.hooks.subs {
		if sub.topic == topic && sub.uri == uri {
			return fail("Address for this topic has already been taken", "webhookSubscription", "callbackUrl")
		}
	}
	sub := &subscription{id: s.newID(), topic: topic, uri: uri, apiVersion: x.version, createdAt: s.now().UTC().Truncate(time.Second)}
	s.hooks.subs = append(s.hooks.subs, sub)
	s.committed = true
	return &payload{typ: "WebhookSubscriptionCreatePayload", result: sub}, nil
}

// webhookSubscriptionDelete runs the mutation. The caller holds s.mu.
func (x *execution) webhookSubscriptionDelete(args map[string]any) (any, error) {
	s := x.shop
	id, _ := stringArg(args, "id")
	for i, sub := range s.hooks.subs {
		if sub.gid() == id {
			s.hooks.subs = slices.Delete(s.hooks.subs, i, i+1)
			s.committed = true
			return &deletePayload{id: id}, nil
		}
	}
	return &deletePayload{userErrors: []userError{{field: []string{"id"}, message: "Webhook subscription does not exist"}}}, nil
}

// deliverableURI reports whether devshop delivers to uri: https anywhere, as
// Shopify requires, and plain http on loopback for local runs.
func deliverableURI(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (sub *subscription) typeName() string { return "WebhookSubscription" }
func (sub *subscription) gid() string      { return gid("WebhookSubscription", sub.id) }

func (sub *subscription) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return sub.gid(), nil
	case "legacyResourceId":
		return fmt.Sprint(sub.id), nil
	case "topic":
		return sub.topic, nil
	case "uri":
		return sub.uri, nil
	case "format":
		return "JSON", nil
	case "createdAt", "updatedAt":
		return dateTime(sub.createdAt), nil
	case "includeFields", "metafieldNamespaces":
		return []string{}, nil
	case "filter", "name":
		return nil, nil
	}
	return nil, notResolved("WebhookSubscription", field)
}

// deletePayload answers WebhookSubscriptionDeletePayload.
type deletePayload struct {
	id         string
	userErrors []userError
}

func (*deletePayload) typeName() string { return "WebhookSubscriptionDeletePayload" }

func (p *deletePayload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "deletedWebhookSubscriptionId":
		return nullIfEmpty(p.id), nil
	case "userErrors":
		out := make([]any, len(p.userErrors))
		for i := range p.userErrors {
			out[i] = &p.userErrors[i]
		}
		return out, nil
	}
	return nil, notResolved("WebhookSubscriptionDeletePayload", field)
}

// errNoComplianceURI is SendCompliance's error when there is nowhere to
// deliver to.
var errNoComplianceURI = errors.New("no address for compliance webhooks: subscribe to a topic first or set WebhookOptions.ComplianceURI")

// newUUID returns a random version 4 UUID, the form of Shopify's webhook and
// event ids.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
