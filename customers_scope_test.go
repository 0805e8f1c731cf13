package returns_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// TestCustomerOrderReadsShopifyOnceAfterALookup: the order page right after a
// lookup shows the order the lookup read, for two minutes; after that, or
// without a lookup, it reads the order from Shopify.
func TestCustomerOrderReadsShopifyOnceAfterALookup(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	if _, err := f.LookupOrder(ctx, "1001", "anna.berzina@example.lv"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{0, 2 * time.Minute} {
		f.now = serviceNow.Add(at)
		co, err := f.CustomerOrder(ctx, "gid://shopify/Order/1001")
		if err != nil {
			t.Fatalf("CustomerOrder() after %v = %v", at, err)
		}
		if co.Order.ID != "gid://shopify/Order/1001" || len(co.Lines) != 3 || co.Settings.WindowDays != 30 {
			t.Errorf("order %s with %d lines, window %d", co.Order.ID, len(co.Lines), co.Settings.WindowDays)
		}
	}
	if f.shop.orderCalls != 0 {
		t.Errorf("Shopify read the order %d times within two minutes of the lookup", f.shop.orderCalls)
	}
	f.now = serviceNow.Add(2*time.Minute + time.Second)
	if _, err := f.CustomerOrder(ctx, "gid://shopify/Order/1001"); err != nil {
		t.Fatal(err)
	}
	if f.shop.orderCalls != 1 {
		t.Errorf("Shopify read the order %d times after the lookup's copy aged, want once", f.shop.orderCalls)
	}

	t.Run("ReturnsHoldTheirUnits", func(t *testing.T) {
		r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
		if err != nil {
			t.Fatal(err)
		}
		co, err := f.CustomerOrder(ctx, "gid://shopify/Order/1001")
		if err != nil {
			t.Fatal(err)
		}
		if len(co.Returns) != 1 || co.Returns[0].ID != r.ID || co.Lines[0].Returnable != 1 {
			t.Errorf("returns %d, tea towels returnable %d; want the new return and 1 left", len(co.Returns), co.Lines[0].Returnable)
		}
	})

	t.Run("ShopifyFails", func(t *testing.T) {
		f := newServiceFixture(t)
		_, err := f.CustomerOrder(ctx, "gid://shopify/Order/1001")
		if returns.ErrorCode(err) != returns.ENOTFOUND || !strings.HasPrefix(err.Error(), "read order: ") {
			t.Errorf("CustomerOrder() = %v, want Shopify's answer wrapped", err)
		}
	})
}

// TestCustomerReturnVersion: a return's version is read for the order the
// customer proved only; any other answers as an unknown return does.
func TestCustomerReturnVersion(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatal(err)
	}
	f.store.returns[0].Version = 41
	if v, err := f.CustomerReturnVersion(ctx, "gid://shopify/Order/1001", r.Code); err != nil || v != 41 {
		t.Errorf("CustomerReturnVersion() = %d, %v; want 41", v, err)
	}
	for _, tc := range []struct{ name, orderID, code string }{
		{"OtherOrder", "gid://shopify/Order/1002", r.Code},
		{"NoOrder", "", r.Code},
		{"UnknownCode", "gid://shopify/Order/1001", "R-22222222"},
		{"MalformedCode", "gid://shopify/Order/1001", "R-1' OR 1=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := f.CustomerReturnVersion(ctx, tc.orderID, tc.code); v != 0 || !errors.Is(err, returns.ErrNoReturn) {
				t.Errorf("CustomerReturnVersion() = %d, %v; want ErrNoReturn", v, err)
			}
		})
	}
}

// TestReturnPhoto: a customer sees the photos of the returns of the order
// they proved, and nothing else, with one answer for every miss.
func TestReturnPhoto(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, testOrder())
	r, err := f.SubmitReturn(ctx, "gid://shopify/Order/1001", damagedRequest())
	if err != nil {
		t.Fatal(err)
	}
	var asked [][2]int64
	access := &photoAccess{memStore: f.store, PhotoFn: func(returnID, photoID int64) (*returns.Photo, error) {
		asked = append(asked, [2]int64{returnID, photoID})
		if photoID != 1 {
			return nil, returns.Errorf(returns.ENOTFOUND, "Photo not found.")
		}
		return &returns.Photo{ID: 1, ContentType: "image/jpeg", Data: []byte("jpeg")}, nil
	}}
	customers := returns.NewCustomerService(returns.CustomerDeps{
		Shop: f.shop, Returns: f.store, Access: access, Timeline: f.store, Settings: settingsFunc(func(context.Context) (returns.Settings, error) { return returns.DefaultSettings(), nil }),
		Changes: f.changes, Orders: returns.NewOrderCache(), Now: func() time.Time { return serviceNow }, Log: quietLog,
	})
	if p, err := customers.ReturnPhoto(ctx, "gid://shopify/Order/1001", r.Code, 1); err != nil || string(p.Data) != "jpeg" {
		t.Errorf("ReturnPhoto() = %+v, %v", p, err)
	}
	for _, tc := range []struct {
		name, orderID, code string
		photoID             int64
	}{
		{"OtherOrder", "gid://shopify/Order/1002", r.Code, 1},
		{"UnknownCode", "gid://shopify/Order/1001", "R-22222222", 1},
		{"UnknownPhoto", "gid://shopify/Order/1001", r.Code, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, err := customers.ReturnPhoto(ctx, tc.orderID, tc.code, tc.photoID); p != nil || !errors.Is(err, returns.ErrNoReturn) {
				t.Errorf("ReturnPhoto() = %+v, %v; want ErrNoReturn", p, err)
			}
		})
	}
	if want := [][2]int64{{r.ID, 1}, {r.ID, 2}}; len(asked) != 2 || asked[0] != want[0] || asked[1] != want[1] {
		t.Errorf("photos asked %v, want %v: none for another order's return", asked, want)
	}
}
