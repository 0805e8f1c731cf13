package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// email returns a queued outbox message of r with a dedupe key made of kind.
func email(r *returns.Return, kind returns.EmailKind) returns.OutboxMessage {
	return returns.OutboxMessage{
		DedupeKey: r.Code + ":" + string(kind) + ":customer",
		Kind:      kind,
		To:        r.Email,
		ReplyTo:   "staff@example.com",
		Subject:   "Your return " + r.Code,
		Text:      "Hello — labdien",
		HTML:      "<p>Hello — labdien</p>",
		MessageID: "<" + returns.NewToken() + "@returns.example.com>",
		Status:    returns.OutboxQueued,
		CreatedAt: now,
		NextAt:    now,
	}
}

// mustCreateWithEmails stores r with emails and fails the test unless a new
// return was created.
func mustCreateWithEmails(tb testing.TB, d *db.DB, r *returns.Return, emails ...returns.OutboxMessage) {
	tb.Helper()
	created, err := d.CreateReturn(context.Background(), r, map[string]int{"L1": 1000}, requestedEvent(), writeback(r), emails)
	if err != nil || !created {
		tb.Fatalf("CreateReturn = %v, %v; want created", created, err)
	}
}

func TestOutbox_QueuedWithReturn(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	emails := []returns.OutboxMessage{email(r, returns.EmailRequestReceived), email(r, returns.EmailStaffNewReturn)}
	mustCreateWithEmails(t, d, r, emails...)

	for _, m := range emails {
		if m.ID == 0 || m.ReturnID != r.ID {
			t.Fatalf("email %s: id %d, return %d; want filled", m.DedupeKey, m.ID, m.ReturnID)
		}
		got, err := d.OutboxMessage(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, m) {
			t.Errorf("read back\n got %+v\nwant %+v", *got, m)
		}
	}

	t.Run("resubmitted form queues nothing", func(t *testing.T) {
		again := newReturn(order1, r.SubmissionKey, item("L1", 1))
		created, err := d.CreateReturn(ctx, again, map[string]int{"L1": 5}, requestedEvent(), writeback(again), []returns.OutboxMessage{email(again, returns.EmailRequestReceived)})
		if err != nil || created {
			t.Fatalf("CreateReturn = %v, %v; want the earlier return", created, err)
		}
		if n := count(t, d, "outbox"); n != 2 {
			t.Errorf("%d outbox rows, want 2", n)
		}
	})
	t.Run("unknown message", func(t *testing.T) {
		if _, err := d.OutboxMessage(ctx, 999); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
}

func TestOutbox_Transition(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*db.DB, *returns.Return) {
		d := MustOpenDB(t)
		r := newReturn(order1, "key-0000000000000001", item("L1", 1))
		mustCreateWithEmails(t, d, r, email(r, returns.EmailRequestReceived))
		return d, r
	}
	approve := func(r *returns.Return, emails ...returns.OutboxMessage) returns.Change {
		return returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent(), Emails: emails}
	}

	t.Run("queued with the change", func(t *testing.T) {
		d, r := setup(t)
		m := email(r, returns.EmailApproved)
		m.ReturnID = 0 // filled by the store
		c := approve(r, m)
		if err := d.Transition(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.Emails[0].ID == 0 || c.Emails[0].ReturnID != r.ID {
			t.Errorf("email not filled: %+v", c.Emails[0])
		}
		ms, err := d.OutboxMessages(ctx, "", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].DedupeKey != m.DedupeKey || ms[0].ReturnID != r.ID {
			t.Errorf("outbox = %+v", ms)
		}
	})
	t.Run("a duplicate key neither fails nor queues twice", func(t *testing.T) {
		d, r := setup(t)
		dup := email(r, returns.EmailRequestReceived) // the key of the queued one
		dup.Subject = "second"
		fresh := email(r, returns.EmailApproved)
		c := approve(r, dup, fresh)
		if err := d.Transition(ctx, c); err != nil {
			t.Fatalf("transition with a duplicate email: %v", err)
		}
		if got, _ := d.ReturnByID(ctx, r.ID); got.Status != returns.StatusApproved {
			t.Errorf("status = %s, want approved", got.Status)
		}
		if c.Emails[0].ID != 0 || c.Emails[1].ID == 0 {
			t.Errorf("ids = %d, %d; want 0 for the duplicate, one for the new", c.Emails[0].ID, c.Emails[1].ID)
		}
		ms, err := d.OutboxMessages(ctx, "", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 {
			t.Fatalf("%d outbox rows, want 2", len(ms))
		}
		for _, m := range ms {
			if m.Subject == "second" {
				t.Error("the duplicate overwrote the queued email")
			}
		}
	})
	t.Run("a conflicting change queues nothing", func(t *testing.T) {
		d, r := setup(t)
		if err := d.Transition(ctx, approve(r)); err != nil {
			t.Fatal(err)
		}
		err := d.Transition(ctx, approve(r, email(r, returns.EmailApproved)))
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
		if n := count(t, d, "outbox"); n != 1 {
			t.Errorf("%d outbox rows, want 1", n)
		}
	})
	t.Run("a bad email rolls the change back", func(t *testing.T) {
		d, r := setup(t)
		bad := email(r, returns.EmailApproved)
		bad.Status = "lost"
		if err := d.Transition(ctx, approve(r, bad)); err == nil {
			t.Fatal("transition with a bad email succeeded")
		}
		if got, _ := d.ReturnByID(ctx, r.ID); got.Status != returns.StatusRequested {
			t.Errorf("status = %s, want requested", got.Status)
		}
		if n := count(t, d, "events"); n != 1 {
			t.Errorf("%d events, want 1", n)
		}
	})
	t.Run("with a shipment", func(t *testing.T) {
		d, r := setup(t)
		if err := d.Transition(ctx, approve(r)); err != nil {
			t.Fatal(err)
		}
		sh := &returns.Shipment{Carrier: "dpd", CarrierName: "DPD", Number: "123", ShippedAt: now}
		c := returns.Change{ReturnID: r.ID, From: returns.StatusApproved, To: returns.StatusReplacementShipped, Event: approveEvent(),
			Emails: []returns.OutboxMessage{email(r, returns.EmailReplacementShipped)}}
		if err := d.ShipReplacement(ctx, sh, c); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, "outbox"); n != 2 {
			t.Errorf("%d outbox rows, want 2", n)
		}
	})
}

// claimAll claims every due message at at.
func claimAll(t *testing.T, d *db.DB, at time.Time) ([]returns.OutboxMessage, string) {
	t.Helper()
	ms, token, err := d.ClaimOutbox(context.Background(), at, 2*time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms, token
}

func TestClaimOutbox(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	later := email(r, returns.EmailApproved)
	later.NextAt = now.Add(time.Hour)
	mustCreateWithEmails(t, d, r, email(r, returns.EmailRequestReceived), email(r, returns.EmailStaffNewReturn), later)

	ms, token, err := d.ClaimOutbox(ctx, now, 2*time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Kind != returns.EmailRequestReceived || len(token) != 32 {
		t.Fatalf("claimed %+v with token %q; want the first due message", ms, token)
	}
	first := ms[0]

	ms2, token2 := claimAll(t, d, now)
	if len(ms2) != 1 || ms2[0].Kind != returns.EmailStaffNewReturn || token2 == token {
		t.Fatalf("second claim = %+v, %q; want the other due message only", ms2, token2)
	}
	if ms, _ := claimAll(t, d, now.Add(time.Minute)); len(ms) != 0 {
		t.Errorf("claimed %d messages under a live lease", len(ms))
	}

	t.Run("an expired lease is claimed again", func(t *testing.T) {
		ms3, token3 := claimAll(t, d, now.Add(3*time.Minute))
		if len(ms3) != 2 || ms3[0].ID != first.ID || ms3[1].ID != ms2[0].ID {
			t.Fatalf("claim after expiry = %+v", ms3)
		}
		// The first worker wakes up and records an outcome under its old lease.
		for name, settle := range map[string]func() error{
			"sent":    func() error { return d.OutboxSent(ctx, first.ID, token, now) },
			"retry":   func() error { return d.OutboxRetry(ctx, first.ID, token, now, "421") },
			"failed":  func() error { return d.OutboxFailed(ctx, first.ID, token, returns.OutboxFailed, "550") },
			"release": func() error { return d.OutboxRelease(ctx, first.ID, token) },
		} {
			if err := settle(); returns.ErrorCode(err) != returns.ECONFLICT {
				t.Errorf("%s under a lost lease: err = %v, want ECONFLICT", name, err)
			}
		}
		if err := d.OutboxSent(ctx, first.ID, token3, now.Add(3*time.Minute)); err != nil {
			t.Fatalf("sent under the new lease: %v", err)
		}
		if err := d.OutboxSent(ctx, first.ID, token3, now.Add(3*time.Minute)); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("sent twice: err = %v, want ECONFLICT", err)
		}
		got, err := d.OutboxMessage(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != returns.OutboxSent || !got.SentAt.Equal(now.Add(3*time.Minute)) || got.Attempts != 1 {
			t.Errorf("after sent: %+v", got)
		}
		if err := d.OutboxRelease(ctx, ms3[1].ID, token3); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a sent message is not claimed", func(t *testing.T) {
		ms, _ := claimAll(t, d, now.Add(2*time.Hour))
		if len(ms) != 2 || ms[0].Kind != returns.EmailStaffNewReturn || ms[1].Kind != returns.EmailApproved {
			t.Errorf("claimed %+v; want the released and the later message", ms)
		}
	})
	t.Run("unknown message", func(t *testing.T) {
		if err := d.OutboxSent(ctx, 999, token, now); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
	t.Run("bad arguments", func(t *testing.T) {
		if _, _, err := d.ClaimOutbox(ctx, now, 0, 1); err == nil {
			t.Error("claim without a lease succeeded")
		}
		if err := d.OutboxSent(ctx, first.ID, "", now); err == nil {
			t.Error("settle without a token succeeded")
		}
	})
}

func TestOutbox_Outcomes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name         string
		settle       func(d *db.DB, id int64, token string) error
		wantStatus   returns.OutboxStatus
		wantAttempts int
		wantError    string
		claimAgainAt time.Time // zero: never again
	}{
		{"retry", func(d *db.DB, id int64, token string) error {
			return d.OutboxRetry(ctx, id, token, now.Add(30*time.Second), "421 try later")
		}, returns.OutboxQueued, 1, "421 try later", now.Add(30 * time.Second)},
		{"failed", func(d *db.DB, id int64, token string) error {
			return d.OutboxFailed(ctx, id, token, returns.OutboxFailed, "550 no such user")
		}, returns.OutboxFailed, 1, "550 no such user", time.Time{}},
		{"dead", func(d *db.DB, id int64, token string) error {
			return d.OutboxFailed(ctx, id, token, returns.OutboxDead, "421 for two days")
		}, returns.OutboxDead, 1, "421 for two days", time.Time{}},
		{"unsent", func(d *db.DB, id int64, token string) error {
			return d.OutboxFailed(ctx, id, token, returns.OutboxUnsent, "not sent: no SMTP server configured")
		}, returns.OutboxUnsent, 0, "not sent: no SMTP server configured", time.Time{}},
		{"released", func(d *db.DB, id int64, token string) error {
			return d.OutboxRelease(ctx, id, token)
		}, returns.OutboxQueued, 0, "", now},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := MustOpenDB(t)
			r := newReturn(order1, "key-0000000000000001", item("L1", 1))
			mustCreateWithEmails(t, d, r, email(r, returns.EmailRequestReceived))
			ms, token := claimAll(t, d, now)
			if len(ms) != 1 {
				t.Fatalf("claimed %d", len(ms))
			}
			if err := tc.settle(d, ms[0].ID, token); err != nil {
				t.Fatal(err)
			}
			got, err := d.OutboxMessage(ctx, ms[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.wantStatus || got.Attempts != tc.wantAttempts || got.LastError != tc.wantError {
				t.Errorf("got status %s, attempts %d, error %q", got.Status, got.Attempts, got.LastError)
			}
			if !tc.claimAgainAt.IsZero() {
				if ms, _ := claimAll(t, d, tc.claimAgainAt.Add(-time.Millisecond)); len(ms) != 0 {
					t.Error("claimed before it was due")
				}
			}
			again, _ := claimAll(t, d, now.Add(time.Hour))
			if want := !tc.claimAgainAt.IsZero(); (len(again) == 1) != want {
				t.Errorf("claimed again: %d messages, want claimable %v", len(again), want)
			}
		})
	}
	t.Run("a bad status is refused", func(t *testing.T) {
		d := MustOpenDB(t)
		r := newReturn(order1, "key-0000000000000001", item("L1", 1))
		mustCreateWithEmails(t, d, r, email(r, returns.EmailRequestReceived))
		ms, token := claimAll(t, d, now)
		for _, st := range []returns.OutboxStatus{returns.OutboxSent, returns.OutboxQueued, "lost"} {
			if err := d.OutboxFailed(ctx, ms[0].ID, token, st, "x"); err == nil {
				t.Errorf("OutboxFailed(%q) succeeded", st)
			}
		}
	})
}

// TestClaimOutbox_TwoProcesses claims from two handles on one file, as two
// server processes would, from many goroutines: every message is claimed by
// exactly one of them.
func TestClaimOutbox_TwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	dbs := []*db.DB{mustOpenAt(t, path), mustOpenAt(t, path)}
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	const n = 300
	emails := make([]returns.OutboxMessage, n)
	for i := range emails {
		emails[i] = email(r, returns.EmailKind(fmt.Sprintf("kind%03d", i)))
	}
	mustCreateWithEmails(t, dbs[0], r, emails...)

	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := dbs[w%2]
			for {
				ms, token, err := d.ClaimOutbox(context.Background(), now, time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ms) == 0 {
					return
				}
				for _, m := range ms {
					mu.Lock()
					claimed[m.ID]++
					mu.Unlock()
					if err := d.OutboxSent(context.Background(), m.ID, token, now); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d messages claimed, want %d", len(claimed), n)
	}
	for id, times := range claimed {
		if times != 1 {
			t.Errorf("message %d claimed %d times", id, times)
		}
	}
}

func TestOutboxMessages(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	var emails []returns.OutboxMessage
	for i := 0; i < 7; i++ {
		emails = append(emails, email(r, returns.EmailKind(fmt.Sprintf("kind%d", i))))
	}
	mustCreateWithEmails(t, d, r, emails...)
	ms, token := claimAll(t, d, now)
	// Fail the odd ones.
	for _, m := range ms {
		var err error
		if m.ID%2 == 1 {
			err = d.OutboxFailed(ctx, m.ID, token, returns.OutboxFailed, "550")
		} else {
			err = d.OutboxRelease(ctx, m.ID, token)
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	ids := func(ms []returns.OutboxMessage) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		status returns.OutboxStatus
		before int64
		limit  int
		want   []int64
	}{
		{"newest first", "", 0, 3, []int64{7, 6, 5}},
		{"next page", "", 5, 3, []int64{4, 3, 2}},
		{"last page", "", 2, 3, []int64{1}},
		{"failed", returns.OutboxFailed, 0, 10, []int64{7, 5, 3, 1}},
		{"failed, next page", returns.OutboxFailed, 5, 10, []int64{3, 1}},
		{"queued", returns.OutboxQueued, 0, 10, []int64{6, 4, 2}},
		{"sent", returns.OutboxSent, 0, 10, nil},
		{"default limit", "", 0, 0, []int64{7, 6, 5, 4, 3, 2, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.OutboxMessages(ctx, tc.status, tc.before, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("ids = %v, want %v", ids(got), tc.want)
			}
		})
	}
}

func TestRequeueOutbox(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreateWithEmails(t, d, r, email(r, returns.EmailRequestReceived), email(r, returns.EmailStaffNewReturn),
		email(r, returns.EmailApproved), email(r, returns.EmailDeclined))
	ms, token := claimAll(t, d, now)
	failed, dead, unsent, sent := ms[0].ID, ms[1].ID, ms[2].ID, ms[3].ID
	for _, err := range []error{
		d.OutboxFailed(ctx, failed, token, returns.OutboxFailed, "550"),
		d.OutboxFailed(ctx, dead, token, returns.OutboxDead, "421"),
		d.OutboxFailed(ctx, unsent, token, returns.OutboxUnsent, "no SMTP"),
		d.OutboxSent(ctx, sent, token, now),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	later := now.Add(time.Hour)
	for _, id := range []int64{failed, dead, unsent} {
		if err := d.RequeueOutbox(ctx, id, later); err != nil {
			t.Fatalf("requeue %d: %v", id, err)
		}
		got, err := d.OutboxMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != returns.OutboxQueued || !got.NextAt.Equal(later) || got.LastError == "" {
			t.Errorf("requeued %d: %+v", id, got)
		}
	}
	if ms, _ := claimAll(t, d, later); len(ms) != 3 {
		t.Errorf("claimed %d requeued messages, want 3", len(ms))
	}
	for name, tc := range map[string]struct {
		id   int64
		code string
	}{
		"sent":    {sent, returns.ECONFLICT},
		"queued":  {failed, returns.ECONFLICT},
		"unknown": {999, returns.ENOTFOUND},
	} {
		if err := d.RequeueOutbox(ctx, tc.id, later); returns.ErrorCode(err) != tc.code {
			t.Errorf("%s: err = %v, want %s", name, err, tc.code)
		}
	}
}

// TestClaimOutbox_QueryPlan checks that claiming reads the (status, next_at)
// index and does not sort, however many messages were sent before.
func TestClaimOutbox_QueryPlan(t *testing.T) {
	d := MustOpenDB(t)
	plan := queryPlan(t, d, db.ClaimSelect, 0, 0, 10)
	if !strings.Contains(plan, "USING INDEX outbox_status_next_at") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("plan:\n%s", plan)
	}
}

// TestOutboxSentForgetsLinkTokens: once a message is sent, the copy the outbox
// keeps has no access token in its links; until then (queued, failed, unsent:
// it may still be sent) the token stays, and the link it carries opens the return.
func TestOutboxSentForgetsLinkTokens(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	token, other := returns.NewToken(), returns.NewToken()
	sent, failed := email(r, returns.EmailRequestReceived), email(r, returns.EmailApproved)
	for i, m := range []*returns.OutboxMessage{&sent, &failed} {
		tok := []string{token, other}[i]
		m.Text = "Open https://returns.example.com/returns/" + r.Code + "?t=" + tok + " to follow it."
		m.HTML = `<a href="https://returns.example.com/returns/` + r.Code + `?t=` + tok + `">Follow</a>`
		m.LinkTokenHash = returns.HashToken(tok)
	}
	failed.NextAt = now.Add(time.Hour) // claimed second
	mustCreateWithEmails(t, d, r, sent, failed)

	ms, lease, err := d.ClaimOutbox(ctx, now, time.Minute, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claim: %v, %v", ms, err)
	}
	if err := d.OutboxSent(ctx, ms[0].ID, lease, now); err != nil {
		t.Fatal(err)
	}
	ms2, lease2, err := d.ClaimOutbox(ctx, now.Add(2*time.Hour), time.Minute, 1)
	if err != nil || len(ms2) != 1 {
		t.Fatalf("claim: %v, %v", ms2, err)
	}
	if err := d.OutboxFailed(ctx, ms2[0].ID, lease2, returns.OutboxFailed, "550"); err != nil {
		t.Fatal(err)
	}

	got, err := d.OutboxMessage(ctx, ms[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Text+got.HTML, token) || !strings.Contains(got.Text, "/returns/"+r.Code+"?t=removed-after-sending") {
		t.Errorf("the sent message keeps its token:\n%s\n%s", got.Text, got.HTML)
	}
	kept, err := d.OutboxMessage(ctx, ms2[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(kept.Text, other) || !strings.Contains(kept.HTML, other) {
		t.Errorf("a failed message, which may be sent again, lost its token:\n%s", kept.Text)
	}
	// The link keeps working from the customer's inbox: its hash was stored.
	if opened, err := d.ReturnByToken(ctx, returns.HashToken(token)); err != nil || opened.ID != r.ID {
		t.Errorf("the sent link's token: %v, %v", opened, err)
	}
}
