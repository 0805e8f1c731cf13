package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// now is the fixed time the tests run at, on a whole millisecond as stored.
var now = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

// testLogKey is the withdrawal log's key in tests.
var testLogKey = []byte("test-log-key-0123456789")

// MustOpenDB opens a database in a new file under tb.TempDir() and closes it when
// the test ends.
func MustOpenDB(tb testing.TB) *db.DB {
	tb.Helper()
	return mustOpenAt(tb, filepath.Join(tb.TempDir(), "returns.db"))
}

func mustOpenAt(tb testing.TB, path string) *db.DB {
	tb.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	d.Now = func() time.Time { return now }
	d.SetWithdrawalLogKey(testLogKey)
	tb.Cleanup(func() {
		if err := d.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return d
}

// count returns the number of rows in table.
func count(tb testing.TB, d *db.DB, table string) int {
	tb.Helper()
	_, r := d.Pools()
	var n int
	if err := r.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

// counts returns the number of rows in each table a return writes to.
func counts(tb testing.TB, d *db.DB) map[string]int {
	tb.Helper()
	m := map[string]int{}
	for _, t := range []string{"returns", "return_items", "photos", "events", "writebacks"} {
		m[t] = count(tb, d, t)
	}
	return m
}

func TestOpen_Pragmas(t *testing.T) {
	d := MustOpenDB(t)
	w, r := d.Pools()
	ctx := context.Background()

	check := func(t *testing.T, pool *sql.DB, conns int, queryOnly int) {
		t.Helper()
		// Hold several connections at once, so that each one is a different
		// connection opened by the driver with the DSN's PRAGMAs.
		var held []*sql.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for i := 0; i < conns; i++ {
			c, err := pool.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
			for _, tc := range []struct {
				pragma string
				want   string
			}{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"synchronous", "2"},
				{"busy_timeout", "5000"},
				{"query_only", fmt.Sprint(queryOnly)},
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatalf("conn %d: PRAGMA %s: %v", i, tc.pragma, err)
				}
				if got != tc.want {
					t.Errorf("conn %d: PRAGMA %s = %s, want %s", i, tc.pragma, got, tc.want)
				}
			}
		}
	}
	t.Run("writer", func(t *testing.T) { check(t, w, 1, 0) })
	t.Run("reader", func(t *testing.T) { check(t, r, 4, 1) })

	t.Run("writer is one connection", func(t *testing.T) {
		if got := w.Stats().MaxOpenConnections; got != 1 {
			t.Errorf("writer MaxOpenConnections = %d, want 1", got)
		}
	})
	t.Run("reader refuses writes", func(t *testing.T) {
		if _, err := r.Exec(`INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('x', 'y', 0, 'z')`); err == nil {
			t.Error("insert on the read pool succeeded")
		}
	})
}

func TestOpen_BadPath(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=memory"} {
		t.Run(path, func(t *testing.T) {
			if d, err := db.Open(context.Background(), path); err == nil {
				d.Close()
				t.Errorf("Open(%q) succeeded", path)
			}
		})
	}
}

func TestOpen_MigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	ctx := context.Background()
	r := newReturn("gid://shopify/Order/1", "key-0000000000000001", item("L1", 1))
	if _, err := d.CreateReturn(ctx, r, map[string]int{"L1": 1}, requestedEvent(), writeback(r), nil); err != nil {
		t.Fatal(err)
	}
	migrationRows := count(t, d, "schema_migrations")
	if migrationRows == 0 {
		t.Fatal("no migration recorded")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ {
		d2, err := db.Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if got := count(t, d2, "schema_migrations"); got != migrationRows {
			t.Errorf("reopen %d: %d migrations recorded, want %d", i, got, migrationRows)
		}
		if _, err := d2.ReturnByCode(ctx, r.Code); err != nil {
			t.Errorf("reopen %d: return lost: %v", i, err)
		}
		if err := d2.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBackup(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn("gid://shopify/Order/1", "key-0000000000000001", item("L1", 1))
	r.Photos = []returns.Photo{{ContentType: "image/jpeg", Width: 1, Height: 1, Data: []byte("jpeg")}}
	if _, err := d.CreateReturn(ctx, r, map[string]int{"L1": 1}, requestedEvent(), writeback(r), nil); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "backup.db")
	if err := d.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := d.Backup(ctx, path); err == nil {
		t.Error("second backup over an existing file succeeded")
	}

	b := mustOpenAt(t, path)
	_, rp := b.Pools()
	var ok string
	if err := rp.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	got, err := b.ReturnByCode(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := b.Photo(ctx, got.ID, got.Photos[0].ID); err != nil || string(p.Data) != "jpeg" {
		t.Errorf("photo in backup = %v, %v", p, err)
	}
}

// TestMigration006HashesTokens opens a database as migration 5 left it, with a
// return whose token is stored in plain text, and checks that the migration keeps
// the token's link working while the database no longer holds the token.
func TestMigration006HashesTokens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "returns.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Back to before migration 6: no return_tokens table, tokens in returns.
	w, _ := d.Pools()
	const token = "0123456789abcdef0123456789abcdef"
	for _, stmt := range []string{
		`DROP TABLE return_tokens`,
		`DELETE FROM schema_migrations WHERE version = 6`,
		`INSERT INTO returns (code, token, submission_key, order_id, order_name, email, locale, kind, reason, resolution, note, status, currency, created_at, updated_at)
			VALUES ('R-7KQ9X2MD', '` + token + `', 'key-0000000000000001', 'gid://shopify/Order/1001', '#1001', 'a@example.com', 'en', 'damaged', 'damaged', 'refund', '', 'requested', 'EUR', 1, 1)`,
	} {
		if _, err := w.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = mustOpenAt(t, path)
	r, err := d.ReturnByToken(ctx, returns.HashToken(token))
	if err != nil || r.Code != "R-7KQ9X2MD" {
		t.Fatalf("the old link after the migration: %v, %v", r, err)
	}
	if _, err := d.ReturnByToken(ctx, token); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("the plain token opens the return: %v", err)
	}
	_, rd := d.Pools()
	var n int
	if err := rd.QueryRow(`SELECT COUNT(*) FROM returns WHERE token = ?`, token).Scan(&n); err != nil || n != 0 {
		t.Errorf("the plain token is still stored (%d rows, %v)", n, err)
	}
}

// TestOpen_FileMode: the database holds customers' emails and photos, so its
// files are the portal user's alone, even under a permissive umask and when an
// older file was created readable by others.
func TestOpen_FileMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for name, before := range map[string]os.FileMode{"new.db": 0, "old.db": 0o644} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if before != 0 {
				if err := os.WriteFile(path, nil, before); err != nil {
					t.Fatal(err)
				}
			}
			d := mustOpenAt(t, path)
			w, _ := d.Pools()
			if _, err := w.Exec(`INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('x', 'y', 0, 'z')`); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				if mode := fi.Mode().Perm(); mode != 0o600 {
					t.Errorf("%s: mode %o, want 600", filepath.Base(f), mode)
				}
			}
		})
	}
}
