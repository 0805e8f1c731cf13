package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// testLogSecret is LOG_SECRET in the tests of verify-log.
const testLogSecret = "verify-log-test-secret-0123"

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
	store.SetWithdrawalLogKey([]byte(testLogSecret))
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

	env := envFunc(map[string]string{"DATA_DIR": dir, "LOG_SECRET": testLogSecret})
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

// TestVerifyLogLeavesTheFileAlone: verify-log opens the database read-only
// and does not migrate it: the file's bytes and time of change are the same
// after it, and its -wal file is empty; a file whose schema is older
// than the program's is refused with the advice to start the portal once,
// and is not migrated either; a missing file is not created.
func TestVerifyLogLeavesTheFileAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "portal.db")
	store, err := db.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	raw, err := sql.Open("sqlite3", file)
	if err != nil {
		t.Fatal(err)
	}
	var latest int
	if err := raw.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&latest); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// The file's time of change must be able to move between the two reads.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	snapshot := func() ([]byte, time.Time) {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return b, fi.ModTime()
	}
	b0, m0 := snapshot()
	env := envFunc(map[string]string{"DATA_DIR": dir, "LOG_SECRET": testLogSecret})
	var out bytes.Buffer
	if err := run(ctx, []string{"verify-log"}, env, nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("verify-log: %v", err)
	}
	b1, m1 := snapshot()
	if !bytes.Equal(b0, b1) || !m0.Equal(m1) {
		t.Errorf("verify-log changed the file: %d bytes at %v, then %d bytes at %v", len(b0), m0, len(b1), m1)
	}
	// A reader of a WAL file makes the -wal and -shm files when they are
	// missing (SQLite's locking needs them) and, read-only, cannot remove
	// them; it must write nothing into the -wal.
	if fi, err := os.Stat(file + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("verify-log wrote %d bytes to the -wal file", fi.Size())
	}

	// An older schema: the last migration not applied yet.
	raw, err = sql.Open("sqlite3", file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version = ?`, latest); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	b0, m0 = snapshot()
	err = run(ctx, []string{"verify-log"}, env, nil, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "start the portal once") {
		t.Errorf("verify-log on an older schema = %v, want the advice to start the portal once", err)
	}
	if b1, m1 := snapshot(); !bytes.Equal(b0, b1) || !m0.Equal(m1) {
		t.Error("verify-log changed (migrated?) a file with an older schema")
	}

	// No file: nothing is created.
	empty := t.TempDir()
	if err := run(ctx, []string{"verify-log"}, envFunc(map[string]string{"DATA_DIR": empty}), nil, &out, &bytes.Buffer{}); err == nil {
		t.Error("verify-log without a database succeeded")
	}
	if _, err := os.Stat(filepath.Join(empty, "portal.db")); err == nil {
		t.Error("verify-log created a database")
	}
}
