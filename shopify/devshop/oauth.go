package devshop

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The client credentials grant, as Shopify answers it for an app made in the
// Dev Dashboard and installed on the shop:
//
//	POST /admin/oauth/access_token
//	Content-Type: application/x-www-form-urlencoded
//	grant_type=client_credentials&client_id=…&client_secret=…
//
// answers 200 {"access_token":"shpat_…","scope":"read_orders,…","expires_in":86399}.
// Shopify's own Node library sends the same fields as JSON, which is accepted
// too. Refusals are 400 with an OAuth error body {"error","error_description"}:
// the captures of Shopify's token endpoint that could be found are all 400
// (app_not_installed, invalid_request); the exact error names and wording for
// an unknown client or a wrong secret are unverified, and clients must not
// branch on them.

// tokenPath is the path of the client credentials grant.
const tokenPath = "/admin/oauth/access_token"

// grantedToken is an access token the grant gave.
type grantedToken struct {
	expiresAt time.Time
	revoked   bool
}

// tokenAnswer is the grant's answer.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	ExpiresIn   int64  `json:"expires_in"`
}

// serveAccessToken answers the client credentials grant.
func (s *Shop) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "The request method must be POST.")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body is too large.")
		return
	}
	form := url.Values{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		form, err = url.ParseQuery(string(body))
	case "application/json":
		var fields map[string]string
		if err = json.Unmarshal(body, &fields); err == nil {
			for k, v := range fields {
				form.Set(k, v)
			}
		}
	default:
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request must be form-encoded.")
		return
	}
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}

	s.mu.Lock()
	s.tokenRequests++
	installed := !s.uninstalled
	s.mu.Unlock()

	id, secret := form.Get("client_id"), form.Get("client_secret")
	switch {
	case form.Get("grant_type") != "client_credentials":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type must be client_credentials.")
		return
	case id == "" || secret == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "client_id and client_secret are required.")
		return
	case s.opts.ClientID == "" || !equalSecret(id, s.opts.ClientID) || !equalSecret(secret, s.opts.ClientSecret):
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "Client authentication failed: unknown client or wrong client secret.")
		return
	case !installed:
		writeOAuthError(w, http.StatusBadRequest, "app_not_installed", "The application is not installed on this shop.")
		return
	}

	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token := "shpat_" + hex.EncodeToString(b)
	s.mu.Lock()
	ttl := s.opts.TokenTTL
	// Expired tokens are forgotten, so a demo store that grants a token
	// every few seconds for days does not grow.
	for t, g := range s.granted {
		if !s.now().Before(g.expiresAt) {
			delete(s.granted, t)
		}
	}
	s.granted[token] = &grantedToken{expiresAt: s.now().Add(ttl)}
	scope := strings.Join(s.scopeList, ",")
	s.mu.Unlock()

	out, _ := json.Marshal(tokenAnswer{AccessToken: token, Scope: scope, ExpiresIn: int64(ttl / time.Second)})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// equalSecret compares a secret in constant time.
func equalSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// authenticated reports whether token opens the Admin API now: the static
// token, or a granted one that has not expired nor been revoked, while the
// app is installed. An expired token gets the same 401 as a wrong one, as at
// Shopify. The caller holds s.mu.
func (s *Shop) authenticated(token string) bool {
	if token == "" || s.uninstalled {
		return false
	}
	if equalSecret(token, s.token) {
		return true
	}
	g := s.granted[token]
	return g != nil && !g.revoked && s.now().Before(g.expiresAt)
}

// TokenRequests returns how many requests the client credentials grant got,
// whatever it answered.
func (s *Shop) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// ExpireTokens makes every token the grant gave so far expire now, as Shopify
// does when it considers a token expired that its client still holds (a clock
// apart, a secret rotated). The static token stays valid.
func (s *Shop) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.granted {
		g.revoked = true
	}
}

// SetScopes replaces the access scopes of the app's installation, as a
// merchant who changes the app's scopes and approves them does. Every token
// carries the new scopes at once.
func (s *Shop) SetScopes(scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setScopesLocked(scopes)
}

func (s *Shop) setScopesLocked(scopes []string) {
	s.scopes = map[string]bool{}
	s.scopeList = nil
	for _, sc := range scopes {
		if sc = strings.TrimSpace(sc); sc != "" && !s.scopes[sc] {
			s.scopes[sc] = true
			s.scopeList = append(s.scopeList, sc)
		}
	}
}

// SetAnsweredVersion makes every answer say, in X-Shopify-API-Version, that
// it was served by version v whatever version the request asked for, as
// Shopify does when the asked version has left support. "" goes back to
// echoing the asked version.
func (s *Shop) SetAnsweredVersion(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answeredVersion = v
}
