package returns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// CheckState is how one line of the connection checklist came out.
type CheckState string

const (
	// CheckOK: as the portal needs it.
	CheckOK CheckState = "ok"
	// CheckWarn: the portal works, but something should be looked at.
	CheckWarn CheckState = "warn"
	// CheckFail: the portal cannot work until it is fixed.
	CheckFail CheckState = "fail"
)

// CheckLine is one line of the connection checklist: what was checked, how
// it came out, what was found and, unless it is fine, what to do about it.
type CheckLine struct {
	Name   Message
	State  CheckState
	Detail Message
	Fix    Message // none when its Format is ""
}

// HasFix reports whether the line says how to fix it.
func (l CheckLine) HasFix() bool { return l.Fix.Format != "" }

// ConnectionReport is the connection checklist: what ShopCheck found, judged
// against what the portal needs.
type ConnectionReport struct {
	CheckedAt time.Time
	// Reached is whether the shop answered at all; Shop is its identity then.
	Reached bool
	Shop    ShopIdentity
	Lines   []CheckLine
	// Err is why the shop was not reached, for the log and the command
	// line; pages show the lines only.
	Err error
}

// Usable reports whether the portal can work: no line failed.
func (r *ConnectionReport) Usable() bool {
	if !r.Reached {
		return false
	}
	for _, l := range r.Lines {
		if l.State == CheckFail {
			return false
		}
	}
	return true
}

// String is the checklist as text, for the command line and the log.
func (r *ConnectionReport) String() string {
	var b strings.Builder
	mark := map[CheckState]string{CheckOK: "ok  ", CheckWarn: "warn", CheckFail: "FAIL"}
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "[%s] %s: %s\n", mark[l.State], l.Name, l.Detail)
		if l.HasFix() {
			fmt.Fprintf(&b, "       fix: %s\n", l.Fix)
		}
	}
	if r.Usable() {
		b.WriteString("The portal can work with this shop.\n")
	} else {
		b.WriteString("The portal cannot work with this shop until the lines marked FAIL are fixed.\n")
	}
	return b.String()
}

// ConnectionNeeds is what the checklist judges a ShopCheck against.
type ConnectionNeeds struct {
	// Scopes are the access scopes the portal asks for; RequiredScopes.
	Scopes []ScopeRequirement
	// WebhookURI is where Shopify must deliver webhooks: BASE_URL and the
	// webhook path. Empty when the portal has no public address (then the
	// webhook line only lists what exists).
	WebhookURI string
	// WebhookTopics are the topics the portal subscribes to.
	WebhookTopics []string
	// Now is the time expiries are told against.
	Now time.Time
}

// JudgeConnection turns what ShopCheck found (or its error: the shop not
// reached) into the checklist.
func JudgeConnection(chk *ShopCheck, err error, need ConnectionNeeds) ConnectionReport {
	r := ConnectionReport{CheckedAt: need.Now}
	if err != nil || chk == nil {
		r.Err = err
		r.Lines = append(r.Lines, unreachedLine(err))
		return r
	}
	r.CheckedAt, r.Reached, r.Shop = chk.CheckedAt, true, chk.Shop
	r.Lines = append(r.Lines,
		shopLine(chk.Shop),
		tokenLine(chk.Token, need.Now),
	)
	r.Lines = append(r.Lines, scopeLines(chk, need.Scopes)...)
	r.Lines = append(r.Lines, emailLine(chk), versionLine(chk), webhookLine(chk, need))
	return r
}

func unreachedLine(err error) CheckLine {
	l := CheckLine{Name: Msg("Shop reached"), State: CheckFail}
	var denied *ShopDenied
	switch {
	case errors.As(err, &denied) && denied.Cause == DeniedToken:
		l.Detail = Msg("Shopify refused the portal’s credentials: %s", denied.Detail)
		l.Fix = Msg("check SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET against the app’s Settings in the Dev Dashboard (or SHOPIFY_ACCESS_TOKEN for an app made in the Shopify admin), and that the app is installed on this store")
	case errors.As(err, &denied) && denied.Cause == DeniedUninstalled:
		l.Detail = Msg("the app is not installed on the shop")
		l.Fix = Msg("install the app on the store again from the Dev Dashboard (Home → Install app)")
	default:
		l.Detail = Msg("Shopify did not answer: %s", ErrorMessage(err))
		l.Fix = Msg("check SHOPIFY_SHOP (the store’s myshopify name) and the network; Shopify’s status is at https://www.shopifystatus.com")
	}
	return l
}

func shopLine(s ShopIdentity) CheckLine {
	d := Msg("%s (%s), currency %s, time zone %s", s.Name, s.MyshopifyDomain, s.Currency, s.TimeZone)
	if s.PrimaryDomainHost != "" && s.PrimaryDomainHost != s.MyshopifyDomain {
		d = Msg("%s (%s), storefront %s, currency %s, time zone %s", s.Name, s.MyshopifyDomain, s.PrimaryDomainHost, s.Currency, s.TimeZone)
	}
	return CheckLine{Name: Msg("Shop reached"), State: CheckOK, Detail: d}
}

func tokenLine(t ShopToken, now time.Time) CheckLine {
	l := CheckLine{Name: Msg("Access token"), State: CheckOK}
	switch {
	case t.Kind == TokenClientCredentials && !t.ExpiresAt.IsZero():
		l.Detail = Msg("from the client credentials grant of a Dev Dashboard app, expires %s (in %s); the portal renews it before then",
			t.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"), t.ExpiresAt.Sub(now).Round(time.Minute).String())
	case t.Kind == TokenClientCredentials:
		l.Detail = Msg("from the client credentials grant of a Dev Dashboard app")
	default:
		l.Detail = Msg("a static token of an app made in the Shopify admin; it does not expire")
	}
	return l
}

func scopeLines(chk *ShopCheck, reqs []ScopeRequirement) []CheckLine {
	var granted []string
	for _, r := range reqs {
		if chk.HasScope(r.Handle) {
			granted = append(granted, r.Handle)
		}
	}
	lines := []CheckLine{{Name: Msg("Access scopes"), State: CheckOK,
		Detail: Msg("granted: %s", strings.Join(chk.Scopes, ", "))}}
	for _, m := range chk.MissingScopes(reqs) {
		l := CheckLine{Name: Msg("Access scope %s", m.Handle), State: CheckFail,
			Detail: Msg("missing; the portal needs it to %s", Msg(m.Reason)),
			Fix:    Msg("add %s to the app’s scopes (Dev Dashboard → the app → Versions → Access scopes, or access_scopes in shopify.app.toml), release the version and accept it on the store", m.Handle)}
		lines = append(lines, l)
	}
	if len(lines) == 1 && len(granted) == 0 {
		lines[0].Detail = Msg("none granted")
	}
	return lines
}

func emailLine(chk *ShopCheck) CheckLine {
	l := CheckLine{Name: Msg("Order emails")}
	switch chk.Emails {
	case EmailsVisible:
		l.State, l.Detail = CheckOK, Msg("visible (order %s came with its email)", chk.EmailsOrder)
	case EmailsHidden:
		l.State = CheckFail
		l.Detail = Msg("hidden by Shopify’s protected customer data rules (order %s came without its email): customers cannot find their orders", chk.EmailsOrder)
		l.Fix = Msg("in the Dev Dashboard, request access to protected customer data for the app, with the Email field (level 2), then release and install again")
	default:
		l.State, l.Detail = CheckWarn, Msg("could not tell")
		if chk.EmailsProblem != "" {
			l.Detail = Msg("could not tell: %s", chk.EmailsProblem)
		}
		l.Fix = Msg("try again once the store has an order with an email")
	}
	return l
}

func versionLine(chk *ShopCheck) CheckLine {
	l := CheckLine{Name: Msg("API version"), State: CheckOK, Detail: Msg("%s requested and answered", chk.APIVersionRequested)}
	if chk.APIVersionAnswered != "" && chk.APIVersionAnswered != chk.APIVersionRequested {
		l.State = CheckWarn
		l.Detail = Msg("%s requested, Shopify answered %s: the requested version is no longer supported", chk.APIVersionRequested, chk.APIVersionAnswered)
		l.Fix = Msg("update the portal; until then Shopify answers in the newer version, which may differ")
	}
	return l
}

func webhookLine(chk *ShopCheck, need ConnectionNeeds) CheckLine {
	l := CheckLine{Name: Msg("Webhooks"), State: CheckOK}
	var missing, elsewhere []string
	for _, topic := range need.WebhookTopics {
		found, atPortal := false, false
		for _, w := range chk.Webhooks {
			if w.Topic != topic {
				continue
			}
			found = true
			if need.WebhookURI == "" || w.URI == need.WebhookURI {
				atPortal = true
			}
		}
		switch {
		case !found:
			missing = append(missing, topic)
		case !atPortal:
			elsewhere = append(elsewhere, topic)
		}
	}
	switch {
	case len(missing) == 0 && len(elsewhere) == 0 && need.WebhookURI == "":
		l.Detail = Msg("%s delivered to the portal", strings.Join(need.WebhookTopics, ", "))
		return l
	case len(missing) == 0 && len(elsewhere) == 0:
		l.Detail = Msg("%s delivered to %s", strings.Join(need.WebhookTopics, ", "), need.WebhookURI)
		return l
	case len(elsewhere) == 0:
		l.Detail = Msg("not subscribed: %s (the portal still reads Shopify every 15 minutes for refunds and returns changed in Shopify admin)", strings.Join(missing, ", "))
	case len(missing) == 0:
		l.Detail = Msg("delivered elsewhere than %s: %s (the portal still reads Shopify every 15 minutes for refunds and returns changed in Shopify admin)", need.WebhookURI, strings.Join(elsewhere, ", "))
	default:
		l.Detail = Msg("not subscribed: %s; delivered elsewhere than %s: %s (the portal still reads Shopify every 15 minutes for refunds and returns changed in Shopify admin)", strings.Join(missing, ", "), need.WebhookURI, strings.Join(elsewhere, ", "))
	}
	l.State = CheckWarn
	l.Fix = Msg("start the portal with BASE_URL set to its public address: it subscribes at start; a subscription to another address is left for you to delete in the Dev Dashboard if it is an old one")
	return l
}

// ShopChecker reads the facts of the connection to the shop; the Shopify
// client is one.
type ShopChecker interface {
	Check(ctx context.Context) (*ShopCheck, error)
}

// ShopIdentityStore keeps the shop's identity, so that pages and emails have
// it while Shopify is not reachable.
type ShopIdentityStore interface {
	// ShopIdentity returns the identity saved last, and false when none was.
	ShopIdentity(ctx context.Context) (ShopIdentity, bool, error)
	SaveShopIdentity(ctx context.Context, id ShopIdentity, at time.Time) error
}

// ConnectionService checks the connection to the shop, keeps the last
// checklist for staff, and keeps the shop's identity.
type ConnectionService struct {
	checker ShopChecker
	store   ShopIdentityStore
	need    ConnectionNeeds
	now     func() time.Time
	log     *slog.Logger
	// reached is called after every check that reached the shop: the app is
	// installed (again).
	reached func(ctx context.Context)

	mu   sync.Mutex
	last *ConnectionReport
	id   *ShopIdentity
}

// ConnectionDeps are what a ConnectionService needs. Need.Now is ignored:
// the service tells time by Now.
type ConnectionDeps struct {
	Checker ShopChecker
	Store   ShopIdentityStore
	Need    ConnectionNeeds
	Now     func() time.Time
	Log     *slog.Logger
	// Reached, when set, is called after a check that reached the shop.
	Reached func(ctx context.Context)
}

// NewConnectionService returns a ConnectionService over d.
func NewConnectionService(d ConnectionDeps) *ConnectionService {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &ConnectionService{checker: d.Checker, store: d.Store, need: d.Need, now: d.Now, log: d.Log, reached: d.Reached}
}

// Check asks the shop now, keeps the checklist and, when the shop was
// reached, saves its identity. The error is only the identity's saving; the
// shop not being reached is a line of the checklist.
func (s *ConnectionService) Check(ctx context.Context) (ConnectionReport, error) {
	chk, err := s.checker.Check(ctx)
	need := s.need
	need.Now = s.now()
	r := JudgeConnection(chk, err, need)
	s.mu.Lock()
	s.last = &r
	s.mu.Unlock()
	if !r.Reached {
		return r, nil
	}
	if s.reached != nil {
		s.reached(ctx)
	}
	s.mu.Lock()
	same := s.id != nil && *s.id == r.Shop
	s.mu.Unlock()
	if same {
		return r, nil
	}
	if err := s.store.SaveShopIdentity(ctx, r.Shop, r.CheckedAt); err != nil {
		return r, fmt.Errorf("save shop identity: %w", err)
	}
	s.mu.Lock()
	id := r.Shop
	s.id = &id
	s.mu.Unlock()
	return r, nil
}

// Last returns the checklist of the last check, and false before the first.
func (s *ConnectionService) Last() (ConnectionReport, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return ConnectionReport{}, false
	}
	r := *s.last
	r.Lines = slices.Clone(r.Lines)
	return r, true
}

// Identity returns the shop's identity as last read from Shopify, and false
// when it never was.
func (s *ConnectionService) Identity(ctx context.Context) (ShopIdentity, bool, error) {
	s.mu.Lock()
	if s.id != nil {
		id := *s.id
		s.mu.Unlock()
		return id, true, nil
	}
	s.mu.Unlock()
	id, ok, err := s.store.ShopIdentity(ctx)
	if err != nil || !ok {
		return id, ok, err
	}
	s.mu.Lock()
	s.id = &id
	s.mu.Unlock()
	return id, true, nil
}

// Run checks the connection every interval until ctx ends, so that the
// staff's page and the token's expiry stay current. The first check is the
// caller's, at start.
func (s *ConnectionService) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r, err := s.Check(ctx)
			if err != nil {
				s.log.ErrorContext(ctx, "shopify check", "err", err)
			}
			if !r.Usable() {
				s.log.WarnContext(ctx, "shopify check: the portal cannot work with the shop", "checklist", r.String())
			}
		}
	}
}
