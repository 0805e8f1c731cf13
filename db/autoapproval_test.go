package db_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/returnsportal/returns"
)

func TestAutoApprovalRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "returns.db")
	d := mustOpenAt(t, path)
	ctx := context.Background()

	got, err := d.AutoApprovalRules(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("rules before any save = %+v, %v; want none", got, err)
	}
	rules := []returns.AutoApprovalRule{
		{ID: 1, Name: "Small returns", Enabled: true, Dissatisfied: true, WithinDays: 14, MaxAmount: returns.Money{Minor: 4000, Currency: "EUR"}},
		{ID: 3, Name: "Damaged mugs “cheap”", Damaged: true, WithinDays: 1, MaxAmount: returns.Money{Minor: 1500, Currency: "USD"}},
	}
	if err := d.SaveAutoApprovalRules(ctx, rules, now, "anna@example.lv"); err != nil {
		t.Fatal(err)
	}
	if got, err := d.AutoApprovalRules(ctx); err != nil || !reflect.DeepEqual(got, rules) {
		t.Errorf("rules = %+v, %v; want %+v", got, err, rules)
	}

	t.Run("a change is in the settings' history; the same rules again are not", func(t *testing.T) {
		changes, err := d.SettingsChanges(ctx, 10)
		if err != nil || len(changes) != 1 || !slices.Equal(changes[0].Fields, []string{returns.SettingAutoApprovalRules}) || changes[0].By != "anna@example.lv" {
			t.Fatalf("changes = %+v, %v", changes, err)
		}
		if err := d.SaveAutoApprovalRules(ctx, rules, now.Add(1), "anna@example.lv"); err != nil {
			t.Fatal(err)
		}
		if changes, _ := d.SettingsChanges(ctx, 10); len(changes) != 1 {
			t.Errorf("saving the same rules recorded a change: %+v", changes)
		}
	})

	t.Run("a save of the settings form keeps the rules", func(t *testing.T) {
		st := returns.DefaultSettings()
		st.WindowDays = 21
		if err := d.SaveSettings(ctx, stamped(st, now), "staff:1"); err != nil {
			t.Fatal(err)
		}
		if got, err := d.AutoApprovalRules(ctx); err != nil || !reflect.DeepEqual(got, rules) {
			t.Errorf("rules = %+v, %v; want %+v", got, err, rules)
		}
		if s, err := d.Settings(ctx); err != nil || s.WindowDays != 21 {
			t.Errorf("settings = %+v, %v", s, err)
		}
	})

	// Last: the database opened again closes with this subtest.
	t.Run("kept across a reopen", func(t *testing.T) {
		d.Close()
		d = mustOpenAt(t, path)
		if got, err := d.AutoApprovalRules(ctx); err != nil || !reflect.DeepEqual(got, rules) {
			t.Errorf("rules = %+v, %v; want %+v", got, err, rules)
		}
		if err := d.SaveAutoApprovalRules(ctx, nil, now, "anna@example.lv"); err != nil {
			t.Fatal(err)
		}
		if got, err := d.AutoApprovalRules(ctx); err != nil || len(got) != 0 {
			t.Errorf("rules after deleting every one = %+v, %v; want none", got, err)
		}
	})
}
