package db_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// logEntry is one entry of the withdrawal log as a test reads it.
type logEntry struct {
	Code, Kind string
	Payload    map[string]any
}

// readLog returns the log's entries in order.
func readLog(t *testing.T, d *db.DB) []logEntry {
	t.Helper()
	entries, err := d.WithdrawalLog(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []logEntry
	for _, e := range entries {
		le := logEntry{Code: e.ReturnCode, Kind: e.Kind}
		if err := json.Unmarshal([]byte(e.Payload), &le.Payload); err != nil {
			t.Fatalf("entry %d: %v", e.Seq, err)
		}
		out = append(out, le)
	}
	return out
}

// withdrawal stores a withdrawal of one unit of L1, approved by being made,
// with its acknowledgement queued.
func withdrawal(t *testing.T, d *db.DB, key string) *returns.Return {
	t.Helper()
	r := newReturn(order1, key, item("L1", 1))
	r.Kind, r.Reason, r.Resolution, r.Status = returns.KindWithdrawal, "", returns.ResolutionRefund, returns.StatusApproved
	r.Withdrawal = &returns.WithdrawalStatement{Name: "Anna Bērziņa", Email: r.Email, Channel: returns.WithdrawalOnline, MadeAt: now}
	ack := email(r, returns.EmailWithdrawalAcknowledged)
	ack.Text = "We have received your statement: " + r.Code + " https://portal.example/returns/" + r.Code + "?t=0123456789abcdef0123456789abcdef"
	ev := returns.Event{At: now, Actor: returns.ActorCustomer, Type: returns.EventWithdrawn, Status: returns.StatusApproved}
	if created, err := d.CreateReturn(context.Background(), r, map[string]int{"L1": 5}, ev, writeback(r), []returns.OutboxMessage{ack}); err != nil || !created {
		t.Fatalf("CreateReturn = %v, %v", created, err)
	}
	return r
}

// TestWithdrawalRecord: the log records, each in the transaction of what it
// records, a withdrawal's acknowledgement when it is sent (with the SHA-256
// of its text as sent and as kept), its succeeded refunds (amount, delivery
// part, Shopify's id), the parcel the customer told and the items' receipt;
// another return's refund, a failed refund and a lost lease add nothing; the
// chain still verifies.
func TestWithdrawalRecord(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	d.Now = func() time.Time { return now.Add(time.Hour) }
	w := withdrawal(t, d, "key-0000000000000001")
	other := approved(t, d, order1, "key-0000000000000002")
	if got := readLog(t, d); len(got) != 1 || got[0].Kind != "statement" {
		t.Fatalf("after the statement: %+v", got)
	}

	// The acknowledgement: a lost lease logs nothing; the sending does.
	ms, token := claimAll(t, d, now)
	var ack returns.OutboxMessage
	for _, m := range ms {
		if m.Kind == returns.EmailWithdrawalAcknowledged {
			ack = m
		}
	}
	if ack.ID == 0 {
		t.Fatalf("no acknowledgement claimed in %+v", ms)
	}
	if err := d.OutboxSent(ctx, ack.ID, "another worker's token", now.Add(time.Minute)); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Fatalf("sent under a lost lease: %v", err)
	}
	if got := readLog(t, d); len(got) != 1 {
		t.Fatalf("a lost lease logged %+v", got)
	}
	sentAt := now.Add(time.Minute)
	if err := d.OutboxSent(ctx, ack.ID, token, sentAt); err != nil {
		t.Fatal(err)
	}
	kept, err := d.OutboxMessage(ctx, ack.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := readLog(t, d)
	if len(got) != 2 || got[1].Kind != "acknowledgement" || got[1].Code != w.Code {
		t.Fatalf("after the acknowledgement: %+v", got)
	}
	p := got[1].Payload
	if p["text_sha256"] != hexSHA256(ack.Text) || p["kept_text_sha256"] != hexSHA256(kept.Text) || p["to"] != w.Email ||
		p["sent_at"] != sentAt.UTC().Format("2006-01-02T15:04:05.000Z07:00") {
		t.Fatalf("acknowledgement entry %v", p)
	}
	if kept.Text == ack.Text {
		t.Fatal("the kept copy still has the link's token; the test cannot tell the two hashes apart")
	}

	// The parcel the customer told, then a failed and a succeeded refund,
	// and another return's refund.
	if err := d.AddParcel(ctx, &returns.Parcel{ReturnID: w.ID, Carrier: "omniva", CarrierName: "Omniva", Number: "CC123456789EE", SentAt: now.Add(2 * time.Hour)},
		returns.StatusApproved, returns.Event{ReturnID: w.ID, At: now.Add(2 * time.Hour), Actor: returns.ActorCustomer, Type: returns.EventParcelSent}); err != nil {
		t.Fatal(err)
	}
	failed := newRefund(w, key1, 10_00)
	mustCreateRefund(t, d, failed, limits)
	if err := d.SettleRefund(ctx, failed.ID, returns.RefundFailed, "", "declined", nil); err != nil {
		t.Fatal(err)
	}
	ref := newRefund(w, key2, 32_90)
	ref.Shipping = returns.Money{Minor: 3_90, Currency: "EUR"}
	mustCreateRefund(t, d, ref, returns.RefundLimits{Return: paid, Paid: paid, Delivery: returns.Money{Minor: 3_90, Currency: "EUR"}})
	if err := d.SettleRefund(ctx, ref.ID, returns.RefundSucceeded, "gid://shopify/Refund/9", "", nil); err != nil {
		t.Fatal(err)
	}
	otherRef := newRefund(other, key3, 29_00)
	mustCreateRefund(t, d, otherRef, returns.RefundLimits{Return: paid, Paid: returns.Money{Minor: 100_00, Currency: "EUR"}})
	if err := d.SettleRefund(ctx, otherRef.ID, returns.RefundSucceeded, "gid://shopify/Refund/10", "", nil); err != nil {
		t.Fatal(err)
	}
	got = readLog(t, d)
	if len(got) != 4 || got[2].Kind != "parcel" || got[2].Payload["number"] != "CC123456789EE" || got[3].Kind != "refund" {
		t.Fatalf("after the parcel and the refunds: %+v", got)
	}
	if p := got[3].Payload; p["amount"] != "32.90 EUR" || p["delivery"] != "3.90 EUR" || p["shopify_id"] != "gid://shopify/Refund/9" || p["source"] != "portal" {
		t.Fatalf("refund entry %v", p)
	}

	// The items received.
	if err := d.Transition(ctx, returns.Change{ReturnID: w.ID, From: returns.StatusApproved, To: returns.StatusItemReceived,
		Event: returns.Event{At: now.Add(3 * time.Hour), Actor: returns.StaffActor(7), Type: returns.EventItemReceived}}); err != nil {
		t.Fatal(err)
	}
	got = readLog(t, d)
	if len(got) != 5 || got[4].Kind != "received" || got[4].Payload["by"] != string(returns.StaffActor(7)) {
		t.Fatalf("after the receipt: %+v", got)
	}
	if n, err := d.VerifyWithdrawalLog(ctx); err != nil || n != 5 {
		t.Fatalf("verify: %d, %v", n, err)
	}
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestWithdrawalLogShopAdminRefund: a refund of a withdrawal made in Shopify
// admin is logged in the transaction that books it, with the same payload as
// the portal's refunds and source "shopify_admin" (the portal's read
// "portal"); booking it again logs nothing more, and a Shopify refund of a
// return that is not a withdrawal logs nothing.
func TestWithdrawalLogShopAdminRefund(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	w := withdrawal(t, d, "key-0000000000000001")
	other := approved(t, d, order1, "key-0000000000000002")
	const gid = "gid://shopify/Refund/601"
	ref := shopRefund(w, gid, 20_00)
	if created, err := d.RecordShopRefund(ctx, ref, shopRefundEvent(w), refundedChange(w, returns.StatusApproved)); err != nil || !created {
		t.Fatalf("RecordShopRefund = %v, %v", created, err)
	}
	if created, err := d.RecordShopRefund(ctx, shopRefund(w, gid, 20_00), shopRefundEvent(w), nil); err != nil || created {
		t.Fatalf("again = %v, %v", created, err)
	}
	if _, err := d.RecordShopRefund(ctx, shopRefund(other, "gid://shopify/Refund/602", 5_00), shopRefundEvent(other), nil); err != nil {
		t.Fatal(err)
	}
	got := readLog(t, d)
	if len(got) != 2 || got[1].Kind != "refund" || got[1].Code != w.Code {
		t.Fatalf("log %+v, want the statement and one refund of %s", got, w.Code)
	}
	p := got[1].Payload
	if p["refund"] != float64(ref.ID) || p["amount"] != "20.00 EUR" || p["delivery"] != "0.00 EUR" || p["shopify_id"] != gid ||
		p["source"] != "shopify_admin" || p["at"] != now.UTC().Format("2006-01-02T15:04:05.000Z07:00") {
		t.Fatalf("refund entry %v", p)
	}
	if n, err := d.VerifyWithdrawalLog(ctx); err != nil || n != 2 {
		t.Fatalf("verify: %d, %v", n, err)
	}
}

// tamperable opens a database with a withdrawal whose refund was made in
// Shopify admin, and a raw connection to its file with the log's triggers
// dropped, as an attacker holding the file would have.
func tamperable(t *testing.T) (*db.DB, *sql.DB, *returns.Return) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	w := withdrawal(t, d, "key-0000000000000001")
	if _, err := d.RecordShopRefund(context.Background(), shopRefund(w, "gid://shopify/Refund/701", 10_00), shopRefundEvent(w), nil); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	for _, q := range []string{`DROP TRIGGER withdrawal_log_no_update`, `DROP TRIGGER withdrawal_log_no_delete`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return d, raw, w
}

// wantUnlogged checks that the log of d does not verify because kind of
// withdrawal code has no entry, and that the message says so.
func wantUnlogged(t *testing.T, d *db.DB, code, kind string) {
	t.Helper()
	_, err := d.VerifyWithdrawalLog(context.Background())
	var p *db.LogProblem
	if !errors.As(err, &p) || p.Reason != returns.LogEntryUnlogged || p.ReturnCode != code || p.Kind != kind {
		t.Fatalf("verify = %v (%+v), want the %s of %s not in the log", err, p, kind, code)
	}
	if msg := err.Error(); !strings.Contains(msg, "the "+kind) || !strings.Contains(msg, code) || !strings.Contains(msg, "not in the log") {
		t.Errorf("message %q does not name what is wrong", msg)
	}
}

// TestVerifyWithdrawalLogCrossChecks: a log that lost entries without a gap
// in its chain (its last ones deleted) or never got them does not verify:
// the database's withdrawals, acknowledgements sent, succeeded refunds,
// parcels and receipts must each have their entry. A clean log verifies.
func TestVerifyWithdrawalLogCrossChecks(t *testing.T) {
	ctx := context.Background()
	t.Run("clean", func(t *testing.T) {
		d, _, _ := tamperable(t)
		if n, err := d.VerifyWithdrawalLog(ctx); err != nil || n != 2 {
			t.Fatalf("verify = %d, %v", n, err)
		}
	})
	t.Run("the last entry deleted", func(t *testing.T) {
		d, raw, w := tamperable(t)
		if _, err := raw.Exec(`DELETE FROM withdrawal_log WHERE seq = (SELECT MAX(seq) FROM withdrawal_log)`); err != nil {
			t.Fatal(err)
		}
		wantUnlogged(t, d, w.Code, "refund")
	})
	t.Run("a statement deleted, its withdrawal kept", func(t *testing.T) {
		d, raw, _ := tamperable(t)
		second := withdrawal(t, d, "key-0000000000000002")
		if _, err := raw.Exec(`DELETE FROM withdrawal_log WHERE return_code = ? AND kind = 'statement'`, second.Code); err != nil {
			t.Fatal(err)
		}
		wantUnlogged(t, d, second.Code, "statement")
	})
	t.Run("a refund without its entry", func(t *testing.T) {
		d, raw, w := tamperable(t)
		if _, err := raw.Exec(`INSERT INTO refunds (return_id, order_id, amount_minor, currency, idempotency_key, state, shopify_id, error, reason, staff_id, source, created_at, updated_at)
			SELECT return_id, order_id, 500, currency, 'sneaked-in', 'succeeded', 'gid://shopify/Refund/799', '', '', 0, 'shopify', created_at, updated_at FROM refunds LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		wantUnlogged(t, d, w.Code, "refund")
	})
	t.Run("an acknowledgement sent without its entry", func(t *testing.T) {
		d, raw, w := tamperable(t)
		if _, err := raw.Exec(`UPDATE outbox SET status = 'sent', sent_at = created_at WHERE kind = 'withdrawal_acknowledged'`); err != nil {
			t.Fatal(err)
		}
		wantUnlogged(t, d, w.Code, "acknowledgement")
	})
	t.Run("a receipt without its entry", func(t *testing.T) {
		d, raw, w := tamperable(t)
		if err := d.Transition(ctx, returns.Change{ReturnID: w.ID, From: returns.StatusApproved, To: returns.StatusItemReceived,
			Event: returns.Event{At: now.Add(time.Hour), Actor: returns.StaffActor(7), Type: returns.EventItemReceived}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.VerifyWithdrawalLog(ctx); err != nil {
			t.Fatalf("verify before the deletion: %v", err)
		}
		if _, err := raw.Exec(`DELETE FROM withdrawal_log WHERE kind = 'received'`); err != nil {
			t.Fatal(err)
		}
		wantUnlogged(t, d, w.Code, "received")
	})
}

// rehash rewrites every entry's prev_hash and hash from the first on, as
// an attacker with the file but without the log's key can: with SHA-256
// alone (format 1) or HMAC with a key of their own.
func rehash(t *testing.T, raw *sql.DB, v int, key []byte) {
	t.Helper()
	rows, err := raw.Query(`SELECT seq, at, return_code, kind, payload FROM withdrawal_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		seq, at             int64
		code, kind, payload string
	}
	var es []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.seq, &e.at, &e.code, &e.kind, &e.payload); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	rows.Close()
	prev := ""
	for _, e := range es {
		fields := []string{fmt.Sprint(e.seq), fmt.Sprint(e.at), e.code, e.kind, e.payload, prev}
		var h hash.Hash = sha256.New()
		if v == 2 {
			h = hmac.New(sha256.New, key)
			fields = append([]string{"2"}, fields...)
		}
		for _, f := range fields {
			fmt.Fprintf(h, "%d:%s;", len(f), f)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if _, err := raw.Exec(`UPDATE withdrawal_log SET v = ?, prev_hash = ?, hash = ? WHERE seq = ?`, v, prev, sum, e.seq); err != nil {
			t.Fatal(err)
		}
		prev = sum
	}
}

// TestVerifyWithdrawalLogKeyed: the chain's hashes are keyed, so an entry
// edited and every later hash recomputed without the key does not verify,
// whether recomputed with SHA-256 alone (the first format, which verify
// refuses as unkeyed) or with another key (named as changed); the log's own
// key verifies the untouched log, and a DB without a key neither writes
// nor verifies the log.
func TestVerifyWithdrawalLogKeyed(t *testing.T) {
	ctx := context.Background()
	edit := func(t *testing.T, raw *sql.DB) {
		t.Helper()
		if _, err := raw.Exec(`UPDATE withdrawal_log SET payload = replace(payload, 'Anna Bērziņa', 'Someone Else') WHERE seq = 1`); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("rehashed with SHA-256", func(t *testing.T) {
		d, raw, _ := tamperable(t)
		edit(t, raw)
		rehash(t, raw, 1, nil)
		_, err := d.VerifyWithdrawalLog(ctx)
		var p *db.LogProblem
		if !errors.As(err, &p) || p.Seq != 1 || p.Reason != returns.LogEntryUnkeyed || !strings.Contains(err.Error(), "entry 1: is not keyed") {
			t.Fatalf("verify = %v, want entry 1 named as not keyed", err)
		}
	})
	t.Run("rehashed with another key", func(t *testing.T) {
		d, raw, _ := tamperable(t)
		edit(t, raw)
		rehash(t, raw, 2, []byte("a key the attacker made up"))
		_, err := d.VerifyWithdrawalLog(ctx)
		var p *db.LogProblem
		if !errors.As(err, &p) || p.Seq != 1 || p.Reason != returns.LogEntryChanged || !strings.Contains(err.Error(), "entry 1: was changed") {
			t.Fatalf("verify = %v, want entry 1 named as changed", err)
		}
	})
	t.Run("rehashed with the key", func(t *testing.T) {
		// The recomputation itself is right: with the log's key it
		// verifies, so the two cases above fail for the key alone.
		d, raw, _ := tamperable(t)
		rehash(t, raw, 2, testLogKey)
		if n, err := d.VerifyWithdrawalLog(ctx); err != nil || n != 2 {
			t.Fatalf("verify = %d, %v", n, err)
		}
	})
	t.Run("no key", func(t *testing.T) {
		d, err := db.Open(ctx, filepath.Join(t.TempDir(), "returns.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		r := newReturn(order1, "key-0000000000000009", item("L1", 1))
		r.Kind, r.Reason, r.Resolution, r.Status = returns.KindWithdrawal, "", returns.ResolutionRefund, returns.StatusApproved
		r.Withdrawal = &returns.WithdrawalStatement{Name: "Anna", Email: r.Email, Channel: returns.WithdrawalOnline, MadeAt: now}
		ev := returns.Event{At: now, Actor: returns.ActorCustomer, Type: returns.EventWithdrawn, Status: returns.StatusApproved}
		if _, err := d.CreateReturn(ctx, r, map[string]int{"L1": 5}, ev, writeback(r), nil); err == nil || !strings.Contains(err.Error(), "no key") {
			t.Errorf("a withdrawal stored without the log's key: %v", err)
		}
		if _, err := d.VerifyWithdrawalLog(ctx); err == nil || !strings.Contains(err.Error(), "no key") {
			t.Errorf("verify without the key = %v", err)
		}
	})
}
