package db_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// inboxWebhook is a pending webhook of topic about order (or none), occurred
// at at.
func inboxWebhook(id, topic, order string, at time.Time) *returns.InboxWebhook {
	return &returns.InboxWebhook{
		WebhookID: id, Topic: topic, ShopDomain: "linen.myshopify.com", OrderID: order, OccurredAt: at, ReceivedAt: now,
		Body: []byte(`{"id":` + "\x00" + `1}`), State: returns.InboxPending, NextAttemptAt: now,
	}
}

func mustReceive(t *testing.T, d *db.DB, w *returns.InboxWebhook) {
	t.Helper()
	created, err := d.ReceiveWebhook(context.Background(), w)
	if err != nil || !created || w.ID == 0 {
		t.Fatalf("ReceiveWebhook(%s) = %v, %v (id %d)", w.WebhookID, created, err, w.ID)
	}
}

// pendingIDs reads every pending webhook in batches of size and returns their
// webhook ids in the order read.
func pendingIDs(t *testing.T, d *db.DB, size int) []string {
	t.Helper()
	var ids []string
	var at time.Time
	var id int64
	for {
		batch, err := d.PendingWebhooks(context.Background(), at, id, size)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range batch {
			ids = append(ids, w.WebhookID)
			at, id = w.OccurredAt, w.ID
		}
		if len(batch) < size {
			return ids
		}
	}
}

func TestWebhookInbox(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	a := inboxWebhook("a", returns.TopicOrdersUpdated, order1, now.Add(2*time.Second))
	b := inboxWebhook("b", returns.TopicRefundsCreate, order1, now.Add(time.Second))
	c := inboxWebhook("c", returns.TopicAppUninstalled, "", now.Add(2*time.Second))
	for _, w := range []*returns.InboxWebhook{a, b, c} {
		mustReceive(t, d, w)
	}
	// The same delivery again is not stored, and changes nothing.
	again := inboxWebhook("a", returns.TopicOrdersUpdated, order1, now)
	if created, err := d.ReceiveWebhook(ctx, again); err != nil || created {
		t.Fatalf("a duplicate: %v, %v", created, err)
	}
	if n := count(t, d, "webhook_inbox"); n != 3 {
		t.Fatalf("%d rows", n)
	}
	failed := inboxWebhook("f", returns.TopicRefundsCreate, "", now)
	failed.State, failed.LastError, failed.AppliedAt = returns.InboxFailed, "payload unreadable", now
	mustReceive(t, d, failed)

	// Pending ones in the order they are applied in: time, then arrival.
	for _, size := range []int{1, 2, 10} {
		if got, want := pendingIDs(t, d, size), []string{"b", "a", "c"}; !slices.Equal(got, want) {
			t.Fatalf("batches of %d: %v, want %v", size, got, want)
		}
	}
	got, err := d.PendingWebhooks(ctx, time.Time{}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if w := got[1]; w.ID != a.ID || w.Topic != a.Topic || w.ShopDomain != a.ShopDomain || w.OrderID != order1 || !w.OccurredAt.Equal(a.OccurredAt) ||
		!w.ReceivedAt.Equal(now) || string(w.Body) != string(a.Body) || w.State != returns.InboxPending || !w.AppliedAt.IsZero() {
		t.Errorf("read back %+v\nstored %+v", w, *a)
	}

	// A failed attempt, then its outcome.
	if err := d.RetryWebhook(ctx, b.ID, now.Add(time.Minute), "database is locked"); err != nil {
		t.Fatal(err)
	}
	got, _ = d.PendingWebhooks(ctx, time.Time{}, 0, 1)
	if w := got[0]; w.Attempts != 1 || !w.NextAttemptAt.Equal(now.Add(time.Minute)) || w.LastError != "database is locked" {
		t.Errorf("after a retry %+v", w)
	}
	if err := d.SettleWebhook(ctx, b.ID, returns.WebhookOutcome{State: returns.InboxApplied, At: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := d.SettleWebhook(ctx, b.ID, returns.WebhookOutcome{State: returns.InboxApplied, At: now}); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Errorf("settled twice: %v", err)
	}
	if err := d.SettleWebhook(ctx, 999, returns.WebhookOutcome{State: returns.InboxApplied, At: now}); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("an unknown webhook: %v", err)
	}
	if err := d.SettleWebhook(ctx, a.ID, returns.WebhookOutcome{State: returns.InboxPending, At: now}); err == nil {
		t.Error("settled as pending")
	}
	if err := d.RetryWebhook(ctx, b.ID, now, "x"); err == nil {
		t.Error("a settled webhook was retried")
	}
	if got := pendingIDs(t, d, 10); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("pending %v", got)
	}
	rows, err := d.Webhooks(ctx, returns.TopicRefundsCreate)
	if err != nil || len(rows) != 2 || rows[0].State != returns.InboxApplied || !rows[0].AppliedAt.Equal(now.Add(time.Hour)) || rows[1].State != returns.InboxFailed {
		t.Errorf("refunds/create rows %+v, %v", rows, err)
	}
}

// TestForgetWebhookBodies empties the bodies of what is not pending, and of
// a webhook settled with ForgetBody; pending ones keep theirs to be applied.
func TestForgetWebhookBodies(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	applied := inboxWebhook("applied", returns.TopicOrdersUpdated, order1, now)
	pending := inboxWebhook("pending", returns.TopicOrdersUpdated, order1, now)
	redact := inboxWebhook("redact", returns.TopicCustomersRedact, "", now)
	for _, w := range []*returns.InboxWebhook{applied, pending, redact} {
		mustReceive(t, d, w)
	}
	if err := d.SettleWebhook(ctx, applied.ID, returns.WebhookOutcome{State: returns.InboxApplied, At: now}); err != nil {
		t.Fatal(err)
	}
	if n, err := d.ForgetWebhookBodies(ctx); err != nil || n != 1 {
		t.Fatalf("emptied %d, %v; want the applied one", n, err)
	}
	if err := d.SettleWebhook(ctx, redact.ID, returns.WebhookOutcome{State: returns.InboxApplied, At: now, ForgetBody: true}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]int{}
	for _, topic := range []string{returns.TopicOrdersUpdated, returns.TopicCustomersRedact} {
		ws, err := d.Webhooks(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			bodies[w.WebhookID] = len(w.Body)
		}
	}
	if bodies["applied"] != 0 || bodies["redact"] != 0 || bodies["pending"] == 0 {
		t.Errorf("body lengths %v", bodies)
	}
	if n, _ := d.ForgetWebhookBodies(ctx); n != 0 {
		t.Errorf("emptied %d again", n)
	}
}

// TestOrderWatermarks: an applied orders/updated moves its order's watermark
// up, never down; a stale one moves nothing.
func TestOrderWatermarks(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	if at, err := d.OrderWatermark(ctx, order1); err != nil || !at.IsZero() {
		t.Fatalf("no watermark yet: %v, %v", at, err)
	}
	settle := func(id string, at time.Time, state returns.InboxState) {
		t.Helper()
		w := inboxWebhook(id, returns.TopicOrdersUpdated, order1, at)
		mustReceive(t, d, w)
		if err := d.SettleWebhook(ctx, w.ID, returns.WebhookOutcome{State: state, At: now, OrderUpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	settle("newer", now.Add(2*time.Minute), returns.InboxApplied)
	settle("older", now.Add(time.Minute), returns.InboxApplied)
	settle("newest-but-stale", now.Add(3*time.Minute), returns.InboxStale)
	if at, err := d.OrderWatermark(ctx, order1); err != nil || !at.Equal(now.Add(2*time.Minute)) {
		t.Errorf("watermark %v, %v; want the newest applied", at, err)
	}
}

// TestPruneWebhooks deletes what left pending before the cut and the
// watermarks older than it; pending webhooks stay, however old.
func TestPruneWebhooks(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	old := inboxWebhook("old", returns.TopicOrdersUpdated, order1, now.Add(-40*24*time.Hour))
	recent := inboxWebhook("recent", returns.TopicOrdersUpdated, "gid://shopify/Order/1002", now.Add(-time.Hour))
	waiting := inboxWebhook("waiting", returns.TopicCustomersRedact, "", now.Add(-40*24*time.Hour))
	for _, w := range []*returns.InboxWebhook{old, recent, waiting} {
		mustReceive(t, d, w)
	}
	for _, w := range []*returns.InboxWebhook{old, recent} {
		if err := d.SettleWebhook(ctx, w.ID, returns.WebhookOutcome{State: returns.InboxApplied, At: w.OccurredAt, OrderUpdatedAt: w.OccurredAt}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := d.PruneWebhooks(ctx, now.Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if got := pendingIDs(t, d, 10); !slices.Equal(got, []string{"waiting"}) {
		t.Errorf("pending %v", got)
	}
	if n := count(t, d, "webhook_inbox"); n != 2 {
		t.Errorf("%d rows left, want the recent and the waiting one", n)
	}
	if at, _ := d.OrderWatermark(ctx, order1); !at.IsZero() {
		t.Errorf("the old watermark is kept: %v", at)
	}
	if at, _ := d.OrderWatermark(ctx, "gid://shopify/Order/1002"); at.IsZero() {
		t.Error("the recent watermark is gone")
	}
}

// shopRefund is a refund made in Shopify admin of r, as the service books it.
func shopRefund(r *returns.Return, gid string, minor int64) *returns.Refund {
	return &returns.Refund{
		ReturnID: r.ID, OrderID: r.OrderID, Amount: returns.Money{Minor: minor, Currency: "EUR"}, IdempotencyKey: returns.ShopRefundKey(gid),
		State: returns.RefundSucceeded, ShopifyID: gid, Reason: returns.ShopRefundReason, Source: returns.RefundFromShopify,
		CreatedAt: now.Add(-time.Minute), UpdatedAt: now,
	}
}

func shopRefundEvent(r *returns.Return) returns.Event {
	return returns.Event{ReturnID: r.ID, At: now, Actor: returns.ActorSystem, Type: returns.EventShopifyRefund, Message: "10.00 EUR"}
}

// TestRecordShopRefund: a refund made in Shopify admin is booked once, with
// its event, and with the return's move when one is given, or none of them;
// it is known by its GID afterwards, and it does not stop a refund through
// the portal, which counts it against what the return may still get.
func TestRecordShopRefund(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	r := approved(t, d, order1, "key-0000000000000001")
	const gid = "gid://shopify/Refund/501"
	if known, err := d.ShopRefundKnown(ctx, gid); err != nil || known {
		t.Fatalf("known before: %v, %v", known, err)
	}
	ref := shopRefund(r, gid, 10_00)
	created, err := d.RecordShopRefund(ctx, ref, shopRefundEvent(r), nil)
	if err != nil || !created || ref.ID == 0 {
		t.Fatalf("RecordShopRefund = %v, %v", created, err)
	}
	if got := refundByID(t, d, r, ref.ID); got != *ref {
		t.Errorf("read back %+v\nbooked    %+v", got, *ref)
	}
	if known, err := d.ShopRefundKnown(ctx, gid); err != nil || !known {
		t.Errorf("known after: %v, %v", known, err)
	}
	again := shopRefund(r, gid, 10_00)
	if created, err := d.RecordShopRefund(ctx, again, shopRefundEvent(r), refundedChange(r, returns.StatusApproved)); err != nil || created {
		t.Fatalf("again = %v, %v; want nothing stored", created, err)
	}
	got, _ := d.ReturnByID(ctx, r.ID)
	if got.Status != returns.StatusApproved || got.Refunded.Minor != 10_00 {
		t.Errorf("after the same refund again: %s, refunded %v", got.Status, got.Refunded)
	}
	evs, _ := d.Events(ctx, r.ID)
	if n := len(evs); n != 3 || evs[2].Type != returns.EventShopifyRefund { // requested, approved, the refund
		t.Errorf("timeline %+v", evs)
	}

	// A refund through the portal may follow, within what is left.
	portal := newRefund(r, key1, 19_00)
	lim := returns.RefundLimits{Return: returns.Money{Minor: 19_00, Currency: "EUR"}, Paid: paid, Refunded: returns.Money{Minor: 10_00, Currency: "EUR"}}
	mustCreateRefund(t, d, portal, lim)
	if portal.Source != returns.RefundFromPortal || refundByID(t, d, r, portal.ID).Source != returns.RefundFromPortal {
		t.Errorf("the portal's refund reads source %q", refundByID(t, d, r, portal.ID).Source)
	}
	// One booked meanwhile is seen in the transaction that stores it.
	other := approved(t, d, order1, "key-0000000000000002")
	if _, err := d.RecordShopRefund(ctx, shopRefund(other, "gid://shopify/Refund/502", 5_00), shopRefundEvent(other), nil); err != nil {
		t.Fatal(err)
	}
	stale := returns.RefundLimits{Return: returns.Money{Minor: 20_00, Currency: "EUR"}, Paid: paid}
	if _, err := d.CreateRefund(ctx, newRefund(other, key2, 20_00), stale); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Errorf("a refund worked out before a Shopify refund was booked: %v, want ECONFLICT", err)
	}

	// With the move: the refund, its event and the move commit together.
	third := approved(t, d, order1, "key-0000000000000003")
	ref3 := shopRefund(third, "gid://shopify/Refund/503", 29_00)
	if created, err := d.RecordShopRefund(ctx, ref3, shopRefundEvent(third), refundedChange(third, returns.StatusApproved)); err != nil || !created {
		t.Fatalf("with the move: %v, %v", created, err)
	}
	if got, _ := d.ReturnByID(ctx, third.ID); got.Status != returns.StatusRefunded || got.Refunded.Minor != 29_00 {
		t.Errorf("after the move: %s, %v", got.Status, got.Refunded)
	}
	// A return that moved away: nothing at all.
	fourth := approved(t, d, order1, "key-0000000000000004")
	before := count(t, d, "refunds")
	if _, err := d.RecordShopRefund(ctx, shopRefund(fourth, "gid://shopify/Refund/504", 1_00), shopRefundEvent(fourth), refundedChange(fourth, returns.StatusItemReceived)); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Errorf("a move from a status the return is not in: %v", err)
	}
	if n := count(t, d, "refunds"); n != before {
		t.Error("the refund was booked without its move")
	}

	for name, spoil := range map[string]func(*returns.Refund){
		"NoKey":      func(x *returns.Refund) { x.IdempotencyKey = "" },
		"Portal":     func(x *returns.Refund) { x.Source = returns.RefundFromPortal },
		"Pending":    func(x *returns.Refund) { x.State = returns.RefundPending },
		"NoMoney":    func(x *returns.Refund) { x.Amount.Minor = 0 },
		"OtherOrder": func(x *returns.Refund) { x.OrderID = "gid://shopify/Order/2" },
	} {
		bad := shopRefund(r, "gid://shopify/Refund/9", 1)
		spoil(bad)
		if _, err := d.RecordShopRefund(ctx, bad, shopRefundEvent(r), nil); err == nil {
			t.Errorf("%s: booked", name)
		}
	}
	if _, err := d.RecordShopRefund(ctx, shopRefund(&returns.Return{ID: 999, OrderID: order1}, "gid://shopify/Refund/9", 1), returns.Event{ReturnID: 999}, nil); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("an unknown return: %v", err)
	}
}

// TestRecordOrderRefund keeps a refund of no return once, with its events.
func TestRecordOrderRefund(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	a := approved(t, d, order1, "key-0000000000000001")
	b := approved(t, d, order1, "key-0000000000000002")
	r := returns.OrderRefund{ShopifyID: "gid://shopify/Refund/601", OrderID: order1, Amount: returns.Money{Minor: 5_00, Currency: "EUR"}, CreatedAt: now}
	ev := func(x *returns.Return) returns.Event {
		return returns.Event{ReturnID: x.ID, At: now, Actor: returns.ActorSystem, Type: returns.EventOrderRefund, Message: "5.00 EUR"}
	}
	for i, want := range []bool{true, false} {
		created, err := d.RecordOrderRefund(ctx, r, []returns.Event{ev(a), ev(b)})
		if err != nil || created != want {
			t.Fatalf("call %d: %v, %v", i, created, err)
		}
	}
	if n := count(t, d, "order_refunds"); n != 1 {
		t.Errorf("%d order refunds", n)
	}
	for _, x := range []*returns.Return{a, b} {
		evs, _ := d.Events(ctx, x.ID)
		if evs[len(evs)-1].Type != returns.EventOrderRefund || len(evs) != 3 {
			t.Errorf("timeline of %s: %+v", x.Code, evs)
		}
	}
	if known, _ := d.ShopRefundKnown(ctx, r.ShopifyID); !known {
		t.Error("not known")
	}
	other := returns.OrderRefund{ShopifyID: "gid://shopify/Refund/602", OrderID: "gid://shopify/Order/2"}
	if _, err := d.RecordOrderRefund(ctx, other, []returns.Event{ev(a)}); err == nil {
		t.Error("an event on a return of another order")
	}
	if n := count(t, d, "order_refunds"); n != 1 {
		t.Error("recorded without its events")
	}
}

// TestStaffNoticesAndInstallation: the app's state with the notice of its
// uninstall, once; a late uninstall older than a reinstall changes nothing;
// a staff notice with events, once.
func TestStaffNoticesAndInstallation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	if at, err := d.ShopUninstalledAt(ctx); err != nil || !at.IsZero() {
		t.Fatalf("installed at first: %v, %v", at, err)
	}
	notice := func(key string) *returns.OutboxMessage {
		return &returns.OutboxMessage{DedupeKey: key, Kind: returns.EmailStaffAppUninstalled, To: "team@shop.example", Subject: "Uninstalled",
			Text: "x", HTML: "<p>x</p>", MessageID: "<" + key + "@returns.example>"}
	}
	at := now.Add(-time.Hour)
	email := notice("app-uninstalled:1")
	if changed, err := d.MarkUninstalled(ctx, at, email); err != nil || !changed || email.ID == 0 {
		t.Fatalf("MarkUninstalled = %v, %v (%+v)", changed, err, email)
	}
	if changed, err := d.MarkUninstalled(ctx, at.Add(time.Minute), notice("app-uninstalled:2")); err != nil || changed {
		t.Fatalf("marked twice: %v, %v", changed, err)
	}
	msgs, _ := d.OutboxMessages(ctx, "", 0, 10)
	if len(msgs) != 1 || msgs[0].ReturnID != 0 || msgs[0].Kind != returns.EmailStaffAppUninstalled {
		t.Fatalf("outbox %+v", msgs)
	}
	// A new process reads it.
	d.Close()
	d = mustOpenAt(t, path)
	if got, err := d.ShopUninstalledAt(ctx); err != nil || !got.Equal(at) {
		t.Fatalf("after a restart: %v, %v", got, err)
	}
	if changed, err := d.MarkReinstalled(ctx, at.Add(-time.Second)); err != nil || changed {
		t.Fatalf("a look begun before the uninstall undid it: %v, %v", changed, err)
	}
	if changed, err := d.MarkReinstalled(ctx, now); err != nil || !changed {
		t.Fatalf("MarkReinstalled = %v, %v", changed, err)
	}
	if changed, _ := d.MarkReinstalled(ctx, now); changed {
		t.Error("reinstalled twice")
	}
	if changed, _ := d.MarkUninstalled(ctx, now.Add(-time.Minute), nil); changed {
		t.Error("an uninstall older than the reinstall took effect")
	}
	if changed, _ := d.MarkUninstalled(ctx, now.Add(time.Minute), nil); !changed {
		t.Error("a later uninstall did not take effect")
	}
	if _, err := d.MarkUninstalled(ctx, time.Time{}, nil); err == nil {
		t.Error("an uninstall without a time")
	}

	r := approved(t, d, order1, "key-0000000000000001")
	dr := &returns.OutboxMessage{DedupeKey: "data-request:9001", Kind: returns.EmailStaffDataRequest, To: "team@shop.example", Subject: "Data request",
		Text: "x", HTML: "<p>x</p>", MessageID: "<dr@returns.example>"}
	ev := returns.Event{ReturnID: r.ID, At: now, Actor: returns.ActorSystem, Type: returns.EventDataRequest, Message: "asked"}
	for i, want := range []bool{true, false} {
		email := *dr
		created, err := d.QueueStaffNotice(ctx, &email, []returns.Event{ev})
		if err != nil || created != want {
			t.Fatalf("call %d: %v, %v", i, created, err)
		}
	}
	evs, _ := d.Events(ctx, r.ID)
	if evs[len(evs)-1].Type != returns.EventDataRequest || len(evs) != 3 {
		t.Errorf("timeline %+v", evs)
	}
	if created, err := d.QueueStaffNotice(ctx, nil, []returns.Event{ev}); err != nil || !created {
		t.Errorf("events alone: %v, %v", created, err)
	}
	if _, err := d.QueueStaffNotice(ctx, nil, []returns.Event{{ReturnID: 999, Type: returns.EventDataRequest}}); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("an event of an unknown return: %v", err)
	}
}

// TestOrdersWithOpenReturns lists each order with a return that may still
// see money move once, in order, page by page, reading only open returns.
func TestOrdersWithOpenReturns(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	for i, order := range []string{"gid://shopify/Order/3", order1, "gid://shopify/Order/2", order1} {
		approved(t, d, order, "key-000000000000000"+string(rune('1'+i)))
	}
	closed := newReturn("gid://shopify/Order/4", "key-0000000000000009", item("L1", 1))
	mustCreate(t, d, closed, map[string]int{"L1": 5})
	setStatus(t, d, closed.ID, returns.StatusClosed)
	requested := newReturn("gid://shopify/Order/5", "key-0000000000000010", item("L1", 1))
	mustCreate(t, d, requested, map[string]int{"L1": 5})

	var got []string
	after := ""
	for {
		page, err := d.OrdersWithOpenReturns(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1]
	}
	want := []string{order1, "gid://shopify/Order/2", "gid://shopify/Order/3", "gid://shopify/Order/5"}
	if !slices.Equal(got, want) {
		t.Errorf("orders %v, want %v", got, want)
	}
	plan := queryPlan(t, d, `SELECT DISTINCT order_id FROM returns
		WHERE status IN (?, ?, ?, ?) AND order_id > ? ORDER BY order_id LIMIT ?`, "requested", "approved", "item_received", "replacement_shipped", "", 2)
	if !strings.Contains(plan, "SEARCH returns USING INDEX returns_status_id") {
		t.Errorf("the list does not use its index:\n%s", plan)
	}
}
