package views

import (
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	returns "github.com/returnsportal/returns"
)

// returnOf is testReturn as kind and resolution, requested.
func returnOf(kind returns.Kind, res returns.Resolution) *returns.Return {
	r := *testReturn
	r.Kind, r.Resolution, r.Status = kind, res, returns.StatusRequested
	if kind == returns.KindDissatisfied {
		r.Reason = returns.ReasonDoesntFit
	}
	return &r
}

// confirmationOf renders the confirmation of r in lang with the store's
// default address and instructions.
func confirmationOf(t *testing.T, lang string, r *returns.Return) (string, *goquery.Document) {
	t.Helper()
	return render(t, ConfirmationPageView(ConfirmationPage{Page: page(lang, "/returns/"+r.Code, "Thank you"),
		Return: r, ReturnAddress: returns.DefaultSettings().ReturnAddress,
		Instructions: returns.DefaultSettings().Instructions(lang)}))
}

// TestConfirmationSaysOnceToWriteTheCode: the page's steps, the send-back box
// and the store's default instructions each said it, three times in all.
func TestConfirmationSaysOnceToWriteTheCode(t *testing.T) {
	onParcel := map[string]*regexp.Regexp{"en": regexp.MustCompile(`on the parcel`), "lv": regexp.MustCompile(`uz sūtījuma`)}
	for _, lang := range Languages {
		for _, r := range []*returns.Return{
			returnOf(returns.KindDissatisfied, returns.ResolutionRefund),
			returnOf(returns.KindDamaged, returns.ResolutionRefund),
			returnOf(returns.KindDamaged, returns.ResolutionReplacement),
		} {
			t.Run(lang+"/"+string(r.Kind)+"-"+string(r.Resolution), func(t *testing.T) {
				_, doc := confirmationOf(t, lang, r)
				main := doc.Find("main").Text()
				if n := len(onParcel[lang].FindAllString(main, -1)); n != 1 {
					t.Errorf("the page says %d times to write the code on the parcel, want once:\n%s", n, main)
				}
			})
		}
	}
}

// TestDamagedRefundIsNotToldToPostTheItem: a damaged item is looked at on its
// photos first; only an approved refund asks for it back. Every kind and
// resolution is told what happens next.
func TestDamagedRefundIsNotToldToPostTheItem(t *testing.T) {
	en := Localizer{Lang: "en"}
	post := []string{en.T("Pack the item and write the return code on the parcel."), en.T("Send it to the address below.")}
	for _, tc := range []struct {
		name      string
		r         *returns.Return
		postsNow  bool
		mustSay   string
		statusBox bool // the status page shows where to send it while requested
	}{
		{"dissatisfied", returnOf(returns.KindDissatisfied, returns.ResolutionRefund), true,
			"We email you when the item has arrived and when we have refunded it.", true},
		{"damaged refund", returnOf(returns.KindDamaged, returns.ResolutionRefund), false,
			"Please do not send the item yet", false},
		{"damaged replacement", returnOf(returns.KindDamaged, returns.ResolutionReplacement), false,
			"If we approve it, we send you a replacement", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc := confirmationOf(t, "en", tc.r)
			main := doc.Find("main").Text()
			for _, s := range post {
				if strings.Contains(main, s) != tc.postsNow {
					t.Errorf("confirmation says %q: %v, want %v:\n%s", s, !tc.postsNow, tc.postsNow, main)
				}
			}
			if !strings.Contains(main, tc.mustSay) {
				t.Errorf("confirmation does not say %q:\n%s", tc.mustSay, main)
			}
			p := returnPage("en")
			p.Return = tc.r
			_, status := render(t, ReturnPageView(p))
			if got := status.Find("#sendback-h").Length() == 1; got != tc.statusBox {
				t.Errorf("requested status page shows where to send the item: %v, want %v", got, tc.statusBox)
			}
			approved := *tc.r
			approved.Status = returns.StatusApproved
			p.Return = &approved
			_, status = render(t, ReturnPageView(p))
			if got, want := status.Find("#sendback-h").Length() == 1, tc.r.ItemComesBack(); got != want {
				t.Errorf("approved status page shows where to send the item: %v, want %v", got, want)
			}
		})
	}
}

// TestStatusHeadingAfterReplacementShips: with staff's message kept, the box
// said "We approved your return" after the replacement went out.
func TestStatusHeadingAfterReplacementShips(t *testing.T) {
	for _, lang := range Languages {
		l := Localizer{Lang: lang}
		p := returnPage(lang)
		p.Return, p.Events, p.CanCancel = shippedReturn(), shippedEvents(), false
		_, doc := render(t, ReturnPageView(p))
		got := strings.TrimSpace(doc.Find("#outcome-h").Text())
		if got != l.T("Your replacement is on its way") {
			t.Errorf("%s: heading %q, want %q", lang, got, l.T("Your replacement is on its way"))
		}
		closed := *shippedReturn()
		closed.Status = returns.StatusClosed
		p.Return = &closed
		_, doc = render(t, ReturnPageView(p))
		if got := strings.TrimSpace(doc.Find("#outcome-h").Text()); got != l.T("We sent you a replacement") {
			t.Errorf("%s: closed heading %q", lang, got)
		}
	}
}

// TestStatusPageNamesTheVariant: the order page says "Linen tea towel —
// Natural"; the status page and the backoffice said "Linen tea towel".
func TestStatusPageNamesTheVariant(t *testing.T) {
	r := *testReturn
	r.Items = []returns.Item{{LineItemID: "gid://shopify/LineItem/11", Title: "Linen tea towel", VariantTitle: "Natural", Quantity: 1, UnitPrice: eur(2900)}}
	p := returnPage("en")
	p.Return = &r
	_, doc := render(t, ReturnPageView(p))
	if got := doc.Find(".items tbody td").First().Text(); got != "Linen tea towel — Natural" {
		t.Errorf("status page names the item %q", got)
	}
	ap := adminReturnPage()
	ap.View.Return = &r
	_, doc = render(t, AdminReturnPageView(ap))
	if !strings.Contains(doc.Find("main").Text(), "Linen tea towel — Natural") {
		t.Error("the backoffice's return page does not name the variant")
	}
}

// TestCatalogApostrophesAreTypographic: one straight apostrophe stood among
// typographic ones ("It doesn't fit").
func TestCatalogApostrophesAreTypographic(t *testing.T) {
	straight := regexp.MustCompile(`\p{L}'\p{L}`)
	for en, lv := range catalogLV {
		if straight.MatchString(en) || straight.MatchString(lv) {
			t.Errorf("straight apostrophe in %q / %q", en, lv)
		}
	}
}

// TestDemoBannerInALandmark: the banner sat outside every landmark, so a
// screen reader's landmark list skipped it (axe's "region").
func TestDemoBannerInALandmark(t *testing.T) {
	_, doc := render(t, ReturnPageView(returnPage("lv")))
	banner := doc.Find(".demo")
	if banner.Length() != 1 {
		t.Fatal("no demo banner")
	}
	if banner.Closest("header, main, footer, nav, aside, section[aria-label], section[aria-labelledby]").Length() == 0 {
		t.Error("the demo banner is outside every landmark")
	}
}

// TestChooseAnItemTiedToEachBox: "Choose at least one item" was tied to the
// fieldset only, so a screen reader on a checkbox did not hear it.
func TestChooseAnItemTiedToEachBox(t *testing.T) {
	p := orderPage("en")
	p.Form.Fields = map[string]returns.Message{returns.FieldItems: returns.Msg("Choose at least one item.")}
	_, doc := render(t, OrderPageView(p))
	boxes := doc.Find(`input[type=checkbox][name=line]`)
	if boxes.Length() == 0 {
		t.Fatal("no line checkboxes")
	}
	msgID := "items-error"
	if doc.Find("#"+msgID).Length() != 1 {
		t.Fatalf("no #%s", msgID)
	}
	boxes.Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(" "+s.AttrOr("aria-describedby", "")+" ", " "+msgID+" ") {
			t.Errorf("checkbox %s is not described by the message", s.AttrOr("id", ""))
		}
	})
}

// TestOutboxTextNamedByItsRole: the plain text's pre (a scrollable, focusable
// box) carried aria-labelledby, which its generic role may not have.
func TestOutboxTextNamedByItsRole(t *testing.T) {
	_, doc := render(t, OutboxMessagePageView(outboxMessagePage()))
	pre := doc.Find("pre.mail-text")
	if _, named := pre.Attr("aria-labelledby"); named && pre.AttrOr("role", "") != "region" {
		t.Error("the pre carries a name but no role that may have one")
	}
}

// TestTimelineAmountsAsThePage: the timeline said "29.00 EUR" where the page
// says "€29.00".
func TestTimelineAmountsAsThePage(t *testing.T) {
	ap := adminReturnPage()
	v := *ap.View
	v.Events = append(v.Events,
		returns.Event{ID: 20, At: now, Actor: returns.StaffActor(2), Type: returns.EventRefunded, Status: returns.StatusRefunded, Message: "29.00 EUR"},
		returns.Event{ID: 21, At: now, Actor: returns.ActorSystem, Type: returns.EventRefundAwaiting, Message: "1234.50 EUR refunded in Shopify; the payment provider has not confirmed it yet."},
		returns.Event{ID: 22, At: now, Actor: returns.StaffActor(2), Type: returns.EventNote, Message: "Customer asked: 29.00 EUR?"})
	ap.View = &v
	_, doc := render(t, AdminReturnPageView(ap))
	log := doc.Find(".log").Text()
	for _, want := range []string{"€29.00", "€1,234.50 refunded in Shopify", "Customer asked: 29.00 EUR?"} {
		if !strings.Contains(log, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if strings.Contains(strings.ReplaceAll(log, "Customer asked: 29.00 EUR?", ""), " EUR") {
		t.Errorf("timeline still writes amounts as stored:\n%s", log)
	}
}

// TestQueueFiltersHideEmptyStatuses: eight statuses with (0) took two rows;
// the chosen one stays even when empty.
func TestQueueFiltersHideEmptyStatuses(t *testing.T) {
	p := queuePage()
	p.Status = returns.StatusRefunded
	_, doc := render(t, QueuePageView(p))
	var got []string
	doc.Find(".filters a").Each(func(_ int, s *goquery.Selection) { got = append(got, strings.Join(strings.Fields(s.Text()), " ")) })
	if want := []string{"All (7)", "Requested (2)", "Refunded (0)", "Closed (5)"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("filters %q, want %q", got, want)
	}
}

// TestQueueCardsOnAPhone: each cell of the queue says its column's name, which
// a phone shows beside it when the table becomes a card per return.
func TestQueueCardsOnAPhone(t *testing.T) {
	_, doc := render(t, QueuePageView(queuePage()))
	doc.Find("table.queue tbody td").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("data-label", "") == "" {
			t.Errorf("cell %q has no column name", s.Text())
		}
	})
	if doc.Find("table.queue.cards").Length() != 1 {
		t.Error("the queue is not laid out as cards on a phone")
	}
}
