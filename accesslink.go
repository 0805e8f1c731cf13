package returns

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// An access link is a one-time link that opens an order, emailed to the order's
// address. It is the way in that no stranger can block: when typed lookups of an
// order are rate-limited (or the store wants every typed lookup confirmed by
// email), the customer asks for a link instead, and the answer is the same
// whether or not the email matched the order (docs/SECURITY.md, "Customers").

// AccessLinkTTL is how long an access link opens its order.
const AccessLinkTTL = 15 * time.Minute

// At most this many access links are emailed for one order, and to one address,
// in an hour. Requests past them get the same answer and send nothing, so asking
// for links is neither a mail bomb nor an oracle.
const (
	AccessLinksPerOrderHour   = 3
	AccessLinksPerAddressHour = 5
)

// AccessLink is a one-time link to an order. Only the SHA-256 of its token is
// stored; the token itself is in the email alone.
type AccessLink struct {
	ID        int64
	TokenHash string
	OrderID   string
	OrderName string
	Email     string // the order's address, lower case, where the link was sent
	Locale    string // the order's customer locale, as a lookup's session keeps it
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
}

// AccessLinkEmail is what the email carrying an access link says.
type AccessLinkEmail struct {
	OrderName string
	Token     string // the link's token, which only the email carries
	ValidFor  time.Duration
}

// AccessLinkRequest is one request for an access link, as the store records it.
type AccessLinkRequest struct {
	At time.Time
	// Link and Email are the link to store and its email to queue; both nil
	// when the request matched no order.
	Link  *AccessLink
	Email *OutboxMessage
	// When the links made since Since for Link's order reach PerOrder, or for
	// its address PerAddress, neither Link nor Email is stored.
	Since      time.Time
	PerOrder   int
	PerAddress int
}

// AccessLinkStore keeps access links.
type AccessLinkStore interface {
	// RecordAccessLinkRequest commits the request and, within its bounds, its
	// link and email, in one transaction; it reports whether the link was
	// stored. It fills r.Link.ID and r.Email.ID when it was.
	RecordAccessLinkRequest(ctx context.Context, r AccessLinkRequest) (created bool, err error)
	// AccessLink returns the link with a token hash, or ENOTFOUND.
	AccessLink(ctx context.Context, tokenHash string) (*AccessLink, error)
	// UseAccessLink marks the link with a token hash used at now and returns it
	// when it was unused and had not expired at now, in one statement, so a link
	// opened twice at once is used once; ENOTFOUND otherwise.
	UseAccessLink(ctx context.Context, tokenHash string, now time.Time) (*AccessLink, error)
}

// AccessLinkService emails customers one-time links that open their orders, and
// opens them.
type AccessLinkService struct {
	shop   Shop
	store  AccessLinkStore
	mailer *Mailer
	now    func() time.Time
	log    *slog.Logger
}

// NewAccessLinkService returns an AccessLinkService.
func NewAccessLinkService(shop Shop, store AccessLinkStore, mailer *Mailer, now func() time.Time, log *slog.Logger) *AccessLinkService {
	return &AccessLinkService{shop: shop, store: store, mailer: mailer, now: now, log: log}
}

// errAccessLinkGone is the one answer for a link that does not open an order:
// used, expired, or never made.
var errAccessLinkGone = Errorf(ENOTFOUND, "This link has expired or was used already.")

// RequestAccessLink emails a one-time link to order number's address when email
// is that address. Its answer and its work are the same whether or not email
// matched: one search of the order in Shopify, one email rendered and one write
// committed; only a failure of Shopify or the database gives an error. lang is
// the language of the page the link was asked from ("en" or "lv"); the email is
// in the order's language when the portal speaks it, else in lang.
func (s *AccessLinkService) RequestAccessLink(ctx context.Context, number, email, lang string) error {
	number, email = NormalizeOrderNumber(number), NormalizeEmail(email)
	if number == "" || email == "" {
		// Nothing is asked of Shopify for input that cannot be an order, as a
		// lookup does: its shape is known to whoever typed it.
		return nil
	}
	o, err := s.shop.FindOrder(ctx, number, email)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return fmt.Errorf("look up order for a link: %w", err)
	}
	matched := err == nil && o != nil

	now := s.now()
	token := NewToken()
	link := &AccessLink{
		TokenHash: HashToken(token),
		OrderName: "#" + number,
		Email:     email,
		CreatedAt: now,
		ExpiresAt: now.Add(AccessLinkTTL),
	}
	if matched {
		link.OrderID, link.OrderName, link.Email, link.Locale = o.ID, o.Name, orderEmail(o), o.Locale
	}
	// The email is rendered for a stand-in of the order when none matched, so
	// that both answers take as long.
	msg, err := s.mailer.AccessLink(ctx, link, token, emailLanguage(link.Locale, lang))
	if err != nil {
		return err
	}
	req := AccessLinkRequest{
		At:         now,
		Since:      now.Add(-time.Hour),
		PerOrder:   AccessLinksPerOrderHour,
		PerAddress: AccessLinksPerAddressHour,
	}
	if matched && msg != nil {
		req.Link, req.Email = link, msg
	}
	created, err := s.store.RecordAccessLinkRequest(ctx, req)
	if err != nil {
		return fmt.Errorf("record access link request: %w", err)
	}
	switch {
	case created:
		s.mailer.Queued([]OutboxMessage{*msg})
		s.log.Info("access link emailed", "order", link.OrderName)
	case req.Link != nil:
		s.log.Warn("access link not emailed: the order or its address had its links for the hour", "order", link.OrderName)
	}
	return nil
}

// emailLanguage picks the language of an access link's email: the order's, when
// the portal speaks it, else the page's.
func emailLanguage(orderLocale, pageLang string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(orderLocale)), "-")
	switch {
	case primary == "en" || primary == "lv":
		return primary
	case pageLang == "lv":
		return "lv"
	}
	return "en"
}

// AccessLinkOpens reports, without using it, whether token's link opens an
// order now: nil, or the one error for used, expired and unknown links.
func (s *AccessLinkService) AccessLinkOpens(ctx context.Context, token string) error {
	if !validAccessToken(token) {
		return errAccessLinkGone
	}
	l, err := s.store.AccessLink(ctx, HashToken(token))
	if ErrorCode(err) == ENOTFOUND {
		return errAccessLinkGone
	}
	if err != nil {
		return fmt.Errorf("read access link: %w", err)
	}
	if !l.UsedAt.IsZero() || !s.now().Before(l.ExpiresAt) {
		return errAccessLinkGone
	}
	return nil
}

// UseAccessLink uses token's link and returns it: the order it proves, as a
// lookup would. A used, expired or unknown link gives one error.
func (s *AccessLinkService) UseAccessLink(ctx context.Context, token string) (*AccessLink, error) {
	if !validAccessToken(token) {
		return nil, errAccessLinkGone
	}
	l, err := s.store.UseAccessLink(ctx, HashToken(token), s.now())
	if ErrorCode(err) == ENOTFOUND {
		return nil, errAccessLinkGone
	}
	if err != nil {
		return nil, fmt.Errorf("use access link: %w", err)
	}
	s.log.Info("access link used", "order", l.OrderName)
	return l, nil
}

// validAccessToken reports whether s has the shape of NewToken's tokens, so
// that other strings are not even hashed.
func validAccessToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
