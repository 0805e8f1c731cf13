package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// query runs a one-value query on the portal's database file.
func (p *childPortal) query(q string, args ...any) string {
	p.t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(p.dir, "portal.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	var v sql.NullString
	if err := db.QueryRow(q, args...).Scan(&v); err != nil && err != sql.ErrNoRows {
		p.t.Fatal(err)
	}
	return v.String
}

// TestReturnApprovedInShopifyAdmin: staff approve a portal return in Shopify
// admin (the demo store's merchant action); returns/approve reaches the
// portal, which moves its return to approved with a timeline event and the
// customer's approval email, once — also when the webhook comes again, and
// when a second event tells the same.
func TestReturnApprovedInShopifyAdmin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the portal as a child process")
	}
	p := newChildPortal(t)
	// The portal subscribes to the webhooks in the background at start
	// (slowly under -race); Shopify delivers only to subscriptions.
	waitUntil(t, "the portal subscribed to returns/approve", func() bool {
		for _, sub := range p.shop.WebhookSubscriptions() {
			if sub.Topic == "RETURNS_APPROVE" {
				return true
			}
		}
		return false
	})
	code := p.returnScarf()

	// The portal asked Shopify for the return in the background.
	var returnID string
	waitUntil(t, "the Shopify return is requested", func() bool {
		snap, _ := p.shop.OrderByName("#1002")
		if len(snap.Returns) == 1 && snap.Returns[0].Status == "REQUESTED" {
			returnID = snap.Returns[0].ID
			return true
		}
		return false
	})
	if _, err := p.shop.ApproveReturn(returnID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the portal's return is approved", func() bool {
		return p.query(`SELECT status FROM returns WHERE code = ?`, code) == "approved"
	})
	approvals := func() string {
		return p.query(`SELECT count(*) FROM outbox o JOIN returns r ON r.id = o.return_id WHERE r.code = ? AND o.kind = 'approved'`, code)
	}
	if n := approvals(); n != "1" {
		t.Fatalf("%s approval emails, want 1", n)
	}
	if msg := p.query(`SELECT e.message FROM events e JOIN returns r ON r.id = e.return_id WHERE r.code = ? AND e.type = 'approved'`, code); msg != "Approved in Shopify admin." {
		t.Fatalf("the approval event says %q", msg)
	}

	// The same delivery again (Shopify retries when it did not hear 200 in
	// time), and a second delivery of the same news under a new id.
	var approve []byte
	var webhookID string
	for _, d := range p.shop.WebhookDeliveries() {
		if d.Topic == "returns/approve" {
			approve, webhookID = d.Body, d.WebhookID
		}
	}
	if approve == nil {
		t.Fatalf("no returns/approve delivered: %+v", p.shop.WebhookDeliveries())
	}
	for _, id := range []string{webhookID, "a-second-event-of-the-same-approval"} {
		if status := p.deliver("returns/approve", id, approve); status != http.StatusOK {
			t.Fatalf("delivery %s answered %d", id, status)
		}
	}
	// The portal applies what it stored at once; give it the time to.
	time.Sleep(300 * time.Millisecond)
	if n := approvals(); n != "1" {
		t.Fatalf("%s approval emails after the webhook came again, want 1", n)
	}
	if n := p.query(`SELECT count(*) FROM events e JOIN returns r ON r.id = e.return_id WHERE r.code = ? AND e.type = 'approved'`, code); n != "1" {
		t.Fatalf("%s approval events, want 1", n)
	}
	if s := p.query(`SELECT shopify_return_status FROM returns WHERE code = ?`, code); s != "OPEN" {
		t.Fatalf("the portal sees the Shopify return as %q, want OPEN", s)
	}
}

// deliver posts a webhook to the portal as the demo store would, signed with
// its secret, and returns the status answered.
func (p *childPortal) deliver(topic, webhookID string, body []byte) int {
	p.t.Helper()
	mac := hmac.New(sha256.New, []byte(childWebhookSecret))
	mac.Write(body)
	req, _ := http.NewRequest("POST", p.base+"/webhooks/shopify", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Shopify-Shop-Domain", "crash-test.myshopify.com")
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
