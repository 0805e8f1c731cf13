package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The load generator follows the open model: request i is due at start + i/rate,
// whether or not earlier requests have been answered, and its latency runs from
// that due time, not from when a connection was free to send it. A server that
// stalls therefore shows its stall in every request that was due meanwhile, as
// real customers, who do not wait for each other, would feel it. A closed-model
// tool (N clients, each sending when its last answer came) sends less while the
// server stalls and so hides the stall: coordinated omission.

// target is one kind of request the generator sends.
type target struct {
	name string
	// newRequest makes the request to send; it is called once per request.
	newRequest func(ctx context.Context) (*http.Request, error)
	// want is the status every answer must have.
	want int
}

// loadResult is what one constant-rate run measured.
type loadResult struct {
	Rate     float64       // offered, requests a second
	Duration time.Duration // of the schedule
	Sent     int
	OK       int // answered with the wanted status
	Failed   int // another status, a transport error or no answer in time
	// Achieved is OK answers a second, from the first due time to the last answer.
	Achieved  float64
	P50, P99  time.Duration
	Max       time.Duration
	FirstFail string // the first failure, for the report
}

// sustained reports whether the server kept up with the offered rate: every
// request answered as wanted and the 99th percentile within slo.
func (r loadResult) sustained(slo time.Duration) bool {
	return r.Failed == 0 && r.OK == r.Sent && r.P99 <= slo
}

func (r loadResult) String() string {
	s := fmt.Sprintf("rate %6.0f/s: ok %6d failed %4d achieved %7.0f/s p50 %8s p99 %8s max %8s",
		r.Rate, r.OK, r.Failed, r.Achieved, fmtDur(r.P50), fmtDur(r.P99), fmtDur(r.Max))
	if r.FirstFail != "" {
		s += " first failure: " + r.FirstFail
	}
	return s
}

// generator sends requests to one server over at most conns keep-alive
// connections.
type generator struct {
	client *http.Client
	conns  int
	// grace is how long after the last due time answers are still waited for;
	// later ones count as failed.
	grace time.Duration
}

func newGenerator(conns int, grace time.Duration) *generator {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &generator{
		client: &http.Client{
			Transport: tr,
			// Redirects are answers: a lookup's 303 is what is measured.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		conns: conns,
		grace: grace,
	}
}

// run sends t at rate requests a second for d, and measures. It sends at most
// rate*d requests and returns at most grace after the last one was due.
func (g *generator) run(ctx context.Context, t target, rate float64, d time.Duration) loadResult {
	n := max(int(rate*d.Seconds()), 1)
	interval := time.Duration(float64(time.Second) / rate)
	ctx, cancel := context.WithTimeout(ctx, d+g.grace)
	defer cancel()

	// Due times go to a pool of conns workers through a channel that can hold
	// every request of the run, so the scheduler never waits for a worker: when
	// all are busy, requests queue here and their wait counts as latency.
	due := make(chan time.Time, n)
	latencies := make([]time.Duration, n)
	var (
		next      atomic.Int64
		ok, fails atomic.Int64
		lastDone  atomic.Int64 // unix nanoseconds
		failOnce  sync.Once
		firstFail string
		wg        sync.WaitGroup
	)
	fail := func(msg string) {
		fails.Add(1)
		failOnce.Do(func() { firstFail = msg })
	}
	for range g.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for at := range due {
				i := next.Add(1) - 1
				// A request that fails counts with the time it took to fail,
				// so failures weigh on the percentiles instead of leaving them.
				latencies[i] = g.send(ctx, t, at, fail, &ok)
				lastDone.Store(time.Now().UnixNano())
			}
		}()
	}

	start := time.Now()
	sent := 0
	for sent < n && ctx.Err() == nil {
		at := start.Add(time.Duration(sent) * interval)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		// Behind schedule (a late wake-up), every request already due goes at
		// once, each with its own due time.
		for now := time.Now(); sent < n && !start.Add(time.Duration(sent)*interval).After(now); sent++ {
			due <- start.Add(time.Duration(sent) * interval)
		}
	}
	close(due)
	wg.Wait()

	r := loadResult{Rate: rate, Duration: d, Sent: sent, OK: int(ok.Load()), Failed: int(fails.Load()), FirstFail: firstFail}
	lat := latencies[:sent]
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50 = percentile(lat, 0.50)
		r.P99 = percentile(lat, 0.99)
		r.Max = lat[len(lat)-1]
	}
	if end := time.Unix(0, lastDone.Load()); end.After(start) {
		r.Achieved = float64(r.OK) / end.Sub(start).Seconds()
	}
	return r
}

// send makes one request due at at and returns its latency, counting it as ok
// or failed.
func (g *generator) send(ctx context.Context, t target, at time.Time, fail func(string), ok *atomic.Int64) time.Duration {
	if ctx.Err() != nil {
		fail("no answer before the run's deadline")
		return time.Since(at)
	}
	req, err := t.newRequest(ctx)
	if err != nil {
		fail(err.Error())
		return time.Since(at)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		fail(err.Error())
		return time.Since(at)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	latency := time.Since(at)
	switch {
	case err != nil:
		fail(err.Error())
	case resp.StatusCode != t.want:
		fail(fmt.Sprintf("status %d, want %d", resp.StatusCode, t.want))
	default:
		ok.Add(1)
	}
	return latency
}

// percentile returns the p-th quantile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// capacity finds the highest rate the server sustains for t: it runs the rates
// in increasing order until one is not sustained, then bisects twice between
// the last sustained rate and that one. It returns every run, in the order run.
func (g *generator) capacity(ctx context.Context, t target, rates []float64, d, slo time.Duration, log io.Writer) (best loadResult, runs []loadResult) {
	measure := func(rate float64) bool {
		r := g.run(ctx, t, rate, d)
		runs = append(runs, r)
		fmt.Fprintf(log, "  %-14s %s\n", t.name, r)
		if r.sustained(slo) && r.Rate > best.Rate {
			best = r
		}
		// Let a saturated server drain its backlog before the next run.
		time.Sleep(300 * time.Millisecond)
		return r.sustained(slo)
	}
	lo, hi := 0.0, 0.0
	for _, rate := range rates {
		if ctx.Err() != nil {
			return best, runs
		}
		if !measure(rate) {
			hi = rate
			break
		}
		lo = rate
	}
	for range 2 {
		if hi == 0 || lo == 0 || ctx.Err() != nil {
			break
		}
		mid := (lo + hi) / 2
		if measure(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return best, runs
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%dµs", d.Microseconds())
}
