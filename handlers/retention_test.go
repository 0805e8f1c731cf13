package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPhotosDeletedAfterRetention: with the wiring the server runs, a return
// declined 181 days ago loses its photos, one declined 179 days ago and an
// open one keep theirs; with the setting at 0 every photo stays.
func TestPhotosDeletedAfterRetention(t *testing.T) {
	h := newHarness(t, nil)
	clk := h.useClock()
	// Staff sessions last 12 hours: a new member signs in after each jump
	// of the clock.
	members := 0
	signIn := func() *http.Client {
		members++
		return h.staff(fmt.Sprintf("member%d@example.com", members))
	}
	decline := func(code string) {
		t.Helper()
		if a := h.action(signIn(), code, "decline", url.Values{"reason": {"Not damaged in transit."}}); a.status != http.StatusSeeOther {
			t.Fatalf("decline %s: %d", code, a.status)
		}
	}
	damaged := func(email, order, title string) string {
		return h.submitReturn(order, email, title,
			field("kind", "damaged"), field("description", "Broken."), field("resolution", "replacement"),
			part{name: "photos", filename: "p.jpg", data: jpegBytes(t, 32, 24)})
	}
	early := damaged("anna.berzina@example.lv", "1001", "Linen tea towel")
	open := damaged("anna.berzina@example.lv", "1001", "Ceramic mug")
	decline(early)
	clk.Add(2 * 24 * time.Hour)
	late := damaged("lee.jordan@example.com", "1005", "Desk lamp")
	decline(late)
	photos := func(code string) int {
		r, err := h.store.ReturnByCode(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Photos)
	}
	if photos(early) != 1 || photos(late) != 1 || photos(open) != 1 {
		t.Fatal("the returns have no photos to begin with")
	}

	clk.Add(179 * 24 * time.Hour) // early was declined 181 days ago, late 179
	staff := signIn()
	save := func(days string) {
		t.Helper()
		a := h.postForm(staff, "/admin/settings", url.Values{
			"return_address": {"Returns, Rīga"}, "window_days": {"30"}, "photo_retention_days": {days},
		})
		if a.status != http.StatusSeeOther {
			t.Fatalf("save retention %s: %d\n%s", days, a.status, a.body)
		}
	}
	save("0")
	if n, err := h.app.PhotoRetention.PurgePhotos(context.Background()); err != nil || n != 0 || photos(early) != 1 {
		t.Fatalf("with 0 days: purged %d (%v), %d photos left on the oldest", n, err, photos(early))
	}
	save("180")
	if n, err := h.app.PhotoRetention.PurgePhotos(context.Background()); err != nil || n != 1 {
		t.Fatalf("PurgePhotos() = %d, %v; want 1", n, err)
	}
	if photos(early) != 0 || photos(late) != 1 || photos(open) != 1 {
		t.Errorf("photos left: declined 181 days ago %d, 179 days ago %d, open %d; want 0, 1, 1", photos(early), photos(late), photos(open))
	}
	if a := h.get(staff, "/admin/returns/"+early); !strings.Contains(a.body, "Photos deleted after 180 days") {
		t.Errorf("the timeline does not say the photos were deleted:\n%s", a.body)
	}
}

func TestPhotoRetentionSetting(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	form := func(days ...string) url.Values {
		v := url.Values{"return_address": {"Returns, Rīga"}, "window_days": {"30"}}
		if len(days) > 0 {
			v.Set("photo_retention_days", days[0])
		}
		return v
	}
	retention := func() int {
		st, err := h.app.Settings.Settings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.PhotoRetentionDays
	}
	if page := h.get(staff, "/admin/settings"); !strings.Contains(page.body, `name="photo_retention_days"`) || !strings.Contains(page.body, `value="180"`) {
		t.Fatalf("the settings page lacks the retention field at its default:\n%s", page.body)
	}
	for _, bad := range []string{"-1", "3651", "half a year", ""} {
		a := h.postForm(staff, "/admin/settings", form(bad))
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Enter a number of days from 0 to 3650") {
			t.Errorf("retention %q: %d", bad, a.status)
		}
	}
	if a := h.postForm(staff, "/admin/settings", form(" 30 ")); a.status != http.StatusSeeOther || retention() != 30 {
		t.Fatalf("retention 30: %d, saved %d", a.status, retention())
	}
	// A form from before the setting existed keeps the one in effect.
	if a := h.postForm(staff, "/admin/settings", form()); a.status != http.StatusSeeOther || retention() != 30 {
		t.Fatalf("a form without the field: %d, saved %d; want 30 kept", a.status, retention())
	}

	// Customers are told on the return form, in their language.
	cust := h.client()
	h.lookup(cust, "1001", "anna.berzina@example.lv")
	if a := h.get(cust, "/order"); !strings.Contains(a.body, "We delete them 30 days after your return is completed.") {
		t.Errorf("the return form does not say how long photos are kept:\n%s", a.body)
	}
	if a := h.postForm(staff, "/admin/settings", form("0")); a.status != http.StatusSeeOther {
		t.Fatal(a.status)
	}
	if a := h.get(cust, "/order"); strings.Contains(a.body, "We delete them") {
		t.Error("the return form promises a deletion that the setting turned off")
	}
}
