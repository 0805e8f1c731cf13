package views

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// signInFailed is the one message of every failed sign-in.
var signInFailed = returns.ErrorMessage(returns.ErrSignInFailed)

// Texts that only staff may ever read: the customer page must not show them.
const (
	staffNoteText    = "Customer called; the courier admits the dent"
	refundFailedText = "Card issuer declined the refund (gateway 402)"
	refundLostText   = "Shopify did not confirm the refund; it is checked again automatically."
	writebackText    = "R-7KQ9X2MD: item damaged; replacement shipped"
	deferredText     = "Shopify order not updated yet, will retry: Shopify is not answering right now. Please try again shortly."
	declineText      = "The photos show wear from use,\nnot damage in transit."
	approveText      = "Thank you for the photos.\nA new mug is on its way."
	trackingURL      = "https://tracking.dpd.de/status/en_US/parcel/05212345678901"
	refundKey        = "0123456789abcdef0123456789abcdef"
)

var staffOnlyTexts = []string{staffNoteText, refundFailedText, refundLostText, writebackText, deferredText}

func event(id int64, hour int, actor returns.Actor, typ returns.EventType, st returns.Status, msg string) returns.Event {
	return returns.Event{ID: id, ReturnID: 7, At: now.AddDate(0, 0, -2).Add(time.Duration(hour) * time.Hour), Actor: actor, Type: typ, Status: st, Message: msg}
}

// systemEvent is an event the system wrote, its message as the domain keeps it.
func systemEvent(id int64, hour int, typ returns.EventType, m returns.Message) returns.Event {
	ev := event(id, hour, returns.ActorSystem, typ, "", m.String())
	ev.Msg = m
	return ev
}

// shippedEvents is a timeline with staff-only entries of every kind, ending in
// a replacement shipped.
func shippedEvents() []returns.Event {
	return []returns.Event{
		event(1, 0, returns.ActorCustomer, returns.EventRequested, returns.StatusRequested, ""),
		systemEvent(2, 1, returns.EventShopifyDeferred, returns.Msg("Shopify order not updated yet, will retry: %s", returns.Msg("Shopify is not answering right now. Please try again shortly."))),
		event(3, 2, returns.StaffActor(2), returns.EventNote, "", staffNoteText),
		event(4, 3, returns.StaffActor(2), returns.EventApproved, returns.StatusApproved, approveText),
		event(5, 4, returns.StaffActor(9), returns.EventRefundFailed, "", refundFailedText),
		systemEvent(6, 5, returns.EventRefundUnknown, returns.Msg(refundLostText)),
		event(7, 6, returns.StaffActor(2), returns.EventReplacementShipped, returns.StatusReplacementShipped, "DPD 05212345678901"),
		event(8, 7, returns.ActorSystem, returns.EventShopifyUpdated, "", writebackText),
	}
}

// shippedReturn is testReturn once its replacement is on the way.
func shippedReturn() *returns.Return {
	r := *testReturn
	r.Status = returns.StatusReplacementShipped
	r.Shipments = []returns.Shipment{{ID: 1, ReturnID: 7, Carrier: "dpd", CarrierName: "DPD", Number: "05212345678901", TrackingURL: trackingURL, ShippedAt: now}}
	return &r
}

// declinedReturn is testReturn declined with a reason.
func declinedReturn() (*returns.Return, []returns.Event) {
	r := *testReturn
	r.Status = returns.StatusDeclined
	evs := []returns.Event{
		event(1, 0, returns.ActorCustomer, returns.EventRequested, returns.StatusRequested, ""),
		event(2, 1, returns.StaffActor(2), returns.EventNote, "", staffNoteText),
		event(3, 2, returns.StaffActor(2), returns.EventDeclined, returns.StatusDeclined, declineText),
	}
	return &r, evs
}

// refundedReturn is a dissatisfied return, refunded.
func refundedReturn() (*returns.Return, []returns.Event) {
	r := *testReturn
	r.Kind, r.Reason, r.Resolution, r.Status = returns.KindDissatisfied, returns.ReasonDoesntFit, returns.ResolutionRefund, returns.StatusRefunded
	r.Note, r.Photos = "", nil
	r.Refunded = eur(2900)
	evs := []returns.Event{
		event(1, 0, returns.ActorCustomer, returns.EventRequested, returns.StatusRequested, ""),
		event(2, 1, returns.StaffActor(2), returns.EventApproved, returns.StatusApproved, ""),
		event(3, 2, returns.StaffActor(2), returns.EventItemReceived, returns.StatusItemReceived, ""),
		event(4, 3, returns.ActorSystem, returns.EventRefundFailed, "", refundFailedText),
		event(5, 4, returns.StaffActor(2), returns.EventRefunded, returns.StatusRefunded, "29.00 EUR"),
	}
	return &r, evs
}

func adminPage(title string) AdminPage {
	return AdminPage{Title: title, StaffName: "kate@shop.example", DemoMode: true}
}

// allActions are the URLs of every action form, by action.
func allActions() map[paths.Action]string {
	m := map[paths.Action]string{}
	for _, a := range []paths.Action{"approve", "decline", "receive", "refund", "ship", "close", "note"} {
		m[a] = "/admin/returns/R-7KQ9X2MD/" + string(a)
	}
	return m
}

func staffView() *returns.StaffReturn {
	o := *testOrder
	o.Received, o.Refunded = eur(6800), eur(900)
	r := *testReturn
	r.Status, r.Email = returns.StatusApproved, testOrder.Email
	return &returns.StaffReturn{
		Return: &r,
		Events: shippedEvents(),
		Refunds: []returns.Refund{
			{ID: 41, ReturnID: 7, Amount: eur(2900), IdempotencyKey: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", State: returns.RefundFailed, Error: refundFailedText, StaffID: 9, CreatedAt: now.Add(-3 * time.Hour)},
			{ID: 42, ReturnID: 7, Amount: eur(2900), IdempotencyKey: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", State: returns.RefundUnknown, StaffID: 2, CreatedAt: now.Add(-2 * time.Hour)},
			{ID: 43, ReturnID: 7, Amount: eur(900), IdempotencyKey: "cccccccccccccccccccccccccccccccc", State: returns.RefundSucceeded, ShopifyID: "gid://shopify/Refund/77", StaffID: 2, CreatedAt: now.Add(-time.Hour)},
		},
		Staff:     map[int64]string{2: "kate@shop.example"},
		Order:     &o,
		Suggested: eur(2900),
		RefundKey: refundKey,
	}
}

func adminReturnPage() AdminReturnPage {
	return AdminReturnPage{
		AdminPage: adminPage("Return R-7KQ9X2MD"),
		View:      staffView(),
		Actions:   paths.ReturnActions,
	}
}

func queuePage() QueuePage {
	dissatisfied := *testReturn
	dissatisfied.ID, dissatisfied.Code, dissatisfied.Email = 6, "R-AB12CD34", "sam.taylor@example.com"
	dissatisfied.Kind, dissatisfied.Reason, dissatisfied.Resolution = returns.KindDissatisfied, returns.ReasonDoesntFit, returns.ResolutionRefund
	r := *testReturn
	r.Email = testOrder.Email
	return QueuePage{
		AdminPage: adminPage("Returns"),
		Returns:   []returns.Return{r, dissatisfied},
		Counts:    map[returns.Status]int{returns.StatusRequested: 2, returns.StatusClosed: 5},
		Total:     7,
		Next:      6,
	}
}

func settingsPage() SettingsPage {
	st := returns.DefaultSettings()
	st.StaffEmail, st.UpdatedAt, st.UpdatedBy = "team@shop.example", now, "kate@shop.example"
	st.CheapestDeliveryMinor = 390
	against := st
	against.WindowDays, against.RefundDelivery = 10, false
	return SettingsPage{
		AdminPage:   adminPage("Settings"),
		Settings:    st,
		Currency:    "EUR",
		LawWarnings: returns.SettingsAgainstLaw(against),
		Changes: []returns.SettingsChange{
			{At: now, By: "kate@shop.example", Fields: []string{"window_days", "staff_email"}},
			{At: now.AddDate(0, 0, -3), By: "lee@shop.example", Fields: []string{"return_address"}},
		},
	}
}

// adminPages returns every backoffice page with realistic view models.
func adminPages() map[string]templ.Component {
	failed := adminReturnPage()
	msg := returns.Msg("Please correct the marked fields.")
	failed.Failed, failed.Form = paths.ActionShip, Form{Values: map[string]string{"carrier": "other", "number": "AB 12", "carrier_name": "", "tracking_url": "ftp://x"},
		Error: &msg, Fields: map[string]returns.Message{
			"number": returns.Msg("Enter the tracking number without spaces."), "carrier_name": returns.Msg("Enter the carrier’s name."),
			"tracking_url": returns.Msg("Enter the tracking page’s address, starting with https://."),
		}}
	orderErr := adminReturnPage()
	orderErr.View.Order, orderErr.View.OrderErr = nil, errors.New("shopify: Post \"https://x.myshopify.com\": dial tcp: i/o timeout")
	badSettings := settingsPage()
	badSettings.Form.Values = map[string]string{"window_days": "thirty"}
	badSettings.Form.Fields = map[string]returns.Message{
		"window_days": returns.Msg("Enter a number of days from 1 to 365."),
		"staff_email": returns.Msg("Enter a valid email address, or leave it empty."),
	}
	empty := queuePage()
	empty.Returns, empty.Next, empty.Status = nil, 0, returns.StatusDeclined
	return map[string]templ.Component{
		"login":          LoginPageView(LoginPage{AdminPage: AdminPage{Title: "Sign in", DemoMode: true}}),
		"login-error":    LoginPageView(LoginPage{AdminPage: AdminPage{Title: "Sign in", DemoMode: true}, Form: Form{Values: map[string]string{"email": "kate@shop.example"}, Error: &signInFailed}}),
		"queue":          QueuePageView(queuePage()),
		"queue-empty":    QueuePageView(empty),
		"return":         AdminReturnPageView(adminReturnPage()),
		"return-failed":  AdminReturnPageView(failed),
		"return-noorder": AdminReturnPageView(orderErr),
		"settings":       SettingsPageView(settingsPage()),
		"settings-error": SettingsPageView(badSettings),
		"withdrawal-new": WithdrawalRegistrationPageView(WithdrawalRegistrationPage{AdminPage: adminPage("Register a withdrawal"), SubmissionKey: "0123456789abcdef0123456789abcdef", Today: "2026-11-30",
			Form: Form{Values: map[string]string{"order": "#1002", "arrived": "2026-12-03"}, Fields: map[string]returns.Message{"arrived": returns.Msg("The day the statement arrived cannot be in the future.")}}}),
		// The order found, its lines to choose from: a quantity above what
		// can be withdrawn comes back with the reason.
		"withdrawal-new-items": WithdrawalRegistrationPageView(WithdrawalRegistrationPage{AdminPage: adminPage("Register a withdrawal"), SubmissionKey: "0123456789abcdef0123456789abcdef", Today: "2026-11-30",
			Withdrawal: &returns.CustomerWithdrawal{Order: testOrder, Lines: []returns.WithdrawalLine{
				{Line: testOrder.Lines[0], Withdrawable: 1}, {Line: testOrder.Lines[1], Withdrawable: 2},
				{Line: testOrder.Lines[2], Exempt: returns.ExemptPerishable}, {Line: testOrder.Lines[3], Reason: returns.IneligibleNotFulfilled},
			}},
			ItemsChosen: true, Chosen: map[string]bool{testOrder.Lines[1].ID: true}, Quantities: map[string]int{testOrder.Lines[1].ID: 3},
			Form: Form{Values: map[string]string{"order": "#1001", "email": testOrder.Email, "name": "Anna Bērziņa"},
				Fields: map[string]returns.Message{returns.FieldQuantity(testOrder.Lines[1].ID): returns.Msg("Choose between 1 and %d.", 2)}}}),
		"outbox":         OutboxListPageView(outboxListPage()),
		"outbox-message": OutboxMessagePageView(outboxMessagePage()),
		"shopify":        ShopifyPageView(shopifyPage(true)),
		"shopify-failed": ShopifyPageView(shopifyPage(false)),
	}
}

func shopifyPage(usable bool) ShopifyPage {
	r := returns.ConnectionReport{Reached: true, CheckedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
		Shop: returns.ShopIdentity{Name: "Linen & Co", MyshopifyDomain: "linen-co.myshopify.com"},
		Lines: []returns.CheckLine{
			{Name: returns.Msg("Shop reached"), State: returns.CheckOK,
				Detail: returns.Msg("%s (%s), currency %s, time zone %s", "Linen & Co", "linen-co.myshopify.com", "EUR", "Europe/Riga")},
			{Name: returns.Msg("Webhooks"), State: returns.CheckWarn,
				Detail: returns.Msg("not subscribed: %s (the portal still reads Shopify every 15 minutes for refunds and returns changed in Shopify admin)", "orders/updated"),
				Fix:    returns.Msg("start the portal with BASE_URL set to its public address: it subscribes at start; a subscription to another address is left for you to delete in the Dev Dashboard if it is an old one")},
		}}
	if !usable {
		r.Lines = append(r.Lines, returns.CheckLine{Name: returns.Msg("Access scope %s", "read_all_orders"), State: returns.CheckFail,
			Detail: returns.Msg("missing; the portal needs it to %s", returns.Msg("find orders older than 60 days, which Shopify hides without it")),
			Fix:    returns.Msg("add %s to the app’s scopes (Dev Dashboard → the app → Versions → Access scopes, or access_scopes in shopify.app.toml), release the version and accept it on the store", "read_all_orders")})
	}
	return ShopifyPage{AdminPage: AdminPage{Title: "Shopify connection", StaffName: "kate@shop.example", DemoMode: true}, Report: r}
}

func TestShopifyPageSaysWhatToFix(t *testing.T) {
	_, doc := render(t, ShopifyPageView(shopifyPage(false)))
	if doc.Find(".verdict-fail[role=alert]").Length() != 1 {
		t.Error("a checklist with a failed line does not say the portal cannot work")
	}
	fail := doc.Find(".checklist .check-fail")
	if fail.Length() != 1 || !strings.Contains(fail.Text(), "Must be fixed") || !strings.Contains(fail.Text(), "To fix: add read_all_orders") {
		t.Errorf("failed line shows %q; want its state in words and its fix", fail.Text())
	}
	_, doc = render(t, ShopifyPageView(shopifyPage(true)))
	if doc.Find(".verdict-ok").Length() != 1 || doc.Find(".verdict-fail").Length() != 0 {
		t.Error("a usable checklist is not shown as usable")
	}
	if got := doc.Find(`nav a[aria-current=page]`).Text(); got != "Shopify" {
		t.Errorf("current navigation link %q, want Shopify", got)
	}
}

// TestAdminPagesWellFormed checks what every backoffice page must have, as for
// the customer pages: no script or inline style, a label for every control,
// unique ids, existing aria-describedby targets, the nav and the stylesheets.
func TestAdminPagesWellFormed(t *testing.T) {
	for name, c := range adminPages() {
		t.Run(name, func(t *testing.T) {
			html, doc := render(t, c)
			t.Logf("%d bytes", len(html))
			lower := strings.ToLower(html)
			for _, bad := range []string{"<script", "style=", "<style", "javascript:", " on" + "click"} {
				if strings.Contains(lower, bad) {
					t.Errorf("page contains %q", bad)
				}
			}
			if got, _ := doc.Find("html").Attr("lang"); got != "en" {
				t.Errorf("html lang = %q", got)
			}
			if doc.Find(`link[rel=stylesheet][href^="/static/app."]`).Length() != 1 || doc.Find(`link[rel=stylesheet][href^="/static/admin."]`).Length() != 1 {
				t.Error("no hashed stylesheets")
			}
			if doc.Find(`meta[name=robots][content=noindex]`).Length() != 1 {
				t.Error("backoffice page may be indexed")
			}
			if doc.Find("main#main").Length() != 1 || doc.Find(`a.skip[href="#main"]`).Length() != 1 || doc.Find(".demo").Length() != 1 {
				t.Error("no main landmark, skip link or demo banner")
			}
			ids := map[string]int{}
			doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { ids[s.AttrOr("id", "")]++ })
			for id, n := range ids {
				if n > 1 {
					t.Errorf("id %q used %d times", id, n)
				}
			}
			doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
				if s.AttrOr("type", "") == "hidden" {
					return
				}
				id := s.AttrOr("id", "")
				if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 || strings.TrimSpace(doc.Find(`label[for="`+id+`"]`).Text()) == "" {
					t.Errorf("control %s name=%q id=%q has no label", goquery.NodeName(s), s.AttrOr("name", ""), id)
				}
			})
			doc.Find("[aria-describedby], [aria-labelledby]").Each(func(_ int, s *goquery.Selection) {
				refs := s.AttrOr("aria-describedby", "") + " " + s.AttrOr("aria-labelledby", "")
				for _, id := range strings.Fields(refs) {
					if ids[id] == 0 {
						t.Errorf("aria reference to missing id %q", id)
					}
				}
			})
			doc.Find("[aria-invalid]").Each(func(_ int, s *goquery.Selection) {
				if s.AttrOr("aria-describedby", "") == "" {
					t.Errorf("invalid %s without aria-describedby", s.AttrOr("id", ""))
				}
			})
			doc.Find("form").Each(func(_ int, s *goquery.Selection) {
				if m := s.AttrOr("method", "get"); m == "post" && s.Find(`button[type=submit]`).Length() == 0 {
					t.Errorf("form %s has no submit button", s.AttrOr("action", ""))
				}
			})
			doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
				if strings.TrimSpace(s.Text()) == "" {
					t.Errorf("link %s has no text", s.AttrOr("href", ""))
				}
			})
		})
	}
}

func TestAdminLayout(t *testing.T) {
	_, doc := render(t, AdminReturnPageView(adminReturnPage()))
	nav := doc.Find(`header nav[aria-label]`)
	if nav.Find(`a[href="/admin"]`).Text() != "Queue" || nav.Find(`a[href="/admin/settings"]`).Text() != "Settings" {
		t.Error("nav links missing")
	}
	if got := nav.Find(`a[href="/admin"]`).AttrOr("aria-current", ""); got != "true" {
		t.Errorf("queue link aria-current = %q on a return", got)
	}
	if !strings.Contains(doc.Find("header").Text(), "kate@shop.example") {
		t.Error("signed-in email missing")
	}
	if doc.Find(`header form[method=post][action="/admin/logout"] button[type=submit]`).Length() != 1 {
		t.Error("no sign-out form")
	}
	p := settingsPage()
	p.Flash = "Settings saved."
	_, doc = render(t, SettingsPageView(p))
	if got := doc.Find(`[role=status]`).Text(); got != "Settings saved." {
		t.Errorf("flash = %q", got)
	}
	if got := doc.Find(`nav a[href="/admin/settings"]`).AttrOr("aria-current", ""); got != "page" {
		t.Errorf("settings aria-current = %q", got)
	}
	_, doc = render(t, LoginPageView(LoginPage{AdminPage: AdminPage{Title: "Sign in"}}))
	if doc.Find("header nav, header form, .demo, [role=status]").Length() != 0 {
		t.Error("sign-in page shows nav, sign-out, demo banner or flash")
	}
}

func TestLoginPage(t *testing.T) {
	_, doc := render(t, adminPages()["login-error"])
	form := doc.Find(`form[method=post][action="/admin/login"]`)
	if form.Find(`input[type=email][name=email][value="kate@shop.example"]`).Length() != 1 {
		t.Error("email field")
	}
	pw := form.Find(`input[type=password][name=password]`)
	if pw.AttrOr("autocomplete", "") != "current-password" || pw.AttrOr("value", "") != "" {
		t.Errorf("password field: %v", pw.Nodes[0].Attr)
	}
	if got := doc.Find(`[role=alert]`).Text(); got != "The email address or password is not right." {
		t.Errorf("alert = %q", got)
	}
}

func TestQueuePage(t *testing.T) {
	_, doc := render(t, QueuePageView(queuePage()))
	// All, and the statuses some return is in: requested and closed.
	filters := doc.Find(`nav .filters a`)
	if filters.Length() != 3 || doc.Find(`.filters a[href="/admin?status=requested"]`).Length() != 1 {
		t.Fatalf("%d filter links, want All, Requested and Closed", filters.Length())
	}
	if got := filters.First(); got.AttrOr("href", "") != "/admin" || got.AttrOr("aria-current", "") != "page" || strings.Join(strings.Fields(got.Text()), " ") != "All (7)" {
		t.Errorf("all link: %q %v", got.Text(), got.Nodes[0].Attr)
	}
	closed := doc.Find(`.filters a[href="/admin?status=closed"]`)
	if strings.Join(strings.Fields(closed.Text()), " ") != "Closed (5)" {
		t.Errorf("closed link = %q", closed.Text())
	}
	if doc.Find(`.filters a[aria-current]`).Length() != 1 {
		t.Error("more than one current filter")
	}
	search := doc.Find(`form[method=get][action="/admin"]`)
	if search.Find(`input[name=q]`).Length() != 1 || search.Find(`input[type=hidden][name=status]`).Length() != 0 {
		t.Error("search form")
	}
	rows := doc.Find(".queue tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	var cells []string
	rows.First().Children().Each(func(_ int, s *goquery.Selection) { cells = append(cells, strings.TrimSpace(s.Text())) })
	want := []string{"R-7KQ9X2MD", "#1001", "anna.berzina@example.lv", "Damaged → Replacement", "2 × Ceramic mug", "Requested", "25 Nov 2026, 10:00", "€29.00"}
	if !slices.Equal(cells, want) {
		t.Errorf("row = %q\nwant %q", cells, want)
	}
	if rows.First().Find(`a[href="/admin/returns/R-7KQ9X2MD"]`).Length() != 1 {
		t.Error("no link to the return")
	}
	if !strings.Contains(rows.Eq(1).Text(), "Not satisfied (It doesn’t fit) → Refund") {
		t.Errorf("second row = %q", rows.Eq(1).Text())
	}
	if doc.Find(`a[href="/admin?before=6"]`).Text() != "Next page" {
		t.Error("no next page link")
	}

	p := queuePage()
	p.Status, p.Query, p.Next = returns.StatusRequested, "anna@example.lv", 0
	_, doc = render(t, QueuePageView(p))
	if got := doc.Find(`.filters a[aria-current=page]`).AttrOr("href", ""); got != "/admin?q=anna%40example.lv&status=requested" {
		t.Errorf("current filter = %q", got)
	}
	if v := doc.Find(`form[action="/admin"] input[type=hidden][name=status]`).AttrOr("value", ""); v != "requested" {
		t.Errorf("hidden status = %q", v)
	}
	if doc.Find(`input[name=q]`).AttrOr("value", "") != "anna@example.lv" || doc.Find(`a[rel=next]`).Length() != 0 {
		t.Error("query not kept, or a next link on the last page")
	}

	_, doc = render(t, adminPages()["queue-empty"])
	if doc.Find(".queue").Length() != 0 || !strings.Contains(doc.Find(".empty").Text(), "No returns match this filter.") {
		t.Errorf("empty state: %q", doc.Find("main").Text())
	}
}

func TestAdminReturnPage(t *testing.T) {
	html, doc := render(t, AdminReturnPageView(adminReturnPage()))
	if got := doc.Find("h1").Text(); got != "Return R-7KQ9X2MD" {
		t.Errorf("h1 = %q", got)
	}
	text := doc.Find("main").Text()
	for _, want := range []string{"Approved", "#1001", "anna.berzina", "Damaged", "Replacement", "€29.00", "Order #1001 in Shopify", "Linen tea towel", "Ceramic mug — Blue"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if got := doc.Find(".note").Text(); got != testReturn.Note {
		t.Errorf("customer note = %q", got)
	}
	if !strings.Contains(html, "&lt;b&gt;badly") {
		t.Error("customer note not escaped")
	}
	facts := map[string]string{}
	doc.Find("#order-h").Parent().Find("dl.facts dt").Each(func(_ int, s *goquery.Selection) { facts[s.Text()] = s.Next().Text() })
	if facts["Paid"] != "€68.00" || facts["Refunded so far"] != "€9.00" || facts["Still refundable"] != "€59.00" {
		t.Errorf("order facts = %v", facts)
	}
	if got := doc.Find(`.photos a[href="/admin/returns/R-7KQ9X2MD/photos/31"]`).Text(); !strings.Contains(got, "Photo 1 of 2, full size (4000 × 3000)") {
		t.Errorf("photo link = %q", got)
	}
	// Ledger: a check form for the unknown refund only.
	if doc.Find(`form[action="/admin/returns/R-7KQ9X2MD/refunds/42/reconcile"] button`).Length() != 1 {
		t.Error("no check form for the unknown refund")
	}
	if doc.Find(`form[action$="/refunds/41/reconcile"], form[action$="/refunds/43/reconcile"]`).Length() != 0 {
		t.Error("check form for a settled refund")
	}
	// A refund is named by its amount and day, never by Shopify's id.
	refunds := doc.Find("#refunds-h").Parent().Text()
	if strings.Contains(refunds, "gid://") || !strings.Contains(refunds, "Refund €9.00 of ") {
		t.Errorf("refunds as staff see them:\n%s", refunds)
	}
	// Timeline: every entry, with who did it.
	entries := doc.Find(".log li")
	if entries.Length() != len(shippedEvents()) {
		t.Errorf("%d timeline entries, want %d", entries.Length(), len(shippedEvents()))
	}
	for i, want := range []string{"Return requested · Customer", "Shopify order not updated yet", "Internal note · kate@shop.example", "Approved · kate@shop.example", "Refund failed · Staff member #9", "Refund outcome unknown · System", "Replacement shipped", "Shopify order updated · System"} {
		if got := entries.Eq(i).Text(); !strings.Contains(got, want) {
			t.Errorf("entry %d = %q, want %q", i, got, want)
		}
	}
	for _, s := range append(slices.Clone(staffOnlyTexts), approveText) {
		if !strings.Contains(doc.Find(".log").Text(), s) {
			t.Errorf("admin timeline lacks %q", s)
		}
	}
	if strings.Contains(html, "Sh"+"opify did not answer") {
		t.Error("order warning shown although the order was read")
	}
}

func TestAdminReturnPageOrderMissing(t *testing.T) {
	html, doc := render(t, adminPages()["return-noorder"])
	warn := doc.Find("#order-h").Parent().Find(".warn")
	if !strings.Contains(warn.Text(), "Shopify did not answer; order facts are missing.") || !strings.Contains(warn.Text(), "Internal error.") {
		t.Errorf("warning = %q", warn.Text())
	}
	if strings.Contains(html, "dial tcp") || strings.Contains(html, "myshopify") {
		t.Error("Go error printed verbatim")
	}
	p := adminReturnPage()
	p.View.Order, p.View.OrderErr = nil, fmt.Errorf("read order: %w", returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering right now. Please try again shortly."))
	_, doc = render(t, AdminReturnPageView(p))
	if !strings.Contains(doc.Find(".warn").Text(), "Shopify is not answering right now.") {
		t.Errorf("domain message missing: %q", doc.Find(".warn").Text())
	}
}

// TestAdminActions renders each action alone: its form is there with its
// fields, and no other action's form is.
func TestAdminActions(t *testing.T) {
	fields := map[paths.Action][]string{
		"approve": {"textarea[name=message]"},
		"decline": {"textarea[name=reason][required]"},
		"receive": nil,
		"refund":  {"input[name=amount][inputmode=decimal]", "input[type=hidden][name=key]"},
		"ship":    {"select[name=carrier]", "input[name=number]", "input[name=carrier_name]", "input[type=url][name=tracking_url]"},
		"close":   nil,
		"note":    {"textarea[name=note][required]"},
	}
	for action, sels := range fields {
		t.Run(string(action), func(t *testing.T) {
			p := adminReturnPage()
			p.Actions = []paths.Action{action}
			_, doc := render(t, AdminReturnPageView(p))
			forms := doc.Find(`.actions form[method=post]`)
			if forms.Length() != 1 || forms.AttrOr("action", "") != allActions()[action] {
				t.Fatalf("%d action forms, first %q", forms.Length(), forms.AttrOr("action", ""))
			}
			for other, url := range allActions() {
				if other != action && doc.Find(`form[action="`+url+`"]`).Length() != 0 {
					t.Errorf("form for %s rendered", other)
				}
			}
			for _, sel := range sels {
				if forms.Find(sel).Length() != 1 {
					t.Errorf("missing %s", sel)
				}
			}
			if forms.Find("button[type=submit]").Length() != 1 {
				t.Error("no submit button")
			}
		})
	}
	p := adminReturnPage()
	p.Actions = nil
	_, doc := render(t, AdminReturnPageView(p))
	if doc.Find(".actions form").Length() != 0 || !strings.Contains(doc.Find(".actions").Text(), "Nothing to do") {
		t.Error("forms without actions")
	}
	var carriers []string
	_, doc = render(t, AdminReturnPageView(adminReturnPage()))
	doc.Find(`select[name=carrier] option`).Each(func(_ int, s *goquery.Selection) { carriers = append(carriers, s.AttrOr("value", "")) })
	if len(carriers) != len(returns.Carriers)+1 || carriers[0] != "" || carriers[len(carriers)-1] != returns.CarrierOther {
		t.Errorf("carriers = %v", carriers)
	}
}

func TestAdminRefundForm(t *testing.T) {
	_, doc := render(t, AdminReturnPageView(adminReturnPage()))
	form := doc.Find(`form[action="/admin/returns/R-7KQ9X2MD/refund"]`)
	if got := form.Find(`input[type=hidden][name=key]`).AttrOr("value", ""); got != refundKey {
		t.Errorf("key = %q", got)
	}
	amount := form.Find(`input[name=amount]`)
	if amount.AttrOr("value", "") != "29.00" || amount.AttrOr("inputmode", "") != "decimal" {
		t.Errorf("amount: %v", amount.Nodes[0].Attr)
	}
	if got := form.Find("#refund-currency").Text(); got != "EUR" {
		t.Errorf("currency = %q", got)
	}
	if !strings.Contains(form.Text(), "original payment method") {
		t.Error("no word about the original payment method")
	}
	if !strings.Contains(form.Find(".warn").Text(), "A refund of €29.00 is not confirmed yet.") {
		t.Error("no warning about the unknown refund")
	}

	p := adminReturnPage()
	p.View.Suggested = returns.Money{Currency: "EUR"}
	_, doc = render(t, AdminReturnPageView(p))
	if v := doc.Find(`input[name=amount]`).AttrOr("value", "x"); v != "" {
		t.Errorf("zero suggestion pre-filled as %q", v)
	}

	tests := []struct {
		name, sentKey, wantKey string
	}{
		{"validation failed: the same key", "dddddddddddddddddddddddddddddddd", "dddddddddddddddddddddddddddddddd"},
		{"outcome unknown: the same key", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
		{"Shopify refused: a new key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", refundKey},
		{"no key sent: a new key", "", refundKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := adminReturnPage()
			p.Failed, p.Form = paths.ActionRefund, Form{Values: map[string]string{"amount": "100.00", "key": tt.sentKey},
				Fields: map[string]returns.Message{"amount": returns.Msg("At most %s can be refunded on this order.", "59.00 EUR")}}
			_, doc := render(t, AdminReturnPageView(p))
			form := doc.Find(`form[action="/admin/returns/R-7KQ9X2MD/refund"]`)
			if got := form.Find(`input[name=key]`).AttrOr("value", ""); got != tt.wantKey {
				t.Errorf("key = %q, want %q", got, tt.wantKey)
			}
			amount := form.Find(`input[name=amount]`)
			if amount.AttrOr("value", "") != "100.00" || amount.AttrOr("aria-invalid", "") != "true" {
				t.Errorf("amount: %v", amount.Nodes[0].Attr)
			}
			if got := form.Find("#refund-amount-error").Text(); got != "At most 59.00 EUR can be refunded on this order." {
				t.Errorf("error = %q", got)
			}
		})
	}
}

func TestAdminFailedForm(t *testing.T) {
	html, doc := render(t, adminPages()["return-failed"])
	summary := doc.Find(`#action-errors[role=alert][tabindex="-1"]`)
	if summary.Length() != 1 {
		t.Fatal("no focusable error summary")
	}
	if !strings.HasPrefix(summary.Text(), "Ship a replacement: Please correct the marked fields.") {
		t.Errorf("summary = %q", summary.Text())
	}
	for _, id := range []string{"ship-number", "ship-carrier_name", "ship-tracking_url"} {
		if summary.Find(`a[href="#`+id+`"]`).Length() != 1 {
			t.Errorf("summary has no link to %s", id)
		}
		f := doc.Find("#" + id)
		if f.AttrOr("aria-invalid", "") != "true" || doc.Find("#"+id+"-error").Length() != 1 {
			t.Errorf("%s not marked", id)
		}
	}
	if _, ok := doc.Find(`select[name=carrier] option[value=other]`).Attr("selected"); !ok {
		t.Error("carrier not kept")
	}
	if v := doc.Find(`#ship-number`).AttrOr("value", ""); v != "AB 12" {
		t.Errorf("number = %q", v)
	}
	if v := doc.Find(`#ship-tracking_url`).AttrOr("value", ""); v != "ftp://x" {
		t.Errorf("tracking url = %q", v)
	}
	if doc.Find("#decline-reason").AttrOr("aria-invalid", "") != "" || strings.Contains(html, "decline-reason-error") {
		t.Error("another form marked")
	}

	p := adminReturnPage()
	p.Failed, p.Form = paths.ActionDecline, Form{Values: map[string]string{"reason": "Worn <b>out</b>\nsecond line"},
		Fields: map[string]returns.Message{"reason": returns.Msg("Please use at most %d characters.", 2000)}}
	html, doc = render(t, AdminReturnPageView(p))
	if got := doc.Find("#decline-reason").Text(); got != "Worn <b>out</b>\nsecond line" {
		t.Errorf("reason kept as %q", got)
	}
	if strings.Contains(html, "<b>out") {
		t.Error("value not escaped")
	}
	if got := doc.Find("#decline-reason-error").Text(); got != "Please use at most 2000 characters." {
		t.Errorf("error = %q", got)
	}
}

func TestSettingsPage(t *testing.T) {
	_, doc := render(t, SettingsPageView(settingsPage()))
	form := doc.Find(`form[method=post][action="/admin/settings"]`)
	for _, sel := range []string{
		`textarea[name=return_address][required]`, `input[type=number][name=window_days][value="30"]`,
		`input[name=non_returnable_tag][value=final-sale]`, `textarea[name=instructions_en][lang=en]`,
		`textarea[name=instructions_lv][lang=lv]`, `input[type=email][name=staff_email][value="team@shop.example"]`,
	} {
		if form.Find(sel).Length() != 1 {
			t.Errorf("missing %s", sel)
		}
	}
	if got := form.Find(`textarea[name=return_address]`).Text(); got != returns.DefaultSettings().ReturnAddress {
		t.Errorf("address = %q", got)
	}
	rows := doc.Find("#changes-h").Parent().Find("tbody tr")
	if rows.Length() != 2 || !strings.Contains(rows.First().Text(), "Return window, Staff notification email") || !strings.Contains(rows.First().Text(), "kate@shop.example") {
		t.Errorf("history = %q", rows.Text())
	}

	_, doc = render(t, adminPages()["settings-error"])
	if got := doc.Find("#window_days").AttrOr("value", ""); got != "thirty" {
		t.Errorf("window kept as %q", got)
	}
	if doc.Find("#window_days").AttrOr("aria-invalid", "") != "true" || doc.Find("#window_days-error").Text() != "Enter a number of days from 1 to 365." {
		t.Error("window error")
	}
	if doc.Find(`#settings-errors a[href="#window_days"]`).Length() != 1 || doc.Find(`#settings-errors a[href="#staff_email"]`).Length() != 1 {
		t.Error("summary links")
	}
}

// TestCustomerPageHidesStaffOnlyEvents renders the same timeline for the
// customer and for staff: notes, refund failures and Shopify write-backs, with
// their messages, only ever reach staff.
func TestCustomerPageHidesStaffOnlyEvents(t *testing.T) {
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			p := returnPage(lang)
			p.Return, p.Events, p.CanCancel = shippedReturn(), shippedEvents(), false
			html, doc := render(t, ReturnPageView(p))
			for _, s := range staffOnlyTexts {
				if strings.Contains(html, s) || strings.Contains(doc.Text(), s) {
					t.Errorf("customer page shows %q", s)
				}
			}
			for _, s := range []string{"note", "refund_failed", "refund_unknown", "shopify", "Shopify", "gateway", "kate@"} {
				if strings.Contains(doc.Find("main").Text(), s) {
					t.Errorf("customer page mentions %q", s)
				}
			}
			if got := doc.Find(".timeline li").Length(); got != 3 {
				t.Errorf("%d timeline entries, want 3 (requested, approved, shipped)", got)
			}
		})
	}
	rf, evs := refundedReturn()
	p := returnPage("en")
	p.Return, p.Events = rf, evs
	html, _ := render(t, ReturnPageView(p))
	if strings.Contains(html, refundFailedText) {
		t.Error("refund failure shown to the customer")
	}
}

func TestCustomerPageOutcome(t *testing.T) {
	t.Run("declined", func(t *testing.T) {
		r, evs := declinedReturn()
		for lang, heading := range map[string]string{"en": "We declined your return", "lv": "Jūsu atgriešanas pieteikums ir noraidīts"} {
			p := returnPage(lang)
			p.Return, p.Events, p.CanCancel = r, evs, false
			html, doc := render(t, ReturnPageView(p))
			if got := doc.Find("#outcome-h").Text(); got != heading {
				t.Errorf("%s: heading = %q", lang, got)
			}
			if got := doc.Find("#outcome-h").Parent().Find(".note").Text(); got != declineText {
				t.Errorf("%s: reason = %q", lang, got)
			}
			if strings.Contains(html, staffNoteText) || doc.Find(".addr").Length() != 0 {
				t.Errorf("%s: note or return address shown on a declined return", lang)
			}
		}
	})
	t.Run("shipped", func(t *testing.T) {
		for lang, want := range map[string]string{"en": "Your replacement is on its way: DPD 05212345678901", "lv": "Jaunā prece ir ceļā: DPD 05212345678901"} {
			p := returnPage(lang)
			p.Return, p.Events, p.CanCancel = shippedReturn(), shippedEvents(), false
			_, doc := render(t, ReturnPageView(p))
			if !strings.Contains(doc.Find("main").Text(), want) {
				t.Errorf("%s: %q missing", lang, want)
			}
			link := doc.Find(`a[href="` + trackingURL + `"]`)
			if link.Length() != 1 || link.AttrOr("rel", "") != "noopener noreferrer" {
				t.Errorf("%s: tracking link: %d", lang, link.Length())
			}
			// Approved earlier with a message: the message stays.
			if got := doc.Find("#outcome-h").Parent().Find(".note").Text(); got != approveText {
				t.Errorf("%s: approval message = %q", lang, got)
			}
		}
	})
	t.Run("refunded", func(t *testing.T) {
		r, evs := refundedReturn()
		for lang, want := range map[string]string{"en": "We refunded €29.00 to your original payment method.", "lv": "Esam atmaksājuši 29,00 €, izmantojot jūsu sākotnējo maksājuma veidu."} {
			p := returnPage(lang)
			p.Return, p.Events, p.CanCancel = r, evs, false
			_, doc := render(t, ReturnPageView(p))
			if !strings.Contains(doc.Find("main").Text(), want) {
				t.Errorf("%s: %q missing", lang, want)
			}
			if doc.Find(".addr").Length() != 0 || doc.Find("#outcome-h").Length() != 0 {
				t.Errorf("%s: address or approval box after the refund", lang)
			}
		}
	})
	t.Run("approved, item comes back", func(t *testing.T) {
		r, _ := refundedReturn()
		r.Status, r.Refunded = returns.StatusApproved, returns.Money{}
		p := returnPage("lv")
		p.Return, p.CanCancel = r, false
		p.Events = []returns.Event{event(1, 0, returns.StaffActor(2), returns.EventApproved, returns.StatusApproved, approveText)}
		_, doc := render(t, ReturnPageView(p))
		box := doc.Find("#outcome-h").Parent()
		if !strings.Contains(box.Text(), "Lūdzu, nosūtiet preci uz zemāk norādīto adresi.") || box.Find(".note").Text() != approveText {
			t.Errorf("approval box = %q", box.Text())
		}
		if doc.Find(".addr").Length() != 1 {
			t.Error("no return address for an approved return whose item comes back")
		}
	})
	t.Run("approved replacement", func(t *testing.T) {
		r := *testReturn
		r.Status = returns.StatusApproved
		p := returnPage("en")
		p.Return, p.CanCancel = &r, false
		p.Events = []returns.Event{event(1, 0, returns.StaffActor(2), returns.EventApproved, returns.StatusApproved, "")}
		_, doc := render(t, ReturnPageView(p))
		box := doc.Find("#outcome-h").Parent()
		if !strings.Contains(box.Text(), "We will send you a replacement") || box.Find(".note").Length() != 0 {
			t.Errorf("approval box = %q", box.Text())
		}
		if doc.Find(".addr").Length() != 0 {
			t.Error("return address for a replacement")
		}
	})
}

func TestEventLabels(t *testing.T) {
	lv := Localizer{Lang: "lv"}
	for _, typ := range []returns.EventType{returns.EventNote, returns.EventRefundFailed, returns.EventRefundUnknown, returns.EventShopifyUpdated, returns.EventShopifyDeferred, "something_new"} {
		// Even with a status, a staff-only entry stays hidden.
		if got := lv.Event(returns.Event{Type: typ, Status: returns.StatusRefunded, Message: "x"}); got != "" {
			t.Errorf("%s: customer label %q", typ, got)
		}
	}
	for typ, want := range map[returns.EventType]string{
		returns.EventApproved: "Atgriešana apstiprināta", returns.EventDeclined: "Atgriešana noraidīta",
		returns.EventItemReceived: "Prece saņemta", returns.EventRefunded: "Nauda atmaksāta",
		returns.EventReplacementShipped: "Jaunā prece nosūtīta", returns.EventClosed: "Atgriešana pabeigta",
	} {
		if got := lv.Event(returns.Event{Type: typ}); got != want {
			t.Errorf("%s: %q, want %q", typ, got, want)
		}
	}
}
