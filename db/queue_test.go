package db_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// queueFixture stores ten returns of ten orders, #1000 to #1009. Even ones are
// Anna's, odd ones Sam's, whose email Shopify keeps in mixed case; returns 2, 5
// and 8 are approved. It returns them in the order made (ascending ID).
func queueFixture(t *testing.T, d *db.DB) []*returns.Return {
	t.Helper()
	ctx := context.Background()
	var rs []*returns.Return
	for i := range 10 {
		r := newReturn(fmt.Sprintf("gid://shopify/Order/%d", 1000+i), fmt.Sprintf("key-%016d", i), item("L1", 1))
		r.OrderName = fmt.Sprintf("#%d", 1000+i)
		if i == 7 {
			r.Items[0].Title, r.Items[0].VariantTitle = "Linen Tea Towel", "Natural"
		}
		if i%2 == 1 {
			r.Email = "Sam.Taylor@Example.com"
		}
		if i == 0 {
			r.Photos = []returns.Photo{{ContentType: "image/png", Width: 1, Height: 1, Data: []byte("png")}}
		}
		mustCreate(t, d, r, map[string]int{"L1": 1})
		if i%3 == 2 {
			if err := d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent()}); err != nil {
				t.Fatal(err)
			}
			r.Status = returns.StatusApproved
		}
		rs = append(rs, r)
	}
	return rs
}

func ids(rs []returns.Return) []int64 {
	out := []int64{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestQueue_Filters(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	rs := queueFixture(t, d)
	id := func(i ...int) []int64 {
		out := []int64{}
		for _, n := range i {
			out = append(out, rs[n].ID)
		}
		return out
	}

	for _, tc := range []struct {
		name string
		f    returns.QueueFilter
		want []int64
	}{
		{"everything, newest first", returns.QueueFilter{}, id(9, 8, 7, 6, 5, 4, 3, 2, 1, 0)},
		{"limit", returns.QueueFilter{Limit: 3}, id(9, 8, 7)},
		{"before", returns.QueueFilter{Before: rs[4].ID, Limit: 2}, id(3, 2)},
		{"status", returns.QueueFilter{Status: returns.StatusApproved}, id(8, 5, 2)},
		{"status before", returns.QueueFilter{Status: returns.StatusApproved, Before: rs[8].ID}, id(5, 2)},
		{"status none", returns.QueueFilter{Status: returns.StatusRefunded}, id()},
		{"code", returns.QueueFilter{Query: strings.ToLower(rs[3].Code)}, id(3)},
		{"whole code", returns.QueueFilter{Query: strings.ToLower(rs[3].Code), Code: rs[3].Code}, id(3)},
		{"whole code of another status", returns.QueueFilter{Query: strings.ToLower(rs[3].Code), Code: rs[3].Code, Status: returns.StatusApproved}, id()},
		{"part of a code", returns.QueueFilter{Query: strings.ToLower(rs[3].Code[2:7])}, id(3)},
		{"order name", returns.QueueFilter{Query: "#1004"}, id(4)},
		{"order number without #", returns.QueueFilter{Query: "1004"}, id(4)},
		{"product title", returns.QueueFilter{Query: "towel"}, id(7)},
		{"product variant", returns.QueueFilter{Query: "natural"}, id(7)},
		{"email lower case, stored mixed case", returns.QueueFilter{Query: "sam.taylor@example.com"}, id(9, 7, 5, 3, 1)},
		{"email", returns.QueueFilter{Query: "anna.berzina@example.lv"}, id(8, 6, 4, 2, 0)},
		{"email and status", returns.QueueFilter{Query: "sam.taylor@example.com", Status: returns.StatusApproved}, id(5)},
		{"email before, limit", returns.QueueFilter{Query: "anna.berzina@example.lv", Before: rs[8].ID, Limit: 2}, id(6, 4)},
		{"code of another status", returns.QueueFilter{Query: strings.ToLower(rs[3].Code), Status: returns.StatusApproved}, id()},
		{"no match", returns.QueueFilter{Query: "#999"}, id()},
		{"part of an email", returns.QueueFilter{Query: "sam.taylor"}, id(9, 7, 5, 3, 1)},
		{"part of an email, status, before", returns.QueueFilter{Query: "taylor@", Status: returns.StatusApproved, Before: rs[5].ID}, id()},
		{"part of an email, before, limit", returns.QueueFilter{Query: "taylor@", Before: rs[9].ID, Limit: 2}, id(7, 5)},
		{"a LIKE pattern is no match", returns.QueueFilter{Query: "%"}, id()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Queue(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("ids = %v, want %v", ids(got), tc.want)
			}
		})
	}

	t.Run("rows carry items, no photos, zero refunded", func(t *testing.T) {
		got, err := d.Queue(ctx, returns.QueueFilter{Query: "#1000"})
		if err != nil || len(got) != 1 {
			t.Fatalf("= %v, %v", got, err)
		}
		r := got[0]
		if !reflect.DeepEqual(r.Items, rs[0].Items) || r.Photos != nil || r.Shipments != nil ||
			r.Refunded != (returns.Money{Currency: "EUR"}) || r.Code != rs[0].Code || r.Email != rs[0].Email {
			t.Errorf("got %+v", r)
		}
	})
}

func TestQueue_Pagination(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	rs := queueFixture(t, d)
	for i := 10; i < 23; i++ {
		r := newReturn(fmt.Sprintf("gid://shopify/Order/%d", 1000+i), fmt.Sprintf("key-%016d", i), item("L1", 1))
		mustCreate(t, d, r, map[string]int{"L1": 1})
		rs = append(rs, r)
	}

	for _, tc := range []struct {
		name string
		f    returns.QueueFilter
		want func(*returns.Return) bool
	}{
		{"all", returns.QueueFilter{Limit: 4}, func(*returns.Return) bool { return true }},
		{"status", returns.QueueFilter{Limit: 2, Status: returns.StatusRequested}, func(r *returns.Return) bool { return r.Status == returns.StatusRequested }},
		{"search", returns.QueueFilter{Limit: 3, Query: "anna.berzina@example.lv"}, func(r *returns.Return) bool { return r.Email == "anna.berzina@example.lv" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []int64
			for i := len(rs) - 1; i >= 0; i-- {
				if tc.want(rs[i]) {
					want = append(want, rs[i].ID)
				}
			}
			var got []int64
			f := tc.f
			for pages := 0; ; pages++ {
				if pages > len(rs) {
					t.Fatal("paging does not end")
				}
				page, err := d.Queue(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > f.Limit {
					t.Fatalf("page of %d, limit %d", len(page), f.Limit)
				}
				got = append(got, ids(page)...)
				if len(page) < f.Limit {
					break
				}
				f.Before = page[len(page)-1].ID
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pages gave %v\nwant       %v", got, want)
			}
		})
	}
}

func TestCountByStatus(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	got, err := d.CountByStatus(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty: %v, %v", got, err)
	}
	queueFixture(t, d)
	got, err = d.CountByStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[returns.Status]int{returns.StatusRequested: 7, returns.StatusApproved: 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
}

// queryPlan returns the details of EXPLAIN QUERY PLAN for q, one per line.
func queryPlan(t *testing.T, d *db.DB, q string, args ...any) string {
	t.Helper()
	_, r := d.Pools()
	rows, err := r.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestQueryPlans checks that the queue and the reconciler read indexes, never a
// whole table, and never sort.
func TestQueryPlans(t *testing.T) {
	d := MustOpenDB(t)
	for _, tc := range []struct {
		name string
		f    returns.QueueFilter
		want []string
	}{
		// The first page walks the table backwards and stops after LIMIT rows.
		{"first page", returns.QueueFilter{}, []string{"SCAN returns"}},
		{"deep page", returns.QueueFilter{Before: 500}, []string{"USING INTEGER PRIMARY KEY (rowid<?)"}},
		{"status", returns.QueueFilter{Status: returns.StatusApproved}, []string{"USING INDEX returns_status_id (status=?)"}},
		{"status, deep page", returns.QueueFilter{Status: returns.StatusApproved, Before: 500}, []string{"USING INDEX returns_status_id (status=? AND id<?)"}},
		{"whole code", returns.QueueFilter{Query: "r-7kq9x2md", Code: "R-7KQ9X2MD", Status: returns.StatusApproved}, []string{
			"USING INDEX sqlite_autoindex_returns_1 (code=?)",
		}},
		// A search walks the narrow search rows backwards, looks each
		// match's return up by its id, and stops after LIMIT rows.
		{"search", returns.QueueFilter{Query: "#1001"}, []string{
			"SCAN s",
			"SEARCH r USING INTEGER PRIMARY KEY (rowid=?)",
		}},
		{"search, status, deep page", returns.QueueFilter{Query: "#1001", Status: returns.StatusApproved, Before: 500}, []string{
			"SEARCH s USING INTEGER PRIMARY KEY (rowid<?)",
			"SEARCH r USING INTEGER PRIMARY KEY (rowid=?)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, args := db.QueueQuery(tc.f)
			plan := queryPlan(t, d, q, args...)
			for _, w := range tc.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan lacks %q:\n%s", w, plan)
				}
			}
			if strings.Contains(plan, "TEMP B-TREE") || (tc.f != (returns.QueueFilter{}) && strings.Contains(plan, "SCAN returns")) {
				t.Errorf("plan sorts or scans:\n%s", plan)
			}
		})
	}

	t.Run("unsettled refunds", func(t *testing.T) {
		plan := queryPlan(t, d, `SELECT id FROM refunds WHERE `+db.UnsettledWhere, 0)
		if plan != "SCAN refunds USING INDEX refunds_unsettled" {
			t.Errorf("plan:\n%s", plan)
		}
	})
	t.Run("counts", func(t *testing.T) {
		plan := queryPlan(t, d, `SELECT status, COUNT(*) FROM returns GROUP BY status`)
		if plan != "SCAN returns USING COVERING INDEX returns_status_id" {
			t.Errorf("plan:\n%s", plan)
		}
	})
}

// seedReturns inserts n returns straight through SQL, in one transaction: ids 1
// to n, a fifth of them approved, every return with two items (one in a
// thousand of them a linen tea towel, the rest ceramic mugs), order names
// "#<id>", and emails shared by three returns each.
func seedReturns(tb testing.TB, d *db.DB, n int) {
	tb.Helper()
	w, _ := d.Pools()
	tx, err := w.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	insReturn, err := tx.Prepare(`
		INSERT INTO returns (id, code, token, submission_key, order_id, order_name, email, locale,
			kind, reason, resolution, note, status, currency, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'en', 'damaged', 'damaged', 'replacement', 'broken', ?, 'EUR', ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	insItem, err := tx.Prepare(`
		INSERT INTO return_items (return_id, line_item_id, title, quantity, unit_price_minor, currency)
		VALUES (?, ?, ?, 1, 1450, 'EUR')`)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		status := returns.StatusRequested
		if i%5 == 0 {
			status = returns.StatusApproved
		}
		at := now.Add(time.Duration(i) * time.Minute).UnixMilli()
		if _, err := insReturn.Exec(i, fmt.Sprintf("R-%08X", i), fmt.Sprintf("%032x", i), fmt.Sprintf("key-%016d", i),
			fmt.Sprintf("gid://shopify/Order/%d", i), fmt.Sprintf("#%d", i), fmt.Sprintf("customer%d@example.com", i/3),
			status, at, at); err != nil {
			tb.Fatal(err)
		}
		for _, line := range []string{"L1", "L2"} {
			title := "Ceramic mug"
			if line == "L2" && i%1000 == 0 {
				title = "Linen tea towel"
			}
			if _, err := insItem.Exec(i, line, title); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func BenchmarkQueue(b *testing.B) {
	const n = 100_000
	d := MustOpenDB(b)
	seedReturns(b, d, n)
	ctx := context.Background()

	for _, bc := range []struct {
		name string
		f    returns.QueueFilter
		want int
	}{
		{"first page", returns.QueueFilter{Limit: 51}, 51},
		{"deep page", returns.QueueFilter{Limit: 51, Before: n / 2}, 51},
		{"status", returns.QueueFilter{Limit: 51, Status: returns.StatusApproved}, 51},
		{"status deep page", returns.QueueFilter{Limit: 51, Status: returns.StatusApproved, Before: n / 2}, 51},
		{"search email", returns.QueueFilter{Limit: 51, Query: "customer12345@example.com"}, 3},
		{"search order", returns.QueueFilter{Limit: 51, Query: "#54321"}, 1},
		{"search no match", returns.QueueFilter{Limit: 51, Query: "nobody@example.com"}, 0},
		{"whole code", returns.QueueFilter{Limit: 51, Query: "r-0000d431", Code: "R-0000D431"}, 1},
		// Parts: a common one fills the page from the newest rows; a rare
		// one reads every search row, the worst case.
		{"search part of emails", returns.QueueFilter{Limit: 51, Query: "customer1"}, 51},
		{"search part of a code", returns.QueueFilter{Limit: 51, Query: "r-0000d43"}, 16},
		{"search product, rare", returns.QueueFilter{Limit: 51, Query: "tea towel"}, 51},
		{"search product, rare, deep page", returns.QueueFilter{Limit: 51, Query: "tea towel", Before: n / 2}, 49},
		{"search product, status", returns.QueueFilter{Limit: 51, Query: "tea towel", Status: returns.StatusApproved}, 51},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				rs, err := d.Queue(ctx, bc.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) != bc.want || (len(rs) > 0 && len(rs[0].Items) != 2) {
					b.Fatalf("%d returns, want %d", len(rs), bc.want)
				}
			}
		})
	}
	b.Run("CountByStatus", func(b *testing.B) {
		for b.Loop() {
			counts, err := d.CountByStatus(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if counts[returns.StatusApproved] != n/5 {
				b.Fatalf("counts = %v", counts)
			}
		}
	})
}

// TestQueue_SearchFollowsErasure: the search rows follow a return's email when
// the customer's personal data is erased, so the old address finds nothing.
func TestQueue_SearchFollowsErasure(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	rs := queueFixture(t, d)
	w, _ := d.Pools()
	if _, err := w.ExecContext(ctx, `UPDATE returns SET email = 'erased@invalid' WHERE id = ?`, rs[9].ID); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string][]int64{
		"sam.taylor":                {rs[7].ID, rs[5].ID, rs[3].ID, rs[1].ID},
		"erased@invalid":            {rs[9].ID},
		strings.ToLower(rs[9].Code): {rs[9].ID},
		"item l1":                   {rs[9].ID, rs[8].ID, rs[6].ID, rs[5].ID, rs[4].ID, rs[3].ID, rs[2].ID, rs[1].ID, rs[0].ID},
	} {
		got, err := d.Queue(ctx, returns.QueueFilter{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(got), want) {
			t.Errorf("%q finds %v, want %v", query, ids(got), want)
		}
	}
}
