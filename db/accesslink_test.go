package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// linkRequest is a request for a link to order1 at at, emailed to addr, within
// the service's bounds.
func linkRequest(at time.Time, orderID, addr string) returns.AccessLinkRequest {
	token := returns.NewToken()
	l := &returns.AccessLink{
		TokenHash: "hash-of-" + token, OrderID: orderID, OrderName: "#1001", Email: addr, Locale: "lv",
		CreatedAt: at, ExpiresAt: at.Add(returns.AccessLinkTTL),
	}
	m := &returns.OutboxMessage{
		DedupeKey: "access-link:" + l.TokenHash, Kind: returns.EmailAccessLink, To: addr,
		Subject: "Your link to order #1001", Text: "Open: https://returns.example.com/link?t=" + token, HTML: "<p>Open</p>",
		MessageID: "<" + returns.NewToken() + "@returns.example.com>", Status: returns.OutboxQueued, CreatedAt: at, NextAt: at,
	}
	return returns.AccessLinkRequest{
		At: at, Link: l, Email: m, Since: at.Add(-time.Hour),
		PerOrder: returns.AccessLinksPerOrderHour, PerAddress: returns.AccessLinksPerAddressHour,
	}
}

func mustRecord(tb testing.TB, d *db.DB, r returns.AccessLinkRequest) bool {
	tb.Helper()
	created, err := d.RecordAccessLinkRequest(context.Background(), r)
	if err != nil {
		tb.Fatalf("RecordAccessLinkRequest: %v", err)
	}
	return created
}

func TestAccessLink_StoredWithItsEmail(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := linkRequest(now, order1, "anna.berzina@example.lv")
	if !mustRecord(t, d, r) {
		t.Fatal("link not created")
	}
	if r.Link.ID == 0 || r.Email.ID == 0 {
		t.Fatalf("link id %d, email id %d; want both filled", r.Link.ID, r.Email.ID)
	}
	got, err := d.AccessLink(ctx, r.Link.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r.Link) {
		t.Errorf("read back\n got %+v\nwant %+v", got, r.Link)
	}
	m, err := d.OutboxMessage(ctx, r.Email.ID)
	if err != nil {
		t.Fatalf("the link's email, about no return: %v", err)
	}
	if m.ReturnID != 0 || !reflect.DeepEqual(*m, *r.Email) {
		t.Errorf("email read back\n got %+v\nwant %+v", *m, *r.Email)
	}
	// The mail worker claims it like any other.
	ms, token, err := d.ClaimOutbox(ctx, now, time.Minute, 10)
	if err != nil || len(ms) != 1 || ms[0].ID != r.Email.ID {
		t.Fatalf("ClaimOutbox = %v, %v; want the link's email", ms, err)
	}
	if err := d.OutboxSent(ctx, ms[0].ID, token, now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "access_link_requests"); n != 1 {
		t.Errorf("%d requests recorded, want 1", n)
	}
	if _, err := d.AccessLink(ctx, "no such hash"); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("unknown link: err %v, want ENOTFOUND", err)
	}
}

// TestAccessLink_UnmatchedRequestCommitsARequestOnly: a request that matched no
// order writes its request row and nothing else.
func TestAccessLink_UnmatchedRequestCommitsARequestOnly(t *testing.T) {
	d := MustOpenDB(t)
	if mustRecord(t, d, returns.AccessLinkRequest{At: now, Since: now.Add(-time.Hour), PerOrder: 3, PerAddress: 5}) {
		t.Fatal("created a link without one")
	}
	for table, want := range map[string]int{"access_link_requests": 1, "access_links": 0, "outbox": 0} {
		if n := count(t, d, table); n != want {
			t.Errorf("%d rows in %s, want %d", n, table, want)
		}
	}
	r := linkRequest(now, order1, "anna.berzina@example.lv")
	r.Email = nil
	if _, err := d.RecordAccessLinkRequest(context.Background(), r); err == nil {
		t.Error("a link without its email was accepted")
	}
}

// TestAccessLink_Bounds: an order gets PerOrder links an hour and an address
// PerAddress, counted over the hour before each request; past them nothing is
// stored and nothing queued, and the request is still recorded.
func TestAccessLink_Bounds(t *testing.T) {
	d := MustOpenDB(t)
	at := now
	for i := 0; i < returns.AccessLinksPerOrderHour; i++ {
		if !mustRecord(t, d, linkRequest(at, order1, "anna.berzina@example.lv")) {
			t.Fatalf("link %d within the order's bound not created", i+1)
		}
		at = at.Add(time.Minute)
	}
	if mustRecord(t, d, linkRequest(at, order1, "anna.berzina@example.lv")) {
		t.Fatal("a link past the order's bound was created")
	}
	// Other orders of the same address, up to the address's bound.
	for i := returns.AccessLinksPerOrderHour; i < returns.AccessLinksPerAddressHour; i++ {
		if !mustRecord(t, d, linkRequest(at, fmt.Sprintf("gid://shopify/Order/%d", 2000+i), "anna.berzina@example.lv")) {
			t.Fatalf("link %d to the address within its bound not created", i+1)
		}
	}
	if mustRecord(t, d, linkRequest(at, "gid://shopify/Order/2999", "anna.berzina@example.lv")) {
		t.Fatal("a link past the address's bound was created")
	}
	if !mustRecord(t, d, linkRequest(at, "gid://shopify/Order/2999", "sam.taylor@example.com")) {
		t.Fatal("another address was refused")
	}
	if n, want := count(t, d, "outbox"), returns.AccessLinksPerAddressHour+1; n != want {
		t.Errorf("%d emails queued, want %d", n, want)
	}
	if n, want := count(t, d, "access_link_requests"), returns.AccessLinksPerAddressHour+3; n != want {
		t.Errorf("%d requests recorded, want %d", n, want)
	}
	// An hour after the first link, the order gets one again.
	if !mustRecord(t, d, linkRequest(now.Add(time.Hour), order1, "x@example.com")) {
		t.Fatal("no link for the order an hour later")
	}
}

// TestAccessLink_OldRowsAreDeleted: links and requests older than a day go with
// the next request.
func TestAccessLink_OldRowsAreDeleted(t *testing.T) {
	d := MustOpenDB(t)
	old := linkRequest(now, order1, "anna.berzina@example.lv")
	mustRecord(t, d, old)
	mustRecord(t, d, linkRequest(now.Add(25*time.Hour), order1, "anna.berzina@example.lv"))
	if n := count(t, d, "access_links"); n != 1 {
		t.Errorf("%d links, want the new one only", n)
	}
	if n := count(t, d, "access_link_requests"); n != 1 {
		t.Errorf("%d requests, want the new one only", n)
	}
	if _, err := d.AccessLink(context.Background(), old.Link.TokenHash); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("old link: err %v, want ENOTFOUND", err)
	}
	// Its email stays in the outbox, as every email does.
	if n := count(t, d, "outbox"); n != 2 {
		t.Errorf("%d emails, want 2", n)
	}
}

func TestAccessLink_UsedOnceBeforeItExpires(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := linkRequest(now, order1, "anna.berzina@example.lv")
	mustRecord(t, d, r)
	expired := linkRequest(now, order1, "anna.berzina@example.lv")
	mustRecord(t, d, expired)

	used := now.Add(time.Minute)
	l, err := d.UseAccessLink(ctx, r.Link.TokenHash, used)
	if err != nil {
		t.Fatalf("first use: %v", err)
	}
	if l.OrderID != order1 || l.OrderName != "#1001" || l.Locale != "lv" || !l.UsedAt.Equal(used) {
		t.Errorf("first use returned %+v", l)
	}
	if _, err := d.UseAccessLink(ctx, r.Link.TokenHash, used.Add(time.Second)); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("second use: err %v, want ENOTFOUND", err)
	}
	if got, err := d.AccessLink(ctx, r.Link.TokenHash); err != nil || !got.UsedAt.Equal(used) {
		t.Errorf("after use: %+v, %v", got, err)
	}
	if _, err := d.UseAccessLink(ctx, expired.Link.TokenHash, now.Add(returns.AccessLinkTTL)); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("use at its expiry: err %v, want ENOTFOUND", err)
	}
	if _, err := d.UseAccessLink(ctx, "no such hash", now); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("unknown link: err %v, want ENOTFOUND", err)
	}
}

// TestAccessLink_UsedOnceWhenOpenedTwiceAtOnce: of many uses at the same moment,
// one gets the link.
func TestAccessLink_UsedOnceWhenOpenedTwiceAtOnce(t *testing.T) {
	d := MustOpenDB(t)
	r := linkRequest(now, order1, "anna.berzina@example.lv")
	mustRecord(t, d, r)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, misses := 0, 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := d.UseAccessLink(context.Background(), r.Link.TokenHash, now.Add(time.Minute))
			mu.Lock()
			defer mu.Unlock()
			switch returns.ErrorCode(err) {
			case "":
				wins++
			case returns.ENOTFOUND:
				misses++
			default:
				t.Errorf("use: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || misses != 7 {
		t.Fatalf("%d uses got the link and %d did not, want 1 and 7", wins, misses)
	}
}

// TestMigration005KeepsTheOutbox: migration 005 makes the outbox again (so that
// return_id may be NULL) and keeps every row and index of the old one. It is run
// here on a database with emails, as it runs on a deployed portal's.
func TestMigration005KeepsTheOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	emails := []returns.OutboxMessage{email(r, returns.EmailRequestReceived), email(r, returns.EmailStaffNewReturn)}
	mustCreateWithEmails(t, d, r, emails...)
	ms, token, err := d.ClaimOutbox(ctx, now, time.Minute, 1)
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	before, err := d.OutboxMessages(ctx, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	indexes := outboxIndexes(t, d)
	w, _ := d.Pools()
	// Back to the schema before 005: its tables gone, its record removed, and
	// the outbox as 003 made it (return_id NOT NULL), holding the same rows.
	outbox003, err := os.ReadFile(filepath.Join("migrations", "003_outbox.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TABLE access_links`,
		`DROP TABLE access_link_requests`,
		`DELETE FROM schema_migrations WHERE version = 5`,
		`DROP INDEX outbox_status_next_at`,
		`DROP INDEX outbox_status_id`,
		`DROP INDEX outbox_return_id`,
		`ALTER TABLE outbox RENAME TO outbox_005`,
		string(outbox003),
		`INSERT INTO outbox SELECT * FROM outbox_005`,
		`DROP TABLE outbox_005`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if !returnIDRequired(t, w) {
		t.Fatal("the outbox as 003 made it allows a NULL return_id")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d2, err := db.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen, applying 005 again: %v", err)
	}
	defer d2.Close()
	if w2, _ := d2.Pools(); returnIDRequired(t, w2) {
		t.Error("after 005 the outbox still requires a return_id")
	}
	after, err := d2.OutboxMessages(ctx, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("outbox after 005\n got %+v\nwant %+v", after, before)
	}
	if got := outboxIndexes(t, d2); !reflect.DeepEqual(got, indexes) {
		t.Errorf("outbox indexes after 005: %q, want %q", got, indexes)
	}
	// The lease survived: its holder can still settle the message.
	if err := d2.OutboxSent(ctx, ms[0].ID, token, now); err != nil {
		t.Errorf("settle the message leased before 005: %v", err)
	}
	if !mustRecord(t, d2, linkRequest(now, order1, "anna.berzina@example.lv")) {
		t.Error("no link stored after 005")
	}
}

// returnIDRequired reports whether the outbox's return_id is NOT NULL.
func returnIDRequired(t *testing.T, conn *sql.DB) bool {
	t.Helper()
	var notNull bool
	if err := conn.QueryRow(`SELECT "notnull" FROM pragma_table_info('outbox') WHERE name = 'return_id'`).Scan(&notNull); err != nil {
		t.Fatal(err)
	}
	return notNull
}

// outboxIndexes lists the outbox's indexes with their SQL, by name.
func outboxIndexes(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	_, r := d.Pools()
	rows, err := r.Query(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outbox'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var name string
		var q sql.NullString
		if err := rows.Scan(&name, &q); err != nil {
			t.Fatal(err)
		}
		m[name] = q.String
	}
	return m
}
