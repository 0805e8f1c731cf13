package db_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// TestSeedForBenchmark checks the seeded returns read back like any, and that
// the status counts the triggers keep agree with counting the returns, through
// inserts, status changes and deletes.
func TestSeedForBenchmark(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	if err := d.SeedForBenchmark(ctx, 1000, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, r := d.Pools()
	check := func(when string) {
		t.Helper()
		got, err := d.CountByStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[returns.Status]int{}
		rows, err := r.Query(`SELECT status, COUNT(*) FROM returns GROUP BY status`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s returns.Status
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				t.Fatal(err)
			}
			want[s] = n
		}
		if !maps.Equal(got, want) {
			t.Fatalf("%s: CountByStatus = %v, want %v", when, got, want)
		}
	}
	check("after seeding")

	page, err := d.Queue(ctx, returns.QueueFilter{Limit: 10})
	if err != nil || len(page) != 10 || len(page[0].Items) == 0 {
		t.Fatalf("Queue = %d returns, %v", len(page), err)
	}
	got, err := d.ReturnByCode(ctx, page[0].Code)
	if err != nil || got.ID != page[0].ID {
		t.Fatalf("ReturnByCode(%s) = %+v, %v", page[0].Code, got, err)
	}
	evs, err := d.Events(ctx, got.ID)
	if err != nil || len(evs) == 0 || evs[0].Type != returns.EventRequested {
		t.Fatalf("Events = %+v, %v", evs, err)
	}

	for _, q := range []string{
		`UPDATE returns SET status = 'closed' WHERE id <= 50`,
		`UPDATE returns SET status = status WHERE id <= 100`,
		`DELETE FROM returns WHERE id IN (SELECT id FROM returns WHERE status = 'cancelled' LIMIT 3)`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatal(err)
		}
		check(q)
	}
	if err := d.SeedForBenchmark(ctx, 20, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("after seeding more")
}

// TestSeedForBenchmark_AYearOfDates: the returns are spread over the year
// before now, oldest first, as a report of that year expects them. (i times a
// year in nanoseconds overflows int64 from the 293rd return on.)
func TestSeedForBenchmark_AYearOfDates(t *testing.T) {
	d := MustOpenDB(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := d.SeedForBenchmark(context.Background(), 2000, now); err != nil {
		t.Fatal(err)
	}
	_, r := d.Pools()
	var first, last, unordered int64
	if err := r.QueryRow(`SELECT min(created_at), max(created_at) FROM returns`).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if err := r.QueryRow(`SELECT count(*) FROM returns a JOIN returns b ON b.id = a.id + 1 WHERE b.created_at < a.created_at`).Scan(&unordered); err != nil {
		t.Fatal(err)
	}
	year := now.AddDate(0, 0, -365)
	if first != year.UnixMilli() || last < now.Add(-6*time.Hour).UnixMilli() || last >= now.UnixMilli() || unordered != 0 {
		t.Errorf("created from %s to %s, %d out of order; want from %s to just before %s, in order",
			time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC(), unordered, year, now)
	}
}
