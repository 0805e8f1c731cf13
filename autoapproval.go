package returns

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AutoApprovalRule is a rule staff set that approves a new return without
// waiting for them. Its form is fixed, so that anyone can read what it does:
// "approve a return of these kinds, requested within WithinDays days of the
// delivery of every item in it, worth at most MaxAmount". Approving is all a
// rule ever does: refunds and replacements stay with staff.
type AutoApprovalRule struct {
	ID      int64 // numbers the rule among the shop's, for its form
	Name    string
	Enabled bool
	// Deleted marks a rule staff deleted. It is kept, so that its number
	// is never given to another rule: a form still open on the deleted
	// rule cannot edit or delete the rule added after it.
	Deleted bool
	// Dissatisfied covers returns of customers who are not satisfied;
	// Damaged covers damaged items, which stay with staff unless a rule
	// says so here.
	Dissatisfied bool
	Damaged      bool
	// WithinDays is how many days after an item's delivery a return of it
	// may be requested and still be approved: a request at exactly that many
	// days matches, a moment later does not.
	WithinDays int
	// MaxAmount is the most a matching return is worth, in one currency: a
	// return of an order in another currency never matches.
	MaxAmount Money
}

// Limits of an auto-approval rule.
const (
	MaxAutoApprovalRules   = 20
	MaxAutoApprovalDays    = 365
	maxAutoApprovalNameLen = 100
)

// Matches reports whether the rule approves r, a new return of order o
// requested at at: the rule is enabled and covers the return's kind, the
// return is worth at most MaxAmount in the same currency, and every returned
// item was delivered at most WithinDays days before at.
func (rule AutoApprovalRule) Matches(r *Return, o *Order, at time.Time) bool {
	if !rule.Enabled || len(r.Items) == 0 {
		return false
	}
	switch r.Kind {
	case KindDissatisfied:
		if !rule.Dissatisfied {
			return false
		}
	case KindDamaged:
		if !rule.Damaged {
			return false
		}
	default:
		return false
	}
	total := r.Total()
	if !strings.EqualFold(total.Currency, rule.MaxAmount.Currency) || total.Minor > rule.MaxAmount.Minor {
		return false
	}
	for _, it := range r.Items {
		l := o.Line(it.LineItemID)
		// An item with no delivery date has no "days since delivery".
		if l == nil || l.FulfilledAt.IsZero() {
			return false
		}
		// Counted as the return window counts its days (Eligibility).
		if at.After(l.FulfilledAt.AddDate(0, 0, rule.WithinDays)) {
			return false
		}
	}
	return true
}

// MatchingRule returns the first of rules that approves r, a new return of o
// requested at at, or nil when none does.
func MatchingRule(rules []AutoApprovalRule, r *Return, o *Order, at time.Time) *AutoApprovalRule {
	for i := range rules {
		if rules[i].Matches(r, o, at) {
			return &rules[i]
		}
	}
	return nil
}

// AutoApprovalRuleInput is a rule as staff typed it in its form: numbers and
// the amount as text, so that what does not parse comes back with a message
// and what was typed.
type AutoApprovalRuleInput struct {
	ID           int64 // 0 adds a rule
	Name         string
	Enabled      bool
	Dissatisfied bool
	Damaged      bool
	WithinDays   string
	MaxAmount    string
	Currency     string
}

// rule checks the input and returns the rule it describes, or an EINVALID
// error with a message per field.
func (in AutoApprovalRuleInput) rule() (AutoApprovalRule, error) {
	fields := map[string]Message{}
	rule := AutoApprovalRule{
		ID: in.ID, Name: strings.Join(strings.Fields(in.Name), " "), Enabled: in.Enabled,
		Dissatisfied: in.Dissatisfied, Damaged: in.Damaged,
	}
	if rule.Name == "" {
		fields[FieldRuleName] = Msg("Give the rule a name.")
	} else if m := checkText(rule.Name, maxAutoApprovalNameLen); m != nil {
		fields[FieldRuleName] = *m
	}
	if !rule.Dissatisfied && !rule.Damaged {
		fields[FieldRuleKinds] = Msg("Choose at least one kind of return.")
	}
	days, err := strconv.Atoi(strings.TrimSpace(in.WithinDays))
	if err != nil || days < 1 || days > MaxAutoApprovalDays {
		fields[FieldRuleDays] = Msg("Enter a number of days from 1 to %d.", MaxAutoApprovalDays)
	}
	rule.WithinDays = days
	currency := strings.ToUpper(strings.TrimSpace(in.Currency))
	if len(currency) != 3 || strings.Trim(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		fields[FieldRuleCurrency] = Msg("Enter a three-letter currency code, such as EUR.")
	} else if rule.MaxAmount, err = ParseMoney(in.MaxAmount, currency); err != nil {
		fields[FieldRuleMaxAmount] = ErrorMessage(err)
	}
	if err := Invalid(fields); err != nil {
		return AutoApprovalRule{}, err
	}
	return rule, nil
}

// AutoApprovalStore keeps the shop's auto-approval rules, with the settings.
type AutoApprovalStore interface {
	// AutoApprovalRules returns the rules in the order staff made them;
	// none when none were saved.
	AutoApprovalRules(ctx context.Context) ([]AutoApprovalRule, error)
	// SaveAutoApprovalRules replaces the rules, recording who saved them
	// (by) and when (at) in the history of the settings' changes.
	SaveAutoApprovalRules(ctx context.Context, rules []AutoApprovalRule, at time.Time, by string) error
}

// AutoApprovalService keeps the auto-approval rules and applies them: a new
// return that an enabled rule matches is approved right after it is stored,
// through Changes like any approval, by the system, with a timeline event
// naming the rule, the customer's approval email and the write-back to the
// Shopify order. A rule never refunds.
type AutoApprovalService struct {
	store    AutoApprovalStore
	identity ShopIdentityStore // for the currency of a new rule; may be nil
	changes  *Changes
	now      func() time.Time
	log      *slog.Logger

	mu sync.Mutex // a change of the rules: read, changed and saved in one go
}

// NewAutoApprovalService returns an AutoApprovalService. identity, when set,
// gives a new rule the shop's currency.
func NewAutoApprovalService(store AutoApprovalStore, identity ShopIdentityStore, changes *Changes, now func() time.Time, log *slog.Logger) *AutoApprovalService {
	return &AutoApprovalService{store: store, identity: identity, changes: changes, now: now, log: log}
}

// Rules returns the shop's auto-approval rules.
func (s *AutoApprovalService) Rules(ctx context.Context) ([]AutoApprovalRule, error) {
	all, err := s.allRules(ctx)
	if err != nil {
		return nil, err
	}
	var rules []AutoApprovalRule
	for _, r := range all {
		if !r.Deleted {
			rules = append(rules, r)
		}
	}
	return rules, nil
}

// allRules returns the rules, those deleted too.
func (s *AutoApprovalService) allRules(ctx context.Context) ([]AutoApprovalRule, error) {
	rules, err := s.store.AutoApprovalRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("read auto-approval rules: %w", err)
	}
	return rules, nil
}

// NewRuleCurrency is the currency a new rule's form offers: the shop's, or
// EUR while the shop's is not known.
func (s *AutoApprovalService) NewRuleCurrency(ctx context.Context) string {
	if s.identity != nil {
		id, ok, err := s.identity.ShopIdentity(ctx)
		if err == nil && ok && id.Currency != "" {
			return id.Currency
		}
	}
	return "EUR"
}

// SaveRule checks a rule as staff typed it and saves it: a new one (ID 0)
// after the others, or in place of the one with its ID. It returns the rule
// saved.
func (s *AutoApprovalService) SaveRule(ctx context.Context, in AutoApprovalRuleInput, by string) (AutoApprovalRule, error) {
	rule, err := in.rule()
	if err != nil {
		return AutoApprovalRule{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.allRules(ctx)
	if err != nil {
		return AutoApprovalRule{}, err
	}
	i := slices.IndexFunc(all, func(r AutoApprovalRule) bool { return r.ID == rule.ID && !r.Deleted })
	if rule.ID != 0 && i < 0 {
		return AutoApprovalRule{}, errNoRule
	}
	live := 0
	for _, other := range all {
		if other.Deleted {
			continue
		}
		live++
		if other.ID != rule.ID && strings.EqualFold(other.Name, rule.Name) {
			return AutoApprovalRule{}, Invalid(map[string]Message{FieldRuleName: Msg("Another rule has this name; give this one its own.")})
		}
	}
	if rule.ID == 0 {
		if live >= MaxAutoApprovalRules {
			return AutoApprovalRule{}, Errorf(EINVALID, "There can be at most %d rules; delete one first.", MaxAutoApprovalRules)
		}
		// Past every rule ever made, deleted ones too: a number is never
		// given twice.
		for _, other := range all {
			rule.ID = max(rule.ID, other.ID)
		}
		rule.ID++
		all = append(all, rule)
	} else {
		all[i] = rule
	}
	rules := all
	if err := s.store.SaveAutoApprovalRules(ctx, rules, s.now(), by); err != nil {
		return AutoApprovalRule{}, fmt.Errorf("save auto-approval rules: %w", err)
	}
	return rule, nil
}

// errNoRule answers a rule that was deleted meanwhile (in another tab).
var errNoRule = Errorf(ENOTFOUND, "This rule does not exist any more.")

// DeleteRule deletes the rule with id.
func (s *AutoApprovalService) DeleteRule(ctx context.Context, id int64, by string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rules, err := s.allRules(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(rules, func(r AutoApprovalRule) bool { return r.ID == id && !r.Deleted })
	if i < 0 {
		return errNoRule
	}
	// Kept, deleted, so that its number is never given to another rule.
	rules[i].Deleted = true
	if err := s.store.SaveAutoApprovalRules(ctx, rules, s.now(), by); err != nil {
		return fmt.Errorf("save auto-approval rules: %w", err)
	}
	return nil
}

// match returns the enabled rule that approves r, a new return of o, or nil.
// It never fails: rules that cannot be read approve nothing, and the return
// waits for staff as it would without rules. A nil service has no rules.
func (s *AutoApprovalService) match(ctx context.Context, r *Return, o *Order) *AutoApprovalRule {
	if s == nil {
		return nil
	}
	rules, err := s.Rules(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "auto-approval rules not applied; the return waits for staff", "code", r.Code, "err", err)
		return nil
	}
	return MatchingRule(rules, r, o, r.CreatedAt)
}

// approve approves r, just stored as requested, by rule: through Changes, by
// the system, so that it is approved once whatever happens (the move is
// compare-and-set, and the email's dedupe key is the return's approval). A
// failure leaves the return requested for staff and is logged; the customer's
// submission stands.
func (s *AutoApprovalService) approve(ctx context.Context, r *Return, rule *AutoApprovalRule) {
	if s == nil || rule == nil {
		return
	}
	// The return is stored: its approval follows even when the customer's
	// browser goes away meanwhile.
	ctx = context.WithoutCancel(ctx)
	err := s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusApproved, Actor: ActorSystem, Event: EventAutoApproved,
		Msg:   Msg("By the rule “%s”", rule.Name),
		Note:  fmt.Sprintf("%s: approved automatically by the rule “%s” — %s", r.Code, rule.Name, r.summary()),
		Tags:  []string{"returns:approved", "returns:auto-approved"},
		Email: EmailApproved,
	})
	if err != nil {
		s.log.ErrorContext(ctx, "auto-approval failed; the return waits for staff", "code", r.Code, "rule", rule.Name, "err", err)
		return
	}
	s.log.InfoContext(ctx, "return approved automatically", "code", r.Code, "rule", rule.Name)
}
