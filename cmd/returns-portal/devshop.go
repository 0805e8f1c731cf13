package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

// runDevshop serves the demo store on its own, so a portal started with
// SHOPIFY_SHOP, SHOPIFY_ACCESS_TOKEN and SHOPIFY_ENDPOINT pointing at it runs the
// production code path against it; its state outlives the portal's restarts.
func runDevshop(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devshop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "loopback address to listen on")
	token := fs.String("token", "", "the access token to require (default: a random one, printed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return errors.New("devshop listens on loopback only, e.g. --addr 127.0.0.1:9090")
	}
	shop := devshop.New(devshop.Options{AccessToken: *token})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: shop, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Demo store listening on http://%s, access token %s\n", ln.Addr(), shop.Token())
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
