package handlers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// sendAcknowledgements does what the mail worker does with the queued
// acknowledgements of withdrawals: the mail server accepts them, and the
// outbox marks them sent at at.
func (h *harness) sendAcknowledgements(at time.Time) {
	h.t.Helper()
	ctx := context.Background()
	ms, token, err := h.store.ClaimOutbox(ctx, time.Now().Add(time.Minute), time.Minute, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	sent := 0
	for _, m := range ms {
		if m.Kind == returns.EmailWithdrawalAcknowledged {
			if err := h.store.OutboxSent(ctx, m.ID, token, at); err != nil {
				h.t.Fatal(err)
			}
			sent++
			continue
		}
		if err := h.store.OutboxRelease(ctx, m.ID, token); err != nil {
			h.t.Fatal(err)
		}
	}
	if sent == 0 {
		h.t.Fatal("no acknowledgement was queued")
	}
}

// linkWithToken is a link to a status page that carries its access token.
var linkWithToken = regexp.MustCompile(`/returns/R-[0-9A-Z]{8}\?t=[0-9a-f]{32}`)

// withdrawalRecordJSON is what the test reads of the JSON record.
type withdrawalRecordJSON struct {
	Format string `json:"format"`
	Store  struct {
		Address  string `json:"address"`
		TimeZone string `json:"time_zone"`
	} `json:"store"`
	Statement struct {
		Name    string `json:"name"`
		Email   string `json:"email"`
		Order   string `json:"order"`
		Channel string `json:"channel"`
		MadeAt  string `json:"made_at"`
		Items   []struct {
			Title    string `json:"title"`
			Quantity int    `json:"quantity"`
		} `json:"items"`
	} `json:"statement"`
	Acknowledgements []struct {
		To      string `json:"to"`
		Subject string `json:"subject"`
		SentAt  string `json:"sent_at"`
		Text    string `json:"text"`
	} `json:"acknowledgements"`
	RefundDeadline string `json:"refund_deadline"`
	Refunds        []struct {
		Amount    string `json:"amount"`
		Delivery  string `json:"delivery"`
		ShopifyID string `json:"shopify_id"`
		State     string `json:"state"`
	} `json:"refunds"`
	Log struct {
		Verifies bool   `json:"verifies"`
		Problem  string `json:"problem"`
		Entries  []struct {
			Seq        int64  `json:"seq"`
			V          int    `json:"v"`
			AtMillis   int64  `json:"at_ms"`
			ReturnCode string `json:"return_code"`
			Kind       string `json:"kind"`
			Payload    string `json:"payload"`
			PrevHash   string `json:"prev_hash"`
			Hash       string `json:"hash"`
		} `json:"entries"`
	} `json:"log"`
}

// TestWithdrawalRecord: Sam Taylor withdraws from the whole of #1002, the
// acknowledgement is sent and staff refund it; the record's page and its
// JSON hold the store, the statement in full, the acknowledgement as sent
// (its link's token removed), the refund with its delivery part and
// Shopify's id, and the log's three entries with a chain that verifies; the
// JSON's entries are the log's as stored. The page says so in Latvian too.
func TestWithdrawalRecord(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002, socks1002)
	h.sendAcknowledgements(time.Now())
	key, amount := refundKey(t, h, staff, code)
	if a := h.action(staff, code, "refund", url.Values{"amount": {amount}, "key": {key}}); a.status != http.StatusSeeOther {
		t.Fatalf("refund: status %d\n%s", a.status, a.body)
	}
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	zone := h.app.Identity.Location(ctx)
	log, err := h.store.WithdrawalLog(ctx, code)
	if err != nil || len(log) != 3 {
		t.Fatalf("the log of %s: %d entries, %v; want statement, acknowledgement and refund", code, len(log), err)
	}

	if page := h.get(staff, "/admin/returns/"+code); !strings.Contains(page.body, `href="/admin/returns/`+code+`/record"`) ||
		!strings.Contains(page.body, `href="/admin/returns/`+code+`/record.json"`) {
		t.Errorf("the return page does not link to the record:\n%s", page.body)
	}

	page := h.get(staff, "/admin/returns/"+code+"/record")
	if page.status != http.StatusOK || page.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("record page: status %d, Cache-Control %q\n%s", page.status, page.header.Get("Cache-Control"), page.body)
	}
	body := html.UnescapeString(page.body)
	want := []string{
		"Record of withdrawal " + code, "Brīvības iela 1", zone.String(),
		"Sam Taylor", "sam.taylor@example.com", "#1002", "The withdrawal function on this site",
		r.Withdrawal.MadeAt.In(zone).Format("2 Jan 2006, 15:04:05") + " (" + zone.String() + ")",
		"Wool scarf", "None given (none is required)",
		"Acknowledgement", "sam.taylor@example.com",
		"€61.90", "€3.90", "gid://shopify/Refund/", "Succeeded",
		"The log verifies: all 3 entries are chained",
		r.WithdrawalRefundDeadline(zone).Format("2006-01-02"),
	}
	for _, e := range log {
		want = append(want, e.Hash)
	}
	if id := h.app.Identity.StoreIdentity(ctx); id.Name != "" {
		want = append(want, id.Name)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("the record page lacks %q:\n%s", w, page.body)
		}
	}
	if strings.Contains(body, "does not verify") {
		t.Errorf("an intact log is said not to verify")
	}

	a := h.get(staff, "/admin/returns/"+code+"/record.json")
	if a.status != http.StatusOK || a.header.Get("Content-Disposition") != `attachment; filename="withdrawal-`+code+`.json"` ||
		!strings.HasPrefix(a.header.Get("Content-Type"), "application/json") || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("record.json: status %d, headers %v\n%s", a.status, a.header, a.body)
	}
	var rec withdrawalRecordJSON
	if err := json.Unmarshal([]byte(a.body), &rec); err != nil {
		t.Fatalf("record.json does not parse: %v\n%s", err, a.body)
	}
	st := rec.Statement
	if rec.Format != returns.WithdrawalRecordFormat || st.Name != "Sam Taylor" || st.Email != "sam.taylor@example.com" || st.Order != "#1002" ||
		st.Channel != "online" || len(st.Items) != 2 || st.MadeAt != r.Withdrawal.MadeAt.In(zone).Format(time.RFC3339) ||
		rec.Store.TimeZone != zone.String() || !strings.Contains(rec.Store.Address, "Brīvības iela 1") {
		t.Errorf("the JSON's store and statement: %+v %+v", rec.Store, st)
	}
	if len(rec.Acknowledgements) != 1 || rec.Acknowledgements[0].To != "sam.taylor@example.com" || rec.Acknowledgements[0].SentAt == "" ||
		!strings.Contains(rec.Acknowledgements[0].Text, "Sam Taylor") {
		t.Errorf("the JSON's acknowledgement: %+v", rec.Acknowledgements)
	} else if linkWithToken.MatchString(rec.Acknowledgements[0].Text) || !strings.Contains(rec.Acknowledgements[0].Text, "/returns/"+code) {
		t.Errorf("the acknowledgement's text in the record carries its link's token, or lost its link:\n%s", rec.Acknowledgements[0].Text)
	}
	if len(rec.Refunds) != 1 || rec.Refunds[0].Amount != "61.90 EUR" || rec.Refunds[0].Delivery != "3.90 EUR" ||
		!strings.HasPrefix(rec.Refunds[0].ShopifyID, "gid://shopify/Refund/") || rec.Refunds[0].State != "succeeded" {
		t.Errorf("the JSON's refunds: %+v", rec.Refunds)
	}
	if rec.RefundDeadline != r.WithdrawalRefundDeadline(zone).Format(time.DateOnly) {
		t.Errorf("the JSON's refund deadline %q", rec.RefundDeadline)
	}
	if !rec.Log.Verifies || len(rec.Log.Entries) != len(log) {
		t.Fatalf("the JSON's log: %+v", rec.Log)
	}
	for i, e := range rec.Log.Entries {
		s := log[i]
		if e.Seq != s.Seq || e.AtMillis != s.At.UnixMilli() || e.ReturnCode != code || e.Kind != s.Kind || e.Payload != s.Payload ||
			e.PrevHash != s.PrevHash || e.Hash != s.Hash {
			t.Errorf("the JSON's entry %d is not the log's: %+v, stored %+v", i, e, s)
		}
		// The hash as docs/SECURITY.md tells an authority to recompute it.
		// The harness's key stands for the one the store discloses.
		if e.V != 2 {
			t.Errorf("entry %d is of format %d, want 2", e.Seq, e.V)
		}
		sum := hmac.New(sha256.New, []byte("test-log-key-0123456789"))
		for _, f := range []string{strconv.Itoa(e.V), strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.AtMillis, 10), e.ReturnCode, e.Kind, e.Payload, e.PrevHash} {
			fmt.Fprintf(sum, "%d:%s;", len(f), f)
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != e.Hash {
			t.Errorf("entry %d's hash recomputed from the JSON is %s, the record says %s", e.Seq, got, e.Hash)
		}
	}
	if kinds := []string{rec.Log.Entries[0].Kind, rec.Log.Entries[1].Kind, rec.Log.Entries[2].Kind}; strings.Join(kinds, ",") != "statement,acknowledgement,refund" {
		t.Errorf("the log's kinds %v", kinds)
	}

	h.postForm(staff, "/admin/language", url.Values{"lang": {"lv"}})
	page = h.get(staff, "/admin/returns/"+code+"/record")
	for _, w := range []string{"Atteikuma " + code + " reģistrs", "Paziņojums par atteikumu", "Žurnāls ir pārbaudīts: visi 3 ieraksti"} {
		if !strings.Contains(html.UnescapeString(page.body), w) {
			t.Errorf("the Latvian record lacks %q:\n%s", w, page.body)
		}
	}
}

// TestWithdrawalRecordShowsATamperedLog: someone with the database file drops
// the trigger that refuses updates and edits the statement's entry; the
// record says the log does not verify, naming the entry, on the page and in
// the JSON.
func TestWithdrawalRecordShowsATamperedLog(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	code := h.withdraw(scarf1002)

	raw, err := sql.Open("sqlite3", h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DROP TRIGGER withdrawal_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE withdrawal_log SET payload = replace(payload, 'Sam Taylor', 'Someone Else') WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}

	page := h.get(staff, "/admin/returns/"+code+"/record")
	if page.status != http.StatusOK || !strings.Contains(page.body, "The log does not verify: entry 1 was changed after it was written.") {
		t.Errorf("the record of a tampered log: status %d\n%s", page.status, page.body)
	}
	a := h.get(staff, "/admin/returns/"+code+"/record.json")
	var rec withdrawalRecordJSON
	if err := json.Unmarshal([]byte(a.body), &rec); err != nil {
		t.Fatalf("record.json does not parse: %v\n%s", err, a.body)
	}
	if rec.Log.Verifies || rec.Log.Problem != returns.LogEntryChanged {
		t.Errorf("the JSON of a tampered log: %+v", rec.Log)
	}
}

// TestWithdrawalRecordOnlyForWithdrawals: a damage report has no withdrawal
// record (404, the backoffice's own page, no Go error); a return that does
// not exist neither; a stranger is sent to sign in.
func TestWithdrawalRecordOnlyForWithdrawals(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	towel := h.damagedTowel()
	for _, path := range []string{"/admin/returns/" + towel + "/record", "/admin/returns/" + towel + "/record.json", "/admin/returns/R-AAAAAAAA/record", "/admin/returns/nonsense/record.json"} {
		a := h.get(staff, path)
		if a.status != http.StatusNotFound || strings.Contains(a.body, "goroutine") || strings.Contains(a.body, "sql:") ||
			a.header.Get("Content-Disposition") != "" {
			t.Errorf("%s: status %d, Content-Disposition %q\n%s", path, a.status, a.header.Get("Content-Disposition"), a.body)
		}
	}
	if a := h.get(staff, "/admin/returns/"+towel); strings.Contains(a.body, "/record") {
		t.Errorf("a damage report's page links to a withdrawal record")
	}

	code := h.withdraw(scarf1002)
	for _, path := range []string{"/admin/returns/" + code + "/record", "/admin/returns/" + code + "/record.json"} {
		a := h.get(h.client(), path)
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/admin/login") || strings.Contains(a.body, "Sam Taylor") {
			t.Errorf("%s signed out: status %d location %q", path, a.status, a.header.Get("Location"))
		}
	}
}
