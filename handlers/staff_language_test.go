package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStaffLanguageSwitch: the switch on a backoffice page saves the language
// for the signed-in account and goes back to the page it was on; the pages
// then speak it (the document's language, the navigation, the flash of an
// action), and another account keeps its own. Accounts that never chose one
// read the store's language from the settings, and the sign-in page speaks
// it too.
func TestStaffLanguageSwitch(t *testing.T) {
	h := newHarness(t, nil)
	anna := h.staff("anna@example.lv")
	sam := h.staff("sam@example.com")

	page := h.get(anna, "/admin/settings")
	if !strings.Contains(page.body, `<html lang="en">`) || !strings.Contains(page.body, ">Sign out<") {
		t.Fatalf("before the switch, Anna's page is not English:\n%s", page.body)
	}
	if !strings.Contains(page.body, `action="/admin/language"`) || !strings.Contains(page.body, `name="next" value="/admin/settings"`) {
		t.Fatalf("no language switch coming back to the settings:\n%s", page.body)
	}

	a := h.postForm(anna, "/admin/language", url.Values{"lang": {"lv"}, "next": {"/admin/settings?done=settings"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/admin/settings?done=settings" {
		t.Fatalf("switch: status %d location %q", a.status, a.header.Get("Location"))
	}
	page = h.get(anna, "/admin/settings?done=settings")
	for _, want := range []string{`<html lang="lv">`, ">Iziet<", ">Rinda<", "Iestatījumi saglabāti."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("Anna's page after the switch lacks %q", want)
		}
	}
	if strings.Contains(page.body, ">Sign out<") || strings.Contains(page.body, "Settings saved.") {
		t.Error("Anna's page after the switch still has English")
	}
	if page := h.get(sam, "/admin"); !strings.Contains(page.body, `<html lang="en">`) || !strings.Contains(page.body, ">Sign out<") {
		t.Error("Sam's page changed language with Anna's switch")
	}

	// A language the backoffice does not speak changes nothing; the switch
	// never leads off the backoffice.
	if a := h.postForm(anna, "/admin/language", url.Values{"lang": {"de"}}); a.status != http.StatusBadRequest {
		t.Errorf("switch to de: status %d, want 400", a.status)
	}
	if page := h.get(anna, "/admin"); !strings.Contains(page.body, `<html lang="lv">`) {
		t.Error("a refused switch changed Anna's language")
	}
	if a := h.postForm(anna, "/admin/language", url.Values{"lang": {"en"}, "next": {"//evil.example/admin"}}); a.header.Get("Location") != "/admin" {
		t.Errorf("switch with a foreign next: location %q, want /admin", a.header.Get("Location"))
	}
	if a := h.postForm(h.client(), "/admin/language", url.Values{"lang": {"lv"}}); a.status != http.StatusForbidden {
		t.Errorf("switch without a session: status %d, want 403", a.status)
	}

	// The store's language is Latvian: Sam, who never chose, reads Latvian;
	// Anna, who chose English, keeps it; the sign-in page speaks Latvian.
	ctx := context.Background()
	st, err := h.app.Settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.StaffLanguage = "lv"
	if err := h.app.Settings.UpdateSettings(ctx, st, "test"); err != nil {
		t.Fatal(err)
	}
	if page := h.get(sam, "/admin"); !strings.Contains(page.body, `<html lang="lv">`) {
		t.Error("Sam does not read the store's Latvian")
	}
	if page := h.get(anna, "/admin"); !strings.Contains(page.body, `<html lang="en">`) {
		t.Error("Anna's own English gave way to the store's language")
	}
	if page := h.get(h.client(), "/admin/login"); !strings.Contains(page.body, `<html lang="lv">`) || !strings.Contains(page.body, ">Pieteikties<") {
		t.Errorf("the sign-in page does not speak the store's Latvian:\n%s", page.body)
	}
}
