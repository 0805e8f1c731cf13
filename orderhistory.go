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

// OrderRecord is an order's note and history metafield as Shopify has them
// now, read in one request.
type OrderRecord struct {
	OrderNoteState
	Tags    []string
	History OrderHistoryDoc
}

// OrderRecordWrite is what one request writes to an order, in this order:
// the note, the tags, the history metafield.
type OrderRecordWrite struct {
	Note *string  // the whole note; nil leaves it as it is
	Tags []string // added to the order's tags
	// History is the new JSON of the history metafield, written only over
	// the version whose digest is HistoryDigest ("" while there is none);
	// nil leaves the metafield as it is.
	History       []byte
	HistoryDigest string
}

// OrderHistoryShop is what the order writer asks of Shopify to keep an
// order's note and history; *shopify.Client is one. A write-back costs it
// three requests: a read, a write, a read back.
type OrderHistoryShop interface {
	// OrderRecord reads the order's note, its updatedAt and its history
	// metafield; ENOTFOUND when there is no order.
	OrderRecord(ctx context.Context, orderID string) (OrderRecord, error)
	// WriteOrderRecord makes w's writes in one request, one after the
	// other. They are not one transaction: when the history is refused
	// because the metafield changed since it was read (ErrStaleHistory),
	// the note and the tags were written all the same.
	WriteOrderRecord(ctx context.Context, orderID string, w OrderRecordWrite) error
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

// historyStep is a write-back's step for the order's history metafield.
type historyStep struct {
	code  string // the return's code
	entry HistoryEntry
}

// readNote reads the order's note fresh from Shopify.
func (w *OrderWriter) readNote(ctx context.Context, orderID string) (OrderNoteState, error) {
	if w.records != nil {
		rec, err := w.records.OrderRecord(ctx, orderID)
		return rec.OrderNoteState, err
	}
	o, err := w.orders.Order(ctx, orderID)
	if err != nil {
		return OrderNoteState{}, err
	}
	return OrderNoteState{Note: o.Note}, nil
}

// writeOrder appends to the order's note each of lines it lacks, adds the
// tags and adds step (when not nil) to the order's history metafield, on
// the note and history read right before, then reads them back and checks
// that every line is in the note. The caller holds the order's lock. A
// note write is recorded in the ledger for the webhooks of edits it may
// have erased.
//
// With KeepHistory that is three requests: the read, one request of every
// write (orderUpdate, tagsAdd, metafieldsSet, run in this order), the read
// back. A history refused as stale, because someone wrote it meanwhile, is
// merged into the version read back and written again, alone: the note
// and tags were written before it in the same request, and the read back
// shows them, so nothing is written twice.
func (w *OrderWriter) writeOrder(ctx context.Context, orderID string, returnID int64, lines, tags []string, step *historyStep) error {
	if w.records == nil {
		return w.writeNoteOnly(ctx, orderID, lines, tags)
	}
	cur, err := w.records.OrderRecord(ctx, orderID)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		write, err := w.orderWrite(orderID, cur, lines, tags, step)
		if err != nil {
			return err
		}
		if write.Note == nil && len(write.Tags) == 0 && write.History == nil {
			return nil
		}
		err = w.records.WriteOrderRecord(ctx, orderID, write)
		stale := errors.Is(err, ErrStaleHistory)
		if err != nil && !stale {
			return err
		}
		after, err := w.records.OrderRecord(ctx, orderID)
		if err != nil {
			return fmt.Errorf("read back the note of order %s: %w", orderID, err)
		}
		if err := w.wrote(ctx, orderID, returnID, lines, write, cur.OrderNoteState, after.OrderNoteState); err != nil {
			return err
		}
		if !stale {
			return nil
		}
		if attempt == historyAttempts {
			return fmt.Errorf("write the history of order %s: %w (%d attempts)", orderID, ErrStaleHistory, historyAttempts)
		}
		// The note and the tags written with the refused history are in
		// what was read back.
		cur = after
	}
}

// orderWrite is what writeOrder writes over cur: the note when it lacks one
// of lines, the tags it lacks, the history when it lacks step's entry.
func (w *OrderWriter) orderWrite(orderID string, cur OrderRecord, lines, tags []string, step *historyStep) (OrderRecordWrite, error) {
	var write OrderRecordWrite
	note := cur.Note
	for _, line := range lines {
		note = appendNoteLine(note, line)
	}
	if note != cur.Note {
		write.Note = &note
	}
	for _, t := range tags {
		if !slices.Contains(cur.Tags, strings.TrimSpace(t)) {
			write.Tags = append(write.Tags, t)
		}
	}
	if step == nil {
		return write, nil
	}
	rec, err := ParseOrderHistory(cur.History.Value)
	if err != nil {
		// The namespace is the app's own: only a broken write of the
		// portal could have left this, and a history that cannot be read
		// is started anew rather than blocking every write-back.
		w.log.Warn("order history metafield unreadable; written anew", "order", orderID, "err", err)
	}
	if !rec.add(step.code, step.entry) {
		return write, nil
	}
	value, err := json.Marshal(rec)
	if err != nil {
		return OrderRecordWrite{}, fmt.Errorf("encode the history of order %s: %w", orderID, err)
	}
	write.History, write.HistoryDigest = value, cur.History.Digest
	return write, nil
}

// wrote checks the note read back after a write for every line written,
// and records the note write in the ledger.
func (w *OrderWriter) wrote(ctx context.Context, orderID string, returnID int64, lines []string, write OrderRecordWrite, before, after OrderNoteState) error {
	for _, line := range lines {
		if !strings.Contains(after.Note, line) {
			return fmt.Errorf("note of order %s read back without the line written: %w", orderID, errNoteChanged)
		}
	}
	w.cache.noted(orderID, after.Note, write.Tags)
	if write.Note == nil || w.ledger == nil {
		return nil
	}
	nw := NoteWrite{OrderID: orderID, ReturnID: returnID, ReadAt: before.UpdatedAt, WrittenAt: after.UpdatedAt, Note: *write.Note}
	if err := w.ledger.NoteWritten(ctx, nw, w.now().Add(-WebhookRetention)); err != nil {
		return fmt.Errorf("record the note write of order %s: %w", orderID, err)
	}
	return nil
}

// writeNoteOnly is writeOrder without KeepHistory: the note, read with
// Order, and the tags, written with UpdateOrder and read back with Order.
func (w *OrderWriter) writeNoteOnly(ctx context.Context, orderID string, lines, tags []string) error {
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
	return w.wrote(ctx, orderID, 0, lines, OrderRecordWrite{Tags: tags}, before, after)
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
	if err := w.writeOrder(ctx, orderID, returnID, put, nil, nil); err != nil {
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

// GuardHistory is GuardOrders for the reads and writes of notes and the
// history metafield.
func (i *ShopInstallation) GuardHistory(h OrderHistoryShop) OrderHistoryShop {
	return guardedHistory{i: i, shop: h}
}

type guardedHistory struct {
	i    *ShopInstallation
	shop OrderHistoryShop
}

func (g guardedHistory) OrderRecord(ctx context.Context, orderID string) (OrderRecord, error) {
	if err := g.i.check(ctx); err != nil {
		return OrderRecord{}, err
	}
	return g.shop.OrderRecord(ctx, orderID)
}

func (g guardedHistory) WriteOrderRecord(ctx context.Context, orderID string, write OrderRecordWrite) error {
	if err := g.i.check(ctx); err != nil {
		return err
	}
	return g.shop.WriteOrderRecord(ctx, orderID, write)
}

// HistoryDefinitions makes sure Shopify admin shows the history metafield
// on the order page: an order metafield definition of $app:returns.history
// (json, named, pinned); *shopify.Client is one.
type HistoryDefinitions interface {
	// EnsureHistoryDefinition makes the definition unless it is there, and
	// reports whether it made it.
	EnsureHistoryDefinition(ctx context.Context) (created bool, err error)
}

// GuardHistoryDefinitions is GuardOrders for the history's metafield
// definition.
func (i *ShopInstallation) GuardHistoryDefinitions(d HistoryDefinitions) HistoryDefinitions {
	return guardedDefinitions{i: i, shop: d}
}

type guardedDefinitions struct {
	i    *ShopInstallation
	shop HistoryDefinitions
}

func (g guardedDefinitions) EnsureHistoryDefinition(ctx context.Context) (bool, error) {
	if err := g.i.check(ctx); err != nil {
		return false, err
	}
	return g.shop.EnsureHistoryDefinition(ctx)
}
