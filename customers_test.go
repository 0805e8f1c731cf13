package returns_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// serviceNow is the injected clock of the service tests.
var serviceNow = time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)

// testOrder returns order #1001: two tea towels and an apron delivered five days
// before serviceNow, and a final-sale scarf.
func testOrder() *returns.Order {
	delivered := serviceNow.AddDate(0, 0, -5)
	eur := func(minor int64) returns.Money { return returns.Money{Minor: minor, Currency: "EUR"} }
	return &returns.Order{
		ID: "gid://shopify/Order/1001", Name: "#1001", Email: "anna.berzina@example.lv", Currency: "EUR",
		CreatedAt: serviceNow.AddDate(0, 0, -8), Note: "Leave at the door", Tags: []string{"vip"},
		Lines: []returns.LineItem{
			{ID: "L1", Title: "Linen tea towel", Quantity: 2, Fulfilled: 2, FulfilledAt: delivered, UnitPrice: eur(1200)},
			{ID: "L2", Title: "Linen apron", Quantity: 1, Fulfilled: 1, FulfilledAt: delivered, UnitPrice: eur(3900)},
			{ID: "L3", Title: "Silk scarf", Quantity: 1, Fulfilled: 1, FulfilledAt: delivered, UnitPrice: eur(5900), ProductTags: []string{"Final-Sale"}},
		},
	}
}

// fakeShop is an in-memory Shopify holding orders by id. The …Fn fields, when set,
// replace the default behaviour.
type fakeShop struct {
	mu            sync.Mutex
	orders        map[string]*returns.Order
	FindOrderFn   func(number, email string) (*returns.Order, error)
	UpdateOrderFn func(id, note string, tags []string) error
	findCalls     []string // "number|email"
	orderCalls    int
	updates       []orderUpdate
}

type orderUpdate struct {
	ID, Note string
	Tags     []string
}

func newFakeShop(orders ...*returns.Order) *fakeShop {
	s := &fakeShop{orders: map[string]*returns.Order{}}
	for _, o := range orders {
		s.orders[o.ID] = o
	}
	return s
}

func (s *fakeShop) FindOrder(ctx context.Context, number, email string) (*returns.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.findCalls = append(s.findCalls, number+"|"+email)
	if s.FindOrderFn != nil {
		return s.FindOrderFn(number, email)
	}
	for _, o := range s.orders {
		if o.Number() == number && strings.EqualFold(o.Email, email) {
			c := *o
			return &c, nil
		}
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
}

func (s *fakeShop) Order(ctx context.Context, id string) (*returns.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orderCalls++
	o, ok := s.orders[id]
	if !ok {
		return nil, returns.Errorf(returns.ENOTFOUND, "Order not found.")
	}
	c := *o
	return &c, nil
}

func (s *fakeShop) UpdateOrder(ctx context.Context, id, note string, tags []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.UpdateOrderFn != nil {
		if err := s.UpdateOrderFn(id, note, tags); err != nil {
			return err
		}
	}
	s.updates = append(s.updates, orderUpdate{id, note, tags})
	if o, ok := s.orders[id]; ok {
		c := *o
		c.Note = note
		c.Tags = append(slices.Clone(o.Tags), tags...)
		s.orders[id] = &c
	}
	return nil
}

// memStore keeps returns, timelines and write-backs in memory and records calls.
// It implements ReturnStore, ReturnAccess, TimelineStore and WritebackStore.
type memStore struct {
	mu          sync.Mutex
	returns     []returns.Return
	events      []returns.Event
	writebacks  []*memWriteback
	createCalls int
	nextID      int64
	// emails are the outbox messages queued with each change, and tokens the
	// link token hashes stored with them (hash → return id).
	emails []returns.OutboxMessage
	tokens map[string]int64
	// hideReturns makes ReturnsByOrder answer none, as when another return is
	// stored between the eligibility check and CreateReturn.
	hideReturns bool
}

type memWriteback struct {
	returns.Writeback
	Done    bool
	LastErr string
}

func (m *memStore) id() int64 { m.nextID++; return m.nextID }

func (m *memStore) CreateReturn(ctx context.Context, r *returns.Return, maxUnits map[string]int, ev returns.Event, wb *returns.Writeback, emails []returns.OutboxMessage) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.createCalls++
	for _, x := range m.returns {
		if x.OrderID == r.OrderID && x.SubmissionKey == r.SubmissionKey {
			*r = x
			return false, nil
		}
	}
	held := map[string]int{}
	for _, x := range m.returns {
		if x.OrderID == r.OrderID && x.Status.Active() {
			for _, it := range x.Items {
				held[it.LineItemID] += it.Quantity
			}
		}
	}
	for _, it := range r.Items {
		if held[it.LineItemID]+it.Quantity > maxUnits[it.LineItemID] {
			return false, returns.Errorf(returns.ECONFLICT, "These items were just returned.")
		}
	}
	r.ID = m.id()
	m.returns = append(m.returns, *r)
	ev.ReturnID, wb.ReturnID, wb.ID = r.ID, r.ID, m.id()
	m.events = append(m.events, ev)
	m.writebacks = append(m.writebacks, &memWriteback{Writeback: *wb})
	m.queue(r.ID, emails)
	return true, nil
}

// queue keeps emails as the outbox would, with their link tokens. The caller
// holds m.mu.
func (m *memStore) queue(returnID int64, emails []returns.OutboxMessage) {
	if m.tokens == nil {
		m.tokens = map[string]int64{}
	}
	for _, e := range emails {
		e.ReturnID = returnID
		m.emails = append(m.emails, e)
		if e.LinkTokenHash != "" {
			m.tokens[e.LinkTokenHash] = returnID
		}
	}
}

func (m *memStore) find(match func(*returns.Return) bool) (*returns.Return, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.returns {
		if match(&m.returns[i]) {
			r := m.returns[i]
			return &r, nil
		}
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "Return not found.")
}

func (m *memStore) ReturnByCode(ctx context.Context, code string) (*returns.Return, error) {
	return m.find(func(r *returns.Return) bool { return r.Code == code })
}

func (m *memStore) ReturnByID(ctx context.Context, id int64) (*returns.Return, error) {
	return m.find(func(r *returns.Return) bool { return r.ID == id })
}

func (m *memStore) AddEvent(ctx context.Context, ev returns.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, ev)
	return nil
}

func (m *memStore) ReturnBySubmission(ctx context.Context, orderID, key string) (*returns.Return, error) {
	return m.find(func(r *returns.Return) bool { return r.OrderID == orderID && r.SubmissionKey == key })
}

func (m *memStore) ReturnByToken(ctx context.Context, tokenHash string) (*returns.Return, error) {
	m.mu.Lock()
	id, ok := m.tokens[tokenHash]
	m.mu.Unlock()
	if !ok {
		return nil, returns.Errorf(returns.ENOTFOUND, "Return not found.")
	}
	return m.find(func(r *returns.Return) bool { return r.ID == id })
}

func (m *memStore) ReturnVersion(ctx context.Context, code string) (string, int64, error) {
	r, err := m.find(func(r *returns.Return) bool { return r.Code == code })
	if err != nil {
		return "", 0, err
	}
	return r.OrderID, r.Version, nil
}

func (m *memStore) ReturnsByOrder(ctx context.Context, orderID string) ([]returns.Return, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []returns.Return
	if m.hideReturns {
		return nil, nil
	}
	for i := len(m.returns) - 1; i >= 0; i-- {
		if m.returns[i].OrderID == orderID {
			out = append(out, m.returns[i])
		}
	}
	return out, nil
}

func (m *memStore) Photo(ctx context.Context, returnID, photoID int64) (*returns.Photo, error) {
	return nil, returns.Errorf(returns.ENOTFOUND, "Photo not found.")
}

func (m *memStore) Transition(ctx context.Context, c returns.Change) error {
	id, from, to, ev, wb := c.ReturnID, c.From, c.To, c.Event, c.Writeback
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.returns {
		r := &m.returns[i]
		if r.ID != id {
			continue
		}
		if r.Status != from {
			return returns.Errorf(returns.ECONFLICT, "The return changed meanwhile.")
		}
		r.Status = to
		ev.ReturnID = id
		m.events = append(m.events, ev)
		if wb != nil {
			wb.ReturnID, wb.ID = id, m.id()
			m.writebacks = append(m.writebacks, &memWriteback{Writeback: *wb})
		}
		m.queue(id, c.Emails)
		return nil
	}
	return returns.Errorf(returns.ENOTFOUND, "Return not found.")
}

func (m *memStore) Events(ctx context.Context, returnID int64) ([]returns.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []returns.Event
	for _, ev := range m.events {
		if ev.ReturnID == returnID {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (m *memStore) DueWritebacks(ctx context.Context, now time.Time, limit int) ([]returns.Writeback, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []returns.Writeback
	for _, w := range m.writebacks {
		if !w.Done && !w.NextAt.After(now) && len(out) < limit {
			out = append(out, w.Writeback)
		}
	}
	return out, nil
}

func (m *memStore) writeback(id int64) *memWriteback {
	for _, w := range m.writebacks {
		if w.ID == id {
			return w
		}
	}
	panic(fmt.Sprintf("no write-back %d", id))
}

func (m *memStore) WritebackDone(ctx context.Context, id int64, ev returns.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writeback(id).Done = true
	m.events = append(m.events, ev)
	return nil
}

func (m *memStore) WritebackFailed(ctx context.Context, id int64, next time.Time, lastErr string, ev *returns.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.writeback(id)
	w.Attempts++
	w.NextAt = next
	w.LastErr = lastErr
	if ev != nil {
		m.events = append(m.events, *ev)
	}
	return nil
}

// eventTypes lists the types of a return's events in order.
func (m *memStore) eventTypes(returnID int64) []returns.EventType {
	evs, _ := m.Events(context.Background(), returnID)
	var out []returns.EventType
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

type settingsFunc func(ctx context.Context) (returns.Settings, error)

func (f settingsFunc) Settings(ctx context.Context) (returns.Settings, error) { return f(ctx) }

// The customer flow never saves settings.
func (f settingsFunc) SaveSettings(ctx context.Context, s returns.Settings, by string) error {
	panic("SaveSettings in a customer-flow test")
}

func (f settingsFunc) SettingsChanges(ctx context.Context, limit int) ([]returns.SettingsChange, error) {
	return nil, nil
}

// textEmails renders every email as its kind and its status link, enough for
// tests to follow them.
type textEmails struct{}

func (textEmails) RenderEmail(d returns.EmailData) (returns.Email, error) {
	text := ""
	if d.StatusToken != "" {
		text = d.BaseURL + "/returns/" + d.Return.Code + "?t=" + d.StatusToken
	}
	return returns.Email{Subject: string(d.Kind), Text: text, HTML: "<p>" + string(d.Kind) + "</p>"}, nil
}

type photoFunc func(data []byte) (returns.Photo, error)

func (f photoFunc) Process(ctx context.Context, uploads []returns.PhotoUpload) ([]returns.Photo, error) {
	var photos []returns.Photo
	for _, u := range uploads {
		data := make([]byte, u.Size())
		if _, err := u.ReadAt(data, 0); err != nil && err != io.EOF {
			return nil, err
		}
		p, err := f(data)
		if err != nil {
			return nil, err
		}
		photos = append(photos, p)
	}
	return photos, nil
}

// photoUpload is an upload of the given bytes, as the HTTP layer hands it over.
func photoUpload(data string) returns.PhotoUpload { return strings.NewReader(data) }

// serviceFixture is a CustomerService over fakes, with a clock the test can
// move; changes is the path of status changes it shares, and writer its
// write-backs.
type serviceFixture struct {
	*returns.CustomerService
	shop    *fakeShop
	store   *memStore
	now     time.Time
	changes *returns.Changes
	writer  *returns.OrderWriter
}

// quietLog is the logger of the fakes' services.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func newServiceFixture(t *testing.T, orders ...*returns.Order) *serviceFixture {
	t.Helper()
	return newServiceFixtureLog(t, quietLog, orders...)
}

// newServiceFixtureLog is newServiceFixture whose customer service logs to log.
func newServiceFixtureLog(t *testing.T, log *slog.Logger, orders ...*returns.Order) *serviceFixture {
	t.Helper()
	f := &serviceFixture{shop: newFakeShop(orders...), store: &memStore{}, now: serviceNow}
	now := func() time.Time { return f.now }
	settings := returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }), now)
	cache := returns.NewOrderCache()
	mailer := returns.NewMailer(textEmails{}, settings, "https://returns.example.com", nil, now, quietLog)
	f.writer = returns.NewOrderWriter(f.shop, f.store, cache, now, quietLog)
	f.changes = returns.NewChanges(f.store, f.store, mailer, f.writer, now, quietLog)
	f.CustomerService = returns.NewCustomerService(returns.CustomerDeps{
		Shop: f.shop, Returns: f.store, Access: f.store, Timeline: f.store,
		Photos: photoFunc(func(data []byte) (returns.Photo, error) {
			if string(data) == "not an image" {
				return returns.Photo{}, returns.Errorf(returns.EINVALID, "This file is not a JPEG, PNG or WebP image.")
			}
			return returns.Photo{ContentType: "image/jpeg", Width: 10, Height: 10, Data: data}, nil
		}),
		Settings: settings, Changes: f.changes, Orders: cache, Now: now, Log: log,
	})
	return f
}

// TestLookupOrderLogsWhyShopifyHidIt: a lookup that failed because Shopify
// hides order emails from the app fails for the customer as any other, and
// tells the log why, without the address.
func TestLookupOrderLogsWhyShopifyHidIt(t *testing.T) {
	var logs bytes.Buffer
	f := newServiceFixtureLog(t, slog.New(slog.NewTextHandler(&logs, nil)), testOrder())
	f.shop.FindOrderFn = func(number, email string) (*returns.Order, error) {
		return nil, fmt.Errorf("find order: %w", errors.Join(returns.Errorf(returns.ENOTFOUND, "Order not found."),
			&returns.ShopDenied{Cause: returns.DeniedEmailHidden, Detail: "the email of #1001 came back null"}))
	}
	_, err := f.LookupOrder(context.Background(), "1001", "anna.berzina@example.lv")
	if err != returns.ErrLookupFailed {
		t.Fatalf("LookupOrder = %v, want the one lookup failure", err)
	}
	if !strings.Contains(logs.String(), "email_hidden") || !strings.Contains(logs.String(), "/admin/shopify") {
		t.Errorf("log does not say Shopify hid the email:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "anna.berzina") {
		t.Errorf("log holds the customer's address:\n%s", logs.String())
	}
}

func TestLookupOrder(t *testing.T) {
	t.Run("Found", func(t *testing.T) {
		f := newServiceFixture(t, testOrder())
		o, err := f.LookupOrder(context.Background(), "  #1001 ", "Anna.Berzina@Example.LV ")
		if err != nil {
			t.Fatalf("LookupOrder() error = %v", err)
		}
		if o.ID != "gid://shopify/Order/1001" {
			t.Errorf("order = %s", o.ID)
		}
		if want := []string{"1001|anna.berzina@example.lv"}; !slices.Equal(f.shop.findCalls, want) {
			t.Errorf("FindOrder calls = %q, want %q", f.shop.findCalls, want)
		}
	})

	t.Run("FailuresLookAlike", func(t *testing.T) {
		tests := []struct {
			name, number, email string
			asksShop            bool
		}{
			{"WrongEmail", "1001", "eve@example.lv", true},
			{"UnknownNumber", "9999", "anna.berzina@example.lv", true},
			{"MalformedNumber", "1001; DROP", "anna.berzina@example.lv", false},
			{"EmptyNumber", "#", "anna.berzina@example.lv", false},
			{"MalformedEmail", "1001", "no-at", false},
			{"EmailWithDisplayName", "1001", "Anna <anna.berzina@example.lv>", false},
			{"EmailHeaderInjection", "1001", "anna.berzina@example.lv\r\nBcc: eve@example.lv", false},
		}
		var first error
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f := newServiceFixture(t, testOrder())
				o, err := f.LookupOrder(context.Background(), tc.number, tc.email)
				if o != nil || returns.ErrorCode(err) != returns.ENOTFOUND {
					t.Fatalf("LookupOrder() = %v, %v; want ENOTFOUND", o, err)
				}
				if first == nil {
					first = err
				}
				// Same code, same message, same text: nothing tells the cases apart.
				if returns.ErrorMessage(err).String() != returns.ErrorMessage(first).String() || err.Error() != first.Error() {
					t.Errorf("error %q differs from %q", err, first)
				}
				if got := len(f.shop.findCalls) > 0; got != tc.asksShop {
					t.Errorf("asked Shopify = %v, want %v", got, tc.asksShop)
				}
			})
		}
		if got, want := returns.ErrorMessage(first).String(), "We could not find an order with that number and email address."; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})

	t.Run("ShopUnavailablePassesThrough", func(t *testing.T) {
		f := newServiceFixture(t, testOrder())
		f.shop.FindOrderFn = func(number, email string) (*returns.Order, error) {
			return nil, returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering. Please try again in a minute.")
		}
		_, err := f.LookupOrder(context.Background(), "1001", "anna.berzina@example.lv")
		if got := returns.ErrorCode(err); got != returns.EUNAVAILABLE {
			t.Errorf("ErrorCode() = %q, want %q (err %v)", got, returns.EUNAVAILABLE, err)
		}
		if got := returns.ErrorMessage(err).String(); got != "Shopify is not answering. Please try again in a minute." {
			t.Errorf("message = %q", got)
		}
	})

	t.Run("ShopBugIsInternal", func(t *testing.T) {
		f := newServiceFixture(t, testOrder())
		f.shop.FindOrderFn = func(number, email string) (*returns.Order, error) {
			return nil, errors.New("graphql: unexpected field")
		}
		_, err := f.LookupOrder(context.Background(), "1001", "anna.berzina@example.lv")
		if got := returns.ErrorCode(err); got != returns.EINTERNAL {
			t.Errorf("ErrorCode() = %q, want %q", got, returns.EINTERNAL)
		}
	})
}

// damagedRequest is a valid request: one damaged tea towel, a replacement wanted.
func damagedRequest() returns.ReturnRequest {
	return returns.ReturnRequest{
		SubmissionKey: "form-0123456789abcdef",
		Kind:          returns.KindDamaged,
		Description:   "Torn along the hem.",
		Resolution:    returns.ResolutionReplacement,
		Quantities:    map[string]int{"L1": 1},
		Photos:        []returns.PhotoUpload{photoUpload("photo 1")},
	}
}

func TestSubmitReturnValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*returns.ReturnRequest)
		field  string
		msg    string
	}{
		{"KindMissing", func(r *returns.ReturnRequest) { r.Kind = "" }, "kind", "Choose what happened."},
		{"KindUnknown", func(r *returns.ReturnRequest) { r.Kind = "stolen" }, "kind", "Choose what happened."},
		{"DamagedWithoutDescription", func(r *returns.ReturnRequest) { r.Description = "" }, "description", "Tell us what is wrong with the item."},
		{"DamagedWithoutResolution", func(r *returns.ReturnRequest) { r.Resolution = "" }, "resolution", "Choose a replacement or a refund."},
		{"DamagedStoreCredit", func(r *returns.ReturnRequest) { r.Resolution = "store_credit" }, "resolution", "Choose a replacement or a refund."},
		{"DissatisfiedWithoutReason", func(r *returns.ReturnRequest) { r.Kind = returns.KindDissatisfied; r.Reason = "" }, "reason", "Choose a reason."},
		{"DissatisfiedDamagedReason", func(r *returns.ReturnRequest) { r.Kind = returns.KindDissatisfied; r.Reason = returns.ReasonDamaged }, "reason", "Choose a reason."},
		{"OtherWithoutText", func(r *returns.ReturnRequest) {
			r.Kind, r.Reason, r.OtherReason = returns.KindDissatisfied, returns.ReasonOther, ""
		}, "other_reason", "Tell us the reason."},
		{"QuantityZero", func(r *returns.ReturnRequest) { r.Quantities = map[string]int{"L1": 0} }, "qty-L1", "Choose between 1 and 2."},
		{"QuantityNegative", func(r *returns.ReturnRequest) { r.Quantities = map[string]int{"L1": -1} }, "qty-L1", "Choose between 1 and 2."},
		{"QuantityOverReturnable", func(r *returns.ReturnRequest) { r.Quantities = map[string]int{"L1": 3} }, "qty-L1", "Choose between 1 and 2."},
		{"LineNotOnOrder", func(r *returns.ReturnRequest) {
			r.Quantities = map[string]int{"L1": 1, "gid://shopify/LineItem/999": 1}
		}, "items", "One of the chosen items is not on this order."},
		{"FinalSaleLine", func(r *returns.ReturnRequest) { r.Quantities = map[string]int{"L3": 1} }, "qty-L3", "This item cannot be returned."},
		{"NoItems", func(r *returns.ReturnRequest) { r.Quantities = nil }, "items", "Choose at least one item to return."},
		{"TooManyPhotos", func(r *returns.ReturnRequest) { r.Photos = make([]returns.PhotoUpload, returns.MaxPhotos+1) }, "photos", "Send at most 5 photos."},
		{"PhotoRefused", func(r *returns.ReturnRequest) {
			r.Photos = []returns.PhotoUpload{photoUpload("photo"), photoUpload("not an image")}
		}, "photos", "This file is not a JPEG, PNG or WebP image."},
		{"DescriptionTooLong", func(r *returns.ReturnRequest) { r.Description = strings.Repeat("ā", returns.MaxNoteRunes+1) }, "description", "Please use at most 2000 characters."},
		{"DescriptionControlCharacters", func(r *returns.ReturnRequest) { r.Description = "Torn\x00\x1b[2J" }, "description", "The text contains control characters."},
		{"DescriptionInvalidUTF8", func(r *returns.ReturnRequest) { r.Description = "Torn \xff" }, "description", "The text contains characters we cannot read."},
		{"OtherReasonTooLong", func(r *returns.ReturnRequest) {
			r.Kind, r.Reason, r.OtherReason = returns.KindDissatisfied, returns.ReasonOther, strings.Repeat("ā", returns.MaxNoteRunes+1)
		}, "other_reason", "Please use at most 2000 characters."},
		{"SubmissionKeyShort", func(r *returns.ReturnRequest) { r.SubmissionKey = "short" }, "form", "This form has expired. Please open it again."},
		{"SubmissionKeyLong", func(r *returns.ReturnRequest) { r.SubmissionKey = strings.Repeat("k", 65) }, "form", "This form has expired. Please open it again."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newServiceFixture(t, testOrder())
			req := damagedRequest()
			tc.change(&req)
			r, err := f.SubmitReturn(context.Background(), "gid://shopify/Order/1001", req)
			if r != nil || returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("SubmitReturn() = %v, %v; want EINVALID", r, err)
			}
			fields := returns.ErrorFields(err)
			if got := fields[tc.field].String(); got != tc.msg {
				t.Errorf("field %q = %q, want %q (all fields: %v)", tc.field, got, tc.msg, fields)
			}
			if f.store.createCalls != 0 || len(f.store.returns) != 0 || len(f.shop.updates) != 0 {
				t.Errorf("stored %d returns in %d calls and updated the order %d times; want none",
					len(f.store.returns), f.store.createCalls, len(f.shop.updates))
			}
		})
	}
}

func TestSubmitReturn(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	req := damagedRequest()
	req.Photos = append(req.Photos, photoUpload("photo 2"))
	req.Locale = "lv"
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", req)
	if err != nil {
		t.Fatalf("SubmitReturn() error = %v", err)
	}
	if !returns.ValidReturnCode(r.Code) || r.ID == 0 {
		t.Errorf("return code %q, id %d", r.Code, r.ID)
	}
	if r.Status != returns.StatusRequested || r.OrderName != "#1001" || r.Email != "anna.berzina@example.lv" ||
		r.Locale != "lv" || r.Reason != returns.ReasonDamaged || r.Currency != "EUR" || !r.CreatedAt.Equal(serviceNow) {
		t.Errorf("return = %+v", r)
	}
	wantItems := []returns.Item{{LineItemID: "L1", Title: "Linen tea towel", Quantity: 1, UnitPrice: returns.Money{Minor: 1200, Currency: "EUR"}}}
	if !slices.Equal(r.Items, wantItems) {
		t.Errorf("items = %+v, want %+v", r.Items, wantItems)
	}
	if len(r.Photos) != 2 || r.Photos[1].ContentType != "image/jpeg" {
		t.Errorf("photos = %+v", r.Photos)
	}
	if f.store.createCalls != 1 || len(f.store.returns) != 1 {
		t.Fatalf("CreateReturn called %d times, %d returns stored; want 1, 1", f.store.createCalls, len(f.store.returns))
	}

	if len(f.shop.updates) != 1 {
		t.Fatalf("UpdateOrder called %d times, want 1", len(f.shop.updates))
	}
	u := f.shop.updates[0]
	wantNote := "Leave at the door\nReturn " + r.Code + " requested: 1 × Linen tea towel — damaged, wants a replacement"
	if u.ID != "gid://shopify/Order/1001" || u.Note != wantNote || !slices.Equal(u.Tags, []string{"returns:requested"}) {
		t.Errorf("UpdateOrder(%q, %q, %q), want note %q and tag returns:requested", u.ID, u.Note, u.Tags, wantNote)
	}
	if got, want := f.store.eventTypes(r.ID), []returns.EventType{returns.EventRequested, returns.EventShopifyUpdated}; !slices.Equal(got, want) {
		t.Errorf("timeline = %v, want %v", got, want)
	}
	if w := f.store.writebacks[0]; !w.Done || w.ReturnID != r.ID {
		t.Errorf("write-back = %+v, want done for return %d", w, r.ID)
	}

	t.Run("SameSubmissionKeyGivesSameReturn", func(t *testing.T) {
		orderCalls := f.shop.orderCalls
		again, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", req)
		if err != nil {
			t.Fatalf("second SubmitReturn() error = %v", err)
		}
		if again.ID != r.ID || again.Code != r.Code {
			t.Errorf("second submit gave return %d %s, want %d %s", again.ID, again.Code, r.ID, r.Code)
		}
		if f.store.createCalls != 1 || len(f.store.returns) != 1 || len(f.shop.updates) != 1 || f.shop.orderCalls != orderCalls {
			t.Errorf("second submit: %d store calls, %d returns, %d order updates, %d order reads; want 1, 1, 1, %d",
				f.store.createCalls, len(f.store.returns), len(f.shop.updates), f.shop.orderCalls, orderCalls)
		}
	})

	t.Run("HeldUnitsLimitTheNext", func(t *testing.T) {
		next := damagedRequest()
		next.SubmissionKey = "form-another-0123456789"
		next.Quantities = map[string]int{"L1": 2}
		_, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", next)
		if got := returns.ErrorFields(err)["qty-L1"].String(); got != "Choose between 1 and 1." {
			t.Errorf("qty-L1 = %q (err %v)", got, err)
		}
	})
}

func TestSubmitReturnDissatisfied(t *testing.T) {
	f := newServiceFixture(t, testOrder())
	req := returns.ReturnRequest{
		SubmissionKey: "form-0123456789abcdef",
		Kind:          returns.KindDissatisfied,
		Reason:        returns.ReasonDoesntFit,
		Resolution:    returns.ResolutionReplacement, // not offered: becomes a refund
		Quantities:    map[string]int{"L2": 1},
		Photos:        []returns.PhotoUpload{photoUpload("photo")}, // not asked for: dropped
		Locale:        "de",                                        // not offered: becomes English
	}
	r, err := f.SubmitReturn(context.Background(), "gid://shopify/Order/1001", req)
	if err != nil {
		t.Fatalf("SubmitReturn() error = %v", err)
	}
	if r.Resolution != returns.ResolutionRefund || len(r.Photos) != 0 || r.Locale != "en" {
		t.Errorf("resolution %q, %d photos, locale %q; want refund, 0, en", r.Resolution, len(r.Photos), r.Locale)
	}
	want := "Leave at the door\nReturn " + r.Code + " requested: 1 × Linen apron — not satisfied (doesn't fit), wants a refund"
	if len(f.shop.updates) != 1 || f.shop.updates[0].Note != want {
		t.Errorf("order updates = %+v, want note %q", f.shop.updates, want)
	}
}

func TestSubmitReturnStoreConflict(t *testing.T) {
	// Another return took the units between the check and the insert.
	f := newServiceFixture(t, testOrder())
	f.store.returns = append(f.store.returns, returns.Return{ID: 99, OrderID: "gid://shopify/Order/1001", SubmissionKey: "other",
		Status: returns.StatusRequested, Items: []returns.Item{{LineItemID: "L1", Quantity: 2}}})
	f.store.hideReturns = true // the eligibility check does not see it yet
	_, err := f.SubmitReturn(context.Background(), "gid://shopify/Order/1001", damagedRequest())
	if got := returns.ErrorCode(err); got != returns.ECONFLICT {
		t.Errorf("ErrorCode() = %q, want %q (err %v)", got, returns.ECONFLICT, err)
	}
	if len(f.shop.updates) != 0 {
		t.Errorf("the order was updated %d times", len(f.shop.updates))
	}
}

func TestSubmitReturnWritebackFails(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	shopDown := returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering.")
	f.shop.UpdateOrderFn = func(id, note string, tags []string) error { return shopDown }

	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatalf("SubmitReturn() error = %v; a failed write-back must not fail the submission", err)
	}
	if len(f.store.returns) != 1 {
		t.Fatalf("%d returns stored, want 1", len(f.store.returns))
	}
	w := f.store.writebacks[0]
	if w.Done || w.Attempts != 1 || !w.NextAt.Equal(serviceNow.Add(30*time.Second)) || !strings.Contains(w.LastErr, "Shopify is not answering.") {
		t.Errorf("write-back = %+v, want one failed attempt, next in 30 s", w)
	}
	evs, _ := f.store.Events(ctx, r.ID)
	if len(evs) != 2 || evs[1].Type != returns.EventShopifyDeferred || evs[1].Actor != returns.ActorSystem ||
		evs[1].Message != "Shopify order not updated yet, will retry: Shopify is not answering." {
		t.Fatalf("timeline = %+v, want requested and shopify_deferred", evs)
	}

	// The second failure is recorded on the write-back but not on the timeline.
	f.now = serviceNow.Add(30 * time.Second)
	f.writer.Flush(ctx)
	if w.Attempts != 2 || !w.NextAt.Equal(f.now.Add(time.Minute)) {
		t.Errorf("after second failure: attempts %d, next %v", w.Attempts, w.NextAt)
	}
	if got := f.store.eventTypes(r.ID); len(got) != 2 {
		t.Errorf("timeline = %v, want no second shopify_deferred", got)
	}

	// Not due yet: nothing is tried.
	f.shop.UpdateOrderFn = nil
	f.now = f.now.Add(30 * time.Second)
	f.writer.Flush(ctx)
	if len(f.shop.updates) != 0 {
		t.Errorf("a write-back that is not due was tried")
	}

	// Shopify is back: the line is written once.
	f.now = serviceNow.Add(2 * time.Minute)
	f.writer.Flush(ctx)
	if len(f.shop.updates) != 1 || !w.Done {
		t.Fatalf("after recovery: %d updates, done %v", len(f.shop.updates), w.Done)
	}
	if got := f.store.eventTypes(r.ID); !slices.Equal(got, []returns.EventType{returns.EventRequested, returns.EventShopifyDeferred, returns.EventShopifyUpdated}) {
		t.Errorf("timeline = %v", got)
	}
}

func TestWritebackLineNotDuplicated(t *testing.T) {
	// An attempt that wrote the note but lost the answer must not write it twice.
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	lost := true
	f.shop.UpdateOrderFn = func(id, note string, tags []string) error {
		if lost {
			lost = false
			f.shop.orders[id].Note = note // written, then the connection dropped
			return errors.New("read tcp: connection reset by peer")
		}
		return nil
	}
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatal(err)
	}
	f.now = serviceNow.Add(time.Minute) // past the write-back's retry time and the note's freshness
	f.writer.Flush(ctx)
	if len(f.shop.updates) != 1 {
		t.Fatalf("%d updates, want 1", len(f.shop.updates))
	}
	if n := strings.Count(f.shop.updates[0].Note, "Return "+r.Code); n != 1 {
		t.Errorf("note holds the line %d times: %q", n, f.shop.updates[0].Note)
	}
	evs, _ := f.store.Events(ctx, r.ID)
	if evs[1].Message != "Shopify order not updated yet, will retry: Internal error." {
		t.Errorf("deferred event message = %q: internal errors must not reach the timeline text", evs[1].Message)
	}
}

func TestCustomerReturn(t *testing.T) {
	ctx := context.Background()
	other := testOrder()
	other.ID, other.Name, other.Email = "gid://shopify/Order/1002", "#1002", "eve@example.lv"
	f := newServiceFixture(t, testOrder(), other)
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatal(err)
	}

	got, evs, err := f.CustomerReturn(ctx, "gid://shopify/Order/1001", r.Code)
	if err != nil || got.ID != r.ID || len(evs) != 2 {
		t.Fatalf("CustomerReturn() = %v, %d events, %v", got, len(evs), err)
	}

	tests := []struct{ name, orderID, code string }{
		{"OtherOrder", "gid://shopify/Order/1002", r.Code},
		{"NoOrder", "", r.Code},
		{"UnknownCode", "gid://shopify/Order/1001", "R-22222222"},
		{"MalformedCode", "gid://shopify/Order/1001", "R-1' OR 1=1"},
		{"LowerCaseCode", "gid://shopify/Order/1001", strings.ToLower(r.Code)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, evs, err := f.CustomerReturn(ctx, tc.orderID, tc.code)
			if got != nil || evs != nil || returns.ErrorCode(err) != returns.ENOTFOUND {
				t.Fatalf("CustomerReturn() = %v, %v, %v; want ENOTFOUND", got, evs, err)
			}
			if msg := returns.ErrorMessage(err).String(); msg != "We could not find that return." {
				t.Errorf("message = %q", msg)
			}
		})
	}
}

func TestCancelReturn(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatal(err)
	}

	if err := f.CancelReturn(ctx, "gid://shopify/Order/1002", r.Code); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("CancelReturn() of another order = %v, want ENOTFOUND", err)
	}
	if err := f.CancelReturn(ctx, "gid://shopify/Order/1001", r.Code); err != nil {
		t.Fatalf("CancelReturn() error = %v", err)
	}
	if got := f.store.returns[0].Status; got != returns.StatusCancelled {
		t.Errorf("status = %s, want cancelled", got)
	}
	evs, _ := f.store.Events(ctx, r.ID)
	last := evs[len(evs)-1]
	if evs[2].Type != returns.EventCancelled || evs[2].Actor != returns.ActorCustomer || evs[2].Status != returns.StatusCancelled {
		t.Errorf("events = %+v", evs)
	}
	if last.Type != returns.EventShopifyUpdated {
		t.Errorf("last event = %s, want the write-back", last.Type)
	}
	u := f.shop.updates[len(f.shop.updates)-1]
	if !strings.HasSuffix(u.Note, "\nReturn "+r.Code+" cancelled by the customer") || !slices.Equal(u.Tags, []string{"returns:cancelled"}) {
		t.Errorf("UpdateOrder note %q tags %q", u.Note, u.Tags)
	}
	if strings.Count(u.Note, "requested:") != 1 {
		t.Errorf("note lost or repeated the request line: %q", u.Note)
	}

	t.Run("Twice", func(t *testing.T) {
		err := f.CancelReturn(ctx, "gid://shopify/Order/1001", r.Code)
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("second CancelReturn() = %v, want ECONFLICT", err)
		}
	})

	t.Run("CancelledUnitsAreFreed", func(t *testing.T) {
		req := damagedRequest()
		req.SubmissionKey = "form-after-cancel-0123"
		req.Quantities = map[string]int{"L1": 2}
		if _, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", req); err != nil {
			t.Errorf("SubmitReturn() after cancel = %v", err)
		}
	})

	for _, status := range []returns.Status{returns.StatusApproved, returns.StatusDeclined, returns.StatusItemReceived, returns.StatusRefunded, returns.StatusClosed} {
		t.Run("While"+string(status), func(t *testing.T) {
			f := newServiceFixture(t, testOrder())
			r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
			if err != nil {
				t.Fatal(err)
			}
			f.store.returns[0].Status = status
			updates := len(f.shop.updates)
			if err := f.CancelReturn(ctx, "gid://shopify/Order/1001", r.Code); returns.ErrorCode(err) != returns.ECONFLICT {
				t.Errorf("CancelReturn() = %v, want ECONFLICT", err)
			}
			if f.store.returns[0].Status != status || len(f.shop.updates) != updates {
				t.Errorf("status %s, %d updates; want unchanged", f.store.returns[0].Status, len(f.shop.updates))
			}
		})
	}
}

func TestReturnByToken(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CancelReturn(ctx, r.OrderID, r.Code); err != nil {
		t.Fatal(err)
	}
	// Each customer email links with a token of its own; the store keeps only
	// their hashes.
	var tokens []string
	for _, e := range f.store.emails {
		m := regexp.MustCompile(`/returns/` + r.Code + `\?t=([0-9a-f]{32})`).FindStringSubmatch(e.Text)
		if e.Kind == returns.EmailStaffNewReturn {
			if m != nil || e.LinkTokenHash != "" {
				t.Errorf("the staff email carries a customer token: %q", e.Text)
			}
			continue
		}
		if m == nil {
			t.Fatalf("%s email has no status link: %q", e.Kind, e.Text)
		}
		if e.LinkTokenHash != returns.HashToken(m[1]) || strings.Contains(e.LinkTokenHash, m[1]) {
			t.Errorf("%s email: token hash %q for token %q", e.Kind, e.LinkTokenHash, m[1])
		}
		tokens = append(tokens, m[1])
	}
	if len(tokens) != 2 || tokens[0] == tokens[1] {
		t.Fatalf("tokens %v, want two different ones (request received, cancelled)", tokens)
	}
	for _, tok := range tokens {
		if got, err := f.ReturnByToken(ctx, tok); err != nil || got.ID != r.ID {
			t.Errorf("ReturnByToken(%s) = %v, %v", tok, got, err)
		}
	}
	for _, tok := range []string{"", "short", returns.NewToken(), tokens[0] + "0", returns.HashToken(tokens[0])[:32]} {
		if _, err := f.ReturnByToken(ctx, tok); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("ReturnByToken(%q) = %v, want ENOTFOUND", tok, err)
		}
	}
}
