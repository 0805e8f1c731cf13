package db_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

func mustCreateStaff(t *testing.T, d *db.DB, email string) *returns.Staff {
	t.Helper()
	s := &returns.Staff{Email: email, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", CreatedAt: now}
	if err := d.CreateStaff(context.Background(), s); err != nil {
		t.Fatalf("CreateStaff(%s): %v", email, err)
	}
	if s.ID == 0 {
		t.Fatal("ID not filled")
	}
	return s
}

func TestStaff(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	anna := mustCreateStaff(t, d, "anna@example.lv")
	sam := mustCreateStaff(t, d, "sam@example.com")

	t.Run("by email", func(t *testing.T) {
		got, err := d.StaffByEmail(ctx, "anna@example.lv")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, *anna) {
			t.Errorf("got %+v, want %+v", *got, *anna)
		}
	})
	t.Run("unknown email", func(t *testing.T) {
		got, err := d.StaffByEmail(ctx, "nobody@example.lv")
		if returns.ErrorCode(err) != returns.ENOTFOUND || got != nil {
			t.Errorf("= %v, %v; want ENOTFOUND", got, err)
		}
	})
	t.Run("duplicate email", func(t *testing.T) {
		err := d.CreateStaff(ctx, &returns.Staff{Email: "anna@example.lv", PasswordHash: "x", CreatedAt: now})
		if returns.ErrorCode(err) != returns.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
		if msg := returns.ErrorMessage(err).String(); msg != "There is already an account with this email address." {
			t.Errorf("message = %q", msg)
		}
	})
	t.Run("upper-case email refused", func(t *testing.T) {
		if err := d.CreateStaff(ctx, &returns.Staff{Email: "Lee@example.com", PasswordHash: "x", CreatedAt: now}); err == nil {
			t.Error("stored an email that is not lower case")
		}
	})
	t.Run("list, oldest first", func(t *testing.T) {
		got, err := d.ListStaff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, []returns.Staff{*anna, *sam}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("update", func(t *testing.T) {
		up := *sam
		up.PasswordHash, up.Disabled = "new hash", true
		up.Email = "ignored@example.com" // the email never changes
		if err := d.UpdateStaff(ctx, &up); err != nil {
			t.Fatal(err)
		}
		got, err := d.StaffByEmail(ctx, "sam@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash != "new hash" || !got.Disabled {
			t.Errorf("got %+v", got)
		}
		up.Disabled = false
		if err := d.UpdateStaff(ctx, &up); err != nil {
			t.Fatal(err)
		}
		if got, _ := d.StaffByEmail(ctx, "sam@example.com"); got.Disabled {
			t.Error("still disabled")
		}
	})
	t.Run("update unknown", func(t *testing.T) {
		err := d.UpdateStaff(ctx, &returns.Staff{ID: 999, PasswordHash: "x"})
		if returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
}

func TestStaffSessions(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	anna := mustCreateStaff(t, d, "anna@example.lv")
	sam := mustCreateStaff(t, d, "sam@example.com")
	newSession := func(id string, st *returns.Staff) *returns.StaffSession {
		t.Helper()
		s := &returns.StaffSession{ID: id, StaffID: st.ID, CreatedAt: now, LastSeenAt: now}
		if err := d.CreateStaffSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a1 := newSession("a1", anna)
	newSession("a2", anna)
	newSession("s1", sam)

	exists := func(id string) bool {
		t.Helper()
		_, _, err := d.StaffSession(ctx, id)
		if err != nil && returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}

	t.Run("join", func(t *testing.T) {
		sess, st, err := d.StaffSession(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*sess, *a1) || !reflect.DeepEqual(*st, *anna) {
			t.Errorf("got %+v, %+v", sess, st)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if sess, st, err := d.StaffSession(ctx, "nope"); returns.ErrorCode(err) != returns.ENOTFOUND || sess != nil || st != nil {
			t.Errorf("= %v, %v, %v; want ENOTFOUND", sess, st, err)
		}
	})
	t.Run("of unknown staff", func(t *testing.T) {
		err := d.CreateStaffSession(ctx, &returns.StaffSession{ID: "x", StaffID: 999, CreatedAt: now, LastSeenAt: now})
		if returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
	t.Run("touch", func(t *testing.T) {
		later := now.Add(5 * time.Minute)
		if err := d.TouchStaffSession(ctx, "a1", later); err != nil {
			t.Fatal(err)
		}
		// A slow request touching late does not move it back.
		if err := d.TouchStaffSession(ctx, "a1", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		sess, _, err := d.StaffSession(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if !sess.LastSeenAt.Equal(later) || !sess.CreatedAt.Equal(now) {
			t.Errorf("got %+v", sess)
		}
		if err := d.TouchStaffSession(ctx, "nope", later); returns.ErrorCode(err) != returns.ENOTFOUND {
			t.Errorf("touch unknown: %v, want ENOTFOUND", err)
		}
	})
	t.Run("delete one", func(t *testing.T) {
		// By id, whoever it belongs to: sign-out knows only the token.
		if err := d.DeleteStaffSessions(ctx, 0, "a1"); err != nil {
			t.Fatal(err)
		}
		if exists("a1") || !exists("a2") || !exists("s1") {
			t.Error("deleted the wrong sessions")
		}
		if err := d.DeleteStaffSessions(ctx, 0, "a1"); err != nil {
			t.Errorf("deleting again: %v", err)
		}
	})
	t.Run("delete all of one staff member", func(t *testing.T) {
		newSession("a3", anna)
		if err := d.DeleteStaffSessions(ctx, anna.ID, ""); err != nil {
			t.Fatal(err)
		}
		if exists("a2") || exists("a3") || !exists("s1") {
			t.Error("deleted the wrong sessions")
		}
	})
}

// TestStaffLanguage: an account's language is stored with it, read back with
// its session, changes for that account alone and never overwrites a password
// saved meanwhile; the table refuses a language the backoffice does not speak.
func TestStaffLanguage(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	anna := mustCreateStaff(t, d, "anna@example.lv")
	sam := mustCreateStaff(t, d, "sam@example.com")
	if anna.Lang != "" {
		t.Fatalf("a new account has language %q, want none", anna.Lang)
	}
	lee := &returns.Staff{Email: "lee@example.com", PasswordHash: "x", CreatedAt: now, Lang: "lv"}
	if err := d.CreateStaff(ctx, lee); err != nil {
		t.Fatal(err)
	}
	if got, err := d.StaffByEmail(ctx, "lee@example.com"); err != nil || got.Lang != "lv" {
		t.Fatalf("created in Latvian: got %+v, %v", got, err)
	}

	// Sam changes his password; Anna's switch must not touch it.
	up := *sam
	up.PasswordHash = "sam's new hash"
	if err := d.UpdateStaff(ctx, &up); err != nil {
		t.Fatal(err)
	}
	if err := d.SetStaffLanguage(ctx, anna.ID, "lv"); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateStaffSession(ctx, &returns.StaffSession{ID: "s1", StaffID: anna.ID, CreatedAt: now, LastSeenAt: now}); err != nil {
		t.Fatal(err)
	}
	_, st, err := d.StaffSession(ctx, "s1")
	if err != nil || st.Lang != "lv" {
		t.Fatalf("Anna's session: got %+v, %v; want Latvian", st, err)
	}
	gotSam, err := d.StaffByEmail(ctx, "sam@example.com")
	if err != nil || gotSam.Lang != "" || gotSam.PasswordHash != "sam's new hash" {
		t.Errorf("Sam after Anna's switch: %+v, %v", gotSam, err)
	}
	list, err := d.ListStaff(ctx)
	if err != nil || len(list) != 3 || list[0].Lang != "lv" || list[1].Lang != "" {
		t.Errorf("list: %+v, %v", list, err)
	}

	if err := d.SetStaffLanguage(ctx, anna.ID, "de"); err == nil {
		t.Error("stored a language the backoffice does not speak")
	}
	if err := d.SetStaffLanguage(ctx, 999, "en"); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("unknown account: err = %v, want ENOTFOUND", err)
	}
}
