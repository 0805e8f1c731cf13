package devshop_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// received is a webhook delivery as the receiver saw it.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint that records deliveries and answers each
// with the next status of its script (200 once the script is used up).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	script []int
}

func newReceiver(t *testing.T, script ...int) *receiver {
	t.Helper()
	rc := &receiver{script: script}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{Header: r.Header.Clone(), Body: body})
		status := http.StatusOK
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) deliveries() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// topics returns the X-Shopify-Topic of each delivery received.
func (rc *receiver) topics() []string {
	var out []string
	for _, d := range rc.deliveries() {
		out = append(out, d.Header.Get("X-Shopify-Topic"))
	}
	return out
}

const subscribe = `mutation($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`

type subscribeData struct {
	WebhookSubscriptionCreate struct {
		WebhookSubscription *struct{ ID, Topic, URI string }
		UserErrors          []struct {
			Field   []string
			Message string
		}
	}
}

// mustSubscribe subscribes uri to each topic.
func mustSubscribe(t *testing.T, shop *devshop.Shop, uri string, topics ...string) {
	t.Helper()
	for _, topic := range topics {
		r := query(t, shop, subscribe, map[string]any{"topic": topic, "uri": uri})
		d := decode[subscribeData](t, r)
		if len(r.Errors) > 0 || d.WebhookSubscriptionCreate.WebhookSubscription == nil {
			t.Fatalf("subscribe %s: %s %+v", topic, r.Data, r.Errors)
		}
	}
}

func waitWebhooks(t *testing.T, shop *devshop.Shop) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := shop.WaitWebhooks(ctx); err != nil {
		t.Fatalf("deliveries still pending after 10 s: %v", err)
	}
}

// fastRetries are retry delays for tests.
var fastRetries = devshop.WebhookOptions{RetryDelays: []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}}

func TestWebhookSubscriptions(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	const uri = "https://returns.example.com/webhooks/shopify"
	mustSubscribe(t, shop, uri, "REFUNDS_CREATE", "ORDERS_UPDATED")

	refused := []struct {
		name, topic, uri string
		wantField        []string
	}{
		{"the same again", "REFUNDS_CREATE", uri, []string{"webhookSubscription", "callbackUrl"}},
		{"plain http elsewhere", "APP_UNINSTALLED", "http://returns.example.com/webhooks/shopify", []string{"webhookSubscription", "uri"}},
		{"no address", "APP_UNINSTALLED", " ", []string{"webhookSubscription", "uri"}},
		{"a topic devshop does not deliver", "PRODUCTS_CREATE", uri, []string{"topic"}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			d := decode[subscribeData](t, query(t, shop, subscribe, map[string]any{"topic": tt.topic, "uri": tt.uri}))
			c := d.WebhookSubscriptionCreate
			if c.WebhookSubscription != nil || len(c.UserErrors) != 1 || !slices.Equal(c.UserErrors[0].Field, tt.wantField) {
				t.Fatalf("answer = %+v", c)
			}
		})
	}
	mustSubscribe(t, shop, "http://127.0.0.1:8080/webhooks/shopify", "APP_UNINSTALLED")

	r := query(t, shop, `query($topics: [WebhookSubscriptionTopic!]) { webhookSubscriptions(first: 10, topics: $topics) { nodes { topic uri } } }`,
		map[string]any{"topics": []string{"REFUNDS_CREATE", "APP_UNINSTALLED"}})
	want := `{"webhookSubscriptions":{"nodes":[{"topic":"REFUNDS_CREATE","uri":"https://returns.example.com/webhooks/shopify"},{"topic":"APP_UNINSTALLED","uri":"http://127.0.0.1:8080/webhooks/shopify"}]}}`
	if string(r.Data) != want {
		t.Fatalf("list = %s, want %s", r.Data, want)
	}

	subs := shop.WebhookSubscriptions()
	r = query(t, shop, `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }`,
		map[string]any{"id": subs[0].ID})
	if string(r.Data) != `{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":"`+subs[0].ID+`","userErrors":[]}}` {
		t.Fatalf("delete = %s %+v", r.Data, r.Errors)
	}
	if got := shop.WebhookSubscriptions(); len(got) != 2 || got[0].Topic != "ORDERS_UPDATED" {
		t.Fatalf("after delete: %+v", got)
	}

	t.Run("an order topic without read_orders", func(t *testing.T) {
		shop, _ := appShop(t, devshop.Options{Scopes: []string{"read_products"}})
		c := decode[subscribeData](t, query(t, shop, subscribe, map[string]any{"topic": "ORDERS_UPDATED", "uri": uri})).WebhookSubscriptionCreate
		if c.WebhookSubscription != nil || len(c.UserErrors) != 1 {
			t.Fatalf("answer = %+v", c)
		}
		mustSubscribe(t, shop, uri, "APP_UNINSTALLED")
	})
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// signature is the base64 HMAC-SHA256 of body with secret, computed here
// rather than by devshop's code, so a mistake there shows.
func signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestWebhookDelivery_Refund(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{Webhooks: fastRetries})
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL+"/webhooks/shopify", "REFUNDS_CREATE", "ORDERS_UPDATED", "APP_UNINSTALLED")

	id := createRefund(t, shop, "k1", refundInput("29"))
	waitWebhooks(t, shop)

	if got := rc.topics(); !slices.Equal(got, []string{"refunds/create", "orders/updated"}) {
		t.Fatalf("topics = %v", got)
	}
	all := rc.deliveries()
	d := all[0]
	h := d.Header
	if got := h.Get("X-Shopify-Hmac-Sha256"); got != signature("secret-1", d.Body) {
		t.Errorf("X-Shopify-Hmac-Sha256 = %q, want the body's HMAC with the client secret", got)
	}
	if h.Get("Content-Type") != "application/json" || h.Get("X-Shopify-Shop-Domain") != "returns-demo.myshopify.com" ||
		h.Get("X-Shopify-API-Version") != "2026-04" {
		t.Errorf("headers = %v", h)
	}
	if !uuidPattern.MatchString(h.Get("X-Shopify-Webhook-Id")) || !uuidPattern.MatchString(h.Get("X-Shopify-Event-Id")) {
		t.Errorf("ids = %q, %q", h.Get("X-Shopify-Webhook-Id"), h.Get("X-Shopify-Event-Id"))
	}
	if at, err := time.Parse(time.RFC3339Nano, h.Get("X-Shopify-Triggered-At")); err != nil || !at.Equal(now) {
		t.Errorf("X-Shopify-Triggered-At = %q (%v), want the shop's clock", h.Get("X-Shopify-Triggered-At"), err)
	}
	if all[1].Header.Get("X-Shopify-Webhook-Id") == h.Get("X-Shopify-Webhook-Id") || all[1].Header.Get("X-Shopify-Event-Id") == h.Get("X-Shopify-Event-Id") {
		t.Error("two events share an id")
	}

	var refund struct {
		ID                int64  `json:"id"`
		AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
		OrderID           int64  `json:"order_id"`
		Note              string `json:"note"`
		Transactions      []struct {
			Kind, Status, Amount, Currency string
			ParentID                       int64 `json:"parent_id"`
		} `json:"transactions"`
	}
	if err := json.Unmarshal(d.Body, &refund); err != nil {
		t.Fatal(err)
	}
	if refund.AdminGraphqlAPIID != id || refund.OrderID != 1001 || refund.Note != "Return R-1" || len(refund.Transactions) != 1 {
		t.Fatalf("payload = %s", d.Body)
	}
	if tx := refund.Transactions[0]; tx.Kind != "refund" || tx.Status != "success" || tx.Amount != "29.00" || tx.Currency != "EUR" || tx.ParentID != 1001 {
		t.Fatalf("transaction = %+v", tx)
	}

	var order struct {
		AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
		FinancialStatus   string `json:"financial_status"`
		Refunds           []json.RawMessage
	}
	if err := json.Unmarshal(all[1].Body, &order); err != nil {
		t.Fatal(err)
	}
	if order.AdminGraphqlAPIID != "gid://shopify/Order/1001" || order.FinancialStatus != "partially_refunded" || len(order.Refunds) != 1 {
		t.Fatalf("orders/updated payload = %s", all[1].Body)
	}
}

func TestWebhookDelivery_NoteAndTags(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{})
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")

	query(t, shop, `mutation { orderUpdate(input: {id: "gid://shopify/Order/1002", note: "Return R-1 requested"}) { userErrors { message } } }`, nil)
	query(t, shop, `mutation { tagsAdd(id: "gid://shopify/Order/1002", tags: ["returns"]) { userErrors { message } } }`, nil)
	// Neither changes anything the second time: no webhook.
	query(t, shop, `mutation { orderUpdate(input: {id: "gid://shopify/Order/1002", note: "Return R-1 requested"}) { userErrors { message } } }`, nil)
	query(t, shop, `mutation { tagsAdd(id: "gid://shopify/Order/1002", tags: ["Returns"]) { userErrors { message } } }`, nil)
	waitWebhooks(t, shop)

	got := rc.deliveries()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2", len(got))
	}
	var last struct{ Note, Tags string }
	if err := json.Unmarshal(got[1].Body, &last); err != nil {
		t.Fatal(err)
	}
	if last.Note != "Return R-1 requested" || last.Tags != "returns" {
		t.Fatalf("payload = %s", got[1].Body)
	}
}

func TestWebhookDelivery_Retries(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{Webhooks: fastRetries})
	rc := newReceiver(t, 500, 503)
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")
	if err := shop.SetNote("#1001", "a"); err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, shop)

	got := rc.deliveries()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3 (two failures, then accepted)", len(got))
	}
	for _, d := range got[1:] {
		if d.Header.Get("X-Shopify-Webhook-Id") != got[0].Header.Get("X-Shopify-Webhook-Id") ||
			d.Header.Get("X-Shopify-Triggered-At") != got[0].Header.Get("X-Shopify-Triggered-At") || string(d.Body) != string(got[0].Body) {
			t.Fatal("a retry is not the same delivery")
		}
	}
	var statuses []int
	for _, a := range shop.WebhookDeliveries() {
		statuses = append(statuses, a.Status)
	}
	if !slices.Equal(statuses, []int{500, 503, 200}) {
		t.Fatalf("attempts = %v", statuses)
	}

	t.Run("gives up after the schedule", func(t *testing.T) {
		shop, _ := appShop(t, devshop.Options{Webhooks: fastRetries})
		rc := newReceiver(t, 500, 500, 500, 500, 500)
		mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")
		if err := shop.SetNote("#1001", "a"); err != nil {
			t.Fatal(err)
		}
		waitWebhooks(t, shop)
		if n := len(rc.deliveries()); n != 1+len(fastRetries.RetryDelays) {
			t.Fatalf("%d attempts, want %d", n, 1+len(fastRetries.RetryDelays))
		}
	})

	t.Run("no answer in time", func(t *testing.T) {
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(200 * time.Millisecond)
		}))
		defer slow.Close()
		opts := fastRetries
		opts.Timeout = 20 * time.Millisecond
		opts.RetryDelays = opts.RetryDelays[:1]
		shop, _ := appShop(t, devshop.Options{Webhooks: opts})
		mustSubscribe(t, shop, slow.URL, "ORDERS_UPDATED")
		if err := shop.SetNote("#1001", "a"); err != nil {
			t.Fatal(err)
		}
		waitWebhooks(t, shop)
		attempts := shop.WebhookDeliveries()
		if len(attempts) != 2 {
			t.Fatalf("%d attempts, want 2", len(attempts))
		}
		for _, a := range attempts {
			if a.Status != 0 || a.Err == "" {
				t.Fatalf("attempt = %+v, want a failure without status", a)
			}
		}
	})
}

func TestWebhookDelivery_DuplicateAndOutOfOrder(t *testing.T) {
	shop, clk := appShop(t, devshop.Options{})
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")

	shop.DuplicateWebhooks(1)
	if err := shop.SetNote("#1001", "first"); err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, shop)
	got := rc.deliveries()
	if len(got) != 2 || got[0].Header.Get("X-Shopify-Webhook-Id") != got[1].Header.Get("X-Shopify-Webhook-Id") || string(got[0].Body) != string(got[1].Body) {
		t.Fatalf("%d deliveries, want the same one twice", len(got))
	}

	release := shop.HoldWebhooks()
	for _, note := range []string{"second", "third"} {
		clk.Add(time.Second)
		if err := shop.SetNote("#1001", note); err != nil {
			t.Fatal(err)
		}
	}
	waitWebhooks(t, shop)
	if n := len(rc.deliveries()); n != 2 || shop.PendingWebhooks() != 2 {
		t.Fatalf("%d delivered and %d pending while held, want 2 and 2", n, shop.PendingWebhooks())
	}
	release(true)
	waitWebhooks(t, shop)
	got = rc.deliveries()[2:]
	var notes []string
	for _, d := range got {
		var o struct{ Note string }
		if err := json.Unmarshal(d.Body, &o); err != nil {
			t.Fatal(err)
		}
		notes = append(notes, o.Note)
	}
	if !slices.Equal(notes, []string{"third", "second"}) {
		t.Fatalf("notes = %v, want the later change first", notes)
	}
	first, _ := time.Parse(time.RFC3339Nano, got[0].Header.Get("X-Shopify-Triggered-At"))
	second, _ := time.Parse(time.RFC3339Nano, got[1].Header.Get("X-Shopify-Triggered-At"))
	if !first.After(second) {
		t.Fatalf("triggered at %v then %v: the first delivered should be the later event", first, second)
	}
}

func TestWebhookDelivery_LegacySecret(t *testing.T) {
	shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, AccessToken: "shpat_test", WebhookSecret: "shared-secret"})
	t.Cleanup(shop.Close)
	rc := newReceiver(t)
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")
	if err := shop.SetNote("#1001", "a"); err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, shop)
	d := rc.deliveries()[0]
	if d.Header.Get("X-Shopify-Hmac-Sha256") != signature("shared-secret", d.Body) {
		t.Fatal("not signed with the webhook secret")
	}
}

func TestClose_StopsDeliveries(t *testing.T) {
	shop, _ := appShop(t, devshop.Options{Webhooks: devshop.WebhookOptions{RetryDelays: []time.Duration{time.Hour}}})
	rc := newReceiver(t, 500)
	mustSubscribe(t, shop, rc.URL, "ORDERS_UPDATED")
	if err := shop.SetNote("#1001", "a"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(shop.WebhookDeliveries()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		shop.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while a retry waited an hour")
	}
}
