package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

const redactUsage = `Usage:
  returns-portal redact --email ADDRESS   erase a customer's personal data from their returns

Erases the customer's address, words and photos from every return of ADDRESS,
their link tokens, one-time links and the copies of their emails, and records
it on each return's timeline. Codes, statuses, items and amounts stay for the
books. For requests that reach the store directly; Shopify's customers/redact
webhook does the same. It cannot be undone. It works while the portal runs.
`

// redactSource is what the timeline says asked for an erasure from here.
const redactSource = "returns-portal redact (command line)"

// runRedact erases a customer's personal data in DATA_DIR's database. It works
// while the portal runs, as admin and backup do: SQLite's WAL lets both use the
// file, and each batch of the erasure is a short transaction. The running
// portal's status pages move on with the returns' versions; the orders it
// keeps from Shopify for two minutes are its own.
func runRedact(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprint(stdout, redactUsage)
		return nil
	}
	fs := flag.NewFlagSet("redact", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(fs.Output(), redactUsage) }
	email := fs.String("email", "", "the customer's email address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || strings.TrimSpace(*email) == "" {
		return fmt.Errorf("redact needs --email and nothing else\n\n%s", redactUsage)
	}
	addr := returns.NormalizeEmail(*email)
	if addr == "" || addr == returns.RedactedEmail {
		return fmt.Errorf("%q is not an email address; nothing was erased", *email)
	}

	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create DATA_DIR: %w", err)
	}
	store, err := db.Open(ctx, filepath.Join(c.DataDir, "portal.db"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	svc := returns.NewRedactionService(store, nil, time.Now, slog.New(slog.NewTextHandler(stderr, nil)))
	erased, err := svc.RedactCustomerReturns(ctx, addr, nil, redactSource)
	if len(erased) > 0 && err != nil {
		fmt.Fprintf(stdout, "%s before the failure.\n", erasedSummary(addr, erased))
	}
	if err != nil {
		if returns.ErrorCode(err) == returns.EINTERNAL {
			return fmt.Errorf("erase the personal data of %s: %w", addr, err)
		}
		return errors.New(returns.ErrorMessage(err).String())
	}
	if len(erased) == 0 {
		fmt.Fprintf(stdout, "No returns of %s; its one-time links and their emails, if any, are erased.\n", addr)
		return nil
	}
	fmt.Fprintf(stdout, "%s.\n", erasedSummary(addr, erased))
	return nil
}

// erasedSummary says what was erased, e.g. "2 returns of a@b.lv erased:
// R-7KQ9X2MD, R-AB12CD34".
func erasedSummary(addr string, erased []returns.ErasedReturn) string {
	codes := make([]string, len(erased))
	for i, r := range erased {
		codes[i] = r.Code
	}
	noun := "returns"
	if len(erased) == 1 {
		noun = "return"
	}
	return fmt.Sprintf("%d %s of %s erased: %s", len(erased), noun, addr, strings.Join(codes, ", "))
}
