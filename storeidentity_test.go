package returns_test

import (
	"context"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

func TestUpdateSettingsIdentity(t *testing.T) {
	valid := returns.DefaultSettings()
	tests := []struct {
		name  string
		edit  func(*returns.Settings)
		field string // "" when the settings are accepted
		check func(t *testing.T, saved returns.Settings)
	}{
		{name: "time zone Europe/Riga", edit: func(s *returns.Settings) { s.TimeZone = " Europe/Riga " },
			check: func(t *testing.T, s returns.Settings) {
				if s.TimeZone != "Europe/Riga" {
					t.Errorf("time zone %q", s.TimeZone)
				}
			}},
		{name: "no time zone uses Shopify's", edit: func(s *returns.Settings) { s.TimeZone = "" }},
		{name: "unknown time zone", edit: func(s *returns.Settings) { s.TimeZone = "Europe/Atlantis" }, field: returns.FieldTimeZone},
		{name: "server's own zone", edit: func(s *returns.Settings) { s.TimeZone = "Local" }, field: returns.FieldTimeZone},
		{name: "a path for a zone", edit: func(s *returns.Settings) { s.TimeZone = "../../etc/passwd" }, field: returns.FieldTimeZone},
		{name: "contact email normalised", edit: func(s *returns.Settings) { s.ContactEmail = " Help@Linen.Example " },
			check: func(t *testing.T, s returns.Settings) {
				if s.ContactEmail != "help@linen.example" {
					t.Errorf("contact %q", s.ContactEmail)
				}
			}},
		{name: "contact not an email", edit: func(s *returns.Settings) { s.ContactEmail = "ask at the shop" }, field: returns.FieldContactEmail},
		{name: "store name on one line", edit: func(s *returns.Settings) { s.StoreName = "  Linen\n &  Co " },
			check: func(t *testing.T, s returns.Settings) {
				if s.StoreName != "Linen & Co" {
					t.Errorf("name %q", s.StoreName)
				}
			}},
		{name: "store name too long", edit: func(s *returns.Settings) {
			s.StoreName = stringOf('a', 101)
		}, field: returns.FieldStoreName},
		{name: "store name with a bidi override", edit: func(s *returns.Settings) { s.StoreName = "Linen \u202e& Co" }, field: returns.FieldStoreName},
		{name: "Latvian address with control characters", edit: func(s *returns.Settings) { s.ReturnAddressLV = "Brīvības iela 1\x00" }, field: returns.FieldReturnAddressLV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &fakeSettingsStore{}
			svc := returns.NewSettingsService(store, func() time.Time { return serviceNow })
			st := valid
			tt.edit(&st)
			err := svc.UpdateSettings(context.Background(), st, "kim@example.com")
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tt.check != nil {
					tt.check(t, store.saved)
				}
				return
			}
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if _, ok := returns.ErrorFields(err)[tt.field]; !ok {
				t.Errorf("no message for %s: %v", tt.field, returns.ErrorFields(err))
			}
		})
	}
}

func stringOf(r rune, n int) string {
	b := make([]rune, n)
	for i := range b {
		b[i] = r
	}
	return string(b)
}

func TestSettingsAddress(t *testing.T) {
	s := returns.Settings{ReturnAddress: "Returns\nRiga", ReturnAddressLV: "Atgriešana\nRīga"}
	if got := s.Address("lv"); got != "Atgriešana\nRīga" {
		t.Errorf("lv: %q", got)
	}
	if got := s.Address("en"); got != "Returns\nRiga" {
		t.Errorf("en: %q", got)
	}
	s.ReturnAddressLV = ""
	if got := s.Address("lv"); got != "Returns\nRiga" {
		t.Errorf("lv without its own: %q, want the English one", got)
	}
}

func TestComposeIdentity(t *testing.T) {
	shop := returns.ShopIdentity{Name: "Linen & Co", PrimaryDomainURL: "https://linen.example", PrimaryDomainHost: "linen.example", TimeZone: "America/New_York"}
	load := returns.ValidTimeZone
	t.Run("Shopify's by default", func(t *testing.T) {
		id := returns.ComposeIdentity(returns.Settings{}, shop, returns.LogoRef{}, "Demo store", load)
		if id.Name != "Linen & Co" || id.StoreURL != "https://linen.example" || id.StoreHost != "linen.example" || id.TimeZone != "America/New_York" || id.Location.String() != "America/New_York" {
			t.Errorf("%+v", id)
		}
	})
	t.Run("settings override", func(t *testing.T) {
		id := returns.ComposeIdentity(returns.Settings{StoreName: "Linen", TimeZone: "Europe/Riga", ContactEmail: "help@linen.example"}, shop, returns.LogoRef{}, "Demo store", load)
		if id.Name != "Linen" || id.TimeZone != "Europe/Riga" || id.ContactEmail != "help@linen.example" {
			t.Errorf("%+v", id)
		}
	})
	t.Run("nothing known", func(t *testing.T) {
		id := returns.ComposeIdentity(returns.Settings{}, returns.ShopIdentity{}, returns.LogoRef{}, "Demo store", load)
		if id.Name != "Demo store" || id.StoreURL != "" || id.Location != time.UTC {
			t.Errorf("%+v", id)
		}
	})
	t.Run("a storefront that is not a web address", func(t *testing.T) {
		bad := shop
		bad.PrimaryDomainURL = "javascript:alert(1)"
		if id := returns.ComposeIdentity(returns.Settings{}, bad, returns.LogoRef{}, "", load); id.StoreURL != "" {
			t.Errorf("store URL %q", id.StoreURL)
		}
	})
	t.Run("revision moves with what pages show", func(t *testing.T) {
		a := returns.ComposeIdentity(returns.Settings{Revision: 3}, shop, returns.LogoRef{}, "", load)
		same := returns.ComposeIdentity(returns.Settings{Revision: 3}, shop, returns.LogoRef{}, "", load)
		renamed := shop
		renamed.Name = "Linen & Clay"
		for name, other := range map[string]returns.StoreIdentity{
			"settings": returns.ComposeIdentity(returns.Settings{Revision: 4}, shop, returns.LogoRef{}, "", load),
			"shop":     returns.ComposeIdentity(returns.Settings{Revision: 3}, renamed, returns.LogoRef{}, "", load),
			"logo":     returns.ComposeIdentity(returns.Settings{Revision: 3}, shop, returns.LogoRef{Hash: "ab"}, "", load),
		} {
			if other.Revision == a.Revision {
				t.Errorf("a change of the %s keeps the revision", name)
			}
		}
		if same.Revision != a.Revision {
			t.Error("the same identity has another revision")
		}
	})
}

// zoneFunc is a StoreZone of a fixed location.
type zoneFunc func() *time.Location

func (z zoneFunc) Location(context.Context) *time.Location { return z() }

// TestShopifyNoteDateInStoreZone: the day written on the Shopify order is the
// store's day, not UTC's: at 23:30 UTC it is already the next day in Riga.
func TestShopifyNoteDateInStoreZone(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	f := newBackofficeFixture(t)
	f.now = time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC) // 01:30 on the 29th in Riga (EET, +2)
	f.BackofficeService = returns.NewBackofficeService(returns.BackofficeDeps{
		Returns: f.store, Access: f.access, Timeline: f.store, Notes: f.store, Queue: f.queue,
		Shipments: f.shipments, Staff: staffListFunc(func() ([]returns.Staff, error) { return f.staff, nil }),
		Ledger: f.ledger, Shop: f.shop, Suggester: f.refunder, Changes: f.changes,
		Zone: zoneFunc(func() *time.Location { return riga }), Now: f.clock, Log: f.log,
	})
	r := f.addReturn(returns.StatusApproved)
	if err := f.MarkReceived(context.Background(), 7, r.Code); err != nil {
		t.Fatal(err)
	}
	wbs := f.storedWritebacks()
	if want := r.Code + ": item received 2026-03-29"; len(wbs) != 1 || wbs[0].NoteLine != want {
		t.Errorf("write-backs %+v, want %q", wbs, want)
	}
}
