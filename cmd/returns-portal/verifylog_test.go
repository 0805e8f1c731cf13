package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// TestVerifyLogFindsAnEditedEntry: two withdrawals write two chained entries,
// which verify-log counts; the triggers refuse an update; an attacker with the
// file drops the trigger and edits the first statement's name, and verify-log
// fails naming entry 1.
func TestVerifyLogFindsAnEditedEntry(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "portal.db")
	store, err := db.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for i, order := range []string{"1001", "1002"} {
		r := &returns.Return{
			SubmissionKey: strings.Repeat("k", 16) + order, Code: returns.NewReturnCode(), OrderID: "gid://shopify/Order/" + order,
			OrderName: "#" + order, Email: "sam@example.com", Locale: "en", Kind: returns.KindWithdrawal,
			Resolution: returns.ResolutionRefund, Status: returns.StatusApproved, Currency: "EUR", CreatedAt: at, UpdatedAt: at,
			Items:      []returns.Item{{LineItemID: "gid://shopify/LineItem/" + order + "01", Title: "Wool scarf", Quantity: 1, UnitPrice: returns.Money{Minor: 4900, Currency: "EUR"}}},
			Withdrawal: &returns.WithdrawalStatement{Name: "Sam Taylor", Email: "sam@example.com", Channel: returns.WithdrawalOnline, MadeAt: at.Add(time.Duration(i) * time.Minute)},
		}
		ev := returns.Event{At: at, Actor: returns.ActorCustomer, Type: returns.EventWithdrawn, Status: returns.StatusApproved}
		wb := &returns.Writeback{OrderID: r.OrderID, NoteLine: "x", NextAt: at}
		if _, err := store.CreateReturn(ctx, r, map[string]int{r.Items[0].LineItemID: 1}, ev, wb, nil); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	env := envFunc(map[string]string{"DATA_DIR": dir})
	var out bytes.Buffer
	if err := run(ctx, []string{"verify-log"}, env, nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("verify-log on an intact log: %v", err)
	}
	if !strings.Contains(out.String(), "2 entries") {
		t.Errorf("verify-log said %q, want the count of 2 entries", out.String())
	}

	raw, err := sql.Open("sqlite3", file)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE withdrawal_log SET payload = replace(payload, 'Sam Taylor', 'Someone Else') WHERE seq = 1`); err == nil {
		t.Fatal("the log took an update")
	}
	if _, err := raw.Exec(`DELETE FROM withdrawal_log WHERE seq = 2`); err == nil {
		t.Fatal("the log took a deletion")
	}
	if _, err := raw.Exec(`DROP TRIGGER withdrawal_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE withdrawal_log SET payload = replace(payload, 'Sam Taylor', 'Someone Else') WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"verify-log"}, env, nil, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "entry 1:") {
		t.Errorf("verify-log after an edit of entry 1 = %v (printed %q), want it to name entry 1", err, out.String())
	}
}
