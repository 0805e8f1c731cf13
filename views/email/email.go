// Package email renders the portal's emails: an HTML part and a plain-text
// alternative for every returns.EmailKind, in the return's language.
//
// Each kind is first written as a message — a short list of blocks (a
// paragraph, the return code, an address, a button…) whose texts are already
// translated. Two templ components render the same message: htmlEmail (a
// .templ file, so templ escapes every text) and textEmail, a
// templ.ComponentFunc that writes plain text. The text part is not rendered by
// a .templ file because templ escapes its output for HTML: a customer's "Tom &
// Jerry" would arrive as "Tom &amp; Jerry", and unescaping the result afterwards
// cannot tell the template's own markup from a customer's text. Building both
// parts from one message keeps them saying the same thing.
package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// Renderer renders the portal's emails. It implements returns.EmailRenderer.
type Renderer struct {
	// StoreName heads every email and signs it, e.g. "Linen & Clay". Empty: the
	// emails name no store.
	StoreName string
}

var _ returns.EmailRenderer = Renderer{}

// RenderEmail renders the email of d.Kind: to the customer in d.Lang ("en" or
// "lv"; another language falls back to English), or to staff in English.
func (r Renderer) RenderEmail(d returns.EmailData) (returns.Email, error) {
	if d.Return == nil && !aboutNoReturn[d.Kind] {
		return returns.Email{}, errors.New("render email: no return")
	}
	m, err := r.message(d)
	if err != nil {
		return returns.Email{}, err
	}
	m.brand(d)
	var html, text bytes.Buffer
	if err := htmlEmail(m).Render(context.Background(), &html); err != nil {
		return returns.Email{}, fmt.Errorf("render %s email html: %w", d.Kind, err)
	}
	if err := textEmail(m).Render(context.Background(), &text); err != nil {
		return returns.Email{}, fmt.Errorf("render %s email text: %w", d.Kind, err)
	}
	return returns.Email{Subject: m.Subject, HTML: html.String(), Text: text.String()}, nil
}

// storeName is the name that heads and signs an email: the store's identity
// as the domain tells it, else the renderer's own.
func (r Renderer) storeName(d returns.EmailData) string {
	if d.Store.Name != "" {
		return d.Store.Name
	}
	return r.StoreName
}

// aboutNoReturn are the kinds of email that are about no return.
var aboutNoReturn = map[returns.EmailKind]bool{
	returns.EmailAccessLink: true, returns.EmailStaffAppUninstalled: true, returns.EmailStaffDataRequest: true,
}

// link is the address of a path of the portal (built by package paths), as an
// email's button links to it: absolute, since a mail client knows no other
// site; "" when the portal's address is unknown, for a relative link leads
// nowhere from an inbox.
func link(d returns.EmailData, path string) string {
	if d.BaseURL == "" {
		return ""
	}
	return d.BaseURL + path
}

// message writes the email of d.Kind as blocks.
func (r Renderer) message(d returns.EmailData) (*message, error) {
	switch d.Kind {
	case returns.EmailStaffNewReturn:
		return r.staffNewReturn(d), nil
	case returns.EmailAccessLink:
		return r.accessLink(d)
	case returns.EmailStaffAppUninstalled:
		return r.staffAppUninstalled(d)
	case returns.EmailStaffDataRequest:
		return r.staffDataRequest(d)
	case returns.EmailStaffWithdrawalDeadline:
		return r.staffWithdrawalDeadline(d)
	}
	l := views.NewLocalizer(d.Lang)
	l.Zone = d.Store.Location
	c := customerEmail{l: l, d: d, ret: d.Return}
	m := &message{Lang: c.l.Code(), Store: r.storeName(d)}
	switch d.Kind {
	case returns.EmailRequestReceived:
		c.requestReceived(m)
	case returns.EmailApproved:
		c.approved(m)
	case returns.EmailDeclined:
		c.declined(m)
	case returns.EmailItemReceived:
		c.itemReceived(m)
	case returns.EmailRefunded:
		c.refunded(m)
	case returns.EmailManualRefundPaid:
		c.manualRefundPaid(m)
	case returns.EmailReplacementShipped:
		c.replacementShipped(m)
	case returns.EmailSwitchedToRefund:
		c.switchedToRefund(m)
	case returns.EmailCancelled:
		c.cancelled(m)
	case returns.EmailClosed:
		c.closed(m)
	case returns.EmailWithdrawalAcknowledged:
		c.withdrawalAcknowledged(m)
	default:
		return nil, fmt.Errorf("render email: unknown kind %q", d.Kind)
	}
	c.finish(m, r.storeName(d))
	return m, nil
}

// message is an email before it is rendered: its subject, the preview line
// mail clients show after it, a heading and the body's blocks, every text in
// the email's language.
type message struct {
	Lang  string // the html lang attribute: "en" or "lv"
	Store string
	// StoreURL is the storefront the store's name links to; "" for none.
	StoreURL string
	// Logo is the store's logo, an absolute address, with its size as the
	// email shows it; "" for none.
	LogoURL               string
	LogoWidth, LogoHeight int
	Subject               string
	Preheader             string
	Heading               string
	Blocks                []block
	Footer                []string // small print, one paragraph each
}

// blockKind says how a block looks.
type blockKind int

const (
	blockParagraph blockKind = iota
	blockSubheading
	blockQuote  // someone's own words (the customer's note, staff's message); line breaks kept
	blockCode   // the return code, large, to copy onto a parcel
	blockFacts  // label–value pairs
	blockLines  // lines kept as they are, e.g. an address
	blockSteps  // a numbered list
	blockList   // a bulleted list
	blockButton // a link shown as a button; the address is spelled out too
)

// block is one part of an email's body.
type block struct {
	Kind  blockKind
	Text  string   // the paragraph, heading, quote, code or button label
	Lines []string // blockLines, blockSteps, blockList
	Facts []fact   // blockFacts
	URL   string   // blockButton
	// Hint introduces the address spelled out under a button, for clients
	// that show no button.
	Hint string
}

// fact is one row of a blockFacts.
type fact struct {
	Label, Value string
}

// Largest box the email shows the store's logo in, in CSS pixels.
const logoBoxWidth, logoBoxHeight = 200, 48

// brand puts the store's storefront and logo at the head of the email. The
// logo is an image on the portal's site, so it needs the portal's address;
// a mail client that does not load images shows its alt text, the store's
// name.
func (m *message) brand(d returns.EmailData) {
	m.StoreURL = d.Store.StoreURL
	if d.Store.Logo.IsZero() || d.BaseURL == "" || m.Store == "" {
		return
	}
	m.LogoURL = d.BaseURL + paths.LogoURL(d.Store.Logo.File())
	m.LogoWidth, m.LogoHeight = views.LogoSize(d.Store.Logo, logoBoxWidth, logoBoxHeight)
}

func (m *message) add(b block) { m.Blocks = append(m.Blocks, b) }

func (m *message) paragraph(s string) { m.add(block{Kind: blockParagraph, Text: s}) }

func (m *message) subheading(s string) { m.add(block{Kind: blockSubheading, Text: s}) }

// quote adds someone's own words, when there are any.
func (m *message) quote(s string) {
	if s = strings.TrimSpace(s); s != "" {
		m.add(block{Kind: blockQuote, Text: s})
	}
}

func (m *message) code(s string) { m.add(block{Kind: blockCode, Text: s}) }

func (m *message) facts(fs ...fact) {
	var keep []fact
	for _, f := range fs {
		if f.Value != "" {
			keep = append(keep, f)
		}
	}
	if len(keep) > 0 {
		m.add(block{Kind: blockFacts, Facts: keep})
	}
}

func (m *message) lines(ls []string) {
	if len(ls) > 0 {
		m.add(block{Kind: blockLines, Lines: ls})
	}
}

func (m *message) steps(ss ...string) { m.add(block{Kind: blockSteps, Lines: ss}) }

func (m *message) list(ss []string) {
	if len(ss) > 0 {
		m.add(block{Kind: blockList, Lines: ss})
	}
}

// button adds a link as a button, when there is an address to link to; hint
// introduces the address, spelled out under the button.
func (m *message) button(label, url, hint string) {
	if url != "" {
		m.add(block{Kind: blockButton, Text: label, URL: url, Hint: hint})
	}
}

// textLines splits a multi-line text (an address, a note) into its lines,
// without surrounding space or empty lines at either end.
func textLines(s string) []string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return nil
	}
	ls := strings.Split(s, "\n")
	for i := range ls {
		ls[i] = strings.TrimSpace(ls[i])
	}
	return ls
}

// oneLine makes a subject line of s: line breaks and runs of space become one
// space, so a header cannot be broken by a value in it.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// itoa writes a size for an attribute.
func itoa(n int) string { return strconv.Itoa(n) }
