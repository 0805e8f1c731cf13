package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"
)

// discardResponse is a ResponseWriter that counts what is written and keeps
// none of it, as a socket to a browser would: httptest.ResponseRecorder
// would hold the whole file and hide whether the export itself does.
type discardResponse struct {
	header http.Header
	status int
	bytes  int64
}

func (d *discardResponse) Header() http.Header { return d.header }
func (d *discardResponse) WriteHeader(s int)   { d.status = s }
func (d *discardResponse) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.bytes += int64(len(b))
	return len(b), nil
}

// heapPeak samples the live heap (runtime/metrics' heap objects) every
// millisecond until stop is called, which returns the highest figure seen.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkExportCSV exports a year of returns (db.SeedForBenchmark) as CSV
// through the staff's route, in process, to a writer that keeps nothing. It
// reports, besides time and allocations per export, the peak of the live heap
// above what it was before (peak-heap-MiB) and the returns exported: the peak
// stays the same from 10,000 returns to 100,000, while the allocations grow
// with the rows (garbage, collected as the export goes). docs/BENCHMARKS.md
// has the figures.
func BenchmarkExportCSV(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("returns="+strconv.Itoa(n), func(b *testing.B) {
			h := newHarness(b, nil)
			now := time.Now()
			if err := h.store.SeedForBenchmark(context.Background(), n, now); err != nil {
				b.Fatal(err)
			}
			c := h.staff("staff@example.com")
			from := now.AddDate(-1, 0, -1).UTC().Format("2006-01-02")
			to := now.UTC().Format("2006-01-02")
			req := httptest.NewRequest("GET", "/admin/reports/returns.csv?from="+from+"&to="+to, nil)
			for _, ck := range c.Jar.Cookies(mustURL(h.srv.URL)) {
				req.AddCookie(ck)
			}
			srv := h.srv.Config.Handler
			var peak, size uint64
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
				metrics.Read(sample)
				base := sample[0].Value.Uint64()
				stop := heapPeak()
				b.StartTimer()

				w := &discardResponse{header: http.Header{}}
				srv.ServeHTTP(w, req)

				b.StopTimer()
				p := stop()
				if w.status != http.StatusOK || w.bytes < int64(n)*80 {
					b.Fatalf("status %d, %d bytes for %d returns", w.status, w.bytes, n)
				}
				if p > base {
					peak = max(peak, p-base)
				}
				size = uint64(w.bytes)
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(size)/1e6, "MB-of-CSV")
			b.ReportMetric(float64(n), "returns")
		})
	}
}
