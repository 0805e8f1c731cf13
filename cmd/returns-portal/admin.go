package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
	"github.com/returnsportal/returns/password"
	"golang.org/x/term"
)

const adminUsage = `Usage:
  returns-portal admin create   --email EMAIL [--lang en|lv]
                                              create a staff account (password from the terminal or stdin)
                                              that reads the backoffice in lang (default: the store's)
  returns-portal admin list                     list staff accounts
  returns-portal admin disable  --email EMAIL   disable an account and end its sessions
  returns-portal admin enable   --email EMAIL   enable it again
  returns-portal admin password --email EMAIL   set a new password (from the terminal or stdin)
`

// runAdmin manages staff accounts in DATA_DIR's database. It works while the
// portal runs: SQLite's WAL lets both use the file.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return errors.New("admin needs a command")
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, adminUsage)
		return nil
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the staff member's email address")
	lang := fs.String("lang", "", "create: the language of the account's backoffice and emails, en or lv (default: the store's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cmd != "list" && *email == "" {
		return fmt.Errorf("admin %s needs --email\n\n%s", cmd, adminUsage)
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
	svc := returns.NewAccountService(store, store, password.Hasher{}, time.Now, slog.New(slog.NewTextHandler(stderr, nil)))

	switch cmd {
	case "create":
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		st, err := svc.CreateStaffIn(ctx, *email, pw, *lang)
		if err != nil {
			return errors.New(returns.ErrorMessage(err).String())
		}
		fmt.Fprintf(stdout, "Created staff account %s. Sign in at /admin/login.\n", st.Email)
	case "password":
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if err := svc.SetStaffPassword(ctx, *email, pw); err != nil {
			return errors.New(returns.ErrorMessage(err).String())
		}
		fmt.Fprintf(stdout, "Password changed; every session of %s has ended.\n", *email)
	case "disable", "enable":
		if err := svc.SetStaffDisabled(ctx, *email, cmd == "disable"); err != nil {
			return errors.New(returns.ErrorMessage(err).String())
		}
		fmt.Fprintf(stdout, "Account %s %sd.\n", *email, cmd)
	case "list":
		list, err := svc.ListStaff(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tSTATUS\tLANGUAGE\tCREATED")
		for _, st := range list {
			status := "enabled"
			if st.Disabled {
				status = "disabled"
			}
			lang := st.Lang
			if lang == "" {
				lang = "store's"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", st.Email, status, lang, st.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	default:
		return fmt.Errorf("unknown admin command %q\n\n%s", cmd, adminUsage)
	}
	return nil
}

// readPassword reads a password: from the terminal without echo, asked twice, or
// else the first line of stdin (for scripts). Never from a flag, where it would
// show in the shell's history and the process list.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password (%d to %d characters): ", returns.MinPasswordLen, returns.MaxPasswordLen)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("give the password on stdin, e.g. a line from a password manager")
	}
	return line, nil
}
