package returns

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// racingHistories is an order's note and history metafield, where another
// writer changes the metafield right after each of the first `races` reads.
type racingHistories struct {
	mu      sync.Mutex
	note    string
	value   []byte
	version int
	races   int
	sets    int // history writes, refused or made
}

func (h *racingHistories) OrderRecord(ctx context.Context, orderID string) (OrderRecord, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec := OrderRecord{OrderNoteState: OrderNoteState{Note: h.note}, History: OrderHistoryDoc{Value: h.value, Digest: h.digest()}}
	if h.races > 0 {
		h.races--
		other, _ := ParseOrderHistory(h.value)
		other.add("R-OTHER", HistoryEntry{ID: int64(1000 + h.races), Text: fmt.Sprintf("other %d", h.races)})
		h.value, _ = json.Marshal(other)
		h.version++
	}
	return rec, nil
}

func (h *racingHistories) digest() string {
	if h.value == nil {
		return ""
	}
	return fmt.Sprint(h.version)
}

// WriteOrderRecord writes as Shopify runs the request's mutations: the
// note first, then the history, refused when stale.
func (h *racingHistories) WriteOrderRecord(ctx context.Context, orderID string, w OrderRecordWrite) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if w.Note != nil {
		h.note = *w.Note
	}
	if w.History == nil {
		return nil
	}
	h.sets++
	if w.HistoryDigest != h.digest() {
		return ErrStaleHistory
	}
	h.value = w.History
	h.version++
	return nil
}

// TestHistoryStaleRetried: a history write refused as stale is read again,
// merged and written; the other writer's entries and the portal's all stay,
// and the note, written with the first refused history, holds the line
// once. One racing more than the attempts allow fails the write-back, to be
// retried later.
func TestHistoryStaleRetried(t *testing.T) {
	shop := newGatedShop()
	w, _ := newWritebackService(shop)
	shop.open("gid://shopify/Order/1")
	hist := &racingHistories{races: 2}
	w.KeepHistory(hist, nil)
	wb := Writeback{ID: 7, OrderID: "gid://shopify/Order/1", NoteLine: "R-MINE: approved", ReturnCode: "R-MINE", Status: StatusApproved}
	if err := w.write(context.Background(), wb); err != nil {
		t.Fatalf("write: %v", err)
	}
	rec, err := ParseOrderHistory(hist.value)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Returns["R-OTHER"]) != 2 || len(rec.Returns["R-MINE"]) != 1 || rec.Returns["R-MINE"][0].Status != StatusApproved {
		t.Fatalf("history %s: want both of the other writer's entries and the portal's", hist.value)
	}
	if hist.sets != 3 {
		t.Fatalf("%d writes, want 2 refused and 1 made", hist.sets)
	}
	if hist.note != "R-MINE: approved" {
		t.Fatalf("note %q, want the line once", hist.note)
	}
	// Written again (a retried write-back), nothing is added or written.
	if err := w.write(context.Background(), wb); err != nil {
		t.Fatalf("write again: %v", err)
	}
	if rec, _ := ParseOrderHistory(hist.value); len(rec.Returns["R-MINE"]) != 1 || hist.sets != 3 || hist.note != "R-MINE: approved" {
		t.Fatalf("written again: history %s, %d writes, note %q; want nothing added", hist.value, hist.sets, hist.note)
	}

	busy := &racingHistories{races: historyAttempts}
	w.KeepHistory(busy, nil)
	if err := w.write(context.Background(), Writeback{ID: 8, OrderID: "gid://shopify/Order/1", NoteLine: "R-MINE: closed", ReturnCode: "R-MINE"}); err == nil {
		t.Fatal("write raced more often than historyAttempts succeeded")
	}
}
