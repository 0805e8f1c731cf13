package handlers_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/app"
	"github.com/returnsportal/returns/db"
	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/paths"
)

// sign is the X-Shopify-Hmac-Sha256 of body under secret.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// postWebhook posts a delivery as Shopify does: no cookie, no Origin, the
// topic, webhook id and signature headers (hmac "" for none).
func (h *harness) postWebhook(topic, id string, body io.Reader, hmac string) answer {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+paths.ShopifyWebhooks, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(returns.HeaderWebhookTopic, topic)
	req.Header.Set(returns.HeaderWebhookID, id)
	req.Header.Set(returns.HeaderWebhookShopDomain, "returns-demo.myshopify.com")
	req.Header.Set(returns.HeaderWebhookTriggeredAt, time.Now().UTC().Format(time.RFC3339Nano))
	if hmac != "" {
		req.Header.Set(returns.HeaderWebhookHMAC, hmac)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: string(b)}
}

// inbox returns the webhooks of a topic in the inbox.
func (h *harness) inbox(topic string) []returns.InboxWebhook {
	h.t.Helper()
	ws, err := h.store.Webhooks(context.Background(), topic)
	if err != nil {
		h.t.Fatal(err)
	}
	return ws
}

// subscribe makes the portal's subscriptions at the demo store, at the
// harness's address, as the server does at start.
func (h *harness) subscribe() {
	h.t.Helper()
	setup, err := h.app.EnsureWebhooks(context.Background(), h.srv.URL)
	if err != nil || len(setup.Created) != len(returns.SubscribedTopics) {
		h.t.Fatalf("EnsureWebhooks = %+v, %v", setup, err)
	}
}

// deliver waits until the demo store has delivered what it queued, and the
// portal has applied it.
func (h *harness) deliver() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.shop.WaitWebhooks(ctx); err != nil {
		h.t.Fatalf("the demo store's webhooks: %v", err)
	}
	h.app.Events.ProcessInbox(context.Background())
}

// orderUpdatedBody is an orders/updated payload of #1001 in Shopify's shape,
// updated at at.
func orderUpdatedBody(at time.Time) []byte {
	return []byte(`{"id":1001,"admin_graphql_api_id":"gid://shopify/Order/1001","name":"#1001","note":"Call first","tags":"vip","updated_at":"` +
		at.UTC().Format(time.RFC3339) + `","cancelled_at":null,"financial_status":"paid"}`)
}

// TestWebhookSignature: a delivery is stored only when its HMAC holds for
// the raw body under the webhook secret; everything else is 401 (413 past
// the body limit) and stores nothing.
func TestWebhookSignature(t *testing.T) {
	h := newHarness(t, nil)
	body := orderUpdatedBody(time.Now())
	tampered := bytes.Replace(body, []byte("Call first"), []byte("Call never"), 1)
	big := append(append([]byte(`{"note":"`), bytes.Repeat([]byte("x"), 1<<20)...), []byte(`"}`)...)
	noSecret := h.reconfigured(func(c *handlers.Config) { c.WebhookSecret = "" })

	tests := []struct {
		name   string
		h      *harness
		body   io.Reader
		hmac   string
		status int
	}{
		{"WrongSecret", h, bytes.NewReader(body), sign("another-secret", body), http.StatusUnauthorized},
		{"TamperedBody", h, bytes.NewReader(tampered), sign(webhookSecret, body), http.StatusUnauthorized},
		{"NoSignature", h, bytes.NewReader(body), "", http.StatusUnauthorized},
		{"NotBase64", h, bytes.NewReader(body), "not base64!", http.StatusUnauthorized},
		{"NoSecretConfigured", noSecret, bytes.NewReader(body), sign("", body), http.StatusUnauthorized},
		{"OverTheLimit", h, bytes.NewReader(big), sign(webhookSecret, big), http.StatusRequestEntityTooLarge},
		// Without a Content-Length the limit is met while reading.
		{"OverTheLimitChunked", h, io.MultiReader(bytes.NewReader(big)), sign(webhookSecret, big), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.h.postWebhook(returns.TopicOrdersUpdated, "w-"+tc.name, tc.body, tc.hmac)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if n := len(h.inbox(returns.TopicOrdersUpdated)); n != 0 {
				t.Fatalf("%d webhooks stored", n)
			}
		})
	}

	a := h.postWebhook(returns.TopicOrdersUpdated, "w-good", bytes.NewReader(body), sign(webhookSecret, body))
	if a.status != http.StatusOK {
		t.Fatalf("a good signature: %d %s", a.status, a.body)
	}
	ws := h.inbox(returns.TopicOrdersUpdated)
	if len(ws) != 1 || ws[0].WebhookID != "w-good" || !bytes.Equal(ws[0].Body, body) || ws[0].OrderID != "gid://shopify/Order/1001" || ws[0].State != returns.InboxPending {
		t.Fatalf("stored %+v", ws)
	}
	if cookies := a.header.Values("Set-Cookie"); len(cookies) != 0 {
		t.Errorf("the answer sets cookies: %v", cookies)
	}
}

// TestWebhookAnswers: a topic the portal does not use is answered 200 and not
// stored; a signed payload that cannot be read is stored as failed and
// answered 200, so Shopify does not send it again; the same delivery twice
// is stored and applied once.
func TestWebhookAnswers(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	other := []byte(`{"id":1}`)
	if a := h.postWebhook("products/update", "w-1", bytes.NewReader(other), sign(webhookSecret, other)); a.status != http.StatusOK {
		t.Errorf("an unused topic: %d", a.status)
	}
	if n := len(h.inbox("products/update")); n != 0 {
		t.Errorf("an unused topic was stored")
	}
	garbage := []byte(`{"id": "not a number"`)
	if a := h.postWebhook(returns.TopicRefundsCreate, "w-2", bytes.NewReader(garbage), sign(webhookSecret, garbage)); a.status != http.StatusOK {
		t.Errorf("an unreadable payload: %d", a.status)
	}
	if ws := h.inbox(returns.TopicRefundsCreate); len(ws) != 1 || ws[0].State != returns.InboxFailed || ws[0].LastError == "" {
		t.Errorf("the unreadable payload is stored as %+v", ws)
	}

	body := orderUpdatedBody(time.Now())
	for range 2 {
		if a := h.postWebhook(returns.TopicOrdersUpdated, "w-3", bytes.NewReader(body), sign(webhookSecret, body)); a.status != http.StatusOK {
			t.Fatalf("status %d", a.status)
		}
	}
	h.app.Events.ProcessInbox(ctx)
	if ws := h.inbox(returns.TopicOrdersUpdated); len(ws) != 1 || ws[0].State != returns.InboxApplied {
		t.Errorf("the same delivery twice: %+v", ws)
	}
}

// TestOrdersUpdatedOutOfOrder: an orders/updated delivered after a newer one
// of the same order was applied is stale and not applied.
func TestOrdersUpdatedOutOfOrder(t *testing.T) {
	h := newHarness(t, nil)
	at := time.Now().Truncate(time.Second)
	newer, older := orderUpdatedBody(at), orderUpdatedBody(at.Add(-time.Minute))
	h.postWebhook(returns.TopicOrdersUpdated, "newer", bytes.NewReader(newer), sign(webhookSecret, newer))
	h.app.Events.ProcessInbox(context.Background())
	h.postWebhook(returns.TopicOrdersUpdated, "older", bytes.NewReader(older), sign(webhookSecret, older))
	h.app.Events.ProcessInbox(context.Background())
	states := map[string]returns.InboxState{}
	for _, w := range h.inbox(returns.TopicOrdersUpdated) {
		states[w.WebhookID] = w.State
	}
	if states["newer"] != returns.InboxApplied || states["older"] != returns.InboxStale {
		t.Errorf("states %v, want the newer applied and the older stale", states)
	}
}

// TestWebhookBodyLimitUnread: a delivery that announces a body over the limit
// is refused before any of it is read.
func TestWebhookBodyLimitUnread(t *testing.T) {
	h := newHarness(t, nil)
	body := &countingReader{r: strings.NewReader("{}")}
	req := httptest.NewRequest("POST", paths.ShopifyWebhooks, body)
	req.ContentLength = 2 << 20
	req.Header.Set(returns.HeaderWebhookTopic, returns.TopicOrdersUpdated)
	rec := serve(handlers.NewServer(h.cfg, h.app.Services()), req)
	if rec.Code != http.StatusRequestEntityTooLarge || body.n != 0 {
		t.Errorf("status %d after reading %d bytes; want 413 before reading", rec.Code, body.n)
	}
}

// countingReader counts what is read of r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// approvedScarf is a return of the wool scarf of #1002 (49.00 EUR), approved
// by staff signed in with c.
func (h *harness) approvedScarf(c *http.Client) string {
	h.t.Helper()
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", url.Values{}); a.status != http.StatusSeeOther {
		h.t.Fatalf("approve: %d %s", a.status, a.body)
	}
	return code
}

// refundedEmails counts the customer's "refunded" emails of a return.
func (h *harness) refundedEmails(code string) int {
	h.t.Helper()
	ms, err := h.store.OutboxMessages(context.Background(), "", 0, 500)
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == returns.EmailRefunded && strings.HasPrefix(m.DedupeKey, code+":") {
			n++
		}
	}
	return n
}

// TestMerchantRefundAtTheDemoStore: a refund the merchant makes in the demo
// store's admin, delivered by its signed webhook (each delivery twice) to the
// subscription the portal made, shows on the return's timeline and ledger,
// lowers what the refund form offers by its amount, and the refund that
// covers the return moves it to refunded with one "refunded" email.
func TestMerchantRefundAtTheDemoStore(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.approvedScarf(c)
	h.subscribe()
	if _, offered := refundKey(t, h, c, code); offered != "49.00" {
		t.Fatalf("the form offers %s before, want 49.00", offered)
	}

	h.shop.DuplicateWebhooks(100)
	if _, err := h.shop.MerchantRefund("#1002", "10.00", "Goodwill"); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	refunds := h.inbox(returns.TopicRefundsCreate)
	deliveries := 0
	for _, d := range h.shop.WebhookDeliveries() {
		if d.Topic == returns.TopicRefundsCreate && d.WebhookID == refunds[0].WebhookID && d.Status == http.StatusOK {
			deliveries++
		}
	}
	if len(refunds) != 1 || deliveries != 2 {
		t.Fatalf("refunds/create delivered %d times, stored %d times; want 2 and 1", deliveries, len(refunds))
	}
	live := h.assertLedger(code, 1)
	if r := live[0]; r.Amount != (returns.Money{Minor: 1000, Currency: "EUR"}) || r.Source != returns.RefundFromShopify || r.State != returns.RefundSucceeded ||
		r.StaffID != 0 || !strings.HasPrefix(r.ShopifyID, "gid://shopify/Refund/") || r.IdempotencyKey != returns.ShopRefundKey(r.ShopifyID) {
		t.Fatalf("booked %+v", r)
	}
	page := h.get(c, "/admin/returns/"+code)
	for _, want := range []string{"Refunded in Shopify admin", "made in Shopify admin", "Refund €10.00 of "} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the return's page lacks %q", want)
		}
	}
	if strings.Contains(page.body, live[0].ShopifyID) {
		t.Errorf("the return's page shows Shopify's id %s, not the refund's amount and day", live[0].ShopifyID)
	}
	if _, offered := refundKey(t, h, c, code); offered != "39.00" {
		t.Fatalf("the form offers %s after 10.00 refunded in Shopify admin, want 39.00", offered)
	}
	if st := h.returnStatus(code); st != returns.StatusApproved || h.refundedEmails(code) != 0 {
		t.Fatalf("a part refund: status %s, %d emails", st, h.refundedEmails(code))
	}

	if _, err := h.shop.MerchantRefund("#1002", "39.00", "The rest"); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	h.assertLedger(code, 2)
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Fatalf("status %s once the refunds cover the return", st)
	}
	if n := h.refundedEmails(code); n != 1 {
		t.Errorf("%d refunded emails, want 1", n)
	}
	// The periodic pass finds both refunds known.
	h.app.Events.Sweep(context.Background())
	h.assertLedger(code, 2)
	if n := h.refundedEmails(code); n != 1 {
		t.Errorf("%d refunded emails after the periodic pass, want 1", n)
	}
	o, _ := h.shop.OrderByName("#1002")
	if !strings.Contains(o.Note, code+": refunded 49.00 EUR (in Shopify admin)") {
		t.Errorf("the order's note is %q", o.Note)
	}
}

// TestPortalRefundWebhook: the refunds/create of the portal's own refund is
// taken as the portal's: nothing more is booked.
func TestPortalRefundWebhook(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.approvedScarf(c)
	h.subscribe()
	key, _ := refundKey(t, h, c, code)
	if a := h.action(c, code, "refund", url.Values{"key": {key}, "amount": {"49.00"}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: %d %s", a.status, a.body)
	}
	h.deliver()
	if r := h.assertLedger(code, 1)[0]; r.Source != returns.RefundFromPortal || r.State != returns.RefundSucceeded {
		t.Errorf("ledger %+v", r)
	}
	if ws := h.inbox(returns.TopicRefundsCreate); len(ws) != 1 || ws[0].State != returns.InboxApplied {
		t.Errorf("inbox %+v", ws)
	}
	if n := h.refundedEmails(code); n != 1 {
		t.Errorf("%d refunded emails", n)
	}
}

// TestRestartWithUnprocessedWebhooks: webhooks stored and answered by a
// portal that stopped before it applied them are applied once by the next
// process over the same database file, and a third applies nothing more.
func TestRestartWithUnprocessedWebhooks(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.approvedScarf(c)
	h.subscribe()
	if _, err := h.shop.MerchantRefund("#1002", "49.00", "Goodwill"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.shop.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	stored := len(h.inbox(returns.TopicRefundsCreate)) + len(h.inbox(returns.TopicOrdersUpdated))
	if stored < 2 {
		t.Fatalf("%d webhooks stored", stored)
	}
	h.assertLedger(code, 0)
	// What the demo store tells from now on (the write-back's
	// orders/updated) is held back, so that only the restart applies what
	// waits in the inbox.
	release := h.shop.HoldWebhooks()
	defer release(false)

	// The process stops: its database is closed, nothing was applied.
	if err := h.store.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		store, err := db.Open(context.Background(), h.dbPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		store.SetWithdrawalLogKey([]byte("test-log-key-0123456789"))
		h.store, h.deps.Store = store, store
		h.rebuild()
		runFor(t, h.app, func() bool {
			for _, topic := range []string{returns.TopicRefundsCreate, returns.TopicOrdersUpdated} {
				for _, w := range h.inbox(topic) {
					if w.State == returns.InboxPending {
						return false
					}
				}
			}
			return true
		})
		h.assertLedger(code, 1)
		if st := h.returnStatus(code); st != returns.StatusRefunded || h.refundedEmails(code) != 1 {
			t.Fatalf("after the restart: %s, %d emails", st, h.refundedEmails(code))
		}
		store.Close()
	}
}

// runFor runs a's background work until done holds (10 s at most) and stops
// it.
func runFor(t *testing.T, a *app.App, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	a.Run(ctx, &wg)
	defer func() {
		cancel()
		wg.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the background work")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// staffAddress makes addr the store's staff address, which hears of the shop.
func (h *harness) staffAddress(addr string) {
	h.t.Helper()
	ctx := context.Background()
	st, err := h.app.Settings.Settings(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	st.StaffEmail = addr
	if err := h.app.Settings.UpdateSettings(ctx, st, "test"); err != nil {
		h.t.Fatal(err)
	}
}

// TestUninstallAtTheDemoStore: once the merchant uninstalls the app at the
// demo store, the portal makes no call to Shopify (customers see the usual
// page, staff the reason), shows a banner on every backoffice page and
// emails staff once; the connection check that finds it installed again lets
// it call Shopify again.
func TestUninstallAtTheDemoStore(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	c := h.staff("kim@example.com")
	h.staffAddress("team@shop.example")
	code := h.approvedScarf(c)
	other := h.damagedTowel()
	// A refund of the lamp of #1005 whose outcome is not known: the
	// reconciler would ask Shopify about it.
	lamp := h.submitReturn("1005", "lee.jordan@example.com", "Desk lamp", field("kind", "dissatisfied"), field("reason", "doesnt_fit"))
	if a := h.action(c, lamp, "approve", url.Values{}); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	h.shop.FailMutations(10, http.StatusBadGateway)
	h.action(c, lamp, "refund", url.Values{"key": {"fedcba9876543210fedcba9876543210"}, "amount": {"64.00"}})
	h.shop.FailMutations(0, 0)
	if refs := h.assertLedger(lamp, 1); refs[0].State != returns.RefundUnknown {
		t.Fatalf("the lamp's refund is %s, want unknown", refs[0].State)
	}
	h.subscribe()

	h.shop.DuplicateWebhooks(100)
	h.shop.Uninstall()
	h.deliver()
	requests := h.shopRequests.Load()

	const banner = "app was uninstalled from the Shopify store"
	for _, path := range []string{"/admin", "/admin/settings", "/admin/outbox", "/admin/returns/" + code} {
		if a := h.get(c, path); !strings.Contains(a.body, banner) {
			t.Errorf("%s has no banner (status %d)", path, a.status)
		}
	}
	a := h.action(c, code, "refund", url.Values{"key": {"0123456789abcdef0123456789abcdef"}, "amount": {"49.00"}})
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "uninstalled from the Shopify store") {
		t.Errorf("a refund while uninstalled: %d", a.status)
	}
	if a := h.action(c, other, "approve", url.Values{}); a.status != http.StatusSeeOther {
		t.Errorf("an approval while uninstalled: %d", a.status)
	}
	customer := h.client()
	a = h.postForm(customer, "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "The shop is not answering right now") || strings.Contains(a.body, "uninstalled") {
		t.Errorf("a customer's lookup while uninstalled: %d", a.status)
	}
	h.app.Writer.Flush(ctx)
	h.app.Refunds.ReconcileRefunds(ctx)
	h.app.Events.Sweep(ctx)
	if n := h.shopRequests.Load(); n != requests {
		t.Errorf("%d requests reached the demo store while the app is uninstalled", n-requests)
	}

	ms, _ := h.store.OutboxMessages(ctx, "", 0, 500)
	notices := 0
	for _, m := range ms {
		if m.Kind == returns.EmailStaffAppUninstalled {
			notices++
			if m.To != "team@shop.example" || !strings.Contains(m.Text, "uninstalled") {
				t.Errorf("notice %+v", m)
			}
		}
	}
	if notices != 1 {
		t.Errorf("%d staff notices, want 1", notices)
	}

	// The connection check asks Shopify itself: while the app is not
	// installed it does not reach the shop, and the portal stays stopped;
	// once it is, the check finds it and the portal calls Shopify again.
	if r, _ := h.app.Connection.Check(ctx); r.Reached || h.app.Events.UninstalledAt(ctx).IsZero() {
		t.Fatalf("a check while uninstalled: reached %v, portal stopped %v", r.Reached, !h.app.Events.UninstalledAt(ctx).IsZero())
	}
	h.shop.Install()
	if r, _ := h.app.Connection.Check(ctx); !r.Reached {
		t.Fatalf("the check does not reach the shop installed again: %v", r.Err)
	}
	if a := h.get(c, "/admin"); strings.Contains(a.body, banner) {
		t.Error("the banner stays after the reinstall")
	}
	// The uninstall deleted the subscriptions; they are made again.
	if subs := h.shop.WebhookSubscriptions(); len(subs) != len(returns.SubscribedTopics) {
		t.Errorf("subscriptions after the reinstall: %+v", subs)
	}
	h.lookup(customer, "1001", "anna.berzina@example.lv")
	h.app.Writer.Flush(ctx)
	o, _ := h.shop.OrderByName("#1001")
	if !strings.Contains(o.Note, other+":") || !strings.Contains(o.Note, "approved") {
		t.Errorf("the approval made while uninstalled is not written back once installed: %q", o.Note)
	}
}

// TestPeriodicPassFindsAHeldRefund: a refund whose webhook never came is
// found by the periodic pass, and the webhook arriving after books nothing
// more.
func TestPeriodicPassFindsAHeldRefund(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.approvedScarf(c)
	h.subscribe()
	release := h.shop.HoldWebhooks()
	if _, err := h.shop.MerchantRefund("#1002", "49.00", "Goodwill"); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	if n := len(h.inbox(returns.TopicRefundsCreate)); n != 0 {
		t.Fatalf("a held webhook arrived")
	}
	h.app.Events.Sweep(context.Background())
	h.assertLedger(code, 1)
	if st := h.returnStatus(code); st != returns.StatusRefunded || h.refundedEmails(code) != 1 {
		t.Fatalf("after the periodic pass: %s, %d emails", st, h.refundedEmails(code))
	}
	release(true)
	h.deliver()
	if ws := h.inbox(returns.TopicRefundsCreate); len(ws) != 1 || ws[0].State != returns.InboxApplied {
		t.Errorf("the late webhook: %+v", ws)
	}
	h.assertLedger(code, 1)
	if n := h.refundedEmails(code); n != 1 {
		t.Errorf("%d refunded emails", n)
	}
}

// TestComplianceWebhooksAtTheDemoStore: Shopify's customers/data_request
// reaches staff with the customer's orders and returns, and customers/redact
// erases the customer's data through the redaction service, and the inbox's
// copies of what it was told with them.
func TestComplianceWebhooksAtTheDemoStore(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.staffAddress("team@shop.example")
	code := h.dissatisfiedScarf()
	h.subscribe()

	if err := h.shop.SendCompliance(returns.TopicCustomersDataRequest, "sam.taylor@example.com"); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	ms, _ := h.store.OutboxMessages(ctx, "", 0, 500)
	var notice *returns.OutboxMessage
	for i := range ms {
		if ms[i].Kind == returns.EmailStaffDataRequest {
			notice = &ms[i]
		}
	}
	if notice == nil || notice.To != "team@shop.example" {
		t.Fatalf("no data request notice to staff: %+v", ms)
	}
	for _, want := range []string{"sam.taylor@example.com", code + " (order #1002)", "#1002", "gid://shopify/Order/1003 (no return in the portal)"} {
		if !strings.Contains(notice.Text, want) {
			t.Errorf("the notice lacks %q:\n%s", want, notice.Text)
		}
	}

	if err := h.shop.SendCompliance(returns.TopicCustomersRedact, "sam.taylor@example.com"); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if r.Email != returns.RedactedEmail {
		t.Errorf("the return's email is %q after customers/redact", r.Email)
	}
	for _, topic := range []string{returns.TopicCustomersRedact, returns.TopicCustomersDataRequest} {
		for _, w := range h.inbox(topic) {
			if w.State != returns.InboxApplied || len(w.Body) != 0 {
				t.Errorf("%s: %s with a body of %d bytes", topic, w.State, len(w.Body))
			}
		}
	}
}
