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

// ledgerRefund is one row of the portal's refund ledger.
type ledgerRefund struct {
	state, shopifyID, key string
}

// ledger reads the portal's refund ledger straight from its database file.
func (p *childPortal) ledger() []ledgerRefund {
	p.t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(p.dir, "portal.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT state, coalesce(shopify_id, ''), idempotency_key FROM refunds ORDER BY id`)
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	var refs []ledgerRefund
	for rows.Next() {
		var r ledgerRefund
		if err := rows.Scan(&r.state, &r.shopifyID, &r.key); err != nil {
			p.t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		p.t.Fatal(err)
	}
	return refs
}

// settled reports whether the ledger holds exactly one refund, succeeded.
func (p *childPortal) settled() bool {
	refs := p.ledger()
	return len(refs) == 1 && refs[0].state == "succeeded"
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
			return p.settled, func() {}
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
			// The refund goes on the return's Shopify return, which the
			// portal opened in the background when staff approved it; the
			// mutation held or delayed below is the refund's, not that one.
			waitUntil(t, "the Shopify return is open", func() bool {
				snap, _ := p.shop.OrderByName("#1002")
				return len(snap.Returns) == 1 && snap.Returns[0].Status == "OPEN"
			})

			reached, undo := tc.arrange(p)
			go func() {
				// The answer may never come: the portal is killed meanwhile.
				req, _ := http.NewRequest("POST", p.base+"/admin/returns/"+code+"/refund", strings.NewReader(url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {"The scarf came back worn."}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if res, err := staff.Do(req); err == nil {
					res.Body.Close()
				}
			}()
			waitUntil(t, "the refund reaches the point", reached)
			p.kill()
			undo()

			p.start()
			waitUntil(t, "the reconciler settles the refund", p.settled)
			snap, _ := p.shop.OrderByName("#1002")
			if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "29.00" {
				t.Fatalf("the demo store holds refunds %+v, want exactly one of 29.00", snap.Refunds)
			}
			ledger := p.ledger()
			if ledger[0].shopifyID != snap.Refunds[0].ID {
				t.Fatalf("the ledger says %s, Shopify has %s", ledger[0].shopifyID, snap.Refunds[0].ID)
			}
			// The refund was made by processing the return's Shopify return
			// (returnProcess, which takes no idempotency key): exactly once
			// holds if the return's one line was processed once, the refund
			// is the return's, and it carries the ledger's key (the form's)
			// in its note, never a fresh one.
			if ledger[0].key != key {
				t.Fatalf("the ledger's key is %q, the form's %q", ledger[0].key, key)
			}
			if len(snap.Returns) != 1 || len(snap.Returns[0].Refunds) != 1 || snap.Returns[0].Refunds[0] != snap.Refunds[0].ID {
				t.Fatalf("Shopify returns %+v, want one with the one refund", snap.Returns)
			}
			if l := snap.Returns[0].Lines; len(l) != 1 || l[0].Processed != 1 {
				t.Fatalf("Shopify return lines %+v, want the scarf processed once", l)
			}
			if !strings.Contains(snap.Refunds[0].Note, key) || len(snap.Refunds[0].Keys) != 0 {
				t.Fatalf("the refund's note %q and keys %q, want the ledger's key %q in the note", snap.Refunds[0].Note, snap.Refunds[0].Keys, key)
			}
			// The return shows as refunded to staff.
			staff = p.staff()
			if _, page := p.get(staff, "/admin/returns/"+code); !strings.Contains(page, "Refunded") && !strings.Contains(page, "refunded") {
				t.Fatalf("the return page after the restart does not show the refund")
			}
		})
	}
}
