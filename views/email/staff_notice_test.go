package email

import (
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// TestStaffNotices: the notices about the shop, which belong to no return,
// render in English with what staff need: an uninstall says when and what to
// do; a data request names the customer, Shopify's request, the date to
// answer by, the orders and the customer's returns, and links to them in the
// backoffice. A store name with markup is escaped in HTML and kept in text.
func TestStaffNotices(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		d    returns.EmailData
		want []string // in the subject, and in the HTML body or the text
		link string   // the button's address, "" for none
	}{
		{"Uninstalled", returns.EmailData{Kind: returns.EmailStaffAppUninstalled, Lang: "en", BaseURL: "https://returns.example",
			Notice: &returns.StaffNotice{ShopName: "Tom & <Jerry>", ShopDomain: "tom.myshopify.com", At: at}},
			[]string{"uninstalled from Tom & <Jerry>", "26 Nov 2026, 09:30 UTC", "tom.myshopify.com", "install the app on the store again"},
			"https://returns.example/admin"},
		{"DataRequest", returns.EmailData{Kind: returns.EmailStaffDataRequest, Lang: "en", BaseURL: "https://returns.example",
			Notice: &returns.StaffNotice{ShopDomain: "tom.myshopify.com", At: at, CustomerEmail: "anna.berzina@example.lv", DataRequestID: "9001",
				Orders: []string{"#1001", "gid://shopify/Order/9 (no return in the portal)"}, ReturnCodes: []string{"R-7KQ9X2MD (order #1001)"}}},
			[]string{"answer by 26 December 2026", "anna.berzina@example.lv", "9001", "#1001", "gid://shopify/Order/9 (no return in the portal)", "R-7KQ9X2MD (order #1001)"},
			"https://returns.example/admin?q=anna.berzina%40example.lv"},
		{"DataRequestOfNobodyKnown", returns.EmailData{Kind: returns.EmailStaffDataRequest, Lang: "en",
			Notice: &returns.StaffNotice{At: at, CustomerEmail: "x@example.com"}},
			[]string{"The portal holds no return of this customer.", "None."}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, doc := render(t, tc.d)
			// Text lines are wrapped: words are compared, not line breaks.
			oneSpace := func(s string) string { return strings.Join(strings.Fields(s), " ") }
			html, text := oneSpace(e.Subject+" "+doc.Find("body").Text()), oneSpace(e.Subject+" "+e.Text)
			for _, w := range tc.want {
				if !strings.Contains(html, w) || !strings.Contains(text, w) {
					t.Errorf("the notice lacks %q", w)
				}
			}
			if tc.link != "" && (doc.Find(`a[href="`+tc.link+`"]`).Length() == 0 || !strings.Contains(e.Text, tc.link)) {
				t.Errorf("the notice does not link to %s", tc.link)
			}
			if strings.Contains(e.HTML, "<Jerry>") {
				t.Error("the store name is not escaped in HTML")
			}
		})
	}
	for _, kind := range []returns.EmailKind{returns.EmailStaffAppUninstalled, returns.EmailStaffDataRequest} {
		if _, err := (Renderer{}).RenderEmail(returns.EmailData{Kind: kind, Lang: "en"}); err == nil {
			t.Errorf("%s without a notice rendered", kind)
		}
	}
}
