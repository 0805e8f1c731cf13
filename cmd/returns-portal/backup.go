package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/returnsportal/returns/db"
)

// runBackup writes a consistent snapshot of DATA_DIR's database to a new file
// (VACUUM INTO), while the portal keeps running.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const usage = "usage: returns-portal backup FILE (FILE must not exist yet)"
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		return errors.New(usage)
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, filepath.Join(c.DataDir, "portal.db"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	if err := store.Backup(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a snapshot of the database to %s.\n", args[0])
	return nil
}
