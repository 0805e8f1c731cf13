package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/shopify"
)

const staffPassword = "a long staff password"

// staff creates a staff account and returns a client signed in as it.
func (h *harness) staff(email string) *http.Client {
	h.t.Helper()
	if _, err := h.app.Accounts.CreateStaff(context.Background(), email, staffPassword); err != nil {
		h.t.Fatal(err)
	}
	c := h.client()
	a := h.postForm(c, "/admin/login", url.Values{"email": {email}, "password": {staffPassword}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/admin" {
		h.t.Fatalf("sign in as %s: status %d location %q\n%s", email, a.status, a.header.Get("Location"), a.body)
	}
	return c
}

// submitReturn submits a return as a customer and returns its code.
func (h *harness) submitReturn(order, email, title string, parts ...part) string {
	h.t.Helper()
	c := h.client()
	h.lookup(c, order, email)
	key, lines := h.orderForm(c)
	id := lines[title]
	if id == "" {
		h.t.Fatalf("%s cannot be chosen on %s", title, order)
	}
	form := append([]part{field("key", key), field("line", id), field("qty-"+id, "1")}, parts...)
	a := h.postMultipart(c, "/order/returns", form)
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(a.header.Get("Location"))
	if a.status != http.StatusSeeOther || code == "" {
		h.t.Fatalf("submit: status %d\n%s", a.status, a.body)
	}
	return code
}

func (h *harness) damagedTowel() string {
	h.t.Helper()
	return h.submitReturn("1001", "anna.berzina@example.lv", "Linen tea towel",
		field("kind", "damaged"), field("description", "Torn."), field("resolution", "replacement"))
}

func (h *harness) dissatisfiedScarf() string {
	h.t.Helper()
	return h.submitReturn("1002", "sam.taylor@example.com", "Wool scarf",
		field("kind", "dissatisfied"), field("reason", "doesnt_fit"))
}

func (h *harness) returnStatus(code string) returns.Status {
	h.t.Helper()
	r, err := h.store.ReturnByCode(context.Background(), code)
	if err != nil {
		h.t.Fatal(err)
	}
	return r.Status
}

func TestAdminRequiresSignIn(t *testing.T) {
	h := newHarness(t, nil)
	code := h.damagedTowel()
	anon := h.client()
	for _, path := range []string{"/admin", "/admin/returns/" + code, "/admin/settings", "/admin/returns/" + code + "/photos/1", "/admin/anything"} {
		a := h.get(anon, path)
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/admin/login") {
			t.Errorf("GET %s without a session: status %d location %q, want a redirect to sign in", path, a.status, a.header.Get("Location"))
		}
		if strings.Contains(a.body, "Linen tea towel") || strings.Contains(a.body, "anna.berzina") {
			t.Errorf("GET %s without a session shows the return", path)
		}
	}
	for _, action := range []string{"approve", "decline", "receive", "refund", "ship", "close", "note"} {
		a := h.postForm(anon, "/admin/returns/"+code+"/"+action, url.Values{"reason": {"x"}, "amount": {"29.00"}})
		if a.status != http.StatusForbidden {
			t.Errorf("POST %s without a session: status %d, want 403", action, a.status)
		}
	}
	if st := h.returnStatus(code); st != returns.StatusRequested {
		t.Fatalf("status %s after unauthenticated actions", st)
	}
	// A customer's session is not a staff session.
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	if a := h.get(cust, "/admin"); a.status != http.StatusSeeOther {
		t.Fatalf("customer session on /admin: status %d", a.status)
	}
}

func TestSignInFailuresAnswerIdentically(t *testing.T) {
	h := newHarness(t, nil)
	h.staff("kim@example.com")
	if err := h.app.Accounts.SetStaffDisabled(context.Background(), "kim@example.com", true); err != nil {
		t.Fatal(err)
	}
	h.app.Accounts.CreateStaff(context.Background(), "lee@example.com", staffPassword)
	c := h.client()
	wrongPassword := h.postForm(c, "/admin/login", url.Values{"email": {"lee@example.com"}, "password": {"not the password!"}})
	unknownUser := h.postForm(c, "/admin/login", url.Values{"email": {"nobody@example.com"}, "password": {"not the password!"}})
	disabled := h.postForm(c, "/admin/login", url.Values{"email": {"kim@example.com"}, "password": {staffPassword}})
	for name, a := range map[string]answer{"unknown user": unknownUser, "disabled account": disabled} {
		if a.status != wrongPassword.status || valueAttrs.ReplaceAllString(a.body, "") != valueAttrs.ReplaceAllString(wrongPassword.body, "") {
			t.Errorf("%s answers differently from a wrong password (status %d vs %d)", name, a.status, wrongPassword.status)
		}
	}
	if wrongPassword.status != http.StatusUnauthorized || !strings.Contains(wrongPassword.body, "not right") {
		t.Fatalf("wrong password: status %d\n%s", wrongPassword.status, wrongPassword.body)
	}
}

func TestLogoutRevokesTheSession(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	cookies := c.Jar.Cookies(mustURL(h.srv.URL))
	if a := h.get(c, "/admin"); a.status != http.StatusOK {
		t.Fatalf("queue: %d", a.status)
	}
	if a := h.postForm(c, "/admin/logout", nil); a.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", a.status)
	}
	// The cookie from before the sign-out, replayed, is refused.
	replay := h.client()
	replay.Jar.SetCookies(mustURL(h.srv.URL), cookies)
	if a := h.get(replay, "/admin"); a.status != http.StatusSeeOther {
		t.Fatalf("replayed cookie after logout: status %d, want a redirect to sign in", a.status)
	}
}

func TestDisablingAnAccountEndsItsSessions(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	if err := h.app.Accounts.SetStaffDisabled(context.Background(), "kim@example.com", true); err != nil {
		t.Fatal(err)
	}
	if a := h.get(c, "/admin"); a.status != http.StatusSeeOther {
		t.Fatalf("disabled account's session: status %d", a.status)
	}
}

func TestStaffSessionTimeouts(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	start := time.Now()
	at := start
	h.deps.Now = func() time.Time { return at }
	h.rebuild()
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"20 minutes idle", start.Add(20 * time.Minute), true},
		{"another 25 minutes idle", start.Add(45 * time.Minute), true},
		{"31 minutes idle", start.Add(76 * time.Minute), false},
	} {
		at = tc.at
		a := h.get(c, "/admin")
		if got := a.status == http.StatusOK; got != tc.ok {
			t.Fatalf("%s: status %d", tc.name, a.status)
		}
	}
	// The absolute timeout ends a session in use all along.
	at = start
	c = h.staff("lee@example.com")
	for at = start; at.Before(start.Add(12*time.Hour - time.Minute)); at = at.Add(20 * time.Minute) {
		if a := h.get(c, "/admin"); a.status != http.StatusOK {
			t.Fatalf("active session refused at %v", at.Sub(start))
		}
	}
	at = start.Add(12*time.Hour + time.Minute)
	if a := h.get(c, "/admin"); a.status != http.StatusSeeOther {
		t.Fatalf("session older than 12 h: status %d", a.status)
	}
}

func TestLoginRateLimit(t *testing.T) {
	h := newHarness(t, nil)
	h.app.Accounts.CreateStaff(context.Background(), "kim@example.com", staffPassword)
	srv := handlers.NewServer(handlers.Config{
		SessionKeys: [][]byte{[]byte("session-key-0123456789-0123456789-abcdef")},
		LoginLimits: &handlers.LoginLimits{PerIPMinute: 100, PerIPHour: 100, FailuresPerAccountAddress: 3, SlowDownAfter: 100},
	}, h.app.Services())
	for i := 0; i < 4; i++ {
		req := httptestPost("/admin/login", url.Values{"email": {"kim@example.com"}, "password": {"wrong password here"}})
		rec := serve(srv, req)
		if want := http.StatusUnauthorized; i == 3 {
			if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("4th attempt on one account from one address: status %d, want 429", rec.Code)
			}
		} else if rec.Code != want {
			t.Fatalf("attempt %d: status %d", i+1, rec.Code)
		}
	}
}

// actions posts a staff action and fails the test unless it redirects.
func (h *harness) action(c *http.Client, code, action string, v url.Values) answer {
	h.t.Helper()
	return h.postForm(c, "/admin/returns/"+code+"/"+action, v)
}

func refundKey(t *testing.T, h *harness, c *http.Client, code string) (key, amount string) {
	t.Helper()
	a := h.get(c, "/admin/returns/"+code)
	if a.status != http.StatusOK {
		t.Fatalf("return page: %d", a.status)
	}
	m := regexp.MustCompile(`name="key"[^>]*value="([0-9a-f]{32})"|value="([0-9a-f]{32})"[^>]*name="key"`).FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("no refund form on the return page:\n%s", a.body)
	}
	am := regexp.MustCompile(`name="amount"[^>]*value="([0-9.]+)"|value="([0-9.]+)"[^>]*name="amount"`).FindStringSubmatch(a.body)
	if am != nil {
		amount = am[1] + am[2]
	}
	return m[1] + m[2], amount
}

func TestRefundScarfExactlyOnce(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", url.Values{"message": {"Send it back, please."}}); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.status, a.body)
	}
	if a := h.action(c, code, "receive", nil); a.status != http.StatusSeeOther {
		t.Fatalf("receive: %d\n%s", a.status, a.body)
	}
	key, suggested := refundKey(t, h, c, code)
	if suggested != "49.00" {
		t.Errorf("suggested refund %q, want 49.00 (the scarf)", suggested)
	}

	// Two submits of one form at the same moment.
	var wg sync.WaitGroup
	answers := make([]answer, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = h.action(c, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}})
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusSeeOther {
			t.Fatalf("submit %d: status %d\n%s", i+1, a.status, a.body)
		}
	}
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "29.00" {
		t.Fatalf("demo store refunds %+v, want exactly one of 29.00", snap.Refunds)
	}
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Fatalf("status %s, want refunded", st)
	}
	if refs := h.assertLedger(code, 1); refs[0].ShopifyID != snap.Refunds[0].ID || refs[0].IdempotencyKey != key || refs[0].Amount.Minor != 29_00 {
		t.Fatalf("ledger %+v, demo store %+v", refs[0], snap.Refunds[0])
	}
	// The same form once more, later: still one refund.
	h.action(c, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}})
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 1 {
		t.Fatalf("resubmitting made %d refunds", len(snap.Refunds))
	}
	h.assertLedger(code, 1)
	if !strings.Contains(snap.Note, code+": refunded 29.00 EUR") || !contains(snap.Tags, "returns:refunded") {
		t.Errorf("order note %q tags %v", snap.Note, snap.Tags)
	}
	checkRefundKeys(t, h, code, "#1002", key)
	// The customer sees the refunded amount.
	cust := h.client()
	h.lookup(cust, "1002", "sam.taylor@example.com")
	if a := h.get(cust, "/returns/"+code); !strings.Contains(a.body, "€29.00") {
		t.Errorf("customer page does not show the refund:\n%s", a.body)
	}
}

func TestRefundAmountsAreChecked(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf() // the scarf, 49.00, on an order of 61.90 (3.90 of it delivery)
	h.action(c, code, "approve", nil)
	for _, tc := range []struct {
		amount      string
		raise       bool
		raiseReason string
		want        string
		// shopifyCalls is how many reads reach the demo store: three (the
		// order, the customer's address and the suggestion) for showing the
		// form again, and two more for an amount checked against them; none
		// for a malformed amount.
		shopifyCalls int
	}{
		{amount: "0", want: "above zero", shopifyCalls: 3},
		{amount: "-1", want: "like 29.00", shopifyCalls: 3},
		{amount: "10.005", want: "at most 2 decimal", shopifyCalls: 3},
		{amount: "abc", want: "like 29.00", shopifyCalls: 3},
		{amount: "", want: "like 29.00", shopifyCalls: 3},
		{amount: "49.01", want: "The returned items are worth €49.00. To refund more, tick", shopifyCalls: 5},
		{amount: "49.01", raise: true, want: "Say why the refund is more than the items are worth.", shopifyCalls: 5},
		{amount: "61.91", raise: true, raiseReason: "Postage", want: "At most €61.90 can be refunded on this order.", shopifyCalls: 5},
		{amount: "61.91", want: "At most €61.90 can be refunded on this order.", shopifyCalls: 5},
	} {
		t.Run(fmt.Sprintf("%s raise=%v", tc.amount, tc.raise), func(t *testing.T) {
			key, _ := refundKey(t, h, c, code)
			before := h.shop.Calls()
			v := url.Values{"amount": {tc.amount}, "key": {key}, "raise_reason": {tc.raiseReason}}
			if tc.raise {
				v.Set("raise", "on")
			}
			a := h.action(c, code, "refund", v)
			if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, tc.want) {
				t.Fatalf("status %d, want 422 saying %q\n%s", a.status, tc.want, a.body)
			}
			snap, _ := h.shop.OrderByName("#1002")
			if len(snap.Refunds) != 0 {
				t.Fatalf("a refund reached Shopify: %+v", snap.Refunds)
			}
			if n := h.shop.Calls() - before; n != tc.shopifyCalls {
				t.Errorf("%d calls reached the demo store, want %d", n, tc.shopifyCalls)
			}
			h.assertLedger(code, 0)
		})
	}
}

// assertLedger fails the test unless the return's ledger holds n refunds that
// did not fail, and returns them.
func (h *harness) assertLedger(code string, n int) []returns.Refund {
	h.t.Helper()
	ctx := context.Background()
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		h.t.Fatal(err)
	}
	refs, err := h.store.RefundsByReturn(ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	var live []returns.Refund
	for _, ref := range refs {
		if ref.State != returns.RefundFailed {
			live = append(live, ref)
		}
	}
	if len(live) != n {
		h.t.Fatalf("ledger of %s holds %d refunds that did not fail, want %d: %+v", code, len(live), n, refs)
	}
	return live
}

func TestRefundAboveTheItemsWorthOnlyWithAReason(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	h.action(c, code, "approve", nil)
	key, _ := refundKey(t, h, c, code)
	a := h.action(c, code, "refund", url.Values{"amount": {"53.90"}, "key": {key}, "raise": {"on"}, "raise_reason": {"The return postage, 4.90"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("raised refund: status %d\n%s", a.status, a.body)
	}
	refs := h.assertLedger(code, 1)
	if refs[0].Reason != "The return postage, 4.90" || refs[0].Amount.Minor != 53_90 || refs[0].State != returns.RefundSucceeded {
		t.Errorf("ledger %+v", refs[0])
	}
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 1 || snap.Refunds[0].Amount != "53.90" {
		t.Errorf("demo store refunds %+v", snap.Refunds)
	}
	if page := h.get(c, "/admin/returns/"+code); !strings.Contains(page.body, "The return postage, 4.90") {
		t.Errorf("the ledger on the page does not say why:\n%s", page.body)
	}
}

// TestRefundFromManyTabs: each view of a return's page makes a refund form
// with a key of its own. Forms of several tabs (or staff members) submitted
// at the same moment make one refund; every other submit is refused with a
// page that shows the refund made.
func TestRefundFromManyTabs(t *testing.T) {
	for _, tc := range []struct {
		name, order, email, title, amount string
	}{
		{"full amount", "1002", "sam.taylor@example.com", "Wool scarf", "49.00"},
		// Each tab's amount alone is within every limit; together they are not.
		{"small amounts", "1005", "lee.jordan@example.com", "Bulb", "5.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			c := h.staff("kim@example.com")
			code := h.submitReturn(tc.order, tc.email, tc.title, field("kind", "dissatisfied"), field("reason", "doesnt_fit"))
			h.action(c, code, "approve", nil)
			const n = 6
			keys := make([]string, n)
			for i := range keys {
				keys[i], _ = refundKey(t, h, c, code)
			}
			answers := make([]answer, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range answers {
				wg.Go(func() {
					<-start
					answers[i] = h.action(c, code, "refund", url.Values{"amount": {tc.amount}, "key": {keys[i]}, "partial_reason": {partialReason}})
				})
			}
			close(start)
			wg.Wait()
			made, refused := 0, 0
			for i, a := range answers {
				switch a.status {
				case http.StatusSeeOther:
					made++
				case http.StatusConflict:
					refused++
					if !strings.Contains(a.body, "for this return is being made already") && !strings.Contains(a.body, "This return was refunded already") && !strings.Contains(a.body, "cannot be refunded") {
						t.Errorf("tab %d: the 409 page does not say why:\n%s", i, a.body)
					}
					if !strings.Contains(a.body, `id="refunds-h"`) {
						t.Errorf("tab %d: the 409 page does not show the ledger", i)
					}
				default:
					t.Errorf("tab %d: status %d\n%s", i, a.status, a.body)
				}
			}
			if made != 1 || refused != n-1 {
				t.Fatalf("%d refunded, %d refused; want 1 and %d", made, refused, n-1)
			}
			snap, _ := h.shop.OrderByName("#" + tc.order)
			if len(snap.Refunds) != 1 || snap.Refunds[0].Amount != tc.amount {
				t.Fatalf("demo store refunds %+v, want one of %s", snap.Refunds, tc.amount)
			}
			refs := h.assertLedger(code, 1)
			if refs[0].ShopifyID != snap.Refunds[0].ID {
				t.Errorf("ledger says %s, Shopify has %s", refs[0].ShopifyID, snap.Refunds[0].ID)
			}
			if st := h.returnStatus(code); st != returns.StatusRefunded {
				t.Errorf("status %s, want refunded", st)
			}
			r, _ := h.store.ReturnByCode(context.Background(), code)
			evs, _ := h.store.Events(context.Background(), r.ID)
			refunded := 0
			for _, ev := range evs {
				if ev.Type == returns.EventRefunded {
					refunded++
				}
			}
			if refunded != 1 {
				t.Errorf("%d refunded events on the timeline", refunded)
			}
		})
	}
}

func TestRefundWithLostAnswerIsReconciledToOne(t *testing.T) {
	// One attempt per call: the adapter's own retry with the same key would
	// otherwise get Shopify's replay of the first result at once.
	h := newHarness(t, nil, func(c *shopify.Config) { c.MaxAttempts = 1 })
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	h.action(c, code, "approve", nil)
	key, _ := refundKey(t, h, c, code)

	h.shop.DropAfterCommit(10) // Shopify commits, and every answer is lost
	a := h.action(c, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "refund-unknown") {
		t.Fatalf("refund with lost answers: status %d location %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	ctx := context.Background()
	r, _ := h.store.ReturnByCode(ctx, code)
	refs, _ := h.store.RefundsByReturn(ctx, r.ID)
	if len(refs) != 1 || refs[0].State != returns.RefundUnknown {
		t.Fatalf("ledger %+v, want one unknown refund", refs)
	}
	h.shop.DropAfterCommit(0)
	h.app.Refunds.ReconcileRefunds(ctx)
	refs, _ = h.store.RefundsByReturn(ctx, r.ID)
	if len(refs) != 1 || refs[0].State != returns.RefundSucceeded || refs[0].ShopifyID == "" {
		t.Fatalf("after reconciling: %+v", refs)
	}
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 {
		t.Fatalf("demo store holds %d refunds, want 1", len(snap.Refunds))
	}
	if snap.Refunds[0].ID != refs[0].ShopifyID {
		t.Fatalf("ledger says %s, Shopify has %s", refs[0].ShopifyID, snap.Refunds[0].ID)
	}
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Fatalf("status %s after reconciling", st)
	}
	checkRefundKeys(t, h, code, "#1002", key)
}

// TestCheckWithShopifyNow: a refund whose answer was lost is settled from the
// return page's "Check with Shopify now" button, to the one refund Shopify made.
func TestCheckWithShopifyNow(t *testing.T) {
	h := newHarness(t, nil, func(c *shopify.Config) { c.MaxAttempts = 1 })
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	h.action(c, code, "approve", nil)
	key, _ := refundKey(t, h, c, code)
	h.shop.DropAfterCommit(10)
	h.action(c, code, "refund", url.Values{"amount": {"49.00"}, "key": {key}})
	refs := h.assertLedger(code, 1)
	if refs[0].State != returns.RefundUnknown {
		t.Fatalf("ledger %+v, want the refund unknown", refs[0])
	}
	page := h.get(c, "/admin/returns/"+code)
	button := "/admin/returns/" + code + "/refunds/" + strconv.FormatInt(refs[0].ID, 10) + "/reconcile"
	if !strings.Contains(page.body, `action="`+button+`"`) {
		t.Fatalf("no Check with Shopify now button for the unknown refund:\n%s", page.body)
	}
	h.shop.DropAfterCommit(0)
	// Shopify down: the refund stays unknown, and staff are told Shopify did
	// not answer.
	h.shop.FailNext(100, http.StatusServiceUnavailable)
	a := h.postForm(c, button, nil)
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "Shopify is not answering") {
		t.Fatalf("check while Shopify is down: status %d\n%s", a.status, a.body)
	}
	// In the backoffice, with the way back to the return; no language links
	// to a URL that only takes a form.
	if !strings.Contains(a.body, "Returns backoffice") || !strings.Contains(a.body, `href="/admin/returns/`+code+`"`) || strings.Contains(a.body, "reconcile?lang=") {
		t.Errorf("the error page is not the backoffice's:\n%s", a.body)
	}
	if refs := h.assertLedger(code, 1); refs[0].State != returns.RefundUnknown {
		t.Fatalf("after a failed check: %+v", refs[0])
	}
	h.shop.FailNext(0, 0)
	a = h.postForm(c, button, nil)
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done=reconciled") {
		t.Fatalf("check: status %d location %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	refs = h.assertLedger(code, 1)
	snap, _ := h.shop.OrderByName("#1002")
	if len(snap.Refunds) != 1 || refs[0].State != returns.RefundSucceeded || refs[0].ShopifyID != snap.Refunds[0].ID {
		t.Fatalf("ledger %+v, demo store %+v; want one refund, the same", refs, snap.Refunds)
	}
	if st := h.returnStatus(code); st != returns.StatusRefunded {
		t.Errorf("status %s, want refunded", st)
	}
	// A settled refund has no button; asking for it anyway changes nothing.
	if page := h.get(c, "/admin/returns/"+code); strings.Contains(page.body, `action="`+button+`"`) {
		t.Error("a settled refund still has the button")
	}
	if a := h.postForm(c, button, nil); a.status != http.StatusSeeOther {
		t.Errorf("check of a settled refund: status %d", a.status)
	}
	if a := h.postForm(c, "/admin/returns/"+code+"/refunds/999/reconcile", nil); a.status != http.StatusNotFound {
		t.Errorf("check of an unknown refund: status %d, want 404", a.status)
	}
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 1 {
		t.Errorf("%d refunds at the demo store", len(snap.Refunds))
	}
}

func TestRefundsNeverExceedWhatWasPaid(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	// Two returns of #1001 (the towel, 29.00, and a mug, 14.50, of 58.00 paid),
	// each refunded up to all the order has left, on purpose, at the same
	// moment: the ledger lets one through.
	towel := h.damagedTowel()
	mug := h.submitReturn("1001", "anna.berzina@example.lv", "Ceramic mug", field("kind", "dissatisfied"), field("reason", "doesnt_fit"))
	for _, code := range []string{towel, mug} {
		h.action(c, code, "approve", nil)
	}
	// The towel asked for a replacement: refunded only once switched.
	if a := h.action(c, towel, "switch-to-refund", url.Values{"switch_reason": {"This colour is sold out."}}); a.status != http.StatusSeeOther {
		t.Fatalf("switch to a refund: %d\n%s", a.status, a.body)
	}
	k1, _ := refundKey(t, h, c, towel)
	k2, _ := refundKey(t, h, c, mug)
	var wg sync.WaitGroup
	for _, f := range []struct{ code, key string }{{towel, k1}, {mug, k2}} {
		wg.Go(func() {
			h.action(c, f.code, "refund", url.Values{"amount": {"40.00"}, "key": {f.key}, "raise": {"on"}, "raise_reason": {"Goodwill"}})
		})
	}
	wg.Wait()
	snap, _ := h.shop.OrderByName("#1001")
	if len(snap.Refunds) != 1 {
		t.Fatalf("demo store refunds %+v, want one", snap.Refunds)
	}
}

func TestIllegalTransitionsChangeNothing(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "decline", url.Values{"reason": {""}}); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "reason") {
		t.Fatalf("decline without a reason: %d", a.status)
	}
	if a := h.action(c, code, "decline", url.Values{"reason": {"Worn, with the label removed."}}); a.status != http.StatusSeeOther {
		t.Fatalf("decline: %d\n%s", a.status, a.body)
	}
	key := returns.NewToken()
	for _, tc := range []struct {
		action string
		v      url.Values
	}{
		{"refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}}},
		{"approve", nil},
		{"receive", nil},
		{"close", nil},
		{"ship", url.Values{"carrier": {"dpd"}, "number": {"05212345678901"}}},
	} {
		if a := h.action(c, code, tc.action, tc.v); a.status != http.StatusConflict {
			t.Errorf("%s a declined return: status %d, want 409", tc.action, a.status)
		}
	}
	if st := h.returnStatus(code); st != returns.StatusDeclined {
		t.Fatalf("status %s", st)
	}
	if snap, _ := h.shop.OrderByName("#1002"); len(snap.Refunds) != 0 {
		t.Fatal("a declined return was refunded")
	}
	// Approving twice: the second is refused.
	code2 := h.damagedTowel()
	h.action(c, code2, "approve", nil)
	if a := h.action(c, code2, "approve", nil); a.status != http.StatusConflict {
		t.Fatalf("approve twice: status %d", a.status)
	}
	// The customer sees the decline and its reason.
	cust := h.client()
	h.lookup(cust, "1002", "sam.taylor@example.com")
	if a := h.get(cust, "/returns/"+code); !strings.Contains(a.body, "Worn, with the label removed.") {
		t.Errorf("customer page lacks the decline reason")
	}
}

func TestReplacementShippedWithTrackingLink(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	h.action(c, code, "approve", nil)
	if a := h.action(c, code, "ship", url.Values{"carrier": {"dpd"}, "number": {""}}); a.status != http.StatusUnprocessableEntity {
		t.Fatalf("ship without a number: %d", a.status)
	}
	if a := h.action(c, code, "ship", url.Values{"carrier": {"dpd"}, "number": {"05212345678901"}}); a.status != http.StatusSeeOther {
		t.Fatalf("ship: %d\n%s", a.status, a.body)
	}
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	page := h.get(cust, "/returns/"+code)
	if !strings.Contains(page.body, `href="https://tracking.dpd.de/status/en_US/parcel/05212345678901"`) {
		t.Errorf("customer page lacks the tracking link:\n%s", page.body)
	}
	snap, _ := h.shop.OrderByName("#1001")
	want := code + ": item damaged; replacement shipped " + time.Now().Format("2006-01-02") + ", DPD 05212345678901"
	if !strings.Contains(snap.Note, want) || !contains(snap.Tags, "returns:replacement-shipped") || !contains(snap.Tags, "returns:approved") {
		t.Errorf("order note %q tags %v; want %q", snap.Note, snap.Tags, want)
	}
	if a := h.action(c, code, "close", nil); a.status != http.StatusSeeOther {
		t.Fatalf("close: %d", a.status)
	}
}

func TestStaffNotesStayInternal(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.damagedTowel()
	if a := h.action(c, code, "note", url.Values{"note": {"Customer called; very polite."}}); a.status != http.StatusSeeOther {
		t.Fatalf("note: %d", a.status)
	}
	if a := h.get(c, "/admin/returns/"+code); !strings.Contains(a.body, "Customer called; very polite.") {
		t.Fatal("note not on the staff page")
	}
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	if a := h.get(cust, "/returns/"+code); strings.Contains(a.body, "very polite") {
		t.Fatal("an internal note shows to the customer")
	}
}

func TestQueueFiltersAndSearch(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	towel, scarf := h.damagedTowel(), h.dissatisfiedScarf()
	h.action(c, scarf, "approve", nil)
	for _, tc := range []struct {
		query     string
		want, not []string
	}{
		{"", []string{towel, scarf}, nil},
		{"?status=approved", []string{scarf}, []string{towel}},
		{"?q=" + strings.ToLower(towel), []string{towel}, []string{scarf}},
		{"?q=%231002", []string{scarf}, []string{towel}},
		{"?q=SAM.TAYLOR%40example.com", []string{scarf}, []string{towel}},
	} {
		a := h.get(c, "/admin"+tc.query)
		for _, w := range tc.want {
			if !strings.Contains(a.body, w) {
				t.Errorf("queue %s lacks %s", tc.query, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(a.body, n) {
				t.Errorf("queue %s shows %s", tc.query, n)
			}
		}
	}
}

func TestSettingsAreValidatedAndRecorded(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	bad := h.postForm(c, "/admin/settings", url.Values{"return_address": {""}, "window_days": {"0"}, "staff_email": {"not-an-email"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "1 to 365") {
		t.Fatalf("bad settings: %d\n%s", bad.status, bad.body)
	}
	good := h.postForm(c, "/admin/settings", url.Values{
		"return_address": {"Returns, Elizabetes iela 2, Rīga"}, "window_days": {"14"}, "non_returnable_tag": {"final-sale"},
		"instructions_en": {"Pack it well."}, "instructions_lv": {"Iepakojiet rūpīgi."}, "staff_email": {"shop@example.com"},
	})
	if good.status != http.StatusSeeOther {
		t.Fatalf("good settings: %d\n%s", good.status, good.body)
	}
	st, _ := h.app.Settings.Settings(context.Background())
	if st.WindowDays != 14 || st.ReturnAddress != "Returns, Elizabetes iela 2, Rīga" || st.UpdatedBy != "kim@example.com" {
		t.Fatalf("saved %+v", st)
	}
	if a := h.get(c, "/admin/settings"); !strings.Contains(a.body, "kim@example.com") {
		t.Fatal("the change history does not say who changed the settings")
	}
}
