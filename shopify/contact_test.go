package shopify_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify"
	"github.com/returnsportal/returns/shopify/devshop"
)

func TestOrderContact(t *testing.T) {
	ctx := context.Background()
	for _, hide := range []bool{false, true} {
		shop := devshop.New(devshop.Options{Now: func() time.Time { return now }, HideAddresses: hide})
		srv := httptest.NewServer(shop)
		defer srv.Close()
		c, err := shopify.New(shopify.Config{Shop: "returns-demo", AccessToken: shop.Token(), Endpoint: srv.URL,
			RetryWait: time.Millisecond, Timeout: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.OrderContact(ctx, "gid://shopify/Order/1005")
		if err != nil {
			t.Fatal(err)
		}
		if hide {
			if !got.Hidden || got.Name != "" || got.Address != nil {
				t.Errorf("with addresses hidden: %+v, want hidden", got)
			}
			continue
		}
		want := []string{"400 Pine Street", "Apt 5", "98101 Seattle", "United States"}
		if got.Hidden || got.Name != "Lee Jordan" || !slices.Equal(got.Address, want) {
			t.Errorf("contact %+v, want Lee Jordan at %q", got, want)
		}
	}
}
