package returns_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// logBuffer keeps what a service logs, for tests that check that a failure is
// logged rather than lost. It is safe for the services' goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logger returns a logger that writes to l.
func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fakeEmails is an EmailRenderer that records what it renders; RenderEmailFn,
// when set, answers instead of the default (the kind as the subject).
type fakeEmails struct {
	RenderEmailFn func(d returns.EmailData) (returns.Email, error)

	mu       sync.Mutex
	rendered []returns.EmailData
}

func (e *fakeEmails) RenderEmail(d returns.EmailData) (returns.Email, error) {
	e.mu.Lock()
	e.rendered = append(e.rendered, d)
	e.mu.Unlock()
	if e.RenderEmailFn != nil {
		return e.RenderEmailFn(d)
	}
	return returns.Email{Subject: string(d.Kind), Text: string(d.Kind), HTML: "<p>" + string(d.Kind) + "</p>"}, nil
}

func (e *fakeEmails) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.rendered)
}

// changesFixture is the one path of status changes (Changes) over the in-memory
// store and Shopify, with a clock the test can move, the settings the mailer
// reads, a renderer that records what it renders, a count of the mail worker's
// wake-ups and the services' log. The service fixtures build on it.
type changesFixture struct {
	store    *memStore
	shop     *fakeShop
	emails   *fakeEmails
	mailer   *returns.Mailer
	writer   *returns.OrderWriter
	changes  *returns.Changes
	settings returns.Settings
	now      time.Time
	woken    atomic.Int32
	logs     *logBuffer
	log      *slog.Logger
}

// refundOrder returns testOrder as paid: 122.00 EUR received in one card
// payment, nothing refunded yet.
func refundOrder() *returns.Order {
	o := testOrder()
	o.Received = eur(12200)
	o.Refunded = eur(0)
	o.Payments = []returns.Payment{{ID: "gid://shopify/OrderTransaction/71", Kind: "SALE", Gateway: "shopify_payments", Amount: eur(12200)}}
	return o
}

func eur(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }

func newChangesFixture(t *testing.T) *changesFixture {
	t.Helper()
	f := &changesFixture{shop: newFakeShop(refundOrder()), store: &memStore{}, emails: &fakeEmails{}, settings: returns.DefaultSettings(), now: serviceNow, logs: &logBuffer{}}
	f.log = f.logs.logger()
	now := f.clock
	settings := settingsFunc(func(context.Context) (returns.Settings, error) { return f.settings, nil })
	f.mailer = returns.NewMailer(f.emails, settings, "https://returns.example.com", func() { f.woken.Add(1) }, now, f.log)
	f.writer = returns.NewOrderWriter(f.shop, f.store, returns.NewOrderCache(), now, f.log)
	f.changes = returns.NewChanges(f.store, f.store, f.mailer, f.writer, now, f.log)
	return f
}

func (f *changesFixture) clock() time.Time { return f.now }

// testReturnCode is the code of the first return a fixture adds.
const testReturnCode = "R-7KQ9X2MD"

// addReturn stores a return of order #1001, in status, for two damaged tea
// towels (24.00 EUR) that the customer wants refunded; edit changes it first.
// The first return added has testReturnCode.
func (f *changesFixture) addReturn(status returns.Status, edit ...func(*returns.Return)) *returns.Return {
	f.store.mu.Lock()
	defer f.store.mu.Unlock()
	code := testReturnCode
	if len(f.store.returns) > 0 {
		code = returns.NewReturnCode()
	}
	r := returns.Return{
		ID: f.store.id(), SubmissionKey: "form-" + code, Code: code, OrderID: "gid://shopify/Order/1001", OrderName: "#1001",
		Email: "anna.berzina@example.lv", Locale: "lv", Kind: returns.KindDamaged, Reason: returns.ReasonDamaged,
		Resolution: returns.ResolutionRefund, Note: "Torn along the hem.", Status: status, Currency: "EUR",
		Items:     []returns.Item{{LineItemID: "L1", Title: "Linen tea towel", Quantity: 2, UnitPrice: eur(1200)}},
		CreatedAt: serviceNow.AddDate(0, 0, -1), UpdatedAt: serviceNow.AddDate(0, 0, -1),
	}
	for _, e := range edit {
		e(&r)
	}
	f.store.returns = append(f.store.returns, r)
	return &r
}

// status returns the stored status of a return.
func (f *changesFixture) status(t *testing.T, id int64) returns.Status {
	t.Helper()
	r, err := f.store.ReturnByID(context.Background(), id)
	if err != nil {
		t.Fatalf("read return %d: %v", id, err)
	}
	return r.Status
}

// storedEmails returns the outbox messages committed so far.
func (f *changesFixture) storedEmails() []returns.OutboxMessage {
	f.store.mu.Lock()
	defer f.store.mu.Unlock()
	return slices.Clone(f.store.emails)
}

// storedWritebacks returns the write-backs committed so far.
func (f *changesFixture) storedWritebacks() []memWriteback {
	f.store.mu.Lock()
	defer f.store.mu.Unlock()
	var out []memWriteback
	for _, w := range f.store.writebacks {
		out = append(out, *w)
	}
	return out
}

// orderUpdates returns the note and tag updates Shopify got.
func (f *changesFixture) orderUpdates() []orderUpdate {
	f.shop.mu.Lock()
	defer f.shop.mu.Unlock()
	return slices.Clone(f.shop.updates)
}

// checkNothingWritten fails the test when anything beyond the return's own
// stored state changed: an event, a write-back, an email queued or rendered, a
// wake-up of the mail worker or a call to Shopify's order.
func (f *changesFixture) checkNothingWritten(t *testing.T, returnID int64) {
	t.Helper()
	if evs := f.store.eventTypes(returnID); len(evs) != 0 {
		t.Errorf("timeline %v, want none", evs)
	}
	if n := len(f.storedWritebacks()); n != 0 {
		t.Errorf("%d write-backs queued, want none", n)
	}
	if n := len(f.storedEmails()); n != 0 {
		t.Errorf("%d emails queued, want none", n)
	}
	if n := f.woken.Load(); n != 0 {
		t.Errorf("the mail worker was woken %d times, want never", n)
	}
	if n := len(f.orderUpdates()); n != 0 {
		t.Errorf("the Shopify order was updated %d times, want never", n)
	}
}

// approval is a staff member's approval of r, as the backoffice asks for it.
func approval(r *returns.Return) returns.StatusChange {
	return returns.StatusChange{
		Return: r, To: returns.StatusApproved, Actor: returns.StaffActor(7), Event: returns.EventApproved, Message: "Send it back, please.",
		Note: r.Code + ": item damaged approved", Tags: []string{"returns:approved"},
		Email: returns.EmailApproved, EmailData: returns.EmailData{Message: "Send it back, please."},
	}
}

// TestChangesApplyWithCommitsTheChangeItMade: the committer gets the change
// made from the StatusChange (the move, its event, the write-back and the
// emails), and after it committed, the return reads as moved, the mail worker
// is woken and the write-back the committer stored is written to Shopify.
func TestChangesApplyWithCommitsTheChangeItMade(t *testing.T) {
	ctx := context.Background()
	f := newChangesFixture(t)
	r := f.addReturn(returns.StatusRequested)
	var got []returns.Change
	err := f.changes.ApplyWith(ctx, approval(r), func(ctx context.Context, ch returns.Change) error {
		got = append(got, ch)
		return f.store.Transition(ctx, ch)
	})
	if err != nil {
		t.Fatalf("ApplyWith() = %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("committer called %d times, want once", len(got))
	}
	ch := got[0]
	wantEvent := returns.Event{ReturnID: r.ID, At: serviceNow, Actor: "staff:7", Type: returns.EventApproved, Status: returns.StatusApproved, Message: "Send it back, please."}
	if ch.ReturnID != r.ID || ch.From != returns.StatusRequested || ch.To != returns.StatusApproved || !reflect.DeepEqual(ch.Event, wantEvent) {
		t.Errorf("change %d %s→%s, event %+v; want %d requested→approved, event %+v", ch.ReturnID, ch.From, ch.To, ch.Event, r.ID, wantEvent)
	}
	if wb := ch.Writeback; wb == nil || wb.OrderID != r.OrderID || wb.NoteLine != testReturnCode+": item damaged approved" ||
		!slices.Equal(wb.Tags, []string{"returns:approved"}) || !wb.NextAt.Equal(serviceNow) {
		t.Errorf("write-back %+v", ch.Writeback)
	}
	if len(ch.Emails) != 1 || ch.Emails[0].Kind != returns.EmailApproved || ch.Emails[0].To != r.Email {
		t.Errorf("emails %+v, want the customer's approval", ch.Emails)
	}
	if r.Status != returns.StatusApproved {
		t.Errorf("r.Status = %s after the commit, want approved", r.Status)
	}
	if n := f.woken.Load(); n != 1 {
		t.Errorf("mail worker woken %d times, want once", n)
	}
	// The write-back written is the one the committer stored (its ID filled).
	wbs := f.storedWritebacks()
	if len(wbs) != 1 || !wbs[0].Done || wbs[0].ID != ch.Writeback.ID {
		t.Errorf("write-backs %+v, want the committed one done", wbs)
	}
	if u := f.orderUpdates(); len(u) != 1 || !strings.HasSuffix(u[0].Note, "\n"+testReturnCode+": item damaged approved") {
		t.Errorf("order updates %+v", u)
	}
}

// TestChangesRefuseAnIllegalMoveBeforeAnythingIsWritten: a move the state
// machine does not allow is refused before an email is rendered or anything
// committed.
func TestChangesRefuseAnIllegalMoveBeforeAnythingIsWritten(t *testing.T) {
	for _, tc := range []struct{ from, to returns.Status }{
		{returns.StatusRequested, returns.StatusRefunded},
		{returns.StatusRequested, returns.StatusClosed},
		{returns.StatusApproved, returns.StatusApproved},
		{returns.StatusDeclined, returns.StatusApproved},
		{returns.StatusCancelled, returns.StatusRequested},
		{returns.StatusItemReceived, returns.StatusReplacementShipped},
		{returns.StatusClosed, returns.StatusRefunded},
	} {
		t.Run(string(tc.from)+"_to_"+string(tc.to), func(t *testing.T) {
			f := newChangesFixture(t)
			r := f.addReturn(tc.from)
			sc := approval(r)
			sc.To = tc.to
			commits := 0
			err := f.changes.ApplyWith(context.Background(), sc, func(ctx context.Context, ch returns.Change) error {
				commits++
				return nil
			})
			if returns.ErrorCode(err) != returns.ECONFLICT {
				t.Fatalf("ApplyWith() = %v, want ECONFLICT", err)
			}
			if commits != 0 || f.emails.count() != 0 || r.Status != tc.from {
				t.Errorf("%d commits, %d emails rendered, status %s; want none, none, %s", commits, f.emails.count(), r.Status, tc.from)
			}
			f.checkNothingWritten(t, r.ID)
		})
	}
}

// TestChangesCommitErrorLeavesNothingToSend: when the commit fails (the return
// moved meanwhile), the error comes back as it was, the mail worker is not
// woken for emails that were not stored, and Shopify's order is not written.
func TestChangesCommitErrorLeavesNothingToSend(t *testing.T) {
	f := newChangesFixture(t)
	r := f.addReturn(returns.StatusRequested)
	moved := returns.Errorf(returns.ECONFLICT, "The return changed meanwhile.")
	err := f.changes.ApplyWith(context.Background(), approval(r), func(ctx context.Context, ch returns.Change) error { return moved })
	if !errors.Is(err, moved) {
		t.Fatalf("ApplyWith() = %v, want the committer's error", err)
	}
	if r.Status != returns.StatusRequested {
		t.Errorf("r.Status = %s, want requested", r.Status)
	}
	if f.emails.count() != 1 {
		t.Errorf("%d emails rendered, want the one the change carried", f.emails.count())
	}
	f.checkNothingWritten(t, r.ID)
	if f.shop.orderCalls != 0 {
		t.Errorf("Shopify's order was read %d times for a write-back that was not stored", f.shop.orderCalls)
	}
}

// TestChangesWithoutNoteOrEmail: a change with neither note nor tags writes
// nothing to Shopify, and one without an email kind renders and wakes nothing.
func TestChangesWithoutNoteOrEmail(t *testing.T) {
	f := newChangesFixture(t)
	r := f.addReturn(returns.StatusRequested)
	var got returns.Change
	err := f.changes.ApplyWith(context.Background(), returns.StatusChange{
		Return: r, To: returns.StatusCancelled, Actor: returns.ActorCustomer, Event: returns.EventCancelled,
	}, func(ctx context.Context, ch returns.Change) error {
		got = ch
		return f.store.Transition(ctx, ch)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Writeback != nil || got.Emails != nil {
		t.Errorf("change carries write-back %+v and emails %+v, want neither", got.Writeback, got.Emails)
	}
	if f.emails.count() != 0 || f.woken.Load() != 0 || len(f.orderUpdates()) != 0 || f.shop.orderCalls != 0 {
		t.Errorf("%d emails rendered, %d wake-ups, %d order updates, %d order reads; want none",
			f.emails.count(), f.woken.Load(), len(f.orderUpdates()), f.shop.orderCalls)
	}
	if got := f.store.eventTypes(r.ID); !slices.Equal(got, []returns.EventType{returns.EventCancelled}) {
		t.Errorf("timeline %v", got)
	}
}

// TestChangesRenderFailureCommitsNothing: an email that cannot be rendered
// fails the change before it is committed.
func TestChangesRenderFailureCommitsNothing(t *testing.T) {
	f := newChangesFixture(t)
	r := f.addReturn(returns.StatusRequested)
	f.emails.RenderEmailFn = func(d returns.EmailData) (returns.Email, error) {
		return returns.Email{}, errors.New("template: approved: missing key")
	}
	err := f.changes.Apply(context.Background(), approval(r))
	if err == nil || !strings.Contains(err.Error(), "render approved email") {
		t.Fatalf("Apply() = %v, want the render error with its kind", err)
	}
	if returns.ErrorCode(err) != returns.EINTERNAL {
		t.Errorf("ErrorCode() = %s, want internal", returns.ErrorCode(err))
	}
	if got := f.status(t, r.ID); got != returns.StatusRequested {
		t.Errorf("status %s, want requested", got)
	}
	f.checkNothingWritten(t, r.ID)
}

// failingCreator is a ReturnCreator whose CreateReturnFn answers.
type failingCreator struct {
	CreateReturnFn func(r *returns.Return) (bool, error)
}

func (c failingCreator) CreateReturn(ctx context.Context, r *returns.Return, maxUnits map[string]int, ev returns.Event, wb *returns.Writeback, emails []returns.OutboxMessage) (bool, error) {
	return c.CreateReturnFn(r)
}

// TestChangesCreate: a new return that the store refuses, or that the same
// form had made already, wakes no mail worker and writes nothing to Shopify.
func TestChangesCreate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		created bool
		err     error
	}{
		{"StoreFails", false, errors.New("database is locked")},
		{"SameFormAgain", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newChangesFixture(t)
			changes := returns.NewChanges(failingCreator{func(*returns.Return) (bool, error) { return tc.created, tc.err }}, f.store, f.mailer, f.writer, f.clock, f.log)
			r := f.addReturn(returns.StatusRequested)
			created, err := changes.Create(context.Background(), r, map[string]int{"L1": 2})
			if created || (tc.err == nil) != (err == nil) {
				t.Fatalf("Create() = %v, %v", created, err)
			}
			if tc.err != nil && (!errors.Is(err, tc.err) || !strings.HasPrefix(err.Error(), "store return: ")) {
				t.Errorf("error %q, want the store's, wrapped", err)
			}
			if f.woken.Load() != 0 || len(f.orderUpdates()) != 0 || f.shop.orderCalls != 0 {
				t.Errorf("%d wake-ups, %d order updates, %d order reads; want none", f.woken.Load(), len(f.orderUpdates()), f.shop.orderCalls)
			}
		})
	}

	t.Run("RenderFails", func(t *testing.T) {
		f := newChangesFixture(t)
		f.emails.RenderEmailFn = func(d returns.EmailData) (returns.Email, error) { return returns.Email{}, io.ErrUnexpectedEOF }
		calls := 0
		changes := returns.NewChanges(failingCreator{func(*returns.Return) (bool, error) { calls++; return true, nil }}, f.store, f.mailer, f.writer, f.clock, f.log)
		r := f.addReturn(returns.StatusRequested)
		if _, err := changes.Create(context.Background(), r, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("Create() = %v, want the render error", err)
		}
		if calls != 0 {
			t.Errorf("CreateReturn called %d times after the email failed", calls)
		}
	})
}
