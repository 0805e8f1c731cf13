package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/returnsportal/returns"
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
	// The key comes from the same environment as the portal's. Demo mode
	// keeps LINK_SECRET in DATA_DIR; it is read, never made, here: a new
	// secret could only make every entry fail.
	if c.LogSecret == "" && c.LinkSecret == "" && c.Demo {
		if c.LinkSecret, err = keptLinkSecret(c.DataDir); err != nil {
			return err
		}
	}
	key := c.LogKey()
	if key == nil {
		return errors.New("set LOG_SECRET (or LINK_SECRET, when LOG_SECRET was never set) as the portal has it: the log's hashes are keyed")
	}
	store.SetWithdrawalLogKey(key)
	n, err := store.VerifyWithdrawalLog(ctx)
	if err != nil {
		var p *db.LogProblem
		if errors.As(err, &p) && p.Reason == returns.LogEntryChanged {
			return fmt.Errorf("the withdrawal log does not hold after %d good entries: %w (or LOG_SECRET is not the key the portal writes it with)", n, err)
		}
		return fmt.Errorf("the withdrawal log does not hold after %d good entries: %w", n, err)
	}
	fmt.Fprintf(stdout, "The withdrawal log holds: %d entries, each chained to the one before and keyed, and every withdrawal's statement, acknowledgement sent, refund, parcel and receipt in the database has its entry.\n", n)
	return nil
}

// keptLinkSecret reads the LINK_SECRET demo mode keeps in
// DATA_DIR/secrets.json, without making one.
func keptLinkSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "secrets.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the demo's secrets for the log's key: %w", err)
	}
	var s demoSecrets
	if err := json.Unmarshal(b, &s); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return s.LinkSecret, nil
}
