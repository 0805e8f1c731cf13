package returns

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Change is a status change of a return with its timeline event, the write-back
// to the Shopify order and the emails, which a store commits together.
type Change struct {
	ReturnID  int64
	From, To  Status
	Event     Event
	Writeback *Writeback      // nil when the order is not written to
	Emails    []OutboxMessage // queued in the same transaction, ReturnID filled
}

// Writeback is a line to append to a Shopify order's note and tags to add to it.
type Writeback struct {
	ID       int64
	ReturnID int64
	OrderID  string
	NoteLine string
	Tags     []string
	Attempts int
	NextAt   time.Time
	// ReturnCode and Status name the return and the status it reached, for
	// the order's history metafield; the store fills them in.
	ReturnCode string
	Status     Status
}

// StatusChange is one move of a return as a use case asks for it: who moves it
// where, what the timeline says, what is written on the Shopify order and which
// email the customer gets.
type StatusChange struct {
	Return  *Return
	To      Status
	Actor   Actor
	Event   EventType
	Message string // the event's message as people wrote it (a reason)
	// Msg is the event's message when the system writes it (an amount, what
	// happened in Shopify admin), for staff's pages to translate; it takes
	// the place of Message.
	Msg Message
	// Note is the line added to the Shopify order's note and Tags the tags
	// added to it; with neither, the order is not written to.
	Note string
	Tags []string
	// Email is the customer's email about the change ("" for none), and
	// EmailData what it says beyond the return (a reason, a shipment, an
	// amount).
	Email     EmailKind
	EmailData EmailData
}

// ReturnCreator stores new returns.
type ReturnCreator interface {
	// CreateReturn stores a new return with its items, photos, first timeline
	// event, the write-back to Shopify and its emails, in one transaction, and
	// fills r.ID, wb.ID and wb.ReturnID, and the emails' ReturnID. It checks
	// again, inside the transaction, that the units held by active returns of
	// the order plus r's stay within maxUnits (line item id → fulfilled units)
	// and answers ECONFLICT otherwise. When the order has a return with
	// r.SubmissionKey already, it stores nothing, loads that return into r and
	// reports created == false.
	CreateReturn(ctx context.Context, r *Return, maxUnits map[string]int, ev Event, wb *Writeback, emails []OutboxMessage) (created bool, err error)
}

// Transitioner commits status changes.
type Transitioner interface {
	// Transition moves a return from c.From to c.To and appends c.Event, in one
	// transaction, with compare-and-set on the status: when the return is not
	// in c.From any more, nothing changes and it answers ECONFLICT. c.Writeback
	// (its ID and ReturnID filled) and c.Emails are queued in the same
	// transaction.
	Transition(ctx context.Context, c Change) error
}

// Changes is the one path every status change of a return takes, whoever makes
// it (a customer, staff, the refund reconciler): the move is checked against the
// state machine, the event, the write-back to the Shopify order and the emails
// are committed with it in one transaction, and then the mail worker is woken
// and the write-back is tried at once (a failure leaves it to the retry loop).
type Changes struct {
	returns  ReturnCreator
	timeline Transitioner
	mailer   *Mailer
	writer   *OrderWriter
	now      func() time.Time
	log      *slog.Logger
	// wake is called after every committed change: the pass that keeps
	// Shopify's returns in step has work.
	wake func()
}

// NewChanges returns the path of status changes over the stores that commit
// them, the mailer that renders their emails and the writer that writes them
// back to Shopify.
func NewChanges(returns ReturnCreator, timeline Transitioner, mailer *Mailer, writer *OrderWriter, now func() time.Time, log *slog.Logger) *Changes {
	return &Changes{returns: returns, timeline: timeline, mailer: mailer, writer: writer, now: now, log: log}
}

// Apply makes sc and sets sc.Return.Status to sc.To. A move the state machine
// does not allow, or a return that moved meanwhile, answers ECONFLICT and
// changes nothing.
func (c *Changes) Apply(ctx context.Context, sc StatusChange) error {
	return c.ApplyWith(ctx, sc, c.timeline.Transition)
}

// ApplyWith is Apply with the change committed by commit, together with what
// the caller stores with it (a shipment, a refund's outcome).
func (c *Changes) ApplyWith(ctx context.Context, sc StatusChange, commit func(context.Context, Change) error) error {
	ch, err := c.prepare(ctx, sc)
	if err != nil {
		return err
	}
	if err := commit(ctx, ch); err != nil {
		return err
	}
	sc.Return.Status = sc.To
	c.committed(ctx, ch.Writeback, ch.Emails)
	return nil
}

// Create stores r, a new return, as requested by its customer, with its first
// event, its write-back and its emails, as CreateReturn does. created is false
// when the form that made r had made a return already; r is then that one.
func (c *Changes) Create(ctx context.Context, r *Return, maxUnits map[string]int) (created bool, err error) {
	return c.CreateWith(ctx, r, maxUnits, EmailData{})
}

// CreateWith is Create with what its emails say beyond the return: the
// auto-approval rule that matched it, for staff.
func (c *Changes) CreateWith(ctx context.Context, r *Return, maxUnits map[string]int, d EmailData) (created bool, err error) {
	ev := Event{At: c.now(), Actor: ActorCustomer, Type: EventRequested, Status: StatusRequested}
	wb := &Writeback{OrderID: r.OrderID, NoteLine: requestNoteLine(r), Tags: []string{"returns:requested"}, NextAt: c.now()}
	email := EmailRequestReceived
	if r.Withdrawal != nil {
		// A statement of withdrawal takes effect by being made: the
		// return is approved with it, and the customer's email is its
		// acknowledgement. One staff registered acts as staff.
		r.Status = StatusApproved
		ev.Type, ev.Status = EventWithdrawn, StatusApproved
		if r.Withdrawal.RegisteredBy != 0 {
			ev.Actor = StaffActor(r.Withdrawal.RegisteredBy)
		}
		wb.Tags = []string{"returns:withdrawn"}
		email = EmailWithdrawalAcknowledged
	}
	emails, err := c.mailer.ForChange(ctx, email, r, d)
	if err != nil {
		return false, err
	}
	created, err = c.returns.CreateReturn(ctx, r, maxUnits, ev, wb, emails)
	if err != nil {
		return false, fmt.Errorf("store return: %w", err)
	}
	if created {
		c.committed(ctx, wb, emails)
	}
	return created, nil
}

// prepare checks sc against the state machine and makes its Change.
func (c *Changes) prepare(ctx context.Context, sc StatusChange) (Change, error) {
	r := sc.Return
	if err := r.Status.Transition(sc.To); err != nil {
		return Change{}, err
	}
	at := c.now()
	ch := Change{
		ReturnID: r.ID, From: r.Status, To: sc.To,
		Event: sc.event(r.ID, at),
	}
	if sc.Note != "" || len(sc.Tags) > 0 {
		ch.Writeback = &Writeback{OrderID: r.OrderID, NoteLine: sc.Note, Tags: sc.Tags, NextAt: at}
	}
	emails, err := c.mailer.ForChange(ctx, sc.Email, r, sc.EmailData)
	if err != nil {
		return Change{}, err
	}
	ch.Emails = emails
	return ch, nil
}

// event is the timeline's entry of sc on return returnID at at.
func (sc StatusChange) event(returnID int64, at time.Time) Event {
	ev := Event{ReturnID: returnID, At: at, Actor: sc.Actor, Type: sc.Event, Status: sc.To, Message: sc.Message}
	if sc.Msg.Format != "" {
		ev = ev.says(sc.Msg)
	}
	return ev
}

// WakeOnChange has fn called after every committed change.
func (c *Changes) WakeOnChange(fn func()) { c.wake = fn }

// committed wakes the mail worker for the emails a change queued and writes the
// change back to its Shopify order now.
func (c *Changes) committed(ctx context.Context, wb *Writeback, emails []OutboxMessage) {
	if c.wake != nil {
		c.wake()
	}
	c.mailer.Queued(emails)
	if wb != nil {
		c.writer.WriteNow(ctx, *wb)
	}
}
