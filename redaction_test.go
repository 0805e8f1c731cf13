package returns_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeErasures is an ErasureStore over a list of returns: it answers each
// erasure with the next returns of the list the erasure selects, at most its
// limit, and records the erasures it was asked for.
type fakeErasures struct {
	returns  []returns.ErasedReturn
	emails   map[int64]string // the address of each return
	erasures []returns.Erasure
	failAt   int // the call (1, 2, …) that fails; 0 for none
}

func (s *fakeErasures) ErasePersonalData(ctx context.Context, e returns.Erasure) ([]returns.ErasedReturn, error) {
	s.erasures = append(s.erasures, e)
	if len(s.erasures) == s.failAt {
		return nil, errors.New("disk full")
	}
	var out []returns.ErasedReturn
	for _, r := range s.returns {
		if r.ID > e.After && len(out) < e.Limit && (e.All || s.emails[r.ID] == e.Email || slices.Contains(e.OrderIDs, r.OrderID)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// manyReturns makes n returns of order #1001 with Anna's address.
func manyReturns(n int) *fakeErasures {
	s := &fakeErasures{emails: map[int64]string{}}
	for i := 1; i <= n; i++ {
		s.returns = append(s.returns, returns.ErasedReturn{ID: int64(i), Code: fmt.Sprintf("R-%08d", i), OrderID: "gid://shopify/Order/1001"})
		s.emails[int64(i)] = "anna.berzina@example.lv"
	}
	return s
}

func TestRedactCustomer(t *testing.T) {
	ctx := context.Background()
	store := manyReturns(45)
	svc := returns.NewRedactionService(store, nil, func() time.Time { return serviceNow }, quietLog)

	n, err := svc.RedactCustomer(ctx, " Anna.Berzina@Example.LV ", []string{" gid://shopify/Order/7 ", "", "8"}, "Shopify customers/redact")
	if err != nil || n != 45 {
		t.Fatalf("RedactCustomer() = %d, %v; want 45", n, err)
	}
	// Batches of twenty, each after the last one's last return, until one
	// comes back short.
	if len(store.erasures) != 3 {
		t.Fatalf("%d erasures, want 3 batches", len(store.erasures))
	}
	for i, e := range store.erasures {
		if e.Email != "anna.berzina@example.lv" || !slices.Equal(e.OrderIDs, []string{"gid://shopify/Order/7", "gid://shopify/Order/8"}) || e.All || e.Limit != 20 || e.After != int64(20*i) {
			t.Errorf("erasure %d: %+v", i, e)
		}
		want := returns.Event{At: serviceNow, Actor: returns.ActorSystem, Type: returns.EventPersonalDataErased, Message: "Personal data erased (Shopify customers/redact)",
			Msg: returns.Msg("Personal data erased (%s)", "Shopify customers/redact")}
		if !reflect.DeepEqual(e.Event, want) || !e.At.Equal(serviceNow) {
			t.Errorf("erasure %d: event %+v at %v, want %+v", i, e.Event, e.At, want)
		}
		for _, typ := range e.KeepMessages {
			if returns.ErasesMessage(typ) {
				t.Errorf("kept %s messages, which ErasesMessage says go", typ)
			}
		}
	}
}

func TestErasesMessage(t *testing.T) {
	for typ, erased := range map[returns.EventType]bool{
		returns.EventApproved:           true, // staff's word to the customer
		returns.EventDeclined:           true, // the reason, often about the customer
		returns.EventNote:               true, // internal notes quote customers
		returns.EventReplacementShipped: true, // the tracking number leads to the address
		returns.EventShopifyUpdated:     true, // the note line repeats reason and number
		"some_event_added_later":        true,
		returns.EventRefunded:           false, // an amount, for the books
		returns.EventRefundFailed:       false,
		returns.EventRefundUnknown:      false,
		returns.EventShopifyDeferred:    false,
		returns.EventPersonalDataErased: false,
		returns.EventPhotosDeleted:      false,
	} {
		if got := returns.ErasesMessage(typ); got != erased {
			t.Errorf("ErasesMessage(%s) = %v, want %v", typ, got, erased)
		}
	}
}

func TestRedactCustomerRefusesWhatNamesNoCustomer(t *testing.T) {
	for _, tc := range []struct {
		name, email string
		orders      []string
		source      string
		code        string
	}{
		{"malformed address", "anna at example.lv", nil, "cli", returns.EINVALID},
		{"address with a name", "Anna <anna@example.lv>", nil, "cli", returns.EINVALID},
		{"the erased marker", returns.RedactedEmail, nil, "cli", returns.EINVALID},
		{"nothing", " ", []string{" "}, "cli", returns.EINVALID},
		{"no source", "anna@example.lv", nil, " ", returns.EINTERNAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := manyReturns(1)
			svc := returns.NewRedactionService(store, nil, func() time.Time { return serviceNow }, quietLog)
			n, err := svc.RedactCustomer(context.Background(), tc.email, tc.orders, tc.source)
			if returns.ErrorCode(err) != tc.code || n != 0 || len(store.erasures) != 0 {
				t.Errorf("RedactCustomer() = %d, %v after %d erasures; want %s and none", n, err, len(store.erasures), tc.code)
			}
		})
	}
}

func TestRedactCustomerByOrdersOnly(t *testing.T) {
	store := manyReturns(3)
	svc := returns.NewRedactionService(store, nil, func() time.Time { return serviceNow }, quietLog)
	n, err := svc.RedactCustomer(context.Background(), "", []string{"gid://shopify/Order/1001"}, "Shopify customers/redact")
	if err != nil || n != 3 || store.erasures[0].Email != "" {
		t.Fatalf("RedactCustomer() = %d, %v; erasure %+v", n, err, store.erasures)
	}
}

func TestRedactCustomerForgetsCachedOrders(t *testing.T) {
	ctx := context.Background()
	store := manyReturns(1)
	shop := newFakeShop(testOrder())
	cache := returns.NewOrderCache()
	now := func() time.Time { return serviceNow }
	settings := returns.NewSettingsService(settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }), now)
	customers := returns.NewCustomerService(returns.CustomerDeps{
		Shop: shop, Returns: &memStore{}, Access: &memStore{}, Timeline: &memStore{}, Settings: settings, Orders: cache, Now: now, Log: quietLog,
	})
	if _, err := customers.LookupOrder(ctx, "1001", "anna.berzina@example.lv"); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.CustomerOrder(ctx, "gid://shopify/Order/1001"); err != nil || shop.orderCalls != 0 {
		t.Fatalf("the order page asked Shopify %d times (%v): the cache does not hold the order", shop.orderCalls, err)
	}
	svc := returns.NewRedactionService(store, cache, now, quietLog)
	if _, err := svc.RedactCustomer(ctx, "anna.berzina@example.lv", nil, "returns-portal redact (command line)"); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.CustomerOrder(ctx, "gid://shopify/Order/1001"); err != nil || shop.orderCalls != 1 {
		t.Errorf("after the erasure the order page asked Shopify %d times (%v), want 1: the cached order outlived it", shop.orderCalls, err)
	}

	// shop/redact forgets every order.
	if _, err := customers.LookupOrder(ctx, "1001", "anna.berzina@example.lv"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RedactShop(ctx, "Shopify shop/redact"); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.CustomerOrder(ctx, "gid://shopify/Order/1001"); err != nil || shop.orderCalls != 2 {
		t.Errorf("after shop/redact the order page asked Shopify %d times in all (%v), want 2", shop.orderCalls, err)
	}
}

func TestRedactShop(t *testing.T) {
	store := manyReturns(25)
	svc := returns.NewRedactionService(store, nil, func() time.Time { return serviceNow }, quietLog)
	n, err := svc.RedactShop(context.Background(), "Shopify shop/redact")
	if err != nil || n != 25 {
		t.Fatalf("RedactShop() = %d, %v; want 25", n, err)
	}
	for _, e := range store.erasures {
		if !e.All || e.Email != "" || e.Event.Message != "Personal data erased (Shopify shop/redact)" {
			t.Errorf("erasure %+v", e)
		}
	}

	t.Run("a failed batch reports what was erased before it", func(t *testing.T) {
		store := manyReturns(25)
		store.failAt = 2
		svc := returns.NewRedactionService(store, nil, func() time.Time { return serviceNow }, quietLog)
		n, err := svc.RedactShop(context.Background(), "Shopify shop/redact")
		if err == nil || n != 20 {
			t.Errorf("RedactShop() = %d, %v; want the first batch's 20 and the error", n, err)
		}
	})
}
