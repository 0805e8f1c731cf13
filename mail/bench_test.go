package mail

import (
	"context"
	"testing"
	"time"
)

// BenchmarkDrain1000 queues 1,000 messages and drains them into the in-process
// SMTP server with one worker, a connection and a recorded outcome per message.
// Only the draining is timed.
func BenchmarkDrain1000(b *testing.B) {
	const n = 1000
	srv := startServer(b)
	sender := mustSender(b, srv.config())
	var drained time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := openDB(b, "")
		_, _ = queue(b, d, n, time.Now(), nil)
		w := &Worker{Store: d, Sender: sender, Batch: 50, Logger: discardLogger()}
		before := len(srv.messages())
		b.StartTimer()
		start := time.Now()
		for {
			claimed, err := w.RunOnce(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if claimed == 0 {
				break
			}
		}
		drained += time.Since(start)
		b.StopTimer()
		if got := len(srv.messages()) - before; got != n {
			b.Fatalf("%d delivered, want %d", got, n)
		}
		d.Close()
	}
	b.ReportMetric(float64(n*b.N)/drained.Seconds(), "msgs/s")
}
