package returns

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	const (
		unreadable = "The text contains characters we cannot read."
		control    = "The text contains control characters."
		tooLong    = "Please use at most 10 characters."
		formatting = "The text contains invisible formatting characters."
	)
	tests := []struct {
		name string
		in   string
		want string // the message, or "" when the text is fine
	}{
		{"Empty", "", ""},
		{"Plain", "Torn seam", ""},
		{"NewlinesAndTabs", "a\nb\r\nc\td", ""},
		{"Latvian", "Saplēsts", ""},
		{"Emoji", "😞", ""},
		{"ExactlyMaxRunes", strings.Repeat("ā", 10), ""}, // 20 bytes, 10 runes
		{"OverMaxRunes", strings.Repeat("ā", 11), tooLong},
		{"NUL", "a\x00b", control},
		{"Escape", "a\x1b[31mred", control},
		{"Bell", "\a", control},
		{"DEL", "a\x7f", control},
		{"C1NextLine", "a\u0085b", control},
		{"InvalidUTF8", "a\xffb", unreadable},
		{"TruncatedUTF8", "\xc4", unreadable},
		{"InvalidBeforeTooLong", strings.Repeat("a", 20) + "\xff", unreadable},
		// Format characters can disguise text shown to staff; the joiners that
		// some scripts and emoji need are kept.
		{"BidiOverride", "a\u202egnp.exe", formatting},
		{"BidiIsolate", "a\u2066b", formatting},
		{"ZeroWidthSpace", "a\u200bb", formatting},
		{"ZeroWidthJoiner", "👩\u200d💻", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := checkText(tc.in, 10)
			got := ""
			if msg != nil {
				got = msg.String()
			}
			if got != tc.want {
				t.Errorf("checkText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  torn  ", "torn"},
		{"a\r\nb\r\n", "a\nb"},
		{"\n\t a \n", "a"},
		{"a\rb", "a\rb"}, // a lone CR stays
	}
	for _, tc := range tests {
		if got := CleanText(tc.in); got != tc.want {
			t.Errorf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
