package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"
)

// startProfiler serves net/http/pprof on addr until ctx ends, when PPROF_ADDR
// names a loopback address. It is for benchmarks (docs/BENCHMARKS.md: the
// bench's -cpuprofile sets it), on a port of its own so that the portal's own
// routes never expose a profile.
func startProfiler(ctx context.Context, bg *sync.WaitGroup, addr string, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("PPROF_ADDR must be a loopback address such as 127.0.0.1:6060, not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("PPROF_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Warn("serving profiles for benchmarks", "addr", ln.Addr().String())
	bg.Add(2)
	go func() {
		defer bg.Done()
		srv.Serve(ln)
	}()
	go func() {
		defer bg.Done()
		<-ctx.Done()
		srv.Close()
	}()
	return nil
}
