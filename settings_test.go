package returns_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeSettingsStore is a SettingsStore that keeps the last settings saved and
// counts reads; the …Fn fields, when set, answer instead.
type fakeSettingsStore struct {
	SettingsFn     func() (returns.Settings, error)
	SaveSettingsFn func(s returns.Settings, by string) error

	saved   returns.Settings
	by      string
	reads   int
	saves   int
	limits  []int // the limits SettingsChanges was asked for
	changes []returns.SettingsChange
}

func (s *fakeSettingsStore) Settings(ctx context.Context) (returns.Settings, error) {
	s.reads++
	if s.SettingsFn != nil {
		return s.SettingsFn()
	}
	if s.saves == 0 {
		return returns.DefaultSettings(), nil
	}
	return s.saved, nil
}

func (s *fakeSettingsStore) SaveSettings(ctx context.Context, st returns.Settings, by string) error {
	if s.SaveSettingsFn != nil {
		if err := s.SaveSettingsFn(st, by); err != nil {
			return err
		}
	}
	s.saves++
	s.saved, s.by = st, by
	return nil
}

func (s *fakeSettingsStore) SettingsChanges(ctx context.Context, limit int) ([]returns.SettingsChange, error) {
	s.limits = append(s.limits, limit)
	return s.changes, nil
}

// validSettings are settings every check accepts.
func validSettings() returns.Settings {
	st := returns.DefaultSettings()
	st.StaffEmail = "staff@example.com"
	return st
}

func TestUpdateSettingsValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*returns.Settings)
		field string
		msg   string
	}{
		{"NoAddress", func(s *returns.Settings) { s.ReturnAddress = " \r\n " }, returns.FieldReturnAddress, "Enter the address returns are sent to."},
		{"AddressTooLong", func(s *returns.Settings) { s.ReturnAddress = strings.Repeat("ā", 501) }, returns.FieldReturnAddress, "Please use at most 500 characters."},
		{"AddressControlCharacters", func(s *returns.Settings) { s.ReturnAddress = "Rīga\x00" }, returns.FieldReturnAddress, "The text contains control characters."},
		{"WindowZero", func(s *returns.Settings) { s.WindowDays = 0 }, returns.FieldWindowDays, "Enter a number of days from 1 to 365."},
		{"WindowNegative", func(s *returns.Settings) { s.WindowDays = -30 }, returns.FieldWindowDays, "Enter a number of days from 1 to 365."},
		{"WindowOverAYear", func(s *returns.Settings) { s.WindowDays = 366 }, returns.FieldWindowDays, "Enter a number of days from 1 to 365."},
		{"TwoTags", func(s *returns.Settings) { s.NonReturnableTag = "final-sale, clearance" }, returns.FieldNonReturnableTag, "Enter one product tag, without commas."},
		{"TagTooLong", func(s *returns.Settings) { s.NonReturnableTag = strings.Repeat("t", 256) }, returns.FieldNonReturnableTag, "Enter one product tag, without commas."},
		{"TagControlCharacters", func(s *returns.Settings) { s.NonReturnableTag = "final\tsale\x1b" }, returns.FieldNonReturnableTag, "Enter one product tag, without commas."},
		{"InstructionsENTooLong", func(s *returns.Settings) { s.InstructionsEN = strings.Repeat("ā", 4001) }, returns.FieldInstructionsEN, "Please use at most 4000 characters."},
		{"InstructionsLVNotUTF8", func(s *returns.Settings) { s.InstructionsLV = "Sūtiet \xff" }, returns.FieldInstructionsLV, "The text contains characters we cannot read."},
		{"StaffEmailNotAnAddress", func(s *returns.Settings) { s.StaffEmail = "staff at example.com" }, returns.FieldStaffEmail, "Enter a valid email address, or leave it empty."},
		{"PhotoRetentionNegative", func(s *returns.Settings) { s.PhotoRetentionDays = -1 }, returns.FieldPhotoRetentionDays, "Enter a number of days from 0 to 3650; 0 keeps photos."},
		{"PhotoRetentionOverTenYears", func(s *returns.Settings) { s.PhotoRetentionDays = 3651 }, returns.FieldPhotoRetentionDays, "Enter a number of days from 0 to 3650; 0 keeps photos."},
		{"StaffEmailWithName", func(s *returns.Settings) { s.StaffEmail = "Staff <staff@example.com>" }, returns.FieldStaffEmail, "Enter a valid email address, or leave it empty."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeSettingsStore{}
			svc := returns.NewSettingsService(store, func() time.Time { return serviceNow })
			st := validSettings()
			tc.edit(&st)
			err := svc.UpdateSettings(context.Background(), st, "kim@example.com")
			if returns.ErrorCode(err) != returns.EINVALID {
				t.Fatalf("UpdateSettings() = %v, want EINVALID", err)
			}
			fields := returns.ErrorFields(err)
			if got := fields[tc.field].String(); got != tc.msg || len(fields) != 1 {
				t.Errorf("fields %v, want only %s: %q", fields, tc.field, tc.msg)
			}
			if store.saves != 0 {
				t.Errorf("invalid settings were saved")
			}
		})
	}

	t.Run("EveryFieldAtOnce", func(t *testing.T) {
		svc := returns.NewSettingsService(&fakeSettingsStore{}, func() time.Time { return serviceNow })
		err := svc.UpdateSettings(context.Background(), returns.Settings{NonReturnableTag: "a,b", InstructionsEN: "\x00", InstructionsLV: "\x00", StaffEmail: "x"}, "kim@example.com")
		if n := len(returns.ErrorFields(err)); n != 6 {
			t.Errorf("fields %v, want a message for each of the 6 wrong fields", returns.ErrorFields(err))
		}
	})
}

func TestUpdateSettingsSaves(t *testing.T) {
	store := &fakeSettingsStore{}
	now := serviceNow
	svc := returns.NewSettingsService(store, func() time.Time { return now })
	in := returns.Settings{
		ReturnAddress: "  Returns department\r\nRīga  ", WindowDays: 1, NonReturnableTag: " Final-Sale ",
		InstructionsEN: "\r\nPack it.\r\n", InstructionsLV: " Iepakojiet. ", StaffEmail: " Staff@Example.COM ",
		RequireEmailedLink: true, UpdatedAt: serviceNow.AddDate(-1, 0, 0), UpdatedBy: "someone else",
	}
	if err := svc.UpdateSettings(context.Background(), in, "kim@example.com"); err != nil {
		t.Fatalf("UpdateSettings() = %v", err)
	}
	want := returns.Settings{
		ReturnAddress: "Returns department\nRīga", WindowDays: 1, NonReturnableTag: "Final-Sale",
		InstructionsEN: "Pack it.", InstructionsLV: "Iepakojiet.", StaffEmail: "staff@example.com",
		RequireEmailedLink: true, UpdatedAt: serviceNow, UpdatedBy: "kim@example.com",
		StaffLanguage: "en",                                // the default, for a caller that set none
		Withdrawal:    returns.DefaultWithdrawalSettings(), // the defaults, likewise
	}
	if store.saved != want || store.by != "kim@example.com" {
		t.Errorf("saved %+v by %q,\nwant %+v by kim", store.saved, store.by, want)
	}

	t.Run("EmptyOptionalFields", func(t *testing.T) {
		st := validSettings()
		st.StaffEmail, st.NonReturnableTag, st.InstructionsLV, st.WindowDays = " ", "", "", 365
		now = serviceNow.Add(time.Hour)
		if err := svc.UpdateSettings(context.Background(), st, "lee@example.com"); err != nil {
			t.Fatalf("UpdateSettings() = %v", err)
		}
		if store.saved.StaffEmail != "" || !store.saved.UpdatedAt.Equal(now) {
			t.Errorf("saved staff email %q at %v", store.saved.StaffEmail, store.saved.UpdatedAt)
		}
	})
}

// TestSettingsKeptUntilASave: the settings are read from the store once and
// kept; a save forgets them, even one that fails, and a failed read keeps
// nothing.
func TestSettingsKeptUntilASave(t *testing.T) {
	ctx := context.Background()
	store := &fakeSettingsStore{}
	svc := returns.NewSettingsService(store, func() time.Time { return serviceNow })
	read := func(want returns.Settings, reads int) {
		t.Helper()
		got, err := svc.Settings(ctx)
		if err != nil || got != want || store.reads != reads {
			t.Fatalf("Settings() = %+v, %v after %d store reads; want %+v after %d", got, err, store.reads, want, reads)
		}
	}
	read(returns.DefaultSettings(), 1)
	read(returns.DefaultSettings(), 1)

	st := validSettings()
	st.WindowDays = 14
	if err := svc.UpdateSettings(ctx, st, "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	st.UpdatedAt, st.UpdatedBy = serviceNow, "kim@example.com"
	read(st, 2)
	read(st, 2)

	// A save that fails may have reached the database (a lost commit answer):
	// the next read asks it.
	store.SaveSettingsFn = func(returns.Settings, string) error { return errors.New("disk I/O error") }
	if err := svc.UpdateSettings(ctx, validSettings(), "kim@example.com"); err == nil {
		t.Fatal("UpdateSettings() = nil for a failed save")
	}
	read(st, 3)

	// A failed read keeps nothing: the next read asks again.
	store.SaveSettingsFn = nil
	if err := svc.UpdateSettings(ctx, st, "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	store.SettingsFn = func() (returns.Settings, error) { return returns.Settings{}, errors.New("database is locked") }
	if _, err := svc.Settings(ctx); err == nil || !strings.HasPrefix(err.Error(), "read settings: ") {
		t.Fatalf("Settings() = %v, want the store's error wrapped", err)
	}
	store.SettingsFn = nil
	read(st, 5)
}

func TestSettingsChanges(t *testing.T) {
	store := &fakeSettingsStore{changes: []returns.SettingsChange{{At: serviceNow, By: "kim@example.com", Fields: []string{returns.FieldWindowDays}}}}
	svc := returns.NewSettingsService(store, func() time.Time { return serviceNow })
	got, err := svc.SettingsChanges(context.Background())
	if err != nil || len(got) != 1 || got[0].By != "kim@example.com" {
		t.Errorf("SettingsChanges() = %+v, %v", got, err)
	}
	if len(store.limits) != 1 || store.limits[0] != 20 {
		t.Errorf("asked for %v changes, want the latest 20", store.limits)
	}
}

func TestSettingsInstructionsAndPolicy(t *testing.T) {
	st := returns.Settings{InstructionsEN: "Pack it.", InstructionsLV: "Iepakojiet.", WindowDays: 14, NonReturnableTag: "final-sale"}
	for lang, want := range map[string]string{"lv": "Iepakojiet.", "en": "Pack it.", "de": "Pack it.", "": "Pack it."} {
		if got := st.Instructions(lang); got != want {
			t.Errorf("Instructions(%q) = %q, want %q", lang, got, want)
		}
	}
	st.InstructionsLV = ""
	if got := st.Instructions("lv"); got != "Pack it." {
		t.Errorf("Instructions(lv) without Latvian ones = %q, want the English ones", got)
	}
	if p := st.Policy(); p != (returns.Policy{WindowDays: 14, NonReturnableTag: "final-sale"}) {
		t.Errorf("Policy() = %+v", p)
	}
}
