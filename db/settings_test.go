package db_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

func TestSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	ctx := context.Background()

	t.Run("defaults", func(t *testing.T) {
		got, err := d.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, returns.DefaultSettings()) {
			t.Errorf("got %+v, want defaults", got)
		}
	})

	saved := returns.Settings{
		ReturnAddress:      "Noliktava\nRīga",
		WindowDays:         14,
		NonReturnableTag:   "", // no tag: every product can be returned
		InstructionsEN:     "Send it back.",
		InstructionsLV:     "Sūtiet atpakaļ.",
		RequireEmailedLink: true,
		PhotoRetentionDays: 30,
	}
	t.Run("save and load", func(t *testing.T) {
		if err := d.SaveSettings(ctx, stamped(saved, now), "staff:1"); err != nil {
			t.Fatal(err)
		}
		got, err := d.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := saved
		want.UpdatedAt, want.UpdatedBy, want.Revision = now, "staff:1", 1
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})

	t.Run("save again", func(t *testing.T) {
		again := stamped(saved, now.Add(time.Hour))
		again.WindowDays = 60
		if err := d.SaveSettings(ctx, again, "staff:2"); err != nil {
			t.Fatal(err)
		}
		got, err := d.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.WindowDays != 60 || got.UpdatedBy != "staff:2" || !got.UpdatedAt.Equal(now.Add(time.Hour)) || got.ReturnAddress != saved.ReturnAddress {
			t.Errorf("got %+v", got)
		}
		if got.Revision != 2 {
			t.Errorf("revision %d after a second save that changed a setting, want 2", got.Revision)
		}
		// A save that changes nothing keeps the revision: pages rendered with
		// these settings stay right.
		if err := d.SaveSettings(ctx, again, "staff:2"); err != nil {
			t.Fatal(err)
		}
		if same, err := d.Settings(ctx); err != nil || same.Revision != 2 {
			t.Errorf("revision %d (%v) after a save that changed nothing, want 2", same.Revision, err)
		}
		if n := count(t, d, "settings"); n != 24 { // 14, 3 of the delivery refunded and 7 of the right of withdrawal
			t.Errorf("%d settings rows, want 24", n)
		}
	})

	t.Run("a setting never saved keeps its default", func(t *testing.T) {
		w, _ := d.Pools()
		if _, err := w.Exec(`DELETE FROM settings WHERE key = 'instructions_lv'`); err != nil {
			t.Fatal(err)
		}
		got, err := d.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.InstructionsLV != returns.DefaultSettings().InstructionsLV || got.WindowDays != 60 {
			t.Errorf("got %+v", got)
		}
	})
}

func TestSettingsChanges(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	at := now

	changes := func() []returns.SettingsChange {
		t.Helper()
		cs, err := d.SettingsChanges(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	if cs := changes(); len(cs) != 0 {
		t.Fatalf("changes before any save: %+v", cs)
	}

	// Saving the defaults as they are changes nothing.
	if err := d.SaveSettings(ctx, stamped(returns.DefaultSettings(), at), "staff:1"); err != nil {
		t.Fatal(err)
	}
	if cs := changes(); len(cs) != 0 {
		t.Errorf("changes after saving the defaults: %+v", cs)
	}

	s := returns.DefaultSettings()
	s.WindowDays, s.StaffEmail = 14, "returns@example.lv"
	at = now.Add(time.Hour)
	if err := d.SaveSettings(ctx, stamped(s, at), "staff:1"); err != nil {
		t.Fatal(err)
	}
	got, err := d.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.StaffEmail != "returns@example.lv" || got.WindowDays != 14 {
		t.Errorf("settings = %+v", got)
	}

	at = now.Add(2 * time.Hour)
	if err := d.SaveSettings(ctx, stamped(s, at), "staff:2"); err != nil { // the same again
		t.Fatal(err)
	}
	s.StaffEmail, s.InstructionsLV = "", "Sūtiet atpakaļ."
	at = now.Add(3 * time.Hour)
	if err := d.SaveSettings(ctx, stamped(s, at), "staff:2"); err != nil {
		t.Fatal(err)
	}

	want := []returns.SettingsChange{
		{At: now.Add(3 * time.Hour), By: "staff:2", Fields: []string{"instructions_lv", "staff_email"}},
		{At: now.Add(time.Hour), By: "staff:1", Fields: []string{"window_days", "staff_email"}},
	}
	if cs := changes(); !reflect.DeepEqual(cs, want) {
		t.Errorf("changes = %+v\nwant      %+v", cs, want)
	}
	if cs, err := d.SettingsChanges(ctx, 1); err != nil || !reflect.DeepEqual(cs, want[:1]) {
		t.Errorf("limit 1: %+v, %v", cs, err)
	}
}

// stamped is s as the service saves it: with the time of the save.
func stamped(s returns.Settings, at time.Time) returns.Settings {
	s.UpdatedAt = at
	return s
}
