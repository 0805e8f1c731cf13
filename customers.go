package returns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Shop is the store's system of record for orders (Shopify's Admin API).
type Shop interface {
	// FindOrder returns the order whose number and email both match exactly
	// (number without "#", email compared case-insensitively), or an ENOTFOUND error.
	FindOrder(ctx context.Context, number, email string) (*Order, error)
	// Order returns the order with the given id, or an ENOTFOUND error.
	Order(ctx context.Context, id string) (*Order, error)
}

// ReturnReader reads returns, with their items, photos (without their data),
// shipments and refunded sums.
type ReturnReader interface {
	// ReturnByCode returns the return with a public code, or ENOTFOUND.
	ReturnByCode(ctx context.Context, code string) (*Return, error)
	// ReturnByID is ReturnByCode by the return's ID.
	ReturnByID(ctx context.Context, id int64) (*Return, error)
	// ReturnBySubmission returns the return of an order made from the form with
	// a submission key, or ENOTFOUND.
	ReturnBySubmission(ctx context.Context, orderID, key string) (*Return, error)
	// ReturnsByOrder returns the returns of an order, newest first.
	ReturnsByOrder(ctx context.Context, orderID string) ([]Return, error)
}

// ReturnAccess reads what only an access token, a proven order or staff may open.
type ReturnAccess interface {
	// ReturnByToken returns the return an access token opens, given the
	// token's HashToken, or ENOTFOUND.
	ReturnByToken(ctx context.Context, tokenHash string) (*Return, error)
	// ReturnVersion returns the order and the Version of the return with a
	// public code, or ENOTFOUND.
	ReturnVersion(ctx context.Context, code string) (orderID string, version int64, err error)
	// Photo returns one photo of a return with its data, or ENOTFOUND.
	Photo(ctx context.Context, returnID, photoID int64) (*Photo, error)
}

// TimelineReader reads returns' timelines.
type TimelineReader interface {
	// Events returns a return's timeline, oldest first.
	Events(ctx context.Context, returnID int64) ([]Event, error)
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

// CustomerService carries out what customers do: find their order, return items
// of it, follow and cancel their returns.
type CustomerService struct {
	shop     Shop
	returns  ReturnReader
	access   ReturnAccess
	timeline TimelineReader
	photos   PhotoProcessor
	settings SettingsReader
	changes  *Changes
	orders   *OrderCache
	// shopReturns is nil when the portal does not drive Shopify's returns.
	shopReturns *ShopReturnService
	// parcels keeps the parcels customers send their items back in;
	// wakeShopReturns, when set, has Shopify's return follow at once.
	parcels         ParcelStore
	wakeShopReturns func()
	// autoApproval approves new returns its rules match; nil for none.
	autoApproval *AutoApprovalService
	// zone tells the store's time zone, which withdrawal periods are
	// counted in; nil counts them in UTC.
	zone StoreZone
	now  func() time.Time
	log  *slog.Logger
}

// CustomerDeps are what a CustomerService uses.
type CustomerDeps struct {
	Shop     Shop
	Returns  ReturnReader
	Access   ReturnAccess
	Timeline TimelineReader
	Photos   PhotoProcessor
	Settings SettingsReader
	Changes  *Changes
	// Orders keeps the orders a lookup read, for the pages right after it.
	Orders *OrderCache
	// ShopReturns, when the portal drives Shopify's returns, says what
	// Shopify still takes back of an order, checked at each submission.
	ShopReturns *ShopReturnService
	// Parcels keeps the parcels customers send their items back in;
	// WakeShopReturns (optional) has Shopify's return follow at once.
	Parcels         ParcelStore
	WakeShopReturns func()
	// AutoApproval (optional) approves new returns its rules match.
	AutoApproval *AutoApprovalService
	// Zone (optional) tells the store's time zone, which withdrawal periods
	// are counted in.
	Zone StoreZone
	Now  func() time.Time
	Log  *slog.Logger
}

// NewCustomerService returns a CustomerService.
func NewCustomerService(d CustomerDeps) *CustomerService {
	return &CustomerService{
		shop: d.Shop, returns: d.Returns, access: d.Access, timeline: d.Timeline, photos: d.Photos,
		settings: d.Settings, changes: d.Changes, orders: d.Orders, shopReturns: d.ShopReturns,
		parcels: d.Parcels, wakeShopReturns: d.WakeShopReturns, autoApproval: d.AutoApproval, zone: d.Zone, now: d.Now, log: d.Log,
	}
}

// ErrLookupFailed is the one answer to every failed lookup, so that a wrong
// email, an unknown order and a malformed number cannot be told apart. The pages
// show its message for a bad signed link too.
var ErrLookupFailed = Errorf(ENOTFOUND, "We could not find an order with that number and email address.")

// LookupOrder finds the order a customer means by its number and email.
func (s *CustomerService) LookupOrder(ctx context.Context, number, email string) (*Order, error) {
	number, email = NormalizeOrderNumber(number), NormalizeEmail(email)
	if number == "" || email == "" {
		return nil, ErrLookupFailed
	}
	o, err := s.shop.FindOrder(ctx, number, email)
	if ErrorCode(err) == ENOTFOUND || (err == nil && o == nil) {
		// A refusal by Shopify behind the miss (an email it hides) fails
		// every lookup alike: the customer sees the one failure, the log
		// says why, without the address.
		var denied *ShopDenied
		if errors.As(err, &denied) {
			s.log.WarnContext(ctx, "order lookup failed because Shopify denied the portal; the checklist at /admin/shopify says what to fix",
				"order", number, "cause", denied.Cause, "detail", denied.Detail)
		}
		return nil, ErrLookupFailed
	}
	if err != nil {
		return nil, fmt.Errorf("look up order: %w", err)
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
func (s *CustomerService) CustomerOrder(ctx context.Context, orderID string) (*CustomerOrder, error) {
	o := s.orders.get(orderID, s.now())
	if o == nil {
		var err error
		if o, err = s.shop.Order(ctx, orderID); err != nil {
			return nil, fmt.Errorf("read order: %w", err)
		}
		s.orders.put(o, s.now())
	}
	return s.customerOrder(ctx, o)
}

func (s *CustomerService) customerOrder(ctx context.Context, o *Order) (*CustomerOrder, error) {
	settings, err := s.settings.Settings(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := s.returns.ReturnsByOrder(ctx, o.ID)
	if err != nil {
		return nil, fmt.Errorf("read returns of order: %w", err)
	}
	return &CustomerOrder{
		Order:    o,
		Lines:    Eligibility(o, settings.Policy(), HeldUnits(rs), s.now()),
		Returns:  rs,
		Settings: settings,
	}, nil
}

// ReturnRequest is what a customer submits to start a return.
type ReturnRequest struct {
	// SubmissionKey is made when the form is shown; submitting the same form twice
	// (double click, back button, refresh) gives the same return.
	SubmissionKey string
	Kind          Kind
	Reason        Reason // for KindDissatisfied
	// Description is what is wrong with a damaged item; OtherReason a
	// dissatisfied customer's own reason (with ReasonOther).
	Description string
	OtherReason string
	Resolution  Resolution
	Quantities  map[string]int // line item id → units to return; chosen lines only
	Photos      []PhotoUpload  // raw uploads, checked by the PhotoProcessor
	Locale      string
}

// Limits on what a customer may send.
const (
	MaxNoteRunes = 2000
	MaxPhotos    = 5
)

// SubmitReturn checks a customer's request against the order read fresh from
// Shopify, stores the return and writes it back to the Shopify order. A failed
// write-back does not fail the submission: it is queued and retried.
func (s *CustomerService) SubmitReturn(ctx context.Context, orderID string, req ReturnRequest) (*Return, error) {
	note, err := req.validate()
	if err != nil {
		return nil, err
	}
	// The same form sent again gives the return it made, before anything is
	// checked against the order (whose units that return now holds).
	r, err := s.returns.ReturnBySubmission(ctx, orderID, req.SubmissionKey)
	if err == nil {
		return r, nil
	}
	if ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("find earlier submission: %w", err)
	}
	o, err := s.shop.Order(ctx, orderID)
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
		Note:          note,
		Status:        StatusRequested,
		Currency:      o.Currency,
		CreatedAt:     s.now(),
		UpdatedAt:     s.now(),
	}
	choosable := make([]choosableLine, len(co.Lines))
	for i, le := range co.Lines {
		choosable[i] = choosableLine{Line: le.Line, Units: le.Returnable}
	}
	fields := map[string]Message{}
	var maxUnits map[string]int
	r.Items, maxUnits = chooseItems(o, choosable, req.Quantities, Msg("This item cannot be returned."), fields)
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	if err := s.shopReturns.checkReturnable(ctx, r, co.Returns); err != nil {
		return nil, err
	}
	if len(req.Photos) > 0 {
		r.Photos, err = s.photos.Process(ctx, req.Photos)
		if ErrorCode(err) == EINVALID {
			return nil, Invalid(map[string]Message{FieldPhotos: ErrorMessage(err)})
		}
		if err != nil {
			return nil, fmt.Errorf("process photos: %w", err)
		}
	}

	// The rule is found before the return is stored, so that the staff
	// notice stored with it can name it; the approval follows the return's
	// own creation, once: a form sent again finds its return above.
	rule := s.autoApproval.match(ctx, r, o)
	var d EmailData
	if rule != nil {
		d.AutoApprovalRule = rule.Name
	}
	created, err := s.changes.CreateWith(ctx, r, maxUnits, d)
	if err != nil {
		return nil, err
	}
	if created {
		s.log.Info("return requested", "code", r.Code, "order", o.Name, "items", len(r.Items), "photos", len(r.Photos))
		s.autoApproval.approve(ctx, r, rule)
	}
	return r, nil
}

// validate checks what the request says by itself, settles what its kind
// implies, and returns the customer's words for the return's note.
func (req *ReturnRequest) validate() (note string, err error) {
	req.Description, req.OtherReason = CleanText(req.Description), CleanText(req.OtherReason)
	fields := map[string]Message{}
	if len(req.SubmissionKey) < 16 || len(req.SubmissionKey) > 64 {
		fields[FieldForm] = Msg("This form has expired. Please open it again.")
	}
	if len(req.Quantities) == 0 {
		fields[FieldItems] = Msg("Choose at least one item to return.")
	}
	if len(req.Quantities) > 250 {
		fields[FieldItems] = Msg("Too many items.")
	}
	switch req.Kind {
	case KindDamaged:
		req.Reason, note = ReasonDamaged, req.Description
		if msg := checkText(note, MaxNoteRunes); msg != nil {
			fields[FieldDescription] = *msg
		} else if note == "" {
			fields[FieldDescription] = Msg("Tell us what is wrong with the item.")
		}
		if req.Resolution != ResolutionRefund && req.Resolution != ResolutionReplacement {
			fields[FieldResolution] = Msg("Choose a replacement or a refund.")
		}
		if len(req.Photos) > MaxPhotos {
			fields[FieldPhotos] = Msg("Send at most %d photos.", MaxPhotos)
		}
	case KindDissatisfied:
		req.Resolution = ResolutionRefund
		req.Photos = nil
		valid := false
		for _, r := range DissatisfiedReasons {
			valid = valid || req.Reason == r
		}
		if !valid {
			fields[FieldReason] = Msg("Choose a reason.")
		}
		if req.Reason == ReasonOther {
			note = req.OtherReason
			if msg := checkText(note, MaxNoteRunes); msg != nil {
				fields[FieldOtherReason] = *msg
			} else if note == "" {
				fields[FieldOtherReason] = Msg("Tell us the reason.")
			}
		}
	default:
		fields[FieldKind] = Msg("Choose what happened.")
	}
	if req.Locale != "lv" {
		req.Locale = "en"
	}
	return note, Invalid(fields)
}

// CustomerReturn returns a return of the order a customer proved, with its
// timeline. A return of another order answers ENOTFOUND, as an unknown one does.
func (s *CustomerService) CustomerReturn(ctx context.Context, orderID, code string) (*Return, []Event, error) {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return nil, nil, err
	}
	evs, err := s.timeline.Events(ctx, r.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("read timeline: %w", err)
	}
	return r, evs, nil
}

// CustomerReturnVersion returns the Version of a return of the order a customer
// proved, or ENOTFOUND as CustomerReturn does: one cheap read, so that a page
// rendered from the return can be served again while the version holds.
func (s *CustomerService) CustomerReturnVersion(ctx context.Context, orderID, code string) (int64, error) {
	if orderID == "" || !ValidReturnCode(code) {
		return 0, ErrNoReturn
	}
	owner, version, err := s.access.ReturnVersion(ctx, code)
	if ErrorCode(err) == ENOTFOUND || (err == nil && owner != orderID) {
		return 0, ErrNoReturn
	}
	if err != nil {
		return 0, fmt.Errorf("read return version: %w", err)
	}
	return version, nil
}

// ErrNoReturn is the one answer for a return that does not exist or that the
// caller may not see: the same for both, so that it is no oracle.
var ErrNoReturn = Errorf(ENOTFOUND, "We could not find that return.")

func (s *CustomerService) ownedReturn(ctx context.Context, orderID, code string) (*Return, error) {
	if orderID == "" || !ValidReturnCode(code) {
		return nil, ErrNoReturn
	}
	r, err := s.returns.ReturnByCode(ctx, code)
	if ErrorCode(err) == ENOTFOUND || (err == nil && r.OrderID != orderID) {
		return nil, ErrNoReturn
	}
	if err != nil {
		return nil, fmt.Errorf("read return: %w", err)
	}
	return r, nil
}

// ReturnByToken returns the return an access token from a link in an email
// opens, or ENOTFOUND.
func (s *CustomerService) ReturnByToken(ctx context.Context, token string) (*Return, error) {
	if len(token) != 32 {
		return nil, ErrNoReturn
	}
	r, err := s.access.ReturnByToken(ctx, HashToken(token))
	if ErrorCode(err) == ENOTFOUND {
		return nil, ErrNoReturn
	}
	return r, err
}

// ReturnPhoto returns a photo of a return of the order a customer proved.
func (s *CustomerService) ReturnPhoto(ctx context.Context, orderID, code string, photoID int64) (*Photo, error) {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return nil, err
	}
	p, err := s.access.Photo(ctx, r.ID, photoID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, ErrNoReturn
	}
	return p, err
}

// CancelReturn cancels a customer's return while it is still requested.
func (s *CustomerService) CancelReturn(ctx context.Context, orderID, code string) error {
	r, err := s.ownedReturn(ctx, orderID, code)
	if err != nil {
		return err
	}
	err = s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusCancelled, Actor: ActorCustomer, Event: EventCancelled,
		Note: fmt.Sprintf("Return %s cancelled by the customer", r.Code), Tags: []string{"returns:cancelled"},
		Email: EmailCancelled,
	})
	if err != nil {
		return err
	}
	s.orders.drop(r.OrderID)
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
	switch r.Kind {
	case KindDissatisfied:
		what = "not satisfied (" + reasonText[r.Reason] + ")"
	case KindWithdrawal:
		return fmt.Sprintf("Withdrawal %s from the contract: %s — statutory right of withdrawal, refund", r.Code, items)
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

// choosableLine is an order's line as a form offers it: Units of it may be
// chosen (returned, or withdrawn from); 0 when none may.
type choosableLine struct {
	Line  LineItem
	Units int
}

// chooseItems turns the quantities a customer chose (line item id → units)
// into a return's items, and the units each line can hold at most (what was
// fulfilled), for the store's check made in the transaction. A line none of
// which may be chosen gets notChoosable, a quantity out of range or a line
// not on o its own message, in fields.
func chooseItems(o *Order, lines []choosableLine, quantities map[string]int, notChoosable Message, fields map[string]Message) ([]Item, map[string]int) {
	var items []Item
	maxUnits := map[string]int{}
	for _, cl := range lines {
		q, chosen := quantities[cl.Line.ID]
		if !chosen {
			continue
		}
		switch {
		case cl.Units == 0:
			fields[FieldQuantity(cl.Line.ID)] = notChoosable
		case q < 1 || q > cl.Units:
			fields[FieldQuantity(cl.Line.ID)] = Msg("Choose between 1 and %d.", cl.Units)
		default:
			items = append(items, Item{LineItemID: cl.Line.ID, Title: cl.Line.Title, VariantTitle: cl.Line.VariantTitle, Quantity: q, UnitPrice: cl.Line.UnitPrice})
			maxUnits[cl.Line.ID] = min(cl.Line.Fulfilled, cl.Line.Quantity)
		}
	}
	for id := range quantities {
		if o.Line(id) == nil {
			fields[FieldItems] = Msg("One of the chosen items is not on this order.")
		}
	}
	return items, maxUnits
}
