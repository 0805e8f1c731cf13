package returns

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// ReturnStore keeps returns, their items, photos and timelines.
type ReturnStore interface {
	// CreateReturn stores a new return with its items, photos, first timeline event
	// and the write-back to Shopify, in one transaction. It fills r.ID. It checks
	// again, inside the transaction, that the units held by active returns of the
	// order plus r's units stay within maxUnits (line item id → fulfilled units) and
	// answers ECONFLICT otherwise. It fills wb.ID and wb.ReturnID, and queues
	// emails (their ReturnID filled). When a return with r.SubmissionKey exists
	// already,
	// it stores nothing, loads that return into r and reports created == false.
	CreateReturn(ctx context.Context, r *Return, maxUnits map[string]int, ev Event, wb *Writeback, emails []OutboxMessage) (created bool, err error)
	// ReturnByCode returns the return with a public code, with items, photos
	// (without their data), shipments and the refunded sum, or ENOTFOUND.
	ReturnByCode(ctx context.Context, code string) (*Return, error)
	// ReturnByID is ReturnByCode by the return's ID.
	ReturnByID(ctx context.Context, id int64) (*Return, error)
	// ReturnBySubmission returns the return of an order made from the form with a
	// submission key, or ENOTFOUND.
	ReturnBySubmission(ctx context.Context, orderID, key string) (*Return, error)
	// ReturnsByOrder returns the returns of an order, newest first, with items.
	ReturnsByOrder(ctx context.Context, orderID string) ([]Return, error)
	// ReturnVersion returns the order and the Version of the return with a
	// public code, or ENOTFOUND.
	ReturnVersion(ctx context.Context, code string) (orderID string, version int64, err error)
}

// ReturnAccess reads what only an access token or a proven order may open.
type ReturnAccess interface {
	// ReturnByToken returns the return an access token opens, given the
	// token's HashToken, or ENOTFOUND.
	ReturnByToken(ctx context.Context, tokenHash string) (*Return, error)
	// Photo returns one photo of a return with its data, or ENOTFOUND.
	Photo(ctx context.Context, returnID, photoID int64) (*Photo, error)
}

// TimelineStore changes a return's status and keeps its timeline.
type TimelineStore interface {
	// Transition moves a return from c.From to c.To and appends c.Event, in one
	// transaction, with compare-and-set on the status: when the return is not in
	// c.From any more, nothing changes and it answers ECONFLICT. c.Writeback (its
	// ID and ReturnID filled) and c.Emails are queued in the same transaction.
	Transition(ctx context.Context, c Change) error
	// Events returns a return's timeline, oldest first.
	Events(ctx context.Context, returnID int64) ([]Event, error)
	// AddEvent appends an event that changes no status (e.g. a staff note).
	AddEvent(ctx context.Context, ev Event) error
}

// WritebackStore keeps the queue of changes still to be written to Shopify orders.
type WritebackStore interface {
	// DueWritebacks returns up to limit pending write-backs due at now, oldest first.
	DueWritebacks(ctx context.Context, now time.Time, limit int) ([]Writeback, error)
	// WritebackDone marks a write-back done and appends ev to its return's timeline.
	WritebackDone(ctx context.Context, id int64, ev Event) error
	// WritebackFailed records a failed attempt and when to try next; a non-nil ev
	// is appended to the return's timeline.
	WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *Event) error
}

// PhotoProcessor checks uploaded images and re-encodes them, dropping metadata.
type PhotoProcessor interface {
	// Process returns the photos of one request re-encoded, in order, or an
	// EINVALID error that says why one was refused. It takes them together so
	// that it can bound the memory of all requests' photos; it may wait for
	// memory to decode in, until ctx ends.
	Process(ctx context.Context, uploads []PhotoUpload) ([]Photo, error)
}

// PhotoUpload is a file as a customer uploaded it. The HTTP layer keeps uploads
// in temporary files rather than in memory, so they are read in place: with
// ReadAt, Size bytes long (an *os.File in an *io.SectionReader, or a
// *bytes.Reader in tests).
type PhotoUpload interface {
	io.ReaderAt
	Size() int64
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
}

// Service carries out the portal's use cases over the adapters.
type Service struct {
	Returns       ReturnStore
	Access        ReturnAccess
	Timeline      TimelineStore
	Writebacks    WritebackStore
	SettingsStore SettingsStore
	Shop          Shop
	Photos        PhotoProcessor

	// The backoffice's dependencies.
	StaffStore StaffStore
	Sessions   StaffSessionStore
	Passwords  PasswordHasher
	Queue      QueueStore
	Shipments  ShipmentStore
	Refunds    RefundStore
	Refunder   Refunder

	// AccessLinks keeps the one-time links emailed to orders' addresses.
	AccessLinks AccessLinkStore

	// Emails renders the emails queued in the outbox; nil queues none.
	Emails      EmailRenderer
	OutboxStore OutboxStore
	// BaseURL is the portal's public address, for links in emails.
	BaseURL string
	// OutboxQueued, when set, is called after a change that queued emails has
	// committed, to wake the mail worker.
	OutboxQueued func()
	Now          func() time.Time
	Logger       *slog.Logger

	orders     orderCache
	settings   atomic.Pointer[Settings] // the settings as last read; nil after a save
	settingsMu sync.Mutex               // a read of the settings from the store, or a save
	writing    keyedLocks               // one write-back at a time per order, so no note line is lost
	refunding  keyedLocks               // one reconciliation at a time per refund
	dummy      dummyHash                // checked when a sign-in names no account
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Settings returns the store's settings for the portal. They are read once and
// kept: every status page shows them, and only UpdateSettings changes them (the
// portal is one process; the admin command does not touch settings).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	if st := s.settings.Load(); st != nil {
		return *st, nil
	}
	// Under the lock a read cannot interleave with a save, so it never keeps
	// settings older than the saved ones.
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	if st := s.settings.Load(); st != nil {
		return *st, nil
	}
	st, err := s.SettingsStore.Settings(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("read settings: %w", err)
	}
	s.settings.Store(&st)
	return st, nil
}

// errLookup is the one answer to every failed lookup, so that a wrong email, an
// unknown order and a malformed number cannot be told apart.
var errLookup = Errorf(ENOTFOUND, "We could not find an order with that number and email address.")

// LookupOrder finds the order a customer means by its number and email.
func (s *Service) LookupOrder(ctx context.Context, number, email string) (*Order, error) {
	number, email = NormalizeOrderNumber(number), NormalizeEmail(email)
	if number == "" || email == "" {
		return nil, errLookup
	}
	o, err := s.Shop.FindOrder(ctx, number, email)
	if ErrorCode(err) == ENOTFOUND {
		return nil, errLookup
	}
	if err != nil {
		return nil, fmt.Errorf("look up order: %w", err)
	}
	if o == nil {
		return nil, errLookup
	}
	s.orders.put(o, s.now())
	return o, nil
}

// CustomerOrder is what a customer sees of their order: each line and whether it
// can be returned, and the returns made so far.
type CustomerOrder struct {
	Order    *Order
	Lines    []LineEligibility
	Returns  []Return
	Settings Settings
}

// CustomerOrder returns the order a customer proved, with eligibility per line.
// The order comes from a short-lived cache filled by LookupOrder, so that opening
// the order page right after the lookup does not ask Shopify again.
func (s *Service) CustomerOrder(ctx context.Context, orderID string) (*CustomerOrder, error) {
	o := s.orders.get(orderID, s.now())
	if o == nil {
		var err error
		if o, err = s.Shop.Order(ctx, orderID); err != nil {
			return nil, fmt.Errorf("read order: %w", err)
		}
		s.orders.put(o, s.now())
	}
	return s.customerOrder(ctx, o)
}

func (s *Service) customerOrder(ctx context.Context, o *Order) (*CustomerOrder, error) {
	settings, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := s.Returns.ReturnsByOrder(ctx, o.ID)
	if err != nil {
		return nil, fmt.Errorf("read returns of order: %w", err)
	}
	return &CustomerOrder{
		Order:    o,
		Lines:    Eligibility(o, settings.Policy(), heldUnits(rs), s.now()),
		Returns:  rs,
		Settings: settings,
	}, nil
}

// heldUnits sums, per line item, the units in active returns.
func heldUnits(rs []Return) map[string]int {
	held := make(map[string]int)
	for _, r := range rs {
		if !r.Status.Active() {
			continue
		}
		for _, it := range r.Items {
			held[it.LineItemID] += it.Quantity
		}
	}
	return held
}

// ReturnRequest is what a customer submits to start a return.
type ReturnRequest struct {
	// SubmissionKey is made when the form is shown; submitting the same form twice
	// (double click, back button, refresh) gives the same return.
	SubmissionKey string
	Kind          Kind
	Reason        Reason // for KindDissatisfied
	Note          string // what is wrong (damaged) or the "other" reason's text
	Resolution    Resolution
	Quantities    map[string]int // line item id → units to return; chosen lines only
	Photos        []PhotoUpload  // raw uploads, checked by the PhotoProcessor
	Locale        string
}

// Limits on what a customer may send.
const (
	MaxNoteRunes = 2000
	MaxPhotos    = 5
)

// SubmitReturn checks a customer's request against the order read fresh from
// Shopify, stores the return and writes it back to the Shopify order. A failed
// write-back does not fail the submission: it is queued and retried.
func (s *Service) SubmitReturn(ctx context.Context, orderID string, req ReturnRequest) (*Return, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	// The same form sent again gives the return it made, before anything is
	// checked against the order (whose units that return now holds).
	r, err := s.Returns.ReturnBySubmission(ctx, orderID, req.SubmissionKey)
	if err == nil {
		return r, nil
	}
	if ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("find earlier submission: %w", err)
	}
	o, err := s.Shop.Order(ctx, orderID)
	if err != nil {
		return nil, fmt.Errorf("read order: %w", err)
	}
	s.orders.put(o, s.now())
	co, err := s.customerOrder(ctx, o)
	if err != nil {
		return nil, err
	}

	r = &Return{
		SubmissionKey: req.SubmissionKey,
		Code:          NewReturnCode(),
		OrderID:       o.ID,
		OrderName:     o.Name,
		Email:         orderEmail(o),
		Locale:        req.Locale,
		Kind:          req.Kind,
		Reason:        req.Reason,
		Resolution:    req.Resolution,
		Note:          req.Note,
		Status:        StatusRequested,
		Currency:      o.Currency,
		CreatedAt:     s.now(),
		UpdatedAt:     s.now(),
	}
	fields := map[string]Message{}
	maxUnits := map[string]int{}
	for _, le := range co.Lines {
		q, chosen := req.Quantities[le.Line.ID]
		if !chosen {
			continue
		}
		switch {
		case le.Returnable == 0:
			fields["qty-"+le.Line.ID] = Msg("This item cannot be returned.")
		case q < 1 || q > le.Returnable:
			fields["qty-"+le.Line.ID] = Msg("Choose between 1 and %d.", le.Returnable)
		default:
			r.Items = append(r.Items, Item{LineItemID: le.Line.ID, Title: le.Line.Title, Quantity: q, UnitPrice: le.Line.UnitPrice})
			maxUnits[le.Line.ID] = min(le.Line.Fulfilled, le.Line.Quantity)
		}
	}
	for id := range req.Quantities {
		if o.Line(id) == nil {
			fields["items"] = Msg("One of the chosen items is not on this order.")
		}
	}
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	if len(req.Photos) > 0 {
		r.Photos, err = s.Photos.Process(ctx, req.Photos)
		if ErrorCode(err) == EINVALID {
			return nil, Invalid(map[string]Message{"photos": ErrorMessage(err)})
		}
		if err != nil {
			return nil, fmt.Errorf("process photos: %w", err)
		}
	}

	ev := Event{At: s.now(), Actor: ActorCustomer, Type: EventRequested, Status: StatusRequested}
	wb := &Writeback{OrderID: o.ID, NoteLine: requestNoteLine(r), Tags: []string{"returns:requested"}, NextAt: s.now()}
	emails, err := s.emailsFor(ctx, EmailRequestReceived, r, EmailData{})
	if err != nil {
		return nil, err
	}
	created, err := s.Returns.CreateReturn(ctx, r, maxUnits, ev, wb, emails)
	if err != nil {
		return nil, fmt.Errorf("store return: %w", err)
	}
	if created {
		s.outboxQueued(emails)
		s.logger().Info("return requested", "code", r.Code, "order", o.Name, "items", len(r.Items), "photos", len(r.Photos))
		// The order was read a moment ago, so its note is fresh: write back now and
		// leave the queued row to the retry loop only when this fails.
		s.writeBackNow(ctx, *wb)
	}
	return r, nil
}

func (req *ReturnRequest) validate() error {
	req.Note = CleanText(req.Note)
	fields := map[string]Message{}
	if len(req.SubmissionKey) < 16 || len(req.SubmissionKey) > 64 {
		fields["form"] = Msg("This form has expired. Please open it again.")
	}
	if len(req.Quantities) == 0 {
		fields["items"] = Msg("Choose at least one item to return.")
	}
	if len(req.Quantities) > 250 {
		fields["items"] = Msg("Too many items.")
	}
	if msg := checkText(req.Note, MaxNoteRunes); msg != nil {
		fields["note"] = *msg
	}
	switch req.Kind {
	case KindDamaged:
		req.Reason = ReasonDamaged
		if req.Note == "" {
			fields["note"] = Msg("Tell us what is wrong with the item.")
		}
		if req.Resolution != ResolutionRefund && req.Resolution != ResolutionReplacement {
			fields["resolution"] = Msg("Choose a replacement or a refund.")
		}
		if len(req.Photos) > MaxPhotos {
			fields["photos"] = Msg("Send at most %d photos.", MaxPhotos)
		}
	case KindDissatisfied:
		req.Resolution = ResolutionRefund
		req.Photos = nil
		valid := false
		for _, r := range DissatisfiedReasons {
			valid = valid || req.Reason == r
		}
		if !valid {
			fields["reason"] = Msg("Choose a reason.")
		}
		if req.Reason == ReasonOther && req.Note == "" {
			fields["note"] = Msg("Tell us the reason.")
		}
	default:
		fields["kind"] = Msg("Choose what happened.")
	}
	if req.Locale != "lv" {
		req.Locale = "en"
	}
	return Invalid(fields)
}

// CustomerReturn returns a return of the order a customer proved, with its
// timeline. A return of another order answers ENOTFOUND, as an unknown one does.
func (s *Service) CustomerReturn(ctx context.Context, orderID, code string) (*Return, []Event, error) {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return nil, nil, err
	}
	evs, err := s.Timeline.Events(ctx, r.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("read timeline: %w", err)
	}
	return r, evs, nil
}

// CustomerReturnVersion returns the Version of a return of the order a customer
// proved, or ENOTFOUND as CustomerReturn does: one cheap read, so that a page
// rendered from the return can be served again while the version holds.
func (s *Service) CustomerReturnVersion(ctx context.Context, orderID, code string) (int64, error) {
	if orderID == "" || !ValidReturnCode(code) {
		return 0, errNoReturn
	}
	owner, version, err := s.Returns.ReturnVersion(ctx, code)
	if ErrorCode(err) == ENOTFOUND || (err == nil && owner != orderID) {
		return 0, errNoReturn
	}
	if err != nil {
		return 0, fmt.Errorf("read return version: %w", err)
	}
	return version, nil
}

var errNoReturn = Errorf(ENOTFOUND, "We could not find that return.")

func (s *Service) ownedReturn(ctx context.Context, orderID, code string) (*Return, error) {
	if orderID == "" || !ValidReturnCode(code) {
		return nil, errNoReturn
	}
	r, err := s.Returns.ReturnByCode(ctx, code)
	if ErrorCode(err) == ENOTFOUND || (err == nil && r.OrderID != orderID) {
		return nil, errNoReturn
	}
	if err != nil {
		return nil, fmt.Errorf("read return: %w", err)
	}
	return r, nil
}

// ReturnByToken returns the return an access token from a link in an email
// opens, or ENOTFOUND.
func (s *Service) ReturnByToken(ctx context.Context, token string) (*Return, error) {
	if len(token) != 32 {
		return nil, errNoReturn
	}
	r, err := s.Access.ReturnByToken(ctx, HashToken(token))
	if ErrorCode(err) == ENOTFOUND {
		return nil, errNoReturn
	}
	return r, err
}

// ReturnPhoto returns a photo of a return of the order a customer proved.
func (s *Service) ReturnPhoto(ctx context.Context, orderID, code string, photoID int64) (*Photo, error) {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return nil, err
	}
	p, err := s.Access.Photo(ctx, r.ID, photoID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, errNoReturn
	}
	return p, err
}

// CancelReturn cancels a customer's return while it is still requested.
func (s *Service) CancelReturn(ctx context.Context, orderID, code string) error {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return err
	}
	if err := r.Status.Transition(StatusCancelled); err != nil {
		return err
	}
	ev := Event{At: s.now(), Actor: ActorCustomer, Type: EventCancelled, Status: StatusCancelled}
	wb := &Writeback{OrderID: r.OrderID, NoteLine: fmt.Sprintf("Return %s cancelled by the customer", r.Code), Tags: []string{"returns:cancelled"}, NextAt: s.now()}
	emails, err := s.emailsFor(ctx, EmailCancelled, r, EmailData{})
	if err != nil {
		return err
	}
	if err := s.Timeline.Transition(ctx, Change{ReturnID: r.ID, From: r.Status, To: StatusCancelled, Event: ev, Writeback: wb, Emails: emails}); err != nil {
		return err
	}
	s.outboxQueued(emails)
	s.orders.drop(r.OrderID)
	s.writeBackNow(ctx, *wb)
	return nil
}

// requestNoteLine is the line a new return adds to the Shopify order's note, e.g.
// "Return R-7KQ9X2MD requested: 1 × Linen tea towel — damaged, wants a replacement".
func requestNoteLine(r *Return) string {
	var items string
	for i, it := range r.Items {
		if i > 0 {
			items += ", "
		}
		items += fmt.Sprintf("%d × %s", it.Quantity, it.Title)
	}
	what := "damaged"
	if r.Kind == KindDissatisfied {
		what = "not satisfied (" + reasonText[r.Reason] + ")"
	}
	return fmt.Sprintf("Return %s requested: %s — %s, wants a %s", r.Code, items, what, r.Resolution)
}

var reasonText = map[Reason]string{
	ReasonDoesntFit:      "doesn't fit",
	ReasonNotAsDescribed: "not as described",
	ReasonWrongItem:      "wrong item",
	ReasonNoLongerNeeded: "no longer needed",
	ReasonOther:          "other",
}

// orderEmail is the order's email in lower case, as lookups and searches compare it.
func orderEmail(o *Order) string {
	if e := NormalizeEmail(o.Email); e != "" {
		return e
	}
	return o.Email
}
