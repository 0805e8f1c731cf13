package returns

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// QueueFilter selects returns for the backoffice queue.
type QueueFilter struct {
	Status Status // "" for every status
	// Query is found in part of a return code, an order number, a
	// customer's email or an item's title or variant, ignoring ASCII case
	// (ReturnQueue lower-cases it).
	Query string
	// Code is set by ReturnQueue when Query is a whole return code: no other
	// code contains it, so the store reads its index instead of searching.
	Code string
	// Before is the keyset cursor: only returns with an ID below it (0: from the
	// newest).
	Before int64
	Limit  int
	// Withdrawals keeps statutory withdrawals only.
	Withdrawals bool
	// ByDeadline lists withdrawals (only) by their refund deadline, soonest
	// first, and without a Status only those still to be refunded
	// (OpenStatuses). DueAfter ("YYYY-MM-DD") and AfterID are its keyset
	// cursor: only withdrawals after that deadline and return ID.
	ByDeadline bool
	DueAfter   string
	AfterID    int64
}

// QueueStore lists returns for staff.
type QueueStore interface {
	// Queue returns the returns matching f, newest (highest ID) first, with items.
	Queue(ctx context.Context, f QueueFilter) ([]Return, error)
	// CountByStatus counts returns per status.
	CountByStatus(ctx context.Context) (map[Status]int, error)
}

// ShipmentStore records replacements sent.
type ShipmentStore interface {
	// ShipReplacement stores sh and applies change (to replacement_shipped) in
	// one transaction; it fills sh.ID.
	ShipReplacement(ctx context.Context, sh *Shipment, change Change) error
}

// NoteTaker appends events that change no status to returns' timelines.
type NoteTaker interface {
	// AddEvent appends an event that changes no status (e.g. a staff note).
	AddEvent(ctx context.Context, ev Event) error
}

// StaffLister lists staff accounts.
type StaffLister interface {
	// ListStaff returns every account, oldest first.
	ListStaff(ctx context.Context) ([]Staff, error)
}

// RefundLedger reads the refund ledger.
type RefundLedger interface {
	// RefundsByReturn returns a return's refunds, oldest first.
	RefundsByReturn(ctx context.Context, returnID int64) ([]Refund, error)
}

// RefundSuggester asks Shopify what refunding items would come to.
type RefundSuggester interface {
	// SuggestRefund returns Shopify's suggested refund for returning items.
	SuggestRefund(ctx context.Context, orderID string, items []Item) (Money, error)
	// SuggestTransactions returns how Shopify would refund items: split over
	// the order's payments, in the order it would use them, and how much it
	// would issue as store credit instead.
	SuggestTransactions(ctx context.Context, orderID string, items []Item) (RefundSuggestion, error)
}

// BackofficeService carries out staff's work on returns: the queue, a return's
// page, and the actions on it other than refunds.
type BackofficeService struct {
	returns   ReturnReader
	access    ReturnAccess
	timeline  TimelineReader
	notes     NoteTaker
	queue     QueueStore
	shipments ShipmentStore
	staff     StaffLister
	ledger    RefundLedger
	shop      Shop
	suggester RefundSuggester
	changes   *Changes
	zone      StoreZone
	contacts  OrderContacts
	identity  ShopIdentityStore
	settings  SettingsReader
	records   WithdrawalRecordStore
	store     StoreIdentitySource
	now       func() time.Time
	log       *slog.Logger
}

// BackofficeDeps are what a BackofficeService uses.
type BackofficeDeps struct {
	Returns   ReturnReader
	Access    ReturnAccess
	Timeline  TimelineReader
	Notes     NoteTaker
	Queue     QueueStore
	Shipments ShipmentStore
	Staff     StaffLister
	Ledger    RefundLedger
	Shop      Shop
	Suggester RefundSuggester
	Changes   *Changes
	// Zone tells the store's time zone, which the dates written to the
	// Shopify order are in; nil writes them in UTC.
	Zone StoreZone
	// Contacts reads the customer's name and shipping address, and Shop
	// identity the shop's myshopify domain for links to Shopify admin; nil
	// leaves them off the return page.
	Contacts OrderContacts
	Identity ShopIdentityStore
	// Settings tell what a withdrawal owes of the order's delivery (the
	// cheapest standard delivery); nil counts it with DefaultSettings.
	Settings SettingsReader
	// Records read a withdrawal's log and acknowledgement for its record,
	// and Store the store's name for it; without Records no withdrawal has
	// a record to export.
	Records WithdrawalRecordStore
	Store   StoreIdentitySource
	Now     func() time.Time
	Log     *slog.Logger
}

// OrderContact is the customer's name and shipping address of an order, as
// staff see them.
type OrderContact struct {
	Name    string
	Address []string // lines, e.g. "Tērbatas iela 14-3", "LV-1011 Rīga", "Latvia"
	// Hidden is set when Shopify shows no address: the app lacks the
	// protected customer data fields Name and Address, or nothing was
	// shipped.
	Hidden bool
}

// OrderContacts reads orders' names and shipping addresses.
type OrderContacts interface {
	OrderContact(ctx context.Context, orderID string) (OrderContact, error)
}

// AdminOrderURL is the order's page in Shopify admin, for a shop whose
// myshopify domain is domain; "" when either is not known.
func AdminOrderURL(domain, orderID string) string {
	handle, ok := strings.CutSuffix(domain, ".myshopify.com")
	id, isOrder := strings.CutPrefix(orderID, "gid://shopify/Order/")
	if !ok || handle == "" || !isOrder || id == "" {
		return ""
	}
	return "https://admin.shopify.com/store/" + handle + "/orders/" + id
}

// NewBackofficeService returns a BackofficeService.
func NewBackofficeService(d BackofficeDeps) *BackofficeService {
	return &BackofficeService{
		returns: d.Returns, access: d.Access, timeline: d.Timeline, notes: d.Notes, queue: d.Queue,
		shipments: d.Shipments, staff: d.Staff, ledger: d.Ledger, shop: d.Shop, suggester: d.Suggester,
		changes: d.Changes, zone: d.Zone, contacts: d.Contacts, identity: d.Identity, settings: d.Settings,
		records: d.Records, store: d.Store, now: d.Now, log: d.Log,
	}
}

// QueuePage is one page of the backoffice queue.
type QueuePage struct {
	Returns []Return
	Counts  map[Status]int
	// Next is the cursor of the next page, 0 when this is the last; by
	// deadline, NextDue is the deadline it starts after.
	Next    int64
	NextDue string
	// Clocks are the refund clocks of the page's withdrawals, by return ID,
	// counted in the store's zone now.
	Clocks map[int64]WithdrawalClock
}

// QueuePageSize is how many returns one page of the queue shows.
const QueuePageSize = 50

// ReturnQueue returns a page of the backoffice queue.
func (s *BackofficeService) ReturnQueue(ctx context.Context, f QueueFilter) (*QueuePage, error) {
	if f.Status != "" && !f.Status.Valid() {
		f.Status = ""
	}
	f.Query, f.Code = searchText(f.Query), ""
	if code := strings.ToUpper(f.Query); ValidReturnCode(code) {
		f.Code = code
	}
	f.Limit = QueuePageSize + 1
	if f.ByDeadline {
		f.Withdrawals, f.Before = true, 0
		if _, err := time.Parse(time.DateOnly, f.DueAfter); err != nil || f.AfterID <= 0 {
			f.DueAfter, f.AfterID = "", 0
		}
	} else {
		f.DueAfter, f.AfterID = "", 0
	}
	rs, err := s.queue.Queue(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	counts, err := s.queue.CountByStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("count returns: %w", err)
	}
	p := &QueuePage{Returns: rs, Counts: counts, Clocks: map[int64]WithdrawalClock{}}
	if len(rs) > QueuePageSize {
		p.Returns = rs[:QueuePageSize]
		last := p.Returns[QueuePageSize-1]
		p.Next = last.ID
		if f.ByDeadline && last.Withdrawal != nil {
			p.NextDue = last.Withdrawal.RefundDue.Format(time.DateOnly)
		}
	}
	zone := storeZone(ctx, s.zone)
	for i := range p.Returns {
		if c, ok := p.Returns[i].WithdrawalClockAt(s.now(), zone); ok {
			p.Clocks[p.Returns[i].ID] = c
		}
	}
	return p, nil
}

// searchText is what staff typed into the queue's search as the store looks
// for it: trimmed (after an order's "#" too), at most 254 bytes (cut at a character), lower-cased the
// way SQLite's lower() writes what it looks through (ASCII letters only, so
// that "Ā" typed finds "Ā" stored).
func searchText(q string) string {
	q = strings.TrimSpace(q)
	if rest, ok := strings.CutPrefix(q, "#"); ok {
		q = "#" + strings.TrimSpace(rest) // "# 1001" is order #1001
	}
	if len(q) > 254 {
		q = strings.ToValidUTF8(q[:254], "")
	}
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, q)
}

// StaffReturn is everything a staff member sees of one return.
type StaffReturn struct {
	Return  *Return
	Events  []Event
	Refunds []Refund
	Staff   map[int64]string // staff ids on the timeline → their emails
	// Order is the order read fresh from Shopify, nil when Shopify did not
	// answer (OrderErr says why).
	Order    *Order
	OrderErr error
	// Suggested is what the refund form offers: Shopify's suggested refund
	// for the returned items, what they are worth, less what was refunded of
	// them in Shopify admin already (Return.RefundOffer); zero when not known.
	Suggested Money
	// RefundKey is a new idempotency key for the refund form shown with this
	// view: submitting the form twice sends the same key.
	RefundKey string
	// StoreCredit is the most Shopify would issue as store credit instead of
	// money back; zero when it would not, and the form does not offer it.
	StoreCredit Money
	// Contact is the customer's name and shipping address; nil when not
	// read. AdminOrderURL is the order's page in Shopify admin, "" when not
	// known.
	Contact       *OrderContact
	AdminOrderURL string
	// ReplacementOrderURL is the replacement order's page in Shopify admin;
	// "" when there is none or it is not known.
	ReplacementOrderURL string
	// Withdrawal is the refund clock of a withdrawal and what it owes; nil
	// for any other return.
	Withdrawal *StaffWithdrawal
}

// StaffReturnView returns a return with its timeline, its refunds and the order
// read fresh from Shopify.
func (s *BackofficeService) StaffReturnView(ctx context.Context, code string) (*StaffReturn, error) {
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	v := &StaffReturn{Return: r, RefundKey: NewToken(), Staff: map[int64]string{}}
	if v.Events, err = s.timeline.Events(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	if v.Refunds, err = s.ledger.RefundsByReturn(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("read refunds: %w", err)
	}
	staff, err := s.staff.ListStaff(ctx)
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	for _, st := range staff {
		v.Staff[st.ID] = st.Email
	}
	v.Order, v.OrderErr = s.shop.Order(ctx, r.OrderID)
	s.addContact(ctx, r, v)
	// A replacement request offers no refund form until it is switched to
	// a refund, so Shopify is not asked what its items are worth.
	if v.OrderErr == nil && r.Status.CanMoveTo(StatusRefunded) && r.Resolution != ResolutionReplacement {
		// One suggestion: what the items are worth, and whether Shopify
		// would issue store credit instead (the shop can, and the order
		// has a customer), which the form offers only then.
		sugg, err := s.suggester.SuggestTransactions(ctx, r.OrderID, r.Items)
		if err != nil {
			s.log.Warn("suggested refund", "code", r.Code, "err", err)
			sugg = RefundSuggestion{Amount: Money{Currency: r.Currency}}
		}
		v.Suggested = r.RefundOffer(sugg.Amount)
		if r.Kind != KindWithdrawal {
			// A withdrawal goes back to the payments used (Article 13(1)):
			// its form offers no store credit.
			v.StoreCredit = sugg.StoreCredit
		}
	}
	if err := s.addWithdrawal(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// addContact fills the view's customer contact and link to Shopify admin,
// where they can be read; the page works without them.
func (s *BackofficeService) addContact(ctx context.Context, r *Return, v *StaffReturn) {
	if s.identity != nil {
		if id, ok, err := s.identity.ShopIdentity(ctx); err == nil && ok {
			v.AdminOrderURL = AdminOrderURL(id.MyshopifyDomain, r.OrderID)
			if r.Replacement != nil {
				v.ReplacementOrderURL = AdminOrderURL(id.MyshopifyDomain, r.Replacement.Order.ID)
			}
		}
	}
	if s.contacts == nil || r.Redacted() {
		return
	}
	c, err := s.contacts.OrderContact(ctx, r.OrderID)
	if err != nil {
		s.log.Warn("read the order's shipping address", "code", r.Code, "err", err)
		return
	}
	v.Contact = &c
}

// returnByCode reads the return with a code as staff type or paste it.
func returnByCode(ctx context.Context, returns ReturnReader, code string) (*Return, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !ValidReturnCode(code) {
		return nil, ErrNoReturn
	}
	r, err := returns.ReturnByCode(ctx, code)
	if ErrorCode(err) == ENOTFOUND {
		return nil, ErrNoReturn
	}
	return r, err
}

// StaffPhoto returns a photo of any return, for staff.
func (s *BackofficeService) StaffPhoto(ctx context.Context, code string, photoID int64) (*Photo, error) {
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	return s.access.Photo(ctx, r.ID, photoID)
}

// Limits on what staff write.
const (
	MaxStaffTextRunes = 2000
)

// Approve approves a requested return, with an optional message to the customer.
func (s *BackofficeService) Approve(ctx context.Context, staffID int64, code, message string) error {
	message = CleanText(message)
	if m := checkText(message, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{FieldMessage: *m})
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	return s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusApproved, Actor: StaffActor(staffID), Event: EventApproved, Message: message,
		Note: fmt.Sprintf("%s: approved — %s", r.Code, r.summary()), Tags: []string{"returns:approved"},
		Email: EmailApproved, EmailData: EmailData{Message: message},
	})
}

// Decline declines a requested return; the reason is shown to the customer.
func (s *BackofficeService) Decline(ctx context.Context, staffID int64, code, reason string) error {
	reason = CleanText(reason)
	if reason == "" {
		return Invalid(map[string]Message{FieldReason: Msg("Give the customer a reason.")})
	}
	if m := checkText(reason, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{FieldReason: *m})
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	return s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusDeclined, Actor: StaffActor(staffID), Event: EventDeclined, Message: reason,
		Note: fmt.Sprintf("%s: declined — %s. Reason: %s", r.Code, r.summary(), oneLine(reason)), Tags: []string{"returns:declined"},
		Email: EmailDeclined, EmailData: EmailData{Message: reason},
	})
}

// MarkReceived records that the returned item arrived.
func (s *BackofficeService) MarkReceived(ctx context.Context, staffID int64, code string) error {
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	return s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusItemReceived, Actor: StaffActor(staffID), Event: EventItemReceived,
		Note: fmt.Sprintf("%s: item received %s", r.Code, shopDate(ctx, s.zone, s.now())), Tags: []string{"returns:received"},
		Email: EmailItemReceived,
	})
}

// Close closes a refunded return or one whose replacement was shipped.
func (s *BackofficeService) Close(ctx context.Context, staffID int64, code string) error {
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	return s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusClosed, Actor: StaffActor(staffID), Event: EventClosed,
		Note: fmt.Sprintf("%s: closed", r.Code), Tags: []string{"returns:closed"},
		Email: EmailClosed,
	})
}

// AddNote adds an internal note to a return's timeline; customers never see it.
func (s *BackofficeService) AddNote(ctx context.Context, staffID int64, code, text string) error {
	text = CleanText(text)
	if text == "" {
		return Invalid(map[string]Message{FieldNote: Msg("Write the note first.")})
	}
	if m := checkText(text, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{FieldNote: *m})
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	return s.notes.AddEvent(ctx, Event{ReturnID: r.ID, At: s.now(), Actor: StaffActor(staffID), Type: EventNote, Message: text})
}

// ShipmentInput is what staff enter for a replacement shipped.
type ShipmentInput struct {
	Carrier string // a Carrier code
	// CarrierName and TrackingURL are given for CarrierOther.
	CarrierName string
	Number      string
	TrackingURL string
}

// ShipReplacement records the replacement shipped to the customer, with its
// carrier and tracking number; the portal builds the tracking link.
func (s *BackofficeService) ShipReplacement(ctx context.Context, staffID int64, code string, in ShipmentInput) (*Shipment, error) {
	sh, err := newShipment(in, s.now())
	if err != nil {
		return nil, err
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	if err := CheckShipment(r.Resolution, r.Kind, r.Replacement.Live(), false); err != nil {
		return nil, err
	}
	sh.ReturnID = r.ID
	err = s.changes.ApplyWith(ctx, StatusChange{
		Return: r, To: StatusReplacementShipped, Actor: StaffActor(staffID), Event: EventReplacementShipped,
		Message: sh.CarrierName + " " + sh.Number,
		Note:    fmt.Sprintf("%s: %s; replacement shipped %s, %s %s", r.Code, r.summary(), shopDate(ctx, s.zone, sh.ShippedAt), sh.CarrierName, sh.Number),
		Tags:    []string{"returns:replacement-shipped"},
		Email:   EmailReplacementShipped, EmailData: EmailData{Shipment: sh},
	}, func(ctx context.Context, ch Change) error { return s.shipments.ShipReplacement(ctx, sh, ch) })
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// summary says in a few words what the return is about, for the order note.
func (r *Return) summary() string {
	if r.Kind == KindDamaged {
		return "item damaged"
	}
	return "item returned (" + reasonText[r.Reason] + ")"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	return s
}
