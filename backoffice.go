package returns

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// QueueFilter selects returns for the backoffice queue.
type QueueFilter struct {
	Status Status // "" for every status
	// Query matches a return code, an order number (with or without "#") or a
	// customer's email, exactly.
	Query string
	// Before is the keyset cursor: only returns with an ID below it (0: from the
	// newest).
	Before int64
	Limit  int
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

// QueuePage is one page of the backoffice queue.
type QueuePage struct {
	Returns []Return
	Counts  map[Status]int
	// Next is the cursor of the next page, 0 when this is the last.
	Next int64
}

// QueuePageSize is how many returns one page of the queue shows.
const QueuePageSize = 50

// ReturnQueue returns a page of the backoffice queue.
func (s *Service) ReturnQueue(ctx context.Context, f QueueFilter) (*QueuePage, error) {
	if f.Status != "" && !f.Status.Valid() {
		f.Status = ""
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > 254 {
		f.Query = f.Query[:254]
	}
	if code := strings.ToUpper(f.Query); ValidReturnCode(code) {
		f.Query = code
	} else if email := NormalizeEmail(f.Query); email != "" {
		f.Query = email
	} else if n := NormalizeOrderNumber(f.Query); n != "" {
		f.Query = "#" + n
	}
	f.Limit = QueuePageSize + 1
	rs, err := s.Queue.Queue(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	counts, err := s.Queue.CountByStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("count returns: %w", err)
	}
	p := &QueuePage{Returns: rs, Counts: counts}
	if len(rs) > QueuePageSize {
		p.Returns = rs[:QueuePageSize]
		p.Next = p.Returns[QueuePageSize-1].ID
	}
	return p, nil
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
	// Suggested is Shopify's suggested refund for the returned items; zero when
	// not known.
	Suggested Money
	// RefundKey is a new idempotency key for the refund form shown with this
	// view: submitting the form twice sends the same key.
	RefundKey string
}

// StaffReturnView returns a return with its timeline, its refunds and the order
// read fresh from Shopify.
func (s *Service) StaffReturnView(ctx context.Context, code string) (*StaffReturn, error) {
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	v := &StaffReturn{Return: r, RefundKey: NewToken(), Staff: map[int64]string{}}
	if v.Events, err = s.Timeline.Events(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	if v.Refunds, err = s.Refunds.RefundsByReturn(ctx, r.ID); err != nil {
		return nil, fmt.Errorf("read refunds: %w", err)
	}
	staff, err := s.StaffStore.ListStaff(ctx)
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	for _, st := range staff {
		v.Staff[st.ID] = st.Email
	}
	v.Order, v.OrderErr = s.Shop.Order(ctx, r.OrderID)
	if v.OrderErr == nil && r.Status.CanMoveTo(StatusRefunded) {
		if v.Suggested, err = s.Refunder.SuggestRefund(ctx, r.OrderID, r.Items); err != nil {
			s.logger().Warn("suggested refund", "code", r.Code, "err", err)
			v.Suggested = Money{Currency: r.Currency}
		}
	}
	return v, nil
}

func (s *Service) returnByCode(ctx context.Context, code string) (*Return, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !ValidReturnCode(code) {
		return nil, errNoReturn
	}
	r, err := s.Returns.ReturnByCode(ctx, code)
	if ErrorCode(err) == ENOTFOUND {
		return nil, errNoReturn
	}
	return r, err
}

// StaffPhoto returns a photo of any return, for staff.
func (s *Service) StaffPhoto(ctx context.Context, code string, photoID int64) (*Photo, error) {
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.Access.Photo(ctx, r.ID, photoID)
}

// Limits on what staff write.
const (
	MaxStaffTextRunes = 2000
)

// transition moves a return to another status for a staff member, with its event
// and the line and tags written back to the Shopify order.
func (s *Service) transition(ctx context.Context, r *Return, to Status, ev Event, noteLine string, tags []string, email EmailKind, d EmailData) error {
	if err := r.Status.Transition(to); err != nil {
		return err
	}
	ev.At, ev.Status = s.now(), to
	wb := &Writeback{OrderID: r.OrderID, NoteLine: noteLine, Tags: tags, NextAt: s.now()}
	emails, err := s.emailsFor(ctx, email, r, d)
	if err != nil {
		return err
	}
	if err := s.Timeline.Transition(ctx, Change{ReturnID: r.ID, From: r.Status, To: to, Event: ev, Writeback: wb, Emails: emails}); err != nil {
		return err
	}
	s.outboxQueued(emails)
	r.Status = to
	s.writeBackNow(ctx, *wb)
	return nil
}

// Approve approves a requested return, with an optional message to the customer.
func (s *Service) Approve(ctx context.Context, staffID int64, code, message string) error {
	message = CleanText(message)
	if m := checkText(message, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{"message": *m})
	}
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return err
	}
	ev := Event{Actor: StaffActor(staffID), Type: EventApproved, Message: message}
	return s.transition(ctx, r, StatusApproved, ev, fmt.Sprintf("%s: %s approved", r.Code, r.summary()), []string{"returns:approved"}, EmailApproved, EmailData{Message: message})
}

// Decline declines a requested return; the reason is shown to the customer.
func (s *Service) Decline(ctx context.Context, staffID int64, code, reason string) error {
	reason = CleanText(reason)
	if reason == "" {
		return Invalid(map[string]Message{"reason": Msg("Give the customer a reason.")})
	}
	if m := checkText(reason, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{"reason": *m})
	}
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return err
	}
	ev := Event{Actor: StaffActor(staffID), Type: EventDeclined, Message: reason}
	return s.transition(ctx, r, StatusDeclined, ev, fmt.Sprintf("%s: %s declined — %s", r.Code, r.summary(), oneLine(reason)), []string{"returns:declined"}, EmailDeclined, EmailData{Message: reason})
}

// MarkReceived records that the returned item arrived.
func (s *Service) MarkReceived(ctx context.Context, staffID int64, code string) error {
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return err
	}
	ev := Event{Actor: StaffActor(staffID), Type: EventItemReceived}
	return s.transition(ctx, r, StatusItemReceived, ev, fmt.Sprintf("%s: item received %s", r.Code, s.now().Format("2006-01-02")), []string{"returns:received"}, EmailItemReceived, EmailData{})
}

// Close closes a refunded return or one whose replacement was shipped.
func (s *Service) Close(ctx context.Context, staffID int64, code string) error {
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return err
	}
	ev := Event{Actor: StaffActor(staffID), Type: EventClosed}
	return s.transition(ctx, r, StatusClosed, ev, fmt.Sprintf("%s: closed", r.Code), []string{"returns:closed"}, EmailClosed, EmailData{})
}

// AddNote adds an internal note to a return's timeline; customers never see it.
func (s *Service) AddNote(ctx context.Context, staffID int64, code, text string) error {
	text = CleanText(text)
	if text == "" {
		return Invalid(map[string]Message{"note": Msg("Write the note first.")})
	}
	if m := checkText(text, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{"note": *m})
	}
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return err
	}
	return s.Timeline.AddEvent(ctx, Event{ReturnID: r.ID, At: s.now(), Actor: StaffActor(staffID), Type: EventNote, Message: text})
}

// ShipReplacement records the replacement shipped to the customer, with its
// carrier and tracking number; the portal builds the tracking link.
func (s *Service) ShipReplacement(ctx context.Context, staffID int64, code, carrier, otherName, number, trackingURL string) (*Shipment, error) {
	sh, err := newShipment(carrier, otherName, number, trackingURL, s.now())
	if err != nil {
		return nil, err
	}
	r, err := s.returnByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := r.Status.Transition(StatusReplacementShipped); err != nil {
		return nil, err
	}
	sh.ReturnID = r.ID
	line := fmt.Sprintf("%s: %s; replacement shipped %s, %s %s", r.Code, r.summary(), sh.ShippedAt.Format("2006-01-02"), sh.CarrierName, sh.Number)
	wb := &Writeback{OrderID: r.OrderID, NoteLine: line, Tags: []string{"returns:replacement-shipped"}, NextAt: s.now()}
	emails, err := s.emailsFor(ctx, EmailReplacementShipped, r, EmailData{Shipment: sh})
	if err != nil {
		return nil, err
	}
	change := Change{
		ReturnID: r.ID, From: r.Status, To: StatusReplacementShipped,
		Event:     Event{At: s.now(), Actor: StaffActor(staffID), Type: EventReplacementShipped, Status: StatusReplacementShipped, Message: sh.CarrierName + " " + sh.Number},
		Writeback: wb,
		Emails:    emails,
	}
	if err := s.Shipments.ShipReplacement(ctx, sh, change); err != nil {
		return nil, err
	}
	s.outboxQueued(emails)
	s.writeBackNow(ctx, *wb)
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

// UpdateSettings validates and saves the settings, recording who changed them.
func (s *Service) UpdateSettings(ctx context.Context, st Settings, by string) error {
	st.ReturnAddress = CleanText(st.ReturnAddress)
	st.NonReturnableTag = strings.TrimSpace(st.NonReturnableTag)
	st.InstructionsEN = CleanText(st.InstructionsEN)
	st.InstructionsLV = CleanText(st.InstructionsLV)
	st.StaffEmail = strings.TrimSpace(st.StaffEmail)
	fields := map[string]Message{}
	if st.ReturnAddress == "" {
		fields["return_address"] = Msg("Enter the address returns are sent to.")
	} else if m := checkText(st.ReturnAddress, 500); m != nil {
		fields["return_address"] = *m
	}
	if st.WindowDays < 1 || st.WindowDays > 365 {
		fields["window_days"] = Msg("Enter a number of days from 1 to 365.")
	}
	if m := checkText(st.NonReturnableTag, 255); m != nil || strings.Contains(st.NonReturnableTag, ",") {
		fields["non_returnable_tag"] = Msg("Enter one product tag, without commas.")
	}
	for name, text := range map[string]string{"instructions_en": st.InstructionsEN, "instructions_lv": st.InstructionsLV} {
		if m := checkText(text, 4000); m != nil {
			fields[name] = *m
		}
	}
	if st.StaffEmail != "" {
		if e := NormalizeEmail(st.StaffEmail); e == "" {
			fields["staff_email"] = Msg("Enter a valid email address, or leave it empty.")
		} else {
			st.StaffEmail = e
		}
	}
	if err := Invalid(fields); err != nil {
		return err
	}
	st.UpdatedAt, st.UpdatedBy = s.now(), by
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	// Forget the kept settings whatever happens: the next read gets what the
	// database holds.
	defer s.settings.Store(nil)
	return s.SettingsStore.SaveSettings(ctx, st, by)
}

// SettingsChanges returns the latest changes of the settings.
func (s *Service) SettingsChanges(ctx context.Context) ([]SettingsChange, error) {
	return s.SettingsStore.SettingsChanges(ctx, 20)
}

// refundPendingGrace is how long a pending refund may stay pending before the
// reconciler takes it for cut off by a crash.
const refundPendingGrace = 2 * time.Minute
