package returns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var checkNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

const testHookURI = "https://returns.example.com/webhooks/shopify"

// healthyCheck is what a well set up shop answers.
func healthyCheck() *ShopCheck {
	return &ShopCheck{
		CheckedAt: checkNow,
		Shop: ShopIdentity{Name: "Linen & Co", MyshopifyDomain: "linen-co.myshopify.com",
			PrimaryDomainURL: "https://linen.example", PrimaryDomainHost: "linen.example", Currency: "EUR", TimeZone: "Europe/Riga"},
		Token:               ShopToken{Kind: TokenClientCredentials, ObtainedAt: checkNow, ExpiresAt: checkNow.Add(24 * time.Hour)},
		Scopes:              []string{"write_orders", "read_all_orders", "read_products", "write_returns", "read_locations", "write_draft_orders", "read_fulfillments", "read_inventory"},
		Emails:              EmailsVisible,
		EmailsOrder:         "#1005",
		APIVersionRequested: "2026-04",
		APIVersionAnswered:  "2026-04",
		Webhooks: []ShopWebhook{
			{ID: "gid://shopify/WebhookSubscription/1", Topic: TopicRefundsCreate, URI: testHookURI},
			{ID: "gid://shopify/WebhookSubscription/2", Topic: TopicOrdersUpdated, URI: testHookURI},
			{ID: "gid://shopify/WebhookSubscription/3", Topic: TopicAppUninstalled, URI: testHookURI},
		},
	}
}

func testNeeds() ConnectionNeeds {
	return ConnectionNeeds{Scopes: RequiredScopes, WebhookURI: testHookURI,
		WebhookTopics: []string{TopicRefundsCreate, TopicOrdersUpdated, TopicAppUninstalled}, Now: checkNow}
}

func lineNamed(t *testing.T, r ConnectionReport, name string) CheckLine {
	t.Helper()
	for _, l := range r.Lines {
		if l.Name.String() == name {
			return l
		}
	}
	t.Fatalf("no line %q in\n%s", name, r.String())
	return CheckLine{}
}

func TestJudgeConnectionHealthy(t *testing.T) {
	r := JudgeConnection(healthyCheck(), nil, testNeeds())
	if !r.Usable() {
		t.Fatalf("a healthy shop is not usable:\n%s", r.String())
	}
	for _, l := range r.Lines {
		if l.State != CheckOK {
			t.Errorf("line %q is %s, want ok: %s", l.Name, l.State, l.Detail)
		}
	}
	// read_orders is granted by write_orders, as Shopify treats them.
	if got := lineNamed(t, r, "Shop reached").Detail.String(); !strings.Contains(got, "Linen & Co (linen-co.myshopify.com)") || !strings.Contains(got, "Europe/Riga") || !strings.Contains(got, "EUR") {
		t.Errorf("shop line %q does not name the shop, its currency and time zone", got)
	}
	if got := lineNamed(t, r, "Access token").Detail.String(); !strings.Contains(got, "expires 2026-12-01 12:00 UTC (in 24h0m0s)") {
		t.Errorf("token line %q does not say when the token expires", got)
	}
}

func TestJudgeConnectionNamesWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name     string
		change   func(*ShopCheck)
		line     string
		state    CheckState
		usable   bool
		contains []string
	}{
		{"a required scope missing", func(c *ShopCheck) { c.Scopes = []string{"write_orders", "read_products"} },
			"Access scope read_all_orders", CheckFail, false, []string{"older than 60 days", "add read_all_orders"}},
		{"emails hidden", func(c *ShopCheck) { c.Emails, c.EmailsOrder = EmailsHidden, "#1004" },
			"Order emails", CheckFail, false, []string{"#1004", "protected customer data"}},
		{"emails unknown", func(c *ShopCheck) {
			c.Emails, c.EmailsProblem = EmailsUnknown, "none of the 10 newest orders has an email"
		},
			"Order emails", CheckWarn, true, []string{"none of the 10 newest"}},
		{"the version fell forward", func(c *ShopCheck) { c.APIVersionAnswered = "2026-07" },
			"API version", CheckWarn, true, []string{"2026-04 requested, Shopify answered 2026-07"}},
		{"no webhooks", func(c *ShopCheck) { c.Webhooks = nil },
			"Webhooks", CheckWarn, true, []string{"not subscribed: refunds/create, orders/updated, app/uninstalled"}},
		{"a webhook elsewhere", func(c *ShopCheck) { c.Webhooks[1].URI = "https://old.example.com/hooks" },
			"Webhooks", CheckWarn, true, []string{"delivered elsewhere than " + testHookURI + ": orders/updated"}},
		{"a static token", func(c *ShopCheck) { c.Token = ShopToken{Kind: TokenStatic} },
			"Access token", CheckOK, true, []string{"does not expire"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chk := healthyCheck()
			tc.change(chk)
			r := JudgeConnection(chk, nil, testNeeds())
			l := lineNamed(t, r, tc.line)
			if l.State != tc.state {
				t.Errorf("line %q is %s, want %s", tc.line, l.State, tc.state)
			}
			if r.Usable() != tc.usable {
				t.Errorf("Usable = %v, want %v", r.Usable(), tc.usable)
			}
			text := l.Detail.String() + " / " + l.Fix.String()
			for _, s := range tc.contains {
				if !strings.Contains(text, s) {
					t.Errorf("line %q says %q; want it to contain %q", tc.line, text, s)
				}
			}
			if tc.state != CheckOK && !l.HasFix() {
				t.Errorf("line %q is %s but says no fix", tc.line, tc.state)
			}
		})
	}
}

func TestJudgeConnectionUnreached(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"credentials refused", fmt.Errorf("token: %w", &ShopDenied{Cause: DeniedToken, Detail: "invalid_client: Client authentication failed"}),
			"SHOPIFY_CLIENT_SECRET"},
		{"not installed", &ShopDenied{Cause: DeniedUninstalled}, "install the app"},
		{"down", Errorf(EUNAVAILABLE, "The store cannot be reached right now."), "SHOPIFY_SHOP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := JudgeConnection(nil, tc.err, testNeeds())
			if r.Usable() || r.Reached {
				t.Fatalf("a shop not reached is usable")
			}
			if !errors.Is(r.Err, tc.err) {
				t.Errorf("Err = %v, want the check's error", r.Err)
			}
			if l := lineNamed(t, r, "Shop reached"); l.State != CheckFail || !strings.Contains(l.Fix.String(), tc.want) {
				t.Errorf("line %+v; want a failure whose fix mentions %q", l, tc.want)
			}
			if !strings.Contains(r.String(), "cannot work") {
				t.Errorf("checklist does not say the portal cannot work:\n%s", r.String())
			}
		})
	}
}

type fakeChecker struct {
	chk *ShopCheck
	err error
}

func (f *fakeChecker) Check(context.Context) (*ShopCheck, error) { return f.chk, f.err }

type memIdentity struct {
	id    *ShopIdentity
	saves int
}

func (m *memIdentity) ShopIdentity(context.Context) (ShopIdentity, bool, error) {
	if m.id == nil {
		return ShopIdentity{}, false, nil
	}
	return *m.id, true, nil
}

func (m *memIdentity) SaveShopIdentity(_ context.Context, id ShopIdentity, _ time.Time) error {
	m.id = &id
	m.saves++
	return nil
}

func TestConnectionServiceKeepsIdentity(t *testing.T) {
	ctx := context.Background()
	checker := &fakeChecker{err: Errorf(EUNAVAILABLE, "down")}
	store := &memIdentity{}
	reached := 0
	svc := NewConnectionService(ConnectionDeps{Checker: checker, Store: store, Need: testNeeds(),
		Now: func() time.Time { return checkNow }, Reached: func(context.Context) { reached++ }})

	if _, ok := svc.Last(); ok {
		t.Fatal("Last before any check")
	}
	r, err := svc.Check(ctx)
	if err != nil || r.Usable() || reached != 0 || store.saves != 0 {
		t.Fatalf("unreached check: usable %v, err %v, reached %d, saves %d", r.Usable(), err, reached, store.saves)
	}
	if _, ok, _ := svc.Identity(ctx); ok {
		t.Fatal("identity known before the shop was ever reached")
	}

	checker.chk, checker.err = healthyCheck(), nil
	for range 2 {
		if _, err := svc.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if reached != 2 {
		t.Errorf("Reached called %d times, want once per check that reached the shop (2)", reached)
	}
	if store.saves != 1 {
		t.Errorf("identity saved %d times, want once while it did not change", store.saves)
	}
	last, ok := svc.Last()
	if !ok || !last.Usable() {
		t.Fatalf("Last = %+v, %v", last, ok)
	}

	// A new service (a restart) knows the identity before any check.
	again := NewConnectionService(ConnectionDeps{Checker: checker, Store: store, Need: testNeeds(), Now: func() time.Time { return checkNow }})
	id, ok, err := again.Identity(ctx)
	if err != nil || !ok || id.Name != "Linen & Co" || id.TimeZone != "Europe/Riga" {
		t.Fatalf("Identity after restart = %+v, %v, %v", id, ok, err)
	}
}

// TestAppTOMLDeclaresWhatThePortalNeeds keeps shopify.app.toml, which
// merchants deploy with Shopify CLI, in step with the scopes the check asks
// for and the topics the portal subscribes to.
func TestAppTOMLDeclaresWhatThePortalNeeds(t *testing.T) {
	b, err := os.ReadFile("shopify.app.toml")
	if err != nil {
		t.Fatal(err)
	}
	toml := string(b)
	m := regexp.MustCompile(`(?m)^scopes = "([^"]*)"`).FindStringSubmatch(toml)
	if m == nil {
		t.Fatal("no scopes line")
	}
	var want []string
	for _, r := range RequiredScopes {
		want = append(want, r.Handle)
	}
	if m[1] != strings.Join(want, ",") {
		t.Errorf("shopify.app.toml scopes %q, want %q", m[1], strings.Join(want, ","))
	}
	topics := regexp.MustCompile(`(?m)^\s*topics = \[(.*)\]`).FindStringSubmatch(toml)
	if topics == nil || topics[1] != `"`+strings.Join(SubscribedTopics, `", "`)+`"` {
		t.Errorf("shopify.app.toml topics %q, want %q", topics, SubscribedTopics)
	}
	for _, c := range []string{TopicCustomersDataRequest, TopicCustomersRedact, TopicShopRedact} {
		if !strings.Contains(toml, `"`+c+`"`) {
			t.Errorf("shopify.app.toml does not declare the compliance topic %s", c)
		}
	}
}
