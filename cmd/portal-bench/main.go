// Command portal-bench measures the returns portal against the targets in
// docs/BENCHMARKS.md, on loopback only, in about four minutes:
//
//	go run ./cmd/portal-bench [-duration 3s] [-rates 500,1000,2000,4000,8000,16000,32000] [-returns 100000] [-out results.md]
//
// It builds cmd/returns-portal, stores -returns made-up returns in a new
// database, and starts the binary as a child process in demo mode several times
// to time its cold start. Against the last start it runs an open-model,
// constant-rate load (load.go) on the lookup form, a lookup, a customer's
// status page and the backoffice queue, and the same load on a bare net/http
// server replaying the status page's bytes; then it reads the portal's peak
// RSS. Last, it runs the portal against a demo store it serves itself (the code
// `returns-portal devshop` serves), so that it can count the Shopify calls of a
// customer's return, and measures every customer page's bytes on the wire.
// Then it measures the portal's memory while customers upload the largest
// photos it accepts (upload.go); -only upload runs that part alone:
//
//	go run ./cmd/portal-bench -only upload [-gomemlimit 200MiB] [-out results.md]
//
// Run it from the repository's root, on an otherwise idle machine: the load
// generator shares the machine with the server it measures.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/returnsportal/returns/db"
	"github.com/returnsportal/returns/shopify/devshop"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := serveBare(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "portal-bench bare:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "portal-bench:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	duration   time.Duration
	rates      []float64
	returns    int
	out        string
	starts     int
	slo        time.Duration
	conns      int
	targetRate float64
	lookupRate float64
	portal     string
	keep       bool
	cpuprofile string
	only       string
	gomemlimit string
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("portal-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "how long each constant-rate run sends")
	rates := fs.String("rates", "500,1000,2000,4000,8000,16000,32000,64000", "offered rates (requests a second) tried in turn to find each page's throughput")
	fs.IntVar(&o.returns, "returns", 100_000, "returns stored in the database before the portal starts")
	fs.StringVar(&o.out, "out", "", "also write the report (Markdown) to this file")
	fs.IntVar(&o.starts, "starts", 5, "cold starts timed")
	fs.DurationVar(&o.slo, "slo", 50*time.Millisecond, "the p99 a rate must keep to count as sustained")
	fs.IntVar(&o.conns, "conns", 128, "most connections the load generator opens")
	fs.Float64Var(&o.targetRate, "target-rate", 500, "the rate at which p99 is checked against its target")
	fs.Float64Var(&o.lookupRate, "lookup-rate", 3, "the rate of the lookup run (Shopify's cost bucket allows about 3 a second)")
	fs.StringVar(&o.portal, "portal", "", "a returns-portal binary to measure instead of building ./cmd/returns-portal")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (databases, logs) instead of removing it")
	fs.StringVar(&o.only, "only", "", "run only this part: upload (the portal's memory under the largest photo uploads, about 2 minutes), status (the status page against the bare handler, about a minute), or calls (Shopify calls per customer return, seconds)")
	fs.StringVar(&o.gomemlimit, "gomemlimit", "", "GOMEMLIMIT for the portal in the upload part (default: none, so the portal sets its own)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the portal under each page's load to this prefix + page name + .pprof (serves net/http/pprof on a loopback port through PPROF_ADDR)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive number", s)
		}
		o.rates = append(o.rates, r)
	}
	slices.Sort(o.rates)
	switch {
	case o.duration <= 0 || o.duration > time.Minute:
		return nil, errors.New("-duration must be between 0 and 1m")
	case o.returns < 0 || o.returns > 10_000_000:
		return nil, errors.New("-returns must be between 0 and 10,000,000")
	case o.starts < 2:
		return nil, errors.New("-starts must be at least 2: the first start also creates the demo staff account")
	case o.conns < 1 || o.conns > 4096:
		return nil, errors.New("-conns must be between 1 and 4096")
	case o.lookupRate <= 0 || o.targetRate <= 0:
		return nil, errors.New("-lookup-rate and -target-rate must be positive")
	case o.only != "" && o.only != "upload" && o.only != "status" && o.only != "calls":
		return nil, errors.New("-only takes upload, status or calls, or nothing for every part")
	}
	return o, nil
}

// The CPUs the servers measured and the load generator run on.
const (
	serverCPU = 0
	loadCPU   = 1
)

// lookupLimits lifts the lookup rate limits for the bench, whose every request
// comes from one address and names one order.
const lookupLimits = "100000000,100000000,100000000"

// Demo store customers the flows use; each makes a return of its own.
var customers = []struct{ order, email string }{
	{"1001", "anna.berzina@example.lv"},
	{"1002", "sam.taylor@example.com"},
	{"1005", "lee.jordan@example.com"},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args, os.Stderr)
	if err != nil {
		return err
	}
	// However the servers behave, the bench ends.
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()

	work, err := os.MkdirTemp("", "portal-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintf(stdout, "working directory: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	rep := &report{opts: o, machine: describeMachine()}
	log := stdout

	bin := o.portal
	if bin == "" {
		fmt.Fprintln(log, "building cmd/returns-portal")
		if bin, err = buildPortal(ctx, work); err != nil {
			return err
		}
	}
	if o.only == "calls" {
		if err := countCalls(ctx, bin, work, rep, log); err != nil {
			return err
		}
		return writeReport(stdout, o, rep.callsMarkdown())
	}
	if o.only == "upload" {
		up, err := runUpload(ctx, bin, work, o.gomemlimit, log)
		if err != nil {
			return fmt.Errorf("upload memory: %w", err)
		}
		return writeReport(stdout, o, uploadHeading(rep.machine)+up.markdown())
	}

	dataDir := filepath.Join(work, "demo")
	fmt.Fprintf(log, "storing %d returns\n", o.returns)
	if rep.seedTime, err = seed(ctx, dataDir, o.returns); err != nil {
		return err
	}

	// The servers measured (the portal, the bare handler) run on CPU 0 and
	// the load generator on CPU 1, so that neither takes the other's CPU and
	// both servers get the same one.
	if err := pinToCPU(loadCPU); err != nil {
		return fmt.Errorf("pin the load generator to CPU %d: %w", loadCPU, err)
	}

	// Cold starts: the last one stays up for the load.
	var portal *child
	defer func() { portal.stop() }()
	demoEnv := func(port string) []string {
		return []string{"PORT=" + port, "DATA_DIR=" + dataDir, "LOOKUP_RATE_LIMITS=" + lookupLimits}
	}
	var staffEmail, staffPassword, pprofAddr string
	for i := range o.starts {
		port, err := freeLoopbackPort()
		if err != nil {
			return err
		}
		env := demoEnv(port)
		if o.cpuprofile != "" && i == o.starts-1 {
			pprofPort, err := freeLoopbackPort()
			if err != nil {
				return err
			}
			pprofAddr = "127.0.0.1:" + pprofPort
			env = append(env, "PPROF_ADDR="+pprofAddr)
		}
		c, err := startChild(ctx, "taskset", []string{"-c", strconv.Itoa(serverCPU), bin}, env, port, filepath.Join(work, "portal.log"), 30*time.Second)
		if err != nil {
			return err
		}
		rep.starts = append(rep.starts, c.ready)
		fmt.Fprintf(log, "start %d: /healthz answered 200 after %s\n", i+1, fmtDur(c.ready))
		if i == 0 {
			var ok bool
			if staffEmail, staffPassword, ok = c.staffLogin(); !ok {
				c.stop()
				return errors.New("the portal's first start printed no demo staff password")
			}
		}
		if i < o.starts-1 {
			if err := c.stop(); err != nil {
				return fmt.Errorf("stop the portal: %w", err)
			}
			continue
		}
		portal = c
	}

	// A return to look at, and the sessions the load needs.
	flow, err := customerReturn(portal.base, customers[0].order, customers[0].email, nil)
	if err != nil {
		return fmt.Errorf("customer flow in demo mode: %w", err)
	}
	rep.demoPages = flow.Pages
	staff, err := staffCookie(portal.base, staffEmail, staffPassword)
	if err != nil {
		return err
	}

	gen := newGenerator(o.conns, 5*time.Second)
	get := func(base, path, cookie string) func(ctx context.Context) (*http.Request, error) {
		return func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			if err == nil && cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			return req, err
		}
	}
	lookupForm := url.Values{"order": {customers[0].order}, "email": {customers[0].email}}.Encode()
	lookupPost := func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, portal.base+"/", strings.NewReader(lookupForm))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, err
	}
	statusPath := "/returns/" + flow.Code
	targets := []target{
		{name: "lookup form", newRequest: get(portal.base, "/", ""), want: http.StatusOK},
		{name: "status page", newRequest: get(portal.base, statusPath, flow.Cookie), want: http.StatusOK},
		{name: "queue", newRequest: get(portal.base, "/admin", staff), want: http.StatusOK},
	}
	if o.only == "status" {
		targets = targets[1:2]
	}
	for _, t := range targets {
		fmt.Fprintf(log, "load: %s\n", t.name)
		p := measurePage(ctx, gen, t, o, log)
		rep.pages = append(rep.pages, p)
		if pprofAddr != "" {
			if err := profile(ctx, gen, t, p, pprofAddr, o.cpuprofile, log); err != nil {
				return err
			}
		}
	}
	if o.only != "status" {
		fmt.Fprintf(log, "load: lookup (POST /) at %.0f/s\n", o.lookupRate)
		lookupRun := gen.run(ctx, target{name: "lookup", newRequest: lookupPost, want: http.StatusSeeOther}, o.lookupRate, max(o.duration, 10*time.Second))
		fmt.Fprintf(log, "  %-14s %s\n", "lookup", lookupRun)
		rep.lookup = lookupRun
	}

	if rep.peakRSS, err = portal.peakRSS(); err != nil {
		return err
	}

	// The bare handler, replaying the status page.
	page, err := capture(gen.client, must(get(portal.base, statusPath, flow.Cookie)(ctx)))
	if err != nil {
		return err
	}
	if err := portal.stop(); err != nil {
		return fmt.Errorf("stop the portal: %w", err)
	}
	portal = nil
	rep.bare, err = measureBare(ctx, gen, page, work, o, log)
	if err != nil {
		return err
	}
	if o.only == "status" {
		return writeReport(stdout, o, rep.statusMarkdown())
	}

	// Shopify calls per return, counted at a demo store served here.
	if err := countCalls(ctx, bin, work, rep, log); err != nil {
		return err
	}

	// Last, as it pins this process to one CPU: the uploads.
	up, err := runUpload(ctx, bin, work, o.gomemlimit, log)
	if err != nil {
		return fmt.Errorf("upload memory: %w", err)
	}
	return writeReport(stdout, o, rep.markdown()+"\n#### Upload memory\n\n"+up.markdown())
}

// writeReport prints the report and writes it to -out.
func writeReport(stdout io.Writer, o *options, text string) error {
	fmt.Fprint(stdout, "\n"+text)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(text), 0o644)
	}
	return nil
}

// seed stores n returns in a new database in dir, through the portal's own
// migrations, and returns how long it took.
func seed(ctx context.Context, dir string, n int) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	start := time.Now()
	store, err := db.Open(ctx, filepath.Join(dir, "portal.db"))
	if err != nil {
		return 0, err
	}
	// The seed's withdrawals are logged; the benchmark never verifies the
	// log, so any key serves.
	store.SetWithdrawalLogKey([]byte("portal-bench-log-key"))
	if err := store.SeedForBenchmark(ctx, n, time.Now()); err != nil {
		store.Close()
		return 0, err
	}
	return time.Since(start), store.Close()
}

// pageResult is what the load measured of one page.
type pageResult struct {
	name     string
	atTarget loadResult // the run at -target-rate
	best     loadResult // the highest sustained rate
	runs     []loadResult
}

// peak is the most answers a second any run got: when a run offered more than
// the server can answer, what it can answer flat out, whatever the latency.
func (p pageResult) peak() float64 {
	peak := 0.0
	for _, r := range p.runs {
		peak = max(peak, r.Achieved)
	}
	return peak
}

// measurePage warms t up, runs it at the target rate, and finds its throughput.
func measurePage(ctx context.Context, gen *generator, t target, o *options, log io.Writer) pageResult {
	gen.run(ctx, t, 200, 500*time.Millisecond) // warm-up: connections, caches
	res := pageResult{name: t.name}
	res.best, res.runs = gen.capacity(ctx, t, o.rates, o.duration, o.slo, log)
	for _, r := range res.runs {
		if r.Rate == o.targetRate {
			res.atTarget = r
			return res
		}
	}
	res.atTarget = gen.run(ctx, t, o.targetRate, o.duration)
	res.runs = append(res.runs, res.atTarget)
	fmt.Fprintf(log, "  %-14s %s\n", t.name, res.atTarget)
	return res
}

// measureBare serves page from a bare net/http server in a process of its own
// (this binary's `bare` subcommand) and measures it like the portal's pages.
func measureBare(ctx context.Context, gen *generator, page *capturedPage, work string, o *options, log io.Writer) (pageResult, error) {
	b, err := json.Marshal(page)
	if err != nil {
		return pageResult{}, err
	}
	pagePath := filepath.Join(work, "status-page.json")
	if err := os.WriteFile(pagePath, b, 0o600); err != nil {
		return pageResult{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return pageResult{}, err
	}
	port, err := freeLoopbackPort()
	if err != nil {
		return pageResult{}, err
	}
	bare, err := startChild(ctx, "taskset", []string{"-c", strconv.Itoa(serverCPU), self, "bare", "-port", port, "-page", pagePath}, nil, port, filepath.Join(work, "bare.log"), 10*time.Second)
	if err != nil {
		return pageResult{}, err
	}
	defer bare.stop()
	fmt.Fprintln(log, "load: bare handler (the status page's bytes)")
	t := target{name: "bare", want: page.Status, newRequest: func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, bare.base+"/returns/R-BARE", nil)
	}}
	return measurePage(ctx, gen, t, o, log), nil
}

// countCalls runs the portal against a demo store served in this process, as
// against `returns-portal devshop` through SHOPIFY_ENDPOINT, and has customers
// make returns while the store counts their calls.
func countCalls(ctx context.Context, bin, work string, rep *report, log io.Writer) error {
	shop := devshop.New(devshop.Options{})
	endpoint, stopShop, err := shop.Start(ctx)
	if err != nil {
		return err
	}
	defer stopShop()
	port, err := freeLoopbackPort()
	if err != nil {
		return err
	}
	env := []string{
		"PORT=" + port,
		"DATA_DIR=" + filepath.Join(work, "shopify"),
		"BASE_URL=http://127.0.0.1:" + port,
		"SHOPIFY_SHOP=bench-store",
		"SHOPIFY_ACCESS_TOKEN=" + shop.Token(),
		"SHOPIFY_WEBHOOK_SECRET=" + randomHex(32),
		"SHOPIFY_ENDPOINT=" + endpoint,
		"SESSION_KEYS=" + randomHex(32),
		"LINK_SECRET=" + randomHex(32),
		"LOOKUP_RATE_LIMITS=" + lookupLimits,
	}
	portal, err := startChild(ctx, bin, nil, env, port, filepath.Join(work, "portal-shopify.log"), 30*time.Second)
	if err != nil {
		return err
	}
	defer portal.stop()
	rep.startCalls = shop.Calls()
	fmt.Fprintln(log, "customer returns against a counted demo store")
	for i, cu := range customers {
		f, err := customerReturn(portal.base, cu.order, cu.email, shop.Calls)
		if err != nil {
			return fmt.Errorf("customer flow for order %s: %w", cu.order, err)
		}
		fmt.Fprintf(log, "  order %s: return %s, %d Shopify calls %v\n", cu.order, f.Code, f.totalCalls(), f.Calls)
		rep.flows = append(rep.flows, f)
		if i == 0 {
			rep.pages2 = f.Pages
		}
	}
	// Anything the portal does on its own afterwards (write-back retries) would
	// show here.
	time.Sleep(500 * time.Millisecond)
	rep.afterCalls = shop.Calls()
	return nil
}

// profile runs t at 80 % of its throughput for 5 s while taking a 4 s CPU
// profile of the portal, and writes it to prefix + t's name + .pprof.
func profile(ctx context.Context, gen *generator, t target, p pageResult, pprofAddr, prefix string, log io.Writer) error {
	rate := max(p.best.Rate*0.8, 100)
	done := make(chan error, 1)
	path := prefix + strings.ReplaceAll(t.name, " ", "-") + ".pprof"
	go func() {
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/profile?seconds=4")
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		b, err := readAll(resp.Body)
		if err == nil {
			err = os.WriteFile(path, b, 0o644)
		}
		done <- err
	}()
	r := gen.run(ctx, t, rate, 5*time.Second)
	fmt.Fprintf(log, "  %-14s %s (profiled: %s)\n", t.name, r, path)
	return <-done
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
