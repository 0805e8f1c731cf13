package mail

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// newWorker returns a worker over d sending to srv (no sender when srv is nil),
// on clock c, logging into a buffer.
func newWorker(t testing.TB, d *db.DB, srv *testServer, c *clock) (*Worker, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	w := &Worker{
		Store:  d,
		Now:    c.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Poll:   10 * time.Millisecond,
	}
	if srv != nil {
		w.Sender = mustSender(t, srv.config())
	}
	return w, logs
}

// discardLogger returns a logger that writes nothing.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// syncBuffer is a bytes.Buffer safe for the worker's goroutine and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mustRunOnce runs one batch and checks how many messages it claimed.
func mustRunOnce(t *testing.T, w *Worker, want int) {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("claimed %d messages, want %d", n, want)
	}
}

// mustMessage reads message id from the outbox.
func mustMessage(t *testing.T, d *db.DB, id int64) *returns.OutboxMessage {
	t.Helper()
	m, err := d.OutboxMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkLogs fails when the logs hold a full address or a body.
func checkLogs(t *testing.T, logs string, ms ...returns.OutboxMessage) {
	t.Helper()
	for _, m := range ms {
		for _, secret := range []string{m.To, m.ReplyTo, m.Text, m.HTML, "Labdien"} {
			if secret != "" && strings.Contains(logs, secret) {
				t.Errorf("logs contain %q:\n%s", secret, logs)
			}
		}
	}
}

func TestWorker_421ThreeTimesThenAccepted(t *testing.T) {
	srv := startServer(t, func(s *testServer) { s.tempFails = 3 })
	d := openDB(t, "")
	c := newClock()
	w, logs := newWorker(t, d, srv, c)
	_, ms := queue(t, d, 1, c.Now(), nil)

	for attempt := 1; attempt <= 3; attempt++ {
		mustRunOnce(t, w, 1)
		m := mustMessage(t, d, ms[0].ID)
		if m.Status != returns.OutboxQueued || m.Attempts != attempt || !strings.Contains(m.LastError, "421") {
			t.Fatalf("after attempt %d: status %s, attempts %d, error %q", attempt, m.Status, m.Attempts, m.LastError)
		}
		// Backoff: 30 s·2^(attempt-1) ± 20 %.
		base := returns.RetryFirst << (attempt - 1)
		if wait := m.NextAt.Sub(c.Now()); wait < base*8/10 || wait > base*12/10 {
			t.Errorf("after attempt %d: next try in %v, want %v ± 20%%", attempt, wait, base)
		}
		mustRunOnce(t, w, 0) // not due yet
		c.Add(time.Hour)
	}
	mustRunOnce(t, w, 1)
	mustRunOnce(t, w, 0)

	m := mustMessage(t, d, ms[0].ID)
	if m.Status != returns.OutboxSent || m.Attempts != 4 || m.SentAt.IsZero() {
		t.Errorf("status %s, attempts %d, sent %v; want sent on the 4th attempt", m.Status, m.Attempts, m.SentAt)
	}
	if ids := messageIDs(t, srv.messages()); len(ids) != 1 || ids[ms[0].MessageID] != 1 {
		t.Errorf("delivered %v; want %s once", ids, ms[0].MessageID)
	}
	if _, mails, _ := srv.stats(); mails != 4 {
		t.Errorf("%d MAIL FROM, want 4", mails)
	}
	checkLogs(t, logs.String(), ms...)
}

func TestWorker_550FailsAtOnce(t *testing.T) {
	srv := startServer(t, func(s *testServer) { s.refuse = true })
	d := openDB(t, "")
	c := newClock()
	w, logs := newWorker(t, d, srv, c)
	_, ms := queue(t, d, 1, c.Now(), nil)

	mustRunOnce(t, w, 1)
	m := mustMessage(t, d, ms[0].ID)
	if m.Status != returns.OutboxFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
		t.Errorf("status %s, attempts %d, error %q; want failed with the 550", m.Status, m.Attempts, m.LastError)
	}
	c.Add(24 * time.Hour)
	mustRunOnce(t, w, 0)
	if _, _, rcpts := srv.stats(); len(rcpts) != 1 {
		t.Errorf("%d RCPT TO, want 1: a refused message is not retried", len(rcpts))
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("%d delivered", n)
	}
	if !strings.Contains(logs.String(), "@example.lv") || !strings.Contains(logs.String(), "550") {
		t.Errorf("logs should tell the 550 with the address redacted:\n%s", logs)
	}
	checkLogs(t, logs.String(), ms...)

	t.Run("staff requeue it", func(t *testing.T) {
		srv.set(func(s *testServer) { s.refuse = false })
		if err := d.RequeueOutbox(context.Background(), ms[0].ID, c.Now()); err != nil {
			t.Fatal(err)
		}
		mustRunOnce(t, w, 1)
		if m := mustMessage(t, d, ms[0].ID); m.Status != returns.OutboxSent || m.Attempts != 2 {
			t.Errorf("status %s, attempts %d; want sent on the 2nd attempt", m.Status, m.Attempts)
		}
	})
}

func TestWorker_DeadAfterGiveUp(t *testing.T) {
	srv := startServer(t, func(s *testServer) { s.tempFails = 1000 })
	d := openDB(t, "")
	c := newClock()
	w, _ := newWorker(t, d, srv, c)
	_, ms := queue(t, d, 1, c.Now(), nil)

	mustRunOnce(t, w, 1)
	c.Add(returns.OutboxGiveUpAfter - time.Minute)
	mustRunOnce(t, w, 1)
	if m := mustMessage(t, d, ms[0].ID); m.Status != returns.OutboxQueued {
		t.Fatalf("status %s before the give-up time, want queued", m.Status)
	}
	c.Add(2 * time.Hour)
	mustRunOnce(t, w, 1)
	m := mustMessage(t, d, ms[0].ID)
	if m.Status != returns.OutboxDead || m.Attempts != 3 || !strings.Contains(m.LastError, "421") {
		t.Errorf("status %s, attempts %d, error %q; want dead", m.Status, m.Attempts, m.LastError)
	}
	c.Add(time.Hour)
	mustRunOnce(t, w, 0)
}

func TestWorker_BadAddressNeverReachesTheServer(t *testing.T) {
	srv := startServer(t)
	d := openDB(t, "")
	c := newClock()
	w, logs := newWorker(t, d, srv, c)
	_, ms := queue(t, d, 4, c.Now(), func(i int, m *returns.OutboxMessage) {
		switch i {
		case 0:
			m.To = "no-at-sign.example.lv"
		case 1:
			m.To = "anna@example.lv\r\nBcc: victim@example.com"
		case 2:
			m.Subject = "Hello\r\nBcc: victim@example.com"
		}
	})
	mustRunOnce(t, w, 4)
	for i, m := range ms[:3] {
		if got := mustMessage(t, d, m.ID); got.Status != returns.OutboxFailed {
			t.Errorf("message %d: status %s, want failed", i, got.Status)
		}
	}
	if got := mustMessage(t, d, ms[3].ID); got.Status != returns.OutboxSent {
		t.Errorf("good message: status %s, want sent", got.Status)
	}
	_, _, rcpts := srv.stats()
	if len(rcpts) != 1 || rcpts[0] != ms[3].To {
		t.Errorf("RCPT TO %q; want only the good address", rcpts)
	}
	if strings.Contains(logs.String(), "victim") {
		t.Errorf("logs hold the injected header:\n%s", logs)
	}
}

// TestWorker_NeverSendsToAnErasedCustomer: a message to the address that
// stands in for an erased customer's fails without reaching the server.
func TestWorker_NeverSendsToAnErasedCustomer(t *testing.T) {
	srv := startServer(t)
	d := openDB(t, "")
	c := newClock()
	w, _ := newWorker(t, d, srv, c)
	_, ms := queue(t, d, 2, c.Now(), func(i int, m *returns.OutboxMessage) {
		if i == 0 {
			m.To = returns.RedactedEmail
		}
	})
	mustRunOnce(t, w, 2)
	if got := mustMessage(t, d, ms[0].ID); got.Status != returns.OutboxFailed || got.LastError != NotSentErased {
		t.Errorf("message to %s: status %s, error %q; want failed", returns.RedactedEmail, got.Status, got.LastError)
	}
	if _, _, rcpts := srv.stats(); len(rcpts) != 1 || rcpts[0] != ms[1].To {
		t.Errorf("RCPT TO %q; want only the customer's address", rcpts)
	}
}

func TestWorker_NoSMTP(t *testing.T) {
	d := openDB(t, "")
	c := newClock()
	w, logs := newWorker(t, d, nil, c)
	_, ms := queue(t, d, 3, c.Now(), nil)
	mustRunOnce(t, w, 3)
	for _, m := range ms {
		got := mustMessage(t, d, m.ID)
		if got.Status != returns.OutboxUnsent || got.LastError != NotSentNoSMTP || got.Attempts != 0 {
			t.Errorf("status %s, error %q, attempts %d; want unsent", got.Status, got.LastError, got.Attempts)
		}
	}
	mustRunOnce(t, w, 0)
	checkLogs(t, logs.String(), ms...)

	t.Run("a nil *Sender is no sender", func(t *testing.T) {
		var none *Sender
		w.Sender = none
		_, ms := queue(t, d, 1, c.Now(), nil)
		mustRunOnce(t, w, 1)
		if got := mustMessage(t, d, ms[0].ID); got.Status != returns.OutboxUnsent {
			t.Errorf("status %s, want unsent", got.Status)
		}
	})
}

// TestWorker_ServerDownDuringApproval approves a return while the SMTP server is
// down: the approval commits with its email, and the email goes out once the
// server is back, from the running worker.
func TestWorker_ServerDownDuringApproval(t *testing.T) {
	srv := startServer(t)
	srv.down()
	d := openDB(t, "")
	c := newClock()
	w, logs := newWorker(t, d, srv, c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	r, _ := queue(t, d, 0, c.Now(), nil)
	m := outboxMessage(r, returns.EmailApproved, c.Now())
	change := returns.Change{
		ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved,
		Event:  returns.Event{At: c.Now(), Actor: returns.StaffActor(1), Type: "approved"},
		Emails: []returns.OutboxMessage{m},
	}
	if err := d.Transition(context.Background(), change); err != nil {
		t.Fatalf("approve: %v", err)
	}
	w.Kick()
	id := change.Emails[0].ID
	waitFor(t, "a failed attempt", func() bool { return mustMessage(t, d, id).Attempts == 1 })
	got := mustMessage(t, d, id)
	if got.Status != returns.OutboxQueued || !strings.Contains(got.LastError, "refused") {
		t.Errorf("status %s, error %q; want queued after a refused connection", got.Status, got.LastError)
	}
	if ret, err := d.ReturnByID(context.Background(), r.ID); err != nil || ret.Status != returns.StatusApproved {
		t.Fatalf("return %+v, %v; want approved", ret, err)
	}

	srv.up()
	c.Add(2 * time.Minute) // past the first backoff
	w.Kick()
	waitFor(t, "the email sent", func() bool { return mustMessage(t, d, id).Status == returns.OutboxSent })
	if ids := messageIDs(t, srv.messages()); len(ids) != 1 || ids[m.MessageID] != 1 {
		t.Errorf("delivered %v; want %s once", ids, m.MessageID)
	}
	checkLogs(t, logs.String(), m)
}

// TestWorker_StopMidQueueAndRestart stops the portal while it sends a queue and
// starts it again on the same file: Run returns only after recording the message
// in flight, and in the end every message was delivered exactly once.
func TestWorker_StopMidQueueAndRestart(t *testing.T) {
	const n = 40
	srv := startServer(t, func(s *testServer) { s.dataDelay = 5 * time.Millisecond })
	path := t.TempDir() + "/returns.db"
	d := openDB(t, path)
	c := newClock()
	_, ms := queue(t, d, n, c.Now(), nil)

	w, _ := newWorker(t, d, srv, c)
	w.Batch = 7
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	waitFor(t, "some deliveries", func() bool { return len(srv.messages()) >= 10 })
	cancel()
	<-done

	// Everything the server took was recorded before Run returned.
	delivered := len(srv.messages())
	sent, _ := d.OutboxMessages(context.Background(), returns.OutboxSent, 0, n)
	if len(sent) != delivered {
		t.Errorf("after stopping: %d delivered, %d recorded as sent", delivered, len(sent))
	}
	t.Logf("stopped after %d of %d messages", delivered, n)
	if delivered == n {
		t.Fatal("the whole queue went out before the stop; the test proves nothing")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	// The restarted portal finds the rest at once: the stopped worker gave
	// its claim back.
	d2 := openDB(t, path)
	w2, _ := newWorker(t, d2, srv, c)
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan struct{})
	go func() { w2.Run(ctx2); close(done2) }()
	waitFor(t, "every delivery", func() bool { return len(srv.messages()) >= n })
	cancel2()
	<-done2

	ids := messageIDs(t, srv.messages())
	for _, m := range ms {
		if ids[m.MessageID] != 1 {
			t.Errorf("%s (%s) delivered %d times", m.DedupeKey, m.MessageID, ids[m.MessageID])
		}
		if got := mustMessage(t, d2, m.ID); got.Status != returns.OutboxSent || got.Attempts != 1 {
			t.Errorf("%s: status %s, attempts %d", m.DedupeKey, got.Status, got.Attempts)
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct messages delivered, want %d", len(ids), n)
	}
}

// TestWorker_CrashedClaim: a process claims messages and dies before sending
// them. They are not lost: once the lease runs out, another worker sends them.
func TestWorker_CrashedClaim(t *testing.T) {
	srv := startServer(t)
	d := openDB(t, "")
	c := newClock()
	_, ms := queue(t, d, 3, c.Now(), nil)
	if claimed, _, err := d.ClaimOutbox(context.Background(), c.Now(), 2*time.Minute, 10); err != nil || len(claimed) != 3 {
		t.Fatalf("crashed claim: %d, %v", len(claimed), err)
	}

	w, _ := newWorker(t, d, srv, c)
	c.Add(time.Minute)
	mustRunOnce(t, w, 0) // still leased
	c.Add(2 * time.Minute)
	mustRunOnce(t, w, 3)
	ids := messageIDs(t, srv.messages())
	for _, m := range ms {
		if ids[m.MessageID] != 1 {
			t.Errorf("%s delivered %d times", m.DedupeKey, ids[m.MessageID])
		}
	}
}

// TestWorker_LeaseGuard: a message is not started when the rest of the lease
// cannot cover its send; it is given back and claimed again with a new lease.
func TestWorker_LeaseGuard(t *testing.T) {
	d := openDB(t, "")
	c := newClock()
	_, ms := queue(t, d, 3, c.Now(), nil)
	var sent []int64
	w := &Worker{
		Store: d, Now: c.Now, Lease: 2 * time.Minute, Timeout: 50 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil)),
		Sender: senderFunc(func(ctx context.Context, m returns.OutboxMessage) error {
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > 50*time.Second {
				t.Errorf("send context deadline %v, %v; want within the timeout", dl, ok)
			}
			sent = append(sent, m.ID)
			c.Add(40 * time.Second) // a slow server
			return nil
		}),
	}
	mustRunOnce(t, w, 3)
	if len(sent) != 2 {
		t.Fatalf("sent %d of the claim, want 2: the third would outlive the lease", len(sent))
	}
	if got := mustMessage(t, d, ms[2].ID); got.Status != returns.OutboxQueued || got.Attempts != 0 {
		t.Errorf("third message: status %s, attempts %d; want queued, untried", got.Status, got.Attempts)
	}
	mustRunOnce(t, w, 1)
	if len(sent) != 3 || mustMessage(t, d, ms[2].ID).Status != returns.OutboxSent {
		t.Errorf("the given-back message was not sent: %v", sent)
	}
}

type senderFunc func(ctx context.Context, m returns.OutboxMessage) error

func (f senderFunc) Send(ctx context.Context, m returns.OutboxMessage) error { return f(ctx, m) }

// TestWorker_ShutdownWaitsForTheMessageInFlight cancels Run while a send is in
// progress: the send is not cut off, and its outcome is recorded before Run
// returns.
func TestWorker_ShutdownWaitsForTheMessageInFlight(t *testing.T) {
	d := openDB(t, "")
	c := newClock()
	_, ms := queue(t, d, 2, c.Now(), nil)
	started, release := make(chan struct{}), make(chan struct{})
	w := &Worker{
		Store: d, Now: c.Now, Poll: time.Hour,
		Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil)),
		Sender: senderFunc(func(ctx context.Context, m returns.OutboxMessage) error {
			close(started)
			<-release
			return ctx.Err() // not cancelled by Run's context
		}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a message in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-done
	if got := mustMessage(t, d, ms[0].ID); got.Status != returns.OutboxSent {
		t.Errorf("message in flight: status %s, want sent", got.Status)
	}
	if got := mustMessage(t, d, ms[1].ID); got.Status != returns.OutboxQueued {
		t.Errorf("second message: status %s, want queued", got.Status)
	}
	// Given back, not left leased: a new worker claims it at once.
	if claimed, _, err := d.ClaimOutbox(context.Background(), c.Now(), time.Minute, 10); err != nil || len(claimed) != 1 {
		t.Errorf("claim after stop: %d, %v; want the second message", len(claimed), err)
	}
}

func TestWorker_KickNeverBlocks(t *testing.T) {
	w := &Worker{}
	done := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			w.Kick()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Kick blocked")
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{
		{0, 30 * time.Second},
		{1, time.Minute},
		{2, 2 * time.Minute},
		{6, 32 * time.Minute},
		{7, time.Hour},
		{30, time.Hour},
		{100, time.Hour},
	} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			got := Backoff(tc.attempts)
			if got < tc.want*8/10 || got > tc.want*12/10 {
				t.Errorf("Backoff(%d) = %v, want %v ± 20%%", tc.attempts, got, tc.want)
			}
			seen[got] = true
		}
		if len(seen) < 10 {
			t.Errorf("Backoff(%d): only %d distinct delays in 50; no jitter?", tc.attempts, len(seen))
		}
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
