package email

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/views"
)

const accessLinkURL = "https://returns.example/link?t=0123456789abcdef0123456789abcdef"

func accessLinkData(lang string) returns.EmailData {
	return returns.EmailData{
		Kind: returns.EmailAccessLink, Lang: lang, Settings: settings(), BaseURL: "https://returns.example",
		AccessLink: &returns.AccessLinkEmail{OrderName: "#1001", Token: "0123456789abcdef0123456789abcdef", ValidFor: 15 * time.Minute},
	}
}

// TestAccessLinkEmail: the link email, in both languages, carries the link as a
// button and spelled out, says it works once for 15 minutes, and names the order
// and nothing else of it.
func TestAccessLinkEmail(t *testing.T) {
	for _, lang := range views.Languages {
		t.Run(lang, func(t *testing.T) {
			e, doc := render(t, accessLinkData(lang))
			if got := doc.Find("html").AttrOr("lang", ""); got != lang {
				t.Errorf("html lang = %q, want %q", got, lang)
			}
			if !strings.Contains(e.Subject, "#1001") || strings.ContainsAny(e.Subject, "\r\n") || utf8.RuneCountInString(e.Subject) > 70 {
				t.Errorf("subject %q: want the order, one line, short", e.Subject)
			}
			if doc.Find(`a[href="`+accessLinkURL+`"]`).Length() == 0 {
				t.Error("HTML part does not link to the access link")
			}
			if !strings.Contains(e.Text, "\n"+accessLinkURL+"\n") {
				t.Error("text part does not spell out the link on a line of its own")
			}
			if m := tagRe.FindString(e.Text); m != "" {
				t.Errorf("text part has a tag: %q", m)
			}
			for _, part := range []string{e.Text, doc.Find("body").Text()} {
				if !strings.Contains(part, "15") {
					t.Errorf("does not say how long the link works: %q", part)
				}
				if strings.Contains(part, "anna") || strings.Contains(part, "R-") {
					t.Errorf("says more about the order than its name: %q", part)
				}
			}
			if lang == "lv" {
				for _, part := range []string{e.Subject, doc.Find("body").Text(), e.Text} {
					if m := englishRe.FindString(part); m != "" {
						t.Errorf("English %q left in the Latvian email: %q", m, part)
					}
				}
				if !strings.Contains(e.Text, "15 minūšu") {
					t.Errorf("Latvian text without the plural of minutes: %q", e.Text)
				}
			}
		})
	}
	if _, err := (Renderer{}).RenderEmail(returns.EmailData{Kind: returns.EmailAccessLink, Lang: "en"}); err == nil {
		t.Error("no error for a link email without its link")
	}
}
