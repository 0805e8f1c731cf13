package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// riga is the demo store's zone, which the deadlines are counted in.
var riga = func() *time.Location {
	l, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		panic(err)
	}
	return l
}()

// newWithdrawal is a withdrawal of order n made at madeAt, its refund
// deadline counted in Riga as the domain counts it.
func newWithdrawal(n int, madeAt time.Time) *returns.Return {
	r := newReturn(fmt.Sprintf("gid://shopify/Order/%d", n), fmt.Sprintf("key-w%015d", n), item("L1", 1))
	r.OrderName = fmt.Sprintf("#%d", n)
	r.Kind, r.Reason, r.Resolution = returns.KindWithdrawal, "", returns.ResolutionRefund
	r.Withdrawal = &returns.WithdrawalStatement{Name: "Sam Taylor", Email: "sam@example.com", Channel: returns.WithdrawalOnline,
		MadeAt: madeAt, RefundDue: returns.WithdrawalRefundDeadline(madeAt, riga)}
	return r
}

// withdrawalFixture stores a damage report and four withdrawals: made on 20,
// 10, 15 and 12 June 2026, whose refund deadlines are 6 July (4 July is a
// Saturday), 25 June (24 June is Midsummer Day), 29 June and 26 June; the
// last is refunded.
func withdrawalFixture(t *testing.T, d *db.DB) (damaged *returns.Return, ws []*returns.Return) {
	t.Helper()
	damaged = newReturn("gid://shopify/Order/999", "key-damaged-000001", item("L1", 1))
	mustCreate(t, d, damaged, map[string]int{"L1": 1})
	for i, day := range []int{20, 10, 15, 12} {
		r := newWithdrawal(2000+i, time.Date(2026, time.June, day, 10, 0, 0, 0, time.UTC))
		mustCreate(t, d, r, map[string]int{"L1": 1})
		ws = append(ws, r)
	}
	setStatus(t, d, ws[3].ID, returns.StatusRefunded)
	return damaged, ws
}

// TestQueue_Withdrawals: the queue's filter keeps withdrawals only, newest
// first; by deadline it lists those still to refund soonest first, a page at
// a time, and with a status those in it.
func TestQueue_Withdrawals(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	_, ws := withdrawalFixture(t, d)
	queue := func(f returns.QueueFilter) []int64 {
		t.Helper()
		rs, err := d.Queue(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return ids(rs)
	}
	if got, want := queue(returns.QueueFilter{Withdrawals: true}), []int64{ws[3].ID, ws[2].ID, ws[1].ID, ws[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("withdrawals %v, want %v (newest first, no damage report)", got, want)
	}
	if got, want := queue(returns.QueueFilter{Withdrawals: true, Before: ws[2].ID}), []int64{ws[1].ID, ws[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("withdrawals' second page %v, want %v", got, want)
	}
	if got, want := queue(returns.QueueFilter{ByDeadline: true}), []int64{ws[1].ID, ws[2].ID, ws[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("by deadline %v, want %v (25 June, 29 June, 6 July; the refunded one left out)", got, want)
	}
	first, err := d.Queue(ctx, returns.QueueFilter{ByDeadline: true, Limit: 2})
	if err != nil || len(first) != 2 {
		t.Fatalf("first page %v, %v", first, err)
	}
	if got := first[1].Withdrawal.RefundDue.Format(time.DateOnly); got != "2026-06-29" {
		t.Errorf("the refund deadline read back is %s, want 2026-06-29", got)
	}
	next := returns.QueueFilter{ByDeadline: true, DueAfter: first[1].Withdrawal.RefundDue.Format(time.DateOnly), AfterID: first[1].ID}
	if got, want := queue(next), []int64{ws[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("by deadline, second page %v, want %v", got, want)
	}
	if got, want := queue(returns.QueueFilter{ByDeadline: true, Status: returns.StatusRefunded}), []int64{ws[3].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("refunded by deadline %v, want %v", got, want)
	}
	if got, want := queue(returns.QueueFilter{ByDeadline: true, Query: "#2002"}), []int64{ws[2].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("by deadline, searched %v, want %v", got, want)
	}
}

// TestMigration028FillsRefundDeadlines opens a database whose withdrawals were
// stored before migration 028 and checks that it counts their refund
// deadlines in the store's zone from the settings.
func TestMigration028FillsRefundDeadlines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	// Made at 22:30 UTC on 11 June, 01:30 on 12 June in Riga: the deadline
	// is 26 June counted in Riga, 25 June in UTC.
	r := newWithdrawal(3000, time.Date(2026, time.June, 11, 22, 30, 0, 0, time.UTC))
	mustCreate(t, d, r, map[string]int{"L1": 1})
	w, _ := d.Pools()
	for _, stmt := range []string{
		`DROP INDEX withdrawals_refund_due`,
		`ALTER TABLE withdrawals DROP COLUMN refund_due`,
		`ALTER TABLE withdrawals DROP COLUMN deadline_reminded_at`,
		`DELETE FROM schema_migrations WHERE version = 28`,
		`INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('time_zone', 'Europe/Riga', 0, 'test')`,
	} {
		if _, err := w.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = mustOpenAt(t, path)
	got, err := d.ReturnByCode(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	want := returns.WithdrawalRefundDeadline(r.Withdrawal.MadeAt, riga).Format(time.DateOnly)
	if utc := returns.WithdrawalRefundDeadline(r.Withdrawal.MadeAt, time.UTC).Format(time.DateOnly); utc == want {
		t.Fatalf("the fixture does not tell the zones apart: %s in both", want)
	}
	if got := got.Withdrawal.RefundDue.Format(time.DateOnly); got != want {
		t.Errorf("refund deadline after the migration %s, want %s (counted in Riga)", got, want)
	}
}
