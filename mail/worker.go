package mail

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/returnsportal/returns"
)

// Outbox is what the worker needs of the outbox's store (db.DB). Every outcome
// is recorded with compare-and-set on the claim's lease token: with a token
// whose lease ran out and was claimed again, it answers ECONFLICT and changes
// nothing.
type Outbox interface {
	// ClaimOutbox leases up to limit queued messages due at now, which no other
	// worker holds, until now+lease, and returns them with the lease's token.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]returns.OutboxMessage, string, error)
	// OutboxSent records a message as sent.
	OutboxSent(ctx context.Context, id int64, token string, at time.Time) error
	// OutboxRetry counts a failed attempt and queues the message for next.
	OutboxRetry(ctx context.Context, id int64, token string, next time.Time, errText string) error
	// OutboxFailed gives a message up as failed, dead or unsent.
	OutboxFailed(ctx context.Context, id int64, token string, status returns.OutboxStatus, errText string) error
	// OutboxRelease ends the lease without an attempt, so the message can be
	// claimed again at once.
	OutboxRelease(ctx context.Context, id int64, token string) error
}

// MessageSender delivers one message; *Sender is one. An error for which
// IsPermanent reports true is not retried.
type MessageSender interface {
	Send(ctx context.Context, m returns.OutboxMessage) error
}

// NotSentNoSMTP is the last error of messages kept because no SMTP server is
// configured (demo mode).
const NotSentNoSMTP = "not sent: no SMTP server configured"

// NotSentErased is the last error of a message to returns.RedactedEmail: a
// customer's personal data was erased, and no email goes to the address that
// stands in for theirs.
const NotSentErased = "not sent: the customer's personal data was erased"

// backoffJitter moves each retry's delay by up to a fifth either way, so that
// messages that failed together are not retried together.
const backoffJitter = 0.2

// maxErrorRunes bounds the error text stored with a message.
const maxErrorRunes = 500

// Worker sends the outbox: it claims due messages, sends each and records the
// outcome. Run it in one goroutine per process; several processes may run one
// each on the same database, as the claims' leases keep them apart.
type Worker struct {
	Store Outbox
	// Sender sends the messages; nil (no SMTP server configured) keeps each
	// message as unsent, with NotSentNoSMTP as its error.
	Sender MessageSender
	Now    func() time.Time
	Logger *slog.Logger
	// Lease is how long a claim holds its messages (default 2 minutes). A
	// message is only started while the rest of the lease covers its Timeout,
	// so that no other worker can claim a message being sent.
	Lease time.Duration
	// Batch is how many messages one claim takes (default 10).
	Batch int
	// Poll is how long the worker sleeps when nothing is due (default 30 s);
	// Kick wakes it earlier.
	Poll time.Duration
	// Timeout bounds one send (default 1 minute, at most half the lease).
	Timeout time.Duration

	once sync.Once
	kick chan struct{}
}

func (w *Worker) init() {
	w.once.Do(func() { w.kick = make(chan struct{}, 1) })
}

// Kick wakes the worker to look for due messages now; the service calls it after
// committing a change that queued emails. It never blocks.
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default: // a wake-up is pending already
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func (w *Worker) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return 2 * time.Minute
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return 10
}

func (w *Worker) poll() time.Duration {
	if w.Poll > 0 {
		return w.Poll
	}
	return 30 * time.Second
}

func (w *Worker) timeout() time.Duration {
	t := time.Minute
	if w.Timeout > 0 {
		t = w.Timeout
	}
	return min(t, w.lease()/2)
}

// Run sends due messages until ctx is cancelled. Cancelling ctx does not cut a
// message off: Run returns once the message in flight is sent and its outcome
// recorded, and gives the rest of its claim back for the next start.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	w.logger().Info("mail worker started", "smtp", w.smtp())
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			w.logger().Info("mail worker stopped")
			return
		case <-w.kick:
		case <-timer.C:
		}
		w.drain(ctx)
		timer.Reset(w.poll())
	}
}

// drain sends batches until nothing is due or ctx is cancelled.
func (w *Worker) drain(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		if err != nil {
			if ctx.Err() == nil { // a claim cut off by the stop is no error
				w.logger().Error("mail worker: claim outbox", "err", err)
			}
			return
		}
		if n == 0 {
			return
		}
	}
}

// RunOnce claims one batch of due messages and sends them, and reports how many
// it claimed. When ctx is cancelled it finishes the message in flight and gives
// the others back.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	claimedAt := w.now()
	ms, token, err := w.Store.ClaimOutbox(ctx, claimedAt, w.lease(), w.batch())
	if err != nil {
		return 0, err
	}
	// Outcomes are recorded even when ctx is cancelled meanwhile: a message
	// sent and not recorded would be sent again after the lease.
	record := context.WithoutCancel(ctx)
	for i, m := range ms {
		// Start a message only while the lease outlasts its send.
		if ctx.Err() != nil || w.now().Add(w.timeout()).After(claimedAt.Add(w.lease())) {
			w.release(record, ms[i:], token)
			break
		}
		w.deliver(record, m, token)
	}
	return len(ms), nil
}

// release gives the lease on ms back.
func (w *Worker) release(ctx context.Context, ms []returns.OutboxMessage, token string) {
	for _, m := range ms {
		if err := w.Store.OutboxRelease(ctx, m.ID, token); err != nil {
			w.logger().Warn("mail worker: release message", "id", m.ID, "err", err)
		}
	}
}

// deliver sends m and records the outcome. ctx is not cancelled by Run's.
func (w *Worker) deliver(ctx context.Context, m returns.OutboxMessage, token string) {
	log := w.logger().With("id", m.ID, "return_id", m.ReturnID, "kind", m.Kind)
	if m.To == returns.RedactedEmail {
		if err := w.Store.OutboxFailed(ctx, m.ID, token, returns.OutboxFailed, NotSentErased); err != nil {
			log.Error("mail worker: record message to an erased customer", "err", err)
		}
		return
	}
	if !w.smtp() {
		if err := w.Store.OutboxFailed(ctx, m.ID, token, returns.OutboxUnsent, NotSentNoSMTP); err != nil {
			log.Error("mail worker: record unsent message", "err", err)
			return
		}
		log.Info("email kept, not sent: no SMTP server configured")
		return
	}

	sendCtx, cancel := context.WithTimeout(ctx, w.timeout())
	err := w.Sender.Send(sendCtx, m)
	cancel()
	now := w.now()
	switch {
	case err == nil:
		err = w.Store.OutboxSent(ctx, m.ID, token, now)
		if err == nil {
			log.Info("email sent", "attempts", m.Attempts+1)
		}
	case IsPermanent(err):
		log.Error("email refused for good", "attempts", m.Attempts+1, "err", redact(err.Error()))
		err = w.Store.OutboxFailed(ctx, m.ID, token, returns.OutboxFailed, errText(err))
	case now.Sub(m.CreatedAt) >= returns.OutboxGiveUpAfter:
		log.Error("email given up after temporary failures", "attempts", m.Attempts+1, "err", redact(err.Error()))
		err = w.Store.OutboxFailed(ctx, m.ID, token, returns.OutboxDead, errText(err))
	default:
		next := now.Add(Backoff(m.Attempts))
		log.Warn("email not sent; will try again", "attempts", m.Attempts+1, "next", next, "err", redact(err.Error()))
		err = w.Store.OutboxRetry(ctx, m.ID, token, next, errText(err))
	}
	if err != nil {
		// Most likely the lease ran out and another worker has the message;
		// otherwise it is claimed again when the lease runs out.
		log.Error("mail worker: record outcome", "err", err)
	}
}

// smtp reports whether a sender is configured. A nil *Sender in the interface
// (from "var s *mail.Sender" left unset without SMTP_HOST) counts as none.
func (w *Worker) smtp() bool {
	if s, ok := w.Sender.(*Sender); ok {
		return s != nil
	}
	return w.Sender != nil
}

// Backoff returns the delay before the next try of a message that has failed
// attempts times before this failure: the domain's retry delay (30 s·2^attempts,
// at most an hour), ±20 %.
func Backoff(attempts int) time.Duration {
	d := returns.Backoff(attempts+1, returns.RetryFirst, returns.RetryAtMost)
	jitter := 1 + backoffJitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * jitter)
}

// errText is err's text as stored for staff, cut to maxErrorRunes.
func errText(err error) string {
	s := err.Error()
	if utf8.RuneCountInString(s) <= maxErrorRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxErrorRunes-1]) + "…"
}
