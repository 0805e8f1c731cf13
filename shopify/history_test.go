package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

// writeHistory writes only the order's history metafield.
func writeHistory(c *shopify.Client, order string, value []byte, digest string) error {
	return c.WriteOrderRecord(context.Background(), order, returns.OrderRecordWrite{History: value, HistoryDigest: digest})
}

// TestOrderHistoryCompareDigest: the history metafield is written over the
// digest read; a write made meanwhile makes the next one ErrStaleHistory
// (STALE_OBJECT), as does a first write (no digest) when one exists; read
// back, the metafield is what was written.
func TestOrderHistoryCompareDigest(t *testing.T) {
	c, shop := MustOpen(t)
	ctx := context.Background()
	const order = "gid://shopify/Order/1001"

	rec, err := c.OrderRecord(ctx, order)
	if doc := rec.History; err != nil || doc.Value != nil || doc.Digest != "" {
		t.Fatalf("OrderRecord before any history = %+v, %v; want none", rec, err)
	}
	first := []byte(`{"version":1,"returns":{"R-A":[]}}`)
	if err := writeHistory(c, order, first, ""); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if err := writeHistory(c, order, first, ""); !errors.Is(err, returns.ErrStaleHistory) {
		t.Fatalf("a second first write = %v, want ErrStaleHistory", err)
	}
	rec, err = c.OrderRecord(ctx, order)
	doc := rec.History
	if err != nil || string(doc.Value) != string(first) || doc.Digest == "" {
		t.Fatalf("OrderRecord = %+v, %v; want the first write with a digest", rec, err)
	}

	// Another writer (staff's app, another portal instance) writes meanwhile.
	if err := shop.SetOrderMetafield("1001", returns.HistoryNamespace, returns.HistoryKey, "json", `{"version":1,"returns":{"R-B":[]}}`); err != nil {
		t.Fatal(err)
	}
	if err := writeHistory(c, order, []byte(`{"version":1,"returns":{"R-C":[]}}`), doc.Digest); !errors.Is(err, returns.ErrStaleHistory) {
		t.Fatalf("write over a stale digest = %v, want ErrStaleHistory", err)
	}
	rec, err = c.OrderRecord(ctx, order)
	fresh := rec.History
	if err != nil || string(fresh.Value) != `{"version":1,"returns":{"R-B":[]}}` || fresh.Digest == doc.Digest {
		t.Fatalf("OrderRecord after the refused write = %+v, %v; want the other writer's", rec, err)
	}
	if err := writeHistory(c, order, []byte(`{"version":1,"returns":{"R-B":[],"R-C":[]}}`), fresh.Digest); err != nil {
		t.Fatalf("write over the fresh digest: %v", err)
	}
	if v, _ := shop.OrderMetafield("1001", "app--5551234--returns", returns.HistoryKey); v != `{"version":1,"returns":{"R-B":[],"R-C":[]}}` {
		t.Fatalf("stored under the app's resolved namespace: %q", v)
	}
}

// TestWriteOrderRecordStaleHistory: in one request the note is written and
// the tags added before the history is refused as stale; the answer is
// ErrStaleHistory and the note and tags stay written.
func TestWriteOrderRecordStaleHistory(t *testing.T) {
	c, shop := MustOpen(t)
	if err := shop.SetOrderMetafield("1001", returns.HistoryNamespace, returns.HistoryKey, "json", `{"version":1}`); err != nil {
		t.Fatal(err)
	}
	note := "R-A: approved"
	err := c.WriteOrderRecord(context.Background(), "gid://shopify/Order/1001", returns.OrderRecordWrite{
		Note: &note, Tags: []string{"returns:approved"}, History: []byte(`{"version":1,"returns":{}}`),
	})
	if !errors.Is(err, returns.ErrStaleHistory) {
		t.Fatalf("WriteOrderRecord = %v, want ErrStaleHistory", err)
	}
	o, _ := shop.OrderByName("1001")
	if o.Note != note || !slices.Contains(o.Tags, "returns:approved") {
		t.Fatalf("order note %q tags %v: want the note and tags written before the refused history", o.Note, o.Tags)
	}
}

// doneWritebacks is a WritebackStore that records what became of each
// write-back.
type doneWritebacks struct {
	mu     sync.Mutex
	done   []int64
	failed []string
}

func (s *doneWritebacks) DueWritebacks(ctx context.Context, now time.Time, limit int) ([]returns.Writeback, error) {
	return nil, nil
}

func (s *doneWritebacks) WritebackDone(ctx context.Context, id int64, ev returns.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = append(s.done, id)
	return nil
}

func (s *doneWritebacks) WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *returns.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = append(s.failed, lastErr)
	return nil
}

// racedHistory is the client, where another writer adds an entry to the
// order's history metafield right after the portal's next read of it.
type racedHistory struct {
	*shopify.Client
	shop *devshop.Shop
	race bool
}

func (r *racedHistory) OrderRecord(ctx context.Context, orderID string) (returns.OrderRecord, error) {
	rec, err := r.Client.OrderRecord(ctx, orderID)
	if r.race && err == nil {
		r.race = false
		other, err := returns.ParseOrderHistory(rec.History.Value)
		if err != nil {
			return rec, err
		}
		other.Returns["R-OTHER"] = append(other.Returns["R-OTHER"], returns.HistoryEntry{ID: 900, At: now, Text: "R-OTHER: requested"})
		value, err := json.Marshal(other)
		if err != nil {
			return rec, err
		}
		if err := r.shop.SetOrderMetafield("1001", returns.HistoryNamespace, returns.HistoryKey, "json", string(value)); err != nil {
			return rec, err
		}
	}
	return rec, err
}

// TestWriteBackCalls counts the Shopify calls of a write-back with its
// history: three (read, one request of every write, read back); five when
// the history changed between the read and the write (its write refused,
// read back, written again alone), with the note's line and the history's
// entry each once; one for a write-back tried again after it was done.
func TestWriteBackCalls(t *testing.T) {
	c, shop := MustOpen(t)
	ctx := context.Background()
	store := &doneWritebacks{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := returns.NewOrderWriter(c, store, returns.NewOrderCache(), func() time.Time { return now }, log)
	raced := &racedHistory{Client: c, shop: shop}
	w.KeepHistory(raced, nil)
	const order = "gid://shopify/Order/1001"
	approved := returns.Writeback{ID: 41, ReturnID: 1, OrderID: order, NoteLine: "R-TEST: approved", Tags: []string{"returns:approved"}, ReturnCode: "R-TEST", Status: returns.StatusApproved}
	closed := returns.Writeback{ID: 42, ReturnID: 1, OrderID: order, NoteLine: "R-TEST: closed", ReturnCode: "R-TEST", Status: returns.StatusClosed}

	writeBack := func(wb returns.Writeback) int {
		t.Helper()
		before := shop.Calls()
		w.WriteNow(ctx, wb)
		if len(store.failed) > 0 {
			t.Fatalf("write-back %d failed: %v", wb.ID, store.failed)
		}
		return shop.Calls() - before
	}
	if n := writeBack(approved); n != 3 {
		t.Fatalf("a write-back made %d Shopify calls, want 3", n)
	}
	raced.race = true
	if n := writeBack(closed); n != 5 {
		t.Fatalf("a write-back whose history was written meanwhile made %d Shopify calls, want 5", n)
	}
	if n := writeBack(approved); n != 1 {
		t.Fatalf("a write-back tried again after it was done made %d Shopify calls, want 1", n)
	}

	o, _ := shop.OrderByName("1001")
	if strings.Count(o.Note, approved.NoteLine) != 1 || strings.Count(o.Note, closed.NoteLine) != 1 || !slices.Contains(o.Tags, "returns:approved") {
		t.Fatalf("note %q tags %v: want each line once and the tag", o.Note, o.Tags)
	}
	value, _ := shop.OrderMetafield("1001", returns.HistoryNamespace, returns.HistoryKey)
	var rec returns.OrderHistoryRecord
	if err := json.Unmarshal([]byte(value), &rec); err != nil {
		t.Fatal(err)
	}
	if r := rec.Returns["R-TEST"]; len(rec.Returns["R-OTHER"]) != 1 || len(r) != 2 || r[0].ID != 41 || r[1].ID != 42 {
		t.Fatalf("history %s: want the other writer's entry and each write-back's once", value)
	}
	if !slices.Equal(store.done, []int64{41, 42, 41}) {
		t.Fatalf("done %v", store.done)
	}
}

// TestEnsureHistoryDefinition: the order metafield definition of the
// history is made once, pinned, with its name and type; asked again, it is
// there and nothing is made.
func TestEnsureHistoryDefinition(t *testing.T) {
	c, shop := MustOpen(t)
	ctx := context.Background()
	created, err := c.EnsureHistoryDefinition(ctx)
	if err != nil || !created {
		t.Fatalf("EnsureHistoryDefinition = %v, %v; want made", created, err)
	}
	created, err = c.EnsureHistoryDefinition(ctx)
	if err != nil || created {
		t.Fatalf("EnsureHistoryDefinition again = %v, %v; want there already", created, err)
	}
	want := []devshop.MetafieldDefinition{{OwnerType: "ORDER", Namespace: "app--5551234--returns", Key: "history", Name: "Returns history", Type: "json", Pinned: true}}
	if got := shop.MetafieldDefinitions(); !slices.Equal(got, want) {
		t.Fatalf("definitions %+v, want %+v", got, want)
	}
}
