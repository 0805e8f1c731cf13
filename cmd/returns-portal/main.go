// Command returns-portal runs the self-service returns portal for a Shopify store.
//
//	returns-portal [serve]                          run the portal (the default)
//	returns-portal link --order 1001 --email a@b.c  print a signed start link
//	returns-portal admin create --email a@b.c       manage staff accounts
//	returns-portal backup /data/backup.db           snapshot the database
//	returns-portal shopify check                    check the connection to the store
//	returns-portal redact --email a@b.c             erase a customer's personal data
//
// Configuration comes from the environment only; see the README. Without Shopify
// settings it runs against a built-in demo store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// The IANA time zones the store's dates are shown in, built in, so that
	// a host or image without /usr/share/zoneinfo still knows Europe/Riga
	// (about 450 KB of the binary).
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "returns-portal:", err)
		os.Exit(1)
	}
}

// run is the whole program: main only supplies the process's arguments,
// environment and streams, so tests can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		// A subcommand's -h: its flags were printed.
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (isHelp(args[0]) || args[0] != "" && args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	if isHelp(cmd) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch cmd {
	case "serve":
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return serve(ctx, args, getenv, stdout, stderr)
	case "link":
		return printLink(args, getenv, stdout, stderr)
	case "admin":
		return runAdmin(ctx, args, getenv, stdin, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, getenv, stdout)
	case "verify-log":
		return runVerifyLog(ctx, args, getenv, stdout)
	case "redact":
		return runRedact(ctx, args, getenv, stdout, stderr)
	case "devshop":
		return runDevshop(ctx, args, stdout, stderr)
	case "shopify":
		return runShopify(ctx, args, getenv, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// isHelp reports whether a command-line argument asks for the usage.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

const usage = `Usage:
  returns-portal [serve]                             run the portal
  returns-portal link --order 1001 --email EMAIL     print a signed start link for an order
  returns-portal admin create|list|disable|enable|password [--email EMAIL]
                                                     manage staff accounts
  returns-portal verify-log                          check the hash chain of the withdrawal log
  returns-portal backup FILE                         write a consistent snapshot of the database
  returns-portal shopify check                       check the connection to the store; exit 0 only if the portal can work
  returns-portal redact --email EMAIL                erase a customer's personal data from their returns
  returns-portal devshop [--addr 127.0.0.1:9090] [--client-id ID --client-secret SECRET] [--token-ttl 24h] [--scopes …]
                                                     serve the demo store alone (for SHOPIFY_ENDPOINT); -h for all flags

Configuration comes from environment variables; see README.md.
`
