package returns

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// racingHistories is an order's history metafield that another writer
// changes right after each of the first `races` reads.
type racingHistories struct {
	mu      sync.Mutex
	value   []byte
	version int
	races   int
	sets    int
}

func (h *racingHistories) OrderHistory(ctx context.Context, orderID string) (OrderHistoryDoc, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	doc := OrderHistoryDoc{Value: h.value, Digest: h.digest()}
	if h.races > 0 {
		h.races--
		rec, _ := ParseOrderHistory(h.value)
		rec.add("R-OTHER", HistoryEntry{ID: int64(1000 + h.races), Text: fmt.Sprintf("other %d", h.races)})
		h.value, _ = json.Marshal(rec)
		h.version++
	}
	return doc, nil
}

func (h *racingHistories) digest() string {
	if h.value == nil {
		return ""
	}
	return fmt.Sprint(h.version)
}

func (h *racingHistories) SetOrderHistory(ctx context.Context, orderID string, value []byte, compareDigest string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sets++
	if compareDigest != h.digest() {
		return ErrStaleHistory
	}
	h.value = value
	h.version++
	return nil
}

// TestHistoryStaleRetried: a history write refused as stale is read again,
// merged and written; the other writer's entries and the portal's all stay.
// One racing more than the attempts allow fails the write-back, to be
// retried later.
func TestHistoryStaleRetried(t *testing.T) {
	shop := newGatedShop()
	w, _ := newWritebackService(shop)
	shop.open("gid://shopify/Order/1")
	hist := &racingHistories{races: 2}
	w.KeepHistory(nil, hist, nil)
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
	// Written again (a retried write-back), nothing is added.
	if err := w.write(context.Background(), wb); err != nil || len(rec.Returns["R-MINE"]) != 1 {
		t.Fatalf("write again: %v", err)
	}

	busy := &racingHistories{races: historyAttempts}
	w.KeepHistory(nil, busy, nil)
	if err := w.write(context.Background(), Writeback{ID: 8, OrderID: "gid://shopify/Order/1", NoteLine: "R-MINE: closed", ReturnCode: "R-MINE"}); err == nil {
		t.Fatal("write raced more often than historyAttempts succeeded")
	}
}
