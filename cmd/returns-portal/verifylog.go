package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/returnsportal/returns/db"
)

// runVerifyLog checks the hash chain of DATA_DIR's withdrawal log: it prints
// the number of entries when the chain holds, and fails naming the first
// entry that does not.
func runVerifyLog(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const usage = "usage: returns-portal verify-log"
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	if len(args) != 0 {
		return errors.New(usage)
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	// A check must not change what it checks: the file is opened read-only
	// and never migrated.
	store, err := db.OpenReadOnly(ctx, filepath.Join(c.DataDir, "portal.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.VerifyWithdrawalLog(ctx)
	if err != nil {
		return fmt.Errorf("the withdrawal log does not hold after %d good entries: %w", n, err)
	}
	fmt.Fprintf(stdout, "The withdrawal log holds: %d entries, each chained to the one before.\n", n)
	return nil
}
