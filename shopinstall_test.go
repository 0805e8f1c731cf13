package returns_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// uninstalled is the event of app/uninstalled.
func uninstalled() returns.ShopEvent {
	return returns.ShopEvent{Topic: returns.TopicAppUninstalled, Uninstalled: &returns.ShopUninstall{Name: "Linen & Co", MyshopifyDomain: "linen.myshopify.com"}}
}

// countingRefunder counts the calls that reach Shopify's refunds.
type countingRefunder struct {
	fakeRefunder
	calls int
}

func (c *countingRefunder) SuggestRefund(ctx context.Context, orderID string, items []returns.Item) (returns.Money, error) {
	c.calls++
	return c.fakeRefunder.SuggestRefund(ctx, orderID, items)
}

func (c *countingRefunder) CreateRefund(ctx context.Context, req returns.RefundRequest) (string, error) {
	c.calls++
	return c.fakeRefunder.CreateRefund(ctx, req)
}

func (c *countingRefunder) FindRefund(ctx context.Context, orderID, key string) (string, bool, error) {
	c.calls++
	return c.fakeRefunder.FindRefund(ctx, orderID, key)
}

// TestUninstall: app/uninstalled marks the app uninstalled and queues one
// email to staff, however often it is delivered; from then every call to
// Shopify through the guards fails fast, with a message for staff and the
// cause in the chain, and reaches nothing; Reinstalled from a check begun
// after the uninstall lets them through again (one begun before does not), and
// an uninstall older than the reinstall changes nothing.
func TestUninstall(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	refunder := &countingRefunder{}
	shop := f.installation.GuardOrders(f.shop)
	refunds := f.installation.GuardRefunder(refunder)
	if !f.svc.UninstalledAt(ctx).IsZero() {
		t.Fatal("uninstalled before anything happened")
	}
	// Installed, the calls go through.
	if _, err := shop.Order(ctx, "gid://shopify/Order/1001"); err != nil {
		t.Fatal(err)
	}
	if _, err := shop.FindOrder(ctx, "1001", "anna.berzina@example.lv"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := refunds.FindRefund(ctx, "gid://shopify/Order/1001", testKey); err != nil || refunder.calls != 1 {
		t.Fatal(err)
	}
	refunder.calls, f.shop.findCalls = 0, nil

	f.receive(t, "w-1", uninstalled())
	f.receive(t, "w-2", uninstalled()) // a second event of the same uninstall
	f.svc.ProcessInbox(ctx)
	at := f.svc.UninstalledAt(ctx)
	if !at.Equal(serviceNow) {
		t.Fatalf("uninstalled at %v, want %v", at, serviceNow)
	}
	notices := f.emailsOf(returns.EmailStaffAppUninstalled)
	if len(notices) != 1 || notices[0].To != "team@shop.example" || notices[0].ReturnID != 0 {
		t.Fatalf("staff notices %+v, want one to the staff address", notices)
	}
	if d := f.emails.rendered[len(f.emails.rendered)-1]; d.Notice == nil || d.Notice.ShopDomain != "linen.myshopify.com" || d.Notice.ShopName != "Linen & Co" || !d.Notice.At.Equal(serviceNow) {
		t.Errorf("the notice says %+v", d.Notice)
	}
	if f.woken.Load() == 0 {
		t.Error("the mail worker was not woken")
	}

	orderCalls := f.shop.orderCalls
	checks := map[string]error{}
	_, checks["FindOrder"] = shop.FindOrder(ctx, "1001", "anna.berzina@example.lv")
	_, checks["Order"] = shop.Order(ctx, "gid://shopify/Order/1001")
	checks["UpdateOrder"] = shop.UpdateOrder(ctx, "gid://shopify/Order/1001", "x", nil)
	_, checks["SuggestRefund"] = refunds.SuggestRefund(ctx, "gid://shopify/Order/1001", nil)
	_, checks["CreateRefund"] = refunds.CreateRefund(ctx, returns.RefundRequest{})
	_, _, checks["FindRefund"] = refunds.FindRefund(ctx, "gid://shopify/Order/1001", testKey)
	_, checks["Refunds"] = f.installation.GuardRefunds(f.remote).Refunds(ctx, "gid://shopify/Order/1001")
	_, checks["EnsureWebhooks"] = f.svc.EnsureSubscriptions(ctx, "https://returns.example.com/webhooks/shopify")
	for name, err := range checks {
		var d *returns.ShopDenied
		if returns.ErrorCode(err) != returns.EUNAVAILABLE || !errors.As(err, &d) || d.Cause != returns.DeniedUninstalled || !returns.ShopUninstalled(err) ||
			!strings.Contains(returns.ErrorMessage(err).String(), "uninstalled from the Shopify store") {
			t.Errorf("%s while uninstalled: %v", name, err)
		}
	}
	if f.shop.orderCalls != orderCalls || len(f.shop.findCalls) != 0 || len(f.orderUpdates()) != 0 || refunder.calls != 0 || f.remote.readCount() != 0 || len(f.hooks.asked) != 0 {
		t.Error("a call reached Shopify while the app is uninstalled")
	}

	// A check of the connection under way when the app went finds it
	// installed: that is older than the uninstall, which stays.
	if err := f.svc.Reinstalled(ctx, serviceNow.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if f.svc.UninstalledAt(ctx).IsZero() {
		t.Fatal("a check that began before the uninstall undid it")
	}
	f.now = f.now.Add(time.Hour)
	if err := f.svc.Reinstalled(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	// The subscriptions asked for while uninstalled are made now.
	if len(f.hooks.asked) != 1 || !strings.HasPrefix(f.hooks.asked[0], "https://returns.example.com/webhooks/shopify ") {
		t.Errorf("subscriptions asked for after the reinstall: %q", f.hooks.asked)
	}
	if !f.svc.UninstalledAt(ctx).IsZero() {
		t.Fatal("still uninstalled after Reinstalled")
	}
	if _, err := shop.Order(ctx, "gid://shopify/Order/1001"); err != nil {
		t.Fatalf("Order after the reinstall: %v", err)
	}
	if err := f.svc.Reinstalled(ctx, f.now); err != nil {
		t.Fatal(err)
	}

	// A late delivery of an uninstall from before the reinstall.
	late := uninstalled()
	h := returns.WebhookHeaders{WebhookID: "w-3", TriggeredAt: serviceNow.Add(30 * time.Minute)}
	if err := f.svc.Receive(ctx, late.Topic, testPayload(late), h); err != nil {
		t.Fatal(err)
	}
	f.svc.ProcessInbox(ctx)
	if !f.svc.UninstalledAt(ctx).IsZero() || len(f.emailsOf(returns.EmailStaffAppUninstalled)) != 1 {
		t.Error("an uninstall older than the reinstall took effect")
	}
}

// TestUninstallWithoutStaffAddress: without a staff address the uninstall is
// recorded all the same, and the log says that staff learn of it from the
// banner only.
func TestUninstallWithoutStaffAddress(t *testing.T) {
	f := newEventsFixture(t)
	f.settings.StaffEmail = ""
	f.receive(t, "w-1", uninstalled())
	f.svc.ProcessInbox(context.Background())
	if f.svc.UninstalledAt(context.Background()).IsZero() || len(f.storedEmails()) != 0 {
		t.Fatal("not recorded, or emailed nobody")
	}
	if !strings.Contains(f.logs.String(), "banner only") {
		t.Error("the log does not say staff are not emailed")
	}
}

// TestInstallationState: the stored state is read once and kept; a store
// that cannot be read is taken for installed, and read again next time.
func TestInstallationState(t *testing.T) {
	ctx := context.Background()
	store := &memInstallation{store: &memStore{}}
	fail := true
	store.ShopUninstalledAtFn = func() (time.Time, error) {
		if fail {
			return time.Time{}, errors.New("disk I/O error")
		}
		return serviceNow, nil
	}
	i := returns.NewShopInstallation(store)
	if !i.UninstalledAt(ctx).IsZero() {
		t.Fatal("a state that cannot be read is not taken for installed")
	}
	fail = false
	for range 3 {
		if at := i.UninstalledAt(ctx); !at.Equal(serviceNow) {
			t.Fatalf("uninstalled at %v", at)
		}
	}
	if store.reads != 2 {
		t.Errorf("the state was read %d times, want twice (once failed, once kept)", store.reads)
	}
}

// TestWriteBacksWaitWhileUninstalled: a write-back that meets the app
// uninstalled stays due, with no attempt counted against it and no event,
// and the pass stops there; once the app is back it is written.
func TestWriteBacksWaitWhileUninstalled(t *testing.T) {
	ctx := context.Background()
	f := newChangesFixture(t)
	install := &memInstallation{store: f.store}
	installation := returns.NewShopInstallation(install)
	writer := returns.NewOrderWriter(installation.GuardOrders(f.shop), f.store, returns.NewOrderCache(), f.clock, f.log)
	r := f.addReturn(returns.StatusRequested)
	for i := range 2 {
		f.store.writebacks = append(f.store.writebacks, &memWriteback{Writeback: returns.Writeback{
			ID: int64(100 + i), ReturnID: r.ID, OrderID: "gid://shopify/Order/1001", NoteLine: "line " + string(rune('a'+i)), NextAt: serviceNow,
		}})
	}
	if _, err := install.MarkUninstalled(ctx, serviceNow, nil); err != nil {
		t.Fatal(err)
	}
	writer.Flush(ctx)
	writer.WriteNow(ctx, f.store.writebacks[0].Writeback)
	for _, w := range f.storedWritebacks() {
		if w.Done || w.Attempts != 0 || w.LastErr != "" || !w.NextAt.Equal(serviceNow) {
			t.Errorf("write-back %d after a pass while uninstalled: %+v", w.ID, w)
		}
	}
	if evs := f.store.eventTypes(r.ID); len(evs) != 0 || len(f.orderUpdates()) != 0 {
		t.Errorf("timeline %v, %d order updates", evs, len(f.orderUpdates()))
	}
	if !strings.Contains(f.logs.String(), "write-backs wait") {
		t.Error("the wait is not logged")
	}
	if _, err := install.MarkReinstalled(ctx, serviceNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A new process: it reads the state the store holds.
	installation = returns.NewShopInstallation(install)
	writer = returns.NewOrderWriter(installation.GuardOrders(f.shop), f.store, returns.NewOrderCache(), f.clock, f.log)
	writer.Flush(ctx)
	for _, w := range f.storedWritebacks() {
		if !w.Done {
			t.Errorf("write-back %d not written once the app is back", w.ID)
		}
	}
}

// TestReconcilerWaitsWhileUninstalled: the reconciler asks Shopify nothing
// while the app is uninstalled and leaves every refund as it is; a refund
// that meets the app uninstalled when it is sent was not made, and fails.
func TestReconcilerWaitsWhileUninstalled(t *testing.T) {
	ctx := context.Background()
	f := newEventsFixture(t)
	refunder := &countingRefunder{}
	svc := returns.NewRefundService(returns.RefundDeps{
		Returns: f.returns, Store: f.ledger, Refunder: f.installation.GuardRefunder(refunder), Shop: f.installation.GuardOrders(f.shop),
		Notes: f.store, Changes: f.changes, Now: f.clock, Log: f.log,
	})
	r := f.addReturn(returns.StatusItemReceived)
	a := f.ledger.add(unsettled(r, testKey, returns.RefundUnknown, time.Hour))
	other := f.addReturn(returns.StatusItemReceived)
	b := f.ledger.add(unsettled(other, otherKey, returns.RefundPending, time.Hour))
	if _, err := f.install.MarkUninstalled(ctx, serviceNow, nil); err != nil {
		t.Fatal(err)
	}
	svc.ReconcileRefunds(ctx)
	if refunder.calls != 0 || f.ledger.byID(t, a.ID).State != returns.RefundUnknown || f.ledger.byID(t, b.ID).State != returns.RefundPending {
		t.Fatalf("while uninstalled: %d calls, states %s %s", refunder.calls, f.ledger.byID(t, a.ID).State, f.ledger.byID(t, b.ID).State)
	}
	if !strings.Contains(f.logs.String(), "refunds wait to be reconciled") {
		t.Error("the wait is not logged")
	}

	// The app goes between the order's read and the refund's call: the
	// refund was never sent, so it failed, and is not asked for later.
	f.install.MarkReinstalled(ctx, serviceNow.Add(time.Minute))
	installation := returns.NewShopInstallation(f.install)
	third := f.addReturn(returns.StatusItemReceived)
	refunder.CreateRefundFn = func(ctx context.Context, req returns.RefundRequest) (string, error) {
		return "", returns.ErrUninstalled(serviceNow)
	}
	svc = returns.NewRefundService(returns.RefundDeps{
		Returns: f.returns, Store: f.ledger, Refunder: installation.GuardRefunder(refunder), Shop: installation.GuardOrders(f.shop),
		Notes: f.store, Changes: f.changes, Now: f.clock, Log: f.log,
	})
	key := "abababababababababababababababab"
	if _, err := svc.Refund(ctx, 7, third.Code, returns.RefundInput{Key: key, Amount: "24.00"}); returns.ErrorCode(err) != returns.EINVALID {
		t.Fatalf("refund while the app went: %v", err)
	}
	for _, ref := range f.ledger.all() {
		if ref.IdempotencyKey == key && ref.State != returns.RefundFailed {
			t.Errorf("the refund that was not sent is %s", ref.State)
		}
	}
}
