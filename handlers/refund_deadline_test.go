package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
)

// withServerTimeouts returns a harness over the same service, database and
// demo store whose portal is served with the read and write timeouts of
// cmd/returns-portal's server scaled down to d, so that a refund can outlast
// them in a test.
func (h *harness) withServerTimeouts(d time.Duration) *harness {
	h.t.Helper()
	cfg := harnessConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	handler := handlers.NewServer(cfg, h.app.Services())
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ReadHeaderTimeout = d
	srv.Config.ReadTimeout = d
	srv.Config.WriteTimeout = d
	srv.Start()
	h.t.Cleanup(srv.Close)
	return &harness{t: h.t, srv: srv, shop: h.shop, store: h.store, deps: h.deps, cfg: cfg, app: h.app, handler: handler}
}

// serverTimeout is the scaled-down ReadTimeout and WriteTimeout of these
// tests; Shopify's answers are delayed past it.
const serverTimeout = 500 * time.Millisecond

// TestRefundOutlastingWriteTimeoutAnswers: a refund that Shopify answers after
// the server's write (and read) timeout has passed still gets its answer to
// staff, not a reset connection.
func TestRefundOutlastingWriteTimeoutAnswers(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	key, _ := refundKey(t, h, c, code)
	short := h.withServerTimeouts(serverTimeout)

	h.shop.SetCommitDelay(2 * serverTimeout) // the refund is made, and answered late
	a := short.action(c, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}})
	h.shop.SetCommitDelay(0)
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done=refunded") {
		t.Fatalf("refund: status %d location %q, want the redirect of a refund made\n%s", a.status, a.header.Get("Location"), a.body)
	}
	if p := short.get(c, a.header.Get("Location")); p.status != http.StatusOK {
		t.Fatalf("the return page after the refund: %d", p.status)
	}
	checkRefundKeys(t, h, code, "#1002", key)
}

// TestRefusedRefundAfterSlowShopifyShowsTheForm: when Shopify answers slowly,
// the refund form shown again with its refusal reaches staff whole, though
// the reads before and for it take longer than the server's timeouts.
func TestRefusedRefundAfterSlowShopifyShowsTheForm(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	key, _ := refundKey(t, h, c, code)
	short := h.withServerTimeouts(serverTimeout)

	// Every answer takes most of the timeout: the order read before the
	// refund, and those of the page shown again, add up to more.
	h.shop.SetDelay(serverTimeout * 3 / 4)
	a := short.action(c, code, "refund", url.Values{"amount": {"61.91"}, "key": {key}})
	h.shop.SetDelay(0)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "At most €61.90 can be refunded on this order") {
		t.Fatalf("refused refund: status %d, want 422 with the form and its message\n%s", a.status, a.body)
	}
	// The page degrades when its reads fail; a cancelled request would show
	// it without the order.
	if strings.Contains(a.body, "order facts are missing") {
		t.Fatalf("the page shown again lacks the order: its reads were cut off\n%s", a.body)
	}
}

// TestReconcileOutlastingWriteTimeoutAnswers: asking Shopify again about an
// unknown refund, when the refund is then made and answered late, answers
// staff too.
func TestReconcileOutlastingWriteTimeoutAnswers(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	code := h.dissatisfiedScarf()
	if a := h.action(c, code, "approve", nil); a.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.status)
	}
	key, _ := refundKey(t, h, c, code)
	h.shop.FailMutations(1000, http.StatusInternalServerError) // the refund never reaches Shopify
	a := h.action(c, code, "refund", url.Values{"amount": {"29.00"}, "key": {key}, "partial_reason": {partialReason}})
	h.shop.FailMutations(0, 0)
	if !strings.Contains(a.header.Get("Location"), "done=refund-unknown") {
		t.Fatalf("refund during failures: status %d location %q, want it unknown", a.status, a.header.Get("Location"))
	}
	r, _ := h.store.ReturnByCode(ctx, code)
	refs, _ := h.store.RefundsByReturn(ctx, r.ID)
	if len(refs) != 1 || refs[0].State != returns.RefundUnknown {
		t.Fatalf("ledger %+v, want one unknown refund", refs)
	}
	short := h.withServerTimeouts(serverTimeout)

	h.shop.SetCommitDelay(2 * serverTimeout)
	a = short.action(c, code, "refunds/"+strconv.FormatInt(refs[0].ID, 10)+"/reconcile", nil)
	h.shop.SetCommitDelay(0)
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done=reconciled") {
		t.Fatalf("reconcile: status %d location %q, want the redirect of a settled refund\n%s", a.status, a.header.Get("Location"), a.body)
	}
	checkRefundKeys(t, h, code, "#1002", key)
}
