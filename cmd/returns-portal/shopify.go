package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/app"
	"github.com/returnsportal/returns/shopify"
)

const shopifyUsage = `usage: returns-portal shopify check

Checks the connection to the store named by SHOPIFY_SHOP with the credentials
in the environment, as the portal does at start, and prints a checklist: the
shop reached, the access token, the access scopes against the ones the portal
needs, whether order emails come back, the API version, and the webhook
subscriptions at BASE_URL. Each problem comes with its fix. The exit status
is 0 only when the portal can work with the shop.

Without Shopify settings it checks the built-in demo store.
`

// errNotUsable is the check's failure: the checklist says why.
var errNotUsable = errors.New("the portal cannot work with this shop: fix the lines marked FAIL above")

// runShopify runs `returns-portal shopify check`.
func runShopify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, shopifyUsage)
		if len(args) == 0 {
			return errors.New("shopify needs a command: check")
		}
		return nil
	}
	if args[0] != "check" {
		return fmt.Errorf("unknown shopify command %q\n\n%s", args[0], shopifyUsage)
	}
	fs := flag.NewFlagSet("shopify check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, shopifyUsage) }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("shopify check takes no arguments, got %q", fs.Args())
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	// The client's retries and failures go to stderr; the checklist to
	// stdout.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var shop *shopify.Client
	if c.Demo {
		demoCtx, stop := context.WithCancel(ctx)
		var bg sync.WaitGroup
		defer func() {
			stop()
			bg.Wait()
		}()
		demo, endpoint, err := startDemoStore(demoCtx, &bg)
		if err != nil {
			return err
		}
		if shop, err = shopify.New(shopify.Config{Shop: "demo-store", ClientID: demoClientID, ClientSecret: demo.secret, Endpoint: endpoint, Logger: log}); err != nil {
			return fmt.Errorf("shopify: %w", err)
		}
		fmt.Fprintln(stdout, "No SHOPIFY_SHOP set: checking the built-in demo store.")
	} else {
		if shop, err = newShopClient(c, log); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Checking the connection to %s…\n", c.ShopifyShop)
	}
	chk, err := shop.Check(ctx)
	r := returns.JudgeConnection(chk, err, returns.ConnectionNeeds{
		Scopes:        returns.RequiredScopes,
		WebhookURI:    app.WebhookURI(c.BaseURL),
		WebhookTopics: returns.SubscribedTopics,
		Now:           time.Now(),
	})
	fmt.Fprint(stdout, r.String())
	if r.Err != nil {
		fmt.Fprintf(stdout, "Cause: %v\n", r.Err)
	}
	if !r.Usable() {
		return errNotUsable
	}
	return nil
}
