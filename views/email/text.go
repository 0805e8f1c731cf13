package email

import (
	"context"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// textWidth is where the plain-text part wraps its lines. A word longer than
// that (an address) stays whole on a line of its own, so links keep working.
const textWidth = 72

// textEmail is the plain-text part, rendered from the same message as the
// HTML part. It is a templ component written in Go rather than in a .templ
// file, because templ escapes what it writes for HTML and a plain-text part
// must carry every text (a customer's "<" or "&") as it is. Lines end in "\n";
// the mail package converts them to CRLF for SMTP.
func textEmail(m *message) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, plainText(m))
		return err
	})
}

// plainText writes the message: the store, the heading underlined, the
// blocks with a blank line between them, and the small print after a "-- "
// separator, which mail clients know as the start of a signature.
func plainText(m *message) string {
	var b strings.Builder
	if m.Store != "" {
		b.WriteString(m.Store)
		if m.StoreURL != "" {
			b.WriteString(" · " + m.StoreURL)
		}
		b.WriteString("\n\n")
	}
	b.WriteString(m.Heading + "\n")
	b.WriteString(strings.Repeat("=", max(3, utf8.RuneCountInString(m.Heading))) + "\n")
	for _, bl := range m.Blocks {
		b.WriteString("\n")
		textBlock(&b, bl)
	}
	if len(m.Footer) > 0 {
		b.WriteString("\n-- \n")
		for _, f := range m.Footer {
			wrap(&b, f, "", "")
		}
	}
	return b.String()
}

func textBlock(b *strings.Builder, bl block) {
	switch bl.Kind {
	case blockParagraph:
		wrap(b, bl.Text, "", "")
	case blockSubheading:
		b.WriteString(bl.Text + "\n")
		b.WriteString(strings.Repeat("-", max(3, utf8.RuneCountInString(bl.Text))) + "\n")
	case blockQuote:
		for _, l := range textLines(bl.Text) {
			wrap(b, l, "    ", "    ")
		}
	case blockCode:
		b.WriteString("    " + bl.Text + "\n")
	case blockLines:
		for _, l := range bl.Lines {
			wrap(b, l, "    ", "    ")
		}
	case blockFacts:
		for _, f := range bl.Facts {
			wrap(b, f.Label+": "+f.Value, "", "    ")
		}
	case blockSteps:
		for i, s := range bl.Lines {
			n := strconv.Itoa(i+1) + ". "
			wrap(b, s, n, strings.Repeat(" ", len(n)))
		}
	case blockList:
		for _, s := range bl.Lines {
			wrap(b, s, "- ", "  ")
		}
	case blockButton:
		b.WriteString(bl.Text + ":\n")
		b.WriteString(bl.URL + "\n")
	}
}

// wrap writes s as lines of at most textWidth characters, breaking at spaces:
// the first line starts with first, the others with rest. Line breaks in s are
// kept.
func wrap(b *strings.Builder, s, first, rest string) {
	prefix := first
	for _, para := range strings.Split(s, "\n") {
		line, n := prefix, utf8.RuneCountInString(prefix)
		empty := true
		for _, word := range strings.Fields(para) {
			w := utf8.RuneCountInString(word)
			if !empty && n+1+w > textWidth {
				b.WriteString(line + "\n")
				line, n, empty = rest, utf8.RuneCountInString(rest), true
			}
			if !empty {
				line += " "
				n++
			}
			line += word
			n += w
			empty = false
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		prefix = rest
	}
}
