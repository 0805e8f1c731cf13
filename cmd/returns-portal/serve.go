package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/app"
	"github.com/returnsportal/returns/db"
	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/mail"
	"github.com/returnsportal/returns/password"
	"github.com/returnsportal/returns/photo"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
	"github.com/returnsportal/returns/views/email"
)

// shutdownTimeout bounds how long a stop waits for requests in flight. fly.toml's
// kill_timeout must be longer.
const shutdownTimeout = 20 * time.Second

// serve runs the portal until ctx ends (SIGTERM or SIGINT), then stops accepting
// connections, finishes the requests in flight, stops the background work and
// closes the database.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", args)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	setMemoryLimit(getenv, log)
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create DATA_DIR: %w", err)
	}
	if err := c.fillDemoSecrets(); err != nil {
		return err
	}

	store, err := db.Open(ctx, filepath.Join(c.DataDir, "portal.db"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	store.SetWithdrawalLogKey(c.LogKey())

	// Background work (the demo store's server, write-back retries) runs until
	// bgCtx ends, after the HTTP server has finished its requests.
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	defer func() {
		stopBackground()
		bg.Wait()
	}()

	if err := startProfiler(bgCtx, &bg, getenv("PPROF_ADDR"), log); err != nil {
		return err
	}

	var shop *shopify.Client
	webhookSecret := c.WebhookSecret()
	if c.Demo {
		demo, endpoint, err := startDemoStore(bgCtx, &bg)
		if err != nil {
			return err
		}
		shop, err = shopify.New(shopify.Config{Shop: "demo-store", ClientID: demoClientID, ClientSecret: demo.secret,
			Endpoint: endpoint, Logger: log})
		if err != nil {
			return fmt.Errorf("shopify: %w", err)
		}
		webhookSecret = demo.secret
		log.Info("demo mode: no SHOPIFY_SHOP set, using the built-in demo store; see README.md for its orders")
	} else if shop, err = newShopClient(c, log); err != nil {
		return err
	}

	host := ""
	if c.Demo && !c.OnFly {
		host = "127.0.0.1" // a laptop's demo is not for the network
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, c.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	base := c.BaseURL
	if base == "" {
		base = fmt.Sprintf("http://localhost:%d", addr.Port)
	}

	// The mail worker sends the outbox; without SMTP settings it keeps every
	// message as not sent, for the backoffice's outbox page to show.
	worker := &mail.Worker{Store: store, Logger: log}
	if c.SMTPHost != "" {
		sender, err := mail.NewSender(mail.Config{Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUsername, Password: c.SMTPPassword, TLS: c.SMTPTLS, From: c.MailFrom})
		if err != nil {
			return fmt.Errorf("mail: %w", err)
		}
		worker.Sender = sender
	} else {
		log.Info("no SMTP_HOST set: emails are kept in the outbox (/admin/outbox), not sent")
	}

	// One processor for photos and logos, so that their decoding shares
	// one memory budget.
	photos := photo.New()
	services := app.New(app.Deps{
		Store:        store,
		Shop:         shop,
		Refunder:     shop,
		ShopRefunds:  shop,
		Webhooks:     shop,
		ShopReturns:  shop,
		Replacements: shop,
		History:      shop,
		Definitions:  shop,
		ParseWebhook: shopify.ParseWebhook,
		Photos:       photos,
		Logos:        photos,
		StoreName:    c.StoreName(),
		Passwords:    password.Hasher{},
		Emails:       email.Renderer{StoreName: c.StoreName()},
		BaseURL:      base,
		WakeMail:     worker.Kick,
		Log:          log,
	})
	if c.Demo {
		if err := ensureDemoStaff(ctx, services.Accounts, services.Settings, stdout); err != nil {
			return err
		}
	}
	bg.Add(1)
	go func() {
		defer bg.Done()
		worker.Run(bgCtx)
	}()

	srv := &http.Server{
		Handler: handlers.NewServer(handlers.Config{
			Logger:           log,
			SessionKeys:      c.SessionKeys,
			LinkSecret:       c.LinkSecret,
			WebhookSecret:    webhookSecret,
			Secure:           len(base) > 8 && base[:8] == "https://",
			DemoMode:         c.Demo,
			TrustFlyClientIP: c.OnFly,
			LookupLimits:     &handlers.LookupLimits{PerIPMinute: c.LookupLimits[0], PerIPHour: c.LookupLimits[1], PerOrderHour: c.LookupLimits[2]},
		}, services.Services()),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	services.Run(bgCtx, &bg)
	bg.Go(func() {
		// The check first: it finds the app installed again if it was
		// uninstalled, which lets the subscriptions be made. When they were
		// made only now, the checklist is made again to show them.
		r, err := services.Connection.Check(bgCtx)
		if ensureWebhooks(bgCtx, c, services, base, webhookSecret, log) {
			r, err = services.Connection.Check(bgCtx)
		}
		logConnection(r, err, log)
		ensureHistoryDefinition(bgCtx, services, log)
	})

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "Returns portal listening on http://%s (open %s)\n", addr, base)
	fmt.Fprintf(stdout, "Backoffice for staff: %s/admin\n", base)
	if c.Demo {
		fmt.Fprintf(stdout, "Demo store: try order #1001 with anna.berzina@example.lv\n")
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
	}
	log.Info("stopped")
	return nil
}

// demoShop is the running demo store, for the end-to-end tests, which check what
// the portal wrote to it and act as the merchant there.
var demoShop atomic.Pointer[devshop.Shop]

// demoShopURL is the running demo store's address, for the end-to-end tests
// that act there as the merchant or the warehouse, through its /_devshop/ API.
var demoShopURL atomic.Pointer[string]

// demoClientID is the client ID of the demo store's app. Its secret is new at
// every start, as the demo store's state is.
const demoClientID = "demo-returns-portal"

// demoStore is the running demo store's app credentials.
type demoStore struct {
	secret string // the client secret, which also signs its webhooks
}

// startDemoStore serves the demo store on a loopback port until ctx ends and
// returns its app's credentials and base URL. The portal connects to it as to
// a Dev Dashboard app, with the client credentials grant, and it delivers
// webhooks to the portal.
func startDemoStore(ctx context.Context, bg *sync.WaitGroup) (demoStore, string, error) {
	d := demoStore{secret: randomHex(32)}
	shop := devshop.New(devshop.Options{ClientID: demoClientID, ClientSecret: d.secret})
	demoShop.Store(shop)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return d, "", fmt.Errorf("start demo store: %w", err)
	}
	srv := &http.Server{Handler: shop, ReadHeaderTimeout: 10 * time.Second}
	bg.Go(func() { srv.Serve(ln) })
	bg.Go(func() {
		<-ctx.Done()
		srv.Close()
		shop.Close() // stops its webhook deliveries
	})
	url := "http://" + ln.Addr().String()
	demoShopURL.Store(&url)
	return d, url, nil
}

// newShopClient returns the Shopify client of a configured store.
func newShopClient(c config, log *slog.Logger) (*shopify.Client, error) {
	shop, err := shopify.New(shopify.Config{
		Shop:         c.ShopifyShop,
		ClientID:     c.ShopifyClientID,
		ClientSecret: c.ShopifyClientSecret,
		AccessToken:  c.ShopifyToken,
		APIVersion:   c.ShopifyAPIVersion,
		Endpoint:     c.ShopifyEndpoint,
		Logger:       log,
	})
	if err != nil {
		return nil, fmt.Errorf("shopify: %w", err)
	}
	return shop, nil
}

// ensureWebhooks subscribes to Shopify's webhooks at the portal's address, and
// logs why not when it does not: Shopify delivers only to an address it can
// reach (the public BASE_URL, or in demo mode the portal beside the demo
// store), and a delivery is taken only when its signature can be checked. It
// reports whether it made any subscription.
func ensureWebhooks(ctx context.Context, c config, services *app.App, base, webhookSecret string, log *slog.Logger) bool {
	switch {
	case c.BaseURL == "" && !c.Demo:
		log.Info("no BASE_URL set: the portal does not subscribe to Shopify's webhooks; the periodic pass finds refunds made in Shopify admin")
	case webhookSecret == "":
		log.Warn("no secret to verify Shopify's webhooks with: the portal does not subscribe to them")
	default:
		setup, err := services.EnsureWebhooks(ctx, base)
		if err != nil {
			log.Warn("webhook subscriptions not made; the periodic pass finds refunds made in Shopify admin meanwhile", "err", err)
		}
		return setup != nil && len(setup.Created) > 0
	}
	return false
}

// ensureHistoryDefinition makes the order metafield definition of the
// returns history unless it is there (two requests at the first start, one
// after), so that Shopify admin shows the history on the order page. The
// history is written without it all the same.
func ensureHistoryDefinition(ctx context.Context, services *app.App, log *slog.Logger) {
	created, err := services.EnsureHistoryDefinition(ctx)
	switch {
	case err != nil:
		log.Warn("the order metafield definition of the returns history was not made; admin does not show the history on the order page", "err", err)
	case created:
		log.Info("made the order metafield definition of the returns history: admin shows it on the order page")
	}
}

// logConnection logs the connection checklist made at start: a line per
// problem, with its fix, so that a deploy's log says what to do.
func logConnection(r returns.ConnectionReport, err error, log *slog.Logger) {
	if err != nil {
		log.Error("shopify check", "err", err)
	}
	for _, l := range r.Lines {
		switch l.State {
		case returns.CheckFail:
			log.Error("shopify check: "+l.Name.String(), "problem", l.Detail.String(), "fix", l.Fix.String())
		case returns.CheckWarn:
			log.Warn("shopify check: "+l.Name.String(), "problem", l.Detail.String(), "fix", l.Fix.String())
		}
	}
	if r.Err != nil {
		log.Error("shopify check: the shop was not reached", "err", r.Err)
	}
	if r.Usable() {
		log.Info("shopify check: the portal can work with the shop", "shop", r.Shop.Name, "domain", r.Shop.MyshopifyDomain)
	} else {
		log.Error("shopify check: the portal cannot work with the shop until the problems above are fixed; staff see them at /admin/shopify")
	}
}

// demoStaffEmail is the demo mode's staff account.
const demoStaffEmail = "staff@example.com"

// ensureDemoStaff creates the demo staff account on the first start, with a
// random password printed once (there is never a fixed default password), and
// makes it the address that hears of new returns.
func ensureDemoStaff(ctx context.Context, accounts *returns.AccountService, settings *returns.SettingsService, stdout io.Writer) error {
	list, err := accounts.ListStaff(ctx)
	if err != nil {
		return err
	}
	for _, st := range list {
		if st.Email == demoStaffEmail {
			return nil
		}
	}
	pw := randomHex(8)
	if _, err := accounts.CreateStaff(ctx, demoStaffEmail, pw); err != nil {
		return fmt.Errorf("create demo staff account: %w", err)
	}
	// New returns are announced to the demo staff address, so the outbox shows
	// the staff email too.
	st, err := settings.Settings(ctx)
	if err != nil {
		return err
	}
	if st.StaffEmail == "" {
		st.StaffEmail = demoStaffEmail
		if err := settings.UpdateSettings(ctx, st, "demo setup"); err != nil {
			return fmt.Errorf("demo settings: %w", err)
		}
	}
	fmt.Fprintf(stdout, "Demo staff account: %s, password %s (shown once; set another with `returns-portal admin password --email %s`)\n", demoStaffEmail, pw, demoStaffEmail)
	return nil
}
