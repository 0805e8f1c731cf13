package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// capturedPage is an answer of the portal as the bare handler replays it.
type capturedPage struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// capture reads the answer to req in full and keeps what the bare handler
// needs to write the same bytes. Date and Content-Length are net/http's own.
func capture(client *http.Client, req *http.Request) (*capturedPage, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	p := &capturedPage{Status: resp.StatusCode, Header: resp.Header.Clone()}
	if p.Body, err = readAll(resp.Body); err != nil {
		return nil, err
	}
	p.Header.Del("Date")
	p.Header.Del("Content-Length")
	return p, nil
}

// serveBare is the `portal-bench bare` subcommand: a plain net/http server whose
// every GET /healthz answers ok and every other request gets the captured page,
// headers and body, as written by the portal. It is what the portal's
// throughput is compared with: the same bytes over the same HTTP stack, with
// none of the portal's work.
func serveBare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	port := fs.String("port", "", "loopback port to listen on")
	pagePath := fs.String("page", "", "JSON file of the captured page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*pagePath)
	if err != nil {
		return err
	}
	var page capturedPage
	if err := json.Unmarshal(b, &page); err != nil {
		return fmt.Errorf("read %s: %w", *pagePath, err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", *port))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range page.Header {
			h[k] = v
		}
		w.WriteHeader(page.Status)
		w.Write(page.Body)
	})
	// The portal's timeouts, so both servers' connections live alike.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-stop
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
