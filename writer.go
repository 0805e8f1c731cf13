package returns

import (
	"context"
	"log/slog"
	"time"
)

// WritebackStore keeps the queue of changes still to be written to Shopify orders.
type WritebackStore interface {
	// DueWritebacks returns up to limit pending write-backs due at now, oldest first.
	DueWritebacks(ctx context.Context, now time.Time, limit int) ([]Writeback, error)
	// WritebackDone marks a write-back done and appends ev to its return's timeline.
	WritebackDone(ctx context.Context, id int64, ev Event) error
	// WritebackFailed records a failed attempt and when to try next; a non-nil ev
	// is appended to the return's timeline.
	WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *Event) error
}

// OrderNotes reads and writes the note and tags of the store's orders.
type OrderNotes interface {
	// Order returns the order with the given id, or an ENOTFOUND error.
	Order(ctx context.Context, id string) (*Order, error)
	// UpdateOrder replaces the order's note and adds tags (existing tags stay).
	UpdateOrder(ctx context.Context, id, note string, addTags []string) error
}

// writeBackTimeout bounds a write-back made while a customer waits.
const writeBackTimeout = 15 * time.Second

// What fails for a while (a write-back to Shopify, an email) is tried again
// after RetryFirst, twice as long after each further failure, at most
// RetryAtMost apart.
const (
	RetryFirst  = 30 * time.Second
	RetryAtMost = time.Hour
)

// OrderWriter writes the changes of returns back to their Shopify orders: a line
// in the order's note and tags. Every change is queued in the transaction that
// made it; the writer tries it at once and retries what failed with a backoff,
// so a failure never undoes the change it tells of.
type OrderWriter struct {
	orders  OrderNotes
	store   WritebackStore
	cache   *OrderCache
	now     func() time.Time
	log     *slog.Logger
	writing keyedLocks // one write to an order's note at a time, so no note line is lost

	// Set by KeepHistory; without them the note is read and read back with
	// Order, and neither the note's writes nor the history metafield are
	// kept.
	records OrderHistoryShop
	ledger  NoteLedger
}

// NewOrderWriter returns an OrderWriter. cache holds the orders the pages
// read; the writer updates the notes it wrote there, but always writes on a
// note read fresh.
func NewOrderWriter(orders OrderNotes, store WritebackStore, cache *OrderCache, now func() time.Time, log *slog.Logger) *OrderWriter {
	return &OrderWriter{orders: orders, store: store, cache: cache, now: now, log: log}
}

// KeepHistory makes the writer read and write notes through records, add
// every write-back's step to the order's history metafield there, and
// record its note writes in ledger (so that OrderNoteChanged and
// CheckOrderNote can put back what a staff edit erased). Call it before the
// writer is used.
func (w *OrderWriter) KeepHistory(records OrderHistoryShop, ledger NoteLedger) {
	w.records, w.ledger = records, ledger
}

// WriteNow writes one change to its Shopify order right after it was stored,
// while the request that made it waits. It goes on if the client goes away, so
// a half-done write is not left to chance; a failure, or another write to the
// same order that outlasts the timeout, leaves it to the retry loop.
func (w *OrderWriter) WriteNow(ctx context.Context, wb Writeback) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	w.attempt(ctx, wb)
}

// Flush writes the due write-backs to their Shopify orders, oldest first.
func (w *OrderWriter) Flush(ctx context.Context) {
	due, err := w.store.DueWritebacks(ctx, w.now(), 50)
	if err != nil {
		w.log.Error("read due write-backs", "err", err)
		return
	}
	for i, wb := range due {
		if ctx.Err() != nil {
			return
		}
		if !w.attempt(ctx, wb) {
			w.log.Info("write-backs wait: the app is uninstalled from the shop", "due", len(due)-i)
			return
		}
	}
}

// Run retries due write-backs every interval until ctx ends.
func (w *OrderWriter) Run(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, w.Flush)
}

// attempt tries one write-back and records the outcome: done, or failed with
// the next attempt after a backoff. The first failure goes on the return's
// timeline, so staff see that the Shopify order is behind. It holds the order's
// lock while it reads and replaces the note, so that no two attempts write the
// same order's note at once (the second would drop the first one's line), while
// write-backs to other orders go on beside it. When ctx ends before the lock is
// free, the write-back stays due for the retry loop.
//
// While the app is uninstalled from the shop the write-back waits, still due,
// without an attempt counted against it, and attempt reports false: every
// other write-back would fail alike.
func (w *OrderWriter) attempt(ctx context.Context, wb Writeback) (shopAnswers bool) {
	unlock, err := w.writing.lock(ctx, wb.OrderID)
	if err != nil {
		w.log.Warn("write-back to Shopify left to the retry loop", "order", wb.OrderID, "err", err)
		return true
	}
	defer unlock()
	err = w.write(ctx, wb)
	if err == nil {
		ev := Event{ReturnID: wb.ReturnID, At: w.now(), Actor: ActorSystem, Type: EventShopifyUpdated, Message: wb.NoteLine}
		if err := w.store.WritebackDone(ctx, wb.ID, ev); err != nil {
			w.log.Error("mark write-back done", "id", wb.ID, "err", err)
		}
		return true
	}
	if ShopUninstalled(err) {
		return false
	}
	w.log.Warn("write-back to Shopify failed", "order", wb.OrderID, "attempt", wb.Attempts+1, "err", err)
	var ev *Event
	if wb.Attempts == 0 {
		deferred := Event{ReturnID: wb.ReturnID, At: w.now(), Actor: ActorSystem, Type: EventShopifyDeferred}.
			says(Msg("Shopify order not updated yet, will retry: %s", ErrorMessage(err)))
		ev = &deferred
	}
	next := w.now().Add(Backoff(wb.Attempts+1, RetryFirst, RetryAtMost))
	if err := w.store.WritebackFailed(ctx, wb.ID, next, err.Error(), ev); err != nil {
		w.log.Error("record failed write-back", "id", wb.ID, "err", err)
	}
	return true
}

// write appends the line to the order's note, read fresh, unless it is there
// already (an earlier attempt may have written it and then lost the answer),
// adds the tags and the step to the order's history metafield (once: an
// entry names its write-back), and checks the note read back.
func (w *OrderWriter) write(ctx context.Context, wb Writeback) error {
	var step *historyStep
	if wb.ReturnCode != "" {
		step = &historyStep{code: wb.ReturnCode, entry: HistoryEntry{
			ID: wb.ID, At: w.now().UTC().Truncate(time.Second), Status: wb.Status, Text: wb.NoteLine,
		}}
	}
	return w.writeOrder(ctx, wb.OrderID, wb.ReturnID, []string{wb.NoteLine}, wb.Tags, step)
}

// Backoff is the wait before attempt n+1 of something that failed n times:
// first, doubling with each failure, at most limit. The write-backs and the mail
// worker retry on it.
func Backoff(attempt int, first, limit time.Duration) time.Duration {
	d := first
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// runEvery calls fn every interval until ctx ends.
func runEvery(ctx context.Context, every time.Duration, fn func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}
