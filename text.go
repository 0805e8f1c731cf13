package returns

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkText returns a message for people when s is not acceptable free text: not
// UTF-8, longer than max runes, or holding control characters other than line
// breaks and tabs. It returns nil when s is fine.
func checkText(s string, max int) *Message {
	if !utf8.ValidString(s) {
		return &Message{Format: "The text contains characters we cannot read."}
	}
	if utf8.RuneCountInString(s) > max {
		return &Message{Format: "Please use at most %d characters.", Args: []any{max}}
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return &Message{Format: "The text contains control characters."}
		}
		// Format characters (bidi overrides, zero-width spaces) can make text read
		// differently from what it says; the joiners that scripts need are kept.
		if unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' {
			return &Message{Format: "The text contains invisible formatting characters."}
		}
	}
	return nil
}

// CleanText trims surrounding space and normalises line breaks to "\n".
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}
