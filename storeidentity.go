package returns

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StoreIdentity is the store as customers and staff meet it on the portal's
// pages and in its emails: its name, logo, storefront, contact address and the
// time zone every date is told in. Shopify's shop gives the name, storefront
// and time zone; the settings may override the name and the time zone, and add
// the contact address and the logo.
type StoreIdentity struct {
	// Name is the settings' name, else Shopify's, else the portal's
	// configured name; "" when none is known (pages then say "Returns", and
	// emails sign with the renderer's own name).
	Name string
	// StoreURL is the storefront's address (Shopify's primary domain, http
	// or https only), "" while it is not known; StoreHost is its host, for
	// showing.
	StoreURL  string
	StoreHost string
	// ContactEmail is where customers write with questions; "" for none.
	ContactEmail string
	Logo         LogoRef // zero when the store has no logo
	// TimeZone is the IANA name of Location, e.g. "Europe/Riga".
	TimeZone string
	Location *time.Location
	// Revision changes whenever anything a page shows of the store or of the
	// settings changes, so that a page kept rendered can tell it is stale.
	Revision int64
}

// In returns t in the store's time zone (UTC while it is not known).
func (id StoreIdentity) In(t time.Time) time.Time {
	if id.Location == nil {
		return t.UTC()
	}
	return t.In(id.Location)
}

// LogoRef names the store's logo as pages link to it: its content's hash makes
// its address, so the address can be kept by browsers for good.
type LogoRef struct {
	Hash        string // hex, of the encoded image
	ContentType string // image/png or image/jpeg
	Width       int
	Height      int
}

// IsZero reports whether there is no logo.
func (l LogoRef) IsZero() bool { return l.Hash == "" }

// File is the logo's file name in its address: its hash and the extension of
// its type.
func (l LogoRef) File() string {
	if l.ContentType == "image/png" {
		return l.Hash + ".png"
	}
	return l.Hash + ".jpg"
}

// Logo is the store's logo with its image.
type Logo struct {
	LogoRef
	Data []byte
}

// NewLogo makes the logo of an image already checked and re-encoded.
func NewLogo(p Photo) *Logo {
	sum := sha256.Sum256(p.Data)
	return &Logo{
		LogoRef: LogoRef{Hash: hex.EncodeToString(sum[:16]), ContentType: p.ContentType, Width: p.Width, Height: p.Height},
		Data:    p.Data,
	}
}

// LogoProcessor checks an uploaded logo and re-encodes it within the logo's
// bounds of size, or refuses it with an EINVALID error saying why.
type LogoProcessor interface {
	ProcessLogo(ctx context.Context, upload PhotoUpload) (Photo, error)
}

// LogoStore keeps the store's one logo.
type LogoStore interface {
	// CurrentLogo returns the logo in use, nil for none.
	CurrentLogo(ctx context.Context) (*LogoRef, error)
	// Logo returns the logo in use when its hash is hash, else an ENOTFOUND
	// error.
	Logo(ctx context.Context, hash string) (*Logo, error)
	// SaveLogo puts logo in place of the one in use (nil removes it) and
	// records the change in the settings' history as by's, at at.
	SaveLogo(ctx context.Context, logo *Logo, at time.Time, by string) error
}

// ShopIdentityReader gives Shopify's identity of the shop as last read;
// ConnectionService is one.
type ShopIdentityReader interface {
	Identity(ctx context.Context) (ShopIdentity, bool, error)
}

// ValidTimeZone returns the location of an IANA time zone name, and false when
// name is not one ("Local", the server's own zone, is not).
func ValidTimeZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 64 || strings.ContainsAny(name, " \\") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// storefrontURL returns Shopify's primary domain URL when it is a web address
// a page can link to, and its host; "" otherwise.
func storefrontURL(raw string) (string, string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", ""
	}
	return u.String(), u.Hostname()
}

// ComposeIdentity makes the store's identity from the settings, Shopify's
// identity of the shop (shop is the zero value while it was never read) and
// the portal's own name for the store (fallbackName, from its configuration).
// loc loads a time zone; a zone that does not load is told as UTC.
func ComposeIdentity(st Settings, shop ShopIdentity, logo LogoRef, fallbackName string, loc func(string) (*time.Location, bool)) StoreIdentity {
	id := StoreIdentity{Name: st.StoreName, ContactEmail: st.ContactEmail, Logo: logo}
	if id.Name == "" {
		id.Name = strings.TrimSpace(shop.Name)
	}
	if id.Name == "" {
		id.Name = fallbackName
	}
	id.StoreURL, id.StoreHost = storefrontURL(shop.PrimaryDomainURL)
	for _, name := range []string{st.TimeZone, shop.TimeZone} {
		if l, ok := loc(name); ok {
			id.TimeZone, id.Location = name, l
			break
		}
	}
	if id.Location == nil {
		id.TimeZone, id.Location = "UTC", time.UTC
	}
	h := fnv.New64a()
	var rev [8]byte
	binary.LittleEndian.PutUint64(rev[:], uint64(st.Revision))
	h.Write(rev[:])
	for _, s := range []string{id.Name, id.StoreURL, id.ContactEmail, logo.Hash, id.TimeZone} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	id.Revision = int64(h.Sum64() >> 1)
	return id
}

// StoreIdentityService tells the store's identity to pages and emails, and
// keeps its logo.
type StoreIdentityService struct {
	settings SettingsReader
	shop     ShopIdentityReader
	logos    LogoStore
	images   LogoProcessor
	fallback string
	now      func() time.Time
	log      *slog.Logger

	zones sync.Map // IANA name → *time.Location, or nil for a name that does not load

	logo   atomic.Pointer[LogoRef] // the logo in use as last read; nil until read or after a save
	logoMu sync.Mutex              // a read of the logo from the store, or a save
}

// StoreIdentityDeps are what a StoreIdentityService needs. FallbackName is the
// store's name from the portal's configuration, used while neither the
// settings nor Shopify name the store.
type StoreIdentityDeps struct {
	Settings     SettingsReader
	Shop         ShopIdentityReader
	Logos        LogoStore
	Images       LogoProcessor
	FallbackName string
	Now          func() time.Time
	Log          *slog.Logger
}

// NewStoreIdentityService returns a StoreIdentityService over d.
func NewStoreIdentityService(d StoreIdentityDeps) *StoreIdentityService {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &StoreIdentityService{settings: d.Settings, shop: d.Shop, logos: d.Logos, images: d.Images,
		fallback: d.FallbackName, now: d.Now, log: d.Log}
}

// StoreIdentity returns the store's identity. It never fails: every page and
// email needs it, and a part that cannot be read is left out (and logged)
// rather than keeping a customer from their return.
func (s *StoreIdentityService) StoreIdentity(ctx context.Context) StoreIdentity {
	st, err := s.settings.Settings(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "store identity: read settings", "err", err)
		st = DefaultSettings()
	}
	var shop ShopIdentity
	if s.shop != nil {
		var known bool
		shop, known, err = s.shop.Identity(ctx)
		if err != nil {
			s.log.ErrorContext(ctx, "store identity: read the shop's identity", "err", err)
		}
		if !known || err != nil {
			shop = ShopIdentity{}
		}
	}
	logo, err := s.currentLogo(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "store identity: read the logo", "err", err)
	}
	return ComposeIdentity(st, shop, logo, s.fallback, s.zone)
}

// Location is the store's time zone, for dates written to Shopify.
func (s *StoreIdentityService) Location(ctx context.Context) *time.Location {
	return s.StoreIdentity(ctx).Location
}

// zone loads a time zone once: time.LoadLocation reads the zone's file every
// time it is called.
func (s *StoreIdentityService) zone(name string) (*time.Location, bool) {
	if name == "" {
		return nil, false
	}
	if v, ok := s.zones.Load(name); ok {
		l, _ := v.(*time.Location)
		return l, l != nil
	}
	l, ok := ValidTimeZone(name)
	s.zones.Store(name, l)
	return l, ok
}

func (s *StoreIdentityService) currentLogo(ctx context.Context) (LogoRef, error) {
	if s.logos == nil {
		return LogoRef{}, nil
	}
	if l := s.logo.Load(); l != nil {
		return *l, nil
	}
	// Under the lock a read cannot interleave with a save, so it never keeps
	// a logo older than the saved one.
	s.logoMu.Lock()
	defer s.logoMu.Unlock()
	if l := s.logo.Load(); l != nil {
		return *l, nil
	}
	l, err := s.logos.CurrentLogo(ctx)
	if err != nil {
		return LogoRef{}, fmt.Errorf("read logo: %w", err)
	}
	if l == nil {
		l = &LogoRef{}
	}
	s.logo.Store(l)
	return *l, nil
}

// SaveLogo checks and re-encodes an uploaded logo and puts it in place of the
// store's logo, as by's change. A refused image is an EINVALID error whose
// message says why, under the logo's field.
func (s *StoreIdentityService) SaveLogo(ctx context.Context, upload PhotoUpload, by string) error {
	img, err := s.images.ProcessLogo(ctx, upload)
	if ErrorCode(err) == EINVALID {
		return Invalid(map[string]Message{FieldLogo: ErrorMessage(err)})
	}
	if err != nil {
		return fmt.Errorf("process logo: %w", err)
	}
	return s.putLogo(ctx, NewLogo(img), by)
}

// RemoveLogo removes the store's logo, as by's change.
func (s *StoreIdentityService) RemoveLogo(ctx context.Context, by string) error {
	return s.putLogo(ctx, nil, by)
}

func (s *StoreIdentityService) putLogo(ctx context.Context, logo *Logo, by string) error {
	s.logoMu.Lock()
	defer s.logoMu.Unlock()
	// Forget the kept logo whatever happens: the next read gets what the
	// database holds.
	defer s.logo.Store(nil)
	if err := s.logos.SaveLogo(ctx, logo, s.now(), by); err != nil {
		return fmt.Errorf("save logo: %w", err)
	}
	return nil
}

// Logo returns the store's logo when hash is its hash, else an ENOTFOUND
// error: an address of a logo replaced since leads nowhere.
func (s *StoreIdentityService) Logo(ctx context.Context, hash string) (*Logo, error) {
	return s.logos.Logo(ctx, hash)
}

// checkIdentitySettings cleans and checks the settings of the store's
// identity and the Latvian return address, adding a message per field that is
// wrong.
func checkIdentitySettings(st *Settings, fields map[string]Message) {
	st.StoreName = strings.Join(strings.Fields(st.StoreName), " ")
	if m := checkText(st.StoreName, 100); m != nil {
		fields[FieldStoreName] = *m
	}
	st.ReturnAddressLV = CleanText(st.ReturnAddressLV)
	if m := checkText(st.ReturnAddressLV, 500); m != nil {
		fields[FieldReturnAddressLV] = *m
	}
	st.ContactEmail = strings.TrimSpace(st.ContactEmail)
	if st.ContactEmail != "" {
		if e := NormalizeEmail(st.ContactEmail); e == "" {
			fields[FieldContactEmail] = Msg("Enter a valid email address, or leave it empty.")
		} else {
			st.ContactEmail = e
		}
	}
	st.TimeZone = strings.TrimSpace(st.TimeZone)
	if st.TimeZone != "" {
		if _, ok := ValidTimeZone(st.TimeZone); !ok {
			fields[FieldTimeZone] = Msg("Enter a time zone by its IANA name, such as Europe/Riga, or leave it empty to use the shop’s.")
		}
	}
}

// StoreZone tells the store's time zone; StoreIdentityService is one.
type StoreZone interface {
	Location(ctx context.Context) *time.Location
}

// shopDate writes t's day in the store's time zone for a line of the Shopify
// order's note, e.g. "2026-11-26"; in UTC when zone is nil.
func shopDate(ctx context.Context, zone StoreZone, t time.Time) string {
	loc := time.UTC
	if zone != nil {
		if l := zone.Location(ctx); l != nil {
			loc = l
		}
	}
	return t.In(loc).Format("2006-01-02")
}
