package returns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// An order's note is the merchant's as much as the portal's: staff edit it in
// Shopify admin, and orderUpdate(note:) replaces it whole. The portal reads
// the note right before each write and reads it back after; it keeps what it
// wrote (NoteLedger), so that an orders/updated webhook or the periodic pass
// can tell when a staff save erased a portal line, or when the portal's own
// write erased a staff edit made between its read and its write, and put
// back what was lost. The structured history of the order's returns is kept
// besides in an app-owned metafield, which no note edit touches.

// OrderNoteState is an order's note as Shopify has it now.
type OrderNoteState struct {
	Note string
	// UpdatedAt is Shopify's updatedAt of the order (whole seconds).
	UpdatedAt time.Time
}

// OrderNoteReader reads an order's note fresh from Shopify; *shopify.Client
// is one.
type OrderNoteReader interface {
	// OrderNote returns the order's note; ENOTFOUND when there is no order.
	OrderNote(ctx context.Context, id string) (OrderNoteState, error)
}

// NoteWrite is one write of the portal to an order's note.
type NoteWrite struct {
	OrderID  string
	ReturnID int64 // the return it wrote for; its timeline tells what was put back
	// ReadAt is the order's updatedAt when the portal read the note it built
	// on, WrittenAt when it read back what it wrote: a staff edit in between
	// was erased by the write.
	ReadAt, WrittenAt time.Time
	Note              string // the note as written
}

// PortalLine is a line the portal wrote to an order's note (a done
// write-back), with what became of it when erased.
type PortalLine struct {
	WritebackID int64
	ReturnID    int64
	Line        string
	Restored    bool // put back once after it was erased
	LeftOut     bool // erased again after that: staff mean it
}

// NoteLedger keeps what the portal wrote to order notes.
type NoteLedger interface {
	// NoteWritten records a note write; records of the order older than
	// keepAfter may go.
	NoteWritten(ctx context.Context, nw NoteWrite, keepAfter time.Time) error
	// NoteWritesSpanning returns the order's note writes whose ReadAt is at
	// or before at and WrittenAt at or after it.
	NoteWritesSpanning(ctx context.Context, orderID string, at time.Time) ([]NoteWrite, error)
	// PortalLines returns the lines the portal wrote to the order's note.
	PortalLines(ctx context.Context, orderID string) ([]PortalLine, error)
	// PortalLineRestored and PortalLineLeftOut record what became of an
	// erased line and append ev to its return's timeline; NoteRestoreEvent
	// appends ev only.
	PortalLineRestored(ctx context.Context, writebackID int64, ev Event) error
	PortalLineLeftOut(ctx context.Context, writebackID int64, ev Event) error
	NoteRestoreEvent(ctx context.Context, ev Event) error
}

// historyAttempts bounds the writes of the history metafield one write-back
// makes when others write it meanwhile (ErrStaleHistory each time).
const historyAttempts = 4

// OrderHistoryRecord is the JSON document of an order's history metafield
// ($app:returns.history, type json): per return code, the steps the portal
// wrote to the order, oldest first.
//
//	{"version":1,"returns":{"R-7KQ9X2MD":[
//	  {"id":41,"at":"2026-11-26T10:00:00Z","status":"approved","text":"R-7KQ9X2MD: approved …"}]}}
type OrderHistoryRecord struct {
	Version int                       `json:"version"`
	Returns map[string][]HistoryEntry `json:"returns"`
}

// HistoryEntry is one step of a return in an order's history metafield.
type HistoryEntry struct {
	// ID is the portal's write-back the step came with: an entry is added
	// once, however often the write is tried or merged.
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Status Status    `json:"status,omitempty"`
	Text   string    `json:"text"`
}

// historyVersion is the version of OrderHistoryRecord the portal writes.
const historyVersion = 1

// ParseOrderHistory decodes an order's history metafield; nil or empty is
// an empty history.
func ParseOrderHistory(value []byte) (OrderHistoryRecord, error) {
	rec := OrderHistoryRecord{Version: historyVersion, Returns: map[string][]HistoryEntry{}}
	if len(value) == 0 {
		return rec, nil
	}
	if err := json.Unmarshal(value, &rec); err != nil {
		return OrderHistoryRecord{Version: historyVersion, Returns: map[string][]HistoryEntry{}}, fmt.Errorf("decode order history: %w", err)
	}
	if rec.Returns == nil {
		rec.Returns = map[string][]HistoryEntry{}
	}
	return rec, nil
}

// add adds e to the entries of return code unless an entry of the same
// write-back is there, keeping them in time order, and reports whether it
// added it.
func (rec *OrderHistoryRecord) add(code string, e HistoryEntry) bool {
	entries := rec.Returns[code]
	if slices.ContainsFunc(entries, func(x HistoryEntry) bool { return x.ID == e.ID }) {
		return false
	}
	entries = append(entries, e)
	slices.SortStableFunc(entries, func(a, b HistoryEntry) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	rec.Returns[code] = entries
	return true
}

// recordHistory adds the write-back's step to the order's history
// metafield, over the version it read: a write meanwhile is read again and
// merged, a few times at most.
func (w *OrderWriter) recordHistory(ctx context.Context, wb Writeback) error {
	if w.histories == nil || wb.ReturnCode == "" {
		return nil
	}
	entry := HistoryEntry{ID: wb.ID, At: w.now().UTC().Truncate(time.Second), Status: wb.Status, Text: wb.NoteLine}
	for range historyAttempts {
		doc, err := w.histories.OrderHistory(ctx, wb.OrderID)
		if err != nil {
			return fmt.Errorf("read the history of order %s: %w", wb.OrderID, err)
		}
		rec, err := ParseOrderHistory(doc.Value)
		if err != nil {
			// The namespace is the app's own: only a broken write of the
			// portal could have left this, and a history that cannot be read
			// is started anew rather than blocking every write-back.
			w.log.Warn("order history metafield unreadable; written anew", "order", wb.OrderID, "err", err)
		}
		if !rec.add(wb.ReturnCode, entry) {
			return nil
		}
		value, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode the history of order %s: %w", wb.OrderID, err)
		}
		err = w.histories.SetOrderHistory(ctx, wb.OrderID, value, doc.Digest)
		if errors.Is(err, ErrStaleHistory) {
			continue
		}
		if err != nil {
			return fmt.Errorf("write the history of order %s: %w", wb.OrderID, err)
		}
		return nil
	}
	return fmt.Errorf("write the history of order %s: %w (%d attempts)", wb.OrderID, ErrStaleHistory, historyAttempts)
}

// readNote reads the order's note fresh from Shopify.
func (w *OrderWriter) readNote(ctx context.Context, orderID string) (OrderNoteState, error) {
	if w.notes != nil {
		return w.notes.OrderNote(ctx, orderID)
	}
	o, err := w.orders.Order(ctx, orderID)
	if err != nil {
		return OrderNoteState{}, err
	}
	return OrderNoteState{Note: o.Note}, nil
}

// writeNote appends to the order's note each of lines it lacks and adds the
// tags, on the note read right before, then reads the note back and checks
// that every line is there. The caller holds the order's lock. A write is
// recorded in the ledger for the webhooks of edits it may have erased.
func (w *OrderWriter) writeNote(ctx context.Context, orderID string, returnID int64, lines, tags []string) error {
	before, err := w.readNote(ctx, orderID)
	if err != nil {
		return err
	}
	note := before.Note
	for _, line := range lines {
		note = appendNoteLine(note, line)
	}
	if note == before.Note && len(tags) == 0 {
		return nil
	}
	if err := w.orders.UpdateOrder(ctx, orderID, note, tags); err != nil {
		return err
	}
	after, err := w.readNote(ctx, orderID)
	if err != nil {
		return fmt.Errorf("read back the note of order %s: %w", orderID, err)
	}
	for _, line := range lines {
		if !strings.Contains(after.Note, line) {
			return fmt.Errorf("note of order %s read back without the line written: %w", orderID, errNoteChanged)
		}
	}
	w.cache.noted(orderID, after.Note, tags)
	if note == before.Note || w.ledger == nil {
		return nil
	}
	nw := NoteWrite{OrderID: orderID, ReturnID: returnID, ReadAt: before.UpdatedAt, WrittenAt: after.UpdatedAt, Note: note}
	if err := w.ledger.NoteWritten(ctx, nw, w.now().Add(-WebhookRetention)); err != nil {
		return fmt.Errorf("record the note write of order %s: %w", orderID, err)
	}
	return nil
}

// errNoteChanged is a write whose note, read back, lacks what was written:
// someone wrote the note meanwhile. It is tried again on the note as it is.
var errNoteChanged = Errorf(ECONFLICT, "The order’s note changed while it was written.")

// appendNoteLine returns note with line appended on a line of its own,
// unless the note holds it already.
func appendNoteLine(note, line string) string {
	if strings.Contains(note, line) {
		return note
	}
	if note != "" && !strings.HasSuffix(note, "\n") {
		note += "\n"
	}
	return note + line
}

// noteLines returns the non-empty lines of a note, trimmed.
func noteLines(note string) []string {
	var out []string
	for _, l := range strings.Split(note, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// OrderNoteKeeper puts back what staff edits erased from order notes; the
// OrderWriter is one.
type OrderNoteKeeper interface {
	// OrderNoteChanged checks an orders/updated webhook.
	OrderNoteChanged(ctx context.Context, u ShopOrderUpdate) error
	// CheckOrderNote checks the order's note as it is now.
	CheckOrderNote(ctx context.Context, orderID string) error
}

// lostText is text of a staff edit that a portal write erased.
type lostText struct {
	text     string
	returnID int64 // the return the erasing write was for
}

// OrderNoteChanged checks an orders/updated webhook for what the note lost:
// a portal line the webhook's note lacks, or text of a staff edit made
// between a portal write's read and its write (the webhook's time lies in
// the write's span and its note has lines the portal's note lacked). It
// decides on the note read fresh, so a webhook late, twice or out of order
// puts back nothing that is there, and asks Shopify nothing when the
// webhook's note holds every portal line and no write spans it.
func (w *OrderWriter) OrderNoteChanged(ctx context.Context, u ShopOrderUpdate) error {
	if w.ledger == nil {
		return nil
	}
	lines, err := w.ledger.PortalLines(ctx, u.ID)
	if err != nil {
		return err
	}
	writes, err := w.ledger.NoteWritesSpanning(ctx, u.ID, u.UpdatedAt)
	if err != nil {
		return err
	}
	var lost []lostText
	for _, nw := range writes {
		if u.Note == nw.Note {
			continue
		}
		for _, l := range noteLines(u.Note) {
			if !strings.Contains(nw.Note, l) && !isPortalLine(lines, l) {
				lost = append(lost, lostText{text: l, returnID: nw.ReturnID})
			}
		}
	}
	missing := slices.ContainsFunc(lines, func(l PortalLine) bool { return !l.LeftOut && !strings.Contains(u.Note, l.Line) })
	if len(lost) == 0 && !missing {
		return nil
	}
	return w.restore(ctx, u.ID, lost)
}

// CheckOrderNote is the periodic pass's check of an order's note: a portal
// line erased from it is put back once.
func (w *OrderWriter) CheckOrderNote(ctx context.Context, orderID string) error {
	if w.ledger == nil {
		return nil
	}
	return w.restore(ctx, orderID, nil)
}

func isPortalLine(lines []PortalLine, text string) bool {
	return slices.ContainsFunc(lines, func(l PortalLine) bool { return strings.Contains(l.Line, text) || strings.Contains(text, l.Line) })
}

// restore puts back into the order's note, read fresh under the order's
// lock, the portal lines it lacks that were not put back before, and the
// lost staff text it lacks; a portal line erased again after it was put
// back is left out, and each return's timeline says what happened.
func (w *OrderWriter) restore(ctx context.Context, orderID string, lost []lostText) error {
	unlock, err := w.writing.lock(ctx, orderID)
	if err != nil {
		return err
	}
	defer unlock()
	lines, err := w.ledger.PortalLines(ctx, orderID)
	if err != nil {
		return err
	}
	cur, err := w.readNote(ctx, orderID)
	if err != nil {
		return err
	}
	var put []string
	var restored []PortalLine
	var returnID int64
	for _, l := range lines {
		if l.LeftOut || strings.Contains(cur.Note, l.Line) {
			continue
		}
		if l.Restored {
			ev := Event{ReturnID: l.ReturnID, At: w.now(), Actor: ActorSystem, Type: EventShopifyUpdated}.
				says(Msg("Line erased again from the Shopify order’s note after it was put back; left out: %s", l.Line))
			if err := w.ledger.PortalLineLeftOut(ctx, l.WritebackID, ev); err != nil && ErrorCode(err) != ECONFLICT {
				return err
			}
			w.log.Info("portal line erased again from the order's note; left out", "order", orderID, "line", l.Line)
			continue
		}
		put = append(put, l.Line)
		restored = append(restored, l)
		returnID = l.ReturnID
	}
	var putLost []lostText
	for _, t := range lost {
		if strings.Contains(cur.Note, t.text) || slices.Contains(put, t.text) {
			continue
		}
		put = append(put, t.text)
		putLost = append(putLost, t)
		returnID = t.returnID
	}
	if len(put) == 0 {
		return nil
	}
	if err := w.writeNote(ctx, orderID, returnID, put, nil); err != nil {
		return fmt.Errorf("put back what the note of order %s lost: %w", orderID, err)
	}
	for _, l := range restored {
		ev := Event{ReturnID: l.ReturnID, At: w.now(), Actor: ActorSystem, Type: EventShopifyUpdated}.
			says(Msg("Line erased from the Shopify order’s note put back: %s", l.Line))
		if err := w.ledger.PortalLineRestored(ctx, l.WritebackID, ev); err != nil && ErrorCode(err) != ECONFLICT {
			return err
		}
	}
	for _, t := range putLost {
		ev := Event{ReturnID: t.returnID, At: w.now(), Actor: ActorSystem, Type: EventShopifyUpdated}.
			says(Msg("Text of a staff edit that the portal’s write erased from the Shopify order’s note put back: %s", t.text))
		if err := w.ledger.NoteRestoreEvent(ctx, ev); err != nil {
			return err
		}
	}
	w.log.Info("what the order's note lost put back", "order", orderID, "lines", len(put))
	return nil
}

// OrderHistoryShop is what the order writer asks of Shopify to keep an
// order's note and history; *shopify.Client is one.
type OrderHistoryShop interface {
	OrderNoteReader
	OrderHistories
}

// GuardHistory is GuardOrders for the reads of notes and the history
// metafield.
func (i *ShopInstallation) GuardHistory(h OrderHistoryShop) OrderHistoryShop {
	return guardedHistory{i: i, shop: h}
}

type guardedHistory struct {
	i    *ShopInstallation
	shop OrderHistoryShop
}

func (g guardedHistory) OrderNote(ctx context.Context, id string) (OrderNoteState, error) {
	if err := g.i.check(ctx); err != nil {
		return OrderNoteState{}, err
	}
	return g.shop.OrderNote(ctx, id)
}

func (g guardedHistory) OrderHistory(ctx context.Context, orderID string) (OrderHistoryDoc, error) {
	if err := g.i.check(ctx); err != nil {
		return OrderHistoryDoc{}, err
	}
	return g.shop.OrderHistory(ctx, orderID)
}

func (g guardedHistory) SetOrderHistory(ctx context.Context, orderID string, value []byte, compareDigest string) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.shop.SetOrderHistory(ctx, orderID, value, compareDigest)
}
