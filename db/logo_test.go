package db_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// TestLogo: one logo at a time, served only by its current hash; each change
// is in the settings' history; saving the same logo again records nothing.
func TestLogo(t *testing.T) {
	d := mustOpenAt(t, filepath.Join(t.TempDir(), "returns.db"))
	ctx := context.Background()
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

	if l, err := d.CurrentLogo(ctx); err != nil || l != nil {
		t.Fatalf("before any: %+v, %v", l, err)
	}
	first := returns.NewLogo(returns.Photo{ContentType: "image/png", Width: 200, Height: 50, Data: []byte("png one")})
	if err := d.SaveLogo(ctx, first, at, "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	got, err := d.Logo(ctx, first.Hash)
	if err != nil || got.LogoRef != first.LogoRef || !bytes.Equal(got.Data, first.Data) {
		t.Fatalf("logo %+v, %v", got, err)
	}
	if err := d.SaveLogo(ctx, first, at, "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	second := returns.NewLogo(returns.Photo{ContentType: "image/jpeg", Width: 300, Height: 60, Data: []byte("jpeg two")})
	if err := d.SaveLogo(ctx, second, at.Add(time.Minute), "lee@example.com"); err != nil {
		t.Fatal(err)
	}
	if cur, err := d.CurrentLogo(ctx); err != nil || cur == nil || *cur != second.LogoRef {
		t.Errorf("current %+v, %v, want the second", cur, err)
	}
	if _, err := d.Logo(ctx, first.Hash); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("the replaced logo: %v, want not found", err)
	}
	if err := d.SaveLogo(ctx, nil, at.Add(2*time.Minute), "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	if cur, err := d.CurrentLogo(ctx); err != nil || cur != nil {
		t.Errorf("after removal %+v, %v", cur, err)
	}
	changes, err := d.SettingsChanges(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 || changes[0].By != "kim@example.com" || changes[0].Fields[0] != "logo" {
		t.Errorf("changes %+v, want three of the logo", changes)
	}
	if s, err := d.Settings(ctx); err != nil || s.Revision == 0 {
		t.Errorf("settings revision %d (%v): a logo change must move it", s.Revision, err)
	}
}

// TestIdentitySettings: the settings of the store's identity are kept.
func TestIdentitySettings(t *testing.T) {
	d := mustOpenAt(t, filepath.Join(t.TempDir(), "returns.db"))
	ctx := context.Background()
	s := returns.DefaultSettings()
	s.StoreName, s.ContactEmail, s.TimeZone, s.ReturnAddressLV = "Linen & Co", "help@linen.example", "Europe/Riga", "Atgriešana\nRīga"
	s.UpdatedAt = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if err := d.SaveSettings(ctx, s, "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	got, err := d.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.StoreName != s.StoreName || got.ContactEmail != s.ContactEmail || got.TimeZone != s.TimeZone || got.ReturnAddressLV != s.ReturnAddressLV {
		t.Errorf("got %+v", got)
	}
}
