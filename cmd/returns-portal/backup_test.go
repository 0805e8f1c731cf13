package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestBackupWhileServing snapshots the database of a running portal that has a
// return in it, then opens the copy as a restore would and checks it.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	base := startPortal(t, map[string]string{"DATA_DIR": dir})
	// Something to back up: a customer's lookup is enough to prove the server
	// runs; the demo staff account and settings are in the database already.
	res, err := noRedirects().PostForm(base+"/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("lookup: %d", res.StatusCode)
	}

	snapshot := filepath.Join(t.TempDir(), "backup.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", snapshot}, envFunc(map[string]string{"DATA_DIR": dir}), nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"backup", snapshot}, envFunc(map[string]string{"DATA_DIR": dir}), nil, &out, &bytes.Buffer{}); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}

	restored, err := sql.Open("sqlite3", snapshot+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var integrity string
	if err := restored.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	rows, err := restored.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Fatal("foreign_key_check found violations")
	}
	rows.Close()
	var staff int
	if err := restored.QueryRow(`SELECT count(*) FROM staff WHERE email = 'staff@example.com'`).Scan(&staff); err != nil || staff != 1 {
		t.Fatalf("restored staff rows = %d, %v", staff, err)
	}
	if !strings.Contains(out.String(), snapshot) {
		t.Fatalf("output %q", out.String())
	}
}
