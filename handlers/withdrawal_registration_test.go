package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	returns "github.com/returnsportal/returns"
)

// TestStaffRegisterWithdrawal: staff register a statement of withdrawal
// that arrived by post, linked from the queue: it makes the same return and
// statement as one made online (approved, every item by default), made on
// the day it arrived and registered by them, acknowledged to the customer by
// email and kept in the record. The same form sent twice registers one
// withdrawal; a wrong email, a day in the future and a statement after the
// period are refused with the reason.
func TestStaffRegisterWithdrawal(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	ctx := context.Background()
	if q := h.get(c, "/admin"); !strings.Contains(q.body, `href="/admin/withdrawals/new"`) {
		t.Fatal("the queue does not link to the registration of a withdrawal")
	}
	page := h.get(c, "/admin/withdrawals/new")
	if page.status != http.StatusOK {
		t.Fatalf("the form: %d\n%s", page.status, page.body)
	}
	key := formValue(t, page.body, "key")
	// The store counts days in Riga, not in UTC.
	st, _ := h.app.Settings.Settings(ctx)
	st.TimeZone = "Europe/Riga"
	if err := h.app.Settings.UpdateSettings(ctx, st, "test"); err != nil {
		t.Fatal(err)
	}
	riga, _ := time.LoadLocation("Europe/Riga")
	day := func(days int) string { return time.Now().In(riga).AddDate(0, 0, days).Format("2006-01-02") }
	form := url.Values{"key": {key}, "order": {"#1002"}, "email": {"sam.taylor@example.com"}, "name": {"Sam Taylor"},
		"channel": {"post"}, "arrived": {day(-2)}, "withdrawal_reason": {""}}

	for name, tc := range map[string]struct {
		change func(url.Values)
		status int
		want   string
	}{
		"wrong email":      {func(v url.Values) { v.Set("email", "someone@example.com") }, http.StatusUnprocessableEntity, "No order has this number and email address."},
		"future":           {func(v url.Values) { v.Set("arrived", day(3)) }, http.StatusUnprocessableEntity, "cannot be in the future"},
		"no date":          {func(v url.Values) { v.Set("arrived", "") }, http.StatusUnprocessableEntity, "Enter the day the statement arrived"},
		"before the order": {func(v url.Values) { v.Set("arrived", day(-60)) }, http.StatusUnprocessableEntity, "before the order was placed"},
		"channel":          {func(v url.Values) { v.Set("channel", "online") }, http.StatusUnprocessableEntity, "by email or by post"},
		"after the period": {func(v url.Values) { v.Set("order", "1003") }, http.StatusConflict,
			"The withdrawal period of order #1003 ended on"},
	} {
		t.Run(name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range form {
				v[k] = vs
			}
			tc.change(v)
			a := h.postForm(c, "/admin/withdrawals/new", v)
			if a.status != tc.status || !strings.Contains(a.body, tc.want) {
				t.Fatalf("status %d, want %d with %q:\n%s", a.status, tc.status, tc.want, a.body)
			}
		})
	}

	a := h.postForm(c, "/admin/withdrawals/new", form)
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/admin/returns/R-") {
		t.Fatalf("register: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	code := strings.TrimPrefix(strings.Split(a.header.Get("Location"), "?")[0], "/admin/returns/")
	if again := h.postForm(c, "/admin/withdrawals/new", form); again.header.Get("Location") != a.header.Get("Location") {
		t.Fatalf("sent twice: %d %q, want the same withdrawal", again.status, again.header.Get("Location"))
	}
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	kim, _ := h.store.StaffByEmail(ctx, "kim@example.com")
	w := r.Withdrawal
	if r.Kind != returns.KindWithdrawal || r.Status != returns.StatusApproved || w == nil || w.Channel != returns.WithdrawalByPost ||
		w.RegisteredBy != kim.ID || w.Name != "Sam Taylor" || w.Email != "sam.taylor@example.com" {
		t.Fatalf("registered %+v, statement %+v", r, w)
	}
	if made := w.MadeAt.In(riga); made.Format("2006-01-02") != day(-2) || made.Hour() != 0 || made.Minute() != 0 {
		t.Fatalf("made at %v, want the start of %s in the store's zone", made, day(-2))
	}
	// A form that never showed the lines registers every item that can be
	// withdrawn from: the scarf and the socks (on sale and tagged final-sale,
	// which the law does not exempt).
	if len(r.Items) != 2 {
		t.Fatalf("withdrawn from %+v, want the whole order", r.Items)
	}
	ms, err := h.store.OutboxMessages(ctx, "", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	acknowledged := 0
	for _, m := range ms {
		if m.Kind == returns.EmailWithdrawalAcknowledged && m.To == "sam.taylor@example.com" && strings.Contains(m.Text, code) {
			acknowledged++
		}
	}
	if acknowledged != 1 {
		t.Fatalf("%d acknowledgements of %s, want 1", acknowledged, code)
	}
	if n, err := h.store.VerifyWithdrawalLog(ctx); err != nil || n != 1 {
		t.Fatalf("the log: %d entries, %v; want the statement's", n, err)
	}
}

// formValue is the value of the form field named name in body.
func formValue(t *testing.T, body, name string) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	v, ok := doc.Find(`input[name="` + name + `"]`).Attr("value")
	if !ok {
		t.Fatalf("no field %s:\n%s", name, body)
	}
	return v
}

// TestModelWithdrawalFormInLatvian: the model withdrawal form is served in
// the Directive's Latvian text for ?lang=lv, which the Latvian pages link
// to, with the store's Latvian return address filled in; English otherwise.
func TestModelWithdrawalFormInLatvian(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	ctx := context.Background()
	st, _ := h.app.Settings.Settings(ctx)
	st.ReturnAddress, st.ReturnAddressLV = "Returns, Brivibas street 1, Riga", "Atgriešana, Brīvības iela 1, Rīga"
	if err := h.app.Settings.UpdateSettings(ctx, st, "test"); err != nil {
		t.Fatal(err)
	}
	lv := h.get(c, "/withdrawal-form.txt?lang=lv")
	for _, want := range []string{"Atteikuma veidlapas paraugs", "tikai tad, ja vēlaties atteikties no līguma", "atsakos/atsakāmies (*) no līguma par šādu preču pirkumu",
		"Nevajadzīgo svītrot.", "Atgriešana, Brīvības iela 1, Rīga"} {
		if !strings.Contains(lv.body, want) {
			t.Errorf("the Latvian form lacks %q:\n%s", want, lv.body)
		}
	}
	if cd := lv.header.Get("Content-Disposition"); !strings.Contains(cd, "atteikuma-veidlapa.txt") {
		t.Errorf("Content-Disposition %q", cd)
	}
	en := h.get(c, "/withdrawal-form.txt?lang=en")
	if !strings.Contains(en.body, "Model withdrawal form") || strings.Contains(en.body, "Atteikuma") || !strings.Contains(en.body, "Brivibas street") {
		t.Errorf("the English form:\n%s", en.body)
	}
}

// TestStaffRegisterChosenItems: staff find #1002 on the registration form,
// which shows it again with the order's lines, every one chosen, and what
// was typed kept; they register the socks alone, as the statement names
// them: the return holds the socks only, the acknowledgement names them and
// the amount due has no delivery. No line chosen, or more socks than were
// bought, comes back with the reason and the choice kept; a wrong email
// finds nothing, with the lookup's one failure.
func TestStaffRegisterChosenItems(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("kim@example.com")
	ctx := context.Background()
	key := formValue(t, h.get(c, "/admin/withdrawals/new").body, "key")
	form := url.Values{"key": {key}, "order": {"#1002"}, "email": {"sam.taylor@example.com"}, "name": {"Sam Taylor"},
		"channel": {"email"}, "arrived": {time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")}, "withdrawal_reason": {"Too small"}}
	with := func(change func(url.Values)) url.Values {
		v := url.Values{}
		for k, vs := range form {
			v[k] = slices.Clone(vs)
		}
		change(v)
		return v
	}

	wrong := h.postForm(c, "/admin/withdrawals/new", with(func(v url.Values) { v.Set("find_order", "1"); v.Set("email", "someone@example.com") }))
	if wrong.status != http.StatusUnprocessableEntity || !strings.Contains(wrong.body, "No order has this number and email address.") ||
		strings.Contains(wrong.body, `name="line"`) {
		t.Fatalf("found with a wrong email: %d\n%s", wrong.status, wrong.body)
	}

	found := h.postForm(c, "/admin/withdrawals/new", with(func(v url.Values) { v.Set("find_order", "1") }))
	if found.status != http.StatusOK {
		t.Fatalf("find the order: %d\n%s", found.status, found.body)
	}
	doc := parse(t, found.body)
	lines := map[string]string{} // title → line item id
	doc.Find(`input[type=checkbox][name="line"]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("value")
		if _, checked := s.Attr("checked"); !checked {
			t.Errorf("line %s is not chosen by default", id)
		}
		lines[strings.TrimSpace(doc.Find(`label[for="`+s.AttrOr("id", "")+`"]`).Text())] = id
	})
	socks, scarf := lines["Sale socks — One size"], lines["Wool scarf — Grey"]
	if socks == "" || scarf == "" {
		t.Fatalf("the lines to choose from: %v\n%s", lines, found.body)
	}
	if formValue(t, found.body, "name") != "Sam Taylor" || formValue(t, found.body, "key") != key ||
		formValue(t, found.body, "items_shown") == "" || !strings.Contains(found.body, "Too small") {
		t.Fatalf("the form found lost what was typed:\n%s", found.body)
	}

	choose := func(quantities map[string]string) url.Values {
		return with(func(v url.Values) {
			v.Set("items_shown", "1")
			for id, q := range quantities {
				v.Add("line", id)
				v.Set("qty-"+id, q)
			}
		})
	}
	for name, tc := range map[string]struct {
		sent   url.Values
		want   string
		chosen []string
	}{
		"no line":  {choose(nil), "Choose at least one item.", nil},
		"too many": {choose(map[string]string{socks: "2"}), "Choose between 1 and 1.", []string{socks}},
	} {
		t.Run(name, func(t *testing.T) {
			a := h.postForm(c, "/admin/withdrawals/new", tc.sent)
			if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, tc.want) {
				t.Fatalf("status %d, want 422 with %q:\n%s", a.status, tc.want, a.body)
			}
			var chosen []string
			parse(t, a.body).Find(`input[type=checkbox][name="line"]`).Each(func(_ int, s *goquery.Selection) {
				if _, checked := s.Attr("checked"); checked {
					chosen = append(chosen, s.AttrOr("value", ""))
				}
			})
			if !slices.Equal(chosen, tc.chosen) || formValue(t, a.body, "name") != "Sam Taylor" || formValue(t, a.body, "items_shown") == "" {
				t.Fatalf("chosen %v, want %v, with the rest kept:\n%s", chosen, tc.chosen, a.body)
			}
		})
	}

	a := h.postForm(c, "/admin/withdrawals/new", choose(map[string]string{socks: "1"}))
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/admin/returns/R-") {
		t.Fatalf("register the socks: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	code := strings.TrimPrefix(strings.Split(a.header.Get("Location"), "?")[0], "/admin/returns/")
	r, err := h.store.ReturnByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 1 || r.Items[0].LineItemID != socks || r.Items[0].Quantity != 1 {
		t.Fatalf("the return holds %+v, want the socks alone", r.Items)
	}
	ms, err := h.store.OutboxMessages(ctx, "", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	acknowledged := 0
	for _, m := range ms {
		if m.Kind == returns.EmailWithdrawalAcknowledged && strings.Contains(m.Text, code) {
			acknowledged++
			if !strings.Contains(m.Text, "Sale socks") || strings.Contains(m.Text, "Wool scarf") {
				t.Errorf("the acknowledgement does not name the socks alone:\n%s", m.Text)
			}
		}
	}
	if acknowledged != 1 {
		t.Fatalf("%d acknowledgements of %s, want 1", acknowledged, code)
	}
	if page := h.get(c, "/admin/returns/"+code); !strings.Contains(page.body, "items €9.00; no delivery: not the whole order") {
		t.Errorf("the amount due of the socks alone:\n%s", page.body)
	}
}
