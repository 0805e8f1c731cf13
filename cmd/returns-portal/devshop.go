package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// runDevshop serves the demo store on its own, so a portal started with
// SHOPIFY_ENDPOINT pointing at it runs the production code path against it:
// with SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (the client credentials
// grant, --client-id and --client-secret here) or SHOPIFY_ACCESS_TOKEN (an
// admin-made app's static token, --token). Its state outlives the portal's
// restarts.
func runDevshop(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devshop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "loopback address to listen on")
	token := fs.String("token", "", "the static access token of an app made in the Shopify admin (default: a random one, printed)")
	clientID := fs.String("client-id", "", "client ID of the Dev Dashboard app, for the client credentials grant")
	clientSecret := fs.String("client-secret", "", "its client secret, which also signs the webhooks")
	tokenTTL := fs.Duration("token-ttl", devshop.DefaultTokenTTL, "lifetime of the tokens the grant gives")
	scopes := fs.String("scopes", strings.Join(devshop.DefaultScopes, ","), "the app's access scopes, comma-separated")
	hideEmails := fs.Bool("hide-emails", false, "hide order emails, as Shopify does without protected customer data")
	webhookSecret := fs.String("webhook-secret", "", "the secret that signs webhooks when there is no client secret (an admin-made app's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return errors.New("devshop listens on loopback only, e.g. --addr 127.0.0.1:9090")
	}
	if (*clientID == "") != (*clientSecret == "") {
		return errors.New("give --client-id and --client-secret together, or neither")
	}
	if *tokenTTL < time.Second {
		return errors.New("--token-ttl must be at least 1s")
	}
	var scopeList []string
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			scopeList = append(scopeList, s)
		}
	}
	shop := devshop.New(devshop.Options{
		AccessToken:   *token,
		ClientID:      *clientID,
		ClientSecret:  *clientSecret,
		TokenTTL:      *tokenTTL,
		WebhookSecret: *webhookSecret,
		Scopes:        append([]string{}, scopeList...),
		HideEmails:    *hideEmails,
	})
	defer shop.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: shop, ReadHeaderTimeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Demo store listening on %s, access token %s\n", base, shop.Token())
	if *clientID != "" {
		// The secret is the caller's own; it is not echoed.
		fmt.Fprintf(stdout, "Client credentials grant at %s/admin/oauth/access_token for client ID %s, tokens for %s\n", base, *clientID, *tokenTTL)
	}
	fmt.Fprintf(stdout, "Scopes %s; emails %s; merchant actions under %s/_devshop/\n",
		strings.Join(scopeList, ","), map[bool]string{true: "hidden", false: "shown"}[*hideEmails], base)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
