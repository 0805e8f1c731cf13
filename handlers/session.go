package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

const (
	customerCookie = "portal"
	// customerMaxAge bounds a customer's session: long enough to fill in the form
	// and upload photos, short enough that a shared computer forgets the order.
	customerMaxAge = 2 * 3600

	staffCookie = "staff"
	// staffMaxAge is the staff session's absolute timeout; the idle timeout and
	// revocation are checked against the session row on every request.
	staffMaxAge = 12 * 3600
)

// sessionStore keeps sessions in signed and encrypted cookies: one store per
// kind of session, because a store's MaxAge is also the age its signature check
// accepts.
type sessionStore struct {
	store *sessions.CookieStore
	staff *sessions.CookieStore
	// verified keeps customer cookies that verified, decoded.
	verified verifiedCookies
}

// newSessionStore derives a signing and an encryption key from each secret, newest
// first: cookies are written with the first pair and read with any of them, which
// is how keys are rotated.
func newSessionStore(secrets [][]byte, secure bool) *sessionStore {
	newStore := func(purpose string, maxAge int) *sessions.CookieStore {
		var pairs [][]byte
		for _, secret := range secrets {
			pairs = append(pairs, deriveKey(secret, purpose+"-hash"), deriveKey(secret, purpose+"-block"))
		}
		store := sessions.NewCookieStore(pairs...)
		store.Options = &sessions.Options{
			Path:     "/",
			HttpOnly: true,
			Secure:   secure,
			SameSite: http.SameSiteLaxMode,
		}
		// MaxAge sets the cookie's lifetime and the age the signature check
		// accepts, replacing gorilla's 30-day default.
		store.MaxAge(maxAge)
		for _, codec := range store.Codecs {
			if sc, ok := codec.(*securecookie.SecureCookie); ok {
				sc.SetSerializer(stringValues{})
			}
		}
		return store
	}
	return &sessionStore{store: newStore("cookie", customerMaxAge), staff: newStore("staff-cookie", staffMaxAge)}
}

func deriveKey(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// customerSession is what a customer proved: one order.
type customerSession struct {
	OrderID     string
	OrderName   string
	OrderLocale string
}

// customer returns the customer's session; the zero value when there is none or
// the cookie does not verify (tampered, expired, signed by a retired key).
//
// A cookie that verified is kept, decoded, by its exact value, for a minute or
// until the cookie's own age runs out, whichever is first: a customer's pages
// then cost a map lookup rather than an HMAC, a decryption and a decoding each
// (about a third of a status page's own work). Only the same bytes find it, and
// those would verify again.
func (s *sessionStore) customer(r *http.Request) customerSession {
	ck, err := r.Cookie(customerCookie)
	if err != nil {
		return customerSession{}
	}
	now := time.Now()
	if c, ok := s.verified.get(ck.Value, now); ok {
		return c
	}
	c, ok := s.decodeCustomer(r)
	if !ok {
		return customerSession{}
	}
	if signed, ok := cookieSignedAt(ck.Value); ok {
		until := now.Add(verifiedFor)
		if expires := signed.Add(customerMaxAge * time.Second); expires.Before(until) {
			until = expires
		}
		s.verified.put(ck.Value, c, until)
	}
	return c
}

func (s *sessionStore) decodeCustomer(r *http.Request) (customerSession, bool) {
	sess, err := s.store.Get(r, customerCookie)
	if err != nil || sess.IsNew {
		return customerSession{}, false
	}
	str := func(k string) string { v, _ := sess.Values[k].(string); return v }
	return customerSession{OrderID: str("order_id"), OrderName: str("order_name"), OrderLocale: str("order_locale")}, true
}

// verifiedFor is how long a verified customer cookie is kept decoded.
const verifiedFor = time.Minute

// maxVerified bounds the cookies kept decoded: a few hundred bytes each.
const maxVerified = 10_000

// verifiedCookies keeps decoded customer sessions by their cookie's value.
type verifiedCookies struct {
	mu sync.Mutex
	m  map[string]verifiedCookie
}

type verifiedCookie struct {
	c     customerSession
	until time.Time
}

func (v *verifiedCookies) get(value string, now time.Time) (customerSession, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.m[value]
	if !ok || !now.Before(e.until) {
		return customerSession{}, false
	}
	return e.c, true
}

func (v *verifiedCookies) put(value string, c customerSession, until time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = make(map[string]verifiedCookie)
	}
	if len(v.m) >= maxVerified {
		// Drop what has run out; if nothing has, forget everything: each
		// cookie is verified again once.
		now := time.Now()
		for k, e := range v.m {
			if !now.Before(e.until) {
				delete(v.m, k)
			}
		}
		if len(v.m) >= maxVerified {
			clear(v.m)
		}
	}
	v.m[value] = verifiedCookie{c: c, until: until}
}

// cookieSignedAt reads when a securecookie value was signed: it is
// base64url("<unix seconds>|<value>|<mac>"). It is read only from a cookie that
// verified; when the format is not that, it reports false and the cookie is not
// kept.
func cookieSignedAt(value string) (time.Time, bool) {
	b, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		return time.Time{}, false
	}
	date, _, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(date, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// stringValues serializes session values, which are all strings here, as a JSON
// object. Gob, gorilla's default, sends and parses its type descriptions with
// every cookie, which cost more than the three short strings themselves.
type stringValues struct{}

func (stringValues) Serialize(src any) ([]byte, error) {
	values, ok := src.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("session values of type %T", src)
	}
	m := make(map[string]string, len(values))
	for k, v := range values {
		ks, kok := k.(string)
		vs, vok := v.(string)
		if !kok || !vok {
			return nil, fmt.Errorf("session value %v of type %T: only strings are kept", k, v)
		}
		m[ks] = vs
	}
	return json.Marshal(m)
}

func (stringValues) Deserialize(src []byte, dst any) error {
	values, ok := dst.(*map[any]any)
	if !ok {
		return fmt.Errorf("session values into %T", dst)
	}
	var m map[string]string
	if err := json.Unmarshal(src, &m); err != nil {
		return err
	}
	if *values == nil {
		*values = make(map[any]any, len(m))
	}
	for k, v := range m {
		(*values)[k] = v
	}
	return nil
}

// setCustomer starts a new session proving an order, replacing any earlier one.
func (s *sessionStore) setCustomer(w http.ResponseWriter, r *http.Request, c customerSession) error {
	sess, _ := s.store.New(r, customerCookie)
	sess.Values = map[any]any{
		"order_id":     c.OrderID,
		"order_name":   c.OrderName,
		"order_locale": c.OrderLocale,
	}
	return sess.Save(r, w)
}

// staffToken returns the staff session token in the request's cookie, or "".
func (s *sessionStore) staffToken(r *http.Request) string {
	sess, err := s.staff.Get(r, staffCookie)
	if err != nil {
		return ""
	}
	t, _ := sess.Values["token"].(string)
	return t
}

// setStaff starts a staff session cookie holding the session token.
func (s *sessionStore) setStaff(w http.ResponseWriter, r *http.Request, token string) error {
	sess, _ := s.staff.New(r, staffCookie)
	sess.Values = map[any]any{"token": token}
	return sess.Save(r, w)
}

// clearStaff removes the staff cookie.
func (s *sessionStore) clearStaff(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.staff.New(r, staffCookie)
	sess.Options.MaxAge = -1
	sess.Save(r, w)
}
