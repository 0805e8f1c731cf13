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
		ReturnAddress:    "Noliktava\nRīga",
		WindowDays:       14,
		NonReturnableTag: "", // no tag: every product can be returned
		InstructionsEN:   "Send it back.",
		InstructionsLV:   "Sūtiet atpakaļ.",
	}
	t.Run("save and load", func(t *testing.T) {
		if err := d.SaveSettings(ctx, saved, "staff:1"); err != nil {
			t.Fatal(err)
		}
		got, err := d.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := saved
		want.UpdatedAt, want.UpdatedBy = now, "staff:1"
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})

	t.Run("save again", func(t *testing.T) {
		d.Now = func() time.Time { return now.Add(time.Hour) }
		defer func() { d.Now = func() time.Time { return now } }()
		again := saved
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
		if n := count(t, d, "settings"); n != 5 {
			t.Errorf("%d settings rows, want 5", n)
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
