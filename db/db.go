// Package db stores the portal's data in SQLite: returns, their items, photos,
// timelines and replacement shipments, the queue of write-backs to Shopify, the
// outbox of emails, the refund ledger, staff accounts and sessions, and the
// settings with their history.
//
// A DB holds two pools on one file: a single writer connection whose transactions
// begin IMMEDIATE, so that writers queue in Go instead of failing with "database is
// locked", and a small read pool that WAL lets run beside the writer.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/returnsportal/returns"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// readConns is the size of the read pool. Readers never wait for the writer in WAL
// mode, so a few are enough for a single-store portal.
const readConns = 4

// pragmas are set by the driver on every new connection of both pools.
// synchronous must be FULL: a committed refund intent has to survive a power cut,
// and go-sqlite3 lowers synchronous to NORMAL when it switches to WAL unless told
// otherwise.
//
// _stmt_cache_size keeps each connection's most recent prepared statements:
// without it every query is compiled again, a sixth of the status page's CPU
// under load (docs/BENCHMARKS.md).
const pragmas = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_synchronous=FULL&_stmt_cache_size=64"

// DB is the SQLite database of the portal. It implements the store interfaces of
// package returns.
type DB struct {
	writer *sql.DB // one connection; every transaction is BEGIN IMMEDIATE
	reader *sql.DB // query_only connections for reads
	path   string
	logKey []byte // the withdrawal log's HMAC key; see SetWithdrawalLogKey

	// Now returns the current time for the database's own bookkeeping: when a
	// migration was applied, when a refund's row last changed. Times of the
	// domain (events, settings saved, sessions) come with the values stored.
	// Tests replace it.
	Now func() time.Time
}

var (
	_ returns.ReturnCreator  = (*DB)(nil)
	_ returns.ReturnReader   = (*DB)(nil)
	_ returns.ReturnAccess   = (*DB)(nil)
	_ returns.TimelineReader = (*DB)(nil)
	_ returns.Transitioner   = (*DB)(nil)
	_ returns.NoteTaker      = (*DB)(nil)
	_ returns.WritebackStore = (*DB)(nil)
	_ returns.SettingsStore  = (*DB)(nil)

	_ returns.StaffStore        = (*DB)(nil)
	_ returns.StaffSessionStore = (*DB)(nil)
	_ returns.QueueStore        = (*DB)(nil)
	_ returns.ShipmentStore     = (*DB)(nil)
	_ returns.RefundStore       = (*DB)(nil)
	_ returns.OutboxStore       = (*DB)(nil)
	_ returns.AccessLinkStore   = (*DB)(nil)
	_ returns.ErasureStore      = (*DB)(nil)
	_ returns.PhotoStore        = (*DB)(nil)
)

// Open opens (creating it if needed) the database file at path, sets it up and
// applies any migrations not applied yet.
func Open(ctx context.Context, path string) (*DB, error) {
	// The driver reads options after the first "?", and treats names starting
	// with "file:" as URIs; a plain file name keeps the DSN unambiguous.
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database: %q is not a plain file path", path)
	}
	db := &DB{path: path, Now: time.Now}

	// The file holds customers' emails, photos and the refund ledger: only the
	// portal's user may read it. SQLite gives the -wal and -shm files it makes
	// the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}

	// The writer zeroes what it deletes (secure_delete): an erased customer's
	// photos and words must not stay readable in the file's free pages until
	// SQLite happens to reuse them. Only the writer deletes.
	if db.writer, err = sql.Open("sqlite3", path+"?"+pragmas+"&_txlock=immediate&_secure_delete=on"); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetMaxIdleConns(1)
	db.writer.SetConnMaxLifetime(0)
	db.writer.SetConnMaxIdleTime(0)

	// The writer goes first: it creates the file, switches it to WAL and migrates
	// it, so the readers find a finished schema.
	if err := db.writer.PingContext(ctx); err != nil {
		db.writer.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.writer.Close()
		return nil, err
	}

	if db.reader, err = sql.Open("sqlite3", path+"?"+pragmas+"&_query_only=on"); err != nil {
		db.writer.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.reader.SetMaxOpenConns(readConns)
	db.reader.SetMaxIdleConns(readConns)
	if err := db.reader.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	return db, nil
}

// Close closes both pools. The writer closes last, so that as the last connection
// it checkpoints the WAL into the database file.
func (db *DB) Close() error {
	var errs []error
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	return errors.Join(errs...)
}

// Backup writes a consistent snapshot of the database to path, which must not
// exist yet. It runs on a connection of its own: VACUUM INTO only reads this
// database, so writers go on meanwhile, but the read pool's query_only refuses it.
func (db *DB) Backup(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite3", db.path+"?"+pragmas)
	if err != nil {
		return fmt.Errorf("back up database: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("back up database to %s: %w", path, err)
	}
	return conn.Close()
}

// beginWrite starts a write transaction on the writer connection. It begins
// IMMEDIATE, so a transaction that reads before it writes cannot fail to upgrade
// its lock halfway.
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return tx, nil
}

// inWrite runs fn in a write transaction and commits it.
func (db *DB) inWrite(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// beginRead starts a read transaction, so that the several queries of one method
// see one snapshot.
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return tx, nil
}

// migration is one embedded, numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations ordered by version. Files are named
// NNN_what.sql.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", base)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s have the same number", other, base)
		}
		seen[v] = base
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies the migrations not recorded in schema_migrations, each in its
// own transaction together with its record.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Checked inside the immediate transaction, so two processes opening the same
	// file at once cannot both apply it.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if step := goSteps[m.version]; step != nil {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, millis(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// goSteps are the parts of migrations that SQL alone cannot do, by version. Each
// runs after its migration's SQL, in the same transaction.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	6:  hashReturnTokens,
	28: fillRefundDue,
}

// hashReturnTokens moves the plain-text tokens of returns.token into
// return_tokens as their SHA-256, and overwrites returns.token with a random
// value that opens nothing (see migrations/006_return_tokens.sql).
func hashReturnTokens(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, token, created_at FROM returns`)
	if err != nil {
		return err
	}
	type old struct {
		id, created int64
		token       string
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.token, &o.created); err != nil {
			rows.Close()
			return err
		}
		olds = append(olds, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range olds {
		if _, err := tx.ExecContext(ctx, `INSERT INTO return_tokens (token_hash, return_id, created_at) VALUES (?, ?, ?)`,
			returns.HashToken(o.token), o.id, o.created); err != nil {
			return fmt.Errorf("hash the token of return %d: %w", o.id, err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE returns SET token = lower(hex(randomblob(16)))`)
	return err
}

// millis turns a time into the INTEGER unix milliseconds stored in the database.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis turns stored unix milliseconds back into a UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// isUnique reports whether err is a UNIQUE or PRIMARY KEY constraint violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// OpenReadOnly opens the database file at path for reading only, for a
// command that checks the file and must not change it (verify-log): it
// neither creates the file nor migrates it, and it refuses a schema older
// than this code's, whose queries could fail or read it wrongly. Only the
// DB's reading methods may be called on it.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database: %q is not a plain file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Opened by a plain name the driver would create a missing file; an
	// SQLite URI with mode=ro opens an existing file without write access,
	// so nothing (no journal mode switch, no migration) can change it.
	uri := url.URL{Scheme: "file", Path: abs, RawQuery: "mode=ro&_query_only=on&_busy_timeout=5000"}
	db := &DB{path: path, Now: time.Now}
	if db.reader, err = sql.Open("sqlite3", uri.String()); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.reader.SetMaxOpenConns(readConns)
	if err := db.reader.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	ms, err := migrations()
	if err != nil {
		db.Close()
		return nil, err
	}
	want := ms[len(ms)-1].version
	var have sql.NullInt64
	if err := db.reader.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&have); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: no schema to read (is it the portal's database?): %w", path, err)
	}
	if have.Int64 < int64(want) {
		db.Close()
		return nil, fmt.Errorf("open database %s: its schema is version %d, older than this program's %d; start the portal once (returns-portal serve) to migrate it, then run this again", path, have.Int64, want)
	}
	return db, nil
}
