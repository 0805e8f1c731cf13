package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// printLink prints a signed start link for an order, as the store's emails carry.
func printLink(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	order := fs.String("order", "", "order number, e.g. 1001")
	email := fs.String("email", "", "the order's email address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	number := returns.NormalizeOrderNumber(*order)
	addr := returns.NormalizeEmail(*email)
	if number == "" || addr == "" {
		return errors.New("usage: returns-portal link --order 1001 --email customer@example.com")
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if c.Demo {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return err
		}
		if err := c.fillDemoSecrets(); err != nil {
			return err
		}
	}
	base := c.BaseURL
	if base == "" {
		base = "http://localhost:" + c.Port
	}
	// The number is signed as given without "#", as Liquid's order.order_number.
	raw := strings.TrimPrefix(strings.TrimSpace(*order), "#")
	fmt.Fprintln(stdout, base+paths.StartURL(raw, addr, returns.LinkSignature(c.LinkSecret, raw, addr)))
	return nil
}
