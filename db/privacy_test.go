package db_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

const (
	anna  = "anna.berzina@example.lv"
	other = "sam.taylor@example.com"
	// order2 is another order of Anna's, order3 an order of no one in
	// particular that Shopify names in orders_to_redact.
	order2 = "gid://shopify/Order/1004"
	order3 = "gid://shopify/Order/1005"
)

// erasureFixture is a database with Anna's returns and another customer's on
// the same order, with everything the portal keeps about a customer: photos,
// words, staff's messages and notes, a shipment, a refund, link tokens, sent
// and queued emails, a one-time link and its email.
type erasureFixture struct {
	d *db.DB
	// annaTowel (#1001, refunded) and annaBlanket (order2, her address in
	// another case, a replacement shipped) are Anna's; samMug is another
	// customer's return on the same order #1001.
	annaTowel, annaBlanket, samMug *returns.Return
	// Tokens of the links in their first emails.
	annaToken, samToken string
	// photo is the data of Anna's photo: random, so that it can be looked
	// for in the database file.
	photo []byte
}

func withPhoto(r *returns.Return, data []byte) *returns.Return {
	r.Photos = []returns.Photo{{ContentType: "image/jpeg", Width: 64, Height: 48, Data: data}}
	return r
}

func customerEmail(r *returns.Return, kind returns.EmailKind, token string) returns.OutboxMessage {
	m := email(r, kind)
	m.Text = "Hello Anna, your words: " + r.Note + " https://returns.example.com/returns/" + r.Code + "?t=" + token
	m.LinkTokenHash = returns.HashToken(token)
	return m
}

func newErasureFixture(t *testing.T) *erasureFixture {
	t.Helper()
	ctx := context.Background()
	f := &erasureFixture{d: MustOpenDB(t), annaToken: returns.NewToken(), samToken: returns.NewToken(), photo: make([]byte, 64<<10)}
	rand.Read(f.photo)
	d := f.d

	// Anna's tea towel: her photo and words; the first email sent, the staff
	// notice (which replies to her) refused, then approved with a message,
	// noted, refunded.
	f.annaTowel = withPhoto(newReturn(order1, "key-0000000000000001", item("L1", 1)), f.photo)
	notice := email(f.annaTowel, returns.EmailStaffNewReturn)
	notice.DedupeKey = f.annaTowel.Code + ":staff_new_return:staff"
	notice.To, notice.ReplyTo = "staff@example.com", anna
	mustCreateWithEmails(t, d, f.annaTowel, customerEmail(f.annaTowel, returns.EmailRequestReceived, f.annaToken), notice)
	ms, lease := claimAll(t, d, now)
	if len(ms) != 2 {
		t.Fatalf("claimed %d emails, want 2", len(ms))
	}
	must(t, d.OutboxSent(ctx, ms[0].ID, lease, now))
	must(t, d.OutboxFailed(ctx, ms[1].ID, lease, returns.OutboxFailed, "550 mailbox of "+anna+" full"))
	must(t, d.Transition(ctx, returns.Change{ReturnID: f.annaTowel.ID, From: returns.StatusRequested, To: returns.StatusApproved,
		Event:     returns.Event{At: now.Add(time.Hour), Actor: returns.StaffActor(7), Type: returns.EventApproved, Message: "Dear Anna, send it to our Riga shop."},
		Writeback: &returns.Writeback{OrderID: order1, NoteLine: f.annaTowel.Code + ": approved", NextAt: now},
		Emails:    []returns.OutboxMessage{customerEmail(f.annaTowel, returns.EmailApproved, returns.NewToken())}}))
	must(t, d.AddEvent(ctx, returns.Event{ReturnID: f.annaTowel.ID, At: now.Add(time.Hour), Actor: returns.StaffActor(7), Type: returns.EventNote, Message: "Anna called from +371 2000 0000."}))
	ref := newRefund(f.annaTowel, key1, 14_50)
	mustCreateRefund(t, d, ref, limits)
	must(t, d.SettleRefund(ctx, ref.ID, returns.RefundSucceeded, "gid://shopify/Refund/9", "", refundedChange(f.annaTowel, returns.StatusApproved)))

	// Anna's blanket, on another order, her address as Shopify had it: a
	// replacement shipped.
	f.annaBlanket = newReturn(order2, "key-0000000000000002", item("L9", 1))
	f.annaBlanket.Email = "Anna.Berzina@Example.LV"
	mustCreate(t, d, f.annaBlanket, map[string]int{"L9": 1})
	must(t, d.Transition(ctx, returns.Change{ReturnID: f.annaBlanket.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent()}))
	must(t, d.ShipReplacement(ctx, shipment(now.Add(2*time.Hour), "05212345678901"), shipChange(f.annaBlanket, returns.StatusApproved)))

	// Sam's mug on Anna's order #1001 (the order's address changed in
	// between): nothing of it may change.
	f.samMug = withPhoto(newReturn(order1, "key-0000000000000003", item("L1", 1)), []byte("sam's photo"))
	f.samMug.Email, f.samMug.Note = other, "The handle came off."
	mustCreateWithEmails(t, d, f.samMug, customerEmail(f.samMug, returns.EmailRequestReceived, f.samToken))
	must(t, d.AddEvent(ctx, returns.Event{ReturnID: f.samMug.ID, At: now.Add(time.Hour), Actor: returns.StaffActor(7), Type: returns.EventNote, Message: "Sam called."}))

	// One-time links to order #1001, one asked for with each address.
	mustRecord(t, d, linkRequest(now, order1, anna))
	mustRecord(t, d, linkRequest(now, order1, other))
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *erasureFixture) erase(t *testing.T, e returns.Erasure) []returns.ErasedReturn {
	t.Helper()
	if e.Limit == 0 {
		e.Limit = 20
	}
	e.At = now.Add(24 * time.Hour)
	e.Event = returns.Event{At: e.At, Actor: returns.ActorSystem, Type: returns.EventPersonalDataErased, Message: "Personal data erased (test)"}
	e.KeepMessages = []returns.EventType{returns.EventRefunded, returns.EventPersonalDataErased}
	erased, err := f.d.ErasePersonalData(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return erased
}

func codes(erased []returns.ErasedReturn) []string {
	var out []string
	for _, r := range erased {
		out = append(out, r.Code)
	}
	return out
}

func (f *erasureFixture) read(t *testing.T, r *returns.Return) (*returns.Return, []returns.Event) {
	t.Helper()
	got, err := f.d.ReturnByID(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := f.d.Events(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got, evs
}

// column returns the values of one column of the rows of a query.
func column(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	_, r := d.Pools()
	rows, err := r.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// everything is what the tables hold that an erasure may change, as text.
func everything(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id || email || note || coalesce(redacted_at, '') || version FROM returns ORDER BY id`,
		`SELECT id || return_id FROM photos ORDER BY id`,
		`SELECT id || type || message FROM events ORDER BY id`,
		`SELECT id || note_line FROM writebacks ORDER BY id`,
		`SELECT id || number || tracking_url FROM shipments ORDER BY id`,
		`SELECT token_hash FROM return_tokens ORDER BY token_hash`,
		`SELECT id || to_addr || reply_to || subject || text_body || status FROM outbox ORDER BY id`,
		`SELECT id || email FROM access_links ORDER BY id`,
		`SELECT id || amount_minor || state FROM refunds ORDER BY id`,
	} {
		b.WriteString(strings.Join(column(t, d, q), "\n") + "\n--\n")
	}
	return b.String()
}

func TestErasePersonalData_Customer(t *testing.T) {
	ctx := context.Background()
	f := newErasureFixture(t)
	d := f.d
	samBefore, samEventsBefore := f.read(t, f.samMug)
	towelBefore, _ := f.read(t, f.annaTowel)

	erased := f.erase(t, returns.Erasure{Email: anna})
	if got, want := codes(erased), []string{f.annaTowel.Code, f.annaBlanket.Code}; !slices.Equal(got, want) {
		t.Fatalf("erased %v, want Anna's two returns %v", got, want)
	}

	t.Run("her returns keep their books and lose her data", func(t *testing.T) {
		towel, evs := f.read(t, f.annaTowel)
		if towel.Email != returns.RedactedEmail || towel.Note != "" || !towel.RedactedAt.Equal(now.Add(24*time.Hour)) || len(towel.Photos) != 0 {
			t.Errorf("towel: email %q, note %q, redacted at %v, %d photos", towel.Email, towel.Note, towel.RedactedAt, len(towel.Photos))
		}
		if towel.Code != f.annaTowel.Code || towel.Status != returns.StatusRefunded || towel.OrderID != order1 ||
			towel.Refunded.Minor != 14_50 || towel.Total() != towelBefore.Total() || towel.Items[0].Title != "Item L1" || !towel.CreatedAt.Equal(now) {
			t.Errorf("towel lost its books: %+v", towel)
		}
		if towel.Version <= towelBefore.Version {
			t.Errorf("version %d, was %d: a cached status page would still show the old one", towel.Version, towelBefore.Version)
		}
		refs, err := d.RefundsByReturn(ctx, f.annaTowel.ID)
		if err != nil || len(refs) != 1 || refs[0].Amount.Minor != 14_50 || refs[0].State != returns.RefundSucceeded {
			t.Errorf("refund ledger %+v, %v", refs, err)
		}
		var erasedEvents int
		for _, ev := range evs {
			switch ev.Type {
			case returns.EventPersonalDataErased:
				erasedEvents++
				if ev.Message != "Personal data erased (test)" || ev.Actor != returns.ActorSystem || ev.Status != "" {
					t.Errorf("erasure event %+v", ev)
				}
			case returns.EventRefunded:
				if ev.Message != "29.00 EUR" {
					t.Errorf("the refund's amount was erased: %+v", ev)
				}
			default:
				if ev.Message != "" {
					t.Errorf("%s event keeps %q", ev.Type, ev.Message)
				}
			}
		}
		if erasedEvents != 1 {
			t.Errorf("%d erasure events, want 1", erasedEvents)
		}
		if lines := column(t, d, `SELECT note_line FROM writebacks WHERE return_id IN (?, ?) AND note_line <> ''`, f.annaTowel.ID, f.annaBlanket.ID); len(lines) != 0 {
			t.Errorf("write-backs keep %q", lines)
		}
		blanket, _ := f.read(t, f.annaBlanket)
		if blanket.Email != returns.RedactedEmail || len(blanket.Shipments) != 1 {
			t.Fatalf("blanket %+v", blanket)
		}
		if sh := blanket.Shipments[0]; sh.Number != "" || sh.TrackingURL != "" || sh.CarrierName != "DPD" || !sh.ShippedAt.Equal(now.Add(2*time.Hour)) {
			t.Errorf("shipment %+v: the tracking number leads to her address; the carrier and date stay", sh)
		}
	})

	t.Run("her links open nothing", func(t *testing.T) {
		if _, err := d.ReturnByToken(ctx, returns.HashToken(f.annaToken)); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("her old link: %v, want ENOTFOUND", err)
		}
		if n := column(t, d, `SELECT count(*) FROM return_tokens WHERE return_id IN (?, ?)`, f.annaTowel.ID, f.annaBlanket.ID); n[0] != "0" {
			t.Errorf("%s link tokens left", n[0])
		}
		if got := column(t, d, `SELECT email FROM access_links`); !slices.Equal(got, []string{other}) {
			t.Errorf("one-time links of %v left, want only the other customer's", got)
		}
	})

	t.Run("her emails are dropped or emptied", func(t *testing.T) {
		rows := column(t, d, `SELECT status || '|' || to_addr || '|' || reply_to || '|' || subject || text_body || html_body || last_error
			FROM outbox WHERE return_id = ? OR (return_id IS NULL AND to_addr <> ?) ORDER BY id`, f.annaTowel.ID, other)
		// The sent request email and the refused staff notice stay, empty;
		// the queued approval and the queued link email are gone.
		want := []string{"sent|" + returns.RedactedEmail + "||", "failed|" + returns.RedactedEmail + "||"}
		if !slices.Equal(rows, want) {
			t.Errorf("Anna's outbox rows %q, want %q", rows, want)
		}
		for _, m := range column(t, d, `SELECT to_addr || reply_to || subject || text_body || html_body || last_error FROM outbox`) {
			if strings.Contains(strings.ToLower(m), anna) || strings.Contains(m, "Saplīsis") {
				t.Errorf("an email keeps her address or words: %q", m)
			}
		}
		ms, err := d.OutboxMessages(ctx, returns.OutboxFailed, 0, 10)
		if err != nil || len(ms) != 1 {
			t.Fatalf("failed messages %+v, %v", ms, err)
		}
		if err := d.RequeueOutbox(ctx, ms[0].ID, now.Add(25*time.Hour)); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("requeue of an erased email: %v, want ECONFLICT", err)
		}
	})

	t.Run("the other customer's return on the same order is untouched", func(t *testing.T) {
		sam, evs := f.read(t, f.samMug)
		if sam.Email != other || sam.Note != "The handle came off." || sam.Redacted() || len(sam.Photos) != 1 || sam.Version != samBefore.Version {
			t.Errorf("Sam's return changed: %+v", sam)
		}
		if len(evs) != len(samEventsBefore) || evs[len(evs)-1].Message != "Sam called." {
			t.Errorf("Sam's timeline changed: %+v", evs)
		}
		if r, err := d.ReturnByToken(ctx, returns.HashToken(f.samToken)); err != nil || r.ID != f.samMug.ID {
			t.Errorf("Sam's link: %v, %v", r, err)
		}
		if n := column(t, d, `SELECT count(*) FROM outbox WHERE return_id = ? AND to_addr = ? AND status = 'queued'`, f.samMug.ID, other); n[0] != "1" {
			t.Errorf("Sam's queued email: %s rows", n[0])
		}
	})

	t.Run("a second erasure changes nothing", func(t *testing.T) {
		before := everything(t, d)
		if again := f.erase(t, returns.Erasure{Email: strings.ToUpper(anna)}); len(again) != 0 {
			t.Errorf("erased again: %v", codes(again))
		}
		if after := everything(t, d); after != before {
			t.Errorf("the second erasure changed the database:\nbefore %s\nafter %s", before, after)
		}
	})

	t.Run("no email is queued for an erased return", func(t *testing.T) {
		before := count(t, d, "outbox")
		// A change prepared from the return as read before the erasure.
		must(t, d.Transition(ctx, returns.Change{ReturnID: f.annaTowel.ID, From: returns.StatusRefunded, To: returns.StatusClosed,
			Event:  returns.Event{At: now.Add(25 * time.Hour), Actor: returns.StaffActor(7), Type: returns.EventClosed},
			Emails: []returns.OutboxMessage{customerEmail(f.annaTowel, returns.EmailClosed, returns.NewToken())}}))
		if after := count(t, d, "outbox"); after != before {
			t.Errorf("outbox rows %d → %d", before, after)
		}
		if towel, _ := f.read(t, f.annaTowel); towel.Status != returns.StatusClosed {
			t.Errorf("the change itself did not commit: %s", towel.Status)
		}
	})
}

func TestErasePersonalData_Orders(t *testing.T) {
	f := newErasureFixture(t)
	// A return of order3 under an address Shopify does not send: the order
	// is named in orders_to_redact.
	r := newReturn(order3, "key-0000000000000004", item("L1", 1))
	r.Email = "old.address@example.com"
	mustCreate(t, f.d, r, map[string]int{"L1": 1})
	// A return whose order had no address is nobody's by address.
	noAddress := newReturn(order2, "key-0000000000000005", item("L1", 1))
	noAddress.Email = ""
	mustCreate(t, f.d, noAddress, map[string]int{"L1": 1})

	erased := f.erase(t, returns.Erasure{OrderIDs: []string{order3}})
	if got := codes(erased); !slices.Equal(got, []string{r.Code}) {
		t.Fatalf("erased %v, want %s", got, r.Code)
	}
	if got, _ := f.read(t, r); got.Email != returns.RedactedEmail {
		t.Errorf("email %q", got.Email)
	}
	if sam, _ := f.read(t, f.samMug); sam.Redacted() {
		t.Error("another order's return was erased")
	}
	if got, _ := f.read(t, noAddress); got.Redacted() {
		t.Error("erasing by orders alone erased a return without an address")
	}

	// Both selections at once, in batches of one: the cursor moves on.
	var all []string
	e := returns.Erasure{Email: anna, OrderIDs: []string{order1}, Limit: 1}
	for {
		batch := f.erase(t, e)
		all = append(all, codes(batch)...)
		if len(batch) < e.Limit {
			break
		}
		e.After = batch[0].ID
	}
	if want := []string{f.annaTowel.Code, f.annaBlanket.Code, f.samMug.Code}; !slices.Equal(all, want) {
		t.Errorf("erased %v, want %v: Anna's by address and every return of order #1001", all, want)
	}
}

func TestErasePersonalData_All(t *testing.T) {
	f := newErasureFixture(t)
	d := f.d
	staffSessions := count(t, d, "staff_sessions")
	var all []string
	e := returns.Erasure{All: true, Limit: 2}
	for {
		batch := f.erase(t, e)
		all = append(all, codes(batch)...)
		if len(batch) < e.Limit {
			break
		}
		e.After = batch[len(batch)-1].ID
	}
	if len(all) != 3 {
		t.Fatalf("erased %v, want every return", all)
	}
	if left := column(t, d, `SELECT email FROM returns WHERE email <> ? OR note <> '' OR redacted_at IS NULL`, returns.RedactedEmail); len(left) != 0 {
		t.Errorf("returns keep %v", left)
	}
	for table, want := range map[string]int{"photos": 0, "return_tokens": 0, "access_links": 0, "refunds": 1, "staff_sessions": staffSessions} {
		if n := count(t, d, table); n != want {
			t.Errorf("%d rows in %s, want %d", n, table, want)
		}
	}
	if left := column(t, d, `SELECT to_addr FROM outbox WHERE to_addr <> ? OR status = 'queued' OR text_body <> ''`, returns.RedactedEmail); len(left) != 0 {
		t.Errorf("emails keep %v", left)
	}
}

// TestErasePersonalData_PhotoBytesLeaveTheFile: the photo's bytes are not in
// the database file after the erasure, free pages included.
func TestErasePersonalData_PhotoBytesLeaveTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	photo := make([]byte, 64<<10)
	rand.Read(photo)
	r := withPhoto(newReturn(order1, "key-0000000000000001", item("L1", 1)), photo)
	mustCreate(t, d, r, map[string]int{"L1": 1})
	inFiles := func() bool {
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(b, photo[1000:1064]) {
				return true
			}
		}
		return false
	}
	if !inFiles() {
		t.Fatal("the photo is not in the files before the erasure: the check is broken")
	}
	f := &erasureFixture{d: d}
	f.erase(t, returns.Erasure{Email: anna})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if inFiles() {
		t.Error("the erased photo's bytes are still in the database file")
	}
}
