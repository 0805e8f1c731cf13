package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// devshopProcess is `returns-portal devshop` run as its own process, as a
// merchant's staging setup or a newcomer would run it.
type devshopProcess struct {
	t    *testing.T
	base string
}

// startDevshop runs `returns-portal devshop` with args on a free port and
// waits until it answers.
func startDevshop(t *testing.T, args ...string) *devshopProcess {
	t.Helper()
	addr := "127.0.0.1:" + freePort(t)
	cmd := exec.Command(portalBinary(t), append([]string{"devshop", "--addr", addr}, args...)...)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("devshop log:\n%s", logs.String())
		}
	})
	d := &devshopProcess{t: t, base: "http://" + addr}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(d.base + "/_devshop/app"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("devshop did not answer within 20s:\n%s", logs.String())
		}
	}
}

// get reads one of the inspection API's JSON answers into v.
func (d *devshopProcess) get(path string, v any) {
	d.t.Helper()
	res, err := http.Get(d.base + path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		d.t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		d.t.Fatalf("GET %s: %v", path, err)
	}
}

// TestClientCredentialsAgainstDevshop runs the portal against `returns-portal
// devshop` as against a store with a Dev Dashboard app whose tokens live two
// seconds: customers keep finding their orders, and staff refund, across
// several renewals.
func TestClientCredentialsAgainstDevshop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the portal and the demo store as child processes")
	}
	const clientID = "linen-co-returns"
	secret := randomHex(16)
	shop := startDevshop(t, "--client-id", clientID, "--client-secret", secret, "--token-ttl", "2s")
	p := startChildPortal(t, []string{"SHOPIFY_SHOP=linen-co", "SHOPIFY_CLIENT_ID=" + clientID,
		"SHOPIFY_CLIENT_SECRET=" + secret, "SHOPIFY_ENDPOINT=" + shop.base})

	// At least four tokens' lifetimes of lookups, each of which asks Shopify.
	lookups := 0
	for end := time.Now().Add(9 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		res, body := p.post(p.browser(), "/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/order" {
			t.Fatalf("lookup %d: %d %q\n%s", lookups+1, res.StatusCode, res.Header.Get("Location"), body)
		}
		lookups++
	}

	// The whole flow, on whichever token is current by now.
	code := p.returnScarf()
	staff := p.staff()
	if res, _ := p.post(staff, "/admin/returns/"+code+"/approve", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	key := p.refundKey(staff, code)
	if res, body := p.post(staff, "/admin/returns/"+code+"/refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {"The scarf came back worn."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund: %d\n%s", res.StatusCode, body)
	}
	var order devshop.OrderSnapshot
	shop.get("/_devshop/orders/1002", &order)
	if len(order.Refunds) != 1 || order.TotalRefunded != "29.00" {
		t.Fatalf("#1002 at the demo store: %d refunds, %s refunded; want one of 29.00", len(order.Refunds), order.TotalRefunded)
	}

	var app devshop.AppSnapshot
	shop.get("/_devshop/app", &app)
	granted := strings.Count(p.logs.String(), "shopify access token granted")
	t.Logf("%d lookups, %d token requests at the demo store, %d grants in the portal's log", lookups, app.TokenRequests, granted)
	if app.TokenRequests < 4 || granted < 4 {
		t.Errorf("%d token requests (%d granted) over more than 9 s of 2 s tokens; want at least 4", app.TokenRequests, granted)
	}
	if strings.Contains(p.logs.String(), secret) || strings.Contains(p.logs.String(), "shpat_") {
		t.Error("the portal's log holds the client secret or a token")
	}
	if strings.Contains(p.logs.String(), "level=ERROR") {
		t.Errorf("the portal logged errors:\n%s", p.logs.String())
	}
}
