package returns_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// smallReturnsRule approves a dissatisfaction return within 14 days of
// delivery worth at most €40.
func smallReturnsRule() returns.AutoApprovalRule {
	return returns.AutoApprovalRule{ID: 1, Name: "Small returns", Enabled: true, Dissatisfied: true, WithinDays: 14, MaxAmount: eur(4000)}
}

// ruleReturn is a return of one unit of each of lines of testOrder.
func ruleReturn(kind returns.Kind, lines ...string) *returns.Return {
	o := testOrder()
	r := &returns.Return{Kind: kind, Currency: "EUR"}
	for _, id := range lines {
		l := o.Line(id)
		r.Items = append(r.Items, returns.Item{LineItemID: id, Title: l.Title, Quantity: 1, UnitPrice: l.UnitPrice})
	}
	return r
}

func TestAutoApprovalRuleMatches(t *testing.T) {
	delivered := testOrder().Lines[0].FulfilledAt
	dayN := delivered.AddDate(0, 0, 14)
	tests := []struct {
		name string
		rule func(*returns.AutoApprovalRule)
		ret  func(*returns.Return)
		at   time.Time
		want bool
	}{
		{name: "inside every limit", at: serviceNow, want: true},
		{name: "on day N exactly", at: dayN, want: true},
		{name: "a moment after day N", at: dayN.Add(time.Second), want: false},
		{name: "worth exactly X", ret: func(r *returns.Return) { r.Items[0].UnitPrice = eur(4000) }, at: serviceNow, want: true},
		{name: "worth a cent more than X", ret: func(r *returns.Return) { r.Items[0].UnitPrice = eur(4001) }, at: serviceNow, want: false},
		{name: "X counts every unit", ret: func(r *returns.Return) { r.Items[0].Quantity = 4 }, at: serviceNow, want: false},
		{name: "another currency", ret: func(r *returns.Return) {
			r.Currency = "USD"
			r.Items[0].UnitPrice = returns.Money{Minor: 1200, Currency: "USD"}
		}, at: serviceNow, want: false},
		{name: "currency compared without case", rule: func(x *returns.AutoApprovalRule) { x.MaxAmount.Currency = "eur" }, at: serviceNow, want: true},
		{name: "damaged, rule silent on damage", ret: func(r *returns.Return) { r.Kind = returns.KindDamaged }, at: serviceNow, want: false},
		{name: "damaged, rule says so", rule: func(x *returns.AutoApprovalRule) { x.Damaged = true }, ret: func(r *returns.Return) { r.Kind = returns.KindDamaged }, at: serviceNow, want: true},
		{name: "damaged only, a dissatisfied return", rule: func(x *returns.AutoApprovalRule) { x.Damaged, x.Dissatisfied = true, false }, at: serviceNow, want: false},
		{name: "disabled", rule: func(x *returns.AutoApprovalRule) { x.Enabled = false }, at: serviceNow, want: false},
		{name: "an item not on the order", ret: func(r *returns.Return) { r.Items[0].LineItemID = "L9" }, at: serviceNow, want: false},
		{name: "no items", ret: func(r *returns.Return) { r.Items = nil }, at: serviceNow, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := smallReturnsRule()
			if tt.rule != nil {
				tt.rule(&rule)
			}
			r := ruleReturn(returns.KindDissatisfied, "L1")
			if tt.ret != nil {
				tt.ret(r)
			}
			if got := rule.Matches(r, testOrder(), tt.at); got != tt.want {
				t.Errorf("Matches() = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("every item within N days", func(t *testing.T) {
		o := testOrder()
		o.Lines[1].FulfilledAt = serviceNow.AddDate(0, 0, -20) // the apron came earlier
		r := ruleReturn(returns.KindDissatisfied, "L1", "L2")
		rule := smallReturnsRule()
		rule.MaxAmount = eur(10000)
		if rule.Matches(r, o, serviceNow) {
			t.Error("a return with an item delivered 20 days ago matches a 14-day rule")
		}
		o.Lines[1].FulfilledAt = time.Time{} // not delivered
		if rule.Matches(r, o, serviceNow) {
			t.Error("a return with an item never delivered matches")
		}
	})

	t.Run("the first matching enabled rule approves", func(t *testing.T) {
		off := smallReturnsRule()
		off.ID, off.Name, off.Enabled = 1, "Off", false
		narrow := smallReturnsRule()
		narrow.ID, narrow.Name, narrow.MaxAmount = 2, "Narrow", eur(500)
		wide := smallReturnsRule()
		wide.ID, wide.Name = 3, "Wide"
		second := smallReturnsRule()
		second.ID, second.Name = 4, "Second"
		got := returns.MatchingRule([]returns.AutoApprovalRule{off, narrow, wide, second}, ruleReturn(returns.KindDissatisfied, "L1"), testOrder(), serviceNow)
		if got == nil || got.Name != "Wide" {
			t.Errorf("MatchingRule() = %+v, want Wide", got)
		}
		if got := returns.MatchingRule(nil, ruleReturn(returns.KindDissatisfied, "L1"), testOrder(), serviceNow); got != nil {
			t.Errorf("MatchingRule(no rules) = %+v", got)
		}
	})
}

// memRules is an AutoApprovalStore in memory.
type memRules struct {
	mu    sync.Mutex
	rules []returns.AutoApprovalRule
	saves int
	err   error // answered by AutoApprovalRules when set
}

func (m *memRules) AutoApprovalRules(ctx context.Context) ([]returns.AutoApprovalRule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.rules), m.err
}

func (m *memRules) SaveAutoApprovalRules(ctx context.Context, rules []returns.AutoApprovalRule, at time.Time, by string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rules, m.saves = slices.Clone(rules), m.saves+1
	return nil
}

func validRuleInput() returns.AutoApprovalRuleInput {
	return returns.AutoApprovalRuleInput{Name: " Small  returns ", Enabled: true, Dissatisfied: true, WithinDays: " 14 ", MaxAmount: "40,00", Currency: "eur"}
}

func TestAutoApprovalSaveRule(t *testing.T) {
	ctx := context.Background()
	store := &memRules{}
	s := returns.NewAutoApprovalService(store, nil, nil, func() time.Time { return serviceNow }, quietLog)

	got, err := s.SaveRule(ctx, validRuleInput(), "staff@example.lv")
	if err != nil {
		t.Fatalf("SaveRule() error = %v", err)
	}
	want := returns.AutoApprovalRule{ID: 1, Name: "Small returns", Enabled: true, Dissatisfied: true, WithinDays: 14, MaxAmount: eur(4000)}
	if got != want || len(store.rules) != 1 || store.rules[0] != want {
		t.Errorf("saved %+v, stored %+v; want %+v", got, store.rules, want)
	}

	tests := []struct {
		name   string
		change func(*returns.AutoApprovalRuleInput)
		field  string
		msg    string
	}{
		{"no name", func(in *returns.AutoApprovalRuleInput) { in.Name = "  " }, returns.FieldRuleName, "Give the rule a name."},
		{"a name taken", func(in *returns.AutoApprovalRuleInput) { in.Name = "small RETURNS" }, returns.FieldRuleName, "Another rule has this name; give this one its own."},
		{"no kind", func(in *returns.AutoApprovalRuleInput) { in.Dissatisfied = false }, returns.FieldRuleKinds, "Choose at least one kind of return."},
		{"days not a number", func(in *returns.AutoApprovalRuleInput) { in.WithinDays = "two weeks" }, returns.FieldRuleDays, "Enter a number of days from 1 to 365."},
		{"no days", func(in *returns.AutoApprovalRuleInput) { in.WithinDays = "0" }, returns.FieldRuleDays, "Enter a number of days from 1 to 365."},
		{"too many days", func(in *returns.AutoApprovalRuleInput) { in.WithinDays = "366" }, returns.FieldRuleDays, "Enter a number of days from 1 to 365."},
		{"amount not a number", func(in *returns.AutoApprovalRuleInput) { in.MaxAmount = "forty" }, returns.FieldRuleMaxAmount, "Enter an amount like 29.00."},
		{"amount with too many decimals", func(in *returns.AutoApprovalRuleInput) { in.MaxAmount = "40.001" }, returns.FieldRuleMaxAmount, "Use at most 2 decimal places."},
		{"no currency", func(in *returns.AutoApprovalRuleInput) { in.Currency = "" }, returns.FieldRuleCurrency, "Enter a three-letter currency code, such as EUR."},
		{"not a currency code", func(in *returns.AutoApprovalRuleInput) { in.Currency = "€" }, returns.FieldRuleCurrency, "Enter a three-letter currency code, such as EUR."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validRuleInput()
			in.Name = "Another"
			tt.change(&in)
			saves := store.saves
			_, err := s.SaveRule(ctx, in, "staff@example.lv")
			if got := returns.ErrorFields(err)[tt.field].String(); got != tt.msg {
				t.Errorf("%s = %q (err %v), want %q", tt.field, got, err, tt.msg)
			}
			if store.saves != saves {
				t.Error("an invalid rule was saved")
			}
		})
	}

	t.Run("edit in place, then add after it, then delete", func(t *testing.T) {
		in := validRuleInput()
		in.ID, in.Damaged, in.Enabled = 1, true, false
		if _, err := s.SaveRule(ctx, in, "staff@example.lv"); err != nil {
			t.Fatal(err)
		}
		in = validRuleInput()
		in.Name = "Second"
		second, err := s.SaveRule(ctx, in, "staff@example.lv")
		if err != nil {
			t.Fatal(err)
		}
		rules, _ := s.Rules(ctx)
		if len(rules) != 2 || rules[0].ID != 1 || !rules[0].Damaged || rules[0].Enabled || rules[1].ID != 2 || second.ID != 2 {
			t.Fatalf("rules = %+v", rules)
		}
		if err := s.DeleteRule(ctx, 1, "staff@example.lv"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRule(ctx, 1, "staff@example.lv"); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("deleting it again: %v, want ENOTFOUND", err)
		}
		in.ID = 1
		if _, err := s.SaveRule(ctx, in, "staff@example.lv"); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("saving a deleted rule: %v, want ENOTFOUND", err)
		}
		// A new rule never takes the number of one deleted before it
		// unless it was the last.
		in = validRuleInput()
		in.Name = "Third"
		third, err := s.SaveRule(ctx, in, "staff@example.lv")
		if err != nil || third.ID != 3 {
			t.Errorf("third rule %+v, %v; want ID 3", third, err)
		}
		// The last one deleted: the next rule still gets a number of its
		// own, so a form left open on the deleted one cannot edit it.
		if err := s.DeleteRule(ctx, 3, "staff@example.lv"); err != nil {
			t.Fatal(err)
		}
		in = validRuleInput()
		in.Name = "Fourth"
		fourth, err := s.SaveRule(ctx, in, "staff@example.lv")
		if err != nil || fourth.ID != 4 {
			t.Errorf("fourth rule %+v, %v; want ID 4, not the deleted rule's 3", fourth, err)
		}
		stale := validRuleInput()
		stale.ID, stale.Name = 3, "Third"
		if _, err := s.SaveRule(ctx, stale, "staff@example.lv"); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("an old form of the deleted rule: %v, want ENOTFOUND", err)
		}
		if rules, _ := s.Rules(ctx); len(rules) != 2 || rules[1].ID != 4 || rules[1].Name != "Fourth" {
			t.Errorf("rules = %+v, want Second and Fourth", rules)
		}
	})
}

// autoFixture is a CustomerService over fakes with auto-approval rules.
type autoFixture struct {
	*serviceFixture
	rules *memRules
}

func newAutoFixture(t *testing.T, log *slog.Logger, store *memStore, rules ...returns.AutoApprovalRule) *autoFixture {
	t.Helper()
	f := newServiceFixtureLog(t, log, testOrder())
	if store != nil {
		f.store = store
	}
	now := func() time.Time { return f.now }
	settings := returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) {
		st := returns.DefaultSettings()
		st.StaffEmail = "staff@example.lv"
		return st, nil
	}), now)
	mailer := returns.NewMailer(textEmails{}, settings, "https://returns.example.com", nil, now, quietLog)
	f.writer = returns.NewOrderWriter(f.shop, f.store, returns.NewOrderCache(), now, quietLog)
	f.changes = returns.NewChanges(f.store, f.store, mailer, f.writer, now, quietLog)
	mr := &memRules{rules: rules}
	auto := returns.NewAutoApprovalService(mr, nil, f.changes, now, log)
	f.CustomerService = returns.NewCustomerService(returns.CustomerDeps{
		Shop: f.shop, Returns: f.store, Access: f.store, Timeline: f.store,
		Settings: settings, Changes: f.changes, Orders: returns.NewOrderCache(), AutoApproval: auto, Now: now, Log: log,
	})
	return &autoFixture{serviceFixture: f, rules: mr}
}

func dissatisfiedRequest() returns.ReturnRequest {
	return returns.ReturnRequest{
		SubmissionKey: "form-0123456789abcdef",
		Kind:          returns.KindDissatisfied,
		Reason:        returns.ReasonDoesntFit,
		Quantities:    map[string]int{"L1": 1},
		Locale:        "lv",
	}
}

// emailKinds lists the kinds of the emails queued for a return, in order.
func (m *memStore) emailKinds(returnID int64) []returns.EmailKind {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []returns.EmailKind
	for _, e := range m.emails {
		if e.ReturnID == returnID {
			out = append(out, e.Kind)
		}
	}
	return out
}

func TestSubmitReturnAutoApproved(t *testing.T) {
	ctx := context.Background()
	f := newAutoFixture(t, quietLog, nil, smallReturnsRule())
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", dissatisfiedRequest())
	if err != nil {
		t.Fatalf("SubmitReturn() error = %v", err)
	}
	if r.Status != returns.StatusApproved {
		t.Errorf("status %s, want approved", r.Status)
	}
	evs, _ := f.store.Events(ctx, r.ID)
	var auto []returns.Event
	for _, ev := range evs {
		if ev.Type == returns.EventAutoApproved {
			auto = append(auto, ev)
		}
	}
	if len(auto) != 1 || auto[0].Actor != returns.ActorSystem || auto[0].Status != returns.StatusApproved || auto[0].Message != "By the rule “Small returns”" {
		t.Errorf("auto-approval events = %+v, want one by the system naming the rule", auto)
	}
	wantEmails := []returns.EmailKind{returns.EmailRequestReceived, returns.EmailStaffNewReturn, returns.EmailApproved}
	if got := f.store.emailKinds(r.ID); !slices.Equal(got, wantEmails) {
		t.Errorf("emails = %v, want %v", got, wantEmails)
	}
	// The write-back is a staff approval's: a note line and the tag.
	if len(f.shop.updates) != 2 {
		t.Fatalf("order updates = %+v, want the request's and the approval's", f.shop.updates)
	}
	u := f.shop.updates[1]
	if !strings.Contains(u.Note, r.Code+": approved automatically by the rule “Small returns”") || !slices.Contains(u.Tags, "returns:approved") {
		t.Errorf("approval write-back = %+v", u)
	}

	t.Run("the same form again approves nothing more", func(t *testing.T) {
		again, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", dissatisfiedRequest())
		if err != nil || again.ID != r.ID {
			t.Fatalf("second SubmitReturn() = %+v, %v", again, err)
		}
		if got := f.store.emailKinds(r.ID); !slices.Equal(got, wantEmails) {
			t.Errorf("emails = %v, want %v", got, wantEmails)
		}
		got := f.store.eventTypes(r.ID)
		if n := len(slices.DeleteFunc(slices.Clone(got), func(e returns.EventType) bool { return e != returns.EventAutoApproved })); n != 1 {
			t.Errorf("timeline = %v: approved twice", got)
		}
	})
}

func TestSubmitReturnNotAutoApproved(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		rules []returns.AutoApprovalRule
		req   func(*returns.ReturnRequest)
		err   error
	}{
		{name: "no rules"},
		{name: "worth more than X", rules: []returns.AutoApprovalRule{smallReturnsRule()}, req: func(r *returns.ReturnRequest) { r.Quantities = map[string]int{"L1": 2, "L2": 1} }},
		{name: "damaged, rule silent on damage", rules: []returns.AutoApprovalRule{smallReturnsRule()}, req: func(r *returns.ReturnRequest) {
			*r = damagedRequest()
			r.Photos = nil
		}},
		{name: "rules unreadable", rules: []returns.AutoApprovalRule{smallReturnsRule()}, err: errors.New("disk I/O error")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAutoFixture(t, quietLog, nil, tt.rules...)
			f.rules.err = tt.err
			req := dissatisfiedRequest()
			if tt.req != nil {
				tt.req(&req)
			}
			r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", req)
			if err != nil {
				t.Fatalf("SubmitReturn() error = %v", err)
			}
			if r.Status != returns.StatusRequested || slices.Contains(f.store.emailKinds(r.ID), returns.EmailApproved) {
				t.Errorf("status %s, emails %v; want requested, no approval", r.Status, f.store.emailKinds(r.ID))
			}
		})
	}
}

// failingTransitions is a memStore whose status changes fail.
type failingTransitions struct{ *memStore }

func (failingTransitions) Transition(ctx context.Context, c returns.Change) error {
	return errors.New("database is locked")
}

// TestSubmitReturnAutoApprovalFails: an approval that fails leaves the return
// requested for staff, says so in the log, and the customer's submission
// stands.
func TestSubmitReturnAutoApprovalFails(t *testing.T) {
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	f := newAutoFixture(t, log, nil, smallReturnsRule())
	store := failingTransitions{f.store}
	auto := returns.NewAutoApprovalService(f.rules, nil, returns.NewChanges(f.store, store, returns.NewMailer(textEmails{}, returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }), time.Now), "", nil, time.Now, quietLog), f.writer, time.Now, quietLog), time.Now, log)
	settings := returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }), time.Now)
	cs := returns.NewCustomerService(returns.CustomerDeps{
		Shop: f.shop, Returns: f.store, Access: f.store, Timeline: f.store,
		Settings: settings, Changes: f.changes, Orders: returns.NewOrderCache(), AutoApproval: auto, Now: func() time.Time { return serviceNow }, Log: log,
	})
	r, err := cs.SubmitReturn(context.Background(), "gid://shopify/Order/1001", dissatisfiedRequest())
	if err != nil {
		t.Fatalf("SubmitReturn() error = %v, want the return", err)
	}
	stored, _ := f.store.ReturnByID(context.Background(), r.ID)
	if r.Status != returns.StatusRequested || stored.Status != returns.StatusRequested {
		t.Errorf("status %s (stored %s), want requested", r.Status, stored.Status)
	}
	if !strings.Contains(logged.String(), "auto-approval failed") || !strings.Contains(logged.String(), r.Code) {
		t.Errorf("log = %q, want the failure with the return's code", logged.String())
	}
}
