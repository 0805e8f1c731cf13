package main

import (
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ledger reads the portal's refund ledger straight from its database file.
func (p *childPortal) ledger() (states []string, shopifyIDs []string) {
	p.t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(p.dir, "portal.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT state, coalesce(shopify_id, '') FROM refunds ORDER BY id`)
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var state, id string
		rows.Scan(&state, &id)
		states, shopifyIDs = append(states, state), append(shopifyIDs, id)
	}
	return states, shopifyIDs
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRefundSurvivesKill9 kills the portal at each point of a refund and checks
// that after a restart the reconciler leaves exactly one refund at Shopify and a
// ledger that matches it.
func TestRefundSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the portal as a child process")
	}
	for _, tc := range []struct {
		name string
		// arrange sets the demo store up so that the refund stops at the point,
		// and returns what to wait for before the kill, and what to undo after.
		arrange func(p *childPortal) (reached func() bool, undo func())
	}{
		{"before the Shopify call", func(p *childPortal) (func() bool, func()) {
			release := p.shop.HoldMutations()
			return func() bool { return p.shop.Waiting() > 0 }, release
		}},
		{"after Shopify committed, before the local commit", func(p *childPortal) (func() bool, func()) {
			p.shop.SetCommitDelay(time.Minute)
			return func() bool { return p.shop.RefundCount("#1002") == 1 }, func() { p.shop.SetCommitDelay(0) }
		}},
		{"after the local commit", func(p *childPortal) (func() bool, func()) {
			return func() bool {
				states, _ := p.ledger()
				return len(states) == 1 && states[0] == "succeeded"
			}, func() {}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newChildPortal(t)
			code := p.returnScarf()
			staff := p.staff()
			if res, _ := p.post(staff, "/admin/returns/"+code+"/approve", nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("approve: %d", res.StatusCode)
			}
			key := p.refundKey(staff, code)

			reached, undo := tc.arrange(p)
			go func() {
				// The answer may never come: the portal is killed meanwhile.
				req, _ := http.NewRequest("POST", p.base+"/admin/returns/"+code+"/refund", strings.NewReader(url.Values{"amount": {"29.00"}, "key": {key}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if res, err := staff.Do(req); err == nil {
					res.Body.Close()
				}
			}()
			waitUntil(t, "the refund reaches the point", reached)
			p.kill()
			undo()

			p.start()
			waitUntil(t, "the reconciler settles the refund", func() bool {
				states, _ := p.ledger()
				return len(states) == 1 && states[0] == "succeeded"
			})
			snap, _ := p.shop.OrderByName("#1002")
			if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "29.00" {
				t.Fatalf("the demo store holds refunds %+v, want exactly one of 29.00", snap.Refunds)
			}
			_, ids := p.ledger()
			if ids[0] != snap.Refunds[0].ID {
				t.Fatalf("the ledger says %s, Shopify has %s", ids[0], snap.Refunds[0].ID)
			}
			// The return shows as refunded to staff.
			staff = p.staff()
			if _, page := p.get(staff, "/admin/returns/"+code); !strings.Contains(page, "Refunded") && !strings.Contains(page, "refunded") {
				t.Fatalf("the return page after the restart does not show the refund")
			}
		})
	}
}
