package returns_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeQueue is a QueueStore whose QueueFn and CountByStatusFn answer; it
// records the filters it was asked for.
type fakeQueue struct {
	QueueFn         func(f returns.QueueFilter) ([]returns.Return, error)
	CountByStatusFn func() (map[returns.Status]int, error)
	filters         []returns.QueueFilter
}

func (q *fakeQueue) Queue(ctx context.Context, f returns.QueueFilter) ([]returns.Return, error) {
	q.filters = append(q.filters, f)
	if q.QueueFn != nil {
		return q.QueueFn(f)
	}
	return nil, nil
}

func (q *fakeQueue) CountByStatus(ctx context.Context) (map[returns.Status]int, error) {
	if q.CountByStatusFn != nil {
		return q.CountByStatusFn()
	}
	return map[returns.Status]int{}, nil
}

// memShipments is a ShipmentStore over a memStore: it commits the change it
// is given with the shipment, or neither, and records both.
type memShipments struct {
	store     *memStore
	shipments []returns.Shipment
	changes   []returns.Change
}

func (s *memShipments) ShipReplacement(ctx context.Context, sh *returns.Shipment, change returns.Change) error {
	s.changes = append(s.changes, change)
	if err := s.store.Transition(ctx, change); err != nil {
		return err
	}
	sh.ID = int64(len(s.shipments) + 1)
	s.shipments = append(s.shipments, *sh)
	return nil
}

// staffListFunc is a StaffLister.
type staffListFunc func() ([]returns.Staff, error)

func (f staffListFunc) ListStaff(ctx context.Context) ([]returns.Staff, error) { return f() }

// photoAccess is the memStore's ReturnAccess with Photo answered by PhotoFn.
type photoAccess struct {
	*memStore
	PhotoFn func(returnID, photoID int64) (*returns.Photo, error)
}

func (a *photoAccess) Photo(ctx context.Context, returnID, photoID int64) (*returns.Photo, error) {
	return a.PhotoFn(returnID, photoID)
}

// backofficeFixture is a BackofficeService over the changes fixture and the
// fakes of its other stores.
type backofficeFixture struct {
	*changesFixture
	*returns.BackofficeService
	queue     *fakeQueue
	shipments *memShipments
	ledger    *memLedger
	refunder  *fakeRefunder
	access    *photoAccess
	staff     []returns.Staff
	staffErr  error
}

func newBackofficeFixture(t *testing.T) *backofficeFixture {
	t.Helper()
	cf := newChangesFixture(t)
	f := &backofficeFixture{
		changesFixture: cf, queue: &fakeQueue{}, shipments: &memShipments{store: cf.store}, ledger: &memLedger{store: cf.store},
		refunder: &fakeRefunder{}, access: &photoAccess{memStore: cf.store},
		staff: []returns.Staff{{ID: 7, Email: "kim@example.com"}, {ID: 8, Email: "lee@example.com"}},
	}
	f.BackofficeService = returns.NewBackofficeService(returns.BackofficeDeps{
		Returns: cf.store, Access: f.access, Timeline: cf.store, Notes: cf.store, Queue: f.queue,
		Shipments: f.shipments, Staff: staffListFunc(func() ([]returns.Staff, error) { return f.staff, f.staffErr }),
		Ledger: f.ledger, Shop: cf.shop, Suggester: f.refunder, Changes: cf.changes, Now: cf.clock, Log: cf.log,
	})
	return f
}

// dissatisfied makes a return one of a customer who found the item does not
// fit.
func dissatisfied(r *returns.Return) {
	r.Kind, r.Reason, r.Resolution = returns.KindDissatisfied, returns.ReasonDoesntFit, returns.ResolutionRefund
}

// TestBackofficeMoves: each staff action moves the return through the one path
// of status changes: its event by the staff member, its line and tag on the
// Shopify order, and the customer's email.
func TestBackofficeMoves(t *testing.T) {
	tests := []struct {
		name    string
		from    returns.Status
		edit    func(*returns.Return)
		act     func(f *backofficeFixture, code string) error
		to      returns.Status
		event   returns.EventType
		message string // the event's
		note    string // the order's note line, after the return code
		tag     string
		email   returns.EmailKind
	}{
		{name: "Approve", from: returns.StatusRequested,
			act: func(f *backofficeFixture, code string) error {
				return f.Approve(context.Background(), 7, code, "  Send it back\r\nin its box, please. \n")
			},
			to: returns.StatusApproved, event: returns.EventApproved, message: "Send it back\nin its box, please.",
			note: ": approved — item damaged", tag: "returns:approved", email: returns.EmailApproved},
		{name: "ApproveWithoutAWord", from: returns.StatusRequested, edit: dissatisfied,
			act: func(f *backofficeFixture, code string) error { return f.Approve(context.Background(), 7, code, "") },
			to:  returns.StatusApproved, event: returns.EventApproved,
			note: ": approved — item returned (doesn't fit)", tag: "returns:approved", email: returns.EmailApproved},
		{name: "Decline", from: returns.StatusRequested,
			act: func(f *backofficeFixture, code string) error {
				return f.Decline(context.Background(), 7, code, " Bought more than 30 days ago.\r\nSorry. ")
			},
			to: returns.StatusDeclined, event: returns.EventDeclined, message: "Bought more than 30 days ago.\nSorry.",
			note: ": declined — item damaged. Reason: Bought more than 30 days ago. Sorry.", tag: "returns:declined", email: returns.EmailDeclined},
		{name: "MarkReceived", from: returns.StatusApproved,
			act: func(f *backofficeFixture, code string) error { return f.MarkReceived(context.Background(), 7, code) },
			to:  returns.StatusItemReceived, event: returns.EventItemReceived,
			note: ": item received 2025-03-20", tag: "returns:received", email: returns.EmailItemReceived},
		{name: "CloseRefunded", from: returns.StatusRefunded,
			act: func(f *backofficeFixture, code string) error { return f.Close(context.Background(), 7, code) },
			to:  returns.StatusClosed, event: returns.EventClosed,
			note: ": closed", tag: "returns:closed", email: returns.EmailClosed},
		{name: "CloseReplaced", from: returns.StatusReplacementShipped,
			act: func(f *backofficeFixture, code string) error { return f.Close(context.Background(), 7, code) },
			to:  returns.StatusClosed, event: returns.EventClosed,
			note: ": closed", tag: "returns:closed", email: returns.EmailClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newBackofficeFixture(t)
			var edits []func(*returns.Return)
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			r := f.addReturn(tc.from, edits...)
			if err := tc.act(f, " "+strings.ToLower(r.Code)+" "); err != nil {
				t.Fatalf("%s = %v", tc.name, err)
			}
			if got := f.status(t, r.ID); got != tc.to {
				t.Errorf("status %s, want %s", got, tc.to)
			}
			evs, _ := f.store.Events(context.Background(), r.ID)
			want := returns.Event{ReturnID: r.ID, At: serviceNow, Actor: "staff:7", Type: tc.event, Status: tc.to, Message: tc.message}
			if len(evs) != 2 || !reflect.DeepEqual(evs[0], want) || evs[1].Type != returns.EventShopifyUpdated {
				t.Errorf("timeline %+v, want %+v and the write-back", evs, want)
			}
			wbs := f.storedWritebacks()
			if len(wbs) != 1 || wbs[0].NoteLine != r.Code+tc.note || !slices.Equal(wbs[0].Tags, []string{tc.tag}) || !wbs[0].Done {
				t.Errorf("write-backs %+v, want %q with tag %s, done", wbs, r.Code+tc.note, tc.tag)
			}
			if u := f.orderUpdates(); len(u) != 1 || !strings.HasSuffix(u[0].Note, "\n"+r.Code+tc.note) || !slices.Equal(u[0].Tags, []string{tc.tag}) {
				t.Errorf("order updates %+v", u)
			}
			ems := f.storedEmails()
			if len(ems) != 1 || ems[0].Kind != tc.email || ems[0].To != r.Email || ems[0].DedupeKey != r.Code+":"+string(tc.email)+":customer" {
				t.Fatalf("emails %+v, want the customer's %s", ems, tc.email)
			}
			if d := f.emails.rendered[0]; d.Message != tc.message && (tc.email == returns.EmailApproved || tc.email == returns.EmailDeclined) {
				t.Errorf("email says %q, want %q", d.Message, tc.message)
			}
			if n := f.woken.Load(); n != 1 {
				t.Errorf("mail worker woken %d times, want once", n)
			}
		})
	}
}

// TestBackofficeDeclineNoteIsOneShortLine: the reason goes on the order's note
// as one line of at most 200 characters (not bytes); the timeline keeps it
// whole.
func TestBackofficeDeclineNoteIsOneShortLine(t *testing.T) {
	for _, tc := range []struct{ name, reason, line string }{
		{"Long", "Worn:\n\n  " + strings.Repeat("ā", 250), "Worn: " + strings.Repeat("ā", 194) + "…"},
		{"ShortInCharactersLongInBytes", "Worn:\n" + strings.Repeat("ā", 194), "Worn: " + strings.Repeat("ā", 194)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBackofficeFixture(t)
			r := f.addReturn(returns.StatusRequested)
			if err := f.Decline(context.Background(), 7, r.Code, tc.reason); err != nil {
				t.Fatal(err)
			}
			want := r.Code + ": declined — item damaged. Reason: " + tc.line
			if wbs := f.storedWritebacks(); len(wbs) != 1 || wbs[0].NoteLine != want {
				t.Errorf("note line %q,\nwant %q", wbs[0].NoteLine, want)
			}
			if evs, _ := f.store.Events(context.Background(), r.ID); evs[0].Message != tc.reason {
				t.Errorf("event message %q, want the reason whole", evs[0].Message)
			}
		})
	}
}

// backofficeAction is a staff action on the return with a code.
type backofficeAction struct {
	name string
	act  func(f *backofficeFixture, code string) error
}

var (
	approveAction = backofficeAction{"Approve", func(f *backofficeFixture, code string) error {
		return f.Approve(context.Background(), 7, code, "")
	}}
	declineAction = backofficeAction{"Decline", func(f *backofficeFixture, code string) error {
		return f.Decline(context.Background(), 7, code, "Worn.")
	}}
	receiveAction = backofficeAction{"MarkReceived", func(f *backofficeFixture, code string) error {
		return f.MarkReceived(context.Background(), 7, code)
	}}
	closeAction = backofficeAction{"Close", func(f *backofficeFixture, code string) error {
		return f.Close(context.Background(), 7, code)
	}}
	shipAction = backofficeAction{"ShipReplacement", func(f *backofficeFixture, code string) error {
		sh, err := f.ShipReplacement(context.Background(), 7, code, returns.ShipmentInput{Carrier: "dpd", Number: "05212345678901"})
		if sh != nil && err != nil {
			return fmt.Errorf("shipment %+v with error %w", sh, err)
		}
		return err
	}}
	noteAction = backofficeAction{"AddNote", func(f *backofficeFixture, code string) error {
		return f.AddNote(context.Background(), 7, code, "Called the customer.")
	}}
)

// TestBackofficeIllegalMoves: an action the return's status does not allow
// answers ECONFLICT and changes nothing.
func TestBackofficeIllegalMoves(t *testing.T) {
	for _, tc := range []struct {
		action backofficeAction
		from   []returns.Status
	}{
		{approveAction, []returns.Status{returns.StatusApproved, returns.StatusDeclined, returns.StatusCancelled, returns.StatusItemReceived, returns.StatusRefunded, returns.StatusClosed}},
		{declineAction, []returns.Status{returns.StatusApproved, returns.StatusDeclined, returns.StatusCancelled, returns.StatusClosed}},
		{receiveAction, []returns.Status{returns.StatusRequested, returns.StatusItemReceived, returns.StatusReplacementShipped, returns.StatusRefunded}},
		{closeAction, []returns.Status{returns.StatusRequested, returns.StatusApproved, returns.StatusItemReceived, returns.StatusDeclined, returns.StatusClosed}},
		{shipAction, []returns.Status{returns.StatusRequested, returns.StatusItemReceived, returns.StatusRefunded, returns.StatusReplacementShipped, returns.StatusDeclined}},
	} {
		for _, from := range tc.from {
			t.Run(tc.action.name+"While"+string(from), func(t *testing.T) {
				f := newBackofficeFixture(t)
				r := f.addReturn(from)
				err := tc.action.act(f, r.Code)
				if returns.ErrorCode(err) != returns.ECONFLICT {
					t.Fatalf("%s = %v, want ECONFLICT", tc.action.name, err)
				}
				if got := f.status(t, r.ID); got != from {
					t.Errorf("status %s, want %s", got, from)
				}
				f.checkNothingWritten(t, r.ID)
				if len(f.shipments.changes) != 0 {
					t.Errorf("the shipment store was asked to commit %+v", f.shipments.changes)
				}
			})
		}
	}
}

// TestBackofficeUnknownReturn: every action on a code that names no return
// answers as a return nobody may see does.
func TestBackofficeUnknownReturn(t *testing.T) {
	for _, a := range []backofficeAction{approveAction, declineAction, receiveAction, closeAction, shipAction, noteAction} {
		for _, code := range []string{"R-22222222", "R-1' OR 1=1", ""} {
			t.Run(a.name+"/"+code, func(t *testing.T) {
				f := newBackofficeFixture(t)
				r := f.addReturn(returns.StatusRequested)
				err := a.act(f, code)
				if !errors.Is(err, returns.ErrNoReturn) {
					t.Fatalf("%s = %v, want ErrNoReturn", a.name, err)
				}
				f.checkNothingWritten(t, r.ID)
			})
		}
	}
}

// TestBackofficeValidation: what staff typed is checked, field by field,
// before the return is read or anything written.
func TestBackofficeValidation(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("ā", returns.MaxStaffTextRunes+1)
	tests := []struct {
		name  string
		act   func(f *backofficeFixture) error
		field string
		msg   string
	}{
		{"ApproveMessageTooLong", func(f *backofficeFixture) error { return f.Approve(ctx, 7, testReturnCode, long) },
			returns.FieldMessage, "Please use at most 2000 characters."},
		{"ApproveMessageControlCharacters", func(f *backofficeFixture) error { return f.Approve(ctx, 7, testReturnCode, "OK\x07") },
			returns.FieldMessage, "The text contains control characters."},
		{"DeclineWithoutReason", func(f *backofficeFixture) error { return f.Decline(ctx, 7, testReturnCode, " \r\n\t ") },
			returns.FieldReason, "Give the customer a reason."},
		{"DeclineReasonTooLong", func(f *backofficeFixture) error { return f.Decline(ctx, 7, testReturnCode, long) },
			returns.FieldReason, "Please use at most 2000 characters."},
		{"DeclineReasonNotUTF8", func(f *backofficeFixture) error { return f.Decline(ctx, 7, testReturnCode, "Worn \xff") },
			returns.FieldReason, "The text contains characters we cannot read."},
		{"NoteEmpty", func(f *backofficeFixture) error { return f.AddNote(ctx, 7, testReturnCode, "  ") },
			returns.FieldNote, "Write the note first."},
		{"NoteWithBidiOverride", func(f *backofficeFixture) error { return f.AddNote(ctx, 7, testReturnCode, "paid \u202e") },
			returns.FieldNote, "The text contains invisible formatting characters."},
		{"NoteTooLong", func(f *backofficeFixture) error { return f.AddNote(ctx, 7, testReturnCode, long) },
			returns.FieldNote, "Please use at most 2000 characters."},
		{"ShipWithoutCarrier", func(f *backofficeFixture) error {
			_, err := f.ShipReplacement(ctx, 7, testReturnCode, returns.ShipmentInput{Number: "0521"})
			return err
		}, returns.FieldCarrier, "Choose a carrier."},
		{"ShipNumberWithSpaces", func(f *backofficeFixture) error {
			_, err := f.ShipReplacement(ctx, 7, testReturnCode, returns.ShipmentInput{Carrier: "dpd", Number: "0521 2345"})
			return err
		}, returns.FieldNumber, "Enter the tracking number without spaces."},
		{"ShipOtherWithoutTrackingPage", func(f *backofficeFixture) error {
			_, err := f.ShipReplacement(ctx, 7, testReturnCode, returns.ShipmentInput{Carrier: returns.CarrierOther, CarrierName: "Venipak", Number: "V1", TrackingURL: "venipak.com/V1"})
			return err
		}, returns.FieldTrackingURL, "Enter the tracking page’s address, starting with https://."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newBackofficeFixture(t)
			r := f.addReturn(returns.StatusRequested)
			err := tc.act(f)
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			if got := returns.ErrorFields(err)[tc.field].String(); got != tc.msg {
				t.Errorf("field %s = %q, want %q (fields %v)", tc.field, got, tc.msg, returns.ErrorFields(err))
			}
			if got := f.status(t, r.ID); got != returns.StatusRequested {
				t.Errorf("status %s, want requested", got)
			}
			f.checkNothingWritten(t, r.ID)
		})
	}
}

// TestBackofficeAddNote: a note goes on the timeline only: no status, no
// email, nothing on the Shopify order.
func TestBackofficeAddNote(t *testing.T) {
	f := newBackofficeFixture(t)
	r := f.addReturn(returns.StatusApproved)
	if err := f.AddNote(context.Background(), 8, r.Code, "  Called the customer:\r\nparcel on its way. "); err != nil {
		t.Fatal(err)
	}
	evs, _ := f.store.Events(context.Background(), r.ID)
	want := returns.Event{ReturnID: r.ID, At: serviceNow, Actor: "staff:8", Type: returns.EventNote, Message: "Called the customer:\nparcel on its way."}
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Errorf("timeline %+v, want %+v", evs, want)
	}
	if got := f.status(t, r.ID); got != returns.StatusApproved {
		t.Errorf("status %s, want approved", got)
	}
	if len(f.storedEmails()) != 0 || len(f.storedWritebacks()) != 0 || f.woken.Load() != 0 || f.emails.count() != 0 {
		t.Errorf("a note queued emails or write-backs")
	}
}

// TestShipReplacement: the shipment, with its tracking link, is committed with
// the change to replacement_shipped, and the customer's email carries it.
func TestShipReplacement(t *testing.T) {
	for _, tc := range []struct {
		name               string
		in                 returns.ShipmentInput
		carrier, trackedAt string
	}{
		{"ListedCarrier", returns.ShipmentInput{Carrier: "dpd", Number: " 05212345678901 "}, "DPD", "https://tracking.dpd.de/status/en_US/parcel/05212345678901"},
		{"OtherCarrier", returns.ShipmentInput{Carrier: returns.CarrierOther, CarrierName: " Venipak ", Number: "05212345678901", TrackingURL: " https://venipak.com/tracking/05212345678901 "},
			"Venipak", "https://venipak.com/tracking/05212345678901"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBackofficeFixture(t)
			r := f.addReturn(returns.StatusApproved, func(r *returns.Return) { r.Resolution = returns.ResolutionReplacement })
			sh, err := f.ShipReplacement(context.Background(), 7, r.Code, tc.in)
			if err != nil {
				t.Fatalf("ShipReplacement() = %v", err)
			}
			want := returns.Shipment{ID: 1, ReturnID: r.ID, Carrier: tc.in.Carrier, CarrierName: tc.carrier, Number: "05212345678901", TrackingURL: tc.trackedAt, ShippedAt: serviceNow}
			if *sh != want {
				t.Errorf("shipment %+v,\nwant %+v", *sh, want)
			}
			if len(f.shipments.shipments) != 1 || f.shipments.shipments[0] != want || len(f.shipments.changes) != 1 {
				t.Fatalf("stored %+v with %d changes, want the shipment with one", f.shipments.shipments, len(f.shipments.changes))
			}
			ch := f.shipments.changes[0]
			line := r.Code + ": item damaged; replacement shipped 2025-03-20, " + tc.carrier + " 05212345678901"
			wantEvent := returns.Event{ReturnID: r.ID, At: serviceNow, Actor: "staff:7", Type: returns.EventReplacementShipped, Status: returns.StatusReplacementShipped, Message: tc.carrier + " 05212345678901"}
			if ch.From != returns.StatusApproved || ch.To != returns.StatusReplacementShipped || !reflect.DeepEqual(ch.Event, wantEvent) {
				t.Errorf("change %s→%s, event %+v; want approved→replacement_shipped, %+v", ch.From, ch.To, ch.Event, wantEvent)
			}
			if ch.Writeback == nil || ch.Writeback.NoteLine != line || !slices.Equal(ch.Writeback.Tags, []string{"returns:replacement-shipped"}) {
				t.Errorf("write-back %+v, want %q", ch.Writeback, line)
			}
			if len(ch.Emails) != 1 || ch.Emails[0].Kind != returns.EmailReplacementShipped {
				t.Errorf("emails %+v, want the customer's replacement_shipped", ch.Emails)
			}
			if d := f.emails.rendered[0]; d.Shipment == nil || *d.Shipment != want {
				t.Errorf("email's shipment %+v, want %+v", d.Shipment, want)
			}
			if got := f.status(t, r.ID); got != returns.StatusReplacementShipped {
				t.Errorf("status %s", got)
			}
			if u := f.orderUpdates(); len(u) != 1 || !strings.HasSuffix(u[0].Note, "\n"+line) {
				t.Errorf("order updates %+v", u)
			}
		})
	}
}

func TestReturnQueue(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, query, want string
	}{
		{"Empty", "  ", ""},
		{"ReturnCode", " R-7KQ9X2MD ", "r-7kq9x2md"}, // and Code, below
		{"PartOfACode", "7kq9", "7kq9"},
		{"Email", " Anna.Berzina@Example.LV ", "anna.berzina@example.lv"},
		{"PartOfAnEmail", "Berzina", "berzina"},
		{"OrderNumber", "1001", "1001"},
		{"OrderName", "# 1001 ", "#1001"},
		{"OrderNameWithPrefix", "EN1001-a", "en1001-a"},
		{"ProductName", " Linen Tea ", "linen tea"},
		{"NonASCIIKeepsItsCase", "Ābols", "Ābols"},
		{"TooLong", strings.Repeat("x", 300), strings.Repeat("x", 254)},
		{"TooLongCutAtACharacter", strings.Repeat("x", 253) + "ā", strings.Repeat("x", 253)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBackofficeFixture(t)
			if _, err := f.ReturnQueue(ctx, returns.QueueFilter{Query: tc.query, Before: 77, Limit: 1000}); err != nil {
				t.Fatal(err)
			}
			want := returns.QueueFilter{Query: tc.want, Before: 77, Limit: returns.QueuePageSize + 1}
			if tc.name == "ReturnCode" {
				want.Code = "R-7KQ9X2MD"
			}
			if len(f.queue.filters) != 1 || f.queue.filters[0] != want {
				t.Errorf("Queue(%+v), want %+v", f.queue.filters, want)
			}
		})
	}

	t.Run("Status", func(t *testing.T) {
		f := newBackofficeFixture(t)
		for _, s := range []returns.Status{returns.StatusApproved, "bogus", ""} {
			if _, err := f.ReturnQueue(ctx, returns.QueueFilter{Status: s}); err != nil {
				t.Fatal(err)
			}
		}
		var got []returns.Status
		for _, fl := range f.queue.filters {
			got = append(got, fl.Status)
		}
		if want := []returns.Status{returns.StatusApproved, "", ""}; !slices.Equal(got, want) {
			t.Errorf("statuses asked %q, want %q: an unknown status lists every status", got, want)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		for _, tc := range []struct {
			name       string
			found      int
			shown      int
			next       int64
			firstShown int64
		}{
			{"MorePages", returns.QueuePageSize + 1, returns.QueuePageSize, 1051, 1100},
			{"LastPage", returns.QueuePageSize, returns.QueuePageSize, 0, 1100},
			{"Nothing", 0, 0, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := newBackofficeFixture(t)
				counts := map[returns.Status]int{returns.StatusRequested: 3, returns.StatusClosed: 48}
				f.queue.CountByStatusFn = func() (map[returns.Status]int, error) { return counts, nil }
				f.queue.QueueFn = func(returns.QueueFilter) ([]returns.Return, error) {
					var rs []returns.Return
					for i := range tc.found {
						rs = append(rs, returns.Return{ID: 1100 - int64(i)})
					}
					return rs, nil
				}
				p, err := f.ReturnQueue(ctx, returns.QueueFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Returns) != tc.shown || p.Next != tc.next || (tc.shown > 0 && p.Returns[0].ID != tc.firstShown) {
					t.Errorf("page of %d from %v, next %d; want %d, next %d", len(p.Returns), p.Returns[:min(1, len(p.Returns))], p.Next, tc.shown, tc.next)
				}
				if p.Counts[returns.StatusClosed] != 48 || p.Counts[returns.StatusRequested] != 3 {
					t.Errorf("counts %v", p.Counts)
				}
			})
		}
	})

	t.Run("StoreErrors", func(t *testing.T) {
		down := errors.New("disk I/O error")
		f := newBackofficeFixture(t)
		f.queue.QueueFn = func(returns.QueueFilter) ([]returns.Return, error) { return nil, down }
		if _, err := f.ReturnQueue(ctx, returns.QueueFilter{}); !errors.Is(err, down) || !strings.HasPrefix(err.Error(), "read queue: ") {
			t.Errorf("ReturnQueue() = %v, want the queue's error wrapped", err)
		}
		f.queue.QueueFn = nil
		f.queue.CountByStatusFn = func() (map[returns.Status]int, error) { return nil, down }
		if _, err := f.ReturnQueue(ctx, returns.QueueFilter{}); !errors.Is(err, down) || !strings.HasPrefix(err.Error(), "count returns: ") {
			t.Errorf("ReturnQueue() = %v, want the count's error wrapped", err)
		}
	})
}

var refundKeyRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestStaffReturnView(t *testing.T) {
	ctx := context.Background()

	t.Run("Refundable", func(t *testing.T) {
		f := newBackofficeFixture(t)
		r := f.addReturn(returns.StatusItemReceived)
		f.store.AddEvent(ctx, returns.Event{ReturnID: r.ID, Type: returns.EventApproved, Actor: "staff:7"})
		refused := f.ledger.add(unsettled(r, otherKey, returns.RefundFailed, time.Hour))
		v, err := f.StaffReturnView(ctx, strings.ToLower(r.Code))
		if err != nil {
			t.Fatal(err)
		}
		if v.Return.ID != r.ID || len(v.Events) != 1 || len(v.Refunds) != 1 || v.Refunds[0].ID != refused.ID {
			t.Errorf("view of return %d with %d events and refunds %+v", v.Return.ID, len(v.Events), v.Refunds)
		}
		if v.Staff[7] != "kim@example.com" || v.Staff[8] != "lee@example.com" || len(v.Staff) != 2 {
			t.Errorf("staff %v", v.Staff)
		}
		if v.Order == nil || v.Order.ID != r.OrderID || v.OrderErr != nil {
			t.Errorf("order %v, %v", v.Order, v.OrderErr)
		}
		if v.Suggested != eur(2400) || f.refunder.suggested != 1 {
			t.Errorf("suggested %v after %d suggestions, want 24.00 EUR from Shopify", v.Suggested, f.refunder.suggested)
		}
		// Each view carries a new refund key in the form refunds take.
		again, err := f.StaffReturnView(ctx, r.Code)
		if err != nil {
			t.Fatal(err)
		}
		if !refundKeyRe.MatchString(v.RefundKey) || !refundKeyRe.MatchString(again.RefundKey) || v.RefundKey == again.RefundKey {
			t.Errorf("refund keys %q and %q, want two different 32-hex-digit keys", v.RefundKey, again.RefundKey)
		}
	})

	for _, status := range []returns.Status{returns.StatusRequested, returns.StatusRefunded, returns.StatusReplacementShipped, returns.StatusClosed} {
		t.Run("NoSuggestionWhile"+string(status), func(t *testing.T) {
			f := newBackofficeFixture(t)
			r := f.addReturn(status)
			v, err := f.StaffReturnView(ctx, r.Code)
			if err != nil {
				t.Fatal(err)
			}
			if v.Suggested != (returns.Money{}) || f.refunder.suggested != 0 || v.Order == nil {
				t.Errorf("suggested %v after %d suggestions; want none asked for a return that cannot be refunded", v.Suggested, f.refunder.suggested)
			}
		})
	}

	t.Run("OrderUnreadableIsKept", func(t *testing.T) {
		f := newBackofficeFixture(t)
		r := f.addReturn(returns.StatusApproved, func(r *returns.Return) { r.OrderID = "gid://shopify/Order/9999" })
		v, err := f.StaffReturnView(ctx, r.Code)
		if err != nil {
			t.Fatalf("StaffReturnView() = %v; the return shows without its order", err)
		}
		if v.Order != nil || returns.ErrorCode(v.OrderErr) != returns.ENOTFOUND || f.refunder.suggested != 0 || v.Suggested != (returns.Money{}) {
			t.Errorf("order %v, error %v, %d suggestions", v.Order, v.OrderErr, f.refunder.suggested)
		}
	})

	t.Run("SuggestionFailureIsLogged", func(t *testing.T) {
		f := newBackofficeFixture(t)
		r := f.addReturn(returns.StatusApproved)
		f.refunder.SuggestRefundFn = func(string, []returns.Item) (returns.Money, error) { return eur(1), errors.New("graphql: throttled") }
		v, err := f.StaffReturnView(ctx, r.Code)
		if err != nil {
			t.Fatal(err)
		}
		if v.Suggested != (returns.Money{Currency: "EUR"}) {
			t.Errorf("suggested %+v, want zero in the return's currency", v.Suggested)
		}
		if log := f.logs.String(); !strings.Contains(log, "suggested refund") || !strings.Contains(log, "graphql: throttled") {
			t.Errorf("log %q", log)
		}
	})

	t.Run("UnknownReturn", func(t *testing.T) {
		f := newBackofficeFixture(t)
		if _, err := f.StaffReturnView(ctx, "R-22222222"); !errors.Is(err, returns.ErrNoReturn) {
			t.Errorf("StaffReturnView() = %v, want ErrNoReturn", err)
		}
	})

	t.Run("StaffUnreadable", func(t *testing.T) {
		f := newBackofficeFixture(t)
		r := f.addReturn(returns.StatusApproved)
		f.staffErr = errors.New("disk I/O error")
		if _, err := f.StaffReturnView(ctx, r.Code); !errors.Is(err, f.staffErr) || !strings.HasPrefix(err.Error(), "read staff: ") {
			t.Errorf("StaffReturnView() = %v, want the error wrapped", err)
		}
	})
}

func TestStaffPhoto(t *testing.T) {
	ctx := context.Background()
	f := newBackofficeFixture(t)
	r := f.addReturn(returns.StatusRequested)
	var asked [][2]int64
	f.access.PhotoFn = func(returnID, photoID int64) (*returns.Photo, error) {
		asked = append(asked, [2]int64{returnID, photoID})
		return &returns.Photo{ID: photoID, ContentType: "image/jpeg"}, nil
	}
	if p, err := f.StaffPhoto(ctx, r.Code, 3); err != nil || p.ID != 3 {
		t.Errorf("StaffPhoto() = %+v, %v", p, err)
	}
	if _, err := f.StaffPhoto(ctx, "R-22222222", 3); !errors.Is(err, returns.ErrNoReturn) {
		t.Errorf("StaffPhoto() of an unknown return = %v, want ErrNoReturn", err)
	}
	if want := [][2]int64{{r.ID, 3}}; !slices.Equal(asked, want) {
		t.Errorf("photos asked %v, want %v", asked, want)
	}
}
