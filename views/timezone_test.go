package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	returns "github.com/returnsportal/returns"
)

// dstEdge is the night Riga moves its clocks forward: at 01:00 UTC on 29 March
// 2026, 03:00 EET becomes 04:00 EEST.
var (
	beforeDST = time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // 02:30 EET
	afterDST  = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // 04:30 EEST
)

func riga(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestCustomerTimesInStoreZone: the status page's timeline tells times in the
// store's zone on either side of the change to summer time, and says which
// zone; the datetime attribute carries the same moment with its offset.
func TestCustomerTimesInStoreZone(t *testing.T) {
	for _, tc := range []struct{ lang, first, second, note string }{
		{"en", "29 March 2026, 02:30 Return requested", "29 March 2026, 04:30 Return approved", "Time zone: Europe/Riga."},
		{"lv", "2026. gada 29. marts, 02:30", "2026. gada 29. marts, 04:30", "Laika josla: Europe/Riga."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p := returnPage(tc.lang)
			p.L.Zone = riga(t)
			p.Events = []returns.Event{
				{Type: returns.EventRequested, Status: returns.StatusRequested, At: beforeDST},
				{Type: returns.EventApproved, Status: returns.StatusApproved, At: afterDST},
			}
			_, doc := render(t, ReturnPageView(p))
			items := doc.Find(".timeline li")
			if items.Length() != 2 {
				t.Fatalf("%d timeline entries", items.Length())
			}
			if got := strings.TrimSpace(items.Eq(0).Text()); !strings.HasPrefix(got, tc.first) {
				t.Errorf("first entry %q, want %q", got, tc.first)
			}
			if got := strings.TrimSpace(items.Eq(1).Text()); !strings.HasPrefix(got, tc.second) {
				t.Errorf("second entry %q, want %q", got, tc.second)
			}
			if got, _ := items.Eq(0).Find("time").Attr("datetime"); got != "2026-03-29T02:30:00+02:00" {
				t.Errorf("datetime %q", got)
			}
			if got, _ := items.Eq(1).Find("time").Attr("datetime"); got != "2026-03-29T04:30:00+03:00" {
				t.Errorf("datetime %q", got)
			}
			if !strings.Contains(doc.Find("main").Text(), tc.note) {
				t.Errorf("no %q on the page", tc.note)
			}
		})
	}
}

// TestStaffTimesInStoreZone: backoffice pages tell times in the store's zone
// that the request's context carries, and name it; without one, UTC.
func TestStaffTimesInStoreZone(t *testing.T) {
	p := adminReturnPage()
	p.View.Return.CreatedAt = afterDST
	renderIn := func(ctx context.Context) *goquery.Document {
		var buf bytes.Buffer
		if err := AdminReturnPageView(p).Render(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	doc := renderIn(WithTimeZone(context.Background(), riga(t)))
	if got := doc.Find("header").Text(); !strings.Contains(got, "Times in Europe/Riga") {
		t.Errorf("header %q does not name the zone", got)
	}
	if got := doc.Find("main").Text(); !strings.Contains(got, "29 Mar 2026, 04:30") {
		t.Errorf("the return's time is not Riga's 04:30: %q", got)
	}
	doc = renderIn(context.Background())
	if got := doc.Find("header").Text(); !strings.Contains(got, "Times in UTC") {
		t.Errorf("header %q, want UTC named", got)
	}
	if got := doc.Find("main").Text(); !strings.Contains(got, "29 Mar 2026, 01:30") {
		t.Error("without a zone the time is not UTC's")
	}
}

// TestStoreHeader: the header names the store by its logo (alt text: the
// name) or its name, the footer links back to the storefront and gives the
// contact address, and the title carries the name.
func TestStoreHeader(t *testing.T) {
	p := returnPage("en")
	p.Store = returns.StoreIdentity{Name: "Linen & Co", StoreURL: "https://linen.example", ContactEmail: "help@linen.example",
		Logo: returns.LogoRef{Hash: "0123456789abcdef0123456789abcdef", ContentType: "image/png", Width: 400, Height: 100}}
	_, doc := render(t, ReturnPageView(p))
	img := doc.Find("header .home img")
	if alt, _ := img.Attr("alt"); alt != "Linen & Co" {
		t.Errorf("logo alt %q", alt)
	}
	if src, _ := img.Attr("src"); src != "/logo/0123456789abcdef0123456789abcdef.png" {
		t.Errorf("logo src %q", src)
	}
	if w, _ := img.Attr("width"); w != "160" {
		t.Errorf("logo width %q, want 160 (400×100 in a 40 px tall box)", w)
	}
	if href, _ := doc.Find("footer a[href='https://linen.example']").Attr("href"); href == "" {
		t.Error("no link back to the store")
	}
	if doc.Find("footer a[href='mailto:help@linen.example']").Length() != 1 {
		t.Error("no contact address")
	}
	if got := doc.Find("title").Text(); got != "Return R-7KQ9X2MD · Linen & Co" {
		t.Errorf("title %q", got)
	}
	p.Store.Logo = returns.LogoRef{}
	_, doc = render(t, ReturnPageView(p))
	if got := doc.Find("header .home").Text(); !strings.Contains(got, "Linen & Co") || doc.Find("header img").Length() != 0 {
		t.Errorf("header without a logo: %q", got)
	}
}
