package returns

import (
	"context"
	"strings"
	"time"
)

// noteFreshFor is how old an order read from Shopify may be for its note to be the
// base of a write-back. Within it, the note read by the submission just before is
// used instead of asking Shopify again; a merchant's edit in that instant could be
// overwritten, which is the price of one call fewer per return.
const noteFreshFor = 10 * time.Second

// writeBackTimeout bounds a write-back made while a customer waits.
const writeBackTimeout = 15 * time.Second

// writeBackNow writes one change to its Shopify order right after it was stored,
// while the customer's request waits. It goes on if the customer goes away, so a
// half-done write is not left to chance; a failure, or another write to the same
// order that outlasts the timeout, leaves it to the retry loop.
func (s *Service) writeBackNow(ctx context.Context, wb Writeback) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	s.attemptWriteback(ctx, wb)
}

// FlushWritebacks writes the due write-backs to their Shopify orders, oldest first.
func (s *Service) FlushWritebacks(ctx context.Context) {
	due, err := s.Writebacks.DueWritebacks(ctx, s.now(), 50)
	if err != nil {
		s.logger().Error("read due write-backs", "err", err)
		return
	}
	for _, wb := range due {
		if ctx.Err() != nil {
			return
		}
		s.attemptWriteback(ctx, wb)
	}
}

// attemptWriteback tries one write-back and records the outcome: done, or failed
// with the next attempt after a backoff. The first failure goes on the return's
// timeline, so staff see that the Shopify order is behind. It holds the order's
// lock while it reads and replaces the note, so that no two attempts write the
// same order's note at once (the second would drop the first one's line), while
// write-backs to other orders go on beside it. When ctx ends before the lock is
// free, the write-back stays due for the retry loop.
func (s *Service) attemptWriteback(ctx context.Context, wb Writeback) {
	unlock, err := s.writing.lock(ctx, wb.OrderID)
	if err != nil {
		s.logger().Warn("write-back to Shopify left to the retry loop", "order", wb.OrderID, "err", err)
		return
	}
	defer unlock()
	err = s.writeBack(ctx, wb)
	if err == nil {
		ev := Event{ReturnID: wb.ReturnID, At: s.now(), Actor: ActorSystem, Type: EventShopifyUpdated, Message: wb.NoteLine}
		if err := s.Writebacks.WritebackDone(ctx, wb.ID, ev); err != nil {
			s.logger().Error("mark write-back done", "id", wb.ID, "err", err)
		}
		return
	}
	s.logger().Warn("write-back to Shopify failed", "order", wb.OrderID, "attempt", wb.Attempts+1, "err", err)
	var ev *Event
	if wb.Attempts == 0 {
		ev = &Event{ReturnID: wb.ReturnID, At: s.now(), Actor: ActorSystem, Type: EventShopifyDeferred, Message: "Shopify order not updated yet, will retry: " + ErrorMessage(err).String()}
	}
	next := s.now().Add(writebackBackoff(wb.Attempts + 1))
	if err := s.Writebacks.WritebackFailed(ctx, wb.ID, next, err.Error(), ev); err != nil {
		s.logger().Error("record failed write-back", "id", wb.ID, "err", err)
	}
}

// writeBack appends the line to the order's note unless it is there already (an
// earlier attempt may have written it and then lost the answer) and adds the tags.
func (s *Service) writeBack(ctx context.Context, wb Writeback) error {
	o := s.orders.fresh(wb.OrderID, s.now(), noteFreshFor)
	if o == nil {
		var err error
		if o, err = s.Shop.Order(ctx, wb.OrderID); err != nil {
			return err
		}
	}
	note := o.Note
	if !strings.Contains(note, wb.NoteLine) {
		if note != "" && !strings.HasSuffix(note, "\n") {
			note += "\n"
		}
		note += wb.NoteLine
	}
	if err := s.Shop.UpdateOrder(ctx, wb.OrderID, note, wb.Tags); err != nil {
		return err
	}
	s.orders.noted(wb.OrderID, note, wb.Tags)
	return nil
}

// writebackBackoff is the wait before attempt n+1: 30 s doubling up to an hour.
func writebackBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// RunWritebacks retries due write-backs every interval until ctx ends.
func (s *Service) RunWritebacks(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, s.FlushWritebacks)
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
